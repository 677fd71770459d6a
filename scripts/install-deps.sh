#!/usr/bin/env bash
# install-deps.sh [real-client|fstests|lava|libuv-soak|ltp-dio]: install everything the
# pipeline needs, with apt-get. Idempotent; it needs root only when
# something is missing. 'real-client' adds what make real-client needs
# besides (mmdebstrap and qemu-user for the ppc64el MariaDB root file
# system, e2fsprogs for its image), 'fstests' the same for make fstests'
# root file system, 'lava' LAVA's dispatcher (lava-run)
# for the LAVA boots (about 150 packages that the QEMU boots do not need),
# 'libuv-soak' cmake for libuv's build, 'ltp-dio' autoconf, automake and
# e2fsprogs for LTP's build and the guests' filesystems.
# The ppc64el liburing and busybox go into a sysroot under the cache
# (apt-get download + dpkg-deb -x), because installing foreign-architecture
# -dev packages fails on version skew between mirrors.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

HOST_PKGS=(
	linux-source-6.1 linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
	cpio kmod xz-utils rsync python3 ccache quilt git
	gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
	qemu-system-ppc qemu-system-x86
	liburing-dev busybox-static sparse file
)
PPC_PKGS=(liburing-dev:ppc64el liburing2:ppc64el busybox-static:ppc64el)
case "${1:-}" in
'') ;;
real-client | fstests) HOST_PKGS+=(mmdebstrap arch-test qemu-user-static binfmt-support e2fsprogs) ;;
lava) HOST_PKGS+=(lava-dispatcher) ;;
libuv-soak) HOST_PKGS+=(cmake) ;;
ltp-dio) HOST_PKGS+=(autoconf automake e2fsprogs) ;;
*) die "unknown argument '$1' (none, real-client, fstests, lava, libuv-soak or ltp-dio)" ;;
esac

export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${HOST_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
foreign=1
dpkg --print-foreign-architectures | grep -qx ppc64el || foreign=
# Everything there: nothing to install, so no need to be root.
if [ ${#missing[@]} -eq 0 ] && [ -n "$foreign" ] && [ -f "$SYSROOT_PPC/.done" ]; then
	log "dependencies present"
	exit 0
fi
[ "$(id -u)" = 0 ] ||
	die "must run as root to install ${missing[*]:-the ppc64el sysroot} (apt-get); try: sudo $0${1:+ $1}"
[ -n "$foreign" ] || {
	log "adding the ppc64el architecture to dpkg (for apt-get download)"
	dpkg --add-architecture ppc64el
	stale=1
}
if [ ${#missing[@]} -gt 0 ] || [ -n "${stale:-}" ] ||
	[ ! -f "$SYSROOT_PPC/.done" ]; then
	log "apt-get update"
	# A partial failure (one mirror index out of sync) is not fatal: the
	# install or download below names any package that cannot be had.
	out=$(apt-get update -q 2>&1) ||
		log "warning: apt-get update: $(echo "$out" | grep -E '^E:' | head -n 1)"
fi
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	for p in "${missing[@]}"; do
		apt-cache show "$p" >/dev/null 2>&1 ||
			die "package $p cannot be had: apt-cache knows no such package"
	done
	out=$(apt-get install -y -q --no-install-recommends "${missing[@]}" 2>&1) ||
		die "apt-get install failed: $(echo "$out" | grep -E '^E:' | head -n 3)"
fi

if [ ! -f "$SYSROOT_PPC/.done" ]; then
	log "building the ppc64el sysroot in $SYSROOT_PPC"
	dl=$(mktemp -d)
	trap 'rm -rf "$dl"' EXIT
	chmod 755 "$dl"
	for p in "${PPC_PKGS[@]}"; do
		out=$(cd "$dl" && apt-get download "$p" 2>&1) ||
			die "apt-get download $p failed: $(echo "$out" | grep -E '^E:' | head -n 2)"
	done
	rm -rf "$SYSROOT_PPC"
	mkdir -p "$SYSROOT_PPC"
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$SYSROOT_PPC"
	done
	[ -x "$SYSROOT_PPC/bin/busybox" ] ||
		die "busybox-static:ppc64el did not provide bin/busybox"
	[ -f "$SYSROOT_PPC/usr/lib/powerpc64le-linux-gnu/liburing.a" ] ||
		die "liburing-dev:ppc64el did not provide liburing.a"
	touch "$SYSROOT_PPC/.done"
fi
log "dependencies present"
