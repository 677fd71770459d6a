#!/usr/bin/env bash
# submit/check-submissions.sh: the gates a list's maintainer runs on a mail, run
# on what 'make send-prep' writes. Prepares every submission (patches/
# submissions.tsv, the held stable forms too) with a test identity into a
# scratch outbox, then for each mail:
#   - From: and the last Signed-off-by: are the sender's (the test
#     identity), and any other identity in it is one the submission's own
#     files carry (a backport keeps its upstream author and sign-offs);
#   - 'git am' (plain, as a maintainer applies it) of the whole outbox onto
#     a clean work tree of its base (the build gates' one, whose build
#     directories git ignores) succeeds, and onto each base of its "also"
#     column (kernel.org's 6.1.y release for the 6.1.y forms), and, for a submission whose
#     mainline column names a fixture (ci/fixtures/NAME: mainline's files at
#     their paths, SOURCE.md says which commit), onto a git tree of that
#     fixture too;
#   - a held stable form starts with "commit <id> upstream." (the id, or
#     MAINLINE-COMMIT-ID until the mainline commit exists);
#   - the base tree's checkpatch.pl --strict, in patch mode, run from that
#     tree as a maintainer runs it. Commit ids the messages cite are looked
#     up when IPI_FP_LINUX_GIT names a git directory with mainline history
#     (checkpatch's GIT_DIR); without one (CI: no kernel history can be
#     fetched) that one check, UNKNOWN_COMMIT_ID, cannot run and is waived,
#     which the output says. Two waivers for the selftest patch:
#     FILE_PATH_CHANGES (its new directory is covered by "KERNEL SELFTEST
#     FRAMEWORK", F: tools/testing/selftests/) and INCLUDE_LINUX (the
#     x86-only test module needs register_nmi_handler() from <asm/nmi.h>,
#     which 6.1's <linux/nmi.h> includes only with HAVE_NMI_WATCHDOG or
#     HAVE_ACPI_APEI_NMI; drivers/watchdog/hpwdt.c includes it the same way).
# Prints one line per check and "submissions: N passed, N failed".
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

table=$TOP/patches/submissions.tsv
outbox=$(mktemp -d)
trap 'rm -rf "$outbox"' EXIT
test_name="ipi_fp check"
test_email=ipi-fp-check@example.org
# Command-line strength config: it wins over the user's own identity.
GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0=$test_name \
	GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1=$test_email \
	"$TOP/scripts/submit/send-prep.sh" -o "$outbox" --held >/dev/null

if [ -n "${IPI_FP_LINUX_GIT:-}" ]; then
	git --git-dir="$IPI_FP_LINUX_GIT" rev-parse -q --verify '1da177e4c3f4^{commit}' >/dev/null ||
		die "IPI_FP_LINUX_GIT=$IPI_FP_LINUX_GIT is not a git directory with mainline history"
	history=$IPI_FP_LINUX_GIT
	echo "cited commit ids: looked up in $history"
else
	history=/nonexistent
	echo "cited commit ids: not looked up (waiver: no git history with mainline; set IPI_FP_LINUX_GIT)"
fi


# identity NAME MAIL: the mail's From: is the sender's and so is the last
# Signed-off-by. Any other identity in a From: or Signed-off-by: line must
# be one that patches/NAME's own files carry: a backport's upstream author
# and sign-offs, which it keeps; the tooling adds nobody else.
identity() {
	local name=$1 mail=$2 sender="$test_name <$test_email>" from last others
	from=$(sed -n '/^$/q; s/^From: //p' "$mail")
	[ "$from" = "$sender" ] || { echo "From: is '$from', not '$sender'"; return 1; }
	case "$(basename "$mail")" in 0000-*) return 0 ;; esac
	last=$(grep '^Signed-off-by: ' "$mail" | tail -n 1)
	[ "$last" = "Signed-off-by: $sender" ] ||
		{ echo "the last Signed-off-by is '$last', not the sender's"; return 1; }
	others=$(grep -E '^(From|Signed-off-by): ' "$mail" | grep -vF "$sender" |
		grep -vxF -f <(cat "$TOP/patches/$name"/[0-9][0-9][0-9][0-9]-*.patch |
			grep -E '^(From|Signed-off-by): ') || true)
	if [ -n "$others" ]; then
		echo "an identity in From:/Signed-off-by: that patches/$name does not carry:"
		echo "$others"
		return 1
	fi
}

# git_am TREE MAIL...: apply as a maintainer does; leave TREE clean.
git_am() {
	local tree=$1 rc=0
	shift
	git -C "$tree" -c user.name=am -c user.email=am@localhost am -q "$@" || rc=$?
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	return $rc
}

# checkpatch TREE MAIL: checkpatch.pl --strict from TREE. A backport's
# "commit <id> upstream." line, the form stable-kernel-rules.rst asks for
# (stable_header checks it), is left out: checkpatch reads any "commit
# <id>" without a ("title") as a malformed reference (GIT_COMMIT_ID).
checkpatch() {
	local tree=$1 mail=$2 ignore=UNKNOWN_COMMIT_ID copy
	[ "$history" = /nonexistent ] || ignore=
	case "$mail" in *selftests*) ignore+=${ignore:+,}FILE_PATH_CHANGES,INCLUDE_LINUX ;; esac
	copy=$(mktemp -p "$outbox")
	sed '/^commit [0-9a-f]\{40\} upstream\.$/d' "$mail" >"$copy"
	(cd "$tree" && GIT_DIR=$history perl scripts/checkpatch.pl --strict --quiet \
		${ignore:+--ignore "$ignore"} "$copy")
}

# fixture_tree DIR: a fresh git tree of fixture DIR (its files, not SOURCE.md).
fixture_tree() {
	local fx=$TOP/$1 t
	t=$(mktemp -d -p "$outbox")
	cp -a "$fx/." "$t/"
	rm -f "$t/SOURCE.md"
	git -C "$t" init -q
	git -C "$t" add -A
	git -C "$t" -c user.name=fixture -c user.email=fixture@localhost commit -q -m "$1"
	echo "$t"
}

# stable_header MAIL: the stable form's first body line (after the
# in-body From: of a backport's upstream author).
stable_header() {
	python3 - "$1" <<'EOF'
import email, re, sys
body = email.message_from_string(open(sys.argv[1]).read()).get_payload()
body = re.sub(r"\AFrom: [^\n]*\n", "", body.lstrip("\n"))
first = body.lstrip("\n").split("\n", 1)[0]
if not re.fullmatch(r"commit ([0-9a-f]{40}|MAINLINE-COMMIT-ID) upstream\.", first):
    sys.exit(f"first body line is {first!r}, not 'commit <id> upstream.'")
EOF
}

while IFS=$'\t' read -r name base _ send mainline also; do
	commit=$("$TOP/scripts/get-base.sh" "$base")
	# The build gates' work tree of the base (submit/build-gates.sh resets it).
	tree=$CACHE/trees/gate-$base
	checkout_tree "$tree" "$commit"
	mapfile -t mails < <(ls "$outbox/$name"/*.patch)
	for m in "${mails[@]}"; do
		run "$name/$(basename "$m"): From and the last Signed-off-by are the sender's" identity "$name" "$m"
	done
	mapfile -t patches < <(printf '%s\n' "${mails[@]}" | grep -v '/0000-cover-letter\.patch$')
	run "$name ($send): git am onto $base" git_am "$tree" "${patches[@]}"
	for other in ${also//,/ }; do
		[ "$other" != - ] || continue
		tree=$CACHE/trees/gate-$other
		checkout_tree "$tree" "$("$TOP/scripts/get-base.sh" "$other")"
		run "$name ($send): git am onto $other" git_am "$tree" "${patches[@]}"
		mapfile -t files < <(sed -n 's|^+++ b/||p' "${patches[@]}" | sort -u)
		differ=$(git --git-dir="$CACHE/linux.git" diff --name-only "base/$base" "base/$other" -- "${files[@]}" | paste -sd' ')
		echo "note    $name: of the ${#files[@]} files it changes, those that differ between $base and $other: ${differ:-none}"
	done
	tree=$CACHE/trees/gate-$base
	if [ "${mainline:--}" != - ]; then
		run "$name ($send): git am onto the mainline fixture $mainline" \
			git_am "$(fixture_tree "$mainline")" "${patches[@]}"
	fi
	for m in "${patches[@]}"; do
		# A held stable form, or a backport (an in-body From: of the
		# upstream author), starts with "commit <id> upstream.".
		if [ "$send" != now ] || grep -q '^From: ' <(sed '1,/^$/d' "$m"); then
			run "$name/$(basename "$m"): stable form's 'commit <id> upstream.' line" stable_header "$m"
		fi
		run "$name/$(basename "$m"): checkpatch --strict ($base tree)" checkpatch "$tree" "$m"
	done
done < <(grep -v '^#' "$table")
echo "submissions: $pass passed, $fail failed"
[ "$fail" = 0 ]
