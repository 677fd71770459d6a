#!/usr/bin/env bash
# A program's own result counts: cases printed ok by a program that then
# crashed (exit=139), timed out, exited 1 with no case FAIL, 0 with one,
# or 4 (SKIP) with a case not SKIP, are all ERROR; a guest whose init
# ended with rc!=0 is an error.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir

# prog_log DIRECTIVE KTAP_RESULT: one fpu_io_worker run ending so.
prog_log() {
	cat <<LOG
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3
TAP version 13
1..1
# selftests: ipi_fp: fpu_io_worker
# TAP version 13
# 1..1
$(counts fp_vector_regs_survive_io_worker_creation race 20 20 0 0 20)
# $2 1 fp_vector_regs_survive_io_worker_creation
$1
IPI_FP_GUEST_DONE rc=${3:-0}
LOG
}
C=fpu_io_worker.fp_vector_regs_survive_io_worker_creation
prog_log 'ok 1 selftests: ipi_fp: fpu_io_worker' ok >"$TMP/ok.log"
expect_verdicts "$TMP/ok.log" "$C=PASS"
prog_log 'not ok 1 selftests: ipi_fp: fpu_io_worker # exit=139' ok >"$TMP/crash.log"
expect_verdicts "$TMP/crash.log" "$C=ERROR"
grep -q 'program ended with .*exit=139' "$TMP/cell.json"
prog_log '#
not ok 1 selftests: ipi_fp: fpu_io_worker # TIMEOUT 45 seconds' ok >"$TMP/timeout.log"
expect_verdicts "$TMP/timeout.log" "$C=ERROR"
prog_log 'not ok 1 selftests: ipi_fp: fpu_io_worker # exit=1' ok >"$TMP/exit1.log"
expect_verdicts "$TMP/exit1.log" "$C=ERROR"
prog_log 'ok 1 selftests: ipi_fp: fpu_io_worker' ok 3 >"$TMP/rc.log"
expect_verdicts "$TMP/rc.log" "$C=ERROR" guest=error
grep -q 'rc=3' "$TMP/cell.json"
prog_log 'ok 1 selftests: ipi_fp: fpu_io_worker' 'not ok' >"$TMP/exit0fail.log"
expect_verdicts "$TMP/exit0fail.log" "$C=ERROR@exited 0 with a case FAIL"
prog_log 'ok 1 selftests: ipi_fp: fpu_io_worker # SKIP' ok >"$TMP/skip.log"
expect_verdicts "$TMP/skip.log" "$C=ERROR@exited 4 (SKIP) with a case not SKIP"
echo "crash, timeout, exit 1 without FAIL, exit 0 with FAIL, SKIP with a PASS, guest rc 3: all ERROR"
