#!/usr/bin/env python3
"""kernel-suites/report.py [--check] [--json OUT] PAIR LOG_A LOG_B [...]:
the kernel's own selftests (scripts/kernel-suites/build.sh) of two cells
of one base, A without the series and B with it, side by side.

Each LOG is a guest console; the suites' part of it lies between
IPI_FP_SUITES_START and IPI_FP_SUITES_DONE (scripts/kernel-suites/guest-run.sh).
Every program gets a result from its exit status (0 PASS, 4 SKIP, 124
TIMEOUT, else FAIL), and every KTAP case line it prints ("ok N ...",
"not ok N ...", "# SKIP") one of its own, named by the program, its
number and its description (with cow's "[RUN]" line before it, as the
descriptions repeat). A regression is a program or case that is PASS in
A and not PASS in B. A cell whose suites did not start or did not finish,
or that printed a kernel splat in that part, is an ERROR. Prints, per
pair, the totals, the regressions, what fails in both cells (the base's
own failures) and what B changes otherwise; --check exits 1 when a pair
has a regression or an ERROR. The last line, "suites: N passed, N
failed", counts the pairs for check.sh.
"""
import argparse
import json
import os
import re
import sys

# scripts/ (the shared pipeline's console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat  # noqa: E402

START = re.compile(r'^IPI_FP_SUITES_START (\d+)')
DONE = 'IPI_FP_SUITES_DONE'
PROG_START = re.compile(r'^IPI_FP_SUITE_START (\S+)')
PROG_END = re.compile(r'^IPI_FP_SUITE_END (\S+) rc=(\d+)')
CASE = re.compile(r'^\| (not ok|ok) (\d+) ?(.*)$')
RUN = re.compile(r'^\| # \[RUN\] (.*)$')
RC = {0: 'PASS', 4: 'SKIP', 124: 'TIMEOUT'}


def parse(path):
    """{'error': str, 'results': {name: result}} of one console log."""
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = [line.rstrip('\r\n') for line in f]
    except OSError as e:
        return {'error': f'no console log: {e}', 'results': {}}
    begin = next((i for i, line in enumerate(lines) if START.match(line)), None)
    if begin is None:
        return {'error': 'the suites never started', 'results': {}}
    planned = int(START.match(lines[begin]).group(1))
    results, errors = {}, []
    prog = run = None
    finished = False
    for line in lines[begin + 1:]:
        if line == DONE:
            finished = True
            break
        if is_splat(line):
            errors.append('kernel splat: ' + line.strip()[:200])
        m = PROG_START.match(line)
        if m:
            prog, run = m.group(1), None
            continue
        m = PROG_END.match(line)
        if m:
            rc = int(m.group(2))
            results[m.group(1)] = RC.get(rc, f'FAIL (exit {rc})')
            prog = None
            continue
        m = RUN.match(line)
        if m and prog:
            run = m.group(1)
            continue
        m = CASE.match(line)
        if m and prog:
            status, num, desc = m.groups()
            skip = re.search(r'#\s*SKIP\b', desc)
            desc = re.sub(r'\s*#\s*SKIP\b.*', '', desc).strip()
            name = f'{prog} {int(num)}: ' + (f'{run}: ' if run else '') + desc
            results[name] = ('SKIP' if skip else
                             'PASS' if status == 'ok' else 'FAIL')
    if not finished:
        errors.append('the suites did not finish (crashed, hung or cut off)')
    progs = [n for n in results if ' ' not in n]
    if finished and len(progs) != planned:
        errors.append(f'{len(progs)} of {planned} programs reported')
    return {'error': '; '.join(errors), 'results': results}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--json')
    ap.add_argument('cells', nargs='*', help='PAIR LOG_A LOG_B, repeated')
    args = ap.parse_args()
    if len(args.cells) % 3:
        ap.error('arguments come in threes: PAIR LOG_A LOG_B')
    bad_pairs = 0
    out = {}
    for i in range(0, len(args.cells), 3):
        pair, log_a, log_b = args.cells[i:i + 3]
        a, b = parse(log_a), parse(log_b)
        ra, rb = a['results'], b['results']
        regressions = sorted(n for n, r in ra.items()
                             if r == 'PASS' and rb.get(n) != 'PASS')
        both = sorted(n for n, r in ra.items()
                      if r not in ('PASS', 'SKIP') and
                      rb.get(n) not in (None, 'PASS', 'SKIP'))
        changed = sorted(n for n in set(ra) | set(rb)
                         if ra.get(n) != rb.get(n) and n not in regressions)
        print(f'== {pair}: the kernel\'s own selftests, A = without the '
              f'series, B = with it')
        for side, res in (('A', a), ('B', b)):
            counts = {}
            for r in res['results'].values():
                counts[r.split(' ')[0]] = counts.get(r.split(' ')[0], 0) + 1
            progs = sum(1 for n in res['results'] if ' ' not in n)
            tally = ', '.join(f'{k} {v}' for k, v in sorted(counts.items()))
            print(f'  {side}: {progs} programs, {len(res["results"]) - progs} '
                  f'cases' + (f'; {tally}' if tally else '') +
                  (f'; ERROR: {res["error"]}' if res['error'] else ''))
        print(f'  regressions (PASS in A, not in B): {len(regressions)}')
        for n in regressions:
            print(f'    {n}: {rb.get(n, "missing")}')
        print(f'  failing in both (the base\'s own failures): {len(both)}')
        for n in both:
            print(f'    {n}: A {ra[n]}, B {rb[n]}')
        if changed:
            print(f'  other differences: {len(changed)}')
            for n in changed:
                print(f'    {n}: A {ra.get(n, "missing")}, '
                      f'B {rb.get(n, "missing")}')
        if regressions or b['error'] or a['error']:
            bad_pairs += 1
        out[pair] = {'A': a, 'B': b, 'regressions': regressions,
                     'failing_in_both': both}
    verdict = 'regression or ERROR' if bad_pairs else 'no regression'
    print(f'kernel suites: {len(out)} pair(s), {verdict}')
    # A line for check.sh's totals: a pair passes with no regression and
    # no ERROR.
    print(f'suites: {len(out) - bad_pairs} passed, {bad_pairs} failed')
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(out, f, indent=1, sort_keys=True)
    return 1 if bad_pairs and args.check else 0


if __name__ == '__main__':
    sys.exit(main())
