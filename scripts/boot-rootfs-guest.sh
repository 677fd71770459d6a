#!/usr/bin/env bash
# boot-rootfs-guest.sh ARCH KERNEL ROOTFS INIT LOG TIMEOUT [ARG...]: one boot
# of a guest with a Debian root file system (make real-client, make
# fstests). Copies the image ROOTFS (make-rootfs.sh) to a fresh disk next
# to LOG (every boot starts from the same disk, whatever the last one
# left), writes the script INIT into it as its init (with
# rootfs-guest-lib.sh as /ipi-fp-lib.sh for it), and boots KERNEL on
# it in QEMU (TCG, virtio-blk root vda, read-write) with
# IPI_FP_ROOTFS_CPUS vCPUs (default 2) and IPI_FP_ROOTFS_MEM memory
# (default 3G); IPI_FP_DISKS_RW="IMG..." are attached read-write after the
# root (vdb, vdc, ...); each ARG (NAME=VALUE) goes on the kernel command
# line for INIT to read. The console goes to LOG. Exits 0 when the guest
# powered off by itself, 124 when it was still running after TIMEOUT
# seconds and was killed. The root disk is deleted afterwards.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: boot-rootfs-guest.sh ARCH KERNEL ROOTFS INIT LOG TIMEOUT [ARG...]"
arch_setup "${1:?$usage}"
kernel=${2:?$usage}
rootfs=${3:?$usage}
init=${4:?$usage}
logf=${5:?$usage}
timeout=${6:?$usage}
shift 6
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "TIMEOUT must be a number of seconds, not '$timeout'"
[ -f "$kernel" ] || die "kernel image $kernel not found"
[ -f "$rootfs" ] || die "root file system image $rootfs not found"
[ -f "$init" ] || die "init script $init not found"
need_cmd debugfs e2fsprogs
need_cmd "$QEMU" "$QEMU_PKG"
drives=()
for d in ${IPI_FP_DISKS_RW:-}; do
	[ -f "$d" ] || die "disk image $d (IPI_FP_DISKS_RW) not found"
	drives+=(-drive "file=$d,format=raw,if=virtio")
done

disk=$logf.disk
trap 'rm -f "$disk"' EXIT
cp --sparse=always "$rootfs" "$disk"
for req in "write $init ipi-fp-init" "set_inode_field ipi-fp-init mode 0100755" \
	"write $TOP/scripts/rootfs-guest-lib.sh ipi-fp-lib.sh"; do
	debugfs -w -R "$req" "$disk" >/dev/null 2>&1 ||
		die "cannot write the init into $disk (debugfs -R '$req')"
done

cmdline="console=$CONSOLE root=/dev/vda rw init=/ipi-fp-init panic=-1 $*"
rc=0
timeout --foreground -k 5 "$timeout" "$QEMU" "${QEMU_MACHINE[@]}" -smp "${IPI_FP_ROOTFS_CPUS:-2}" \
	-m "${IPI_FP_ROOTFS_MEM:-3G}" -nographic -no-reboot -kernel "$kernel" -append "$cmdline" \
	-drive "file=$disk,format=raw,if=virtio" "${drives[@]}" </dev/null >"$logf" 2>&1 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "guest did not finish within ${timeout}s and was killed; console in $logf"
	exit 124
fi
exit 0
