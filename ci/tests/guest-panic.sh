#!/usr/bin/env bash
# A guest that panics is an ERROR in the matrix, never PASS or SKIP.
# Real kernel, real panic: /init crashes the kernel through sysrq.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

x86_guest 's|^cd /kselftest|echo c >/proc/sysrq-trigger; cd /kselftest|'
IPI_FP_BOOT_TIMEOUT=120 "$TOP/scripts/boot-guest.sh" x86_64 "$KERNEL" "$INITRD" \
	"$TMP/console.log"
grep -q 'Kernel panic' "$TMP/console.log" || { echo "guest did not panic"; tail "$TMP/console.log"; exit 1; }
expect_guest_error "$TMP/console.log" 'Kernel panic'
printf 'boot x86_64-6.1.192-unpatched 1\n' >"$TMP/t.txt"
expect_fail 'expected PASS, got ERROR' python3 "$TOP/scripts/report.py" --check \
	--expected "$TOP/ci/expected.tsv" --bases "$TOP/ci/bases.tsv" \
	--timings "$TMP/t.txt" --json "$TMP/m.json" x86_64 6.1.192 unpatched "$TMP/cell.json"
