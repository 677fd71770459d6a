#!/usr/bin/env bash
# cost/run.sh: the cost mode. For each architecture of IPI_FP_COST_ARCHS
# (default "x86_64 ppc64le") and each base of IPI_FP_COST_BASES (default
# 6.1.192; 6.12.117 shows what upstream's own pinning costs), the
# unpatched and the patched kernel, prepared as the matrix's cells are
# (prepare-cell.sh: nothing is built twice), are booted IPI_FP_COST_BOOTS
# times each (default 2), alternating unpatched and patched, with QEMU's
# instruction-count clock (boot-guest.sh with IPI_FP_ICOUNT=1) and two
# vCPUs. Each guest runs the cost program, with IPI_FP_COST_REPS
# repetitions of each row (default 5) and fork rows up to
# IPI_FP_COST_MAX_MIB (default 1000: 1, 10, 100 and 1000 MiB), and odirect_fork with as many rounds
# per case, whose fork() with the read held is timed in every round (its
# verdicts are the matrix's business, not this mode's). The consoles are
# parsed with the matrix's verdict rules (a crash, hang, splat or failed
# measurement is an ERROR), then scripts/cost/report.py prints the A/B
# ratios beside the A/A noise, each row's goal, and the phase table.
# Results go to $CACHE/results-cost (or IPI_FP_RESULTS): cost.json,
# report.txt, run.json, timings.txt, one JSON per boot and the console
# logs. Exits non-zero when a guest or a measurement went wrong; a cost
# over its goal is reported, not failed.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

archs=${IPI_FP_COST_ARCHS:-x86_64 ppc64le}
bases=${IPI_FP_COST_BASES:-6.1.192}
boots=${IPI_FP_COST_BOOTS:-2}
reps=${IPI_FP_COST_REPS:-5}
max_mib=${IPI_FP_COST_MAX_MIB:-1000}
results=${IPI_FP_RESULTS:-$CACHE/results-cost}
if ! [[ "$boots" =~ ^[0-9]+$ ]] || [ "$boots" -lt 2 ]; then
	die "IPI_FP_COST_BOOTS=$boots: at least 2 (the A/A across boots needs two)"
fi
if ! [[ "$reps" =~ ^[0-9]+$ ]] || [ "$reps" -lt 3 ] || [ "$reps" -gt 32 ]; then
	die "IPI_FP_COST_REPS=$reps: 3 to 32"
fi
mkdir -p "$results/logs"
timings=$results/timings.txt
rm -f "$results"/*.json "$results"/logs/*.log "$timings" "$results/report.txt"
start=$SECONDS
"$TOP/scripts/install-deps.sh"
echo "deps - $((SECONDS - start))" >"$timings"
# What produced these results, for scripts/evidence/make-evidence.py.
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" yes
"$TOP/scripts/submit/check-selftest-patch.sh"

declare -A kernel=() initrd=() kunit=()
for arch in $archs; do
	for base in $bases; do
		for variant in unpatched patched; do
			id=$arch-$base-$variant
			"$TOP/scripts/prepare-cell.sh" "$arch" "$base" "$variant" "$timings" \
				>"$results/cell.paths" || die "$id: could not prepare the cell"
			read -r "kernel[$id]" "initrd[$id]" "kunit[$id]" <"$results/cell.paths"
		done
	done
done
rm -f "$results/cell.paths"

# Guest seconds are instructions here, not wall time: the limits are wide.
export IPI_FP_ICOUNT=1 IPI_FP_CPUS=2
export IPI_FP_BOOT_TIMEOUT=${IPI_FP_BOOT_TIMEOUT:-1800}
export IPI_FP_TEST_TIMEOUT=${IPI_FP_TEST_TIMEOUT:-1500}
# x86_64 under -icount hangs bringing up the second CPU at boot (QEMU 7.2;
# from a later hotplug it comes up): boot one, online the other in init.
declare -A online=([x86_64]="maxcpus=1 IPI_FP_ONLINE_CPUS=1 ")
# Under the instruction-count clock a guest's vCPUs share one host thread
# and its figures are instructions, so guests boot side by side, nproc at
# a time (guest_jobs 1; IPI_FP_JOBS to choose).
jobs=$(guest_jobs 1)
log "booting $(($(wc -w <<<"$archs") * $(wc -w <<<"$bases") * boots * 2)) guests, $jobs at a time"
# boot_one ARCH ID BOOT: one boot of the cost program, timed and parsed.
boot_one() {
	local arch=$1 id=$2 boot=$3 start=$SECONDS
	local logf=$results/logs/$id.boot$boot.log
	"$TOP/scripts/boot-guest.sh" "$arch" "${kernel[$id]}" "${initrd[$id]}" \
		"$logf" "${online[$arch]:-}IPI_FP_ONLY=cost,odirect_fork KSELFTEST_COST_ARGS=\"-r$reps -m$max_mib\" KSELFTEST_ODIRECT_FORK_ARGS=-r$reps" || true
	echo "boot $id.boot$boot $((SECONDS - start))" >>"$timings"
	python3 "$TOP/scripts/parse-results.py" "${kunit[$id]}" "$logf" \
		>"$results/$id.boot$boot.json"
}
parsed=()
boots_start=$SECONDS
for arch in $archs; do
	for base in $bases; do
		for boot in $(seq 1 "$boots"); do
			for variant in unpatched patched; do
				id=$arch-$base-$variant
				pool_wait "$jobs"
				log "booting $id ($boot of $boots, instruction-count clock)"
				boot_one "$arch" "$id" "$boot" &
				parsed+=("$arch" "$base" "$variant" "$boot" "$results/$id.boot$boot.json")
			done
		done
	done
done
pool_wait 1
echo "wall boot $((SECONDS - boots_start)) jobs=$jobs" >>"$timings"
python3 "$TOP/scripts/cost/report.py" --timings "$timings" \
	--json "$results/cost.json" "${parsed[@]}" | tee "$results/report.txt"
