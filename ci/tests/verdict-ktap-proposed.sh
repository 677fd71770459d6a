#!/usr/bin/env bash
# The proposed mm test (proposed/mm/dio_fork) prints KTAP through the
# kselftest API: its verdict comes from its result lines and exit status
# together. Every test passed or skipped and 0: PASS; an XFAIL (the
# corruption on a kernel before v6.5) and no failure, 0: XFAIL; a
# "not ok" and 1: FAIL; plan 1..0 and 4: SKIP. Fewer results than the
# plan, a test's "# error" (a round that could not run, or a read not
# held across fork()), an XPASS, a disagreeing exit status and an
# unfinished program are ERROR, never FAIL or XFAIL.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir

# mm NAME RC LINE...: one program's block as guest-run.sh prints it
# (RC "-": no end marker).
mm() {
	local name=$1 rc=$2
	shift 2
	echo "IPI_FP_UPSTREAM_START proposed/mm/$name"
	echo "| TAP version 13"
	printf '| %s\n' "$@"
	[ "$rc" = - ] || echo "IPI_FP_UPSTREAM_END proposed/mm/$name rc=$rc"
}
{
	ipi_fp_one_pass x86_64
	echo "IPI_FP_UPSTREAMS_START 9"
	mm pass 0 "1..3" "ok 1 read with base page" "ok 2 read with PMD-sized THP" \
		"ok 3 # SKIP read with hugetlb page: needs 3 free huge pages"
	mm xfail 0 "1..2" "# 5 rounds: 5 corrupted, 0 pins left, 0 errors, 0 not held" \
		"ok 1 # XFAIL read with base page: direct I/O takes no pins before v6.5" \
		"ok 2 read into a fixed buffer with base page"
	mm fail 1 "1..2" "ok 1 # XFAIL read with base page: direct I/O takes no pins before v6.5" \
		"not ok 2 read into a fixed buffer with base page"
	mm skip 4 "1..0 # SKIP needs root (it serves an NBD device)"
	mm short 0 "1..3" "ok 1 read with base page"
	mm xpass 0 "1..1" "ok 1 # XPASS read with base page"
	mm disagree 0 "1..1" "not ok 1 read with base page"
	mm unheld 1 "1..2" "ok 1 # XFAIL read with base page: direct I/O takes no pins before v6.5" \
		"not ok 2 # error read with THP: the read was not held across fork()"
	mm unfinished - "1..1"
	echo "IPI_FP_GUEST_DONE rc=0"
} >"$TMP/mm.log"
P=proposed_mm
expect_verdicts "$TMP/mm.log" fpu_io_worker.fp_vector_regs_survive_io_worker_creation=PASS \
	"$P.pass=PASS" "$P.xfail=XFAIL" "$P.fail=FAIL" "$P.skip=SKIP" \
	"$P.short=ERROR@1 results for a plan of 3" "$P.xpass=ERROR@an XPASS" \
	"$P.disagree=ERROR@fail with exit status 0" "$P.unheld=ERROR@reported an error" "$P.unfinished=ERROR@did not finish"
echo "KTAP of the proposed mm test: pass/0 PASS, XFAIL/0 XFAIL, not ok/1 FAIL, 1..0/4 SKIP; error, short, XPASS, disagreeing, unfinished: ERROR"
