#!/usr/bin/env bash
# A case name printed twice is ERROR, whatever the last line says ("not ok
# 1 a" then "ok 2 a" used to give PASS).
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir
# One valid counter line, two clean result lines of the same name, a
# clean exit: only the duplicate-name rule can make it ERROR.
cat >"$TMP/dup.log" <<LOG
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3
TAP version 13
1..1
# selftests: ipi_fp: t
# TAP version 13
# 1..2
$(counts a check 2 2 0 0 2)
# ok 1 a
# ok 2 a
ok 1 selftests: ipi_fp: t
IPI_FP_GUEST_DONE rc=0
LOG
expect_verdicts "$TMP/dup.log" "t.a=ERROR@printed more than once"
