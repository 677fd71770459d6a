#!/usr/bin/env python3
"""serial-parallel/compare.py KIND SERIAL PARALLEL: the same cells run one
guest at a time (SERIAL, a results directory) and several at once
(PARALLEL) must give the same answers.

KIND matrix: every case of every cell has the same verdict in both
matrix.json files (scripts/report.py), and neither run has a guest error.
KIND cost: every row of cost.json (scripts/cost/report.py) is in both
runs, and its unpatched median and its A/B median differ between the runs
by no more than the row's A/A noise (the larger of the two runs').

Prints one line per difference and "serial-parallel: N passed, N failed"
(N: the cases or rows compared); exits 1 on any difference."""
import json
import os
import statistics
import sys


def load(path, name):
    with open(os.path.join(path, name)) as f:
        return json.load(f)


def matrix(a, b):
    def cases(m):
        return {(c['arch'], c['base'], c['variant'], case): v
                for c in m['cells'] for case, v in c['cases'].items()}, \
            [f"{c['arch']} {c['base']} {c['variant']}: {c['reason']}"
             for c in m['cells'] if c['guest'] != 'ok']
    (ca, ea), (cb, eb) = cases(a), cases(b)
    bad = [f'serial run: guest error: {e}' for e in ea] + \
        [f'parallel run: guest error: {e}' for e in eb]
    for k in sorted(set(ca) | set(cb)):
        if ca.get(k) != cb.get(k):
            bad.append(f'{" ".join(k)}: serial {ca.get(k)}, '
                       f'parallel {cb.get(k)}')
    return len(set(ca) | set(cb)), bad


def cost(a, b):
    def rows(c):
        return {(r['cell'], r['row']): r for r in c['rows']}
    ra, rb = rows(a), rows(b)
    bad = [f'{" ".join(k)}: only in the {"serial" if k in ra else "parallel"} run'
           for k in sorted(set(ra) ^ set(rb))]
    for k in sorted(set(ra) & set(rb)):
        x, y = ra[k], rb[k]
        noise = max(x['noise'], y['noise'])
        for what, u, v in (
                ('unpatched median', x['unpatched_median'], y['unpatched_median']),
                ('A/B median', statistics.median(x['ab']), statistics.median(y['ab']))):
            d = abs(v / u - 1) if u else float('inf')
            if d > noise:
                bad.append(f'{" ".join(k)}: {what} serial {u:.4g}, parallel '
                           f'{v:.4g}: {100 * d:.2f} % apart, A/A noise '
                           f'{100 * noise:.2f} %')
    return len(set(ra) | set(rb)), bad


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ('matrix', 'cost'):
        sys.exit('usage: compare.py matrix|cost SERIAL PARALLEL')
    kind, a, b = sys.argv[1:]
    name = 'matrix.json' if kind == 'matrix' else 'cost.json'
    try:
        n, bad = (matrix if kind == 'matrix' else cost)(load(a, name), load(b, name))
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f'error: compare.py: cannot read {name}: {e}')
    for line in bad:
        print(f'  DIFFERS  {line}')
    failed = len(bad)
    print(f'serial-parallel: {n - min(failed, n)} passed, {failed} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
