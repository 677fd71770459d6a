#!/bin/sh
# /usr/bin/timeout of the test guest. run_kselftest.sh runs each test
# program as "/usr/bin/timeout --foreground N /usr/bin/timeout N PROG ARGS"
# (GNU coreutils), and reports exit 124 as "# TIMEOUT". Busybox's timeout
# takes neither --foreground nor the nesting, exits 143 and kills only the
# program, not the children that keep its output open. This one runs PROG
# in a session (and process group) of its own, kills that process group
# if PROG still runs after N seconds and exits 124 then, PROG's status
# otherwise. (A child that outlives PROG, or leaves its process group, is
# not followed: the guest timeout catches that.) IPI_FP_TEST_TIMEOUT (from the
# kernel command line) lowers N, so that a hung program ends well before
# the host's guest timeout and the programs after it still run.
secs=
while [ $# -gt 0 ]; do
	case "$1" in
	--foreground | /usr/bin/timeout | timeout) shift ;;
	-*)
		echo "timeout: option $1 not supported" >&2
		exit 125
		;;
	'' | *[!0-9]*) break ;;
	*)
		secs=$1
		shift
		;;
	esac
done
[ -n "$secs" ] && [ $# -gt 0 ] || {
	echo "usage: timeout [--foreground] SECONDS PROG [ARGS]" >&2
	exit 125
}
cap=${IPI_FP_TEST_TIMEOUT:-}
case "$cap" in
'' | *[!0-9]* | 0) ;;
*) [ "$secs" = 0 ] || [ "$cap" -lt "$secs" ] && secs=$cap ;;
esac
# 0: no limit, as in GNU's.
[ "$secs" = 0 ] && exec "$@"

setsid "$@" &
pid=$!
marker=/tmp/.timeout.$pid
(
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$i" -ge "$secs" ]; then
			echo "timeout: $* still running after ${secs}s, killed" >/dev/console
			: >"$marker"
			kill -KILL -- "-$pid" 2>/dev/null
			exit 0
		fi
		sleep 1
		i=$((i + 1))
	done
) >/dev/null 2>&1 &
watchdog=$!
wait "$pid"
rc=$?
wait "$watchdog"
if [ -e "$marker" ]; then
	rm -f "$marker"
	exit 124
fi
exit "$rc"
