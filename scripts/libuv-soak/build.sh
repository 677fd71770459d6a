#!/usr/bin/env bash
# libuv-soak/build.sh SRC OUTDIR: libuv's own test runner, uv_run_tests_a,
# from the libuv source tree SRC, cross-built for ppc64le and static
# (cmake -DLIBUV_BUILD_TESTS=ON, linked -static; not libuv's -DQEMU=ON,
# which is for qemu-user and makes the signal tests skip), into
# OUTDIR/uv_run_tests_a. SRC must be a release that uses io_uring on
# ppc64: 1.45.0 to 1.47.0 (1.48.0 turned it off there, libuv PR 4285).
# Built once per source tree and compiler, under $CACHE/libuv-soak.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: libuv-soak/build.sh SRC OUTDIR"
src=${1:?$usage}
out=${2:?$usage}
[ -f "$src/include/uv/version.h" ] || die "$src is not a libuv source tree (no include/uv/version.h)"
src=$(cd "$src" && pwd)
version=$(awk '/^#define UV_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $3 } END { print v }' \
	"$src/include/uv/version.h")
case "$version" in
1.45.* | 1.46.* | 1.47.*) ;;
*) die "libuv $version in $src: the soak wants a release that uses io_uring on ppc64 (1.45.0 to 1.47.0; the issue measured 1.47.0)" ;;
esac
arch_setup ppc64le
need_cmd cmake cmake
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"
key=$( {
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1 && [ -z "$(git -C "$src" status --porcelain)" ]; then
		git -C "$src" rev-parse "HEAD^{tree}"
	else
		(cd "$src" && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha1sum)
	fi
	"${CROSS}gcc" --version | head -n 1
	cat "$0"
} | sha1sum | cut -c1-16)
built=$CACHE/libuv-soak/ppc64le-$key
if [ ! -x "$built/uv_run_tests_a" ]; then
	log "building libuv $version's uv_run_tests_a for ppc64le (static) from $src"
	rm -rf "$built"
	mkdir -p "$built"
	{
		cmake -S "$src" -B "$built/build" -DCMAKE_SYSTEM_NAME=Linux \
			-DCMAKE_SYSTEM_PROCESSOR=ppc64le -DCMAKE_C_COMPILER="${CROSS}gcc" \
			-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIBUV_BUILD_TESTS=ON \
			-DCMAKE_EXE_LINKER_FLAGS=-static &&
			cmake --build "$built/build" --target uv_run_tests_a -j "$(nproc)"
	} >"$built.log" 2>&1 ||
		die "building libuv's tests failed; last lines of $built.log:"$'\n'"$(tail -n 20 "$built.log")"
	cp "$built/build/uv_run_tests_a" "$built/"
	echo "$version" >"$built/version"
	rm -rf "$built/build"
fi
mkdir -p "$out"
cp "$built/uv_run_tests_a" "$built/version" "$out/"
