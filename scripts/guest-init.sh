#!/bin/sh
# /init of the test guest (busybox). Runs the installed kselftests and
# powers the guest off. The host treats a log without IPI_FP_GUEST_DONE as a
# crashed or hung guest. KSELFTEST_*_ARGS on the kernel command line reach
# the tests through init's environment (run_kselftest.sh reads them), and
# so does IPI_FP_ONLY="prog1,prog2" (only those programs run) and
# IPI_FP_TEST_TIMEOUT (read by /usr/bin/timeout).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
# run_kselftest.sh logs to /dev/stdout; udev is not here to make the links.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
echo "IPI_FP_GUEST_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"
only=
for t in $(echo "${IPI_FP_ONLY:-}" | tr , ' '); do
	only="$only -t ipi_fp:$t"
done
# shellcheck disable=SC2086 # $only is a list of options
cd /kselftest && ./run_kselftest.sh $only
echo "IPI_FP_GUEST_DONE rc=$?"
reboot -f
