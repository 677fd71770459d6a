#!/usr/bin/env bash
# make-initramfs.sh ARCH KSELFTEST_DIR OUT [INIT]: a gzip'ed cpio with
# busybox, the installed kselftests (from 'make -C tools/testing/selftests
# install'; with another INIT, any directory of programs) in /kselftest,
# INIT (default scripts/guest/init.sh) as /init and
# scripts/guest/timeout.sh as /usr/bin/timeout (run_kselftest.sh's per-test
# timeout).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

arch_setup "${1:?usage: make-initramfs.sh ARCH KSELFTEST_DIR OUT [INIT]}"
ksft=${2:?usage: make-initramfs.sh ARCH KSELFTEST_DIR OUT [INIT]}
out=${3:?usage: make-initramfs.sh ARCH KSELFTEST_DIR OUT [INIT]}
init=${4:-$TOP/scripts/guest/init.sh}
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found; run 'make deps'"
[ "$init" != "$TOP/scripts/guest/init.sh" ] || [ -f "$ksft/run_kselftest.sh" ] ||
	die "$ksft has no run_kselftest.sh"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,usr/bin}
cp "$BUSYBOX" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp -r "$ksft" "$root/kselftest"
cp "$init" "$root/init"
cp "$TOP/scripts/guest/timeout.sh" "$root/usr/bin/timeout"
chmod 755 "$root/init" "$root/usr/bin/timeout"
# mktemp's directories are 0700: a user that is not root must reach the
# shell and the tests (ci/tests/unprivileged-run.sh).
chmod -R a+rX "$root"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -n -1 >"$out.tmp"
mv "$out.tmp" "$out"
