#!/usr/bin/env bash
# make fstests refuses bad settings before it builds or boots anything:
# no xfstests source, a directory that is not one, a filesystem or set it
# does not know; make-rootfs.sh refuses an unknown architecture or name
# and a SETUP that is not a script.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/fstests/run.sh
mkdir -p "$TMP/empty" "$TMP/xfstests"
touch "$TMP/xfstests/check"
expect_fail 'XFSTESTS_SRC=DIR: an xfstests source tree or git directory' env -u XFSTESTS_SRC "$R"
expect_fail "$TMP/empty is not a source tree or git directory of xfstests \(no check\)" \
	env XFSTESTS_SRC="$TMP/empty" "$R"
expect_fail 'IPI_FP_FSTESTS_FS=ext2,btrfs: ext2, vfat, ext4 or xfs' \
	env XFSTESTS_SRC="$TMP/xfstests" IPI_FP_FSTESTS_FS=ext2,btrfs "$R"
expect_fail 'IPI_FP_FSTESTS_SET=auto: dio or dio-quick' env XFSTESTS_SRC="$TMP/xfstests" IPI_FP_FSTESTS_SET=auto "$R"
expect_fail 'IPI_FP_FSTESTS_TESTS=generic/1;x: tests as generic/NNN' \
	env XFSTESTS_SRC="$TMP/xfstests" IPI_FP_FSTESTS_TESTS='generic/1;x' "$R"
expect_fail 'IPI_FP_FSTESTS_EXCLUDE=615: tests as generic/NNN' \
	env XFSTESTS_SRC="$TMP/xfstests" IPI_FP_FSTESTS_EXCLUDE=615 "$R"
M=$TOP/scripts/make-rootfs.sh
expect_fail "unknown architecture 'sparc'" "$M" sparc fstests bash bash
expect_fail "NAME 'Bad name'" "$M" x86_64 'Bad name' bash bash
expect_fail "SETUP script $TMP/none is not an executable file" "$M" x86_64 fstests bash bash "$TMP/none"
echo "make fstests and make-rootfs.sh refuse bad settings up front"
