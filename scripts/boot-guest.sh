#!/usr/bin/env bash
# boot-guest.sh ARCH KERNEL INITRD LOG [EXTRA_CMDLINE]: boot the kernel in
# QEMU (TCG) and write the console to LOG. Exits 0 when the guest powered
# off by itself, 124 when it hit the timeout (IPI_FP_BOOT_TIMEOUT seconds,
# default 300) and was killed. The log is kept either way. Each test
# program in the guest gets at most IPI_FP_TEST_TIMEOUT seconds (default:
# half the guest's), so that a hung one is reported as a TIMEOUT and the
# others still run.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: boot-guest.sh ARCH KERNEL INITRD LOG [EXTRA_CMDLINE]"
arch_setup "${1:?$usage}"
kernel=${2:?$usage}
initrd=${3:?$usage}
logf=${4:?$usage}
extra=${5:-}
timeout_s=${IPI_FP_BOOT_TIMEOUT:-300}
test_timeout_s=${IPI_FP_TEST_TIMEOUT:-$((timeout_s / 2))}
# ppc64le: 2 vCPUs (the FP test needs two); x86_64: 3 (the ICR test needs
# a sender, a target and a third CPU); IPI_FP_CPUS overrides, and
# IPI_FP_MAXCPUS=N adds hotplug slots up to N possible CPUs.
cpus=${IPI_FP_CPUS:-}
maxcpus=${IPI_FP_MAXCPUS:-}
need_cmd "$QEMU" "qemu-system-$( [ "$KARCH" = powerpc ] && echo ppc || echo x86)"
[ -f "$kernel" ] || die "kernel image $kernel not found"
[ -f "$initrd" ] || die "initramfs $initrd not found"

# panic=-1: a panicking guest reboots at once, and -no-reboot makes QEMU exit.
cmdline="rdinit=/init panic=-1 oops=panic IPI_FP_TEST_TIMEOUT=$test_timeout_s $extra"
case "$ARCH_NAME" in
ppc64le)
	# shellcheck disable=SC2054 # the commas belong to the -M value
	args=(-M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
		-cpu power9 -append "console=hvc0 $cmdline")
	cpus=${cpus:-2}
	;;
x86_64)
	args=(-M q35 -append "console=ttyS0 $cmdline")
	cpus=${cpus:-3}
	;;
esac
rc=0
timeout --foreground -k 5 "$timeout_s" "$QEMU" "${args[@]}" -smp "$cpus${maxcpus:+,maxcpus=$maxcpus}" -m 2G \
	-nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
	</dev/null >"$logf" 2>&1 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "guest did not finish within ${timeout_s}s and was killed; console in $logf"
	exit 124
fi
exit 0
