#!/usr/bin/env bash
# submit/check-selftest-patch.sh: fail when the selftest patch (patches/selftests-ipi_fp/) differs
# from what selftests/ipi_fp and selftests/ipi_fp.commit-msg generate
# (fix: 'make patches').
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/submit/make-selftest-patch.sh" "$tmp"
new=$(ls "$tmp"/*.patch)
old=$TOP/patches/selftests-ipi_fp/$(basename "$new")
[ -f "$old" ] || die "patches/selftests-ipi_fp/$(basename "$new") missing: the selftest patch's subject changed; run 'make patches'"
diff -u "$old" "$new" >"$tmp/diff" ||
	die "patches/selftests-ipi_fp/$(basename "$new") has drifted from selftests/ipi_fp; run 'make patches'"$'\n'"$(head -n 40 "$tmp/diff")"
log "patches/selftests-ipi_fp/$(basename "$new") matches selftests/ipi_fp"
