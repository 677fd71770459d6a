#!/usr/bin/env bash
# submit/gather-upstream-postings.sh finds each commit's mail by its
# Message-ID, in a public-inbox git directory (one mail a commit, in m) or
# in a directory of saved mails, writes them as NN.mbox in the list's
# order with the ids file that names each by its commit, and fails naming
# a message-id found nowhere. Here on a made-up archive of three mails:
# two with the same subject (a v1 and a v2), and a saved one.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t
archive=$TMP/archive.git
git init -q --bare "$archive"
# add_mail SUBJECT MSGID: one commit whose m is a mail.
add_mail() {
	local blob tree parent
	blob=$(printf 'From: A <a@example.org>\nSubject: %s\nMessage-Id: <%s>\n\nbody of %s\n' \
		"$1" "$2" "$2" | git --git-dir="$archive" hash-object -w --stdin)
	tree=$(printf '100644 blob %s\tm\n' "$blob" | git --git-dir="$archive" mktree)
	parent=$(git --git-dir="$archive" rev-parse -q --verify refs/heads/master || true)
	git --git-dir="$archive" update-ref refs/heads/master \
		"$(git --git-dir="$archive" commit-tree ${parent:+-p "$parent"} -m "$1" "$tree")"
}
add_mail '[PATCH 1/2] block: do a thing' v1-1@example.org
add_mail '[PATCH v2 1/2] block: do a thing' v2-1@example.org
add_mail 'Re: [PATCH v2 1/2] block: do a thing' reply@example.org
mkdir "$TMP/saved"
printf 'From: B <b@example.org>\nSubject: [PATCH 6.5 1/9] mm: fix\nMessage-ID: <stable@example.org>\n\nsaved\n' >"$TMP/saved/x.eml"
printf '# test\n%s v9.9 v2-1@example.org block: do a thing\n%s v9.9 stable@example.org mm: fix\n' \
	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb >"$TMP/list"
"$TOP/scripts/submit/gather-upstream-postings.sh" "$TMP/list" "$TMP/out" "$archive" "$TMP/saved"
grep -q '^body of v2-1@example.org$' "$TMP/out/01.mbox" &&
	grep -q '^saved$' "$TMP/out/02.mbox" &&
	[ "$(cat "$TMP/out/ids")" = $'01 aaaaaaaaaaaa (v9.9)\n02 bbbbbbbbbbbb (v9.9)' ] ||
	{
		head "$TMP/out"/*
		exit 1
	}
echo "as expected: the v2 posting and the saved mail, named by commit"
printf '%s v9.9 nowhere@example.org block: do a thing\n' cccccccccccccccccccccccccccccccccccccccc >"$TMP/list2"
expect_fail '1 of 1 mails found in no source' \
	"$TOP/scripts/submit/gather-upstream-postings.sh" "$TMP/list2" "$TMP/out2" "$archive"
printf '%s v9.9 block: do a thing\n' cccccccccccccccccccccccccccccccccccccccc >"$TMP/list3"
expect_fail 'has no message-id column' \
	"$TOP/scripts/submit/gather-upstream-postings.sh" "$TMP/list3" "$TMP/out3" "$archive"
