#!/usr/bin/env bash
# KSRC=<a 6.1.y git tree> is used without modifying it.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TMP/cache

src=$TMP/linux
mkdir -p "$src"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 140\n' >"$src/Makefile"
git -C "$src" init -q
git -C "$src" add Makefile
git -C "$src" -c user.name=t -c user.email=t@t commit -q -m v6.1.140
before=$(cd "$src" && find . -path ./.git/index -prune -o -type f -print0 |
	sort -z | xargs -0 sha1sum | sha1sum)
commit=$(KSRC=$src "$TOP/scripts/get-base.sh" 6.1.192 2>/dev/null)
after=$(cd "$src" && find . -path ./.git/index -prune -o -type f -print0 |
	sort -z | xargs -0 sha1sum | sha1sum)
[ "$before" = "$after" ] || { echo "KSRC was modified"; exit 1; }
[ "$commit" = "$(git -C "$src" rev-parse HEAD)" ] ||
	{ echo "base is $commit, not KSRC's HEAD"; exit 1; }
echo "KSRC HEAD used as base, KSRC unchanged"

# The prefix base is 6.1.192 minus the FP fix; a KSRC that lacks the fix
# already cannot be reverted: that base is skipped (exit 3), not an error.
rc=0
KSRC=$src "$TOP/scripts/get-base.sh" 6.1.192-prefix >/dev/null 2>"$TMP/err" || rc=$?
[ "$rc" = 3 ] || { echo "get-base 6.1.192-prefix exited $rc, not 3"; cat "$TMP/err"; exit 1; }
grep -q 'does not apply to KSRC: it lacks' "$TMP/err" || { cat "$TMP/err"; exit 1; }
echo "KSRC HEAD used as base, KSRC unchanged, prefix base skipped"
