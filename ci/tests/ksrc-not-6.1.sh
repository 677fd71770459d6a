#!/usr/bin/env bash
# KSRC pointing at a tree that is not 6.1.y is refused, saying what it is.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TMP/cache

mkdir -p "$TMP/linux-6.12"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\n' >"$TMP/linux-6.12/Makefile"
KSRC=$TMP/linux-6.12 expect_fail 'is Linux 6\.12\.117, not 6\.1\.y' \
	"$TOP/scripts/get-base.sh" 6.1.192

mkdir -p "$TMP/not-a-kernel"
KSRC=$TMP/not-a-kernel expect_fail 'no top-level kernel Makefile' \
	"$TOP/scripts/get-base.sh" 6.1.192

KSRC=$TMP/missing expect_fail 'is not a directory' "$TOP/scripts/get-base.sh" 6.1.192
