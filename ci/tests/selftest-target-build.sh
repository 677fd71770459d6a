#!/usr/bin/env bash
# The card's own command on a tree as a user has it: a work tree of each
# base with the selftest patch applied, then, as kselftest documents,
# 'make -C tools/testing/selftests TARGETS=ipi_fp', 'install' and 'clean'
# in-tree (KDIR at a built x86_64 kernel: the module must be built), with
# O= (the kernel build directory: the module's KDIR by default), and cross
# for ppc64le; afterwards git sees the tree exactly as committed. Without
# a built kernel the module is left out with a warning, never built
# against the running kernel. liburing is found where it is installed
# (native and cross); without it (HAVE_LIBURING=0) the build still
# succeeds, warns, and fpu_io_worker skips saying why.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib.sh
. "$TOP/scripts/lib.sh"

# user_tree BASE: a work tree of its own (the matrix's are not touched) at
# the unpatched cell's commit: BASE with the selftest patch applied.
user_tree() {
	local cell
	cell=$("$TOP/scripts/make-tree.sh" "$1" unpatched 2>/dev/null)
	checkout_tree "$CACHE/trees/user-$1" "$(git -C "$cell" rev-parse HEAD)"
	echo "$CACHE/trees/user-$1"
}
# clean_as_git TREE WHAT: the tree has no change and no untracked file.
clean_as_git() {
	local st
	st=$(git -C "$1" status --porcelain --untracked-files=all)
	[ -z "$st" ] || { echo "$2: the tree is not as git has it:"; echo "$st"; exit 1; }
}
ksft() {
	make -C "$tree/tools/testing/selftests" TARGETS=ipi_fp "$@" >>"$TMP/make.log" 2>&1 ||
		{ echo "make $* failed:"; tail -n 20 "$TMP/make.log"; exit 1; }
}

# The x86_64 6.1.192 kernel of the matrix, for the module.
cell=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched 2>/dev/null)
image=$("$TOP/scripts/build-kernel.sh" x86_64 "$cell" 2>/dev/null)
kdir=$(cat "$(dirname "$image")/builddir")
progs="fpu_io_worker icr_nested_ipi odirect_fork cost"

for base in 6.1.192 6.12.117; do
	tree=$(user_tree "$base")
	sd=$tree/tools/testing/selftests/ipi_fp
	# in-tree, module against the built kernel
	ksft KDIR="$kdir"
	for f in $progs ipi_fp_icr.ko; do
		[ -f "$sd/$f" ] || { echo "$base in-tree: $f not built"; exit 1; }
	done
	ksft KDIR="$kdir" INSTALL_PATH="$TMP/install-$base" install
	for f in $progs ipi_fp_icr.ko; do
		[ -f "$TMP/install-$base/ipi_fp/$f" ] || { echo "$base: $f not installed"; exit 1; }
	done
	! grep -q 'liburing not found' "$TMP/make.log" || { echo "$base: liburing not found"; exit 1; }
	ksft KDIR="$kdir" clean
	clean_as_git "$tree" "$base in-tree build, install, clean"
	# in-tree, no built kernel anywhere: no module, a warning, no failure
	: >"$TMP/make.log"
	ksft KDIR=
	grep -q 'ipi_fp_icr.ko is not built' "$TMP/make.log" ||
		{ echo "$base: no warning without a built kernel"; exit 1; }
	[ ! -e "$sd/ipi_fp_icr.ko" ] || { echo "$base: module built without a kernel"; exit 1; }
	ksft clean
	clean_as_git "$tree" "$base in-tree build without a kernel, clean"
done

# O= the kernel's build directory, as 'make O=DIR kselftest' gives it: the
# selftests go to DIR/kselftest/ipi_fp and the module's KDIR is DIR.
tree=$(user_tree 6.1.192)
out=$kdir/kselftest/ipi_fp
trap 'rm -rf "$TMP" "$kdir/kselftest"' EXIT
ksft O="$kdir"
for f in $progs ipi_fp_icr.ko; do
	[ -f "$out/$f" ] || { echo "O=: $f not built in $out"; exit 1; }
done
ksft O="$kdir" clean
[ -z "$(find "$out" -type f)" ] || { echo "O= clean left:"; find "$out" -type f; exit 1; }
clean_as_git "$tree" "O= build and clean"

# cross, ppc64le, static against the sysroot's liburing
arch_setup ppc64le
ksft ARCH=powerpc CROSS_COMPILE="$CROSS" CFLAGS="-I$SYSROOT_PPC/usr/include" \
	LDFLAGS="-static -L$SYSROOT_PPC/usr/lib/powerpc64le-linux-gnu"
for f in $progs; do
	file "$tree/tools/testing/selftests/ipi_fp/$f" | grep -q '64-bit LSB.*PowerPC' ||
		{ echo "cross: $f is not a ppc64le program"; exit 1; }
done
[ ! -e "$tree/tools/testing/selftests/ipi_fp/ipi_fp_icr.ko" ] || { echo "cross: x86 module built for powerpc"; exit 1; }
! grep -q 'liburing not found' "$TMP/make.log" || { echo "cross: the sysroot's liburing not found"; exit 1; }
ksft ARCH=powerpc CROSS_COMPILE="$CROSS" clean
clean_as_git "$tree" "cross build and clean"

# without liburing: built, a warning, fpu_io_worker skips with the reason
: >"$TMP/make.log"
ksft KDIR= HAVE_LIBURING=0
grep -q 'liburing not found' "$TMP/make.log" || { echo "no warning without liburing"; exit 1; }
rc=0
skip=$("$tree/tools/testing/selftests/ipi_fp/fpu_io_worker" -r 1) || rc=$?
if [ "$rc" != 4 ] || ! grep -q '^ok 1 .* # SKIP .*built without liburing' <<<"$skip"; then
	echo "fpu_io_worker without liburing (exit $rc):"
	echo "$skip"
	exit 1
fi
ksft clean
clean_as_git "$tree" "build without liburing and clean"
echo "in-tree (6.1.192, 6.12.117), O=, cross ppc64le and without liburing: built, installed, cleaned to git's tree; module from the tree's kernel only"
