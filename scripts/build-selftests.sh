#!/usr/bin/env bash
# build-selftests.sh ARCH TREE OUTDIR [KDIR]: build the ipi_fp kselftests
# of TREE for ARCH, statically linked (the guest has no shared libraries),
# with 'make -C tools/testing/selftests TARGETS=ipi_fp install' into OUTDIR.
# KDIR is the guest kernel's build directory, for the test module. The
# tree's own selftests/vm/gup_test goes beside them (OUTDIR/ipi_fp/), for
# the cost program's pin-against-reference rows (6.1 trees).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: build-selftests.sh ARCH TREE OUTDIR [KDIR]"
arch_setup "${1:?$usage}"
tree=$(cd "${2:?$usage}" && pwd)
outdir=${3:?$usage}
kdir=${4:-/nonexistent}
cross=${CROSS_COMPILE-$CROSS}
command -v "${cross}gcc" >/dev/null 2>&1 ||
	die "compiler ${cross}gcc not found; install Debian package $CROSS_PKG ('make deps')"
[ -d "$tree/tools/testing/selftests/ipi_fp" ] ||
	die "$tree has no tools/testing/selftests/ipi_fp: the selftest patch is not applied"

cflags='' ldflags=-static
if [ "$KARCH" = powerpc ]; then
	[ -f "$SYSROOT_PPC/.done" ] || die "ppc64el sysroot missing; run 'make deps'"
	cflags="-I$SYSROOT_PPC/usr/include"
	ldflags="-static -L$SYSROOT_PPC/usr/lib/powerpc64le-linux-gnu"
fi
# HAVE_LIBURING=1: the guests must run the io_uring cases, so a build
# without liburing fails here instead of skipping them there.
rm -rf "$outdir"
mkdir -p "$(dirname "$outdir")"
log "$ARCH_NAME $(basename "$tree"): building ipi_fp selftests"
CFLAGS=$cflags LDFLAGS=$ldflags make -C "$tree/tools/testing/selftests" \
	TARGETS=ipi_fp ARCH="$KARCH" CROSS_COMPILE="$cross" KDIR="$kdir" HAVE_LIBURING=1 \
	O="$tree/build-$ARCH_NAME-kselftest" INSTALL_PATH="$outdir" install \
	>"$outdir.log" 2>&1 ||
	die "selftest build failed; last lines of $outdir.log:"$'\n'"$(tail -n 20 "$outdir.log")"
# 6.1's gup_test.c builds alone; later trees moved it to selftests/mm/ with
# helpers that need the tree's exported headers: the cost mode measures
# 6.1 bases only, and elsewhere its gup rows say that gup_test is missing.
# The guests' third-party noise (scripts/guest/noise.c, the -noisy cells):
# beside the tests, not one of them.
# shellcheck disable=SC2086 # $cflags and $ldflags are lists of options
"${cross}gcc" -O2 -Wall $cflags -o "$outdir/noise" "$TOP/scripts/guest/noise.c" \
	$ldflags -lpthread >>"$outdir.log" 2>&1 ||
	die "noise build failed; last lines of $outdir.log:"$'\n'"$(tail -n 20 "$outdir.log")"
vm=$tree/tools/testing/selftests/vm
if [ -f "$vm/gup_test.c" ]; then
	# shellcheck disable=SC2086 # $cflags and $ldflags are lists of options
	"${cross}gcc" -O2 $cflags -I"$tree" -I"$vm" -o "$outdir/ipi_fp/gup_test" \
		"$vm/gup_test.c" $ldflags -lpthread >>"$outdir.log" 2>&1 ||
		die "gup_test build failed; last lines of $outdir.log:"$'\n'"$(tail -n 20 "$outdir.log")"
fi
