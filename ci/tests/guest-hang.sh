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
expect_guest_error "$TMP/console.log" 'did not reach the end of init'
