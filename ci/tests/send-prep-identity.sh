#!/usr/bin/env bash
# make send-prep takes From and Signed-off-by from the sender's git config
# and refuses to run without one; no patch in the repository carries an
# identity of its own.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

# No identity anywhere: refused, saying what to set.
HOME=$TMP GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null XDG_CONFIG_HOME=$TMP \
	expect_fail 'no sender identity: git config user.name and user.email' \
	"$TOP/scripts/submit/send-prep.sh" -o "$TMP/outbox" x86-apic-icr

# A name without an address is refused too.
printf '[user]\n\tname = Only A Name\n' >"$TMP/gitconfig"
HOME=$TMP GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$TMP/gitconfig XDG_CONFIG_HOME=$TMP \
	expect_fail 'no sender identity' "$TOP/scripts/submit/send-prep.sh" -o "$TMP/outbox" x86-apic-icr

# With one, every mail is From that sender and each patch signed off by it.
printf '[user]\n\tname = A Sender\n\temail = a.sender@example.org\n' >"$TMP/gitconfig"
HOME=$TMP GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$TMP/gitconfig XDG_CONFIG_HOME=$TMP \
	"$TOP/scripts/submit/send-prep.sh" -o "$TMP/outbox" x86-apic-icr >/dev/null 2>&1
for m in "$TMP"/outbox/x86-apic-icr/*.patch; do
	grep -qx 'From: A Sender <a.sender@example.org>' "$m" || { echo "$m: not From the sender"; exit 1; }
done
grep -qx 'Signed-off-by: A Sender <a.sender@example.org>' "$TMP"/outbox/x86-apic-icr/0001-*.patch ||
	{ echo "no sign-off by the sender"; exit 1; }
# A single patch without a cover letter: "[PATCH]", its notes below '---'
# kept, and the send command told to leave the Cc: stable trailer alone.
[ ! -e "$TMP"/outbox/x86-apic-icr/0000-cover-letter.patch ] ||
	{ echo "x86-apic-icr has no cover letter to send"; exit 1; }
grep -q '^Subject: \[PATCH\] x86/apic' "$TMP"/outbox/x86-apic-icr/0001-*.patch ||
	{ echo "x86-apic-icr: not '[PATCH] x86/apic: ...'"; exit 1; }
sed -n '/^---$/,/^diff /p' "$TMP"/outbox/x86-apic-icr/0001-*.patch | grep -q '^Notes (not for the changelog):' ||
	{ echo "x86-apic-icr: the notes below '---' were lost"; exit 1; }
grep -qx -- '--suppress-cc=bodycc' "$TMP"/outbox/x86-apic-icr/send-options ||
	{ echo "x86-apic-icr: send-options lacks --suppress-cc=bodycc"; exit 1; }

# A held stable form is refused unless asked for (checks only).
HOME=$TMP GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$TMP/gitconfig XDG_CONFIG_HOME=$TMP \
	expect_fail 'marked .after-mainline.' "$TOP/scripts/submit/send-prep.sh" -o "$TMP/outbox" x86-apic-icr-6.1.y

# The repository's patches carry no From: or Signed-off-by: of their own,
# except a backport of an upstream commit ("commit <id> upstream."), which
# keeps its upstream author and sign-offs.
for f in $(grep -rlE '^(From|Signed-off-by): ' "$TOP"/patches/*/*.patch "$TOP"/ci/fixtures "$TOP"/ci/controls); do
	grep -qE '^commit [0-9a-f]{40} upstream\.$' "$f" ||
		{ echo "$f carries an identity and is not a backport of an upstream commit"; exit 1; }
done

# A backport: From: is the sender, the body's From: the upstream author,
# the last Signed-off-by the sender's.
HOME=$TMP GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$TMP/gitconfig XDG_CONFIG_HOME=$TMP \
	"$TOP/scripts/submit/send-prep.sh" -o "$TMP/outbox" blk-map-same-page-6.1.y >/dev/null 2>&1
m=$(ls "$TMP"/outbox/blk-map-same-page-6.1.y/0001-*.patch)
[ "$(sed -n '/^$/q; s/^From: //p' "$m")" = "A Sender <a.sender@example.org>" ] ||
	{ echo "backport: the mail is not From the sender"; exit 1; }
[ "$(sed '1,/^$/d' "$m" | sed -n '1s/^From: //p')" = "$(sed -n '/^$/q; s/^From: //p' \
	"$TOP"/patches/blk-map-same-page-6.1.y/0001-*.patch)" ] ||
	{ echo "backport: the body's first line is not the upstream author's From:"; exit 1; }
[ "$(grep '^Signed-off-by: ' "$m" | tail -n 1)" = "Signed-off-by: A Sender <a.sender@example.org>" ] ||
	{ echo "backport: the last sign-off is not the sender's"; exit 1; }
echo "identity from git config only; refused without one; a backport keeps its upstream author"
