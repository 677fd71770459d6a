#!/usr/bin/env bash
# kernel-suites/build.sh ARCH TREE OUTDIR: the kernel's own selftests that
# guard the series against regressions, statically linked for ARCH, into
# OUTDIR with scripts/kernel-suites/guest-run.sh as OUTDIR/run.sh and the list
# of programs it runs, OUTDIR/list ("NAME SECONDS PROGRAM ARGS", one a
# line; NAME is the program's path in the suite and its arguments):
#  - TREE's (6.1) tools/testing/selftests/vm: the gup_test runs of its
#    run_vmtests.sh and the tests of that script which need no extra
#    kernel options, no hugetlbfs mount and no more than the guest's 2 GiB
#    (madv_populate, map_*, mlock2-tests, mremap_dontunmap, mrelease_test,
#    split_huge_page_test);
#  - tools/testing/selftests/mm/cow.c of the 6.12.117 tree: the matrix of
#    COW and pinning cases upstream wrote after 6.1 for the rules the
#    series leans on (anon-exclusive pages, pins across fork()), built
#    against that tree's uapi headers; it skips what 6.1 lacks;
#  - ppc64le: TREE's tools/testing/selftests/powerpc/math.
# IPI_FP_SUITES_LEAVE_OUT (shell patterns, space separated) leaves the
# programs it names out of the list (make check: the powerpc/math
# *_preempt programs, 20 s each of waiting for preemption in code the
# 6.1.y series does not touch).
# Each tree's uapi headers are installed once under $CACHE/uapi
# (uapi_headers, lib.sh).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: kernel-suites/build.sh ARCH TREE OUTDIR"
arch_setup "${1:?$usage}"
tree=$(cd "${2:?$usage}" && pwd)
outdir=${3:?$usage}
cross=${CROSS_COMPILE-$CROSS}
command -v "${cross}gcc" >/dev/null 2>&1 ||
	die "compiler ${cross}gcc not found; install Debian package $CROSS_PKG ('make deps')"
vm=$tree/tools/testing/selftests/vm
[ -f "$vm/gup_test.c" ] || die "$tree has no tools/testing/selftests/vm/gup_test.c (not a 6.1 tree)"

flags=$(static_flags) || exit
mapfile -t sysflags <<<"$flags"

rm -rf "$outdir"
mkdir -p "$outdir"
buildlog="$outdir.log"
: >"$buildlog"
# build_prog OUT ARGS...: one static program from gcc ARGS.
build_prog() {
	local out=$1
	shift
	"${cross}gcc" -O2 -o "$outdir/$out" "$@" "${sysflags[@]}" >>"$buildlog" 2>&1 ||
		die "building $out failed; last lines of $buildlog:"$'\n'"$(tail -n 20 "$buildlog")"
}

log "$ARCH_NAME $(basename "$tree"): building the kernel's own selftests"
inc61=$(uapi_headers "$tree") || exit
mkdir -p "$outdir/vm"
build_prog vm/gup_test -isystem "$inc61" -I"$tree" -I"$vm" "$vm/gup_test.c" -lpthread
for p in madv_populate map_fixed_noreplace map_populate map_hugetlb mlock2-tests \
	mremap_dontunmap mrelease_test split_huge_page_test; do
	build_prog "vm/$p" -isystem "$inc61" -I"$vm" "$vm/$p.c" "$vm/vm_util.c" -lpthread
done
{
	echo "vm/gup_test_-u 300 vm/gup_test -u"
	echo "vm/gup_test_-a 300 vm/gup_test -a"
	echo "vm/gup_test_-ct_-F_0x1_0_19_0x1000 300 vm/gup_test -ct -F 0x1 0 19 0x1000"
	# map_hugetlb maps 16 MiB, not its default 256: run.sh reserves 16
	# huge pages.
	for p in madv_populate map_fixed_noreplace map_populate map_hugetlb mlock2-tests \
		mremap_dontunmap mrelease_test split_huge_page_test; do
		[ "$p" = map_hugetlb ] && p+=" 16"
		echo "vm/${p// /_} 300 vm/$p"
	done
} >"$outdir/list"

# cow.c of the 6.12.117 tree (make-tree.sh makes or reuses it).
if t612=$("$TOP/scripts/make-tree.sh" 6.12.117 unpatched 2>>"$buildlog"); then
	mm=$t612/tools/testing/selftests/mm
	inc612=$(uapi_headers "$t612") || exit
	mkdir -p "$outdir/mm" "$outdir/cow-config"
	# What the suite's check_config.sh finds on a system with liburing.
	echo '#define LOCAL_CONFIG_HAVE_LIBURING 1' >"$outdir/cow-config/local_config.h"
	build_prog mm/cow -isystem "$inc612" -I"$outdir/cow-config" -I"$mm" \
		"$mm/cow.c" "$mm/vm_util.c" "$mm/thp_settings.c" -luring
	rm -rf "$outdir/cow-config"
	echo "mm/cow 600 mm/cow" >>"$outdir/list"
else
	log "no 6.12.117 tree for mm/cow.c (see $buildlog): the suites run without it"
fi

[ "$KARCH" != powerpc ] || powerpc_selftests "$tree" "$outdir" "$buildlog" >>"$outdir/list"
# IPI_FP_SUITES_LEAVE_OUT: names (shell patterns) the run leaves out.
leave_out "$outdir/list"
cp "$TOP/scripts/kernel-suites/guest-run.sh" "$outdir/run.sh"
chmod 755 "$outdir/run.sh"
