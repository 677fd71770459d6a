#!/usr/bin/env bash
# submit/send-prep.sh [-o OUTBOX] [--held] [NAME...]: prepare the mails of each
# submission (patches/submissions.tsv; default: every one marked "now";
# --held adds those marked "after-mainline", for the checks only) for
# 'git send-email', into OUTBOX/NAME/ (default .cache/outbox). Sends nothing.
#
# The patches under patches/ carry no From: and no Signed-off-by: only the
# person who sends them can make that statement. This script takes both
# from that person's 'git config user.name' and 'user.email' at this moment
# and refuses to run without them. For each submission it commits the
# patches on its base (scripts/get-base.sh) with that identity as author
# and committer and a Signed-off-by trailer (a backport of an upstream
# commit, whose stored file keeps the upstream From: and Date:, keeps its
# author: the mail is From: the sender, with the author's From: first in
# the body, as 'git format-patch --from' writes it), then runs 'git format-patch
# --cover-letter' (subject "[PREFIX n/N]", the cover letter from
# patches/NAME/cover-letter; a single patch without one goes as "[PREFIX]"
# with the notes below its '---' kept) with To/Cc from scripts/get_maintainer.pl of
# the newest base tree (6.12.117: the closest to mainline's MAINTAINERS
# that CI can reach; today's maintainers are who reviews a stable
# backport too; maintainers To, the rest Cc) plus the fixed
# additions in patches/NAME/recipients, each of which states its reason
# there; a "suppress-cc: WHAT" line there becomes 'git send-email
# --suppress-cc=WHAT' in the printed command (OUTBOX/NAME/send-options),
# an "in-reply-to: MESSAGE-ID" line '--in-reply-to=MESSAGE-ID'.
# OUTBOX/NAME/recipients.txt keeps what get_maintainer.pl printed.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

outbox=$CACHE/outbox
held=
while [ $# -gt 0 ]; do
	case "$1" in
	-o)
		outbox=${2:?usage: submit/send-prep.sh [-o OUTBOX] [--held] [NAME...]}
		shift 2
		;;
	--held)
		held=1
		shift
		;;
	*) break ;;
	esac
done
table=$TOP/patches/submissions.tsv
maintainers_base=6.12.117

sender_name=$(git -C "$TOP" config user.name || true)
sender_email=$(git -C "$TOP" config user.email || true)
if [ -z "$sender_name" ] || [ -z "$sender_email" ]; then
	die "no sender identity: git config user.name and user.email are not both set.
The From: and Signed-off-by: of every patch are the sender's own (a
Signed-off-by is the statement of the Developer's Certificate of Origin,
which only the sender can make). Set yours, then run this again:
    git config --global user.name 'Your Name'
    git config --global user.email you@example.org"
fi
case "$sender_email" in
*@localhost | *@*.invalid) log "warning: $sender_email is not an address a list can reply to" ;;
esac
sender="$sender_name <$sender_email>"

mapfile -t names < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else
	awk -F'\t' -v held="$held" '!/^#/ && ($4 == "now" || held) { print $1 }' "$table"
fi)
REPO=$CACHE/linux.git
g() { git --git-dir="$REPO" "$@"; }
export GIT_AUTHOR_NAME=$sender_name GIT_AUTHOR_EMAIL=$sender_email
export GIT_COMMITTER_NAME=$sender_name GIT_COMMITTER_EMAIL=$sender_email
idx=$(mktemp)
msg=$(mktemp)
trap 'rm -f "$idx" "$msg"' EXIT

# get_maintainer TREE ARGS...: the base tree's get_maintainer.pl, without
# the git history a tarball tree does not have.
get_maintainer() {
	local tree=$1
	shift
	(cd "$tree" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --no-fixes "$@")
}

for name in "${names[@]}"; do
	row=$(awk -F'\t' -v n="$name" '!/^#/ && $1 == n' "$table")
	[ -n "$row" ] || die "submission '$name' is not in patches/submissions.tsv"
	IFS=$'\t' read -r _ base prefix send _ <<<"$row"
	[ "$send" = now ] || [ -n "$held" ] || die "submission $name is marked '$send' in patches/submissions.tsv: its stable form can be sent only once the mainline commit exists and is cited"
	dir=$TOP/patches/$name
	mapfile -t patches < <(ls "$dir"/[0-9][0-9][0-9][0-9]-*.patch)
	[ ${#patches[@]} -gt 0 ] || die "patches/$name has no NNNN-*.patch"
	# A series has a cover letter; a single patch may carry its notes
	# below its '---' instead (maintainer-tip.rst prefers that).
	cover_letter=
	if [ -f "$dir/cover-letter" ]; then
		cover_letter=$dir/cover-letter
	elif [ ${#patches[@]} -gt 1 ]; then
		die "patches/$name/cover-letter not found (a series of ${#patches[@]} patches needs one)"
	fi
	[ -f "$dir/recipients" ] || die "patches/$name/recipients not found"

	base_commit=$("$TOP/scripts/get-base.sh" "$base")
	head=$base_commit
	rm -f "$idx"
	GIT_INDEX_FILE=$idx g read-tree "$head"
	for p in "${patches[@]}"; do
		GIT_INDEX_FILE=$idx g apply --cached "$p" ||
			die "patches/$name/$(basename "$p") does not apply to base $base"
		# The message: the mail's Subject (unfolded, less [PATCH]) and body
		# up to the "---" before the diffstat, then the sender's sign-off.
		python3 - "$p" >"$msg" <<'EOF'
import email, re, sys
mail = email.message_from_string(open(sys.argv[1]).read())
print(re.sub(r"^\[[^]]*\] ", "", re.sub(r"\s+", " ", mail["Subject"])))
print()
print(mail.get_payload().split("\n---\n", 1)[0].strip("\n"))
EOF
		git interpret-trailers --in-place --if-exists addIfDifferent \
			--trailer "Signed-off-by: $sender" "$msg"
		# A backport keeps its upstream author: a patch under patches/
		# with From: and Date: (only a backport has them) is committed
		# as theirs, and format-patch's --from below puts the sender in
		# the mail's From: and the author in the body's.
		author=()
		if sed '/^$/q' "$p" | grep -q '^From: '; then
			mapfile -t author < <(python3 -c '
import email, email.utils, sys
mail = email.message_from_string(open(sys.argv[1]).read())
name, addr = email.utils.parseaddr(mail["From"])
date = mail["Date"]
print(f"GIT_AUTHOR_NAME={name}\nGIT_AUTHOR_EMAIL={addr}\nGIT_AUTHOR_DATE={date}")
' "$p")
		fi
		head=$(env "${author[@]}" git --git-dir="$REPO" commit-tree -p "$head" -F "$msg" \
			"$(GIT_INDEX_FILE=$idx g write-tree)")
	done
	rm -f "$idx"

	tree=$("$TOP/scripts/make-tree.sh" "$maintainers_base" unpatched)
	to=() cc=() send_opts=()
	# "Name <address> (role:SECTION (...))" or "list@host (open list:...)"
	addr_of() { sed -E 's/^([^<]*<[^>]*>|[^ ]+).*/\1/' <<<"$1"; }
	while IFS= read -r line; do
		addr=$(addr_of "$line")
		case "$line" in
		*"(maintainer:"*) to+=("$addr") ;;
		*) cc+=("$addr") ;;
		esac
	done < <(get_maintainer "$tree" "${patches[@]}" | tee "$msg")
	out=$outbox/$name
	rm -rf "$out"
	mkdir -p "$out"
	cp "$msg" "$out/recipients.txt"
	while IFS= read -r line; do
		line=${line%%#*}
		line=${line%"${line##*[![:space:]]}"}
		[ -n "$line" ] || continue
		case "$line" in
		"to: "*) to+=("${line#to: }") ;;
		"cc: "*) cc+=("${line#cc: }") ;;
		"suppress-cc: "*) send_opts+=("--suppress-cc=${line#suppress-cc: }") ;;
		"in-reply-to: "*) send_opts+=("--in-reply-to=${line#in-reply-to: }") ;;
		"cc-maintainers-of: "*)
			while IFS= read -r m; do cc+=("$(addr_of "$m")"); done < <(get_maintainer "$tree" -f "${line#cc-maintainers-of: }")
			;;
		*) die "patches/$name/recipients: cannot read '$line' (to:, cc:, cc-maintainers-of:, suppress-cc: or in-reply-to:)" ;;
		esac
	done <"$dir/recipients"
	# Each address once, To before Cc.
	mapfile -t to < <(printf '%s\n' "${to[@]}" | awk '!seen[$0]++')
	mapfile -t cc < <(printf '%s\n' "${cc[@]}" | awk 'NR == FNR { t[$0] = 1; next } !t[$0] && !seen[$0]++' <(printf '%s\n' "${to[@]}") -)
	args=(--subject-prefix="$prefix" --no-signature --from="$sender" -o "$out")
	[ -z "$cover_letter" ] || args+=(--cover-letter --numbered)
	for a in "${to[@]}"; do args+=(--to="$a"); done
	for a in "${cc[@]}"; do args+=(--cc="$a"); done
	g format-patch -q "${args[@]}" "$base_commit..$head"
	# Options 'git send-email' needs (recipients: suppress-cc:, in-reply-to:).
	for o in "${send_opts[@]}"; do echo "$o"; done >"$out/send-options"
	if [ -z "$cover_letter" ]; then
		# The notes below the patch's '---', which format-patch drops.
		python3 - "${patches[0]}" "$(ls "$out"/0001-*.patch)" <<'EOF'
import re, sys
src, dst = open(sys.argv[1]).read(), open(sys.argv[2]).read()
below = src.split("\n---\n", 1)[1]
notes = re.split(r"^ \S.* \| +\d+ ", below, maxsplit=1, flags=re.M)[0].strip("\n")
if notes:
    head, tail = dst.split("\n---\n", 1)
    open(sys.argv[2], "w").write(head + "\n---\n" + notes + "\n\n" + tail)
EOF
		log "$name: 1 patch, its notes below '---', in $out (base $base; From: $sender)"
		continue
	fi
	# The cover letter: subject from the first line of patches/NAME/cover-letter,
	# the blurb from the rest.
	cover=$(ls "$out"/0000-cover-letter.patch)
	subject=$(head -n 1 "$cover_letter")
	tail -n +3 "$cover_letter" >"$msg"
	python3 - "$cover" "$subject" "$msg" <<'EOF'
import sys
path, subject, blurb = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().rstrip("\n")
text = open(path).read()
assert "*** SUBJECT HERE ***" in text and "*** BLURB HERE ***" in text
text = text.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", blurb)
open(path, "w").write(text)
EOF
	log "$name: ${#patches[@]} patch(es) + cover letter in $out (base $base; From: $sender)"
done
echo "To send (check first, then drop --dry-run):"
for name in "${names[@]}"; do
	echo "    git send-email --dry-run $(tr '\n' ' ' <"$outbox/$name/send-options")$outbox/$name/*.patch"
done
