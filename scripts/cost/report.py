#!/usr/bin/env python3
"""cost/report.py --timings TXT --json OUT
                  ARCH BASE VARIANT BOOT RESULT_JSON [...]

The cost table of cost/run.sh. Each RESULT_JSON is parse-results.py's
reading of one boot of the cost program under the instruction-count clock;
its rows are "IPI_FP_COST ROW UNIT V1 ... VN" lines, one value per
repetition. For each architecture and row:

  A/B     patched / unpatched: the median of each boot's repetitions,
          every patched boot against every unpatched one (min/med/max);
  A/A     unpatched / unpatched and patched / patched, across boots (every
          pair of boot medians) and within a boot (the median of the odd
          repetitions against that of the even ones: the same statistic
          as the A/B's, from half the data); the noise is the largest
          distance from 1.000 among all of them;
  finding the A/B median's distance from 1.000 when it is larger than the
          noise, else "not resolved";
  goal    the row's goal (fork, IPI and 4 KiB O_DIRECT time per operation:
          at most +1 %; A/A noise at most 0.5 %): "met", "MISSED", or, for
          an unresolved ratio, "met (below noise)" when the noise itself is
          within the goal and "not resolved" when it is not.

Then, for each kernel, fork() after O_DIRECT against fork() without it
(the fork rows' dio / plain, same boot): on a kernel whose O_DIRECT pins,
the price fork() pays for checking each page for a pin. Then gup_test's
price of a pin against a reference (pin / get on the same
kernel) and how much of it one 4 KiB O_DIRECT read carries, the phase
table, and "cost: N passed, N failed" (rows measured, errors). Exits 1
when a guest or a measurement went wrong (a boot that is not ok, a case
ERROR, a row missing from a boot); a missed goal is reported, not
failed.
"""
import argparse
import json
import os
import re
import statistics
import sys

# scripts/ (the shared pipeline's report.py, through console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import load_script  # noqa: E402

phase_table = load_script('report.py').phase_table
table = load_script('report.py').table

COST = re.compile(r'IPI_FP_COST (\S+) (\S+) ((?:[-\d.]+ ?)+)$')
AA_GOAL = 0.005
# Row prefix -> the most the patched kernel may cost, as a ratio - 1.
# fork() with a read held copies the pinned pages: the price of the fix
# itself, reported in a table of its own, with no goal.
HELD = 'fork_held_'
GOALS = ((HELD, None), ('fork_', 0.01), ('dio_4k_', 0.01), ('ipi_', 0.01))
GUP_BYTES = 256 << 20   # gup_test -m 256
INFO = re.compile(r'IPI_FP_COST_INFO .*page_size=(\d+)')


REQUIRED = ('cost.fork_cost', 'cost.dio_4k_cost')


def spread(ratios):
    return f'{min(ratios):.4f}/{statistics.median(ratios):.4f}/{max(ratios):.4f}'


def pct(x):
    return f'{100 * x:+.2f} %'


def goal_of(row):
    return next((g for prefix, g in GOALS if row.startswith(prefix)), None)


def judge(ab, noise, goal):
    """(finding, goal status) of a row."""
    d = statistics.median(ab) - 1
    resolved = abs(d) > noise
    finding = pct(d) if resolved else 'not resolved'
    if goal is None:
        return finding, '-'
    if resolved:
        return finding, 'met' if d <= goal else 'MISSED'
    return finding, 'met (below noise)' if noise <= goal else 'not resolved'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--timings', required=True)
    ap.add_argument('--json', required=True)
    ap.add_argument('cells', nargs='+')
    args = ap.parse_args()
    if len(args.cells) % 5:
        sys.exit('error: cost/report.py: cells come as ARCH BASE VARIANT BOOT JSON')

    # values["ARCH BASE"][row][variant][boot] = [v1, ...]; units[row] = unit
    values, units, errors, page_size = {}, {}, [], {}
    for i in range(0, len(args.cells), 5):
        arch, base, variant, boot, path = args.cells[i:i + 5]
        arch = f'{arch} {base}'   # the unit of comparison
        with open(path) as f:
            r = json.load(f)
        where = f'{arch} {variant} boot {boot}'
        if r['guest'] != 'ok':
            errors.append(f'{where}: guest error: {r["reason"]}')
            continue
        # odirect_fork's verdicts belong to the matrix; here only its
        # fork() times count, and an ERROR still means a broken guest.
        # The fork and dio rows must be measured: the guests have what
        # they need (null_blk), so a SKIP there is a broken cost mode.
        bad = {c: v for c, v in r['cases'].items()
               if (v not in ('MEASURED', 'SKIP') or
                   (v == 'SKIP' and c in REQUIRED)) and
               not (c.startswith('odirect_fork.') and v in ('PASS', 'FAIL'))}
        if not r['cases'] or bad:
            errors.append(f'{where}: cases {bad or "none"}: '
                          f'{r.get("why", {})}')
            continue
        for line in (r['diagnostics'].get('cost', []) +
                     r['diagnostics'].get('odirect_fork', [])):
            m = INFO.search(line)
            if m:
                page_size[arch] = int(m.group(1))
            m = COST.search(line)
            if m:
                row, unit = m.group(1), m.group(2)
                units[row] = unit
                (values.setdefault(arch, {}).setdefault(row, {})
                 .setdefault(variant, {})[boot]) = [float(v) for v in
                                                    m.group(3).split()]

    out = {'rows': [], 'gup': [], 'errors': errors}
    print('== cost: patched / unpatched of each base, instruction-count '
          'clock (guest ns = instructions; ratios, not wall time) ==')
    print('A/B and A/A: min/median/max; noise: the largest A/A distance '
          'from 1.000')
    for arch in sorted(values):
        head = ['row', 'unit', 'unpatched', 'A/B', 'A/A across boots',
                'A/A within a boot', 'noise', 'finding', 'goal', 'A/A goal']
        rows, held = [head], [head]
        for row in values[arch]:
            by = values[arch][row]
            boots = {v: by.get(v, {}) for v in ('unpatched', 'patched')}
            nboots = {len(b) for b in boots.values()}
            if 0 in nboots or len(nboots) != 1:
                errors.append(f'{arch} {row}: not measured in every boot')
                continue
            med = {v: {b: statistics.median(x) for b, x in bs.items()}
                   for v, bs in boots.items()}
            ab = [p / u for p in med['patched'].values()
                  for u in med['unpatched'].values()]
            across = [m[a] / m[b] for m in med.values()
                      for a in m for b in m if a > b]
            within = [statistics.median(xs[1::2]) /
                      statistics.median(xs[0::2])
                      for bs in boots.values() for xs in bs.values()]
            noise = max(abs(r - 1) for r in across + within)
            finding, goal = judge(ab, noise, goal_of(row))
            aa_goal = 'met' if noise <= AA_GOAL else 'MISSED'
            u = statistics.median(med['unpatched'].values())
            (held if row.startswith(HELD) else rows).append(
                [row, units[row], f'{u:.1f}', spread(ab), spread(across),
                 spread(within), f'{100 * noise:.2f} %', finding, goal,
                 aa_goal])
            out['rows'].append({'cell': arch, 'row': row, 'unit': units[row],
                                'unpatched_median': u, 'ab': ab,
                                'aa_across': across, 'aa_within': within,
                                'noise': noise, 'finding': finding,
                                'goal': goal, 'aa_goal': aa_goal})
        print(f'\n-- {arch} --')
        table(rows)
        if len(held) > 1:
            print(f'\n-- {arch}: fork() while an O_DIRECT read is held '
                  '(odirect_fork, per case: the copy correctness costs) --')
            table(held)

        # fork() after O_DIRECT / fork() without, inside each boot.
        v = values[arch]
        inside = [['row', 'unpatched dio/plain', 'patched dio/plain']]
        for row in v:
            if not (row.startswith('fork_') and row.endswith('_dio') and
                    not row.startswith(HELD)):
                continue
            plain = row[:-len('dio')] + 'plain'
            if plain not in v:
                continue
            cols = [row[:-len('_dio')]]
            for variant in ('unpatched', 'patched'):
                dio_b, plain_b = v[row].get(variant, {}), v[plain].get(variant, {})
                r = [statistics.median(dio_b[b]) / statistics.median(plain_b[b])
                     for b in dio_b if b in plain_b]
                cols.append(spread(r) if r else '-')
                out.setdefault('fork_inside', []).append(
                    {'cell': arch, 'row': cols[0], 'kernel': variant,
                     'dio_over_plain': r})
            inside.append(cols)
        if len(inside) > 1:
            print(f'\n-- {arch}: fork() after O_DIRECT / without, same boot '
                  '(min/median/max over boots) --')
            table(inside)

        # The price of a pin against a reference, on the same kernel.
        if all(r in v for r in ('gup_get_get', 'gup_get_put', 'gup_pin_get',
                                'gup_pin_put', 'dio_4k_read_ram_1thr')):
            gup = [['kernel', 'pin/get: get', 'pin/get: put',
                    'extra ns per page', 'share of a 4 KiB O_DIRECT read']]
            for variant in ('unpatched', 'patched'):
                m = {r: statistics.median(statistics.median(x) for x in
                                          v[r].get(variant, {}).values())
                     for r in ('gup_get_get', 'gup_get_put', 'gup_pin_get',
                               'gup_pin_put', 'dio_4k_read_ram_1thr')}
                pages = GUP_BYTES // page_size.get(arch, 4096)
                extra = ((m['gup_pin_get'] - m['gup_get_get']) +
                         (m['gup_pin_put'] - m['gup_get_put'])) * 1000 / pages
                share = extra / m['dio_4k_read_ram_1thr']
                gup.append([variant, f'{m["gup_pin_get"] / m["gup_get_get"]:.3f}',
                            f'{m["gup_pin_put"] / m["gup_get_put"]:.3f}',
                            f'{extra:.1f}', pct(share)])
                out['gup'].append({'cell': arch, 'kernel': variant,
                                   'extra_ns_per_page': extra,
                                   'share_of_dio_read': share})
            print(f'\n-- {arch}: gup_test -a (pin) against -u (get), '
                  'same kernel --')
            table(gup)

    out['timings'] = phase_table(args.timings)
    if errors:
        print('\n== errors ==')
        for e in errors:
            print(f'  {e}')
    with open(args.json, 'w') as f:
        json.dump(out, f, indent=1)
    print(f'\nresults: {args.json}')
    print(f'\ncost: {len(out["rows"])} passed, {len(errors)} failed')
    sys.exit(1 if errors or not out['rows'] else 0)


if __name__ == '__main__':
    main()
