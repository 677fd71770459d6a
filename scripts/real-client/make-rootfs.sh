#!/usr/bin/env bash
# real-client/make-rootfs.sh [ARCH]: print the path of an ext4 image holding a
# Debian bookworm root file system for ARCH (ppc64le, the default, or
# x86_64) with MariaDB's server, client and test suite (mysql-test-run),
# for make real-client. Built once with mmdebstrap (foreign binaries run
# through qemu-user via binfmt_misc) and kept in $CACHE/real-client by the
# versions of the packages that matter, as the host's apt lists give them
# for that architecture (make deps adds ppc64el), so a new MariaDB or
# liburing makes a new image. The
# packages come from the host's Debian mirror, bookworm and
# bookworm-updates (the security suite's ppc64el index is often out of
# sync); the image records what it got in /ipi_fp-packages.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

SUITE=bookworm
# What mtr and the server need on top of the apt variant; iproute2 brings
# up lo (mtr's port check), procps gives ps and kill to mtr.
INCLUDE=mariadb-server,mariadb-client,mariadb-test,liburing2,perl,iproute2,mount,procps
KEYED="mariadb-server mariadb-test liburing2"
# Raise when the way the image is made changes (a new image then).
FORMAT=1

arch=${1:-ppc64le}
case "$arch" in
ppc64le) debarch=ppc64el qemu_user=qemu-ppc64le ;;
x86_64) debarch=amd64 qemu_user= ;;
*) die "unknown architecture '$arch' (ppc64le or x86_64)" ;;
esac
[ "$debarch" = "$(dpkg --print-architecture)" ] && qemu_user=

need_cmd mmdebstrap mmdebstrap
need_cmd arch-test arch-test
need_cmd mkfs.ext4 e2fsprogs
need_cmd update-binfmts binfmt-support
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, binfmt_misc)"

versions=
for p in $KEYED; do
	v=$(apt-cache policy "$p:$debarch" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	case "$v" in '' | '(none)') die "apt knows no $debarch candidate for $p; run 'make deps' (it adds the ppc64el architecture and updates the lists)" ;;
	esac
	versions+="$p=$v "
done
key=$(echo "$FORMAT $debarch $SUITE $INCLUDE $versions" | sha1sum | cut -c1-16)
dir=$CACHE/real-client
img=$dir/rootfs-$debarch-$key.ext4
if [ -f "$img" ]; then
	log "root file system $img already built ($versions)"
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
log "building the $debarch root file system from $mirror ($versions); about 10 minutes"
start=$SECONDS
mmdebstrap --architectures="$debarch" --variant=apt --include="$INCLUDE" "$SUITE" "$work/tree" \
	"deb $mirror $SUITE main" "deb $mirror $SUITE-updates main" >"$work/mmdebstrap.log" 2>&1 ||
	die "mmdebstrap failed; last lines of $work/mmdebstrap.log:"$'\n'"$(tail -n 15 "$work/mmdebstrap.log")"
[ -x "$work/tree/usr/share/mysql/mysql-test/mysql-test-run.pl" ] ||
	die "mariadb-test did not install usr/share/mysql/mysql-test/mysql-test-run.pl"
# What the image holds, for the report (read from its dpkg database).
awk '/^Package:/ { p = $2 } /^Version:/ { v = $2 } /^$/ { if (p) print p, v; p = "" }' \
	"$work/tree/var/lib/dpkg/status" | sort >"$work/tree/ipi_fp-packages"
size_mb=$(($(du -sm "$work/tree" | cut -f1) + 768))
mkfs.ext4 -q -L ipi_fp-root -d "$work/tree" "$work/rootfs.ext4" "${size_mb}M" >&2 ||
	die "mkfs.ext4 -d failed"
mv "$work/rootfs.ext4" "$img"
cp "$work/tree/ipi_fp-packages" "$img.packages"
rm -rf "$work"
log "root file system built in $((SECONDS - start))s: $img (${size_mb} MiB)"
echo "$img"
