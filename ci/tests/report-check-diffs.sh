#!/usr/bin/env bash
# report.py --check fails, naming the cell, on a SKIP where PASS is
# expected, on a case the expected table does not know and on a cell that
# did not run at all.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
printf '%s\t%s\t%s\t%s\t%s\n' \
	t.a x86_64 6.1.192 unpatched PASS \
	t.a x86_64 6.1.192 patched PASS \
	t.a ppc64le 6.1.192 unpatched PASS >"$TMP/expected.tsv"
printf '6.1.192\tapt:linux-source-6.1\t-\tDebian 6.1.192\n' >"$TMP/bases.tsv"
printf 'boot x86_64-6.1.192-unpatched 1\n' >"$TMP/timings.txt"
cell() { echo "{\"guest\": \"ok\", \"reason\": \"\", \"cases\": {$1}, \"counts\": {}}"; }
cell '"t.a": "SKIP"' >"$TMP/skip.json"
cell '"t.a": "PASS", "t.new": "PASS"' >"$TMP/unknown.json"
expect_fail 'DIFFERS: x86_64 6.1.192 unpatched t.a: expected PASS, got SKIP' \
	python3 "$TOP/scripts/report.py" --check --expected "$TMP/expected.tsv" \
	--bases "$TMP/bases.tsv" --timings "$TMP/timings.txt" --json "$TMP/m.json" \
	x86_64 6.1.192 unpatched "$TMP/skip.json" x86_64 6.1.192 patched "$TMP/unknown.json"
grep -q 'DIFFERS: x86_64 6.1.192 patched t.new: not in the expected table' <<<"$(
	python3 "$TOP/scripts/report.py" --check --expected "$TMP/expected.tsv" \
		--bases "$TMP/bases.tsv" --timings "$TMP/timings.txt" --json "$TMP/m.json" \
		x86_64 6.1.192 unpatched "$TMP/skip.json" x86_64 6.1.192 patched "$TMP/unknown.json" || true
)"
grep -q 'ppc64le 6.1.192 unpatched t.a: expected PASS, got -' <<<"$(
	python3 "$TOP/scripts/report.py" --check --expected "$TMP/expected.tsv" \
		--bases "$TMP/bases.tsv" --timings "$TMP/timings.txt" --json "$TMP/m.json" \
		x86_64 6.1.192 unpatched "$TMP/skip.json" || true
)"

# With --matrix (make rates), only the cells of that matrix are expected,
# and a cell of it that did not run is still missing.
printf 'x86_64\t6.1.192\tunpatched patched\n' >"$TMP/matrix.tsv"
out=$(python3 "$TOP/scripts/report.py" --check --expected "$TMP/expected.tsv" \
	--bases "$TOP/ci/bases.tsv" --timings "$TMP/timings.txt" --json "$TMP/m.json" \
	--matrix "$TMP/matrix.tsv" x86_64 6.1.192 unpatched "$TMP/skip.json" || true)
grep -q 'x86_64 6.1.192 patched t.a: expected PASS, got -' <<<"$out"
if grep -q 'ppc64le' <<<"$out"; then
	echo "a cell outside --matrix was expected: $out"
	exit 1
fi
echo "--matrix: cells outside the matrix not expected, a missing one still fails"
