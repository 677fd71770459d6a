#!/usr/bin/env bash
# A guest that hangs is killed at the timeout, its console is kept, and it
# is an ERROR.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

x86_guest 's|^cd /kselftest|echo IPI_FP_TEST_HANGS; while :; do :; done; cd /kselftest|'
rc=0
IPI_FP_BOOT_TIMEOUT=25 "$TOP/scripts/boot-guest.sh" x86_64 "$KERNEL" "$INITRD" \
	"$TMP/console.log" 2>"$TMP/err" || rc=$?
[ "$rc" = 124 ] || { echo "boot-guest exited $rc, not 124"; exit 1; }
grep -q 'did not finish within 25s and was killed' "$TMP/err" || { cat "$TMP/err"; exit 1; }
grep -q IPI_FP_TEST_HANGS "$TMP/console.log" || { echo "console log not kept"; exit 1; }
python3 "$TOP/scripts/parse-results.py" "$KUNIT" \
	"$TMP/console.log" >"$TMP/cell.json"
python3 - "$TMP/cell.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['guest'] == 'error', r
assert 'did not reach the end of init' in r['reason'], r['reason']
print('as expected: guest error:', r['reason'])
PY
