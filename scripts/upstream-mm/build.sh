#!/usr/bin/env bash
# upstream-mm/build.sh ARCH OUTDIR: the mm selftest that
# patches/selftests-mm-dio-fork proposes (dio_fork: O_DIRECT reads in
# flight across fork()), built the way a user builds it: the patch applied
# with 'git apply' to a copy of 6.12.117's tools/, then 'make' in
# tools/testing/selftests/mm for that one program, static, for ARCH.
# Installs it as OUTDIR/proposed/mm/dio_fork and appends its line to
# OUTDIR/list, the list of kernel-suites/guest-run.sh, which it installs
# as OUTDIR/run.sh where upstream-math/build.sh did not. The test guest
# runs it with IPI_FP_UPSTREAM=1 (guest/init.sh); parse-results.py gives
# its KTAP output the verdict proposed_mm.dio_fork. Built once per
# 6.12.117 selftest tree, patch, compiler and arch, under
# $CACHE/upstream-mm.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: upstream-mm/build.sh ARCH OUTDIR"
arch_setup "${1:?$usage}"
outdir=${2:?$usage}
cross=${CROSS_COMPILE-$CROSS}
command -v "${cross}gcc" >/dev/null 2>&1 ||
	die "compiler ${cross}gcc not found; install Debian package $CROSS_PKG ('make deps')"
t612=$("$TOP/scripts/make-tree.sh" 6.12.117 unpatched) ||
	die "no 6.12.117 tree: the proposed mm selftest cannot be built"
proposed="selftests-mm-dio-fork"
sub=$TOP/patches/$proposed
flags=$(static_flags) || exit
key=$( {
	git -C "$t612" rev-parse HEAD:tools
	cat "$sub"/0*.patch "$0"
	"${cross}gcc" --version | head -n 1
	echo "$ARCH_NAME $flags"
} | sha1sum | cut -c1-16)
built=$CACHE/upstream-mm/$ARCH_NAME-$key
if [ ! -f "$built/list" ]; then
	log "$ARCH_NAME: building the mm selftest of patches/selftests-mm-dio-fork on 6.12.117's"
	rm -rf "$built"
	mkdir -p "$built/proposed/mm"
	scratch=$(mktemp -d)
	git -C "$t612" archive HEAD tools mm/gup_test.h | tar -x -C "$scratch"
	git -C "$scratch" apply "$sub"/0*.patch ||
		die "patches/selftests-mm-dio-fork does not apply to 6.12.117's selftests"
	mm=$scratch/tools/testing/selftests/mm
	# The tree's uapi headers, as 'make -C tools/testing/selftests'
	# installs them (KHDR_INCLUDES): the compiler's own lack powerpc's
	# __vector128 behind tools/include's <linux/types.h>.
	inc=$(uapi_headers "$t612") || exit
	# What check_config.sh finds on a system with liburing (it runs the
	# compiler without the include path of the ppc64el sysroot).
	echo '#define LOCAL_CONFIG_HAVE_LIBURING 1' >"$mm/local_config.h"
	echo 'IOURING_EXTRA_LIBS = -luring' >"$mm/local_config.mk"
	# static_flags: -static, then the sysroot's -I and -L (ppc64le).
	# A make of its own (not a sub-make of 'make check', where lib.mk
	# leaves OUTPUT unset), with OUTPUT said anyway.
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		make -s -C "$mm" OUTPUT="$mm" ARCH="$KARCH" CROSS_COMPILE="$cross" KHDR_INCLUDES="-isystem $inc" \
		EXTRA_CFLAGS="$(grep -- '^-I' <<<"$flags" | tr '\n' ' ')" \
		LDFLAGS="$(grep -v -- '^-I' <<<"$flags" | tr '\n' ' ')" \
		"$mm/dio_fork" >"$built.log" 2>&1 ||
		die "building the proposed mm/dio_fork failed; last lines of $built.log:"$'\n'"$(tail -n 20 "$built.log")"
	cp "$mm/dio_fork" "$built/proposed/mm/"
	rm -rf "$scratch"
	echo "proposed/mm/dio_fork 300 proposed/mm/dio_fork" >"$built/list"
fi
mkdir -p "$outdir/proposed"
cp -r "$built/proposed/mm" "$outdir/proposed/"
# Its line once, however often the cell is prepared.
touch "$outdir/list"
grep -vxF -f "$built/list" "$outdir/list" >"$outdir/list.new" || true
cat "$built/list" >>"$outdir/list.new"
mv "$outdir/list.new" "$outdir/list"
if [ ! -x "$outdir/run.sh" ]; then
	cp "$TOP/scripts/kernel-suites/guest-run.sh" "$outdir/run.sh"
	chmod 755 "$outdir/run.sh"
fi
