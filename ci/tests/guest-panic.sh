#!/usr/bin/env bash
# A guest that panics is an ERROR in the matrix, never PASS or SKIP.
# Real kernel, real panic: /init crashes the kernel through sysrq.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=$(x86_kernel)
tree=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched 2>/dev/null)
"$TOP/scripts/build-selftests.sh" x86_64 "$tree" "$TMP/ksft" 2>/dev/null
sed 's|^cd /kselftest|echo c >/proc/sysrq-trigger; cd /kselftest|' \
	"$TOP/scripts/guest-init.sh" >"$TMP/init"
grep -q sysrq-trigger "$TMP/init" || { echo "could not make the panicking init"; exit 1; }
"$TOP/scripts/make-initramfs.sh" x86_64 "$TMP/ksft" "$TMP/initrd.gz" "$TMP/init"
IPI_FP_BOOT_TIMEOUT=120 "$TOP/scripts/boot-guest.sh" x86_64 "$kernel" \
	"$TMP/initrd.gz" "$TMP/console.log"
grep -q 'Kernel panic' "$TMP/console.log" || { echo "guest did not panic"; tail "$TMP/console.log"; exit 1; }
python3 "$TOP/scripts/parse-results.py" "$tree/tools/testing/kunit" \
	"$TMP/console.log" >"$TMP/cell.json"
python3 - "$TMP/cell.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['guest'] == 'error', r
assert 'Kernel panic' in r['reason'], r['reason']
assert all(v == 'ERROR' for v in r['cases'].values()), r['cases']
print('as expected: guest error:', r['reason'][:120])
PY
printf 'phase seconds\nboot 1\n' >"$TMP/t.txt"
expect_fail 'expected PASS, got ERROR' python3 "$TOP/scripts/report.py" --check \
	--expected "$TOP/ci/expected.tsv" --bases "$TOP/ci/bases.tsv" \
	--timings "$TMP/t.txt" --json "$TMP/m.json" x86_64 6.1.192 unpatched "$TMP/cell.json"
