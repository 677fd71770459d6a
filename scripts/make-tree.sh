#!/usr/bin/env bash
# make-tree.sh BASE VARIANT: a git work tree with the variant's patches
# applied on base BASE, at $CACHE/trees/BASE-VARIANT; prints its path.
# Reused as it is when neither the base nor the patches changed; otherwise
# reset with 'git checkout' (unchanged files keep their timestamps, so the
# kernel build directories inside the tree rebuild incrementally).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

base=${1:?usage: make-tree.sh BASE VARIANT}
variant=${2:?usage: make-tree.sh BASE VARIANT}
mapfile -t patches < <("$TOP/scripts/variant-patches.sh" "$base" "$variant")
# Every base first: the selftest patch is made on 6.1 and applies to the
# other bases only by git am's three-way merge, which needs 6.1's blobs in
# the cache repository (a base already there costs a look-up). A base
# that cannot be had does not stop this one: get-base.sh below says what
# this base lacks, if anything.
"$TOP/scripts/get-bases.sh" >/dev/null || true
commit=$("$TOP/scripts/get-base.sh" "$base")
tree=$CACHE/trees/$base-$variant
stamp=$(cat /dev/null "${patches[@]}" | sha1sum | cut -c1-40)
stamp="$commit $stamp"

if [ -f "$tree/.ipi_fp-stamp" ] && [ "$(cat "$tree/.ipi_fp-stamp")" = "$stamp" ]; then
	log "$base-$variant: up to date"
	echo "$tree"
	exit 0
fi
log "$base-$variant: checking out base $base"
checkout_tree "$tree" "$commit"
rm -f "$tree/.ipi_fp-stamp"
"$TOP/scripts/apply-series.sh" "$tree" "${patches[@]}"
echo "$stamp" >"$tree/.ipi_fp-stamp"
echo "$tree"
