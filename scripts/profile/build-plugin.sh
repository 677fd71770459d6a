#!/usr/bin/env bash
# profile/build-plugin.sh: build the insn_profile TCG plugin
# (profile/insn_profile.c) for the installed QEMU and print the shared
# object's path. The plugin API header, include/qemu/qemu-plugin.h, is in
# no binary package: it is taken from Debian's source package of the
# installed QEMU (qemu 1:7.2+dfsg-7+deb12u18: its orig tarball, fetched
# once from the Debian archive and checked against the SHA-256 its .dsc
# lists) into $CACHE/profile. Another QEMU fails here, naming the version
# this was made for.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

qemu_deb=1:7.2+dfsg-7+deb12u18
orig=qemu_7.2+dfsg.orig.tar.xz
orig_sha256=91aca71520040edc40b8d437aa3004dae614f58e286cf653ee8996c07af2962f
pool=${IPI_FP_DEBIAN_MIRROR:-http://deb.debian.org/debian}/pool/main/q/qemu

have=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) ||
	die "qemu-system-x86 is not installed ('make deps')"
# A binNMU (+bN) rebuilds the same source.
[ "${have%+b[0-9]*}" = "$qemu_deb" ] ||
	die "installed QEMU is $have; the plugin is built against the header of $qemu_deb (scripts/profile/build-plugin.sh)"
need_cmd gcc build-essential

dir=$CACHE/profile
header=$dir/qemu-7.2/qemu-plugin.h
mkdir -p "$dir"
if [ ! -f "$header" ]; then
	fetch_checked "$pool/$orig" "$dir/$orig" "$orig_sha256"
	mkdir -p "$dir/qemu-7.2"
	tar -xJf "$dir/$orig" -O qemu-7.2.0/include/qemu/qemu-plugin.h >"$header.tmp" ||
		die "$orig has no qemu-7.2.0/include/qemu/qemu-plugin.h"
	mv "$header.tmp" "$header"
	rm -f "$dir/$orig"
fi
src=$TOP/scripts/profile/insn_profile.c
so=$dir/insn_profile-$(cat "$src" "$header" | sha1sum | cut -c1-12).so
if [ ! -f "$so" ]; then
	gcc -O2 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC \
		-I"$dir/qemu-7.2" -o "$so.tmp" "$src" || die "building $src failed"
	mv "$so.tmp" "$so"
fi
echo "$so"
