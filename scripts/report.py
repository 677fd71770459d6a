#!/usr/bin/env python3
"""report.py [--check] --expected TSV --bases TSV --timings TXT --json OUT
             ARCH BASE VARIANT RESULT_JSON [...]
report.py --brief --expected TSV --bases TSV ARCH BASE VARIANT RESULT_JSON [...]

Print the fail-before / pass-after matrix from the per-cell results of
parse-results.py (which applies the verdict rules), the counters of every
case (rounds, bad, errors, window), the detection and false-positive rates
with 95 % Wilson bounds, the measurements, the guest errors and the phase
timings, and write everything as one JSON file. With --check, compare every
cell with the expected-results table and exit 1 on any difference, on a
missing cell and on a test case the table does not know. --brief prints
the matrix table alone (run-matrix.sh, after each stage but the last).
"""
import argparse
import json
import math
import sys

MAIN_VARIANTS = ('unpatched', 'patched')
# A variant may end in a boot suffix (run-matrix.sh): the same kernel booted
# another way. Such cells get their own column.
BOOT_SUFFIXES = ('-physflat', '-noisy')


def split_variant(variant):
    """(variant without its boot suffix, the suffix or '')."""
    for suffix in BOOT_SUFFIXES:
        if variant.endswith(suffix):
            return variant[:-len(suffix)], suffix
    return variant, ''


def read_tsv(path, ncols):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            cols = line.rstrip('\n').split('\t')
            if len(cols) < ncols:
                sys.exit(f'error: report.py: {path}: bad line: {line.strip()}')
            rows.append(cols)
    return rows


def wilson(k, n, z=1.96):
    """95 % Wilson score interval of k successes in n trials."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def phase_table(path):
    """Print the phase table of a timings file ("PHASE ITEM SECONDS" lines,
    from run-matrix.sh and prepare-cell.sh): each phase's total, then each
    step that took a second or more. A "wall" line ("wall PHASE SECONDS
    jobs=N") gives the wall time of a phase whose steps ran N at a time:
    the table shows it beside the phase's sum and leaves it out of the
    total, which is the sum of the steps. Returns {phase: seconds}."""
    steps, walls = [], {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields[0] == 'wall':
                walls[fields[1]] = (int(fields[2]), fields[3])
                continue
            phase, item, secs = fields
            steps.append((phase, item, int(secs)))
    totals = {}
    for phase, _, secs in steps:
        totals[phase] = totals.get(phase, 0) + secs
    print('\n== phase timings (seconds) ==')
    head = ['phase', 'seconds', 'steps'] + (['wall (steps at once)'] if walls else [])
    rows = []
    for p, t in totals.items():
        row = [p, str(t), str(sum(1 for s in steps if s[0] == p))]
        if walls:
            w = walls.get(p)
            row.append(f'{w[0]} ({w[1]})' if w else '')
        rows.append(row)
    total = ['total', str(sum(totals.values())), str(len(steps))]
    table([head] + rows + [total + ([''] if walls else [])])
    print('\n== each step (seconds; those of a second or more) ==')
    rows = [[p, i, str(t)] for p, i, t in steps if t >= 1]
    if rows:
        table([['phase', 'item', 'seconds']] + rows)
    return totals


def table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            print('  '.join('-' * w for w in widths))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--expected', required=True)
    ap.add_argument('--bases', required=True)
    ap.add_argument('--timings')
    ap.add_argument('--json')
    ap.add_argument('--brief', action='store_true',
                    help='the matrix table alone (a run that is not over)')
    ap.add_argument('--matrix', help='the cells that were to run (format of '
                    'ci/matrix.tsv); expected rows of other cells are left out')
    ap.add_argument('cells', nargs='+')
    args = ap.parse_args()
    if len(args.cells) % 4:
        sys.exit('error: report.py: cells come as ARCH BASE VARIANT JSON')
    if not args.brief and not (args.timings and args.json):
        sys.exit('error: report.py: --timings and --json are needed (or --brief)')

    cells = {}
    for i in range(0, len(args.cells), 4):
        arch, base, variant, path = args.cells[i:i + 4]
        with open(path) as f:
            cells[(arch, base, variant)] = json.load(f)
    labels = {r[0]: r[3] for r in read_tsv(args.bases, 4)}
    expected = {(r[1], r[2], r[3], r[0]): r[4]
                for r in read_tsv(args.expected, 5)}
    if args.matrix:
        planned = {(r[0], r[1], v) for r in read_tsv(args.matrix, 3)
                   for v in r[2].split()}
        expected = {k: v for k, v in expected.items() if k[:3] in planned}

    expected_cells = {k[:3] for k in expected}

    def result(arch, base, variant, case):
        """A case's verdict in a cell; a case the cell did not report is
        ERROR where the expected table wants it there (or knows nothing
        of the cell), '-' where it does not (upstream's powerpc/math in
        an x86_64 cell) and in a cell that did not run."""
        cell = (arch, base, variant)
        got = cells.get(cell, {}).get('cases', {})
        if case in got:
            return got[case]
        if cell in cells and ((*cell, case) in expected or
                              cell not in expected_cells):
            return 'ERROR'
        return '-'

    cases = sorted({c for r in cells.values() for c in r['cases']} |
                   {k[3] for k in expected})
    columns = []
    for arch, base, variant in cells:
        main_v, suffix = split_variant(variant)
        if main_v in MAIN_VARIANTS and (arch, base, suffix) not in columns:
            columns.append((arch, base, suffix))

    print('\n== ipi_fp matrix (cells: unpatched / patched) ==')
    rows = [['test case'] + [f'{a} {b}{s.replace("-", " ")}'
                             for a, b, s in columns]]
    for case in cases:
        rows.append([case] + [' / '.join(result(a, b, v + s, case)
                                         for v in MAIN_VARIANTS)
                              for a, b, s in columns])
    table(rows)
    for base in dict.fromkeys(b for _, b, _ in columns):
        if labels.get(base, base) != base:
            print(f'  {base}: {labels[base]}')
    if args.brief:
        return
    controls = [k for k in cells if split_variant(k[2])[0] not in MAIN_VARIANTS]
    if controls:
        print('\n== other variants (negative controls, debug kernels) ==')
        rows = [['cell', 'test case', 'result']]
        for arch, base, variant in controls:
            for case in sorted(cells[(arch, base, variant)]['cases']):
                rows.append([f'{arch} {base} {variant}', case,
                             result(arch, base, variant, case)])
        table(rows)

    tallies = []
    for (arch, base, variant), r in cells.items():
        for case, c in sorted(r.get('counts', {}).items()):
            tallies.append({'arch': arch, 'base': base, 'variant': variant,
                            'test': case, 'verdict': r['cases'].get(case),
                            **c})
    if tallies:
        print('\n== counters per case (IPI_FP_COUNTS; window: rounds in which '
              'the race was seen open) ==')
        rows = [['cell', 'test case', 'kind', 'rounds', 'bad', 'errors',
                 'window', 'copied at fork', 'pins +/-', 'leaks',
                 'verdict']]
        for t in tallies:
            pins = ('-' if t.get('pins_acquired', -1) < 0 else
                    f"{t['pins_acquired']}/{t['pins_released']}")
            rows.append([f"{t['arch']} {t['base']} {t['variant']}", t['test'],
                         t['kind'], f"{t['rounds']}/{t['requested']}",
                         str(t['bad']), str(t['errors']), str(t['window']),
                         str(t.get('copied_at_fork', '-')),
                         pins, str(t.get('leaks', '-')), t['verdict']])
        table(rows)

    # Rates per race case over the unpatched/patched cells (controls are
    # only counted): rounds of cells expected to FAIL measure detection,
    # of cells expected to PASS false positives. Only cases whose verdict
    # holds under the rules count.
    rates = {}
    for t in tallies:
        if (split_variant(t['variant'])[0] not in MAIN_VARIANTS or
                t['kind'] != 'race'):
            continue
        want = expected.get((t['arch'], t['base'], t['variant'], t['test']))
        kind = ('detection' if want == 'FAIL' else
                'false positives' if want == 'PASS' else None)
        if kind and t['verdict'] in ('PASS', 'FAIL'):
            bad, rounds = rates.get((t['test'], kind), (0, 0))
            rates[(t['test'], kind)] = (bad + t['bad'], rounds + t['rounds'])
    if rates:
        print('\n== rates (cells expected FAIL: detection; expected PASS: '
              'false positives; 95 % Wilson bounds) ==')
        rows = [['test case', 'rate', 'bad rounds / rounds', '%', '95 % bounds']]
        for (test, kind), (bad, rounds) in sorted(rates.items()):
            lo, hi = wilson(bad, rounds)
            rows.append([test, kind, f'{bad} / {rounds}',
                         f'{100.0 * bad / rounds:.1f}',
                         f'{100 * lo:.2f} - {100 * hi:.2f}'])
        table(rows)

    errors = [(k, r['reason']) for k, r in cells.items() if r['guest'] != 'ok']
    if errors:
        print('\n== guest errors ==')
        for (arch, base, variant), reason in errors:
            print(f'  {arch} {base} {variant}: {reason}')
    whys = [(k, case, why) for k, r in cells.items() if r['guest'] == 'ok'
            for case, why in sorted(r.get('why', {}).items())]
    if whys:
        print('\n== cases that are ERROR, and why ==')
        for (arch, base, variant), case, why in whys:
            print(f'  {arch} {base} {variant} {case}: {why}')

    timings = phase_table(args.timings)

    diffs = []
    for (arch, base, variant, case), want in sorted(expected.items()):
        got = result(arch, base, variant, case)
        if got != want:
            diffs.append(f'{arch} {base} {variant} {case}: expected {want}, got {got}')
    for (arch, base, variant), r in cells.items():
        for case in r['cases']:
            if (arch, base, variant, case) not in expected:
                diffs.append(f'{arch} {base} {variant} {case}: not in the expected table')

    with open(args.json, 'w') as f:
        json.dump({'cells': [{'arch': a, 'base': b, 'variant': v, **r}
                             for (a, b, v), r in cells.items()],
                   'tallies': tallies, 'timings': timings,
                   'rates': [{'test': t, 'rate': k, 'bad': b, 'rounds': n,
                              'wilson95': wilson(b, n)}
                             for (t, k), (b, n) in sorted(rates.items())],
                   'differences': diffs}, f, indent=1)
    print(f'\nresults: {args.json}')
    if args.check:
        print('\n== check against ci/expected.tsv ==')
        for d in diffs:
            print('  DIFFERS: ' + d)
        print(f'matrix: {len(expected) - len([d for d in diffs if "expected" in d])} passed, {len(diffs)} failed')
        sys.exit(1 if diffs else 0)


if __name__ == '__main__':
    main()
