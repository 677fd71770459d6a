#!/usr/bin/env bash
# A case name printed twice is ERROR, whatever the last line says ("not ok
# 1 a" then "ok 2 a" used to give PASS).
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir
cat >"$TMP/dup.log" <<LOG
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3
TAP version 13
1..1
# selftests: ipi_fp: odirect_fork
# TAP version 13
# 1..2
$(counts a race 2 2 2 0 2)
# not ok 1 a
$(counts a race 2 2 0 0 2)
# ok 2 a
not ok 1 selftests: ipi_fp: odirect_fork # exit=1
IPI_FP_GUEST_DONE rc=0
LOG
expect_verdicts "$TMP/dup.log" odirect_fork.a=ERROR
