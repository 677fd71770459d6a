#!/usr/bin/env bash
# submit/measure-upstream-conversion.sh MBOX_DIR|MBOX
# submit/measure-upstream-conversion.sh --commits LIST LINUX_GIT
# Measure how hard it is to backport upstream's O_DIRECT FOLL_PIN
# conversion onto a 6.1.y base of ci/bases.tsv (IPI_FP_MEASURE_BASE,
# default 6.1.176-kernel.org: kernel.org's 6.1.176, the base the series is
# submitted on), as scripts/get-base.sh makes it.
#
# --commits: the mainline commits of LIST
# (scripts/submit/upstream-odirect-commits.txt: "<id> <release>
# <message-id> <title>" a line, in the order mainline applied them; the
# message-id is gather-upstream-postings.sh's and unused here), each taken from LINUX_GIT (a git directory
# with mainline's history, v6.6 or later: a clone of torvalds/linux or of
# a stable tree) with 'git format-patch -1', and tried one by one as below:
# the commit-by-commit cherry-pick a stable maintainer would try first.
#
# MBOX_DIR|MBOX: mails instead. MBOX_DIR holds one mail a file, *.mbox,
# taken in name order; with a file "ids" beside them ("NN <commit>
# (<release>)" a line, as scripts/submit/gather-upstream-postings.sh
# writes it with the mail carrying each mainline commit of LIST) each row
# is the mail NN.mbox and is named by that commit. Without it, the mails
# are one posted series, for example David Howells' "iov_iter: Improve
# page extraction (pin or just list)", [PATCH v14 NN/17] of 2023-02-14
# (v14-01.mbox .. v14-17.mbox), and a row's number is the subject's; or
# MBOX is one mbox of the whole series, as
#   b4 am -o DIR 20230214171330.2722188-1-dhowells@redhat.com
# writes it (lore.kernel.org; not reachable from CI). A mail without a
# diff (the 00/17 cover letter) is skipped.
#
# The base is checked out in a scratch worktree of $CACHE/linux.git
# (under mktemp -d, removed on exit). Each mail is tried with 'git am'
# (without -3: the upstream blobs its index lines name are not in our
# repository). When that fails, 'git am --abort' and the mail's diff is
# applied one file at a time with 'git apply --reject', which keeps the
# hunks that apply and leaves the rest in FILE.rej; a file the base lacks
# fails all its hunks. What applied is committed ("partial: SUBJECT"), so
# each later mail is measured on top of the earlier ones as far as they
# went: a hunk can fail because the base differs or because an earlier
# hunk of the series failed. Nothing is fuzzed; offsets are allowed, as in
# 'git am'.
#
# A mail whose diff the base already has (it applies in reverse: a stable
# release took the commit) is "already in the base" and is not applied;
# one whose failing hunks each add only lines the file already has is
# "already in the base, adjusted" (a stable release took an adjusted
# backport) and its hunks do not count as failures.
# Prints one row a mail: number | subject | applied, or "N of M hunks
# failed" | the files with failing hunks (failed/total); then, for each
# failing hunk, its file, line and function, and why where that is cheap:
# "file absent", or the identifiers of its context and removed lines that
# the 6.1.192 tree lacks (not counting comments; grep over its *.c and
# *.h), or "context differs" with the first such line the tree lacks. A
# missing identifier that the tree defines after the run is marked
# "series NN" (mail NN adds it); the others point at prerequisite
# commits. The mails are measured as patches only: nothing is built, so
# a mail that applies may still need what a failed hunk would have added.
# Ends with
#   upstream conversion v14 onto 6.1.192: A of 17 apply, F hunks fail in P patches
# (--commits: "mainline commits of LIST onto 6.1.192: ...").
# Usage: scripts/submit/measure-upstream-conversion.sh .cache/upstream-conversion
#        scripts/submit/measure-upstream-conversion.sh --commits \
#            scripts/submit/upstream-odirect-commits.txt ~/linux/.git
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: submit/measure-upstream-conversion.sh MBOX_DIR|MBOX, or --commits LIST LINUX_GIT"
src=${1:?$usage}
need_cmd git git
export LC_ALL=C
split=$(mktemp -d)
label="upstream conversion v14"
if [ "$src" = --commits ]; then
	list=${2:?$usage}
	linux=${3:?$usage}
	[ -f "$list" ] || die "commit list $list not found"
	git --git-dir="$linux" rev-parse --git-dir >/dev/null 2>&1 ||
		die "LINUX_GIT=$linux is not a git directory (give the .git of a clone with mainline history)"
	label="mainline commits of $(basename "$list")"
	n=0
	while read -r id release _; do
		case "$id" in '' | '#'*) continue ;; esac
		n=$((n + 1))
		git --git-dir="$linux" cat-file -e "$id^{commit}" 2>/dev/null ||
			die "$linux has no commit $id ($list); it needs mainline's history up to v6.6"
		git --git-dir="$linux" format-patch -1 --stdout --no-signature --zero-commit \
			"$id" >"$split/$(printf %02d "$n").mbox"
		# The row names the commit: "<id> (<release>) <subject>".
		echo "$(printf %02d "$n") ${id:0:12} ($release)" >>"$split/ids"
	done <"$list"
	mbox_dir=$split
elif [ -f "$src" ]; then
	# One mbox holding the series ('b4 am -o DIR MESSAGE-ID' writes one):
	# one mail a file, in order.
	git mailsplit -o"$split" "$src" >/dev/null
	for f in "$split"/*; do mv "$f" "$f.mbox"; done
	mbox_dir=$split
else
	[ -d "$src" ] || die "$src is neither a directory nor a file; $usage"
	mbox_dir=$(cd "$src" && pwd)
fi
mapfile -t mails < <(find "$mbox_dir" -maxdepth 1 -type f -name '*.mbox' | sort)
[ "${#mails[@]}" -gt 0 ] || die "no *.mbox files in $mbox_dir"
ids=
if [ -f "$mbox_dir/ids" ]; then
	ids=$mbox_dir/ids
	[ "$label" != "upstream conversion v14" ] || label="mainline commits of $(basename "$mbox_dir")"
fi

base_name=${IPI_FP_MEASURE_BASE:-6.1.176-kernel.org}
base_what=$(awk -F'\t' -v n="$base_name" '$1 == n { print $4 }' "$TOP/ci/bases.tsv")
base=$("$TOP/scripts/get-base.sh" "$base_name")
REPO=$CACHE/linux.git
g() { git --git-dir="$REPO" "$@"; }
export GIT_COMMITTER_NAME=ipi_fp GIT_COMMITTER_EMAIL=ipi_fp@localhost

scratch=$(mktemp -d)
wt=$scratch/tree
cleanup() {
	if [ -d "$wt" ]; then
		g worktree remove --force "$wt" >/dev/null 2>&1 || true
	fi
	rm -rf "$scratch" "$split"
	g worktree prune
}
trap cleanup EXIT
log "checking out $base_name ($base) in $wt"
g worktree add -q --detach "$wt" "$base"
t() { git -C "$wt" "$@"; }

# Per failing hunk: mail, file, line, function, its context identifiers.
hunks=$scratch/hunks.tsv
# Per mail: the identifiers its '+' lines use ("NN identifier").
added=$scratch/added.txt
: >"$hunks"
: >"$added"

# idents: the identifiers (3 characters or more) on stdin, one a line.
idents() {
	grep -oE '[A-Za-z_][A-Za-z0-9_]{2,}' | sort -u || true
}

# record_hunks NUM FILE PATCHFILE: add each hunk of PATCHFILE (a .rej, or a
# whole diff section) to $hunks: mail, file, line, function, the identifiers
# of its context and removed lines, the first of those lines that the
# file in the tree (as it is when the hunk fails) does not have, and
# whether the file already has each line the hunk adds (1: a backport of
# the change is in the tree, in other words). An empty field is "-":
# read with a tab IFS folds empty fields.
record_hunks() {
	local num=$1 file=$2 src=$3 dir h line func ids l miss present
	dir=$(mktemp -d "$scratch/hunk.XXXXXX")
	awk -v d="$dir" '/^@@ /{n++; f=sprintf("%s/%03d", d, n)} n{print > f}' "$src"
	for h in "$dir"/*; do
		[ -f "$h" ] || continue
		line=$(sed -n '1s/^@@ -\([0-9]*\).*/\1/p' "$h")
		func=$(sed -n '1s/^@@ [^@]*@@ *//p' "$h" | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' | head -n 1 | tr -d '( \t' || true)
		ids=$(sed -n '2,$s/^[ -]//p' "$h" | idents | paste -sd' ')
		miss=
		if [ -f "$wt/$file" ]; then
			while IFS= read -r l; do
				[ -n "${l//[[:space:]]/}" ] || continue
				grep -qxF -- "$l" "$wt/$file" || {
					miss=$l
					break
				}
			done < <(sed -n '2,$s/^[ -]//p' "$h")
		fi
		miss=$(sed 's/^[[:space:]]*//; s/[[:space:]]\{1,\}/ /g' <<<"$miss" | cut -c1-80)
		present=0
		if [ -f "$wt/$file" ] && grep -q '^+.*[^[:space:]]' "$h"; then
			present=1
			while IFS= read -r l; do
				[ -n "${l//[[:space:]]/}" ] || continue
				grep -qxF -- "$l" "$wt/$file" || {
					present=0
					break
				}
			done < <(sed -n '2,$s/^+//p' "$h")
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$num" "$file" "${line:-?}" "${func:--}" "${ids:--}" "${miss:--}" "$present" >>"$hunks"
	done
	rm -rf "$dir"
}

total=0 applied=0 failed_hunks=0 failed_patches=0
rows=()
for mail in "${mails[@]}"; do
	w=$scratch/mail
	rm -rf "$w"
	mkdir "$w"
	t mailinfo -k "$w/msg" "$w/patch" <"$mail" >"$w/info"
	subject=$(sed -n 's/^Subject: //p' "$w/info")
	# A quilt-style diff (stable review mails) has no "diff --git" lines:
	# add them, so that the file sections below are found the same way.
	if ! grep -q '^diff --git ' "$w/patch"; then
		awk '/^--- a\// { f = substr($0, 7); if ((getline nxt) > 0) {
			if (nxt == "+++ b/" f) print "diff --git a/" f " b/" f; print; print nxt; next } }
			{ print }' "$w/patch" >"$w/patch.git"
		mv "$w/patch.git" "$w/patch"
	fi
	if ! grep -q '^diff --git ' "$w/patch"; then
		log "skipping $(basename "$mail"): no diff (${subject:-no subject})"
		continue
	fi
	total=$((total + 1))
	num=
	[ -n "$ids" ] || num=$(sed -n 's/^\[[^]]* \([0-9][0-9]*\)\/[0-9][0-9]*\].*/\1/p' <<<"$subject")
	num=${num:-$(basename "$mail" .mbox)}
	title=$(sed 's/^\[[^]]*\] *//' <<<"$subject")
	if [ -n "$ids" ]; then
		title="$(awk -v n="$num" '$1 == n { $1 = ""; print substr($0, 2) }' "$ids") $title"
	fi
	sed -n '/^+++ /d; s/^+//p' "$w/patch" | idents | sed "s/^/$num /" >>"$added"

	if t apply --check -R "$w/patch" >/dev/null 2>&1; then
		rows+=("$num | $title | already in the base | -")
		continue
	fi
	if t am -q --keep-cr "$mail" >"$w/am.out" 2>&1; then
		applied=$((applied + 1))
		rows+=("$num | $title | applied | -")
		continue
	fi
	t am --abort >/dev/null 2>&1 || true

	# One file at a time, so that a file the base lacks does not stop the
	# others.
	awk -v d="$w" '/^diff --git /{n++; f=sprintf("%s/sec.%03d", d, n)} n{print > f}' "$w/patch"
	nhunks=0 nfail=0 files=()
	for sec in "$w"/sec.*; do
		file=$(sed -n '1s|^diff --git a/.* b/\(.*\)$|\1|p' "$sec")
		n=$(grep -c '^@@ ' "$sec" || true)
		nhunks=$((nhunks + n))
		rm -f "$wt/$file.rej"
		if t apply --reject "$sec" >"$w/apply.out" 2>&1; then
			continue
		fi
		if [ -f "$wt/$file.rej" ]; then
			f=$(grep -c '^@@ ' "$wt/$file.rej" || true)
			record_hunks "$num" "$file" "$wt/$file.rej"
			rm -f "$wt/$file.rej"
		else
			# Nothing applied: the file is missing, or a new file exists.
			f=$n
			record_hunks "$num" "$file" "$sec"
		fi
		nfail=$((nfail + f))
		files+=("$file ($f/$n)")
	done
	t add -A
	if ! t diff --cached --quiet; then
		author=$(sed -n 's/^Author: //p' "$w/info")
		email=$(sed -n 's/^Email: //p' "$w/info")
		t commit -q --no-verify --author="$author <$email>" -m "partial: $title"
	fi
	if [ "$nfail" -eq 0 ]; then
		rows+=("$num | $title | git am failed, every hunk applies by itself: $(head -n 1 "$w/am.out") | -")
	elif [ "$(awk -F'\t' -v n="$num" '$1 == n && $7 != 1' "$hunks" | wc -l)" -eq 0 ]; then
		# Every failing hunk's lines are there already: a stable release
		# took the commit, adjusted to 6.1.y.
		rows+=("$num | $title | already in the base, adjusted: each of the $nfail of $nhunks hunks that fail adds only lines the base has | ${files[*]}")
	else
		failed_hunks=$((failed_hunks + nfail))
		failed_patches=$((failed_patches + 1))
		rows+=("$num | $title | $nfail of $nhunks hunks failed | ${files[*]}")
	fi
done

# The identifiers of failing hunks that the base lacks. A word in a comment
# does not count (6.1.192 names iov_iter_get_pages() only in comments).
# First the hunk's own file in the base takes out most; each one left is
# looked for in every *.c and *.h of the base (git grep per identifier:
# with -o and many patterns one grep over the tree takes far longer). One
# that the tree defines after the whole run (base plus what applied; a
# line that looks like a definition, not a mere use) the series adds:
# "series NN" names the first mail whose '+' lines have it.
code_lines() {
	grep -v -E '^[[:space:]]*(\*|/\*|//)' || true
}
# has_ident REV ID: REV has ID in code, not only in comments.
has_ident() {
	local hit
	hit=$({ g grep -h -w -F -e "$2" "$1" -- '*.[ch]' || true; } | code_lines | head -n 1)
	[ -n "$hit" ]
}
# has_def REV ID: REV has a line that looks like it defines ID: a #define,
# a struct/union/enum, a function at column 0, an enumerator or a variable
# or parameter after its type.
has_def() {
	local id=$2 hit
	hit=$({ g grep -h -w -F -e "$id" "$1" -- '*.[ch]' || true; } | code_lines |
		{ grep -E -e "^[[:space:]]*#[[:space:]]*define[[:space:]]+${id}\b" \
			-e "\b(struct|union|enum)[[:space:]]+${id}[[:space:]]*\{" \
			-e "^[A-Za-z_].*[^A-Za-z0-9_.>]${id}[[:space:]]*\(" \
			-e "^[[:space:]]+${id}[[:space:]]*(,|=[^=]|$)" \
			-e "[A-Za-z_][A-Za-z0-9_]*[[:space:]*]+${id}[[:space:]]*(;|,|=[^=]|\)|\[)" || true; } |
		grep -v -E "^[[:space:]]*(return|case|goto|else|sizeof|typeof|if|while)\b[[:space:](*]*$id\b" | head -n 1)
	[ -n "$hit" ]
}
cands=$scratch/cands.txt
: >"$cands"
while IFS=$'\t' read -r _ file _ _ ids _ present; do
	[ "$present" != 1 ] || continue
	tr ' ' '\n' <<<"$ids" | sed '/^-\{0,1\}$/d' | sort -u >"$scratch/h.ids"
	{ g show "$base:$file" 2>/dev/null || true; } | code_lines |
		{ grep -owF -f "$scratch/h.ids" || true; } | sort -u >"$scratch/h.found"
	comm -23 "$scratch/h.ids" "$scratch/h.found" >>"$cands"
done <"$hunks"
missing=$scratch/missing.txt
: >"$missing"
final=$(t rev-parse HEAD)
sort -u "$cands" | while read -r id; do
	has_ident "$base" "$id" && continue
	by=
	if has_def "$final" "$id"; then
		by=$(awk -v id="$id" '$2 == id { print $1; exit }' "$added")
	fi
	printf '%s %s\n' "$id" "${by:--}" >>"$missing"
done

# explain IDS: those of IDS that the base lacks, with the mail adding each.
explain() {
	local id by out=
	for id in $1; do
		by=$(awk -v id="$id" '$1 == id { print $2; exit }' "$missing")
		[ -n "$by" ] || continue
		[ "$by" = - ] && by=
		out+=" $id${by:+ (series $by)}"
	done
	echo "${out# }"
}

echo "base: $base_name ($base): ${base_what:-?}"
echo "no | subject | result | failing files (failed/total hunks)"
for row in "${rows[@]}"; do
	echo "$row"
	num=${row%% |*}
	while IFS=$'\t' read -r hnum file line func ids miss present; do
		[ "$hnum" = "$num" ] || continue
		if [ "$present" = 1 ]; then
			why="each line it adds is already in the tree"
		elif ! g cat-file -e "$base:$file" 2>/dev/null; then
			why="file absent in $base_name"
		else
			why=$(explain "$ids")
			why=${why:+missing in $base_name: $why}
		fi
		if [ -z "$why" ]; then
			why="context differs: "
			if [ "$miss" != - ]; then
				why+="first line the tree lacks: $miss"
			else
				why+="each line exists, not together"
			fi
		fi
		echo "    hunk $file:$line $func: $why"
	done <"$hunks"
done

if [ -s "$missing" ]; then
	echo "identifiers of failing hunks that $base_name lacks (series NN: added by mail NN; others: prerequisites):"
	while read -r id by; do
		[ "$by" = - ] && by=
		users=$(awk -F'\t' -v id="$id" '(" " $5 " ") ~ (" " id " ") { print $1 }' "$hunks" | sort -u | paste -sd,)
		echo "    $id: ${by:+series $by, }hunks of $users"
	done <"$missing"
fi
echo "$label onto $base_name: $applied of $total apply, $failed_hunks hunks fail in $failed_patches patches"
