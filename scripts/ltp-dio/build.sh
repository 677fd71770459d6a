#!/usr/bin/env bash
# ltp-dio/build.sh ARCH SRC OUTDIR: LTP's direct-I/O programs from the LTP
# source SRC (a work tree, or a git directory whose HEAD is used), built
# static for ARCH: dma_thread_diotest (testcases/kernel/io/direct_io: the
# 2009 O_DIRECT vs fork() reproducer, runtest/dma_thread_diotest) and
# diotest1 to diotest6 (runtest/dio), copied with runtest/dio and
# runtest/dma_thread_diotest into OUTDIR. LTP's library and the programs
# only (make autotools, configure, make -C lib, make -C the directory);
# built once per source tree, compiler and this script, under
# $CACHE/ltp-dio; SRC is not written to.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: ltp-dio/build.sh ARCH SRC OUTDIR"
arch_setup "${1:?$usage}"
src=${2:?$usage}
out=${3:?$usage}
dio=testcases/kernel/io/direct_io
progs=(dma_thread_diotest diotest1 diotest2 diotest3 diotest4 diotest5 diotest6)
need_cmd autoconf autoconf
need_cmd automake automake
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"
source_tree "$src" "$dio/dma_thread_diotest.c" LTP
src=$SRC_PATH id=$SRC_ID describe=$SRC_DESCRIBE
key=$( {
	echo "$id"
	"${CROSS}gcc" --version | head -n 1
	cat "$0"
} | sha1sum | cut -c1-16)
built=$CACHE/ltp-dio/$ARCH_NAME-$key
if [ ! -f "$built/.done" ]; then
	log "building LTP's direct-I/O programs for $ARCH_NAME (static) from $src ($describe)"
	rm -rf "$built" "$built.src"
	mkdir -p "$built" "$built.src"
	source_export "$built.src"
	flags=$(static_flags) || exit
	mapfile -t sysflags <<<"$flags"
	cflags=(-O2) ldflags=()
	for f in "${sysflags[@]}"; do
		case "$f" in
		-static | -L*) ldflags+=("$f") ;;
		*) cflags+=("$f") ;;
		esac
	done
	host=()
	[ -z "$CROSS" ] || host=(--host="${CROSS%-}")
	{
		cd "$built.src" &&
			make autotools &&
			./configure "${host[@]}" CC="${CROSS}gcc" CFLAGS="${cflags[*]}" LDFLAGS="${ldflags[*]}" &&
			make -j "$(nproc)" -C lib &&
			make -C "$dio"
	} >"$built.log" 2>&1 ||
		die "building LTP's $dio failed; last lines of $built.log:"$'\n'"$(tail -n 20 "$built.log")"
	for p in "${progs[@]}"; do
		cp "$built.src/$dio/$p" "$built/"
	done
	cp "$built.src/runtest/dio" "$built/dio.runtest"
	cp "$built.src/runtest/dma_thread_diotest" "$built/dma_thread_diotest.runtest"
	echo "$describe" >"$built/version"
	rm -rf "$built.src"
	touch "$built/.done"
fi
mkdir -p "$out"
for p in "${progs[@]}"; do
	cp "$built/$p" "$out/"
done
cp "$built/dio.runtest" "$built/dma_thread_diotest.runtest" "$built/version" "$out/"
