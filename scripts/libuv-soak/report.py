#!/usr/bin/env python3
"""libuv-soak/report.py RESULTS KERNEL...: the table of a libuv soak
(libuv-soak/run.sh) from RESULTS/logs/KERNEL.log: per kernel the runs of
signal_multiple_loops, the failed ones (runner exit status not 0), the
SIGSEGVs among them (the runner's "exit code 11" or 139, or the kernel's
"segfault" line inside the run), their rate with its 95 % Clopper-Pearson
interval, and for each kernel after the first the one-sided Fisher exact
p that the first kernel has more SIGSEGVs. A guest without its end line
(crashed or hung), or with a kernel splat, is ERROR: its runs still
count, and the script exits 1."""
import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STATS = load(os.path.join(HERE, '..', 'real-client', 'report.py'), 'real_client_report')
CONSOLE = load(os.path.join(HERE, '..', 'console.py'), 'console')
RUN_START = re.compile(r'^LIBUV_RUN_START (\d+)$')
RUN_END = re.compile(r'^LIBUV_RUN_END (\d+) rc=(\d+)$')
SEGV = re.compile(r'^\| # exit code (11|139)$|segfault \(11\)')
SKIP = re.compile(r'^\| ok \d+ - \S+ # SKIP')


def read_log(path):
    """(runs, failed, segv, first SIGSEGV lines, error or ''). A run
    that libuv's runner skipped tested nothing: an error."""
    runs = failed = segv = skipped = 0
    first, errors, in_run, run_segv = [], [], False, False
    done = started = False
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('LIBUV_SOAK_START '):
                started = True
            elif line.startswith('LIBUV_SOAK_DONE '):
                done = True
            elif RUN_START.match(line):
                in_run, run_segv = True, False
            elif RUN_END.match(line):
                runs += 1
                if RUN_END.match(line).group(2) != '0':
                    failed += 1
                    segv += run_segv
                in_run = False
            elif in_run and SKIP.match(line):
                skipped += 1
            elif in_run and SEGV.search(line):
                if not run_segv and len(first) < 3:
                    first.append(line.strip()[:160])
                run_segv = True
            if CONSOLE.is_splat(line):
                errors.append('kernel splat: ' + line.strip()[:160])
    if skipped:
        errors.append(f'{skipped} runs skipped by libuv\'s runner')
    if not started:
        errors.append('guest never reached its init')
    elif not done:
        errors.append('no LIBUV_SOAK_DONE (crashed or hung)')
    return runs, failed, segv, first, '; '.join(errors)


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: libuv-soak/report.py RESULTS KERNEL...')
    results, kernels = sys.argv[1], sys.argv[2:]
    with open(os.path.join(results, 'settings')) as f:
        print(''.join(line[2:] for line in f))
    rows, status = [], 0
    print(f'{"kernel":<10}  {"runs":>5}  {"failed":>6}  {"SIGSEGV":>7}  '
          f'{"rate %":>6}  {"95 % interval (%)":<17}  {"Fisher p":<8}  guest')
    for k in kernels:
        runs, failed, segv, first, error = read_log(os.path.join(results, 'logs', k + '.log'))
        lo, hi = STATS.clopper_pearson(segv, runs)
        rate = 100.0 * segv / runs if runs else 0.0
        p = '-'
        if rows:
            p = f'{STATS.fisher_one_sided(rows[0][2], rows[0][0], segv, runs):.4f}'
        print(f'{k:<10}  {runs:>5}  {failed:>6}  {segv:>7}  {rate:>6.2f}  '
              f'{100 * lo:>6.2f} - {100 * hi:<6.2f}     {p:<8}  {"ERROR: " + error if error else "ok"}')
        for line in first:
            print(f'            {line}')
        rows.append((runs, failed, segv))
        status |= bool(error)
    print('(Fisher p: one-sided, that the first kernel has more SIGSEGVs per run than this one)')
    return status


if __name__ == '__main__':
    sys.exit(main())
