#!/usr/bin/env bash
# A kernel message the serial console writes into the middle of a test's
# line ("# ok 2 b_long_na[   81.373208] block nbd0: NBD_DISCONNECT", then
# "me" on the next line; seen in make held-soak) leaves the case whole:
# PASS, not ERROR for a case name that is no case.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir
cat >"$TMP/printk.log" <<LOG
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3
TAP version 13
1..1
# selftests: ipi_fp: t
# TAP version 13
# 1..2
$(counts a check 1 1 0 0 1)
# ok 1 a
# # IPI_FP_COUNTS b_long_na[   81.373208] block nbd0: NBD_DISCONNECT
me kind=check requested=1 rounds=1 bad=0 errors=0 window=1
# ok 2 b_long_na[   81.381212] block nbd0: Disconnected due to user request.
me
ok 1 selftests: ipi_fp: t
IPI_FP_GUEST_DONE rc=0
LOG
expect_verdicts "$TMP/printk.log" t.a=PASS t.b_long_name=PASS
