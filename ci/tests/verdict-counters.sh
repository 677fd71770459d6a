#!/usr/bin/env bash
# The counter line decides between PASS, FAIL and ERROR: a FAIL made of
# errors, a verdict without the race window opened in every round, fewer
# rounds than requested, no counter line, or a clean race case without a
# single pin (pins_acquired=0) are ERROR; measurements are MEASURED.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir
# case_line N NAME OK|NOT_OK COUNTS...: a counter line and a result line.
case_line() {
	local n=$1 name=$2 res=$3
	shift 3
	[ $# -gt 0 ] && counts "$name" "$@"
	if [ "$res" = ok ]; then echo "# ok $n $name"; else echo "# not ok $n $name"; fi
}
cat >"$TMP/counts.log" <<LOG
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3
TAP version 13
1..1
# selftests: ipi_fp: t
# TAP version 13
# 1..10
$(case_line 1 pass ok race 20 20 0 0 20)
$(case_line 2 fail not_ok race 20 20 20 0 20)
$(case_line 3 fail_of_errors not_ok race 20 20 0 3 20)
$(case_line 4 fail_and_errors not_ok race 20 20 17 3 20)
$(case_line 5 pass_no_window ok race 20 20 0 0 0)
$(case_line 6 fail_part_window not_ok race 20 20 5 0 19)
$(case_line 7 pass_short ok race 20 12 0 0 12)
$(case_line 8 no_counts ok)
$(case_line 9 cost ok measure 1 1 0 0 1)
echo "# # IPI_FP_COUNTS unpinned kind=race requested=2 rounds=2 bad=0 errors=0 window=2 leaks=0 pins_acquired=0 pins_released=0"
# ok 10 unpinned
not ok 1 selftests: ipi_fp: t # exit=1
IPI_FP_GUEST_DONE rc=0
LOG
sed -i 's/^echo "\(.*\)"$/\1/' "$TMP/counts.log"
expect_verdicts "$TMP/counts.log" t.pass=PASS t.fail=FAIL t.fail_of_errors=ERROR \
	t.fail_and_errors=ERROR t.pass_no_window=ERROR t.fail_part_window=ERROR \
	t.pass_short=ERROR t.no_counts=ERROR t.cost=MEASURED t.unpinned=ERROR
