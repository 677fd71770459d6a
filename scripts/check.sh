#!/usr/bin/env bash
# check.sh: what CI runs. Installs the dependencies, then the static checks
# (lint.sh), the mails 'make send-prep' writes, checked as a maintainer
# would (submit/check-submissions.sh), the matrix against ci/expected.tsv
# (run-matrix.sh --check: the cells of IPI_FP_MATRIX, which make check
# sets to ci/check-matrix.tsv, or ci/matrix.tsv with ALL=1), the cost table (cost/run.sh: two boots of each
# x86_64 6.1.192 kernel under the instruction-count clock, 3 repetitions
# of each row, into $CACHE/results-cost-check), the per-function profile
# of the same kernels with fio's rows (profile/run.sh, two boots each,
# into $CACHE/results-profile-check), the per-patch builds and the sparse and W=1
# comparison of every submission on both arches (submit/build-gates.sh;
# in CI the states before each last patch on ppc64le only), the
# cells of ci/lava-matrix.tsv booted by LAVA's dispatcher and checked the
# same way (make lava) and the project's own tests (run-tests.sh). Ends
# with "check: N passed, N failed" over all of them; exits non-zero if
# anything failed.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
export IPI_FP_MATRIX=${IPI_FP_MATRIX:-$TOP/ci/matrix.tsv}
# full: ALL=1 (ci/matrix.tsv). CI (ci/check-matrix.tsv) runs the kernel's
# own suites in the ppc64le pair only, the full matrix in both.
full=
[ "$(basename "$IPI_FP_MATRIX")" != matrix.tsv ] || full=1
# Without full, 6.1's powerpc/math programs are left out of the suites
# (6.12.117's run in every ppc64le cell; the *_preempt ones each wait 20 s
# for preemption in FP/VMX/VSX code that the 6.1.y series does not touch);
# ALL=1 runs them.
if [ -z "$full" ]; then
	export IPI_FP_KERNEL_SUITES=${IPI_FP_KERNEL_SUITES-$TOP/ci/check-kernel-suites.tsv}
	# The kernel's own suites leave out 6.1's powerpc/math: 6.12.117's
	# versions of the same programs, which check all FPRs, run in every
	# ppc64le cell already (upstream_powerpc_math rows).
	export IPI_FP_SUITES_LEAVE_OUT=${IPI_FP_SUITES_LEAVE_OUT-powerpc/math/*}
	# 200 rounds of icr_nested_ipi, not its 1000: an unpatched physflat
	# round waits for the IPI it then finds lost (57 of the 73 s of that
	# guest in a cold CI); make rates gives the 1000-round figures.
	export IPI_FP_ICR_ROUNDS=${IPI_FP_ICR_ROUNDS-200}
fi
suites=${IPI_FP_KERNEL_SUITES-$TOP/ci/kernel-suites.tsv}
echo "check: the cells of ${IPI_FP_MATRIX#"$TOP"/}, the kernel-suite pairs of ${suites#"$TOP"/}${IPI_FP_SUITES_LEAVE_OUT:+ without $IPI_FP_SUITES_LEAVE_OUT}"
# Disk first: a cold check fills about 21 GiB of $CACHE (du of the fresh
# clone's .cache after the cold CI of 7017b1f, most of it kernel work
# trees). Short of that, it would fail half an hour in with "No space left
# on device"; refuse now.
need_gib=${IPI_FP_CHECK_DISK_GIB:-21}
mkdir -p "$CACHE"
have_kib=$(($(df -Pk "$CACHE" | awk 'NR == 2 { print $4 }') + $(du -sk "$CACHE" | cut -f1)))
[ "$have_kib" -ge $((need_gib * 1024 * 1024)) ] ||
	die "$CACHE: make check needs about $need_gib GiB there (what it holds now plus what is free); it has $((have_kib / 1024 / 1024)) GiB. Free some, or point IPI_FP_CACHE elsewhere"
"$TOP/scripts/install-deps.sh"
rc=0
times=()
# step TITLE CMD...: one step of the check; its output is kept for the
# totals, its seconds for the table at the end, and a step that fails
# fails the check.
step() {
	local title=$1 t0=$SECONDS
	shift
	echo
	echo "=== $title ==="
	"$@" 2>&1 | tee -a "$out" || rc=1
	times+=("$(printf '%6d s  %s' $((SECONDS - t0)) "$title")")
}
# The kernel sources first, the two source packages side by side (on a
# cold cache 70 s instead of 105 s on 2 cores).
step "bases: ci/bases.tsv's sources unpacked side by side (scripts/get-bases.sh)" "$TOP/scripts/get-bases.sh"
step scripts/lint.sh "$TOP/scripts/lint.sh"
step scripts/submit/check-submissions.sh "$TOP/scripts/submit/check-submissions.sh"
step "scripts/run-matrix.sh --check" "$TOP/scripts/run-matrix.sh" --check
# The smallest cost run that still proves the mode end to end (x86_64,
# whose rows include the IPI ones, two boots per kernel for the A/A, the
# fewest repetitions the report takes, fork rows up to 100 MiB); make cost
# keeps the full table.
step "cost: x86_64 6.1.192 under the instruction-count clock, 3 repetitions, fork rows up to 100 MiB (scripts/cost/run.sh)" \
	env IPI_FP_RESULTS="$CACHE/results-cost-check" IPI_FP_COST_ARCHS=x86_64 \
	IPI_FP_COST_REPS=3 IPI_FP_COST_MAX_MIB=100 "$TOP/scripts/cost/run.sh"
# The same two kernels, each instruction of each row given to its kernel
# function, and fio's rows (make profile adds ppc64le and 6.12.117).
step "profile: x86_64 6.1.192, per kernel function and fio, two boots per kernel (scripts/profile/run.sh)" \
	env IPI_FP_RESULTS="$CACHE/results-profile-check" IPI_FP_PROFILE_ARCHES=x86_64 \
	IPI_FP_PROFILE_BASES=6.1.192 "$TOP/scripts/profile/run.sh"
# In CI the states before a submission's last patch are built on ppc64le
# only (generic code; both arches with ALL=1 and in make gates).
if [ -n "$full" ]; then
	step scripts/submit/build-gates.sh "$TOP/scripts/submit/build-gates.sh"
else
	step "scripts/submit/build-gates.sh (IPI_FP_BISECT_ARCHS=ppc64le)" \
		env IPI_FP_BISECT_ARCHS=ppc64le "$TOP/scripts/submit/build-gates.sh"
fi
step "LAVA: ci/lava-matrix.tsv through lava-run" \
	env IPI_FP_BOOT=lava IPI_FP_MATRIX="$TOP/ci/lava-matrix.tsv" \
	IPI_FP_RESULTS="$CACHE/results-lava" "$TOP/scripts/run-matrix.sh" --check
step scripts/run-tests.sh "$TOP/scripts/run-tests.sh"
read -r passed failed < <(sed -nE 's/^[a-z]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out" |
	awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')
echo
echo "== check steps (seconds; the kernel builds, boots and builds of each are in the phase tables above) =="
printf '%s\n' "${times[@]}"
echo "check took $((SECONDS - start))s"
echo "check: $passed passed, $failed failed"
[ "$rc" = 0 ] && [ "$failed" = 0 ]
