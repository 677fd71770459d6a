#!/usr/bin/env bash
# check.sh: what CI runs. Installs the dependencies, then the static checks
# (lint.sh), the mails 'make send-prep' writes, checked as a maintainer
# would (check-submissions.sh), the matrix against ci/expected.tsv
# (run-matrix.sh --check), the cost table (run-cost.sh with its defaults:
# two boots of each 6.1.192 kernel under the instruction-count clock), the
# per-patch builds and the sparse and W=1
# comparison of every submission on both arches (build-gates.sh), the
# cells of ci/lava-matrix.tsv booted by LAVA's dispatcher and checked the
# same way (make lava) and the project's own tests (run-tests.sh). Ends
# with "check: N passed, N failed" over all of them; exits non-zero if
# anything failed.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
"$TOP/scripts/install-deps.sh"
rc=0
lava() {
	IPI_FP_BOOT=lava IPI_FP_MATRIX=$TOP/ci/lava-matrix.tsv \
		IPI_FP_RESULTS=$CACHE/results-lava "$TOP/scripts/run-matrix.sh" --check
}
for step in lint.sh check-submissions.sh "run-matrix.sh --check" run-cost.sh build-gates.sh lava run-tests.sh; do
	echo
	if [ "$step" = lava ]; then
		echo "=== LAVA: ci/lava-matrix.tsv through lava-run ==="
		lava 2>&1 | tee -a "$out" || rc=1
		continue
	fi
	echo "=== scripts/$step ==="
	# shellcheck disable=SC2086 # $step holds a script and its option
	"$TOP"/scripts/$step 2>&1 | tee -a "$out" || rc=1
done
read -r passed failed < <(sed -nE 's/^[a-z]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out" |
	awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
echo
echo "check took $((SECONDS - start))s"
echo "check: $passed passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ]
