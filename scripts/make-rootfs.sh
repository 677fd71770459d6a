#!/usr/bin/env bash
# make-rootfs.sh ARCH NAME PACKAGES KEYED [SETUP [INPUT]]: print the path of
# an ext4 image holding a Debian bookworm root file system for ARCH
# (ppc64le or x86_64) with PACKAGES (comma separated, on top of the apt
# variant), for the targets that boot a real Debian user space (make
# real-client, make fstests). Built once with mmdebstrap (foreign binaries
# run through qemu-user via binfmt_misc) from the host's Debian mirror,
# bookworm and bookworm-updates (the security suite's ppc64el index is
# often out of sync), and kept in $CACHE/NAME by a key of: the packages,
# the candidate versions of KEYED (space separated: the packages whose
# version matters, as the host's apt lists give them for ARCH; make deps
# adds ppc64el), the SETUP script's text and INPUT (a string naming what
# SETUP adds, a source commit say). SETUP, when given, runs as
# "SETUP TREE" on the unpacked tree before the image is made (it may
# chroot into it) and fails the build if the tree lacks what NAME needs.
# The image records what it got in /ipi_fp-packages (and IMAGE.packages).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: make-rootfs.sh ARCH NAME PACKAGES KEYED [SETUP [INPUT]]"
arch=${1:?$usage}
name=${2:?$usage}
include=${3:?$usage}
keyed=${4:?$usage}
setup=${5:-}
input=${6:-}
SUITE=bookworm
# Raise when the way the image is made changes (a new image then).
FORMAT=1

case "$arch" in
ppc64le) debarch=ppc64el qemu_user=qemu-ppc64le ;;
x86_64) debarch=amd64 qemu_user= ;;
*) die "unknown architecture '$arch' (ppc64le or x86_64)" ;;
esac
[ "$debarch" = "$(dpkg --print-architecture)" ] && qemu_user=
[[ "$name" =~ ^[a-z0-9-]+$ ]] || die "NAME '$name': lower-case letters, digits and dashes"
[ -z "$setup" ] || [ -x "$setup" ] || die "SETUP script $setup is not an executable file"

need_cmd mmdebstrap mmdebstrap
need_cmd arch-test arch-test
need_cmd mkfs.ext4 e2fsprogs
need_cmd update-binfmts binfmt-support
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, binfmt_misc)"

versions=
for p in $keyed; do
	v=$(apt-cache policy "$p:$debarch" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	case "$v" in '' | '(none)') die "apt knows no $debarch candidate for $p; run 'make deps' (it adds the ppc64el architecture and updates the lists)" ;;
	esac
	versions+="$p=$v "
done
key=$( {
	echo "$FORMAT $debarch $SUITE $include $versions $input"
	[ -z "$setup" ] || cat "$setup"
} | sha1sum | cut -c1-16)
dir=$CACHE/$name
img=$dir/rootfs-$debarch-$key.ext4
if [ -f "$img" ]; then
	log "$name root file system $img already built ($versions$input)"
	echo "$img"
	exit 0
fi

# qemu-user runs the package scripts of a foreign architecture.
if [ -n "$qemu_user" ]; then
	if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
			die "cannot mount binfmt_misc at /proc/sys/fs/binfmt_misc"
	fi
	update-binfmts --enable "$qemu_user" >/dev/null 2>&1 || true
	[ -e "/proc/sys/fs/binfmt_misc/$qemu_user" ] ||
		die "binfmt_misc has no $qemu_user entry; install qemu-user-static and binfmt-support ('scripts/install-deps.sh real-client')"
fi

mirror=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "'$SUITE'" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || die "no Debian mirror found in the host's apt sources"

work=$dir/rootfs-$key.tmp
rm -rf "$work"
mkdir -p "$work"
log "building the $name $debarch root file system from $mirror ($versions$input); about 10 minutes"
start=$SECONDS
mmdebstrap --architectures="$debarch" --variant=apt --include="$include" "$SUITE" "$work/tree" \
	"deb $mirror $SUITE main" "deb $mirror $SUITE-updates main" >"$work/mmdebstrap.log" 2>&1 ||
	die "mmdebstrap failed; last lines of $work/mmdebstrap.log:"$'\n'"$(tail -n 15 "$work/mmdebstrap.log")"
if [ -n "$setup" ]; then
	"$setup" "$work/tree" >"$work/setup.log" 2>&1 ||
		die "$setup failed; last lines of $work/setup.log:"$'\n'"$(tail -n 15 "$work/setup.log")"
fi
# What the image holds, for the report (read from its dpkg database).
awk '/^Package:/ { p = $2 } /^Version:/ { v = $2 } /^$/ { if (p) print p, v; p = "" }' \
	"$work/tree/var/lib/dpkg/status" | sort >"$work/tree/ipi_fp-packages"
size_mb=$(($(du -sm "$work/tree" | cut -f1) + 768))
mkfs.ext4 -q -L ipi_fp-root -d "$work/tree" "$work/rootfs.ext4" "${size_mb}M" >&2 ||
	die "mkfs.ext4 -d failed"
mv "$work/rootfs.ext4" "$img"
cp "$work/tree/ipi_fp-packages" "$img.packages"
rm -rf "$work"
log "$name root file system built in $((SECONDS - start))s: $img (${size_mb} MiB)"
echo "$img"
