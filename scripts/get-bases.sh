#!/usr/bin/env bash
# get-bases.sh: every base of ci/bases.tsv, as get-base.sh makes it, with
# the source packages unpacked and committed side by side: a tarball's
# unpacking (xz) and its commit (git add) each keep one core busy, so on a
# cold cache two sources take about the time of one. One get-base.sh per
# source package first, all at once; then the bases that share
# a source (reverts on top of it), one after the other. A base that is
# already there costs a look-up. With KSRC set, get-base.sh's own rules
# apply (bases of another branch are skipped): nothing is prefetched.
# The sources are few (two today), so they all start at once.
# Prints one line per base; exits non-zero if any failed.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ -z "${KSRC:-}" ] || exit 0
declare -A first_of=()
firsts=() rest=()
while IFS=$'\t' read -r name source _; do
	case "$name" in '#'* | '') continue ;; esac
	if [ -z "${first_of[$source]:-}" ]; then
		first_of[$source]=$name
		firsts+=("$name")
	else
		rest+=("$name")
	fi
done <"$TOP/ci/bases.tsv"

# The cache repository is made here, before the get-base.sh runs start:
# each of them would otherwise create it when missing, and two at once race
# on its mkdir ("cannot mkdir .cache/linux.git: File exists").
mkdir -p "$CACHE"
[ -d "$CACHE/linux.git" ] || git init -q --bare "$CACHE/linux.git"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# get NAME: one base, its line into $logs/NAME.line ("ok" or "FAILED" and
# get-base.sh's messages).
get() {
	local start=$SECONDS
	if "$TOP/scripts/get-base.sh" "$1" >/dev/null 2>"$logs/$1.err"; then
		echo "ok      base $1 ($((SECONDS - start)) s)" >"$logs/$1.line"
	else
		{
			echo "FAILED  base $1"
			sed 's/^/        /' "$logs/$1.err"
		} >"$logs/$1.line"
	fi
}
for name in "${firsts[@]}"; do get "$name" & done
wait
for name in "${rest[@]}"; do get "$name"; done
failed=0
for name in "${firsts[@]}" "${rest[@]}"; do
	cat "$logs/$name.line"
	! grep -q '^FAILED' "$logs/$name.line" || failed=$((failed + 1))
done
echo "bases: $((${#firsts[@]} + ${#rest[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]
