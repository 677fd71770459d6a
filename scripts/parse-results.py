#!/usr/bin/env python3
"""parse-results.py KUNIT_DIR CONSOLE_LOG: turn a guest's console log into
per-test-case results, printed as JSON:

  {"guest": "ok" | "error", "reason": "...",
   "cases": {"fpu_io_worker.fp_vector_regs_survive_io_worker_creation": "PASS"},
   "diagnostics": {"fpu_io_worker": ["# rounds ...", ...]}}

The KTAP is parsed by the base tree's own parser (KUNIT_DIR is its
tools/testing/kunit). run_kselftest.sh nests each test program's KTAP under
"# " prefixes instead of indentation; the lines are rewritten into KTAP
subtests first. A guest that crashed, hung, printed a kernel splat, never
reached the end of init, or whose KTAP plans do not match its results is an
error: every case of it is ERROR, never PASS or SKIP.
"""
import contextlib
import io
import json
import re
import sys

DONE = re.compile(r'^IPI_FP_GUEST_DONE rc=(\d+)')
# Things a healthy guest never prints.
SPLATS = re.compile(r'Kernel panic|BUG:|Oops|WARNING:|Unable to handle kernel|'
                    r'general protection fault|INFO: task .* blocked|'
                    r'rcu: INFO|watchdog: BUG|UBSAN:|KASAN:|'
                    r'possible recursive locking|inconsistent lock state|'
                    r'possible circular locking|suspicious RCU usage')
KTAP_LINE = re.compile(r'^(TAP version|KTAP version|1\.\.|ok |not ok |# )')
PROG_HEADER = re.compile(r'^# selftests: [^:]+: (\S+)$')
PROG_RESULT = re.compile(r'^((?:not )?ok \d+) selftests: [^:]+: (\S+)(.*)$')


def to_ktap(lines):
    """Rewrite run_kselftest.sh output into nested KTAP."""
    out, header = [], None
    for line in lines:
        if not KTAP_LINE.match(line):
            continue
        if line.startswith('TAP version'):
            out.append('KTAP version 1')
            continue
        m = PROG_HEADER.match(line)
        if m:
            header = m.group(1)
            continue
        m = PROG_RESULT.match(line)
        if m:
            out.append(f'{m.group(1)} {m.group(2)}{m.group(3)}')
            header = None
            continue
        if line.startswith('# '):
            inner = line[2:]
            if inner.startswith('TAP version'):
                out.append('    KTAP version 1')
                if header:
                    out.append(f'    # Subtest: {header}')
                continue
            out.append('    ' + inner)
            continue
        out.append(line)
    return out


def parse(kunit_dir, log_text):
    lines = log_text.splitlines()
    result = {'guest': 'ok', 'reason': '', 'cases': {}, 'diagnostics': {}}
    reasons = []
    done = [DONE.match(l) for l in lines if DONE.match(l)]
    if not any('IPI_FP_GUEST_START' in l for l in lines):
        reasons.append('guest never started init (crashed or hung at boot)')
    elif not done:
        reasons.append('guest did not reach the end of init (crashed or hung)')
    splats = [l.strip() for l in lines if SPLATS.search(l)]
    if splats:
        reasons.append('kernel splat: ' + splats[0][:200])

    sys.path.insert(0, kunit_dir)
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        import kunit_parser  # pylint: disable=import-outside-toplevel
        kunit_parser.stdout._output = captured  # pylint: disable=protected-access
        root = kunit_parser.parse_run_tests(to_ktap(lines))
    status = kunit_parser.TestStatus
    names = {status.SUCCESS: 'PASS', status.FAILURE: 'FAIL',
             status.SKIPPED: 'SKIP'}
    errors = [l for l in captured.getvalue().splitlines() if '[ERROR]' in l]
    if root.counts.errors or root.status == status.FAILURE_TO_PARSE_TESTS:
        reasons.append('KTAP does not match its plan: ' +
                       (errors[0].split('[ERROR]', 1)[-1].strip()
                        if errors else root.status.name))

    for prog in root.subtests:
        cases = prog.subtests or [prog]
        result['diagnostics'][prog.name] = [
            l.strip() for t in cases + [prog] for l in t.log
            if l.strip().startswith('#')]
        for case in cases:
            key = prog.name if case is prog else f'{prog.name}.{case.name}'
            result['cases'][key] = names.get(case.status, 'ERROR')

    if reasons:
        result['guest'] = 'error'
        result['reason'] = '; '.join(reasons)
        result['cases'] = {k: 'ERROR' for k in result['cases']}
    return result


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: parse-results.py KUNIT_DIR CONSOLE_LOG')
    try:
        with open(sys.argv[2], errors='replace') as f:
            text = f.read()
    except OSError as e:
        sys.exit(f'error: parse-results.py: cannot read console log: {e}')
    json.dump(parse(sys.argv[1], text), sys.stdout, indent=1)
    print()


if __name__ == '__main__':
    main()
