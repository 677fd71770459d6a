#!/usr/bin/env bash
# profile/build-fio.sh ARCH: a static fio for the make profile guests,
# built once into $CACHE/fio and its path printed. fio is Debian's (the
# orig tarball of source package fio 3.33-3, checked against the SHA-256
# its .dsc lists); Debian's binary package links a dozen libraries (rbd,
# rados, gluster, pmem, rdma...) a busybox guest does not have, so it is
# built here static with only what the rows use: psync, libaio (libaio's
# static library from Debian's libaio-dev for ARCH, fetched with
# apt-get download) and io_uring (fio's own system calls); without
# System V shared memory, which the guest kernels do not have (fio's jobs
# are threads then).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

arch_setup "${1:?usage: build-fio.sh ARCH}"
version=3.33
orig=fio_$version.orig.tar.gz
orig_sha256=d2410e13e0f379d061d077cc5ae325835bb7c6186aa7bafc1df954cbc9b014fc
pool=${IPI_FP_DEBIAN_MIRROR:-http://deb.debian.org/debian}/pool/main/f/fio
dir=$CACHE/fio
out=$dir/$ARCH_NAME-$version/fio
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"
mkdir -p "$dir"
fetch_checked "$pool/$orig" "$dir/$orig" "$orig_sha256"
case "$ARCH_NAME" in
x86_64) deb_arch=amd64 triplet=x86_64-linux-gnu ;;
ppc64le) deb_arch=ppc64el triplet=powerpc64le-linux-gnu ;;
esac
aio=$dir/libaio-$deb_arch
if [ ! -f "$aio/usr/lib/$triplet/libaio.a" ]; then
	log "fetching libaio-dev:$deb_arch (apt-get download)"
	rm -rf "$aio" "$dir/deb-$deb_arch"
	mkdir -p "$aio" "$dir/deb-$deb_arch"
	chmod 777 "$dir/deb-$deb_arch" # apt's _apt user writes the download
	msg=$(cd "$dir/deb-$deb_arch" && apt-get download "libaio-dev:$deb_arch" 2>&1) ||
		die "apt-get download libaio-dev:$deb_arch failed: $(grep -E '^E:' <<<"$msg" | head -n 2)"
	dpkg-deb -x "$dir/deb-$deb_arch"/libaio-dev_*.deb "$aio"
	rm -rf "$dir/deb-$deb_arch"
	[ -f "$aio/usr/lib/$triplet/libaio.a" ] || die "libaio-dev:$deb_arch has no libaio.a"
fi
build=$dir/build-$ARCH_NAME
rm -rf "$build"
mkdir -p "$build"
tar -xzf "$dir/$orig" -C "$build" --strip-components=1
log "building fio $version for $ARCH_NAME (static)"
(
	cd "$build"
	LDFLAGS="-L$aio/usr/lib/$triplet" ./configure --cc="${CROSS}gcc" \
		--build-static --disable-native --extra-cflags="-I$aio/usr/include" \
		--disable-numa --disable-rdma --disable-rados --disable-rbd --disable-http \
		--disable-gfapi --disable-libnfs --disable-pmem --disable-tcmalloc \
		--disable-dfs --disable-xnvme --disable-libzbc --disable-shm >configure.log 2>&1 ||
		die "fio's configure failed: see $build/configure.log"
	grep -q '^#define CONFIG_LIBAIO' config-host.h ||
		die "fio's configure found no libaio (see $build/configure.log)"
	make -j"$(nproc)" fio >make.log 2>&1 || die "building fio failed: see $build/make.log"
) || exit
mkdir -p "$(dirname "$out")"
cp "$build/fio" "$out.tmp"
"${CROSS}strip" "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$build"
echo "$out"
