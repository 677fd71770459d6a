#!/usr/bin/env bash
# real-client/boot-guest.sh ARCH KERNEL ROOTFS LOG REPEAT: one make real-client
# boot. Copies the root file system image ROOTFS to a fresh disk next to
# LOG (every boot starts from the same disk, whatever the last one left),
# writes scripts/real-client/guest-init.sh into it as its init, and boots KERNEL
# on it in QEMU (TCG, virtio-blk root) with IPI_FP_MTR_CPUS vCPUs (default
# 2) and 3 GiB; the guest runs mysql-test-run REPEAT times and powers off.
# The console goes to LOG. Exits 0 when the guest powered off by itself,
# 124 when it was still running after IPI_FP_MTR_BOOT_TIMEOUT seconds
# (default: 300 + 150 per loop) and was killed. The disk is deleted
# afterwards.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: real-client/boot-guest.sh ARCH KERNEL ROOTFS LOG REPEAT"
arch_setup "${1:?$usage}"
kernel=${2:?$usage}
rootfs=${3:?$usage}
logf=${4:?$usage}
repeat=${5:?$usage}
[ "$repeat" -ge 1 ] 2>/dev/null || die "REPEAT must be a positive number, not '$repeat'"
[ -f "$kernel" ] || die "kernel image $kernel not found"
[ -f "$rootfs" ] || die "root file system image $rootfs not found"
need_cmd debugfs e2fsprogs
need_cmd "$QEMU" "$QEMU_PKG"
cpus=${IPI_FP_MTR_CPUS:-2}
timeout=${IPI_FP_MTR_BOOT_TIMEOUT:-$((300 + 150 * repeat))}

disk=$logf.disk
trap 'rm -f "$disk"' EXIT
cp --sparse=always "$rootfs" "$disk"
for req in "write $TOP/scripts/real-client/guest-init.sh ipi-fp-mtr-init" \
	"set_inode_field ipi-fp-mtr-init mode 0100755"; do
	debugfs -w -R "$req" "$disk" >/dev/null 2>&1 ||
		die "cannot write the init into $disk (debugfs -R '$req')"
done

cmdline="console=$CONSOLE root=/dev/vda rw init=/ipi-fp-mtr-init panic=-1 IPI_FP_MTR_REPEAT=$repeat"
rc=0
timeout --foreground -k 5 "$timeout" "$QEMU" "${QEMU_MACHINE[@]}" -smp "$cpus" -m 3G \
	-nographic -no-reboot -kernel "$kernel" -append "$cmdline" \
	-drive "file=$disk,format=raw,if=virtio" </dev/null >"$logf" 2>&1 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "guest did not finish within ${timeout}s and was killed; console in $logf"
	exit 124
fi
exit 0
