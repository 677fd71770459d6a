#!/usr/bin/env bash
# A missing cross compiler stops the kernel and selftest builds, naming the
# Debian package to install.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/tree/tools/testing/selftests/ipi_fp"
CROSS_COMPILE=/nonexistent/powerpc64le-linux-gnu- expect_fail \
	'compiler /nonexistent/powerpc64le-linux-gnu-gcc not found; install Debian package gcc-powerpc64le-linux-gnu' \
	"$TOP/scripts/build-kernel.sh" ppc64le "$TMP/tree"
CROSS_COMPILE=/nonexistent/powerpc64le-linux-gnu- expect_fail \
	'gcc not found; install Debian package gcc-powerpc64le-linux-gnu' \
	"$TOP/scripts/build-selftests.sh" ppc64le "$TMP/tree" "$TMP/out"
expect_fail "unknown architecture 'sparc'" "$TOP/scripts/build-kernel.sh" sparc "$TMP/tree"
