#!/usr/bin/env python3
"""lava/log-console.py LAVA_LOG [LAVA_RUN_EXIT]: print the guest console that a
LAVA job recorded (the "target" lines of lava-run's log, in order), then an
IPI_FP_HOST_ERROR line when the job went wrong: lava-run exited non-zero,
the job's result is not "pass" (incomplete, timed out, cancelled), or its
ipi_fp monitor recorded no test case at all. scripts/parse-results.py makes
every case of a console with such a line ERROR, and applies its other rules
(start and end markers, splats, plans, counter lines) to the console as to
one from scripts/boot-guest.sh."""
import json
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: lava/log-console.py LAVA_LOG [LAVA_RUN_EXIT]')
    console, job, cases = [], None, 0
    with open(sys.argv[1], errors='replace') as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            msg = rec.get('msg')
            if rec.get('lvl') in ('target', 'feedback') and isinstance(msg, str):
                console.append(msg)
            elif rec.get('lvl') == 'results' and isinstance(msg, dict):
                if msg.get('definition') == 'lava' and msg.get('case') == 'job':
                    job = msg.get('result')
                elif msg.get('definition') == 'ipi_fp':
                    cases += 1
    for line in console:
        print(line)
    rc = sys.argv[2] if len(sys.argv) == 3 else '0'
    if rc != '0':
        print(f'IPI_FP_HOST_ERROR lava-run exited {rc}')
    elif job != 'pass':
        print(f'IPI_FP_HOST_ERROR LAVA job result: {job or "none recorded"}')
    elif cases == 0:
        print('IPI_FP_HOST_ERROR LAVA recorded no test results')


if __name__ == '__main__':
    main()
