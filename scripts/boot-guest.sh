#!/usr/bin/env bash
# boot-guest.sh ARCH KERNEL INITRD LOG [EXTRA_CMDLINE]: boot the kernel in
# QEMU (TCG) and write the console to LOG. Exits 0 when the guest powered
# off by itself, 124 when it hit the timeout (IPI_FP_BOOT_TIMEOUT seconds,
# default 300) and was killed. The log is kept either way. Each test
# program in the guest gets at most IPI_FP_TEST_TIMEOUT seconds (default:
# half the guest's), so that a hung one is reported as a TIMEOUT and the
# others still run. IPI_FP_ICOUNT=1 gives the guest QEMU's
# instruction-count clock (-icount shift=0,sleep=off: one nanosecond per
# instruction, the vCPUs in one host thread, idle time skipped), for the
# cost mode (cost/run.sh). IPI_FP_DISKS="IMG..." attaches each raw image,
# read-only, as a virtio-blk disk (vda, vdb, ...; make virtio-rates);
# IPI_FP_DISKS_RW="IMG..." read-write, after them (make ltp-dio).
# IPI_FP_PLUGIN="SO,ARGS" loads a TCG plugin (-plugin; make profile).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: boot-guest.sh ARCH KERNEL INITRD LOG [EXTRA_CMDLINE]"
arch_setup "${1:?$usage}"
kernel=${2:?$usage}
initrd=${3:?$usage}
logf=${4:?$usage}
extra=${5:-}
# vCPUs, timeouts and kernel arguments: guest_setup (lib.sh).
guest_setup "$extra"
need_cmd "$QEMU" "$QEMU_PKG"
[ -f "$kernel" ] || die "kernel image $kernel not found"
[ -f "$initrd" ] || die "initramfs $initrd not found"

# panic=-1: a panicking guest reboots at once, and -no-reboot makes QEMU exit.
args=("${QEMU_MACHINE[@]}")
# shellcheck disable=SC2054 # the comma belongs to the -icount value
[ "${IPI_FP_ICOUNT:-}" = 1 ] && args+=(-icount shift=0,sleep=off)
for disk in ${IPI_FP_DISKS:-}; do
	[ -f "$disk" ] || die "disk image $disk (IPI_FP_DISKS) not found"
	args+=(-drive "file=$disk,format=raw,if=virtio,readonly=on")
done
for disk in ${IPI_FP_DISKS_RW:-}; do
	[ -f "$disk" ] || die "disk image $disk (IPI_FP_DISKS_RW) not found"
	args+=(-drive "file=$disk,format=raw,if=virtio")
done
[ -n "${IPI_FP_PLUGIN:-}" ] && args+=(-plugin "$IPI_FP_PLUGIN")
rc=0
timeout --foreground -k 5 "$BOOT_TIMEOUT" "$QEMU" "${args[@]}" -append "$CMDLINE" -smp "$SMP" -m 2G \
	-nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
	</dev/null >"$logf" 2>&1 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "guest did not finish within ${BOOT_TIMEOUT}s and was killed; console in $logf"
	exit 124
fi
exit 0
