#!/usr/bin/env bash
# The counter line decides between PASS, FAIL and ERROR: a FAIL made of
# errors, a verdict without the race window opened in every round, fewer
# rounds than requested, none requested, no counter line, a leak in a
# PASS, a FAIL without bad rounds or leaks, a pinned-page check that did
# not run every round, a known race case calling itself something else,
# or a clean odirect_fork race case whose child did not get copies of the
# read's pages at fork() in every round (system-wide pin counters do not
# count) are ERROR; a leak alone is a FAIL; measurements are MEASURED.
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
1..2
# selftests: ipi_fp: t
# TAP version 13
# 1..15
$(case_line 1 pass ok race 20 20 0 0 20)
$(case_line 2 fail not_ok race 20 20 20 0 20)
$(case_line 3 fail_of_errors not_ok race 20 20 0 3 20)
$(case_line 4 fail_and_errors not_ok race 20 20 17 3 20)
$(case_line 5 pass_no_window ok race 20 20 0 0 0)
$(case_line 6 fail_part_window not_ok race 20 20 5 0 19)
$(case_line 7 pass_short ok race 20 12 0 0 12)
$(case_line 8 no_counts ok)
$(case_line 9 cost ok measure 1 1 0 0 1)
$(case_line 10 nothing_requested ok check 0 0 0 0 0)
# # IPI_FP_COUNTS pass_with_leak kind=check requested=1 rounds=1 bad=0 errors=0 window=1 leaks=1
# ok 11 pass_with_leak
# # IPI_FP_COUNTS fail_by_leak kind=check requested=1 rounds=1 bad=0 errors=0 window=1 leaks=2
# not ok 12 fail_by_leak
# # IPI_FP_COUNTS frames_unchecked kind=check requested=2 rounds=2 bad=0 errors=0 window=2 leaks=0 frame_checks=1
# ok 13 frames_unchecked
$(case_line 14 fail_no_bad not_ok check 2 2 0 0 2)
$(case_line 15 pass_with_bad ok check 2 2 1 0 2)
not ok 1 selftests: ipi_fp: t # exit=1
# selftests: ipi_fp: odirect_fork
# TAP version 13
# 1..3
# # IPI_FP_COUNTS dio_read_survives_fork_unpinned kind=race requested=2 rounds=2 bad=0 errors=0 window=2 leaks=0 pins_acquired=9 pins_released=9 copied_at_fork=1
# ok 1 dio_read_survives_fork_unpinned
# # IPI_FP_COUNTS dio_read_survives_fork_calls_itself_check kind=check requested=2 rounds=2 bad=0 errors=0 window=0 pins_acquired=2 pins_released=2
# ok 2 dio_read_survives_fork_calls_itself_check
# # IPI_FP_COUNTS dio_read_survives_fork_pinned kind=race requested=2 rounds=2 bad=0 errors=0 window=2 leaks=0 pins_acquired=0 pins_released=0 copied_at_fork=2
# ok 3 dio_read_survives_fork_pinned
ok 2 selftests: ipi_fp: odirect_fork
IPI_FP_GUEST_DONE rc=0
LOG
expect_verdicts "$TMP/counts.log" t.pass=PASS t.fail=FAIL t.fail_of_errors=ERROR \
	t.fail_and_errors=ERROR "t.pass_no_window=ERROR@window opened in 0 of 20" \
	t.fail_part_window=ERROR t.pass_short=ERROR t.no_counts=ERROR t.cost=MEASURED \
	"t.nothing_requested=ERROR@0 rounds requested" t.pass_with_leak=ERROR \
	t.fail_by_leak=FAIL "t.frames_unchecked=ERROR@check ran in 1 of 2" \
	t.fail_no_bad=ERROR t.pass_with_bad=ERROR \
	"odirect_fork.dio_read_survives_fork_unpinned=ERROR@copied_at_fork=1 of 2" \
	odirect_fork.dio_read_survives_fork_pinned=PASS \
	"odirect_fork.dio_read_survives_fork_calls_itself_check=ERROR@calls itself kind=check"
