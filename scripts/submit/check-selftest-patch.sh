#!/usr/bin/env bash
# submit/check-selftest-patch.sh: fail when a test submission's patch
# (patches/selftests-ipi_fp/, patches/selftests-powerpc-vsx-syscall/) differs
# from what its sources generate (submit/make-selftest-patch.sh; fix:
# 'make patches').
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in selftests-ipi_fp selftests-powerpc-vsx-syscall; do
	"$TOP/scripts/submit/make-selftest-patch.sh" "$name" "$tmp/$name"
	new=$(ls "$tmp/$name"/*.patch)
	old=$TOP/patches/$name/$(basename "$new")
	[ -f "$old" ] || die "patches/$name/$(basename "$new") missing: the patch's subject changed; run 'make patches'"
	diff -u "$old" "$new" >"$tmp/diff" ||
		die "patches/$name/$(basename "$new") has drifted from its sources; run 'make patches'"$'\n'"$(head -n 40 "$tmp/diff")"
	log "patches/$name/$(basename "$new") matches its sources"
done
