#!/usr/bin/env bash
# variant-patches.sh BASE VARIANT: print the patches (paths) a variant of
# base BASE applies. The base's series file (ci/bases.tsv) lists them.
#   unpatched       the selftest patches of the series only (no kernel change)
#   patched         the whole series
#   patched-debug   the whole series; the kernel adds kconfig/debug.config
#   control-lwsync  the selftest patches plus the barrier-before-IPI patch
#                   proposed on linuxppc-dev (negative control)
#   blk-map-backport the selftest patches plus the 6.1.y backport of upstream
#                   5905afc2c7bb (patches/blk-map-same-page-6.1.y/; make
#                   blk-map-leak)
# A variant may end in a boot suffix (-physflat or -noisy, see
# scripts/run-matrix.sh): it applies the patches of the variant without it.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: variant-patches.sh BASE unpatched|patched|patched-debug|control-lwsync|blk-map-backport[-physflat|-noisy]"
base=${1:?$usage}
variant=${2:?$usage}
series=$(awk -F'\t' -v n="$base" '$1 == n { print $5 }' "$TOP/ci/bases.tsv")
[ -n "$series" ] || die "base '$base' (with a series column) is not in ci/bases.tsv"
series=$TOP/$series
[ -f "$series" ] || die "$series not found"
mapfile -t all < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$series")

selftests() {
	local p
	for p in "${all[@]}"; do
		case "$p" in *selftests*) echo "$TOP/$p" ;; esac
	done
}

v=${variant%-noisy}
case "${v%-physflat}" in
unpatched) selftests ;;
patched | patched-debug) printf "$TOP/%s\n" "${all[@]}" ;;
control-lwsync)
	selftests
	echo "$TOP/ci/controls/powerpc-lwsync-before-reschedule-ipi.patch"
	;;
blk-map-backport)
	selftests
	ls "$TOP"/patches/blk-map-same-page-6.1.y/[0-9][0-9][0-9][0-9]-*.patch
	;;
*) die "unknown variant '$variant' (unpatched, patched, patched-debug, control-lwsync, blk-map-backport; optionally -physflat or -noisy)" ;;
esac
