#!/bin/sh
# run.sh [MARKER] of the kernel's own selftests in the test guest
# (installed by kernel-suites/build.sh, upstream-math/build.sh and
# upstream-mm/build.sh; guest/init.sh runs it after the ipi_fp tests).
# Runs each program of ./list ("NAME SECONDS PROGRAM ARGS") under
# /usr/bin/timeout, and prints its output, each line prefixed with "| ",
# between "MARKER_START NAME" and "MARKER_END NAME rc=N"; the whole run
# between "MARKERS_START N" (N programs) and "MARKERS_DONE". MARKER
# defaults to IPI_FP_SUITE, which scripts/kernel-suites/report.py reads;
# parse-results.py reads IPI_FP_UPSTREAM.
marker=${1:-IPI_FP_SUITE}
cd "$(dirname "$0")" || exit 1
# The hugetlb cases want free huge pages (cow, map_hugetlb).
echo 16 >/proc/sys/vm/nr_hugepages
echo "${marker}S_START $(grep -c . list)"
while read -r name secs prog args; do
	echo "${marker}_START $name"
	# shellcheck disable=SC2086 # $args is a list of arguments
	timeout "$secs" "./$prog" $args </dev/null >/tmp/suite.out 2>&1
	rc=$?
	sed 's/^/| /' /tmp/suite.out
	echo "${marker}_END $name rc=$rc"
done <list
echo "${marker}S_DONE"
