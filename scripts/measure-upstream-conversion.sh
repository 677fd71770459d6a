#!/usr/bin/env bash
# measure-upstream-conversion.sh MBOX_DIR: measure how hard it is to
# backport upstream's O_DIRECT FOLL_PIN conversion (David Howells' "iov_iter:
# Improve page extraction (pin or just list)", [PATCH v14 NN/17] of
# 2023-02-14) onto Debian's 6.1.192, the base scripts/get-base.sh makes.
#
# MBOX_DIR holds one mail a file, *.mbox, taken in name order (v14-01.mbox
# .. v14-17.mbox); a mail without a diff (the 00/17 cover letter) is
# skipped. The base is checked out in a scratch worktree of $CACHE/linux.git
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
# Prints one row a mail: number | subject | applied, or "N of M hunks
# failed" | the files with failing hunks; then, for each failing hunk, the
# file, line and function, and the identifiers of its context and removed
# lines that the 6.1.192 tree lacks altogether (grep over the base, *.c
# *.h and everything else); an identifier that a '+' line of one of the
# mails adds is marked "series NN", the rest point at prerequisite
# commits. "context differs" means all its identifiers exist: the code
# around them changed. Ends with
#   upstream conversion v14 onto 6.1.192: A of 17 apply, F hunks fail in P patches
# Usage: scripts/measure-upstream-conversion.sh .cache/upstream-conversion
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage="usage: measure-upstream-conversion.sh MBOX_DIR"
mbox_dir=${1:?$usage}
[ -d "$mbox_dir" ] || die "$mbox_dir is not a directory; $usage"
mbox_dir=$(cd "$mbox_dir" && pwd)
need_cmd git git
export LC_ALL=C
mapfile -t mails < <(find "$mbox_dir" -maxdepth 1 -type f -name '*.mbox' | sort)
[ "${#mails[@]}" -gt 0 ] || die "no *.mbox files in $mbox_dir"

base_name=6.1.192
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
	rm -rf "$scratch"
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
# whole diff section) to $hunks.
record_hunks() {
	local num=$1 file=$2 src=$3 dir h line func ids
	dir=$(mktemp -d "$scratch/hunk.XXXXXX")
	awk -v d="$dir" '/^@@ /{n++; f=sprintf("%s/%03d", d, n)} n{print > f}' "$src"
	for h in "$dir"/*; do
		[ -f "$h" ] || continue
		line=$(sed -n '1s/^@@ -\([0-9]*\).*/\1/p' "$h")
		func=$(sed -n '1s/^@@ [^@]*@@ *//p' "$h" | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(' | head -n 1 | tr -d '( \t' || true)
		ids=$(sed -n '2,$s/^[ -]//p' "$h" | idents | paste -sd' ')
		printf '%s\t%s\t%s\t%s\t%s\n' "$num" "$file" "${line:-?}" "${func:--}" "$ids" >>"$hunks"
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
	if ! grep -q '^diff --git ' "$w/patch"; then
		log "skipping $(basename "$mail"): no diff (${subject:-no subject})"
		continue
	fi
	total=$((total + 1))
	num=$(sed -n 's/^\[[^]]* \([0-9][0-9]*\)\/[0-9][0-9]*\].*/\1/p' <<<"$subject")
	num=${num:-$(basename "$mail" .mbox)}
	title=$(sed 's/^\[[^]]*\] *//' <<<"$subject")
	sed -n '/^+++ /d; s/^+//p' "$w/patch" | idents | sed "s/^/$num /" >>"$added"

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
	else
		failed_hunks=$((failed_hunks + nfail))
		failed_patches=$((failed_patches + 1))
		rows+=("$num | $title | $nfail of $nhunks hunks failed | ${files[*]}")
	fi
done

# The identifiers of failing hunks that the base lacks: one grep for all.
all_ids=$scratch/ids.txt
found=$scratch/found.txt
cut -f5 "$hunks" | tr ' ' '\n' | sed '/^$/d' | sort -u >"$all_ids"
: >"$found"
if [ -s "$all_ids" ]; then
	{ g grep -I -o -h -w -F -f "$all_ids" "$base" || true; } | sed 's/^[^:]*://' | sort -u >"$found"
fi
missing=$scratch/missing.txt
comm -23 "$all_ids" "$found" >"$missing"

# explain NUM IDS: the missing identifiers of a hunk of mail NUM, each with
# the first earlier mail whose '+' lines have it, if one does.
explain() {
	local id by out=
	for id in $2; do
		grep -qxF "$id" "$missing" || continue
		by=$(awk -v id="$id" -v n="$1" '$2 == id && $1 + 0 < n + 0 { print $1; exit }' "$added")
		out+=" $id${by:+ (series $by)}"
	done
	echo "${out# }"
}

echo "base: Debian $base_name ($base)"
echo "no | subject | result | failing files (failed/total hunks)"
for row in "${rows[@]}"; do
	echo "$row"
	num=${row%% |*}
	while IFS=$'\t' read -r hnum file line func ids; do
		[ "$hnum" = "$num" ] || continue
		if ! g cat-file -e "$base:$file" 2>/dev/null; then
			why="file absent in $base_name"
		else
			why=$(explain "$hnum" "$ids")
			why=${why:+missing in $base_name: $why}
		fi
		echo "    hunk $file:$line $func: ${why:-context differs}"
	done <"$hunks"
done

if [ -s "$missing" ]; then
	echo "identifiers of failing hunks that $base_name lacks (series NN: a mail adds it; others: prerequisites):"
	while read -r id; do
		by=$(awk -v id="$id" '$2 == id { print $1; exit }' "$added")
		users=$(awk -F'\t' -v id="$id" '(" " $5 " ") ~ (" " id " ") { print $1 }' "$hunks" | sort -u | paste -sd,)
		echo "    $id: ${by:+series $by, }hunks of $users"
	done <"$missing"
fi
echo "upstream conversion v14 onto $base_name: $applied of $total apply, $failed_hunks hunks fail in $failed_patches patches"
