#!/usr/bin/env bash
# fstests/setup-rootfs.sh TREE: make-rootfs.sh's SETUP for make fstests.
# Puts the xfstests source of IPI_FP_FSTESTS_SRC (a work tree or a git
# directory, see source_tree in lib.sh) into TREE/opt/xfstests, builds it
# there (chroot: the tree's own compiler and libraries, so the programs
# match the guest's user space), and adds the users and group fstests'
# README asks for (fsgqa, fsgqa2, 123456-fsgqa).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

tree=${1:?usage: fstests/setup-rootfs.sh TREE}
[ -d "$tree/usr/bin" ] || die "$tree is not an unpacked root file system"
source_tree "${IPI_FP_FSTESTS_SRC:?IPI_FP_FSTESTS_SRC: the xfstests source}" check xfstests
dst=$tree/opt/xfstests
rm -rf "$dst"
mkdir -p "$dst"
source_export "$dst"
echo "$SRC_DESCRIBE" >"$dst/ipi_fp-version"
mount -t proc proc "$tree/proc" || die "cannot mount proc in $tree"
trap 'umount "$tree/proc"' EXIT
chroot "$tree" /bin/sh -ec "cd /opt/xfstests && make -j$(nproc)" ||
	die "building xfstests in the root file system failed"
for p in ltp/fsx src/aio-dio-regress/aio-dio-write-verify; do
	[ -x "$dst/$p" ] || die "xfstests built without $p (libaio-dev missing?)"
done
for u in fsgqa fsgqa2 123456-fsgqa; do
	chroot "$tree" useradd -m "$u" || die "useradd $u failed"
done
