#!/bin/sh
# kill-check.sh: run inside a guest (ci/tests/kill-cleanup.sh), in place of
# run_kselftest.sh. Starts each ipi_fp program, kills it with SIGTERM (what
# the kselftest timeout sends) at several points of its run, and checks
# that it died of the signal and left nothing behind: no mount under /tmp,
# no temporary directory, no connected nbd device, no loaded ipi_fp_icr,
# vm.nr_hugepages and THP as before. Prints KTAP: one case per kill, named
# kill_PROG_after_Ds, with the last line the program printed before it.

# leftovers: what a killed program may leave, one line each.
leftovers() {
	grep -E ' /tmp/(odirect_fork|fpu_io_worker)' /proc/mounts
	ls -d /tmp/odirect_fork.* /tmp/fpu_io_worker.* 2>/dev/null
	for f in /sys/block/nbd*/pid; do
		[ -e "$f" ] && echo "connected: $f"
	done
	grep '^ipi_fp_icr ' /proc/modules
	echo "vm.nr_hugepages $(cat /proc/sys/vm/nr_hugepages)"
	echo "THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
}

# PROGRAM ARGS | DELAY (seconds): the kills.
# (rounds so that each run outlasts its kills: odirect_fork in its
# raw-device cases, then in its msdos and ext4 file cases (the console
# names the last case finished); icr_nested_ipi in its module
# rounds, where the signal waits for finit_module() to return).
kills='odirect_fork -r 5|1
odirect_fork -r 5|3
odirect_fork -r 5|4
odirect_fork -r 5|5
fpu_io_worker -r 1000|0.5
fpu_io_worker -r 1000|2
icr_nested_ipi -r 3000|1
icr_nested_ipi -r 3000|6'

before=$(leftovers)
echo "# before: $(echo "$before" | tr '\n' ';')"
echo "TAP version 13"
echo "1..$(echo "$kills" | wc -l)"
n=0
cd /kselftest/ipi_fp || exit 1
echo "$kills" | while IFS='|' read -r cmd delay; do
	n=$((n + 1))
	prog=${cmd%% *}
	name="kill_${prog}_after_${delay}s"
	# shellcheck disable=SC2086 # $cmd is the program and its options
	./$cmd >/tmp/kill.out 2>&1 &
	pid=$!
	sleep "$delay"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	# Process exit releases the nbd device and the detached mount; give
	# the kernel a bounded while (10 s) to finish, polling.
	waited=0
	while [ "$(leftovers)" != "$before" ] && [ "$waited" -lt 50 ]; do
		sleep 0.2
		waited=$((waited + 1))
	done
	done_case=$(grep -E '^(not )?ok [0-9]+ ' /tmp/kill.out | tail -n 1)
	last=$(grep -v '^$' /tmp/kill.out | tail -n 1)
	echo "# $name: exit $rc, after: ${done_case:-no case finished}; last line: $last"
	if [ "$rc" != 143 ]; then
		echo "not ok $n $name # ended with $rc, not killed by SIGTERM (143)"
	elif [ "$(leftovers)" != "$before" ]; then
		leftovers | sed 's/^/# after: /'
		echo "not ok $n $name # left something behind"
	else
		echo "ok $n $name"
	fi
	rm -f /tmp/kill.out
done
echo "IPI_FP_KILL_CHECK_DONE"
