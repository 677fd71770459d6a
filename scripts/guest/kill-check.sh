#!/bin/sh
# kill-check.sh: run inside a guest (ci/tests/kill-cleanup.sh), in place of
# run_kselftest.sh. Starts each ipi_fp program, kills it with SIGTERM (what
# the kselftest timeout sends) at several points of its run, and checks
# that it died of the signal and left nothing behind: no mount under /tmp,
# no temporary directory, no connected nbd device, no null_blk device of
# its own, no loaded ipi_fp_icr,
# vm.nr_hugepages and THP as before. Prints KTAP: one case per kill, named
# kill_PROG_after_LINE, with the last case the program finished before it.

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
	echo "khugepaged $(cat /sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs 2>/dev/null)"
	grep ' configfs ' /proc/mounts
	ls -d /sys/kernel/config/nullb/ipi_fp_cost_* /sys/kernel/config/nullb/ipi_fp_odirect_* 2>/dev/null
}

# PROGRAM ARGS | WHEN: the kills. WHEN (grep -E) starts a line the program
# prints (its output is polled, 60 s at most): the kill follows that line
# at once, so it lands in the program's next step whatever the host's
# speed; the rounds make every step outlast the poll. odirect_fork is
# killed in its raw-device small-page, THP, msdos file and ext4 file
# cases (after the case before each), fpu_io_worker in its first rounds
# and icr_nested_ipi in its module's rounds (the signal waits for
# finit_module() to return) and in the storm; cost once its null_blk
# devices are made and once it has set THP to always.
kills='odirect_fork -r 20|(not )?ok 1 dio_
odirect_fork -r 20|(not )?ok 5 dio_
odirect_fork -r 20|(not )?ok 11 dio_
odirect_fork -r 20|(not )?ok 15 dio_
fpu_io_worker -r 1000|# SSE
icr_nested_ipi -r 3000|# loading ipi_fp_icr
icr_nested_ipi -r 3000|(not )?ok 2 
cost -r 30 -m 10|# null: null_blk
cost -r 30 -m 10|# IPI_FP_COST fork_1MiB_thp_always'

before=$(leftovers)
echo "# before: $(echo "$before" | tr '\n' ';')"
echo "TAP version 13"
echo "1..$(echo "$kills" | wc -l)"
n=0
cd /kselftest/ipi_fp || exit 1
echo "$kills" | while IFS='|' read -r cmd when; do
	n=$((n + 1))
	prog=${cmd%% *}
	name="kill_${prog}_after_$(echo "$when" | sed 's/(not )?//' | tr -c 'A-Za-z0-9\n' _ | sed 's/_*$//')"
	# shellcheck disable=SC2086 # $cmd is the program and its options
	./$cmd >/tmp/kill.out 2>&1 &
	pid=$!
	polls=0
	while ! grep -qE "^$when" /tmp/kill.out && [ "$polls" -lt 600 ]; do
		sleep 0.1
		polls=$((polls + 1))
	done
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
