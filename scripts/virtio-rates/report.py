#!/usr/bin/env python3
"""virtio-rates/report.py LOG...: the table of make virtio-rates. Each LOG
is the console of one guest (scripts/virtio-rates/run.sh names it
ARCH-BASE-VARIANT.log) with one DIO_FORK_RACE line per filesystem and
issuer (scripts/virtio-rates/dio_fork_race.c). Prints, per kernel, filesystem and
issuer: the rounds, how many had the read still in flight after the
parent's write (the race window certainly open), the corrupted rounds and
their rate with its 95 % Wilson interval. A guest that did not reach
IPI_FP_RACE_DONE, reported an IPI_FP_RACE_ERROR or printed a kernel splat
is an ERROR; the exit status is 1 when any guest is."""
import os
import re
import sys


# scripts/ (the shared pipeline's console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat, load_script  # noqa: E402

wilson = load_script('report.py').wilson
RACE = re.compile(r'^DIO_FORK_RACE file=/mnt/(\w+)/\S+ issuer=(\w+) '
                  r'rounds=(\d+) pending_at_fork=(\d+) '
                  r'pending_after_write=(\d+) corrupted=(\d+) errors=(\d+)')


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: virtio-rates/report.py LOG...')
    rows, errors = [], []
    for path in sys.argv[1:]:
        cell = os.path.basename(path).removesuffix('.log')
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                lines = [line.rstrip('\r\n') for line in f]
        except OSError as e:
            errors.append(f'{cell}: no console log ({e})')
            continue
        if 'IPI_FP_RACE_DONE' not in lines:
            errors.append(f'{cell}: the guest did not finish (crashed or hung)')
        errors += [f'{cell}: {line}' for line in lines
                   if line.startswith('IPI_FP_RACE_ERROR')]
        errors += [f'{cell}: kernel splat: {line.strip()[:200]}'
                   for line in lines if is_splat(line)][:1]
        for m in filter(None, map(RACE.match, lines)):
            fs, how = m.group(1), m.group(2)
            rounds, _, window, bad, err = map(int, m.groups()[2:])
            if err:
                errors.append(f'{cell}: {fs} {how}: {err} rounds failed to run')
            rows.append((cell, fs, how, rounds, window, bad))
    head = ('kernel', 'fs', 'issuer', 'rounds', 'in flight after write',
            'corrupted', 'rate %', '95 % interval %')
    table = [head]
    for cell, fs, how, rounds, window, bad in rows:
        lo, hi = wilson(bad, rounds)
        table.append((cell, fs, how, str(rounds), str(window), str(bad),
                      f'{100 * bad / rounds:.2f}' if rounds else '-',
                      f'{100 * lo:.2f} - {100 * hi:.2f}'))
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for i, r in enumerate(table):
        print('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            print('  '.join('-' * w for w in widths))
    for e in errors:
        print(f'ERROR {e}')
    print(f'virtio-rates: {len(rows)} rows, {len(errors)} errors')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
