#!/usr/bin/env bash
# held-soak/run.sh: odirect_fork again and again on a loaded host (make
# held-soak): the x86_64 6.1.192 unpatched and patched kernels each boot
# one guest, side by side (two 3-vCPU guests on the host's cores: each
# loads the host for the other), that runs the whole program
# IPI_FP_SOAK_RUNS times (default 50) with IPI_FP_SOAK_ROUNDS rounds per
# race case (default 2). Every case of every run must give its cell's
# verdict of ci/expected.tsv under the verdict rules (scripts/
# parse-results.py on each run's part of the console), and every run must
# end: a held read that is never released hangs the program, which
# run_kselftest.sh's timeout (IPI_FP_TEST_TIMEOUT, default 150 s) turns
# into an ERROR, and a guest past its own timeout is an ERROR for every
# run it did not finish. Prints held-soak/report.py's table; keeps the
# logs in IPI_FP_RESULTS (default $CACHE/results-held-soak).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

runs=${IPI_FP_SOAK_RUNS:-50}
rounds=${IPI_FP_SOAK_ROUNDS:-2}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "IPI_FP_SOAK_RUNS=$runs: a number of runs"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "IPI_FP_SOAK_ROUNDS=$rounds: a number of rounds"
arch=x86_64 base=6.1.192
results=${IPI_FP_RESULTS:-$CACHE/results-held-soak}
rm -rf "$results"
mkdir -p "$results/logs"
"$TOP/scripts/install-deps.sh"
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" ""
declare -A kernel=() initrd=()
kunit=
for v in unpatched patched; do
	read -r "kernel[$v]" "initrd[$v]" kunit < <("$TOP/scripts/prepare-cell.sh" "$arch" "$base" "$v" "$results/timings.txt")
	[ -n "${kernel[$v]}" ] || die "preparing $arch $base $v failed"
done
test_timeout=${IPI_FP_TEST_TIMEOUT:-150}
pids=()
for v in unpatched patched; do
	log "booting $arch-$base-$v: $runs runs of odirect_fork, $rounds rounds per race case"
	IPI_FP_BOOT_TIMEOUT=$((runs * test_timeout / 4 + 300)) IPI_FP_TEST_TIMEOUT=$test_timeout \
		"$TOP/scripts/boot-guest.sh" "$arch" "${kernel[$v]}" "${initrd[$v]}" "$results/logs/$v.log" \
		"IPI_FP_ONLY=odirect_fork KSELFTEST_ODIRECT_FORK_ARGS=-r$rounds IPI_FP_SOAK_RUNS=$runs" &
	pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
python3 "$TOP/scripts/held-soak/report.py" "$kunit" "$TOP/ci/expected.tsv" "$arch" "$base" "$runs" \
	unpatched "$results/logs/unpatched.log" patched "$results/logs/patched.log" |
	tee "$results/report.txt"
