#!/bin/sh
# run.sh of the kernel's own selftests in the test guest (installed by
# kernel-suites/build.sh; guest/init.sh runs it after the ipi_fp tests).
# Runs each program of ./list ("NAME SECONDS PROGRAM ARGS") under
# /usr/bin/timeout, and prints its output, each line prefixed with "| ",
# between "IPI_FP_SUITE_START NAME" and "IPI_FP_SUITE_END NAME rc=N";
# the whole run between "IPI_FP_SUITES_START N" (N programs) and
# "IPI_FP_SUITES_DONE". scripts/kernel-suites/report.py reads it.
cd "$(dirname "$0")" || exit 1
# The hugetlb cases want free huge pages (cow, map_hugetlb).
echo 16 >/proc/sys/vm/nr_hugepages
echo "IPI_FP_SUITES_START $(grep -c . list)"
while read -r name secs prog args; do
	echo "IPI_FP_SUITE_START $name"
	# shellcheck disable=SC2086 # $args is a list of arguments
	timeout "$secs" "./$prog" $args </dev/null >/tmp/suite.out 2>&1
	rc=$?
	sed 's/^/| /' /tmp/suite.out
	echo "IPI_FP_SUITE_END $name rc=$rc"
done <list
echo "IPI_FP_SUITES_DONE"
