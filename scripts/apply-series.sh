#!/usr/bin/env bash
# apply-series.sh TREE PATCH...: apply patches to the git work tree TREE
# with 'git am -3', in order (three-way, so that a patch made on another
# stable branch merges where only its context moved). A patch whose change TREE already has (it
# reverse-applies cleanly) is skipped, naming the upstream commit it
# carries. A patch that does not apply stops everything, naming the patch
# and the file.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: apply-series.sh TREE PATCH...}
shift
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || die "$tree is not a git work tree"
# 'git am' keeps each patch's author; it needs a committer identity.
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-ipi_fp}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-ipi_fp@localhost}

for patch in "$@"; do
	name=$(basename "$patch")
	[ -f "$patch" ] || die "patch $patch not found"
	if git -C "$tree" apply --check -R "$patch" >/dev/null 2>&1; then
		upstream=$(sed -n 's/^commit \([0-9a-f]\{12,40\}\) upstream\.$/\1/p' "$patch" | head -n 1)
		log "skipping $name: already in the tree (upstream commit ${upstream:-unknown})"
		continue
	fi
	if ! out=$(git -C "$tree" am -q -3 --keep-cr "$patch" 2>&1); then
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		# The three-way merge does not name the file; a plain apply does.
		check=$(git -C "$tree" apply --check "$patch" 2>&1 || true)
		file=$(sed -n 's/^error: patch failed: \([^:]*\):.*/\1/p; s/^error: \([^:]*\): does not exist in index/\1/p; s/^error: \([^:]*\): No such file or directory/\1/p' <<<"$check" | head -n 1)
		die "patch $name does not apply to $tree${file:+: $file}"$'\n'"$out"
	fi
	log "applied $name"
done
