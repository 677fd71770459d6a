#!/usr/bin/env bash
# lint.sh: the static checks. shellcheck on the scripts, the base tree's
# checkpatch.pl --strict on every patch of the series and on the control
# patch, and the selftest patch against its sources. Prints one line per
# check and "lint: N passed, N failed".
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

pass=0 fail=0
run() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok      $name"
		pass=$((pass + 1))
	else
		echo "FAILED  $name"
		echo "$out" | sed 's/^/        /'
		fail=$((fail + 1))
	fi
}

need_cmd shellcheck shellcheck
run "shellcheck scripts/ ci/ .ci/" shellcheck -x -P SCRIPTDIR/.. -S warning \
	"$TOP"/scripts/*.sh "$TOP"/ci/tests/*.sh "$TOP/.ci/run"
run "python3 -m py_compile scripts/*.py" python3 -m py_compile "$TOP"/scripts/*.py

# checkpatch comes from the base tree. Two checks are off, each for a
# reason checkpatch cannot know:
# - UNKNOWN_COMMIT_ID: the base is a tarball without git history, so the
#   commit ids the patches cite cannot be looked up;
# - FILE_PATH_CHANGES, selftest patch only: the new directory is covered by
#   the "KERNEL SELFTEST FRAMEWORK" entry (F: tools/testing/selftests/).
# Each base's series is checked with its own tree's checkpatch.pl; the
# mainline submissions (patches/*/ without a series) with the newest one.
# checkpatch treats a path that the current directory's git repository
# tracks as a source file, not a patch: run it from the kernel tree.
checkpatch() {
	local tree=$1 patch=$2 ignore=UNKNOWN_COMMIT_ID
	case "$patch" in *selftests*) ignore+=,FILE_PATH_CHANGES ;; esac
	(cd "$tree" && perl scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore "$ignore" "$patch")
}
declare -A checked=()
tree=
for base in 6.1.192 6.12.117; do
	tree=$("$TOP/scripts/make-tree.sh" "$base" unpatched)
	while read -r p; do
		[ -z "${checked[$p]:-}" ] || continue
		checked[$p]=1
		run "checkpatch --strict ${p#"$TOP"/patches/} ($base)" checkpatch "$tree" "$p"
	done < <("$TOP/scripts/variant-patches.sh" "$base" patched
		[ "$base" != 6.1.192 ] ||
			"$TOP/scripts/variant-patches.sh" "$base" control-lwsync | grep /ci/controls/)
done
for p in "$TOP"/patches/x86-apic-icr/*.patch; do
	run "checkpatch --strict ${p#"$TOP"/patches/} (mainline submission)" checkpatch "$tree" "$p"
done
run "patches/series lists every patch file" \
	diff <(grep -v '^#' "$TOP/patches/series") <(cd "$TOP/patches" && ls ./*.patch | sed 's|^\./||')
run "patches/series-6.12.y lists every patch of patches/6.12.y/" \
	diff <(grep '^6.12.y/' "$TOP/patches/series-6.12.y") <(cd "$TOP/patches" && ls 6.12.y/*.patch)
run "selftest patch matches selftests/ipi_fp" "$TOP/scripts/check-selftest-patch.sh"
echo "lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
