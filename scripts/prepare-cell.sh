#!/usr/bin/env bash
# prepare-cell.sh ARCH BASE VARIANT TIMINGS: what one cell boots. The work
# tree of the variant's patches on BASE (make-tree.sh), its kernel
# (build-kernel.sh; a variant ending in -debug adds kconfig/debug.config
# and kconfig/debug-ARCH.config), its ipi_fp selftests and their
# initramfs. Prints "KERNEL INITRD KUNIT" (KUNIT: the tree's KTAP parser
# directory) and appends one line "PHASE ARCH-BASE-VARIANT SECONDS" per
# step to TIMINGS (phases: base+tree, kernel, selftests, upstream-math,
# upstream-mm, kernel-suites, initramfs). With
# IPI_FP_WITH_KERNEL_SUITES=1 the initramfs also carries the kernel's own
# selftests (kernel-suites/build.sh). Each step reuses what is already
# built for the same sources. Exits 3 when
# BASE does not apply to KSRC.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: prepare-cell.sh ARCH BASE VARIANT TIMINGS"
arch=${1:?$usage}
base=${2:?$usage}
variant=${3:?$usage}
timings=${4:?$usage}
id=$arch-$base-$variant
# step PHASE CMD...: run CMD, append its time to TIMINGS.
step() {
	local phase=$1 start=$SECONDS rc=0
	shift
	"$@" || rc=$?
	echo "$phase $id $((SECONDS - start))" >>"$timings"
	return "$rc"
}
tree=$(step base+tree "$TOP/scripts/make-tree.sh" "$base" "$variant") || exit
debug=
if [[ "$variant" == *-debug ]]; then
	debug=$TOP/kconfig/debug.config
	[ -f "$TOP/kconfig/debug-$arch.config" ] && debug+=" $TOP/kconfig/debug-$arch.config"
fi
kernel=$(IPI_FP_EXTRA_CONFIG=$debug step kernel "$TOP/scripts/build-kernel.sh" "$arch" "$tree")
ksft=$CACHE/kselftest/$id
step selftests "$TOP/scripts/build-selftests.sh" "$arch" "$tree" "$ksft" \
	"$(cat "$(dirname "$kernel")/builddir")"
# ppc64le: upstream's own FP/VMX tests (6.12.117's powerpc/math) beside
# them; every arch: the proposed mm test (dio_fork). The guest runs them
# with IPI_FP_UPSTREAM=1.
if [ "$arch" = ppc64le ]; then
	step upstream-math "$TOP/scripts/upstream-math/build.sh" "$ksft/upstream"
else
	rm -rf "$ksft/upstream"
fi
step upstream-mm "$TOP/scripts/upstream-mm/build.sh" "$arch" "$ksft/upstream"
# IPI_FP_WITH_KERNEL_SUITES=1: the kernel's own selftests go beside them.
if [ "${IPI_FP_WITH_KERNEL_SUITES:-}" = 1 ]; then
	step kernel-suites "$TOP/scripts/kernel-suites/build.sh" "$arch" "$tree" \
		"$ksft/kernel-suites"
fi
initrd=$CACHE/initramfs/$id.cpio.gz
mkdir -p "$CACHE/initramfs"
step initramfs "$TOP/scripts/make-initramfs.sh" "$arch" "$ksft" "$initrd"
echo "$kernel $initrd $tree/tools/testing/kunit"
