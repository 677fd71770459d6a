#!/usr/bin/env bash
# Upstream's own powerpc/math programs keep upstream's verdict only when
# their harness line and exit status agree: success/0 PASS, failure/1
# FAIL, skip/0 SKIP (the programs a submission adds, proposed/..., the
# same under their own names); a program of several tests is FAIL when one
# failed and it exits 1, PASS when the others succeeded or skipped and it
# exits 0; a harness kill line, a disagreement, no outcome line and an
# unfinished program are ERROR, never FAIL.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir

# upstream NAME RC OUTCOME [LINE]: one program's block as guest-run.sh
# prints it (RC "-": no end marker).
upstream() {
	echo "IPI_FP_UPSTREAM_START powerpc/math/$1"
	echo "| test: $1"
	echo "| tags: git_version:6.12.117"
	[ -z "${4:-}" ] || echo "| $4"
	[ "$3" = - ] || echo "| $3: $1"
	[ "$2" = - ] || echo "IPI_FP_UPSTREAM_END powerpc/math/$1 rc=$2"
}
{
	ipi_fp_one_pass ppc64le
	echo "IPI_FP_UPSTREAMS_START 10"
	upstream fpu_syscall 0 success
	upstream fpu_signal 1 failure "Test FAILED on line 80"
	upstream mma 0 skip "[SKIP] Test skipped on line 30"
	upstream vmx_syscall 1 failure "!! child died by signal 11"
	upstream vmx_signal 1 success
	upstream fpu_denormal 124 -
	echo "IPI_FP_UPSTREAM_START proposed/powerpc/math/vsx_syscall"
	echo "| parent: vs32 (v0) 0x0, expected 0x1"
	echo "| failure: vsx_syscall"
	echo "IPI_FP_UPSTREAM_END proposed/powerpc/math/vsx_syscall rc=1"
	echo "IPI_FP_UPSTREAM_START proposed/powerpc/signal/sig_from_task_work"
	echo "| success: sigpipe_from_task_work_sc"
	echo "| SIGSEGV at 0x800000000280f030, CTR 0x800000000280f033, LR 0x3fff87a62444: the signal frame was entered without its registers"
	echo "| failure: sigpipe_from_task_work_scv"
	echo "IPI_FP_UPSTREAM_END proposed/powerpc/signal/sig_from_task_work rc=1"
	echo "IPI_FP_UPSTREAM_START proposed/powerpc/signal/two_pass"
	echo "| success: a"
	echo "| skip: b"
	echo "IPI_FP_UPSTREAM_END proposed/powerpc/signal/two_pass rc=0"
	echo "IPI_FP_UPSTREAM_START proposed/powerpc/signal/two_disagree"
	echo "| success: a"
	echo "| failure: b"
	echo "IPI_FP_UPSTREAM_END proposed/powerpc/signal/two_disagree rc=0"
	upstream vsx_preempt - -
	echo "IPI_FP_GUEST_DONE rc=0"
} >"$TMP/upstream.log"
U=upstream_powerpc_math
expect_verdicts "$TMP/upstream.log" \
	fpu_io_worker.fp_vector_regs_survive_io_worker_creation=PASS \
	"$U.fpu_syscall=PASS" "$U.fpu_signal=FAIL" "$U.mma=SKIP" \
	"$U.vmx_syscall=ERROR@child died by signal 11" \
	"$U.vmx_signal=ERROR@success with exit status 1" \
	"$U.fpu_denormal=ERROR@outcome lines none" \
	"$U.vsx_preempt=ERROR@did not finish" proposed_powerpc_math.vsx_syscall=FAIL \
	proposed_powerpc_signal.sig_from_task_work=FAIL proposed_powerpc_signal.two_pass=PASS \
	"proposed_powerpc_signal.two_disagree=ERROR@success/failure with exit status 0"
echo "success/0 PASS, failure/1 FAIL, skip/0 SKIP, several tests combined; killed, disagreeing, no outcome, unfinished: ERROR"
