# shellcheck shell=bash disable=SC2034 # KERNEL, INITRD, KUNIT are for the tests
# Helpers for the project's own tests. A test is a script that exits 0 on
# success; expect_fail runs a command that must fail with a given message.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# expect_fail REGEX CMD...: CMD must exit non-zero and print REGEX.
expect_fail() {
	local want=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then
		echo "expected failure, but it succeeded: $*"
		echo "$out"
		return 1
	fi
	if ! grep -Eq -- "$want" <<<"$out"; then
		echo "failed (exit $rc) without the message /$want/: $*"
		echo "$out"
		return 1
	fi
	echo "as expected, exit $rc: $(grep -E -m1 -- "$want" <<<"$out")"
}

# x86_guest [SED_SCRIPT [FILE]]: an x86_64 6.1.192 guest (kernel built or
# taken from the cache) whose /init is scripts/guest/init.sh, edited by
# SED_SCRIPT if one is given, with FILE (a guest-side script) in /kselftest.
# Sets KERNEL, INITRD and KUNIT (the base tree's KTAP parser).
x86_guest() {
	local tree
	tree=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched 2>/dev/null)
	KERNEL=$("$TOP/scripts/build-kernel.sh" x86_64 "$tree" 2>/dev/null)
	KUNIT=$tree/tools/testing/kunit
	"$TOP/scripts/build-selftests.sh" x86_64 "$tree" "$TMP/ksft" \
		"$(cat "$(dirname "$KERNEL")/builddir")" 2>/dev/null
	[ -z "${2:-}" ] || cp "$2" "$TMP/ksft/"
	sed "${1:-}" "$TOP/scripts/guest/init.sh" >"$TMP/init"
	[ -z "${1:-}" ] || ! cmp -s "$TOP/scripts/guest/init.sh" "$TMP/init" ||
		{ echo "sed '$1' did not change the guest init"; return 1; }
	INITRD=$TMP/initrd.gz
	"$TOP/scripts/make-initramfs.sh" x86_64 "$TMP/ksft" "$INITRD" "$TMP/init"
}

# expect_guest_error LOG REASON: parse-results.py must call the guest in
# LOG an error whose reason contains REASON, with every case ERROR.
# Leaves the parsed cell in $TMP/cell.json.
expect_guest_error() {
	python3 "$TOP/scripts/parse-results.py" "$KUNIT" "$1" >"$TMP/cell.json"
	python3 - "$TMP/cell.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['guest'] == 'error', r
assert sys.argv[2] in r['reason'], r['reason']
assert all(v == 'ERROR' for v in r['cases'].values()), r['cases']
print('as expected: guest error:', r['reason'][:120])
PY
}

# kunit_dir: the base tree's KTAP parser (tools/testing/kunit), in $KUNIT.
kunit_dir() {
	local tree
	tree=$("$TOP/scripts/make-tree.sh" 6.1.192 unpatched 2>/dev/null)
	KUNIT=$tree/tools/testing/kunit
}

# counts CASE KIND REQUESTED ROUNDS BAD ERRORS WINDOW: a counter line as a
# test program prints it inside run_kselftest.sh's output.
counts() {
	echo "# # IPI_FP_COUNTS $1 kind=$2 requested=$3 rounds=$4 bad=$5 errors=$6 window=$7"
}

# ipi_fp_one_pass ARCH: the start of a guest's console with the ipi_fp
# run down to one passing fpu_io_worker case
# (fpu_io_worker.fp_vector_regs_survive_io_worker_creation=PASS), for the
# tests of what the guest prints after it.
ipi_fp_one_pass() {
	echo "IPI_FP_GUEST_START 6.1.192 $1 cpus=2"
	echo "TAP version 13"
	echo "1..1"
	echo "# selftests: ipi_fp: fpu_io_worker"
	echo "# TAP version 13"
	echo "# 1..1"
	counts fp_vector_regs_survive_io_worker_creation race 20 20 0 0 20
	echo "# ok 1 fp_vector_regs_survive_io_worker_creation"
	echo "ok 1 selftests: ipi_fp: fpu_io_worker"
}

# expect_verdicts LOG CASE=VERDICT[@WHY]...: parse-results.py must give
# each CASE of LOG that verdict (and, with @WHY, a reason containing WHY).
# The guest must be ok, unless one argument is guest=error.
expect_verdicts() {
	local log=$1
	shift
	python3 "$TOP/scripts/parse-results.py" "$KUNIT" "$log" >"$TMP/cell.json"
	python3 - "$TMP/cell.json" "$@" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
wants = sys.argv[2:]
guest = 'error' if 'guest=error' in wants else 'ok'
assert r['guest'] == guest, f"guest {r['guest']} ({r['reason']}), expected {guest}"
for want in wants:
    if want == 'guest=error':
        continue
    case, verdict = want.split('=', 1)
    verdict, _, why = verdict.partition('@')
    got = r['cases'].get(case, 'missing')
    assert got == verdict, f'{case}: expected {verdict}, got {got}: {r}'
    assert why in r['why'].get(case, ''), f"{case}: why {r['why'].get(case)!r}, expected {why!r}"
    print(f'as expected: {case} {got}', r['why'].get(case, ''))
PY
}
