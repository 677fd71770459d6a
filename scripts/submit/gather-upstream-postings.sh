#!/usr/bin/env bash
# submit/gather-upstream-postings.sh LIST OUTDIR SOURCE...
# Collect, for each commit of LIST
# (scripts/submit/upstream-odirect-commits.txt: "<commit> <release>
# <message-id> <subject>" a line), the mail its third column names: the posting the maintainer applied (the
# one the maintainer applied, or the last posting before the merge where
# nothing says which), or a stable review mail that carries the
# mainline commit. Writes OUTDIR/NN.mbox in LIST's order and OUTDIR/ids
# ("NN <commit 12> (<release>)" a line), the input of
#   scripts/submit/measure-upstream-conversion.sh OUTDIR
# which then names each row by its mainline commit.
#
# SOURCE is searched in the order given, each either
# - a public-inbox git directory: one mail a commit, in a file named m,
#   the commit's subject the mail's (lore.kernel.org's epochs, or their
#   mirrors such as github.com/linux-mailinglist-archives/
#   linux-block.vger.kernel.org.0); only commits whose subject ends with
#   the LIST subject are opened, so a search takes seconds;
# - a directory of saved mails, one a file (*.eml or *.mbox).
# A mail is the one whose Message-ID header is the LIST's. A message-id
# found in no SOURCE is an error that names it (b4 am MESSAGE-ID fetches
# it from lore.kernel.org where that is reachable).
# Usage: scripts/submit/gather-upstream-postings.sh \
#            scripts/submit/upstream-odirect-commits.txt .cache/upstream-postings/mails \
#            ~/archives/linux-block.vger.kernel.org.0 .cache/upstream-postings/saved
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: submit/gather-upstream-postings.sh LIST OUTDIR SOURCE..."
list=${1:?$usage}
out=${2:?$usage}
shift 2
[ "$#" -gt 0 ] || die "$usage"
[ -f "$list" ] || die "commit list $list not found"
need_cmd git git
export LC_ALL=C
for src in "$@"; do
	[ -d "$src" ] || die "source $src is not a directory"
done
mkdir -p "$out"
rm -f "$out"/*.mbox "$out/ids"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# squash: fold runs of blanks into one (mail subjects are folded, 'git
# log %s' joins the folds with two blanks).
squash() {
	tr -s ' '
}

# is_mail FILE MSGID: FILE's Message-ID header is <MSGID>.
is_mail() {
	sed -n '1,/^$/p' "$1" | squash | grep -qiF "message-id: <$2>"
}

# find_in SOURCE MSGID SUBJECT: copy the mail to $scratch/found.
find_in() {
	local src=$1 id=$2 subject=$3 c f gd=$1
	[ ! -e "$src/.git" ] || gd=$src/.git
	# A git directory (a bare one, or a clone's .git): not a directory of
	# saved mails that happens to lie inside some work tree.
	if git --git-dir="$gd" rev-parse --git-dir >/dev/null 2>&1; then
		if [ ! -f "$scratch/index.${gd//\//_}" ]; then
			git --git-dir="$gd" log --all --format='%H%x09%s' | squash >"$scratch/index.${gd//\//_}"
		fi
		while IFS=$'\t' read -r c _; do
			git --git-dir="$gd" show "$c:m" >"$scratch/cand" 2>/dev/null || continue
			if is_mail "$scratch/cand" "$id"; then
				mv "$scratch/cand" "$scratch/found"
				return 0
			fi
		done < <(awk -F'\t' -v s="$(squash <<<"$subject")" \
			'length($2) >= length(s) && substr($2, length($2) - length(s) + 1) == s' \
			"$scratch/index.${gd//\//_}")
		return 1
	fi
	for f in "$src"/*.eml "$src"/*.mbox; do
		[ -f "$f" ] || continue
		if is_mail "$f" "$id"; then
			cp "$f" "$scratch/found"
			return 0
		fi
	done
	return 1
}

n=0 missing=()
while read -r commit release msgid subject; do
	case "$commit" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	num=$(printf %02d "$n")
	[ -n "$subject" ] && [[ "$msgid" == *@* ]] ||
		die "$list: line for $commit has no message-id column (<commit> <release> <message-id> <subject>)"
	rm -f "$scratch/found"
	for src in "$@"; do
		find_in "$src" "$msgid" "$subject" && break
	done
	if [ ! -f "$scratch/found" ]; then
		missing+=("$msgid (${commit:0:12} $subject)")
		continue
	fi
	mv "$scratch/found" "$out/$num.mbox"
	echo "$num ${commit:0:12} ($release)" >>"$out/ids"
	log "$num ${commit:0:12}: <$msgid>"
done <"$list"
if [ "${#missing[@]}" -gt 0 ]; then
	printf '  %s\n' "${missing[@]}" >&2
	die "${#missing[@]} of $n mails found in no source (b4 am MESSAGE-ID fetches one from lore.kernel.org)"
fi
log "$n mails in $out"
