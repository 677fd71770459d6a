#!/usr/bin/env bash
# The kernel.org base (ci/bases.tsv, source orig:VERSION:SHA256) is taken
# only with the SHA-256 its row pins: a tarball that differs is refused,
# named, and not kept; a malformed source is refused too.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TMP/cache

row=$(awk -F'\t' '$2 ~ /^orig:/ { print $1; exit }' "$TOP/ci/bases.tsv")
[ -n "$row" ] || { echo "ci/bases.tsv has no orig: base"; exit 1; }
ver=$(awk -F'\t' -v n="$row" '$1 == n { split($2, f, ":"); print f[2] }' "$TOP/ci/bases.tsv")
mkdir -p "$TMP/mirror/pool/main/l/linux"
echo "not a kernel" >"$TMP/mirror/pool/main/l/linux/linux_$ver.orig.tar.xz"
IPI_FP_DEBIAN_MIRROR=file://$TMP/mirror expect_fail 'SHA-256 differs' \
	"$TOP/scripts/get-base.sh" "$row"
! ls "$IPI_FP_CACHE/downloads/linux_$ver.orig.tar.xz"* 2>/dev/null ||
	{ echo "the tarball that failed its SHA-256 was kept"; exit 1; }
echo "as expected: nothing kept under downloads/"
