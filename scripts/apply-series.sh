#!/usr/bin/env bash
# apply-series.sh TREE PATCH...: apply patches to the git work tree TREE,
# in order, each as one commit. A mail (a file with a Subject: header) is
# applied with 'git am -3' (three-way, so that a patch made on another
# stable branch merges where only its context moved); the patches under
# patches/ carry no From: (only their sender can give it, see
# scripts/submit/send-prep.sh), so a mail without one is committed as the local
# author "ipi_fp <ipi_fp@localhost>" of the harness's scratch trees. A plain
# diff (a base fixture under ci/fixtures/) is applied with 'git apply' and
# committed under its file name. A patch whose change TREE already has (it
# reverse-applies cleanly) is skipped, naming the upstream commit it
# carries. A patch that does not apply stops everything, naming the patch
# and the file.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tree=${1:?usage: apply-series.sh TREE PATCH...}
shift
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || die "$tree is not a git work tree"
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-ipi_fp}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-ipi_fp@localhost}
local_author="From: ipi_fp <ipi_fp@localhost>"
mail=$(mktemp)
trap 'rm -f "$mail"' EXIT

# failed NAME PATCH OUTPUT: stop, naming the file a plain apply rejects
# (the three-way merge does not name it).
failed() {
	local check file
	check=$(git -C "$tree" apply --check "$2" 2>&1 || true)
	file=$(sed -n 's/^error: patch failed: \([^:]*\):.*/\1/p; s/^error: \([^:]*\): does not exist in index/\1/p; s/^error: \([^:]*\): No such file or directory/\1/p' <<<"$check" | head -n 1)
	die "patch $1 does not apply to $tree${file:+: $file}"$'\n'"$3"
}

for patch in "$@"; do
	name=$(basename "$patch")
	[ -f "$patch" ] || die "patch $patch not found"
	if git -C "$tree" apply --check -R "$patch" >/dev/null 2>&1; then
		upstream=$(sed -n 's/^commit \([0-9a-f]\{12,40\}\) upstream\.$/\1/p' "$patch" | head -n 1)
		log "skipping $name: already in the tree (upstream commit ${upstream:-unknown})"
		continue
	fi
	if ! grep -q '^Subject: ' "$patch"; then
		if ! out=$(git -C "$tree" apply --index "$patch" 2>&1); then
			failed "$name" "$patch" "$out"
		fi
		git -C "$tree" -c user.name=ipi_fp -c user.email=ipi_fp@localhost \
			commit -q -m "fixture: $name"
		log "applied $name (fixture)"
		continue
	fi
	if sed '/^$/q' "$patch" | grep -q '^From: '; then
		cp "$patch" "$mail"
	else
		{ echo "$local_author"; cat "$patch"; } >"$mail"
	fi
	if ! out=$(git -C "$tree" am -q -3 --keep-cr "$mail" 2>&1); then
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		failed "$name" "$patch" "$out"
	fi
	log "applied $name"
done
