#!/usr/bin/env bash
# submit/build-gates.sh [ARCH...]: the build gates of every submission
# (patches/submissions.tsv), on ppc64le and x86_64 (default) or the ARCHs
# given:
#   - bisect: the kernel builds after each patch of the submission, applied
#     in order to its base (plus the selftest patch, which only adds the
#     test's config fragment, so that the config is the matrix's); a state
#     whose kernel sources the matrix already built (same fingerprint,
#     scripts/build-kernel.sh) is not built again;
#   - sparse and W=1: each C file the submission touches that this arch
#     builds is compiled with 'make C=2 W=1' (Debian's sparse) at the base
#     and with the whole submission; a warning the base does not have
#     fails the gate (warnings are compared by file and text, not line).
# Works in $CACHE/trees/gate-BASE (a work tree of its own, so the matrix's
# trees are never touched) with ccache. A gate that passed is not run
# again while its inputs (base, the diffs of the patches up to it, config
# fragments, compiler, sparse, this script) are the same: it prints "ok (passed before)".
# IPI_FP_BISECT_ARCHS (default: every arch of the run) names the arches on
# which the states before a submission's last patch are built; its last
# state is built on every arch. make check gives ppc64le: the states in
# between change generic code only, and CI's time is short.
# A submission whose base has no cell in IPI_FP_MATRIX (default
# ci/matrix.tsv; make check gives ci/check-matrix.tsv) is left out, with a
# line that says so: its kernels are not built in that run; and so is an
# arch on which its base has no cell.
# Prints one line per check, the seconds each took, and
# "gates: N passed, N failed".
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(ppc64le x86_64)
bisect_archs=${IPI_FP_BISECT_ARCHS:-${arches[*]}}
need_cmd sparse sparse
table=$TOP/patches/submissions.tsv
selftest=$("$TOP/scripts/variant-patches.sh" 6.1.192 unpatched)
pass=0 fail=0
logdir=$CACHE/gates
mkdir -p "$logdir"

# check NAME KEY CMD...: run CMD (its output to a log), print ok/FAILED
# and time; skip it if it passed before with the same KEY.
check() {
	local name=$1 key=$2 start=$SECONDS log
	shift 2
	log=$logdir/$(tr -c 'A-Za-z0-9._-' _ <<<"$name").log
	if [ -f "$logdir/passed/$key" ]; then
		printf 'ok      %-78s (passed before)\n' "$name"
		pass=$((pass + 1))
	elif "$@" >"$log" 2>&1; then
		printf 'ok      %-78s %4ss\n' "$name" $((SECONDS - start))
		mkdir -p "$logdir/passed"
		cp "$log" "$logdir/passed/$key"
		pass=$((pass + 1))
	else
		printf 'FAILED  %-78s %4ss\n' "$name" $((SECONDS - start))
		tail -n 25 "$log" | sed 's/^/        /'
		fail=$((fail + 1))
	fi
}

# inputs ARCH FILE...: a key for what a gate's result depends on: the
# diffs of the FILEs (not their messages), this script, the config
# fragments and the tools.
inputs() {
	arch_setup "$1"
	shift
	{
		sed -n '/^diff --git /,$p' "$@"
		cat "$0" "$TOP/kconfig/common.config" "$TOP/kconfig/$ARCH_NAME.config"
		"${CROSS}gcc" --version | head -n 1
		sparse --version
	} | sha1sum | cut -c1-40
}

# reset TREE COMMIT: the work tree at COMMIT plus the selftest patch,
# keeping the build directories (make rebuilds what changed).
reset() {
	checkout_tree "$1" "$2"
	"$TOP/scripts/apply-series.sh" "$1" "$selftest"
}

# warnings ARCH TREE OUT OBJ...: the sparse and compiler warnings of OBJs
# built with C=2 W=1, as "file: text" lines, sorted, into OUT. Fails
# unless sparse checked every OBJ (a "CHECK" line each).
warnings() {
	local arch=$1 tree=$2 out=$3 checked
	shift 3
	arch_setup "$arch"
	# Its objects stop being the build of one commit: no later kernel
	# build may start from them as if they were (build-kernel.sh).
	rm -f "$tree/build-$arch/.ipi_fp-commit"
	make -C "$tree" O="$tree/build-$arch" ARCH="$KARCH" CROSS_COMPILE="ccache $CROSS" \
		C=2 W=1 "$@" >"$out.log" 2>&1 || { tail -n 20 "$out.log"; return 1; }
	sed -nE 's/^([^ :]+):[0-9]+:([0-9]+:)? (warning|error): /\1: \3: /p' "$out.log" | sort >"$out"
	checked=$(grep -c '^  CHECK ' "$out.log" || true)
	[ "$checked" = $# ] || { echo "sparse checked $checked of $# files:"; cat "$out.log"; return 1; }
}

# sparse_w1 ARCH TREE BASE_COMMIT PATCH...: no new warning with PATCHes.
sparse_w1() {
	local arch=$1 tree=$2 commit=$3 objs=() f store built new base
	shift 3
	arch_setup "$arch"
	# The kernel of this state (built above, here or by the matrix): its
	# config, and its build directory for what this arch builds.
	store=$(dirname "$("$TOP/scripts/build-kernel.sh" "$arch" "$tree")")
	built=$(cat "$store/builddir")
	mkdir -p "$tree/build-$arch"
	cmp -s "$store/config" "$tree/build-$arch/.config" ||
		cp "$store/config" "$tree/build-$arch/.config"
	for f in $(sed -n 's|^diff --git a/\(.*\.c\) b/.*|\1|p' "$@" | sort -u); do
		if [ -f "$built/${f%.c}.o" ]; then
			objs+=("${f%.c}.o")
		else
			echo "$f: not built for $arch"
		fi
	done
	[ ${#objs[@]} -gt 0 ] || { echo "no C file of it is built for $arch"; return 0; }
	new=$logdir/warnings-$arch-new base=$logdir/warnings-$arch-base
	warnings "$arch" "$tree" "$new" "${objs[@]}"
	reset "$tree" "$commit"
	warnings "$arch" "$tree" "$base" "${objs[@]}"
	echo "${objs[*]}: $(wc -l <"$base") warnings at the base, $(wc -l <"$new") with the patches"
	if comm -13 "$base" "$new" | grep .; then
		echo "new warnings (above)"
		return 1
	fi
}

matrix=${IPI_FP_MATRIX:-$TOP/ci/matrix.tsv}
matrix_bases=" $(awk -F'\t' '!/^#/ && NF { print $2 }' "$matrix" | tr '\n' ' ') "
# ARCH:BASE of every cell: a base is gated on the arches it has cells on.
matrix_cells=" $(awk -F'\t' '!/^#/ && NF { print $1 ":" $2 }' "$matrix" | tr '\n' ' ') "
while IFS=$'\t' read -r name base _ _; do
	case "$name" in selftests-*)
		echo "skip    $name: tools only, built and run by the matrix (no kernel change)"
		continue
		;;
	esac
	if [[ "$matrix_bases" != *" $base "* ]]; then
		echo "skip    $name: its base $base has no cell in ${matrix#"$TOP"/} (make check ALL=1 gates it)"
		continue
	fi
	commit=$("$TOP/scripts/get-base.sh" "$base")
	tree=$CACHE/trees/gate-$base
	mapfile -t patches < <(ls "$TOP/patches/$name"/[0-9][0-9][0-9][0-9]-*.patch)
	for arch in "${arches[@]}"; do
		if [[ "$matrix_cells" != *" $arch:$base "* ]]; then
			echo "skip    $name on $arch: its base $base has no $arch cell in ${matrix#"$TOP"/} (make check ALL=1 gates it)"
			continue
		fi
		reset "$tree" "$commit"
		done_upto=()
		for p in "${patches[@]}"; do
			"$TOP/scripts/apply-series.sh" "$tree" "$p"
			done_upto+=("$p")
			if [ "$p" != "${patches[-1]}" ] && [[ " $bisect_archs " != *" $arch "* ]]; then
				echo "skip    $name/$(basename "$p" .patch | cut -c1-40): not built for $arch (IPI_FP_BISECT_ARCHS=$bisect_archs)"
				continue
			fi
			check "$name/$(basename "$p" .patch | cut -c1-40): builds for $arch ($base)" \
				"$(inputs "$arch" <(echo "diff --git $commit") "$selftest" "${done_upto[@]}")" \
				"$TOP/scripts/build-kernel.sh" "$arch" "$tree"
		done
		check "$name: no new sparse or W=1 warning on $arch ($base)" \
			"$(inputs "$arch" <(echo "diff --git $commit sparse") "$selftest" "${patches[@]}")" \
			sparse_w1 "$arch" "$tree" "$commit" "${patches[@]}"
	done
done < <(grep -v '^#' "$table")
echo "gates: $pass passed, $fail failed"
[ "$fail" = 0 ]
