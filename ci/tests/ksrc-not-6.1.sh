#!/usr/bin/env bash
# KSRC pointing at a tree of a branch no base has is refused, saying what it
# is; a tree of another base's branch only skips the bases of this one.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TMP/cache

mkdir -p "$TMP/linux-5.15"
printf 'VERSION = 5\nPATCHLEVEL = 15\nSUBLEVEL = 170\n' >"$TMP/linux-5.15/Makefile"
KSRC=$TMP/linux-5.15 expect_fail 'is Linux 5\.15\.170, not 6\.1\.y' \
	"$TOP/scripts/get-base.sh" 6.1.192

mkdir -p "$TMP/linux-6.12"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\n' >"$TMP/linux-6.12/Makefile"
rc=0
out=$(KSRC=$TMP/linux-6.12 "$TOP/scripts/get-base.sh" 6.1.192 2>&1) || rc=$?
[ "$rc" = 3 ] && grep -q 'base 6.1.192 is of the 6.1 branch; KSRC is 6.12.y' <<<"$out" ||
	{ echo "a 6.12 KSRC for base 6.1.192: exit $rc, not 3 with the skip message: $out"; exit 1; }
echo "as expected, exit 3: $out"

mkdir -p "$TMP/not-a-kernel"
KSRC=$TMP/not-a-kernel expect_fail 'no top-level kernel Makefile' \
	"$TOP/scripts/get-base.sh" 6.1.192

KSRC=$TMP/missing expect_fail 'is not a directory' "$TOP/scripts/get-base.sh" 6.1.192
