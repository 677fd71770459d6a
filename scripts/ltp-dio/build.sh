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
[ -d "$src" ] || die "LTP source $src is not a directory"
src=$(cd "$src" && pwd)
dio=testcases/kernel/io/direct_io
progs=(dma_thread_diotest diotest1 diotest2 diotest3 diotest4 diotest5 diotest6)
need_cmd autoconf autoconf
need_cmd automake automake
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"

# export_tree DIR: SRC's files into DIR.
if [ -f "$src/configure.ac" ] && [ -d "$src/$dio" ]; then
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1 && [ -z "$(git -C "$src" status --porcelain)" ]; then
		id=$(git -C "$src" rev-parse "HEAD^{tree}")
		describe=$(git -C "$src" describe --tags --always HEAD 2>/dev/null || echo "$id")
	else
		id=$(cd "$src" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
		describe="work tree $src"
	fi
	export_tree() { cp -a "$src/." "$1/"; }
elif git --git-dir="$src" cat-file -e "HEAD:$dio/dma_thread_diotest.c" 2>/dev/null; then
	id=$(git --git-dir="$src" rev-parse "HEAD^{tree}")
	describe=$(git --git-dir="$src" describe --tags --always HEAD 2>/dev/null || echo "$id")
	export_tree() { git --git-dir="$src" archive HEAD | tar -x -C "$1"; }
else
	die "$src is not an LTP source tree or git directory (no configure.ac and $dio); git clone https://github.com/linux-test-project/ltp"
fi
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
	export_tree "$built.src"
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
