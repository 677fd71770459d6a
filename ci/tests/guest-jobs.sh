#!/usr/bin/env bash
# The guest pool (lib.sh: guest_jobs, pool_wait) never runs more guests
# at once than it was given, waits for all of them at the end, takes
# IPI_FP_JOBS over nproc and refuses a bad one; the phase table shows a
# phase's wall time beside the sum of its steps and leaves it out of the
# total.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"

[ "$(IPI_FP_JOBS=3 guest_jobs 2)" = 3 ] || { echo "IPI_FP_JOBS=3 not taken"; exit 1; }
[ "$(IPI_FP_JOBS=0 guest_jobs 2)" = 1 ] || { echo "IPI_FP_JOBS=0 is not 1"; exit 1; }
[ "$(guest_jobs 10000)" = 1 ] || { echo "a guest larger than the host is not 1 at a time"; exit 1; }
[ "$(guest_jobs 1)" = "$(nproc)" ] || { echo "guest_jobs 1 is not nproc"; exit 1; }
expect_fail 'IPI_FP_JOBS=two' env IPI_FP_JOBS=two bash -c ". '$TOP/scripts/lib.sh'; guest_jobs 1"

# Six jobs, two at a time: each records how many were running when it
# started (a file per running job), so the largest count must be 2.
mkdir "$TMP/running"
job() {
	touch "$TMP/running/$1"
	ls "$TMP/running" | wc -l >"$TMP/seen.$1"
	sleep 0.3
	rm "$TMP/running/$1"
}
for i in 1 2 3 4 5 6; do
	pool_wait 2
	job "$i" &
done
pool_wait 1
[ -z "$(jobs -rp)" ] || { echo "pool_wait 1 returned with jobs running"; exit 1; }
max=$(cat "$TMP"/seen.* | sort -n | tail -n 1)
[ "$(ls "$TMP"/seen.* | wc -l)" = 6 ] || { echo "not every job ran"; exit 1; }
[ "$max" -le 2 ] || { echo "$max jobs ran at once with a pool of 2"; exit 1; }
[ "$max" = 2 ] || { echo "the pool of 2 never ran two at once"; exit 1; }

printf 'boot a 10\nboot b 12\nkernel a 5\nwall boot 13 jobs=2\n' >"$TMP/timings.txt"
out=$(python3 -c "
import sys; sys.path.insert(0, '$TOP/scripts')
from console import load_script
print(load_script('report.py').phase_table('$TMP/timings.txt'))")
grep -Eq '^boot +22 +2 +13 \(jobs=2\)$' <<<"$out" || { echo "no wall column for boot:"; echo "$out"; exit 1; }
grep -Eq '^total +27 +3' <<<"$out" || { echo "the wall line entered the total:"; echo "$out"; exit 1; }
echo "pool of 2 ran at most 2 at once and waited for all; IPI_FP_JOBS taken and checked; wall column shown, not totalled"
