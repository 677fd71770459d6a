#!/usr/bin/env python3
"""held-soak/report.py KUNIT_DIR EXPECTED ARCH BASE RUNS (VARIANT LOG)...

The table of make held-soak (held-soak/run.sh): each guest's console holds
RUNS runs of the selftests, each between "IPI_FP_SOAK_RUN_START N" and
"IPI_FP_SOAK_RUN_END N rc=R". Each run's part goes through the verdict
rules of scripts/parse-results.py as if it were a guest of its own, and
its verdicts are compared with the cell's rows of EXPECTED (ci/expected.tsv)
for the programs that ran. A run that never ended (the guest hung or was
killed) and a run that is missing are ERROR runs. Prints, per kernel, the
runs as expected, the runs with a verdict that differs (and which), the
ERROR runs with their reasons, and "held-soak: N passed, N failed" over
the runs; exits 1 unless every run of every kernel is as expected.
"""
import importlib.util
import os
import re
import sys

# scripts/parse-results.py, whose name is not a module's.
_spec = importlib.util.spec_from_file_location(
    'parse_results', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                  '..', 'parse-results.py'))
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
parse = _module.parse

START = re.compile(r'IPI_FP_SOAK_RUN_START (\d+)')
END = re.compile(r'IPI_FP_SOAK_RUN_END (\d+) rc=(\d+)')


def runs_of(text):
    """{run number: (its console lines, rc or None if it never ended)}."""
    runs, current = {}, None
    for line in text.splitlines():
        m = START.search(line)
        if m:
            current = int(m.group(1))
            runs[current] = ([], None)
            continue
        m = END.search(line)
        if m and current == int(m.group(1)):
            runs[current] = (runs[current][0], int(m.group(2)))
            current = None
            continue
        if current is not None:
            runs[current][0].append(line)
    return runs


def main():
    if len(sys.argv) < 8 or (len(sys.argv) - 6) % 2:
        sys.exit('usage: held-soak/report.py KUNIT_DIR EXPECTED ARCH BASE RUNS (VARIANT LOG)...')
    kunit, expected_path, arch, base, want = sys.argv[1:6]
    want = int(want)
    expected = {}
    with open(expected_path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            case, a, b, variant, result = line.rstrip('\n').split('\t')
            if (a, b) == (arch, base):
                expected.setdefault(variant, {})[case] = result
    passed = failed = 0
    for i in range(6, len(sys.argv), 2):
        variant, log = sys.argv[i], sys.argv[i + 1]
        try:
            with open(log, errors='replace') as f:
                runs = runs_of(f.read())
        except OSError as e:
            runs = {}
            print(f'{variant}: cannot read {log}: {e}')
        good, differ, errors = 0, [], []
        for n in range(1, want + 1):
            lines, rc = runs.get(n, (None, None))
            if lines is None:
                errors.append(f'run {n}: missing (the guest ended before it)')
                continue
            if rc is None:
                errors.append(f'run {n}: never ended (hung or killed)')
                continue
            r = parse(kunit, '\n'.join(['IPI_FP_GUEST_START soak'] + lines +
                                       [f'IPI_FP_GUEST_DONE rc={rc}']))
            bad = {c: v for c, v in r['cases'].items() if v == 'ERROR'}
            if r['guest'] != 'ok' or bad or not r['cases']:
                errors.append(f'run {n}: ERROR: {r.get("reason") or r.get("why") or "no cases"}')
                continue
            want_v = {c: v for c, v in expected.get(variant, {}).items()
                      if c.split('.')[0] in {k.split('.')[0] for k in r['cases']}}
            diff = {c: (want_v.get(c), v) for c, v in r['cases'].items()
                    if want_v.get(c) != v}
            diff.update({c: (v, None) for c, v in want_v.items() if c not in r['cases']})
            if diff:
                differ.append(f'run {n}: ' + ', '.join(
                    f'{c} expected {e}, got {g}' for c, (e, g) in sorted(diff.items())))
            else:
                good += 1
        print(f'{arch} {base} {variant}: {good} of {want} runs as expected, '
              f'{len(differ)} with a different verdict, {len(errors)} ERROR')
        for line in differ + errors:
            print(f'  {line}')
        passed += good
        failed += want - good
    print(f'held-soak: {passed} passed, {failed} failed')
    sys.exit(0 if failed == 0 else 1)


if __name__ == '__main__':
    main()
