#!/usr/bin/env bash
# The ipi_fp target run as a user that is not root (nobody), in an x86_64
# 6.1.192 guest, as a user would try it first: every case PASS or SKIP,
# each SKIP with its reason; none FAIL or ERROR. (Its output goes through
# a pipe the user made: run_kselftest.sh opens /dev/stdout, and the
# console and a pipe made by root are root's.)
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2016 # $only is the guest init's, not ours
x86_guest 's#^cd /kselftest && ./run_kselftest.sh $only$#mkdir -p /etc; echo nobody:x:65534:65534::/:/bin/sh >>/etc/passwd; echo nogroup:x:65534: >>/etc/group; cd /kselftest \&\& su -m -s /bin/sh nobody -c "./run_kselftest.sh $only 2>\&1 | cat"#'
"$TOP/scripts/boot-guest.sh" x86_64 "$KERNEL" "$INITRD" "$TMP/user.log" \
	"IPI_FP_ONLY=fpu_io_worker,icr_nested_ipi,odirect_fork" || true
python3 "$TOP/scripts/parse-results.py" "$KUNIT" "$TMP/user.log" >"$TMP/cell.json"
python3 - "$TMP/cell.json" "$TMP/user.log" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
console = open(sys.argv[2], errors='replace').read()
# parse-results.py keeps no SKIP reason; the programs' own lines have it.
reason = dict(re.findall(r'^# ok \d+ (\S+) # SKIP (.+?)\r?$', console, re.M))
assert r['guest'] == 'ok', f"guest {r['guest']}: {r['reason']}"
cases = r['cases']
bad = {c: v for c, v in cases.items() if v not in ('PASS', 'SKIP')}
assert not bad, f"not PASS or SKIP as a user: {bad} {[r['why'].get(c) for c in bad]}"
skips = [c for c, v in cases.items() if v == 'SKIP']
assert all(reason.get(c.split('.', 1)[1]) for c in skips), \
    [c for c in skips if not reason.get(c.split('.', 1)[1])]
passed = [c for c, v in cases.items() if v == 'PASS']
assert 'fpu_io_worker.fp_vector_regs_survive_io_worker_creation' in passed, passed
reasons = sorted({reason[c.split('.', 1)[1]] for c in skips})
print(f"as user nobody: {len(passed)} PASS (fpu_io_worker), {len(skips)} SKIP: "
      + '; '.join(reasons))
PY
