# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
# Shared settings for the ipi_fp scripts. Source it; it does nothing else.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${IPI_FP_CACHE:-$TOP/.cache}
SYSROOT_PPC=$CACHE/sysroot/ppc64el
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_NOHASHDIR=1

die() {
	echo "error: $(basename "$0"): $*" >&2
	exit 1
}

log() {
	echo "[$(basename "$0" .sh)] $*" >&2
}

# arch_setup ARCH: set the per-architecture variables the scripts use.
arch_setup() {
	ARCH_NAME=$1
	case "$ARCH_NAME" in
	ppc64le)
		KARCH=powerpc
		SRCARCH=powerpc
		CROSS=powerpc64le-linux-gnu-
		CROSS_PKG=gcc-powerpc64le-linux-gnu
		KIMAGE=vmlinux
		QEMU=qemu-system-ppc64
		BUSYBOX=$SYSROOT_PPC/bin/busybox
		;;
	x86_64)
		KARCH=x86_64
		SRCARCH=x86
		CROSS=
		CROSS_PKG=gcc
		KIMAGE=arch/x86/boot/bzImage
		QEMU=qemu-system-x86_64
		BUSYBOX=/bin/busybox
		;;
	*)
		die "unknown architecture '$ARCH_NAME' (known: ppc64le x86_64)"
		;;
	esac
}

# need_cmd CMD PACKAGE: fail with the package to install if CMD is missing.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found; install it with 'make deps' (Debian package $2)"
}
