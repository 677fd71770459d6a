#!/usr/bin/env python3
"""real-client/report.py RESULTS: the table of a make real-client soak.

RESULTS holds one console log per boot (KERNEL-NNN.log, from
boot-rootfs-guest.sh) and boots.tsv (kernel, boot, exit status of the boot,
seconds, loops asked for). A boot's loops are mysql-test-run's result
lines of the reporter's case, counted up to and including its first
[ fail ]: after a corrupted page mtr aborts the suite and prints one more
[ fail ] for the test it was running, which is not a loop. A boot that was
killed (timeout), printed a kernel splat, or did not print its
IPI_FP_MTR_DONE line is an ERROR: its loops are not counted, and the
report's exit status is 1.

Per kernel: boots (ERROR among them), loops run, loops failed, loops whose
server logged a corrupted page, the per-loop failure rate with its 95 %
Clopper-Pearson interval, and the first failure's text; then the
one-sided Fisher exact p-value for "the unpatched kernel fails more often
than the patched one".

real-client/report.py --loops LOG prints the loops LOG counts (run and
failed), for the soak's loop budget."""
import math
import os
import re
import sys

# scripts/ (the shared pipeline's console.py)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from console import is_splat  # noqa: E402

RESULT = re.compile(r'^encryption\.innodb_encryption\b.*\[ (?:\d+ )?(pass|fail) \]')
CORRUPT = re.compile(r'corrupt', re.I)


def read_boot(path):
    """(status, loops, failed, corrupted, first failure text, io_uring)"""
    with open(path, errors='replace') as f:
        lines = [line.rstrip('\r\n') for line in f]
    loops = failed = corrupted = 0
    first = ''
    done = False
    io_uring = 0
    reasons = []
    for i, line in enumerate(lines):
        m = RESULT.search(line)
        if m and not failed:
            loops += 1
            if m.group(1) == 'fail':
                failed = 1
                text = [t.strip() for t in lines[i:i + 40]
                        if CORRUPT.search(t) or 'fail' in t]
                first = ' | '.join(text[:3])[:300]
        if line.startswith('IPI_FP_MTR_SERVER_LOG') and CORRUPT.search(line):
            corrupted = 1
            if not first:
                first = line[len('IPI_FP_MTR_SERVER_LOG '):][:300]
        if line.startswith('IPI_FP_MTR_IO_URING '):
            io_uring = int(line.split()[1] or 0)
        if line.startswith('IPI_FP_MTR_DONE'):
            done = True
        if is_splat(line):
            reasons.append('kernel splat: ' + line.strip()[:200])
    if not any(line.startswith('IPI_FP_MTR_START') for line in lines):
        reasons.append('guest never reached its init')
    elif not done:
        reasons.append('no IPI_FP_MTR_DONE (crashed or hung)')
    status = 'ERROR' if reasons else ('FAIL' if failed else 'PASS')
    return status, loops, failed, corrupted if failed else 0, first or '; '.join(reasons), io_uring


def log_binom_pmf(k, n, p):
    if p <= 0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1:
        return 0.0 if k == n else -math.inf
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def binom_cdf(k, n, p):
    return sum(math.exp(log_binom_pmf(i, n, p)) for i in range(0, k + 1))


def clopper_pearson(x, n, alpha=0.05):
    """Exact two-sided 1-alpha interval of a binomial rate, by bisection."""
    if n == 0:
        return 0.0, 1.0

    def solve(f):
        lo, hi = 0.0, 1.0
        for _ in range(100):
            mid = (lo + hi) / 2
            if f(mid):
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2
    lower = 0.0 if x == 0 else solve(lambda p: 1 - binom_cdf(x - 1, n, p) < alpha / 2)
    upper = 1.0 if x == n else solve(lambda p: binom_cdf(x, n, p) > alpha / 2)
    return lower, upper


def fisher_one_sided(a, n1, c, n2):
    """P(at least a of the a+c failures fall among the n1 loops of kernel
    1), all loops equally likely to fail (hypergeometric tail)."""
    total, k = n1 + n2, a + c

    def pmf(i):
        return math.comb(n1, i) * math.comb(n2, k - i) / math.comb(total, k)
    return min(1.0, sum(pmf(i) for i in range(a, min(k, n1) + 1)))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--loops':
        _, loops, failed, _, _, _ = read_boot(sys.argv[2])
        print(loops, failed)
        return 0
    if len(sys.argv) != 2:
        sys.exit('usage: real-client/report.py RESULTS | --loops LOG')
    results = sys.argv[1]
    boots = []
    with open(os.path.join(results, 'boots.tsv')) as f:
        for line in f:
            if line.startswith('# kernel\t'):
                continue
            if line.startswith('#'):
                print(line[2:].rstrip())
                continue
            if not line.strip():
                continue
            kernel, boot, rc, secs, asked = line.split('\t')[:5]
            boots.append((kernel, int(boot), int(rc), int(secs), int(asked)))
    kernels = []
    for b in boots:
        if b[0] not in kernels:
            kernels.append(b[0])
    stats = {}
    errors = 0
    for kernel in kernels:
        s = stats[kernel] = {'boots': 0, 'error': 0, 'loops': 0, 'failed': 0,
                             'corrupted': 0, 'first': '', 'seconds': 0,
                             'io_uring': 0, 'error_text': ''}
        for k, boot, rc, secs, asked in boots:
            if k != kernel:
                continue
            log = os.path.join(results, '%s-%03d.log' % (k, boot))
            status, loops, failed, corrupted, first, io_uring = read_boot(log)
            if rc != 0 and status != 'ERROR':
                status, first = 'ERROR', 'killed after the boot timeout'
            s['boots'] += 1
            s['seconds'] += secs
            if status == 'ERROR':
                s['error'] += 1
                s['error_text'] = s['error_text'] or '%s: %s' % (os.path.basename(log), first)
                errors += 1
                continue
            s['loops'] += loops
            s['failed'] += failed
            s['corrupted'] += corrupted
            s['io_uring'] += io_uring
            if failed and not s['first']:
                s['first'] = '%s: %s' % (os.path.basename(log), first)
    print()
    print('%-12s %6s %6s %6s %7s %9s %8s  %-22s %s' % (
        'kernel', 'boots', 'ERROR', 'loops', 'failed', 'corrupt', 'io_uring',
        'failure rate (95% CI)', 'soak'))
    for kernel in kernels:
        s = stats[kernel]
        lo, hi = clopper_pearson(s['failed'], s['loops'])
        rate = s['failed'] / s['loops'] if s['loops'] else 0.0
        print('%-12s %6d %6d %6d %7d %9d %8d  %5.2f%% (%.2f-%.2f%%) %6ds' % (
            kernel, s['boots'], s['error'], s['loops'], s['failed'],
            s['corrupted'], s['io_uring'], 100 * rate, 100 * lo, 100 * hi,
            s['seconds']))
    print()
    for kernel in kernels:
        s = stats[kernel]
        print('first failure, %s: %s' % (kernel, s['first'] or 'none'))
        if s['error_text']:
            print('first ERROR, %s: %s' % (kernel, s['error_text']))
    if 'unpatched' in stats and 'patched' in stats:
        u, p = stats['unpatched'], stats['patched']
        pv = fisher_one_sided(u['failed'], u['loops'], p['failed'], p['loops'])
        print('\nunpatched fails more often than patched: one-sided Fisher exact '
              'p = %.4g (%d/%d vs %d/%d loops)' % (
                  pv, u['failed'], u['loops'], p['failed'], p['loops']))
    if errors:
        print('real-client: %d boot(s) ERROR (crashed, hung or killed): '
              'their loops are not counted' % errors)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
