#!/bin/sh
# /init of the test guest (busybox). Runs the installed kselftests and
# powers the guest off. The host treats a log without IPI_FP_GUEST_DONE as a
# crashed or hung guest. KSELFTEST_*_ARGS on the kernel command line reach
# the tests through init's environment (run_kselftest.sh reads them), and
# so does IPI_FP_ONLY="prog1,prog2" (only those programs run),
# IPI_FP_TEST_TIMEOUT (read by /usr/bin/timeout), IPI_FP_NOISE=1 (noise
# beside the tests), IPI_FP_UPSTREAM=1 (upstream's powerpc/math after
# them) and IPI_FP_SOAK_RUNS=N (the programs N times).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# run_kselftest.sh logs to /dev/stdout; udev is not here to make the links.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# IPI_FP_ONLINE_CPUS=1 (cost/run.sh, x86_64): the kernel booted with
# maxcpus=1, because QEMU 7.2's instruction-count mode hangs the bring-up
# of x86 secondary CPUs at boot; bringing them online now works.
if [ -n "${IPI_FP_ONLINE_CPUS:-}" ]; then
	for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
		echo 1 >"$f" || echo "IPI_FP_HOST_ERROR cannot online ${f%/online}"
	done
fi
echo "IPI_FP_GUEST_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"
# A program IPI_FP_ONLY names that is installed but not in the default
# run (cost: TEST_GEN_PROGS_EXTENDED) joins the list for this run.
only=
for t in $(echo "${IPI_FP_ONLY:-}" | tr , ' '); do
	only="$only -t ipi_fp:$t"
	if ! grep -qx "ipi_fp:$t" /kselftest/kselftest-list.txt && [ -x "/kselftest/ipi_fp/$t" ]; then
		echo "ipi_fp:$t" >>/kselftest/kselftest-list.txt
	fi
done
# IPI_FP_SOAK_RUNS=N (scripts/held-soak/run.sh): the same programs N
# times, each run between markers for held-soak/report.py, then off.
if [ -n "${IPI_FP_SOAK_RUNS:-}" ]; then
	cd /kselftest || exit 1
	i=1
	while [ "$i" -le "$IPI_FP_SOAK_RUNS" ]; do
		echo "IPI_FP_SOAK_RUN_START $i"
		# shellcheck disable=SC2086 # $only is a list of options
		./run_kselftest.sh $only
		echo "IPI_FP_SOAK_RUN_END $i rc=$?"
		i=$((i + 1))
	done
	echo "IPI_FP_GUEST_DONE rc=0"
	reboot -f
fi
# IPI_FP_NOISE=1 (the -noisy cells): third-party work beside the tests
# (scripts/guest/noise.c); a loop that never ran makes the guest an error.
noise=
if [ "${IPI_FP_NOISE:-}" = 1 ]; then
	/kselftest/noise >/tmp/noise.out 2>&1 &
	noise=$!
fi
# (ci/tests/ replace this line to run something else as the tests.)
# shellcheck disable=SC2086 # $only is a list of options
cd /kselftest && ./run_kselftest.sh $only
rc=$?
# IPI_FP_UPSTREAM=1 (run-matrix.sh): upstream's own FP/VMX tests
# (upstream-math/build.sh) and the proposed mm test (upstream-mm/build.sh),
# after the ipi_fp programs and, in the -noisy cells, beside the noise
# too; parse-results.py gives them verdicts of their own.
if [ "${IPI_FP_UPSTREAM:-}" = 1 ] && [ -x /kselftest/upstream/run.sh ]; then
	/kselftest/upstream/run.sh IPI_FP_UPSTREAM
fi
if [ -n "$noise" ]; then
	kill -TERM "$noise"
	wait "$noise"
	cat /tmp/noise.out
	grep -q '^IPI_FP_NOISE reads=[1-9][0-9]* registrations=[1-9][0-9]* probes=[1-9][0-9]*$' /tmp/noise.out ||
		echo "IPI_FP_HOST_ERROR the noise beside the tests did not run: $(tr '\n' ' ' </tmp/noise.out)"
fi
echo "IPI_FP_GUEST_DONE rc=$rc"
# The kernel's own selftests (kernel-suites/build.sh), when the initramfs
# carries them and the kernel command line asks for them
# (IPI_FP_KERNEL_SUITES=1): after the verdicts of ipi_fp, which they do
# not touch; kernel-suites/report.py checks their own end marker.
if [ "${IPI_FP_KERNEL_SUITES:-}" = 1 ] && [ -x /kselftest/kernel-suites/run.sh ]; then
	/kselftest/kernel-suites/run.sh
fi
reboot -f
