#!/usr/bin/env bash
# A patch that does not apply stops the series, naming the patch and the
# file; a patch already in the tree is skipped naming its upstream commit.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

t=$TMP/tree
mkdir -p "$t/arch"
git -C "$t" init -q
git -C "$t" config user.name t
git -C "$t" config user.email t@t
printf 'one\ntwo\nthree\n' >"$t/arch/file.S"
git -C "$t" add -A
git -C "$t" commit -q -m base
cp -r "$t" "$TMP/other"
printf 'one\nTWO\nthree\n' >"$TMP/other/arch/file.S"
git -C "$TMP/other" commit -q -am "arch: change two

commit 0123456789abcdef0123456789abcdef01234567 upstream."
git -C "$TMP/other" format-patch -q -1 -o "$TMP/p" HEAD

# Already present: the tree has the change.
cp -r "$TMP/other" "$TMP/has-it"
out=$("$TOP/scripts/apply-series.sh" "$TMP/has-it" "$TMP"/p/*.patch 2>&1)
grep -q 'skipping 0001-arch-change-two.patch: already in the tree (upstream commit 0123456789abcdef0123456789abcdef01234567)' <<<"$out" ||
	{ echo "no skip message: $out"; exit 1; }
echo "as expected: $out"

# Does not apply: the context line changed.
printf 'one\nzwei\nthree\n' >"$t/arch/file.S"
git -C "$t" commit -q -am drift
expect_fail 'patch 0001-arch-change-two.patch does not apply to .*: arch/file.S' \
	"$TOP/scripts/apply-series.sh" "$t" "$TMP"/p/*.patch
[ -z "$(git -C "$t" status --porcelain)" ] || { echo "tree left dirty"; exit 1; }
[ ! -d "$t/.git/rebase-apply" ] || { echo "git am left in progress"; exit 1; }

# A mail without From: (how patches/ keeps them) is committed under the
# harness's local author; a plain diff (a ci/fixtures/ base fixture) is
# applied and committed under its file name.
git -C "$t" checkout -q -f HEAD~1
sed '/^From: /d' "$TMP"/p/*.patch >"$TMP/no-from.patch"
"$TOP/scripts/apply-series.sh" "$t" "$TMP/no-from.patch" 2>/dev/null
[ "$(git -C "$t" log -1 --format='%an <%ae>|%s')" = "ipi_fp <ipi_fp@localhost>|arch: change two" ] ||
	{ echo "mail without From: not applied as expected: $(git -C "$t" log -1 --format='%an <%ae>|%s')"; exit 1; }
git -C "$t" checkout -q -f HEAD~1
sed -n '/^diff --git/,$p' "$TMP"/p/*.patch | sed '/^-- $/,$d' >"$TMP/fixture.diff"
"$TOP/scripts/apply-series.sh" "$t" "$TMP/fixture.diff" 2>/dev/null
[ "$(git -C "$t" log -1 --format=%s)" = "fixture: fixture.diff" ] && grep -q TWO "$t/arch/file.S" ||
	{ echo "fixture not applied as expected"; exit 1; }
echo "mail without From: and plain-diff fixture applied"

