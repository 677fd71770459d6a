#!/usr/bin/env bash
# submit/check-selftest-patch.sh: fail when a test submission's patch
# (each that submit/make-selftest-patch.sh --list names) differs from
# what its sources generate (fix: 'make patches').
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in $("$TOP/scripts/submit/make-selftest-patch.sh" --list); do
	"$TOP/scripts/submit/make-selftest-patch.sh" "$name" "$tmp/$name"
	diff <(cd "$TOP/patches/$name" && ls ./*.patch) <(cd "$tmp/$name" && ls ./*.patch) >"$tmp/diff" ||
		die "patches/$name: the patches' names differ from what their sources give (a subject changed?); run 'make patches'"$'\n'"$(cat "$tmp/diff")"
	for new in "$tmp/$name"/*.patch; do
		diff -u "$TOP/patches/$name/$(basename "$new")" "$new" >"$tmp/diff" ||
			die "patches/$name/$(basename "$new") has drifted from its sources; run 'make patches'"$'\n'"$(head -n 40 "$tmp/diff")"
	done
	log "patches/$name matches its sources"
done
