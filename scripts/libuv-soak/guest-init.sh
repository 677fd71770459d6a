#!/bin/sh
# /init of a libuv-soak guest (busybox): libuv's own test
# signal_multiple_loops (the test of libuv issue 4283's SIGSEGV), run
# after run as the user nobody (libuv's runner refuses root), until
# IPI_FP_SOAK_SECONDS (kernel command line) of guest uptime have passed
# or IPI_FP_SOAK_RUNS runs were made (0: no limit). Each run's output goes
# to the console between "LIBUV_RUN_START N" and "LIBUV_RUN_END N rc=RC",
# each line prefixed with "| "; the kernel's own lines (the "segfault"
# line of a crashed run) land between them too. libuv-soak/report.py
# reads it; a log without LIBUV_SOAK_DONE is a crashed or hung guest.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /etc
echo 'root:x:0:0::/:/bin/sh' >/etc/passwd
echo 'nobody:x:65534:65534::/tmp:/bin/sh' >>/etc/passwd
echo 'root:x:0:' >/etc/group
echo 'nogroup:x:65534:' >>/etc/group
echo "LIBUV_SOAK_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo) libuv=$(cat /kselftest/version)"
now() { cut -d. -f1 /proc/uptime; }
end=$(($(now) + ${IPI_FP_SOAK_SECONDS:-600}))
max=${IPI_FP_SOAK_RUNS:-0}
i=0
while [ "$(now)" -lt "$end" ] && { [ "$max" = 0 ] || [ "$i" -lt "$max" ]; }; do
	i=$((i + 1))
	echo "LIBUV_RUN_START $i"
	# TCG is slow: libuv's own per-test timeout, ten times longer.
	su -s /bin/sh nobody -c \
		"cd /kselftest && UV_TEST_TIMEOUT_MULTIPLIER=10 ./uv_run_tests_a signal_multiple_loops" \
		>/tmp/run.out 2>&1
	rc=$?
	sed 's/^/| /' /tmp/run.out
	echo "LIBUV_RUN_END $i rc=$rc"
done
echo "LIBUV_SOAK_DONE runs=$i"
reboot -f
