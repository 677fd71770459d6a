#!/usr/bin/env bash
# check.sh: what CI runs. Installs the dependencies, then the static checks
# (lint.sh), the matrix against ci/expected.tsv (run-matrix.sh --check) and
# the project's own tests (run-tests.sh). Ends with "check: N passed,
# N failed" over all three; exits non-zero if anything failed.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
"$TOP/scripts/install-deps.sh"
rc=0
for step in lint.sh "run-matrix.sh --check" run-tests.sh; do
	echo
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
