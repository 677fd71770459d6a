#!/usr/bin/env bash
# serial-parallel/run.sh: the proof that booting guests side by side does
# not move an answer. The cells of IPI_FP_MATRIX (default
# ci/demo-matrix.tsv) are run twice, one guest at a time (IPI_FP_JOBS=1)
# and JOBS at a time (default: what guest_jobs gives a guest of one
# thread, at least 2, so that on a 2-core host two guests of 2 and 3 vCPUs
# share the cores), then the cost mode's 6.1.192 run (3 repetitions) the
# same two ways; serial-parallel/compare.py checks that every verdict is the
# same and that every cost row moved by no more than its A/A noise. The
# four results directories are $CACHE/results-{serial,parallel} and
# $CACHE/results-cost-{serial,parallel}; each run prints its phase table
# (wall time beside the sum of the guests' own). Exits non-zero on a
# difference or when a run fails its own checks.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

jobs=${JOBS:-$(guest_jobs 1)}
[ "$jobs" -ge 2 ] || jobs=2
matrix=${IPI_FP_MATRIX:-$TOP/ci/demo-matrix.tsv}
rc=0
for mode in serial parallel; do
	n=1
	[ "$mode" = serial ] || n=$jobs
	log "matrix, $mode: $n guest(s) at a time"
	IPI_FP_JOBS=$n IPI_FP_MATRIX=$matrix IPI_FP_KERNEL_SUITES='' \
		IPI_FP_RESULTS=$CACHE/results-$mode "$TOP/scripts/run-matrix.sh" --check || rc=1
done
"$TOP/scripts/serial-parallel/compare.py" matrix "$CACHE/results-serial" "$CACHE/results-parallel" || rc=1
for mode in serial parallel; do
	n=1
	[ "$mode" = serial ] || n=$jobs
	log "cost, $mode: $n guest(s) at a time"
	IPI_FP_JOBS=$n IPI_FP_COST_REPS=3 IPI_FP_RESULTS=$CACHE/results-cost-$mode \
		"$TOP/scripts/cost/run.sh" || rc=1
done
"$TOP/scripts/serial-parallel/compare.py" cost "$CACHE/results-cost-serial" "$CACHE/results-cost-parallel" || rc=1
exit "$rc"
