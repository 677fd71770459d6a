#!/usr/bin/env bash
# run-tests.sh [TEST...]: the project's own tests (ci/tests/*.sh, or the
# ones named). Prints each test's verdict, the output of failed ones, and
# "tests: N passed, N failed".
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	for t in "$TOP"/ci/tests/*.sh; do
		[ "$(basename "$t")" = lib.sh ] || tests+=("$t")
	done
fi
pass=0 fail=0
for t in "${tests[@]}"; do
	start=$SECONDS
	if out=$(bash "$t" 2>&1); then
		echo "ok      $(basename "$t" .sh) ($((SECONDS - start))s): $(tail -n 1 <<<"$out")"
		pass=$((pass + 1))
	else
		echo "FAILED  $(basename "$t" .sh) ($((SECONDS - start))s)"
		sed 's/^/        /' <<<"$out"
		fail=$((fail + 1))
	fi
done
echo "tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
