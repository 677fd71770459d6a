#!/usr/bin/env bash
# measure-upstream-conversion.sh --commits takes each commit of a list from
# a git directory (mainline's history, in real use) and tries it on
# 6.1.192 in order: here two commits made on the base itself, one that
# applies and one whose context 6.1.192 lacks; the rows name each commit
# with its release, the failing hunk names the missing identifier, and a
# commit the directory lacks is refused by name.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
base=$("$TOP/scripts/get-base.sh" 6.1.192 2>/dev/null)
repo=${IPI_FP_CACHE:-$TOP/.cache}/linux.git
g() { git --git-dir="$repo" "$@"; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
# commit_with PARENT FILE CONTENT SUBJECT: a commit on PARENT whose FILE is CONTENT.
commit_with() {
	local idx=$TMP/index blob
	rm -f "$idx"
	blob=$(printf '%s' "$3" | g hash-object -w --stdin)
	GIT_INDEX_FILE=$idx g read-tree "$1"
	GIT_INDEX_FILE=$idx g update-index --cacheinfo "100644,$blob,$2"
	g commit-tree -p "$1" -m "$4" "$(GIT_INDEX_FILE=$idx g write-tree)"
}
readme=$(g show "$base:README")
good=$(commit_with "$base" README "$readme"$'\nipi_fp test line\n' "README: add a line")
# The second one changes a line that only exists after a change 6.1.192
# lacks: its parent has it, the base does not.
mid=$(commit_with "$good" README "$readme"$'\nipi_fp test line\nneeds_prerequisite_ident here\n' "README: prerequisite")
bad=$(commit_with "$mid" README "$readme"$'\nipi_fp test line\nneeds_prerequisite_ident there\n' "README: use it")
printf '# test\n%s v9.9 README: add a line\n%s v9.9 README: use it\n' "$good" "$bad" >"$TMP/list"
out=$(IPI_FP_MEASURE_BASE=6.1.192 "$TOP/scripts/submit/measure-upstream-conversion.sh" --commits "$TMP/list" "$repo" 2>&1)
grep -q "^01 | ${good:0:12} (v9.9) README: add a line | applied | -$" <<<"$out" &&
	grep -q "^02 | ${bad:0:12} (v9.9) README: use it | 1 of 1 hunks failed | README (1/1)$" <<<"$out" &&
	grep -q 'missing in 6.1.192: .*needs_prerequisite_ident' <<<"$out" &&
	grep -q 'mainline commits of list onto 6.1.192: 1 of 2 apply, 1 hunks fail in 1 patches' <<<"$out" ||
	{ echo "$out"; exit 1; }
echo "as expected: $(tail -n 1 <<<"$out")"
printf '%s v9.9 no such commit\n' 0123456789abcdef0123456789abcdef01234567 >"$TMP/list2"
expect_fail 'has no commit 0123456789abcdef0123456789abcdef01234567' \
	"$TOP/scripts/submit/measure-upstream-conversion.sh" --commits "$TMP/list2" "$repo"
expect_fail 'is not a git directory' \
	"$TOP/scripts/submit/measure-upstream-conversion.sh" --commits "$TMP/list" "$TMP"
