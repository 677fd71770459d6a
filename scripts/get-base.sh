#!/usr/bin/env bash
# get-base.sh NAME: make branch base/NAME in the cache repository and print
# its commit. The source is Debian's kernel source tarball, or the user's
# tree when KSRC is set (read only: its files are added to our repository,
# nothing is written to KSRC). The base must be a tree of the stable branch
# its series names (ci/bases.tsv: a file whose first line is "# ipi_fp series for Linux
# 6.1.y"). Exits 3 when the caller must skip the base: KSRC is of another
# branch, or the base is derived by a revert that KSRC does not need (it
# lacks the change already).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

name=${1:?usage: get-base.sh NAME (see ci/bases.tsv)}
row=$(awk -F'\t' -v n="$name" '$1 == n' "$TOP/ci/bases.tsv")
[ -n "$row" ] || die "base '$name' is not in ci/bases.tsv"
IFS=$'\t' read -r _ source revert _ series <<<"$row"
[ -f "$TOP/${series:-}" ] || die "base '$name': series file ${series:-} (ci/bases.tsv) not found"

# series_branch FILE: the stable branch (6.1) a series file names.
series_branch() {
	sed -n '1s/^# ipi_fp series for Linux \([0-9]*\.[0-9]*\)\.y\b.*/\1/p' "$1"
}
branch=$(series_branch "$TOP/$series")
[ -n "$branch" ] || die "$series: first line must be '# ipi_fp series for Linux X.Y.y ...'"

REPO=$CACHE/linux.git
[ -d "$REPO" ] || git init -q --bare "$REPO"
g() { git --git-dir="$REPO" "$@"; }
export GIT_AUTHOR_NAME=ipi_fp GIT_AUTHOR_EMAIL=ipi_fp@localhost
export GIT_COMMITTER_NAME=ipi_fp GIT_COMMITTER_EMAIL=ipi_fp@localhost
export GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z'

# check_branch MAKEFILE-TEXT DESCRIPTION: refuse anything but $branch.y.
check_branch() {
	local mk=$1 what=$2 v p s
	v=$(sed -n 's/^VERSION = //p' <<<"$mk")
	p=$(sed -n 's/^PATCHLEVEL = //p' <<<"$mk")
	s=$(sed -n 's/^SUBLEVEL = //p' <<<"$mk")
	[ -n "$v" ] || die "$what: no top-level kernel Makefile (VERSION = ...) found; point KSRC at a Linux source tree"
	[ "$v.$p" = "$branch" ] ||
		die "$what is Linux $v.$p.$s, not $branch.y; base $name is of the $branch stable branch"
	echo "$v.$p.$s"
}

# all_branches: the stable branches of the bases in ci/bases.tsv.
all_branches() {
	local f
	for f in $(awk -F'\t' '!/^#/ && NF >= 5 { print $5 }' "$TOP/ci/bases.tsv" | sort -u); do
		series_branch "$TOP/$f"
	done
}

# import_tree DIR [-f]: commit the files of DIR (read only) and print the
# commit. -f adds ignored files too: Debian's tarball has a .gitignore that
# ignores everything at the top level.
import_tree() {
	local dir=$1 force=${2:-} idx tree
	idx=$(mktemp)
	rm -f "$idx"
	tree=$(GIT_INDEX_FILE=$idx git -C "$dir" --git-dir="$REPO" --work-tree="$dir" add -A ${force:+"$force"} &&
		GIT_INDEX_FILE=$idx g write-tree)
	rm -f "$idx"
	g commit-tree -m "base: $(basename "$dir")" "$tree"
}

if [ -n "${KSRC:-}" ]; then
	key=ksrc
	[ -d "$KSRC" ] || die "KSRC=$KSRC is not a directory"
	mk=$(cat "$KSRC/Makefile" 2>/dev/null || true)
	kver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' <<<"$mk" | paste -sd.)
	[ -n "$kver" ] || die "KSRC=$KSRC: no top-level kernel Makefile (VERSION = ...) found; point KSRC at a Linux source tree"
	if [ "$kver" != "$branch" ] && grep -qx "$kver" <(all_branches); then
		log "base $name is of the $branch branch; KSRC is $kver.y"
		exit 3
	fi
	ver=$(check_branch "$mk" "KSRC=$KSRC")
	if git -C "$KSRC" rev-parse --verify -q HEAD >/dev/null 2>&1 &&
		[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ]; then
		src_commit=$(git -C "$KSRC" rev-parse HEAD)
		g cat-file -e "$src_commit" 2>/dev/null ||
			g fetch -q "$KSRC" HEAD || die "git fetch from KSRC=$KSRC failed"
	else
		log "KSRC=$KSRC is not a clean git tree; importing its files"
		src_commit=$(import_tree "$KSRC")
	fi
	log "KSRC is Linux $ver"
elif [[ $source == orig:* ]]; then
	# kernel.org's release as Debian's archive keeps it: the orig tarball
	# of Debian's linux source package, which is the release less the
	# Files-Excluded of the package's debian/copyright (genorig.py).
	IFS=: read -r _ ver sha <<<"$source"
	[ -n "$ver" ] && [ ${#sha} = 64 ] || die "base $name: source '$source' is not orig:VERSION:SHA256"
	key=kernel.org-$ver
	src_commit=$(g rev-parse -q --verify "refs/sources/$key" || true)
	if [ -z "$src_commit" ]; then
		mkdir -p "$CACHE/downloads"
		tarball=$CACHE/downloads/linux_$ver.orig.tar.xz
		fetch_checked "${IPI_FP_DEBIAN_MIRROR:-http://deb.debian.org/debian}/pool/main/l/linux/linux_$ver.orig.tar.xz" "$tarball" "$sha"
		log "unpacking $tarball"
		tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
		tar -C "$tmp" -xf "$tarball"
		[ -d "$tmp/linux-$ver" ] || die "$tarball has no linux-$ver/ at its top"
		check_branch "$(cat "$tmp/linux-$ver/Makefile")" "$tarball" >/dev/null
		log "committing the base tree"
		src_commit=$(import_tree "$tmp/linux-$ver" -f)
		rm -rf "$tmp" "$tarball"
		g update-ref "refs/sources/$key" "$src_commit"
	fi
else
	[[ $source == apt:* ]] || die "base $name: source '$source' is neither apt:PACKAGE nor orig:VERSION:SHA256"
	pkg=${source#apt:}
	tarball=/usr/src/$pkg.tar.xz
	# Key the import on the package version, so a Debian update re-imports.
	key=$pkg-$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo none)
	key=${key//[^A-Za-z0-9._-]/_} # a ref name: Debian versions have ~ and :
	src_commit=$(g rev-parse -q --verify "refs/sources/$key" || true)
	if [ -z "$src_commit" ]; then
		[ -f "$tarball" ] || die "$tarball not found; run 'make deps' (Debian package $pkg)"
		log "unpacking $tarball"
		tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
		tar -C "$tmp" -xf "$tarball"
		top=("$tmp"/*)
		check_branch "$(cat "${top[0]}/Makefile")" "$tarball" >/dev/null
		log "committing the base tree"
		src_commit=$(import_tree "${top[0]}" -f)
		rm -rf "$tmp"
		g update-ref "refs/sources/$key" "$src_commit"
	fi
fi
check_branch "$(g show "$src_commit:Makefile")" "base $name" >/dev/null

if [ "$revert" = - ]; then
	commit=$src_commit
else
	patch=$TOP/$revert
	[ -f "$patch" ] || die "base $name: $patch (ci/bases.tsv) not found"
	idx=$(mktemp)
	rm -f "$idx"
	export GIT_INDEX_FILE=$idx
	g read-tree "$src_commit"
	if ! g apply --cached -R "$patch" 2>/dev/null; then
		rm -f "$idx"
		if [ -n "${KSRC:-}" ]; then
			log "base $name does not apply to KSRC: it lacks $revert already"
			exit 3
		fi
		die "base $name: 'git apply -R $revert' failed: the source lacks that change, so it cannot be taken out"
	fi
	commit=$(g commit-tree -p "$src_commit" -m "base $name: revert $revert" "$(g write-tree)")
	rm -f "$idx"
	unset GIT_INDEX_FILE
fi
g update-ref "refs/heads/base/$name" "$commit"
echo "$commit"
