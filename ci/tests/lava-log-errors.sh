#!/usr/bin/env bash
# LAVA runs a guest (scripts/lava/boot.sh, lava-run, no server): its console
# gets the same verdicts as from boot-guest.sh, and what LAVA's line
# patterns cannot see still makes the guest ERROR: a crash after the
# results (a mutated LAVA log, re-extracted), a job LAVA did not complete,
# and a job with no results.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

x86_guest
IPI_FP_BOOT_TIMEOUT=120 "$TOP/scripts/lava/boot.sh" x86_64 "$KERNEL" "$INITRD" \
	"$TMP/lava.log" IPI_FP_ONLY=fpu_io_worker
expect_verdicts "$TMP/lava.log" fpu_io_worker.fp_vector_regs_survive_io_worker_creation=PASS

# mutate LAVA-LOG PYTHON: apply PYTHON to recs (lava-run's records) and
# write the result to $TMP/mutated.lava.log.
mutate() {
	python3 - "$1" "$TMP/mutated.lava.log" "$2" <<'PY'
import json, sys
def load(line):  # lava-run writes some records that are not JSON: keep them
    try:
        return json.loads(line)
    except ValueError:
        return line
recs = [load(l) for l in open(sys.argv[1])]
exec(sys.argv[3])
with open(sys.argv[2], 'w') as f:
    for r in recs:
        f.write(r if isinstance(r, str) else json.dumps(r) + '\n')
PY
}
# An Oops after the last result line, before the guest's end marker. The
# marker is a "target" record, or a "feedback" one when lava-run read it
# outside the monitor's expect loop (seen in CI on a loaded machine);
# lava/log-console.py takes both as console lines.
mutate "$TMP/lava.lava.log" '
done = [i for i, r in enumerate(recs) if isinstance(r, dict) and
        r.get("lvl") in ("target", "feedback") and
        "IPI_FP_GUEST_DONE" in str(r.get("msg"))]
if not done:
    sys.exit("the LAVA log has no console record with IPI_FP_GUEST_DONE")
done = done[0]
recs.insert(done, {"dt": recs[done]["dt"], "lvl": recs[done]["lvl"],
                   "msg": "[   9.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008"})'
"$TOP/scripts/lava/log-console.py" "$TMP/mutated.lava.log" >"$TMP/crash.log"
expect_guest_error "$TMP/crash.log" 'kernel splat: [   9.000000] BUG: kernel NULL pointer'
# The job did not complete (LAVA's own verdict), although the console
# looks whole.
mutate "$TMP/lava.lava.log" '
for r in recs:
    m = r.get("msg") if isinstance(r, dict) else None
    if isinstance(m, dict) and r.get("lvl") == "results" and m.get("case") == "job":
        m["result"] = "fail"'
"$TOP/scripts/lava/log-console.py" "$TMP/mutated.lava.log" >"$TMP/incomplete.log"
expect_guest_error "$TMP/incomplete.log" 'LAVA job result: fail'
# No test case recorded by the monitor.
mutate "$TMP/lava.lava.log" '
recs = [r for r in recs if not (isinstance(r, dict) and r.get("lvl") == "results" and
                                isinstance(r.get("msg"), dict) and
                                r["msg"].get("definition") == "ipi_fp")]'
"$TOP/scripts/lava/log-console.py" "$TMP/mutated.lava.log" >"$TMP/noresults.log"
expect_guest_error "$TMP/noresults.log" 'LAVA recorded no test results'
echo "LAVA: same verdicts as the QEMU loop; crash after the results, incomplete job, no results: ERROR"
