#!/usr/bin/env bash
# run-matrix.sh [--check]: the whole A/B pipeline. For every cell of
# ci/matrix.tsv: a work tree with the variant's patches on the base, the
# kernel, the ipi_fp selftests and an initramfs; then every guest is booted
# and its console parsed. Prints the matrix and the time of each phase
# (and of each kernel build, selftest build, initramfs and boot in it),
# and writes $CACHE/results/ (or IPI_FP_RESULTS): matrix.json, one JSON per
# cell, the console logs, timings.txt,
# report.txt (what it printed) and run.json (command, revision, settings),
# from which scripts/evidence/make-evidence.py writes MAINTAINERS-notes/evidence.md.
# With --check, exits non-zero when a cell differs from ci/expected.tsv.
# A matrix file may give each line a stage (a fourth column, as
# ci/demo-matrix.tsv does): stage by stage, the cells are prepared and
# booted and the matrix so far printed, so that a first answer comes
# before every kernel is built.
# IPI_FP_ROUNDS=N runs N rounds of fpu_io_worker, IPI_FP_ICR_ROUNDS=N of
# icr_nested_ipi, IPI_FP_ODIRECT_ROUNDS=N of each odirect_fork case, instead
# of their defaults. IPI_FP_MATRIX=FILE runs the
# cells of FILE instead of ci/matrix.tsv (same format).
# A variant ending in a boot suffix boots the kernel, initramfs and tests
# of the variant without it (nothing is built twice): -physflat in a guest
# with more than eight possible CPUs (-smp 3,maxcpus=9), where x86_64 6.1
# uses the physflat APIC driver instead of flat; -noisy with third-party
# work running beside the tests (IPI_FP_NOISE=1: scripts/guest/noise.c's
# O_DIRECT reads, io_uring buffer registrations and superblock probes of
# every connected NBD device), whose verdicts must not change.
# The pairs of cells of IPI_FP_KERNEL_SUITES (default
# ci/kernel-suites.tsv; empty: none) also run the kernel's own selftests
# (scripts/kernel-suites/build.sh) after ipi_fp, in a guest given
# IPI_FP_KERNEL_SUITES_SECONDS (default 900) more; kernel-suites/report.py
# compares each pair (kernel-suites.txt) and, with --check, fails the run
# on a regression. Not through LAVA: its job ends at IPI_FP_GUEST_DONE.
# IPI_FP_BOOT=lava boots each guest through LAVA's dispatcher
# (scripts/lava/boot.sh: lava-run, the job files kept beside the console
# logs) instead of scripts/boot-guest.sh; the verdicts and the report are
# the same. IPI_FP_BOOT=lava-jobs only writes those job files, for a lab
# that serves the kernels and initramfs at IPI_FP_LAVA_BASE_URL, and boots
# nothing.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

check=
[ "${1:-}" = --check ] && check=--check
results=${IPI_FP_RESULTS:-$CACHE/results}
mkdir -p "$results/logs"
# timings.txt: one line "PHASE ITEM SECONDS" per step (prepare-cell.sh).
timings=$results/timings.txt
# What each step took in earlier runs (any results directory of the cache,
# this one last), for the progress lines: last[prep ID] (tree, kernel,
# selftests, initramfs) and last[boot ID], in seconds.
declare -A last=()
for f in "$CACHE"/results*/timings.txt "$timings"; do
	[ -f "$f" ] || continue
	declare -A seen=()
	while read -r phase item secs _; do
		case "$phase" in
		wall | deps) ;;
		boot) last[boot $item]=$secs ;;
		*)
			# a file's own steps add up; another file's replace them
			[ -n "${seen[$item]:-}" ] || last[prep $item]=0
			seen[$item]=1
			last[prep $item]=$((${last[prep $item]} + secs))
			;;
		esac
	done <"$f"
	unset seen
done
rm -f "$results"/*.json "$results/report.txt" "$results/kernel-suites.txt" "$results"/logs/*.log "$timings"
start=$SECONDS
case "${IPI_FP_BOOT:-qemu}" in
lava | lava-jobs) "$TOP/scripts/install-deps.sh" lava ;;
*) "$TOP/scripts/install-deps.sh" ;;
esac
echo "deps - $((SECONDS - start))" >"$timings"
# What produced these results, for scripts/evidence/make-evidence.py.
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" "${check:+yes}"
# The guests run the selftest patch, not selftests/ipi_fp: they must agree.
"$TOP/scripts/submit/check-selftest-patch.sh"
[ -z "${KSRC:-}" ] ||
	log "KSRC=$KSRC stands in for Debian's tree in every column: the column names are ci/bases.tsv's"

extra=
[ -n "${IPI_FP_ROUNDS:-}" ] && extra="KSELFTEST_FPU_IO_WORKER_ARGS=-r$IPI_FP_ROUNDS"
[ -n "${IPI_FP_ICR_ROUNDS:-}" ] && extra+=" KSELFTEST_ICR_NESTED_IPI_ARGS=-r$IPI_FP_ICR_ROUNDS"
[ -n "${IPI_FP_ODIRECT_ROUNDS:-}" ] && extra+=" KSELFTEST_ODIRECT_FORK_ARGS=-r$IPI_FP_ODIRECT_ROUNDS"
# The programs with verdicts (IPI_FP_ONLY may name fewer: the other
# programs' cases are then missing from the results, which --check
# reports); cost's measurements need the instruction-count clock of the
# cost mode (cost/run.sh).
extra+=" IPI_FP_ONLY=${IPI_FP_ONLY:-fpu_io_worker,icr_nested_ipi,odirect_fork}"

# with_suites[ARCH-BASE-VARIANT]=1 for the cells of a kernel-suites pair.
declare -A with_suites=()
suite_pairs=()
if [ -n "${IPI_FP_KERNEL_SUITES-$TOP/ci/kernel-suites.tsv}" ] &&
	[ "${IPI_FP_BOOT:-qemu}" = qemu ]; then
	while IFS=$'\t' read -r arch base va vb; do
		case "$arch" in '#'* | '') continue ;; esac
		with_suites[$arch-$base-$va]=1
		with_suites[$arch-$base-$vb]=1
		suite_pairs+=("$arch-$base $arch-$base-$va $arch-$base-$vb")
	done <"${IPI_FP_KERNEL_SUITES-$TOP/ci/kernel-suites.tsv}"
fi

# cells: "ARCH BASE VARIANT STAGE"; a matrix file may give a fourth column,
# the stage (ci/demo-matrix.tsv): the cells of a stage are prepared and
# booted, and the matrix so far printed, before the next stage starts.
cells=() stages=()
while IFS=$'\t' read -r arch base variants stage; do
	case "$arch" in '#'* | '') continue ;; esac
	stage=${stage:-all}
	[[ " ${stages[*]} " == *" $stage "* ]] || stages+=("$stage")
	for variant in $variants; do
		cells+=("$arch $base $variant $stage")
	done
done <"${IPI_FP_MATRIX:-$TOP/ci/matrix.tsv}"

# Progress: one numbered line per cell prepared and per guest booted, with
# what the same step took last time (a cold build takes minutes, a reused
# one seconds).
# unsuffixed VARIANT: the variant whose kernel and tests a cell boots.
unsuffixed() {
	local v=${1%-noisy}
	echo "${v%-physflat}"
}
declare -A builds=()
host_threads=1
for cell in "${cells[@]}"; do
	read -r arch base variant _ <<<"$cell"
	builds[$arch-$base-$(unsuffixed "$variant")]=1
	arch_setup "$arch"
	[ "${IPI_FP_CPUS:-$GUEST_CPUS}" -le "$host_threads" ] || host_threads=${IPI_FP_CPUS:-$GUEST_CPUS}
done
steps_total=$((${#builds[@]} + ${#cells[@]})) step_no=0
progress() {
	local what=$1 key=$2
	step_no=$((step_no + 1))
	log "[$step_no/$steps_total] $what${last[$key]:+ (last run: ${last[$key]} s)}"
}

# Prepare every cell of a stage first, so its boots run back to back.
declare -A kernel=() initrd=() kunit=()
# prepare_stage STAGE: the kernel, selftests and initramfs of its cells.
prepare_stage() {
	local cell arch base variant stage id build_variant bid rc
	for cell in "${cells[@]}"; do
		read -r arch base variant stage <<<"$cell"
		[ "$stage" = "$1" ] || continue
		id=$arch-$base-$variant
		build_variant=$(unsuffixed "$variant")
		bid=$arch-$base-$build_variant
		if [ -z "${kernel[$bid]:-}" ]; then
			progress "preparing $bid: work tree, kernel, selftests, initramfs" "prep $bid"
			rc=0
			IPI_FP_WITH_KERNEL_SUITES=${with_suites[$bid]:-} \
				"$TOP/scripts/prepare-cell.sh" "$arch" "$base" "$build_variant" "$timings" \
				>"$results/cell.paths" || rc=$?
			if [ "$rc" = 3 ]; then
				log "skipping $id: base $base does not apply to KSRC"
				continue
			fi
			[ "$rc" = 0 ] || exit "$rc"
			read -r "kernel[$bid]" "initrd[$bid]" "kunit[$bid]" <"$results/cell.paths"
		fi
		kernel[$id]=${kernel[$bid]} initrd[$id]=${initrd[$bid]} kunit[$id]=${kunit[$bid]}
	done
	rm -f "$results/cell.paths"
}

boot_script=$TOP/scripts/boot-guest.sh
case "${IPI_FP_BOOT:-qemu}" in
qemu) ;;
lava) boot_script=$TOP/scripts/lava/boot.sh ;;
lava-jobs) boot_script=$TOP/scripts/lava/boot.sh jobs_only=1 ;;
*) die "IPI_FP_BOOT=$IPI_FP_BOOT: qemu, lava or lava-jobs" ;;
esac
# Independent guests boot side by side when the host has the threads for
# them (guest_jobs: nproc / vCPUs of the largest guest, or IPI_FP_JOBS);
# through LAVA one at a time.
jobs=1
[ "${IPI_FP_BOOT:-qemu}" != qemu ] || jobs=$(guest_jobs "$host_threads")
log "booting ${#cells[@]} guests, $jobs at a time ($(nproc) host CPUs, guests of up to $host_threads vCPUs)"
# boot_cell ID ARCH VARIANT: boot one guest, time it, parse its console.
boot_cell() {
	local id=$1 arch=$2 variant=$3 start=$SECONDS maxcpus=
	[ "$variant" != "${variant%-physflat}" ] && maxcpus=9
	# A cell with the kernel's own suites keeps its programs' time limit.
	local boot_timeout=${IPI_FP_BOOT_TIMEOUT:-300}
	local test_timeout=${IPI_FP_TEST_TIMEOUT:-$((boot_timeout / 2))}
	local cell_extra=$extra
	[ "$variant" = "${variant%-noisy}" ] || cell_extra+=" IPI_FP_NOISE=1"
	# Upstream's own FP/VMX tests, where the cell's initramfs has them
	# (ppc64le: prepare-cell.sh), after the ipi_fp programs; not in the
	# negative controls, which answer for fpu_io_worker alone.
	[[ "$variant" == control-* ]] || cell_extra+=" IPI_FP_UPSTREAM=1"
	if [ -n "${with_suites[$id]:-}" ]; then
		cell_extra+=" IPI_FP_KERNEL_SUITES=1"
		boot_timeout=$((boot_timeout + ${IPI_FP_KERNEL_SUITES_SECONDS:-900}))
	fi
	IPI_FP_BOOT_TIMEOUT=$boot_timeout IPI_FP_TEST_TIMEOUT=$test_timeout \
		IPI_FP_LAVA_JOBS_ONLY=${jobs_only:-} IPI_FP_MAXCPUS=$maxcpus "$boot_script" "$arch" "${kernel[$id]}" "${initrd[$id]}" \
		"$results/logs/$id.log" "$cell_extra" || true
	echo "boot $id $((SECONDS - start))" >>"$timings"
	[ "${IPI_FP_BOOT:-}" != lava-jobs ] || return 0
	log "$id: guest ran $((SECONDS - start))s; console in $results/logs/$id.log"
	python3 "$TOP/scripts/parse-results.py" "${kunit[$id]}" "$results/logs/$id.log" \
		>"$results/$id.json"
}
parsed=() boots_wall=0
for stage in "${stages[@]}"; do
	prepare_stage "$stage"
	boots_start=$SECONDS
	for cell in "${cells[@]}"; do
		read -r arch base variant cell_stage <<<"$cell"
		[ "$cell_stage" = "$stage" ] || continue
		id=$arch-$base-$variant
		[ -n "${kernel[$id]:-}" ] || continue
		pool_wait "$jobs"
		progress "booting $id" "boot $id"
		boot_cell "$id" "$arch" "$variant" &
		parsed+=("$arch" "$base" "$variant" "$results/$id.json")
	done
	pool_wait 1
	boots_wall=$((boots_wall + SECONDS - boots_start))
	# The matrix so far, after every stage but the last (the full report
	# follows that one).
	if [ "$stage" != "${stages[-1]}" ] && [ ${#parsed[@]} -gt 0 ] &&
		[ "${IPI_FP_BOOT:-}" != lava-jobs ]; then
		log "stage $stage done; the matrix so far:"
		python3 "$TOP/scripts/report.py" --brief --expected "$TOP/ci/expected.tsv" \
			--bases "$TOP/ci/bases.tsv" "${parsed[@]}" || true
	fi
done
echo "wall boot $boots_wall jobs=$jobs" >>"$timings"

if [ "${IPI_FP_BOOT:-}" = lava-jobs ]; then
	log "LAVA jobs (kernels and initramfs to be served at ${IPI_FP_LAVA_BASE_URL:-file://}):"
	ls "$results"/logs/*.lava.yaml
	exit 0
fi
rc=0
python3 "$TOP/scripts/report.py" $check --expected "$TOP/ci/expected.tsv" \
	--bases "$TOP/ci/bases.tsv" --timings "$timings" \
	--matrix "${IPI_FP_MATRIX:-$TOP/ci/matrix.tsv}" \
	--json "$results/matrix.json" "${parsed[@]}" | tee "$results/report.txt" || rc=$?

suite_args=()
for pair in "${suite_pairs[@]}"; do
	read -r name a b <<<"$pair"
	[ -n "${kernel[$a]:-}" ] && [ -n "${kernel[$b]:-}" ] || continue
	suite_args+=("$name" "$results/logs/$a.log" "$results/logs/$b.log")
done
if [ ${#suite_args[@]} -gt 0 ]; then
	python3 "$TOP/scripts/kernel-suites/report.py" $check \
		--json "$results/kernel-suites.json" "${suite_args[@]}" |
		tee "$results/kernel-suites.txt" || rc=$?
fi
exit "${rc:-0}"
