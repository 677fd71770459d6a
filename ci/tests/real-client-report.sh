#!/usr/bin/env bash
# real-client/report.py counts a soak the way MAINTAINERS-notes/real-client.md says: loops up to
# and including the first [ fail ] (mtr's extra [ fail ] after "Test suite
# aborted" is not a loop), the corrupted-page line counted, a hung boot
# (no IPI_FP_MTR_DONE), a kernel splat and a killed boot are ERROR with
# their loops left out and exit 1; mtr's own "WARNING:" lines are no
# splat; Fisher's p and the Clopper-Pearson bounds are the textbook
# values.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
r=$TMP/results
mkdir -p "$r"
line() { echo "encryption.innodb_encryption 'undo0'     [ $1 ]   6393"; }
start='IPI_FP_MTR_START kernel=6.1.192 cpus=2 repeat=50'
warn='worker[01] mysql-test-run: WARNING: running this script as _root_ will cause some tests to be skipped'
# unpatched: boot 1 fails at its third loop; boot 2 passes 4.
{
	echo "$start"
	echo "$warn"
	line pass
	line '2 pass'
	line '3 fail'
	echo "2026-11-28 17:27:44 0 [ERROR] InnoDB: Failed to read page 3 from file './ibdata1': Page read from tablespace is corrupted."
	echo 'mysql-test-run: *** ERROR: Test suite aborted'
	line fail
	echo 'IPI_FP_MTR_SERVER_LOG [ERROR] InnoDB: Page read from tablespace is corrupted.'
	echo 'IPI_FP_MTR_DONE rc=1'
} >"$r/unpatched-001.log"
{
	echo "$start"
	for i in 1 2 3 4; do line "$i pass"; done
	echo 'IPI_FP_MTR_DONE rc=0'
} >"$r/unpatched-002.log"
# patched: 6 loops pass.
{
	echo "$start"
	for i in 1 2 3 4 5 6; do line "$i pass"; done
	echo 'IPI_FP_MTR_DONE rc=0'
} >"$r/patched-001.log"
{
	echo '# a test soak'
	printf '# kernel\tboot\trc\tseconds\tloops asked\n'
	printf 'unpatched\t1\t0\t100\t50\nunpatched\t2\t0\t80\t4\npatched\t1\t0\t90\t50\n'
} >"$r/boots.tsv"

[ "$(python3 "$TOP/scripts/real-client/report.py" --loops "$r/unpatched-001.log")" = "3 1" ] ||
	{ echo "--loops of the failing boot: not '3 1'"; exit 1; }
out=$(python3 "$TOP/scripts/real-client/report.py" "$r") ||
	{ echo "a clean soak exited non-zero: $out"; exit 1; }
# 1 of 7 vs 0 of 6: p = 7/13 by hand (the one failure among 13 loops falls
# among the 7 unpatched ones); Clopper-Pearson 0/6 upper = 1 - 0.025^(1/6).
grep -Eq '^unpatched +2 +0 +7 +1 +1 ' <<<"$out" || { echo "unpatched row wrong: $out"; exit 1; }
grep -Eq '^patched +1 +0 +6 +0 +0 .*\(0\.00-45\.93%\)' <<<"$out" || { echo "patched row wrong: $out"; exit 1; }
grep -q 'p = 0.5385 (1/7 vs 0/6 loops)' <<<"$out" || { echo "Fisher p wrong: $out"; exit 1; }
grep -q 'first failure, unpatched: unpatched-001.log: .*corrupted' <<<"$out" ||
	{ echo "first failure text missing: $out"; exit 1; }

# A hung boot, a splat and a killed boot: ERROR, loops not counted, exit 1.
{
	echo "$start"
	line pass
} >"$r/patched-002.log"
{
	echo "$start"
	line pass
	echo '[   61.1] BUG: Unable to handle kernel data access'
	echo 'IPI_FP_MTR_DONE rc=0'
} >"$r/patched-003.log"
{
	echo "$start"
	line pass
	echo 'IPI_FP_MTR_DONE rc=0'
} >"$r/patched-004.log"
printf 'patched\t2\t0\t10\t50\npatched\t3\t0\t10\t50\npatched\t4\t124\t10\t50\n' >>"$r/boots.tsv"
rc=0
out=$(python3 "$TOP/scripts/real-client/report.py" "$r") || rc=$?
[ "$rc" = 1 ] || { echo "ERROR boots: exit $rc, not 1: $out"; exit 1; }
grep -Eq '^patched +4 +3 +6 +0 ' <<<"$out" || { echo "ERROR boots counted: $out"; exit 1; }
grep -q '3 boot(s) ERROR' <<<"$out" || { echo "no ERROR line: $out"; exit 1; }
echo "loops to the first failure, aborted suite's extra fail ignored, hung/splat/killed boots ERROR"
