#!/usr/bin/env bash
# build-kernel.sh ARCH TREE: build the guest kernel of TREE for ARCH and
# print the image's path. Config: tinyconfig + kconfig/common.config +
# kconfig/ARCH.config + the selftest's own config + any fragments in
# IPI_FP_EXTRA_CONFIG (space separated), cross-built with ccache in
# TREE/build-ARCH. Images are kept in $CACHE/images by a fingerprint of the
# kernel sources (everything outside tools/ and the other architectures'
# arch/ directories), the fragments and the
# compiler, so a tree whose kernel sources equal another's is not rebuilt;
# IPI_FP_BUILD_TAG=NAME builds in TREE/build-ARCH-NAME instead (a second
# configuration of the same tree that does not evict the first's objects);
# IMAGE_DIR/builddir names the build directory (KDIR for modules).
# CROSS_COMPILE overrides the cross compiler prefix.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

arch_setup "${1:?usage: build-kernel.sh ARCH TREE}"
tree=$(cd "${2:?usage: build-kernel.sh ARCH TREE}" && pwd)
cross=${CROSS_COMPILE-$CROSS}
[ -n "$cross" ] || cross=
command -v "${cross}gcc" >/dev/null 2>&1 ||
	die "compiler ${cross}gcc not found; install Debian package $CROSS_PKG ('make deps')"
need_cmd ccache ccache
need_cmd flex flex
need_cmd bison bison
need_cmd bc bc

frags=("$TOP/kconfig/common.config" "$TOP/kconfig/$ARCH_NAME.config")
[ -f "$tree/tools/testing/selftests/ipi_fp/config" ] &&
	frags+=("$tree/tools/testing/selftests/ipi_fp/config")
for f in ${IPI_FP_EXTRA_CONFIG:-}; do
	[ -f "$f" ] || die "config fragment $f (IPI_FP_EXTRA_CONFIG) not found"
	frags+=("$f")
done

# Other architectures' arch/ directories are left out: a change there (an
# x86 patch, say) does not make a new ppc64le kernel.
fp=$( {
	git -C "$tree" ls-tree HEAD | grep -v -e $'\ttools$' -e $'\tarch$'
	git -C "$tree" ls-tree HEAD arch/ |
		awk -v own="arch/$SRCARCH" '$2 != "tree" || $4 == own'
	cat "${frags[@]}"
	"${cross}gcc" --version | head -n 1
} | sha1sum | cut -c1-16)
# The image is reused while the build directory that made it still holds
# that build (out-of-tree modules are built against it; see 'builddir').
store=$CACHE/images/$ARCH_NAME-$fp
if [ -f "$store/image" ] && [ -f "$store/builddir" ] &&
	[ "$(cat "$(cat "$store/builddir")/.ipi_fp-fingerprint" 2>/dev/null)" = "$fp" ]; then
	log "$ARCH_NAME $(basename "$tree"): kernel $fp already built"
	echo "$store/image"
	exit 0
fi

out=$tree/build-$ARCH_NAME${IPI_FP_BUILD_TAG:+-$IPI_FP_BUILD_TAG}
mkdir -p "$out"
mk=(make -C "$tree" O="$out" ARCH="$KARCH" CROSS_COMPILE="ccache $cross"
	KBUILD_BUILD_USER=ipi_fp KBUILD_BUILD_HOST=ipi_fp
	KBUILD_BUILD_TIMESTAMP="2026-01-01")
log "$ARCH_NAME $(basename "$tree"): building kernel $fp in $out"
{
	"${mk[@]}" tinyconfig &&
		KCONFIG_CONFIG=$out/.config "$tree/scripts/kconfig/merge_config.sh" \
			-m -O "$out" "$out/.config" "${frags[@]}" &&
		"${mk[@]}" olddefconfig
} >"$out/config.log" 2>&1 || die "kernel configuration failed; see $out/config.log"

# Every option a fragment asks for must be in the result; a later fragment
# overrides an earlier one (as merge_config.sh does). The selftest's config
# is arch-neutral: symbols this arch does not have are allowed.
declare -A want=() want_from=()
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; line="# $sym is not set" ;;
		*) continue ;;
		esac
		want[$sym]=$line
		want_from[$sym]=$f
	done <"$f"
done
for sym in "${!want[@]}"; do
	line=${want[$sym]}
	f=${want_from[$sym]}
	grep -qxF "$line" "$out/.config" && continue
	if [ "$line" = "# $sym is not set" ] && ! grep -q "^$sym=" "$out/.config"; then
		continue
	fi
	if [[ "$f" == */tools/testing/selftests/* ]] &&
		! grep -q -e "^$sym=" -e "^# $sym is not set" "$out/.config"; then
		continue
	fi
	die "$f asks for '$line' but the $ARCH_NAME config has '$(grep -e "^$sym=" -e "^# $sym " "$out/.config" || echo "no $sym")'"
done

# Where make starts from: the finished build (of this directory or of
# another tree of the same repository, arch and config) whose outputs the
# fewest objects of this tree invalidate. A finished build records the
# commit and the config it built (.ipi_fp-commit, .ipi_fp-config: written
# only after make succeeded; the commit is removed by anything else that
# compiles in the directory, build-gates' sparse/W=1 run); its cost
# is the number of objects whose dependency list (Kbuild's .cmd files)
# names a file that differs between that commit and this tree's HEAD.
# Another tree's build is copied here when it is cheaper than this
# directory's own (or this one has no finished build). Then every output
# gets a time one second in the past and the changed files the time of
# now, so make compiles what the changes reach and nothing that was only
# rewritten with the same content (a reset and re-apply of a series).
# Source timestamps only ever move forward: the other build directories
# of the tree stay right. Without any finished build, ccache is all there
# is.
head=$(git -C "$tree" rev-parse HEAD)

# rebuild_cost DIR: how many of DIR's objects this tree's HEAD invalidates
# (a large number when DIR is not a finished build of this config).
rebuild_cost() {
	local dir=$1 commit names
	if [ ! -f "$dir/.ipi_fp-commit" ] || [ ! -f "$dir/.ipi_fp-fingerprint" ] ||
		! cmp -s "$dir/.ipi_fp-config" "$out/.config"; then
		echo 999999
		return
	fi
	commit=$(cat "$dir/.ipi_fp-commit")
	names=$(git -C "$tree" diff --name-only "$commit" "$head" 2>/dev/null) || { echo 999999; return; }
	if [ -z "$names" ]; then
		echo 0
	elif [ "$(wc -l <<<"$names")" -gt 2000 ]; then
		echo 999999
	else
		grep -rlF --include='*.cmd' -f <(printf '%s\n' "$names") "$dir" | wc -l
	fi
}

# settle_times DIR: DIR's outputs one second old, the files that differ
# between the commit DIR built and HEAD new.
settle_times() {
	local dir=$1 t
	t=$(($(date +%s) - 1))
	find "$dir" -exec touch -h -d "@$t" {} +
	git -C "$tree" diff --name-only -z --diff-filter=d "$(cat "$dir/.ipi_fp-commit")" "$head" |
		(cd "$tree" && xargs -0 -r touch -h -d "@$((t + 1))")
}

choose_start() {
	local cand cost best='' best_cost own_cost ctree
	own_cost=$(rebuild_cost "$out")
	best_cost=$own_cost
	for cand in "$CACHE"/trees/*/"$(basename "$out")"; do
		[ "$cand" != "$out" ] || continue
		cost=$(rebuild_cost "$cand")
		if [ "$cost" -lt "$best_cost" ]; then
			best=$cand best_cost=$cost
		fi
	done
	if [ -z "$best" ]; then
		[ "$own_cost" -lt 999999 ] || return 0
		log "$ARCH_NAME $(basename "$tree"): $own_cost objects to rebuild in its own build directory"
		settle_times "$out"
		return 0
	fi
	ctree=$(dirname "$best")
	log "$ARCH_NAME $(basename "$tree"): starting from the build of $(basename "$ctree") ($best_cost objects to rebuild; its own build directory: $( [ "$own_cost" -lt 999999 ] && echo "$own_cost" || echo none))"
	rm -rf "$out"
	cp -a "$best" "$out"
	# The few .cmd files that name the other tree by its absolute path.
	grep -rlF --include='*.cmd' "$ctree/" "$out" 2>/dev/null |
		xargs -r sed -i "s|$ctree/|$tree/|g"
	settle_times "$out"
}
choose_start

# x86_64: 'all' also gives Module.symvers for the selftest's module.
target=vmlinux
[ "$KARCH" = x86_64 ] && target=all
rm -f "$out/.ipi_fp-fingerprint" "$out/.ipi_fp-commit" "$out/.ipi_fp-config"
"${mk[@]}" -j"$(nproc)" "$target" >"$out/build.log" 2>&1 ||
	die "kernel build failed; last lines of $out/build.log:"$'\n'"$(tail -n 20 "$out/build.log")"
mkdir -p "$store.tmp"
cp "$out/$KIMAGE" "$store.tmp/image"
cp "$out/.config" "$store.tmp/config"
echo "$fp" >"$out/.ipi_fp-fingerprint"
git -C "$tree" rev-parse HEAD >"$out/.ipi_fp-commit"
cp "$out/.config" "$out/.ipi_fp-config"
echo "$out" >"$store.tmp/builddir"
rm -rf "$store"
mv "$store.tmp" "$store"
echo "$store/image"
