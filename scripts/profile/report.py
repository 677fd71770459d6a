#!/usr/bin/env python3
"""profile/report.py [--json OUT] [--top N] BOOT...: make profile's table.

Each BOOT is seven arguments: ARCH BASE VARIANT N LOG DUMP SYSTEM_MAP (the
guest's console, the insn_profile plugin's dump, the kernel's System.map).
The console names the rows (IPI_FP_PROFILE_ROW NAME WINDOWS OPS) in the
order their windows ran; the dump holds each window's executed blocks.
Every instruction is given to the kernel text symbol at or below its
address ([user] below the kernel, [kernel ?] outside its text).

Per base and row, instructions per operation of the unpatched (A) and the
patched (B) kernel, mean over boots, and:
  - delta: B - A, "not resolved" unless larger than the noise, the
    largest A/A distance of one kernel: between two boots, or between the
    first and the second half of one boot's windows;
  - named: the share of the delta that named kernel functions carry (not
    [user], not [kernel ?]);
  - resolved: the share that functions whose own delta is larger than
    their own A/A distance carry;
  - pin/unpin: the delta of the functions that take and drop the pin
    itself (PIN_FUNCS), the floor a pinning series pays, and other: the
    rest of the delta;
then the functions with the largest delta (--top, default 12), each with
A, B, delta and its A/A distance.

Exits 1 when a guest did not finish, printed an error or a splat, or when
its windows do not match its rows."""
import argparse
import bisect
import gzip
import json
import os
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat  # noqa: E402

USER_LIMIT = {'x86_64': 0x800000000000, 'ppc64le': 0x8000000000000000}
ROW = re.compile(r'IPI_FP_PROFILE_ROW (\S+) (\d+) (\d+)$')
FIO = re.compile(r'IPI_FP_FIO_BEGIN (\S+) \d+$')
# Taking and dropping a pin itself, 6.1 and 6.12: the refcount and pincount
# updates, the NR_FOLL_PIN_* node counters and the zero-page test. Not the
# page <-> folio lookups around them (a cut can remove those) and not
# __nr_to_section(), which every pfn <-> page lookup of a SPARSEMEM kernel
# without VMEMMAP calls.
PIN_FUNCS = {
    'try_grab_page', 'try_grab_folio', 'try_grab_folio_fast', 'gup_put_folio',
    'unpin_user_page', 'unpin_user_folio', 'folio_add_pin',
    'mod_node_state', 'mod_node_page_state', '__mod_node_page_state',
    'node_stat_mod_folio', 'is_zero_page', 'is_zero_folio',
}


class Symbols:
    """A kernel's text symbols, for address -> function."""

    def __init__(self, path, arch):
        addrs, names = [], []
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in 'tTwW':
                    addrs.append(int(parts[0], 16))
                    names.append(parts[2])
        order = sorted(range(len(addrs)), key=addrs.__getitem__)
        self.addrs = [addrs[i] for i in order]
        self.names = [names[i] for i in order]
        stext = [a for a, n in zip(self.addrs, self.names) if n in ('_stext', '_text')]
        etext = [a for a, n in zip(self.addrs, self.names) if n == '_etext']
        einit = [a for a, n in zip(self.addrs, self.names) if n == '_einittext']
        self.low = min(stext) if stext else self.addrs[0]
        self.high = max(etext + einit) if etext else self.addrs[-1]
        self.user = USER_LIMIT[arch]
        self.cache = {}

    def name(self, addr):
        n = self.cache.get(addr)
        if n is None:
            if addr < self.user:
                n = '[user]'
            elif not self.low <= addr < self.high:
                n = '[kernel ?]'
            else:
                n = self.names[bisect.bisect_right(self.addrs, addr) - 1]
            self.cache[addr] = n
        return n


def fio_mean(name, text):
    """The mean latency in ns of the one job of fio's JSON output."""
    job = json.loads(text)['jobs'][0]
    ddir = 'read' if '_randread_' in name else 'write'
    if job['error'] or not job[ddir]['total_ios']:
        raise ValueError(f'fio {name}: error {job["error"]}, {job[ddir]["total_ios"]} I/Os')
    return job[ddir]['lat_ns']['mean']


def read_console(path):
    """([(row, windows, ops)], {fio job: [mean ns per repetition]}, errors)."""
    rows, fio, errors, done = [], defaultdict(list), [], False
    fio_job, fio_text = None, []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n').rstrip('\r')
            if fio_job is not None:
                if line.startswith('IPI_FP_FIO_END'):
                    try:
                        fio[fio_job].append(fio_mean(fio_job, '\n'.join(fio_text)))
                    except (ValueError, KeyError, IndexError) as e:
                        errors.append(f'fio {fio_job}: no result ({e})')
                    fio_job = None
                else:
                    fio_text.append(line)
                continue
            m = FIO.match(line)
            if m:
                fio_job, fio_text = m.group(1), []
                continue
            m = ROW.search(line)
            if m:
                rows.append((m.group(1), int(m.group(2)), int(m.group(3))))
            elif 'IPI_FP_PROFILE_ERROR' in line:
                errors.append(line[line.index('IPI_FP_PROFILE_ERROR'):])
            elif 'IPI_FP_PROFILE_END ok' in line:
                done = True
            elif 'IPI_FP_PROFILE_END' in line:
                errors.append(line.strip())
            if is_splat(line):
                errors.append('kernel splat: ' + line.strip()[:160])
    if not done:
        errors.append('the guest did not finish (crashed or hung)')
    return rows, fio, errors


def read_dump(path, syms):
    """[{function: instructions}] per window, in order."""
    windows, cur = [], None
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt') as f:
        for line in f:
            if line.startswith('tb '):
                parts = line.split()
                count, base = int(parts[1]), int(parts[2], 16)
                cur[syms.name(base)] += count
                for off in parts[3:]:
                    cur[syms.name(base + int(off, 16))] += count
            elif line.startswith('window '):
                cur = defaultdict(int)
            elif line.startswith('end '):
                windows.append(cur)
                cur = None
    return windows


def per_op(rows, windows):
    """{row: {'mean': {function: instructions per operation}, 'windows':
    [the same of each window]}}, or raises ValueError."""
    want = sum(w for _, w, _ in rows)
    if want != len(windows):
        raise ValueError(f'{len(windows)} windows in the dump, the rows announce {want}')
    out, i = {}, 0
    for name, nwin, ops in rows:
        total = defaultdict(int)
        for w in windows[i:i + nwin]:
            for fn, n in w.items():
                total[fn] += n
        out[name] = {'mean': {fn: n / (nwin * ops) for fn, n in total.items()},
                     'windows': [{fn: n / ops for fn, n in w.items()}
                                 for w in windows[i:i + nwin]]}
        i += nwin
    return out


def mean(xs):
    return sum(xs) / len(xs)


def value(d, fn):
    return sum(d.values()) if fn is None else d.get(fn, 0.0)


def aa(boots, fn=None):
    """The A/A noise of one kernel's boots (of fn, or of the total): the
    largest distance between two boots' means, or between the means of
    the first and the second half of one boot's windows. Boots under the
    instruction-count clock can repeat each other exactly, background
    work landing in the same window of each, so the halves count too."""
    vals = [value(b['mean'], fn) for b in boots]
    d = max(vals) - min(vals) if len(vals) > 1 else float('inf')
    for b in boots:
        h = len(b['windows']) // 2
        if h:
            first = mean([value(w, fn) for w in b['windows'][:h]])
            second = mean([value(w, fn) for w in b['windows'][h:2 * h]])
            d = max(d, abs(first - second))
    return d


def compare(a_boots, b_boots, top):
    """One row's A/B: totals, shares and the top functions."""
    fns = set()
    for b in a_boots + b_boots:
        fns.update(b['mean'])
    a = {fn: mean([b['mean'].get(fn, 0.0) for b in a_boots]) for fn in fns}
    b = {fn: mean([x['mean'].get(fn, 0.0) for x in b_boots]) for fn in fns}
    ta, tb = sum(a.values()), sum(b.values())
    delta = tb - ta
    noise = max(aa(a_boots), aa(b_boots))
    d = {fn: b[fn] - a[fn] for fn in fns}
    fn_noise = {fn: max(aa(a_boots, fn), aa(b_boots, fn)) for fn in fns}
    res = {'a': ta, 'b': tb, 'delta': delta, 'noise': noise,
           'resolved': abs(delta) > noise}
    if res['resolved'] and delta:
        unnamed = d.get('[user]', 0.0) + d.get('[kernel ?]', 0.0)
        res['named_share'] = (delta - unnamed) / delta
        res['resolved_share'] = sum(v for fn, v in d.items()
                                    if not fn.startswith('[') and abs(v) > fn_noise[fn]) / delta
    res['pin_unpin'] = sum(d.get(fn, 0.0) for fn in PIN_FUNCS)
    res['pin_unpin_a'] = sum(a.get(fn, 0.0) for fn in PIN_FUNCS)
    res['pin_unpin_b'] = sum(b.get(fn, 0.0) for fn in PIN_FUNCS)
    ranked = sorted(fns, key=lambda fn: -abs(d[fn]))[:top]
    res['functions'] = [{'function': fn, 'a': a[fn], 'b': b[fn], 'delta': d[fn],
                         'noise': fn_noise[fn]} for fn in ranked if d[fn]]
    return res


def fio_spread(boots):
    """Largest relative distance between two boots' means or two
    repetitions of one boot (each boot a list of repetitions)."""
    means = [mean(b) for b in boots]
    d = max(means) / min(means) - 1
    for b in boots:
        d = max(d, max(b) / min(b) - 1)
    return d


def fio_table(label, a_boots, b_boots):
    """fio's rows: mean latency per I/O of A and B (ns; instructions under
    the instruction-count clock), B/A - 1 and the A/A noise."""
    out = {}
    jobs = sorted(set().union(*a_boots, *b_boots)) if a_boots and b_boots else []
    if not jobs:
        return out
    print(f'\n{label}: fio 3.33, 4 KiB, queue depth 1, mean latency per I/O (ns = '
          f'instructions), unpatched (A) and patched (B), {len(a_boots)} and {len(b_boots)} boots')
    print(f'{"job":<28} {"A":>10} {"B":>10} {"B/A":>9} {"A/A noise":>9}')
    for job in jobs:
        a = [b[job] for b in a_boots if b.get(job)]
        b = [x[job] for x in b_boots if x.get(job)]
        if len(a) != len(a_boots) or len(b) != len(b_boots):
            print(f'{job:<28} missing from a boot')
            continue
        ma, mb = mean([mean(x) for x in a]), mean([mean(x) for x in b])
        noise = max(fio_spread(a), fio_spread(b))
        ratio = mb / ma - 1
        shown = f'{100 * ratio:+8.2f}%' if abs(ratio) > noise else f'{"not res.":>9}'
        print(f'{job:<28} {ma:10.1f} {mb:10.1f} {shown} {100 * noise:8.2f}%')
        out[job] = {'a': ma, 'b': mb, 'ratio': ratio, 'noise': noise,
                    'resolved': abs(ratio) > noise}
    return out


def pct(x):
    return f'{100 * x:.1f} %'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--json')
    ap.add_argument('--top', type=int, default=12)
    ap.add_argument('boots', nargs='+')
    args = ap.parse_args()
    if len(args.boots) % 7:
        sys.exit('usage: profile/report.py [--json OUT] [--top N] '
                 '(ARCH BASE VARIANT N LOG DUMP SYSTEM_MAP)...')
    data = defaultdict(lambda: defaultdict(list))  # (arch, base) -> variant -> [per_op]
    fio_data = defaultdict(lambda: defaultdict(list))  # ... -> [{job: [ns]}]
    status = 0
    symbols = {}
    for i in range(0, len(args.boots), 7):
        arch, base, variant, n, log, dump, smap = args.boots[i:i + 7]
        label = f'{arch}-{base}-{variant} boot {n}'
        rows, fio, errors = read_console(log)
        if not errors:
            fio_data[(arch, base)][variant].append(fio)
            if smap not in symbols:
                symbols[smap] = Symbols(smap, arch)
            try:
                data[(arch, base)][variant].append(
                    per_op(rows, read_dump(dump, symbols[smap])))
            except (OSError, ValueError) as e:
                errors.append(str(e))
        if errors:
            more = f'; and {len(errors) - 3} more' if len(errors) > 3 else ''
            print(f'{label}: ERROR: {"; ".join(errors[:3])}{more}')
            status = 1
    report = {}
    for (arch, base), variants in sorted(data.items()):
        a_boots, b_boots = variants.get('unpatched', []), variants.get('patched', [])
        if len(a_boots) < 2 or len(b_boots) < 2:
            print(f'{arch} {base}: ERROR: fewer than two good boots of each kernel')
            status = 1
            continue
        print(f'\n== {arch} {base}: instructions per operation, unpatched (A) and '
              f'patched (B), {len(a_boots)} and {len(b_boots)} boots ==')
        print(f'{"row":<24} {"A":>10} {"B":>10} {"delta":>9} {"noise":>7} '
              f'{"named":>7} {"resolved":>8} {"pin/unpin":>9} {"other":>8}')
        rows = {}
        for row in a_boots[0]:
            r = compare([b[row] for b in a_boots], [b[row] for b in b_boots], args.top)
            rows[row] = r
            if r['resolved']:
                shares = f'{pct(r["named_share"]):>7} {pct(r["resolved_share"]):>8}'
                delta = f'{r["delta"]:+9.1f}'
                other = r['delta'] - r['pin_unpin']
                other = f'{other if abs(other) >= 0.05 else 0.0:+8.1f}'
            else:
                shares = f'{"-":>7} {"-":>8}'
                delta = f'{"not res.":>9}'
                other = f'{"-":>8}'
            print(f'{row:<24} {r["a"]:10.1f} {r["b"]:10.1f} {delta} {r["noise"]:7.1f} '
                  f'{shares} {r["pin_unpin"]:+9.1f} {other}')
        for row, r in rows.items():
            if not r['resolved']:
                continue
            print(f'\n{arch} {base} {row}: delta {r["delta"]:+.1f} per operation '
                  f'({pct(r["delta"] / r["a"]) if r["a"] else "-"}); taking and dropping '
                  f'pins or references (PIN_FUNCS) {r["pin_unpin_a"]:.1f} in A, '
                  f'{r["pin_unpin_b"]:.1f} in B; by function (A, B, delta, A/A):')
            for f in r['functions']:
                mark = '' if abs(f['delta']) > f['noise'] else '  (within A/A)'
                print(f'  {f["function"]:<40} {f["a"]:9.1f} {f["b"]:9.1f} '
                      f'{f["delta"]:+8.1f} {f["noise"]:6.1f}{mark}')
        fio = fio_table(f'{arch} {base}', fio_data[(arch, base)]['unpatched'],
                        fio_data[(arch, base)]['patched'])
        report[f'{arch} {base}'] = {'rows': rows, 'fio': fio}
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
    sys.exit(status)


if __name__ == '__main__':
    main()
