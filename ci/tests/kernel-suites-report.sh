#!/usr/bin/env bash
# kernel-suites/report.py compares a pair the way MAINTAINERS-notes/kernel-suites.md says: a
# program or KTAP case that passes without the series and not with it is
# a regression (exit 1 with --check), a case failing on both is listed as
# the base's own failure and is no regression, cow's repeated case
# descriptions stay apart (numbered, with their [RUN] line), and a suite
# run that did not finish or printed a kernel splat is an ERROR; the
# ipi_fp verdicts ignore a splat printed after IPI_FP_GUEST_DONE.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/kernel-suites/report.py
# suites GUP_RC COW2 [TAIL]: a console whose suites ran two programs.
suites() {
	echo 'IPI_FP_GUEST_DONE rc=0'
	echo 'IPI_FP_SUITES_START 2'
	echo 'IPI_FP_SUITE_START vm/gup_test_-a'
	echo "IPI_FP_SUITE_END vm/gup_test_-a rc=$1"
	echo 'IPI_FP_SUITE_START mm/cow'
	echo '| # [RUN] Basic COW after fork() ... with base page'
	echo '| ok 1 No leak from parent into child'
	echo '| # [RUN] Basic COW after fork() ... with THP'
	echo "| $2 2 No leak from parent into child"
	echo '| ok 3 # SKIP MADV_PAGEOUT did not work, is swap enabled?'
	echo 'IPI_FP_SUITE_END mm/cow rc=0'
	echo "${3-IPI_FP_SUITES_DONE}"
}
suites 0 ok >"$TMP/a.log"
suites 1 ok >"$TMP/both.log"
suites 0 'not ok' >"$TMP/regressed.log"
out=$(python3 "$R" --check pair "$TMP/a.log" "$TMP/a.log")
grep -q 'kernel suites: 1 pair(s), no regression' <<<"$out" && grep -qx 'suites: 1 passed, 0 failed' <<<"$out" || { echo "$out"; exit 1; }
out=$(python3 "$R" --check pair "$TMP/both.log" "$TMP/both.log")
grep -q 'failing in both.*: 1' <<<"$out" && grep -q 'vm/gup_test_-a: A FAIL (exit 1), B FAIL (exit 1)' <<<"$out" ||
	{ echo "$out"; exit 1; }
expect_fail 'mm/cow 2: Basic COW after fork\(\) ... with THP: No leak from parent into child: FAIL' \
	python3 "$R" --check pair "$TMP/a.log" "$TMP/regressed.log"
expect_fail 'vm/gup_test_-a: FAIL \(exit 1\)' python3 "$R" --check pair "$TMP/a.log" "$TMP/both.log"
expect_fail '^suites: 0 passed, 1 failed$' python3 "$R" --check pair "$TMP/a.log" "$TMP/both.log"
suites 0 ok '' >"$TMP/cut.log"
expect_fail 'ERROR: the suites did not finish' python3 "$R" --check pair "$TMP/a.log" "$TMP/cut.log"
suites 0 ok $'[   9.1] WARNING: CPU: 1 PID: 80 at mm/gup.c:123\nIPI_FP_SUITES_DONE' >"$TMP/splat.log"
expect_fail 'ERROR: kernel splat: \[   9.1\] WARNING' python3 "$R" --check pair "$TMP/a.log" "$TMP/splat.log"
expect_fail 'ERROR: the suites never started' python3 "$R" --check pair "$TMP/a.log" /dev/null
# Without --check the comparison is printed and the exit status is 0.
python3 "$R" pair "$TMP/a.log" "$TMP/regressed.log" >/dev/null
# parse-results.py stops at IPI_FP_GUEST_DONE: a splat after it is the
# suites' (the same line before it is the guest's).
tree=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched 2>/dev/null)
guest_reason() {
	python3 "$TOP/scripts/parse-results.py" "$tree/tools/testing/kunit" "$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["reason"])'
}
{
	echo 'IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3'
	cat "$TMP/splat.log"
} >"$TMP/guest.log"
reason=$(guest_reason "$TMP/guest.log")
! grep -q 'kernel splat' <<<"$reason" || { echo "splat after GUEST_DONE counted: $reason"; exit 1; }
sed -n '/WARNING/p' "$TMP/splat.log" | cat - "$TMP/guest.log" >"$TMP/guest2.log"
grep -q 'kernel splat' <<<"$(guest_reason "$TMP/guest2.log")" ||
	{ echo "splat before GUEST_DONE not counted"; exit 1; }
echo "regression, failing-in-both, unfinished, splat and missing suites told apart"
