#!/usr/bin/env bash
# The proposed mm test (patches/selftests-mm-dio-fork), built as the
# matrix builds it (scripts/upstream-mm/build.sh, x86_64), on a machine
# where it cannot run: without a usable NBD device it skips the whole
# run with the reason (plan 1..0, exit 4, KSFT_SKIP), and so it does as a
# user that is not root, before touching any device.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TOP/.cache

"$TOP/scripts/upstream-mm/build.sh" x86_64 "$TMP/up" >/dev/null
prog=$TMP/up/proposed/mm/dio_fork
# expect_skip WHY CMD...: CMD runs the test; it must skip with WHY.
expect_skip() {
	local why=$1 rc=0 out
	shift
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 4 ] || { echo "exit $rc, expected 4 (KSFT_SKIP)"; exit 1; }
	grep -q "^1\.\.0 # SKIP $why" <<<"$out" || { echo "no '1..0 # SKIP $why'"; exit 1; }
}
if [ -e /dev/nbd0 ]; then
	echo "this host has /dev/nbd0: the no-device case is left to the guests"
else
	expect_skip "no free /dev/nbd0-15" "$prog"
fi
chmod -R a+rX "$TMP"
expect_skip "needs root" setpriv --reuid=nobody --regid=nogroup --clear-groups "$prog"
echo "no NBD device: 1..0 # SKIP with the reason, exit 4; not root: the same, before any device"
