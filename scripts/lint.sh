#!/usr/bin/env bash
# lint.sh: the static checks. shellcheck on the scripts, the layout of
# patches/ against the harness's series, and the selftest patch against
# its sources. Prints one line per
# check and "lint: N passed, N failed".
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"


need_cmd shellcheck shellcheck
# The shared pipeline at the top of scripts/, each mode in a room of its
# own (scripts/ROOM/); source= paths are from the top of the project.
run "shellcheck scripts/ ci/ .ci/" shellcheck -x -P SCRIPTDIR/..:SCRIPTDIR/../.. -S warning \
	"$TOP"/scripts/*.sh "$TOP"/scripts/*/*.sh "$TOP"/ci/tests/*.sh "$TOP/.ci/run"
run "python3 -m py_compile scripts/" python3 -m py_compile "$TOP"/scripts/*.py "$TOP"/scripts/*/*.py
# Every path under scripts/ that the project's text names exists (the
# evidence is a record of past runs, with the paths of their revisions).
stale_script_paths() {
	local p missing=0
	while read -r p; do
		case "$p" in
		# the kernel tree's own scripts/, and placeholders
		scripts/checkpatch.pl | scripts/get_maintainer.pl | scripts/config | scripts/kconfig* | scripts/subarch.include) ;;
		*ARCH* | *ROOM* | scripts/lava/device) ;;
		*) [ -e "$TOP/$p" ] || [ -e "$TOP/$p.c" ] || { echo "named but missing: $p"; missing=1; } ;;
		esac
	done < <(cd "$TOP" && git grep -ohE 'scripts/[A-Za-z0-9_./-]*[A-Za-z0-9_]' -- \
		':!MAINTAINERS-notes/evidence.md' ':!patches/*/*.patch' | sort -u)
	return "$missing"
}
run "every scripts/ path the text names exists" stale_script_paths

# checkpatch.pl runs on the mails as sent (scripts/submit/check-submissions.sh):
# the patches under patches/ carry no Signed-off-by until their sender's
# 'make send-prep'. Here: every patch is in a submission and in the
# harness (a series, or the powerpc selftest build), so nothing is sent
# untested and nothing tested goes unsent.
# submission_dirs / series_patches: one path per line, sorted.
submission_dirs() {
	grep -v '^#' "$TOP/patches/submissions.tsv" | cut -f1 | sort
}
series_patches() {
	{
		grep -hv '^#' "$TOP"/ci/series-*.y | grep '^patches/'
		# the 5905afc2c7bb backport, a variant of its own (make blk-map-leak)
		"$TOP/scripts/variant-patches.sh" 6.1.192 blk-map-backport | sed "s|^$TOP/||"
		# the powerpc and mm tests, built on 6.12.117's selftests with them
		for sub in $(sed -n 's/^proposed="\(.*\)"$/\1/p' "$TOP/scripts/upstream-math/build.sh" \
			"$TOP/scripts/upstream-mm/build.sh"); do
			(cd "$TOP" && ls patches/"$sub"/*.patch)
		done
	} | sort -u
}
run "patches/submissions.tsv lists every directory under patches/" \
	diff <(submission_dirs) <(cd "$TOP/patches" && find . -mindepth 1 -maxdepth 1 -type d | sed 's|^\./||' | sort)
run "ci/series-*.y, variant-patches.sh blk-map-backport, upstream-math/build.sh and upstream-mm/build.sh (the harness) apply every patch under patches/" \
	diff <(series_patches) <(cd "$TOP" && ls patches/*/*.patch | sort)
# cover_letter_or_notes DIR: a cover letter, or one patch with notes below
# its '---' (what send-prep.sh sends in place of a cover letter).
cover_letter_or_notes() {
	local d=$TOP/patches/$1 p
	[ -s "$d/cover-letter" ] && return 0
	p=("$d"/[0-9][0-9][0-9][0-9]-*.patch)
	[ ${#p[@]} = 1 ] && sed -n '/^---$/,/ | *[0-9]/{/^---$/d;/ | *[0-9]/d;p}' "${p[0]}" | grep -q '[a-z]'
}
for d in $(submission_dirs); do
	run "patches/$d has a cover letter (or one patch with notes)" cover_letter_or_notes "$d"
	run "patches/$d has recipients" test -s "$TOP/patches/$d/recipients"
done
run "selftest patch matches selftests/ipi_fp" "$TOP/scripts/submit/check-selftest-patch.sh"
echo "lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
