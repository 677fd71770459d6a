#!/usr/bin/env bash
# A program whose KTAP plan does not match its results has every case
# ERROR (the other programs keep theirs), and a silent guest is an error.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

tree=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched 2>/dev/null)
cat >"$TMP/short.log" <<'LOG'
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=2
TAP version 13
1..1
# selftests: ipi_fp: fpu_io_worker
# TAP version 13
# 1..2
# ok 1 fp_vector_regs_survive_io_worker_creation
ok 1 selftests: ipi_fp: fpu_io_worker
IPI_FP_GUEST_DONE rc=0
LOG
printf 'Booting the kernel.\n' >"$TMP/silent.log"
for f in short silent; do
	python3 "$TOP/scripts/parse-results.py" "$tree/tools/testing/kunit" \
		"$TMP/$f.log" >"$TMP/$f.json"
done
python3 - "$TMP/short.json" "$TMP/silent.json" <<'PY'
import json, sys
short, silent = (json.load(open(p)) for p in sys.argv[1:])
assert set(short['cases'].values()) == {'ERROR'}, short
assert all('plan' in w for w in short['why'].values()), short
assert silent['guest'] == 'error' and 'never started' in silent['reason'], silent
print('as expected:', list(short['why'].values())[0], '/', silent['reason'])
PY
