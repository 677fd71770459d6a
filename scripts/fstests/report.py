#!/usr/bin/env python3
"""fstests/report.py RESULTS: the table of make fstests from
RESULTS/logs/ARCH-6.1.192-{unpatched,patched}.log (fstests/guest-init.sh's
consoles) and RESULTS/settings.

Per filesystem, how many of the listed tests ended in each status (pass,
fail, notrun: what fstests' check said; timeout, error) on each kernel,
then every test whose status differs between the kernels, the tests
that fail on both (the 6.1.192 base's own, not the series'), and the
tests during which the kernel printed a splat (fstests fails a test
whose dmesg has one, but a splat is named here either way).

A regression is a test that passed without the series and does not with
it. A guest without FSTESTS_DONE (crashed or hung), a listed test
without its FSTESTS_CASE_END, or a filesystem the guest could not make,
is an ERROR. Exits 1 when there is a regression or an ERROR."""
import os
import re
import sys

# scripts/ (the shared pipeline's console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat, side_by_side_arches  # noqa: E402

CASE_START = re.compile(r'^FSTESTS_CASE_START (\S+) (\S+)$')
# Searched, not matched: a test killed by its timeout may leave its last
# line without a newline, and the end line follows on it.
CASE_END = re.compile(r'FSTESTS_CASE_END (\S+) (\S+) (pass|fail|notrun|timeout|error) (\d+)$')
STATUSES = ('pass', 'fail', 'notrun', 'timeout', 'error')
VARIANTS = ('unpatched', 'patched')


def read_log(path):
    """{'tests': [...], 'fss': [...], 'cases': {(fs, test): (status, seconds)},
    'splats': {(fs, test): [line]}, 'errors': [...]}."""
    got = {'tests': [], 'fss': [], 'cases': {}, 'splats': {}, 'errors': []}
    if not os.path.exists(path):
        got['errors'].append('no log')
        return got
    started = done = False
    cur = None
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n').rstrip('\r')
            if line.startswith('FSTESTS_START '):
                started = True
            elif line.startswith('FSTESTS_LIST '):
                got['tests'] = line.split()[2:]
            elif line.startswith('FSTESTS_FS_START '):
                got['fss'].append(line.split()[1])
            elif line.startswith('FSTESTS_FS_ERROR '):
                got['errors'].append(line[len('FSTESTS_FS_ERROR '):])
            elif line.startswith('FSTESTS_DONE'):
                done = True
                if line != 'FSTESTS_DONE':
                    got['errors'].append(line)
            elif CASE_START.match(line):
                cur = CASE_START.match(line).groups()
            elif CASE_END.search(line):
                m = CASE_END.search(line)
                got['cases'][(m.group(1), m.group(2))] = (m.group(3), int(m.group(4)))
                cur = None
            elif is_splat(line):
                got['splats'].setdefault(cur or ('-', 'outside a test'), []).append(line.strip()[:160])
    if not started:
        got['errors'].append('guest never reached its init')
    elif not done:
        last = f' (last test started: {cur[0]} {cur[1]})' if cur else ''
        got['errors'].append('no FSTESTS_DONE (crashed or hung)' + last)
    for fs in got['fss']:
        for t in got['tests']:
            if (fs, t) not in got['cases'] and done:
                got['errors'].append(f'{fs} {t}: no FSTESTS_CASE_END')
    return got


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: fstests/report.py RESULTS')
    results = sys.argv[1]
    arches = side_by_side_arches(results)
    status = 0
    for arch in arches:
        got = {v: read_log(os.path.join(results, 'logs', f'{arch}-6.1.192-{v}.log')) for v in VARIANTS}
        for v in VARIANTS:
            for e in got[v]['errors']:
                print(f'ERROR: {arch} {v}: {e}')
                status = 1
        if got['unpatched']['tests'] != got['patched']['tests']:
            print(f'ERROR: {arch}: the kernels ran different test lists')
            status = 1
        tests = got['unpatched']['tests']
        fss = [fs for fs in got['unpatched']['fss'] if fs in got['patched']['fss']]
        print(f'{arch}: {len(tests)} tests on each filesystem; tests by status, unpatched / patched')
        print(f'{"fs":<6}' + ''.join(f'{s:>12}' for s in STATUSES) + f'{"differ":>8}{"minutes":>14}')
        differ, both_fail = [], []
        for fs in fss:
            counts = {v: {s: 0 for s in STATUSES} for v in VARIANTS}
            minutes = {}
            n_differ = 0
            for v in VARIANTS:
                minutes[v] = sum(c[1] for (f, _), c in got[v]['cases'].items() if f == fs) / 60
            for t in tests:
                st = {}
                for v in VARIANTS:
                    c = got[v]['cases'].get((fs, t))
                    st[v] = c[0] if c else 'missing'
                    if c:
                        counts[v][c[0]] += 1
                if st['unpatched'] != st['patched']:
                    n_differ += 1
                    regression = st['unpatched'] == 'pass'
                    differ.append((fs, t, st['unpatched'], st['patched'], regression))
                    if regression:
                        status = 1
                elif st['unpatched'] in ('fail', 'timeout', 'error'):
                    both_fail.append((fs, t, st['unpatched']))
            print(f'{fs:<6}' + ''.join(f'{counts["unpatched"][s]:>6}/{counts["patched"][s]:<5}' for s in STATUSES)
                  + f'{n_differ:>8}{minutes["unpatched"]:>7.0f}/{minutes["patched"]:<6.0f}')
        if differ:
            print('tests whose status differs (unpatched / patched):')
            for fs, t, a, b, regression in differ:
                print(f'  {fs:<5} {t}: {a} / {b}' + ('  REGRESSION' if regression else ''))
        else:
            print('no test differs between the kernels')
        if both_fail:
            print('failing on both kernels (6.1.192 itself):')
            for fs, t, a in both_fail:
                print(f'  {fs:<5} {t}: {a}')
        for v in VARIANTS:
            for (fs, t), lines in sorted(got[v]['splats'].items()):
                print(f'splat: {arch} {v} {fs} {t}: {lines[0]}' + (f' (+{len(lines) - 1})' if len(lines) > 1 else ''))
    return status


if __name__ == '__main__':
    sys.exit(main())
