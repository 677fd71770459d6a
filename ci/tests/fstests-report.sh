#!/usr/bin/env bash
# fstests/report.py compares each listed test's status per filesystem on
# the two kernels: the same statuses pass; a test that passes unpatched and
# fails patched is a REGRESSION (exit 1), the other way round only listed;
# tests failing on both are listed as 6.1.192's own; a splat is named with
# its test; a guest that did not finish or lost a test's end is an ERROR.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/fstests/report.py
mkdir -p "$TMP/r/logs"
echo '# test settings' >"$TMP/r/settings"
# guest LOG STATUS-OF-091 STATUS-OF-113 [EXTRA]: one guest's console, two
# tests on ext2 and xfs; EXTRA goes inside xfs's generic/113.
guest() {
	local fs
	{
		echo 'FSTESTS_START kernel=6.1.192 arch=x86_64 cpus=2 xfstests=test'
		echo 'FSTESTS_LIST dio-quick generic/091 generic/113'
		for fs in ext2 xfs; do
			echo "FSTESTS_FS_START $fs"
			echo "FSTESTS_CASE_START $fs generic/091"
			echo '| generic/091 12s ...  11s'
			echo "FSTESTS_CASE_END $fs generic/091 $2 11"
			echo "FSTESTS_CASE_START $fs generic/113"
			[ "$fs" = ext2 ] || printf '%s' "${4:-}"
			echo "FSTESTS_CASE_END $fs generic/113 $3 49"
			echo "FSTESTS_FS_END $fs"
		done
		echo 'FSTESTS_DONE'
	} >"$TMP/r/logs/$1.log"
}
guest x86_64-6.1.192-unpatched pass notrun
guest x86_64-6.1.192-patched pass notrun
out=$(python3 "$R" "$TMP/r")
grep -Eq '^ext2 +1/1 +0/0 +1/1 +0/0 +0/0 +0 +1/1 *$' <<<"$out" &&
	grep -q 'no test differs between the kernels' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-patched fail notrun
expect_fail 'xfs   generic/091: pass / fail  REGRESSION' python3 "$R" "$TMP/r"
guest x86_64-6.1.192-unpatched fail notrun
out=$(python3 "$R" "$TMP/r")
grep -q 'failing on both kernels' <<<"$out" && grep -q '  ext2  generic/091: fail' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-patched pass notrun
out=$(python3 "$R" "$TMP/r")
grep -q '  ext2  generic/091: fail / pass$' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-patched fail notrun $'[  99.1] WARNING: CPU: 0 PID: 9 at fs/iomap/direct-io.c:1 x\n'
out=$(python3 "$R" "$TMP/r")
grep -q 'splat: x86_64 patched xfs generic/113: \[  99.1\] WARNING' <<<"$out" || { echo "$out"; exit 1; }
head -n 7 "$TMP/r/logs/x86_64-6.1.192-unpatched.log" >"$TMP/r/logs/x86_64-6.1.192-patched.log"
expect_fail 'ERROR: x86_64 patched: no FSTESTS_DONE \(crashed or hung\) \(last test started: ext2 generic/113\)' \
	python3 "$R" "$TMP/r"
guest x86_64-6.1.192-patched fail notrun
sed -i '/^FSTESTS_CASE_END xfs generic\/113/d' "$TMP/r/logs/x86_64-6.1.192-patched.log"
expect_fail 'ERROR: x86_64 patched: xfs generic/113: no FSTESTS_CASE_END' python3 "$R" "$TMP/r"
# A timeout's last output line without its newline: the end line follows on it.
guest x86_64-6.1.192-patched fail notrun
sed -i 's/^FSTESTS_CASE_END xfs generic\/113 notrun 49$/| generic\/113        FSTESTS_CASE_END xfs generic\/113 timeout 1202/' \
	"$TMP/r/logs/x86_64-6.1.192-patched.log"
out=$(python3 "$R" "$TMP/r") || true
grep -q '  xfs   generic/113: notrun / timeout$' <<<"$out" && ! grep -q 'no FSTESTS_CASE_END' <<<"$out" || { echo "$out"; exit 1; }
echo "statuses per kernel, regressions, failures of both, splats, unfinished guests and lost tests as expected"
