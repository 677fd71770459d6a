#!/usr/bin/env bash
# blk-map-leak/report.py: a kernel that kept about a page a round leaks,
# one that kept none does not; it fails unless 6.1.192 leaks and the
# backport does not, and on an unfinished guest, an error or a splat.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/blk-map-leak/report.py
# guest NAME NOT_FREED [EXTRA]: one guest's console, 20000 rounds.
guest() {
	{
		echo 'BLK_MAP_LEAK_START 6.1.192 x86_64 cpus=3'
		printf '%s' "${3:-}"
		echo "SG_IO_SAME_PAGE rounds=20000 not_freed_pages=$2 errors=0"
		echo 'BLK_MAP_LEAK_DONE'
	} >"$TMP/$1.log"
}
guest x86_64-6.1.192-unpatched 20011
guest x86_64-6.1.192-blk-map-backport 12
out=$(python3 "$R" "$TMP/x86_64-6.1.192-unpatched.log" "$TMP/x86_64-6.1.192-blk-map-backport.log")
grep -Eq '^x86_64-6.1.192-unpatched +20000 +20011 +1.001  leaks$' <<<"$out" &&
	grep -Eq '^x86_64-6.1.192-blk-map-backport +20000 +12 +0.001  no leak$' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-blk-map-backport 19000
expect_fail 'blk-map-backport .* leaks  \(expected: no leak\)' \
	python3 "$R" "$TMP/x86_64-6.1.192-unpatched.log" "$TMP/x86_64-6.1.192-blk-map-backport.log"
guest x86_64-6.1.192-blk-map-backport 0 $'[   5.0] BUG: Bad page state in process sg_io_same_page\n'
expect_fail 'ERROR: kernel splat' python3 "$R" "$TMP/x86_64-6.1.192-blk-map-backport.log"
head -n 1 "$TMP/x86_64-6.1.192-unpatched.log" >"$TMP/x86_64-6.1.192-unpatched.log.new"
mv "$TMP/x86_64-6.1.192-unpatched.log.new" "$TMP/x86_64-6.1.192-unpatched.log"
expect_fail 'ERROR: the guest did not finish .*no SG_IO_SAME_PAGE line' python3 "$R" "$TMP/x86_64-6.1.192-unpatched.log"
echo "leak verdicts, expectations, splats and unfinished guests as expected"
