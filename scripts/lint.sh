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
tree=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched)
# checkpatch treats a path that the current directory's git repository
# tracks as a source file, not a patch: run it from the kernel tree.
checkpatch() {
	local ignore=UNKNOWN_COMMIT_ID
	case "$1" in *selftests*) ignore+=,FILE_PATH_CHANGES ;; esac
	(cd "$tree" && perl scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore "$ignore" "$1")
}
while read -r p; do
	run "checkpatch --strict $(basename "$p")" checkpatch "$p"
done < <("$TOP/scripts/variant-patches.sh" patched; "$TOP/scripts/variant-patches.sh" control-lwsync | grep /ci/controls/)
run "patches/series lists every patch file" \
	diff <(grep -v '^#' "$TOP/patches/series") <(cd "$TOP/patches" && ls ./*.patch | sed 's|^\./||')
run "selftest patch matches selftests/ipi_fp" "$TOP/scripts/check-selftest-patch.sh"
echo "lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
