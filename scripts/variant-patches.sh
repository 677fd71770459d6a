#!/usr/bin/env bash
# variant-patches.sh VARIANT: print the patches (paths) a variant applies.
#   unpatched       the selftest patches of the series only (no kernel change)
#   patched         the whole series
#   patched-debug   the whole series; the kernel adds kconfig/debug.config
#   control-lwsync  the selftest patches plus the barrier-before-IPI patch
#                   proposed on linuxppc-dev (negative control)
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

series=$TOP/patches/series
[ -f "$series" ] || die "$series not found"
mapfile -t all < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$series")

selftests() {
	local p
	for p in "${all[@]}"; do
		case "$p" in *selftests*) echo "$TOP/patches/$p" ;; esac
	done
}

case "${1:?usage: variant-patches.sh unpatched|patched|patched-debug|control-lwsync}" in
unpatched) selftests ;;
patched | patched-debug) printf "$TOP/patches/%s\n" "${all[@]}" ;;
control-lwsync)
	selftests
	echo "$TOP/ci/controls/powerpc-lwsync-before-reschedule-ipi.patch"
	;;
*) die "unknown variant '$1' (unpatched, patched, patched-debug, control-lwsync)" ;;
esac
