#!/usr/bin/env python3
"""blk-map-leak/report.py LOG...: the pages each guest of make
blk-map-leak did not give back (sg_io_same_page's line), per kernel
(LOG names ARCH-6.1.192-VARIANT.log), and the verdict: a kernel that kept
at least half a page a round leaks, one that kept less than a tenth of a
page a round does not, anything between is unclear. Exits 1 unless every
unpatched kernel leaks and every blk-map-backport kernel does not, or
when a guest did not finish, reported an error or printed a splat."""
import os
import re
import sys

# scripts/ (the shared pipeline's console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat  # noqa: E402

LINE = re.compile(r'^SG_IO_SAME_PAGE rounds=(\d+) not_freed_pages=(-?\d+) errors=(\d+)$')
WANT = {'unpatched': 'leaks', 'blk-map-backport': 'no leak'}


def read_log(path):
    """(rounds, not_freed, errors list)."""
    rounds = not_freed = None
    errors, done = [], False
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            m = LINE.match(line)
            if m:
                rounds, not_freed = int(m.group(1)), int(m.group(2))
                if int(m.group(3)):
                    errors.append(f'{m.group(3)} rounds failed to run')
            elif line.startswith('BLK_MAP_LEAK_ERROR '):
                errors.append(line[len('BLK_MAP_LEAK_ERROR '):])
            elif line.startswith('BLK_MAP_LEAK_DONE'):
                done = True
            if is_splat(line):
                errors.append('kernel splat: ' + line.strip()[:160])
    if not done:
        errors.append('the guest did not finish (crashed or hung)')
    if rounds is None:
        errors.append('no SG_IO_SAME_PAGE line')
    return rounds, not_freed, errors


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: blk-map-leak/report.py LOG...')
    status = 0
    print(f'{"kernel":<36} {"rounds":>7} {"not freed":>10} {"per round":>9}  verdict')
    for path in sys.argv[1:]:
        name = os.path.basename(path)[:-len('.log')]
        variant = name.split('-6.1.192-', 1)[-1]
        rounds, not_freed, errors = read_log(path)
        if errors:
            print(f'{name:<36} ERROR: {"; ".join(errors)}')
            status = 1
            continue
        per = not_freed / rounds if rounds else 0.0
        verdict = 'leaks' if per >= 0.5 else 'no leak' if per < 0.1 else 'unclear'
        want = WANT.get(variant)
        ok = want is None or verdict == want
        status |= not ok
        print(f'{name:<36} {rounds:>7} {not_freed:>10} {per:>9.3f}  {verdict}'
              f'{"" if ok else "  (expected: " + want + ")"}')
    return status


if __name__ == '__main__':
    sys.exit(main())
