#!/usr/bin/env python3
"""ltp-dio/report.py RESULTS: the tables of make ltp-dio from
RESULTS/logs/ARCH-6.1.192-{unpatched,patched}.log (ltp-dio/guest-init.sh's
consoles).

dma_thread_diotest: per architecture, filesystem and alignment, the
passes (LTP's TPASS and TFAIL lines: one per -i pass, as the guest
counted them in the case's output: tpass= and tfail= of LTP_CASE_END)
and the ones that found corruption (TFAIL) per kernel, their rate with
its 95 % Clopper-Pearson interval, and the one-sided Fisher exact p that
the unpatched kernel fails more often. A case that ended with TBROK or
TCONF, without its LTP_CASE_END, or with fewer results than its -i
asked for, is an error.

runtest/dio: per architecture and disk, each case's exit status on each
kernel (0: every check passed), and the cases whose status differs; a
case with a TBROK line (it could not run) is an error.

A guest without LTP_DIO_DONE (crashed or hung), or with a kernel splat,
is an ERROR. Exits 1 when anything is an ERROR."""
import os
import re
import sys

# scripts/ (the shared pipeline's console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat, load_script, side_by_side_arches  # noqa: E402

STATS = load_script(os.path.join('real-client', 'report.py'))
CASE_START = re.compile(r'^LTP_CASE_START (\S+) (\S+)(.*)$')
CASE_END = re.compile(r'^LTP_CASE_END (\S+) (\S+) rc=(\d+)(?: tpass=(\d+) tfail=(\d+))?$')
PASSES = re.compile(r' -i (\d+)')
RESULT = re.compile(r'^\| \S+\s+\d+\s+(TPASS|TFAIL|TBROK|TCONF|TWARN)\s*:')
VARIANTS = ('unpatched', 'patched')


def read_log(path):
    """{(disk, case): {'rc', 'TPASS', 'TFAIL', ...}}, errors."""
    cases, errors, cur = {}, [], None
    started = done = False
    if not os.path.exists(path):
        return cases, ['no log']
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('LTP_DIO_START '):
                started = True
            elif line.startswith('LTP_DIO_DONE'):
                done = True
            elif line.startswith('LTP_DIO_ERROR '):
                errors.append(line[len('LTP_DIO_ERROR '):])
            elif CASE_START.match(line):
                m = CASE_START.match(line)
                want = PASSES.search(m.group(3))
                cur = {'rc': None, 'TPASS': 0, 'TFAIL': 0, 'TBROK': 0, 'TCONF': 0, 'TWARN': 0,
                       'want': int(want.group(1)) if want else None}
                cases[(m.group(1), m.group(2))] = cur
            elif CASE_END.match(line) and cur is not None:
                m = CASE_END.match(line)
                cur['rc'] = int(m.group(3))
                if m.group(4) is not None:
                    # The guest's own counts: lines the console lost do not count.
                    cur['TPASS'], cur['TFAIL'] = int(m.group(4)), int(m.group(5))
                cur = None
            elif cur is not None and RESULT.match(line):
                cur[RESULT.match(line).group(1)] += 1
            if is_splat(line):
                errors.append('kernel splat: ' + line.strip()[:160])
    if not started:
        errors.append('guest never reached its init')
    elif not done:
        errors.append('no LTP_DIO_DONE (crashed or hung)')
    return cases, errors


def print_race(race):
    """The dma_thread_diotest table."""
    print('dma_thread_diotest: passes that found corruption (TFAIL) of the passes run')
    print(f'{"arch":<8} {"fs":<5} {"align":>5}  {"unpatched":>9} {"rate % (95 % interval)":<24}'
          f'{"patched":>9} {"rate % (95 % interval)":<24}{"Fisher p":>8}')
    for arch, disk, align, (x1, n1), (x2, n2) in race:
        cells = []
        for x, n in ((x1, n1), (x2, n2)):
            lo, hi = STATS.clopper_pearson(x, n)
            rate = 100.0 * x / n if n else 0.0
            cells.append(f'{f"{x}/{n}":>9} {f"{rate:.0f} ({100 * lo:.0f} - {100 * hi:.0f})":<24}')
        p = STATS.fisher_one_sided(x1, n1, x2, n2) if n1 and n2 else float('nan')
        print(f'{arch:<8} {disk:<5} {align:>5}  {cells[0]}{cells[1]}{p:>8.4f}')
    print('(Fisher p: one-sided, that the unpatched kernel finds corruption in more passes)')


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: ltp-dio/report.py RESULTS')
    results = sys.argv[1]
    arches = side_by_side_arches(results)
    status = 0
    race, dio = [], []
    for arch in arches:
        got = {}
        for v in VARIANTS:
            cases, errors = read_log(os.path.join(results, 'logs', f'{arch}-6.1.192-{v}.log'))
            got[v] = cases
            for e in errors:
                print(f'ERROR: {arch} {v}: {e}')
                status = 1
        keys = sorted(set(got['unpatched']) | set(got['patched']))
        for disk, case in keys:
            if case.startswith('dma_thread_diotest'):
                row = [arch, disk, case[len('dma_thread_diotest_a'):]]
                for v in VARIANTS:
                    c = got[v].get((disk, case))
                    why = None
                    if c is None:
                        why = 'missing'
                    elif c['rc'] is None:
                        why = 'no end'
                    elif c['TBROK'] or c['TCONF']:
                        why = 'TBROK/TCONF'
                    elif c['want'] is not None and c['TPASS'] + c['TFAIL'] != c['want']:
                        why = f'{c["TPASS"] + c["TFAIL"]} results for -i {c["want"]}'
                    if why:
                        print(f'ERROR: {arch} {v}: {disk} {case}: {why}')
                        status = 1
                    n = 0 if c is None else c['TPASS'] + c['TFAIL']
                    x = 0 if c is None else c['TFAIL']
                    row.append((x, n))
                race.append(row)
            else:
                rcs = []
                for v in VARIANTS:
                    c = got[v].get((disk, case))
                    rcs.append('-' if c is None or c['rc'] is None else str(c['rc']))
                    if c is not None and c['TBROK']:
                        # The test could not run: the harness's fault, not a result.
                        print(f'ERROR: {arch} {v}: {disk} {case}: TBROK')
                        status = 1
                dio.append((arch, disk, case, rcs))

    if not race:
        print('dma_thread_diotest: not run (IPI_FP_LTP_PASSES=0)')
    else:
        print_race(race)
    if dio:
        print()
        print('runtest/dio: exit status per case (0: passed), unpatched / patched')
        same = [r for r in dio if r[3][0] == r[3][1]]
        for arch in arches:
            for disk in sorted({r[1] for r in dio if r[0] == arch}):
                rows = [r for r in dio if r[0] == arch and r[1] == disk]
                ok = sum(1 for r in rows if r[3] == ['0', '0'])
                print(f'{arch:<8} {disk:<5} {len(rows)} cases, {ok} passed on both kernels')
                for r in rows:
                    if r[3] != ['0', '0']:
                        print(f'    {r[2]}: {r[3][0]} / {r[3][1]}')
        if len(same) != len(dio):
            print(f'runtest/dio: {len(dio) - len(same)} cases differ between the kernels')
    return status


if __name__ == '__main__':
    sys.exit(main())
