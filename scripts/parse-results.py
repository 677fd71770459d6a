#!/usr/bin/env python3
"""parse-results.py KUNIT_DIR CONSOLE_LOG: turn a guest's console log into
per-test-case verdicts, printed as JSON:

  {"guest": "ok" | "error", "reason": "...",
   "cases": {"fpu_io_worker.fp_vector_regs_survive_io_worker_creation": "PASS"},
   "why": {"CASE": "why it is ERROR"},
   "counts": {"CASE": {"kind": "race", "requested": 20, "rounds": 20, ...}},
   "diagnostics": {"fpu_io_worker": ["# rounds ...", ...]}}

The KTAP is parsed by the base tree's own parser (KUNIT_DIR is its
tools/testing/kunit). run_kselftest.sh nests each test program's KTAP under
"# " prefixes instead of indentation; the lines are rewritten into KTAP
subtests first.

The verdict rules (MAINTAINERS-notes/verdict-rules.md): a case is PASS or FAIL only
when its own KTAP line, its program's exit, the guest and the case's
counter line (IPI_FP_COUNTS) all agree; anything else is ERROR, never PASS
or SKIP:
- the guest: it must start and end init's tests with rc=0, print no
  kernel splat and no KTAP outside its plan until IPI_FP_GUEST_DONE (what
  runs after it, the kernel's own selftests, has its own report), and what ran it must report no error (an
  IPI_FP_HOST_ERROR line: a LAVA job that was not complete or recorded no
  results); otherwise every case is ERROR;
- the program: "ok" (exit 0) with no case FAIL, "ok # SKIP" (exit 4)
  with every case SKIP, or "not ok # exit=1" with at least one case FAIL;
  a crash, another exit code or a TIMEOUT makes all its cases ERROR, and
  so does a KTAP plan its results do not match;
- the case: a name printed twice is ERROR; a case that is not SKIP needs
  its counter line; kind=race needs the race window opened in every round
  (window == rounds), and the known race cases must say kind=race;
  requested must be > 0; PASS needs rounds == requested, errors == 0,
  bad == 0 and leaks == 0; FAIL needs rounds == requested, errors == 0
  and bad or leaks > 0; a case that reports frame_checks must have run
  the pinned-page check every round; an odirect_fork race case may only
  PASS when fork() copied the read's pages for the child in every round
  (copied_at_fork == rounds: what fork() does to pinned pages, seen on
  the test's own pages); kind=measure
  cases (costs, the IPI storm) cannot tell a fixed kernel from a broken one
  and get MEASURED, not PASS.
"""
import collections
import contextlib
import io
import json
import re
import sys

GUEST_START = 'IPI_FP_GUEST_START'
# What ran the guest (scripts/lava/boot.sh: LAVA) says it went wrong.
HOST_ERROR = re.compile(r'^IPI_FP_HOST_ERROR (.*)')
DONE = re.compile(r'^IPI_FP_GUEST_DONE rc=(\d+)')
# Things a healthy guest never prints: panics and oopses, BUG and WARNING
# (KASAN and lockdep reports start with them too), UBSAN, RCU stalls, soft
# and hard lockups, hung tasks.
SPLATS = re.compile(r'Kernel panic|BUG:|Oops|WARNING:|Unable to handle kernel|'
                    r'general protection fault|INFO: task .* blocked|'
                    r'rcu: INFO|detected stalls? on CPU|self-detected stall|'
                    r'watchdog: BUG|soft lockup|hard LOCKUP|UBSAN:|KASAN:|'
                    r'possible recursive locking|inconsistent lock state|'
                    r'possible circular locking|suspicious RCU usage|'
                    r'Call Trace:')
KTAP_LINE = re.compile(r'^(TAP version|KTAP version|1\.\.|ok |not ok |# )')
PROG_HEADER = re.compile(r'^# selftests: [^:]+: (\S+)$')
PROG_RESULT = re.compile(r'^((?:not )?ok \d+) selftests: [^:]+: (\S+)(.*)$')
COUNTS = re.compile(r'^# IPI_FP_COUNTS (\S+)((?: \w+=\S+)+)\s*$')
INT_KEYS = ('requested', 'rounds', 'bad', 'errors', 'window', 'leaks')
KINDS = ('race', 'check', 'measure')
# The race cases the harness knows: a test cannot opt out of the window
# rule by calling itself something else. odirect_fork's must take pins.
KNOWN_RACES = re.compile(r'^(fpu_io_worker\.|icr_nested_ipi\.outer_ipi_|'
                         r'odirect_fork\.dio_read_survives_fork_|'
                         r'odirect_fork\.dio_write_sends_parent_data_across_fork_)')
MUST_PIN = re.compile(r'^odirect_fork\.dio_read_survives_fork_')


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


def program_exits(lines):
    """{program: [directive, ...]}: run_kselftest.sh's result line of each
    program ("" for ok, "exit=139", "TIMEOUT 45 seconds", "SKIP")."""
    exits = collections.defaultdict(list)
    for line in lines:
        m = PROG_RESULT.match(line)
        if m:
            rest = m.group(3).strip()
            directive = rest[1:].strip() if rest.startswith('#') else rest
            if m.group(1).startswith('not ok') and not directive:
                directive = 'not ok'
            exits[m.group(2)].append(directive)
    return exits


def read_counts(diagnostics):
    """{case name: {key: value}} from the IPI_FP_COUNTS lines of a program;
    a name counted twice maps to None."""
    counts = {}
    for line in diagnostics:
        m = COUNTS.match(line)
        if not m:
            continue
        pairs = dict(p.split('=', 1) for p in m.group(2).split())
        for key in pairs:
            if key != 'kind':
                try:
                    pairs[key] = int(pairs[key])
                except ValueError:
                    pass
        name = m.group(1)
        counts[name] = None if name in counts else pairs
    return counts


def case_verdict(key, ktap, counts):
    """(verdict, why) of case key (PROGRAM.CASE) from its KTAP status and
    counter line."""
    if ktap == 'SKIP':
        return 'SKIP', ''
    if ktap not in ('PASS', 'FAIL'):
        return 'ERROR', f'KTAP status {ktap}'
    if counts is None:
        return 'ERROR', 'no IPI_FP_COUNTS line (or more than one)'
    kind = counts.get('kind')
    if kind not in KINDS:
        return 'ERROR', f'unknown kind {kind!r} in the counter line'
    if KNOWN_RACES.match(key) and kind != 'race':
        return 'ERROR', f'a race case that calls itself kind={kind}'
    missing = [k for k in INT_KEYS if k != 'leaks' and
               not isinstance(counts.get(k), int)]
    if missing:
        return 'ERROR', 'counter line lacks ' + ', '.join(missing)
    rounds, requested = counts['rounds'], counts['requested']
    bad, errors = counts['bad'], counts['errors']
    leaks = counts.get('leaks', 0)
    if requested < 1:
        return 'ERROR', f'{requested} rounds requested: nothing was tested'
    if kind == 'measure':
        if ktap == 'PASS' and errors == 0 and rounds == requested:
            return 'MEASURED', ''
        return 'ERROR', (f'measurement {ktap} with rounds {rounds}/'
                         f'{requested}, errors {errors}')
    if errors:
        return 'ERROR', f'{errors} rounds ended in errors'
    if rounds != requested:
        return 'ERROR', f'ran {rounds} of {requested} rounds'
    if kind == 'race' and counts['window'] != rounds:
        return 'ERROR', (f'race window opened in {counts["window"]} of '
                         f'{rounds} rounds: the test did not test')
    if 'frame_checks' in counts and counts['frame_checks'] != rounds:
        return 'ERROR', (f'pinned-page check ran in {counts["frame_checks"]} '
                         f'of {rounds} rounds')
    if ktap == 'PASS':
        if bad or leaks:
            return 'ERROR', f'ok, but counted bad {bad}, leaks {leaks}'
        copied = counts.get('copied_at_fork')
        if MUST_PIN.match(key) and copied != rounds:
            return 'ERROR', (f'clean with copied_at_fork={copied} of '
                             f'{rounds}: fork() did not copy the read\'s '
                             'pages as it copies pinned ones, the kernel '
                             'kept the data some other way')
        return 'PASS', ''
    if not bad and not leaks:
        return 'ERROR', 'not ok, but no bad round and no leak counted'
    return 'FAIL', ''


# Upstream's own powerpc/math programs (upstream-math/build.sh), run by
# kernel-suites/guest-run.sh with the marker IPI_FP_UPSTREAM after the
# ipi_fp programs: their verdicts are upstream's, under the case names
# upstream_powerpc_math.PROGRAM; a program that a test submission adds or
# changes (proposed/powerpc/DIR/PROGRAM) is proposed_powerpc_DIR.PROGRAM,
# the proposed mm test (proposed/mm/dio_fork) proposed_mm.dio_fork.
UPSTREAM_START = re.compile(r'^IPI_FP_UPSTREAM_START (\S+)$')
UPSTREAM_END = re.compile(r'^IPI_FP_UPSTREAM_END (\S+) rc=(\d+)$')
HARNESS_OUTCOME = re.compile(r'^(success|failure|skip|error): ')


def upstream_verdict(rc, output):
    """(verdict, why) of one upstream program from its exit status and
    its output: test_harness() prints one "success:", "failure:" or
    "skip:" line per test, and the program exits 1 when a test failed,
    else 0. FAIL: a failure and exit status 1; SKIP: every test skipped
    and 0; PASS: the rest succeeded or skipped and 0. Anything else (a
    killed or timed-out test, a crash, an "error:" line, no outcome, an
    outcome and exit status that disagree) is an ERROR, never a FAIL."""
    killed = [line for line in output if line.startswith('!!')]
    if killed:
        return 'ERROR', 'harness: ' + killed[0]
    outcomes = [m.group(1) for m in map(HARNESS_OUTCOME.match, output) if m]
    if not outcomes or 'error' in outcomes:
        return 'ERROR', (f'outcome lines {outcomes or "none"} (success/failure/'
                         f'skip/error), exit status {rc}')
    if 'failure' in outcomes:
        verdict = 'FAIL' if rc == 1 else None
    elif rc == 0:
        verdict = 'SKIP' if set(outcomes) == {'skip'} else 'PASS'
    else:
        verdict = None
    if verdict is None:
        return 'ERROR', f'{"/".join(outcomes)} with exit status {rc}'
    return verdict, ''


# A program of the kselftest API (the proposed mm test, proposed/mm/...)
# prints KTAP: "TAP version 13", a plan "1..N" (or "1..0 # SKIP why"),
# one "ok"/"not ok" line per test with an optional "# SKIP", "# XFAIL" or
# "# error" directive, and exits 0 (KSFT_PASS), 1 (KSFT_FAIL) or 4
# (KSFT_SKIP).
KTAP_PLAN = re.compile(r'^1\.\.(\d+)(?: # SKIP.*)?$')
KTAP_RESULT = re.compile(r'^(not ok|ok) \d+\b(?:.*? # (SKIP|XFAIL|XPASS|error)\b)?')


def ktap_verdict(rc, output):
    """(verdict, why) of one kselftest-API program from its exit status
    and its KTAP lines. FAIL: a "not ok" and exit status 1; XFAIL: no
    failure, at least one XFAIL, exit status 0; SKIP: every test skipped
    (or a plan of 0), exit status 0 or 4; PASS: the rest passed or
    skipped, at least one passed, exit status 0. Anything else (a test's
    "# error", fewer results than the plan, an XPASS, a crash or a
    timeout, results and exit status that disagree) is an ERROR, never a
    FAIL."""
    plans = [int(m.group(1)) for m in map(KTAP_PLAN.match, output) if m]
    results = [m.groups() for m in map(KTAP_RESULT.match, output) if m]
    if len(plans) != 1:
        return 'ERROR', f'{len(plans)} KTAP plan lines, exit status {rc}'
    if plans[0] == 0:
        return ('SKIP', '') if rc in (0, 4) else ('ERROR', f'plan 1..0, exit status {rc}')
    if len(results) != plans[0]:
        return 'ERROR', f'{len(results)} results for a plan of {plans[0]}, exit status {rc}'
    kinds = ['fail' if ok == 'not ok' and d not in ('SKIP', 'error')
             else (d or 'PASS').lower() for ok, d in results]
    if 'error' in kinds:
        return 'ERROR', f'a test reported an error (it could not test), exit status {rc}'
    if 'xpass' in kinds:
        return 'ERROR', f'an XPASS, exit status {rc}'
    if 'fail' in kinds:
        verdict = 'FAIL' if rc == 1 else None
    elif set(kinds) == {'skip'}:
        verdict = 'SKIP' if rc in (0, 4) else None
    elif rc == 0:
        verdict = 'XFAIL' if 'xfail' in kinds else 'PASS'
    else:
        verdict = None
    if verdict is None:
        return 'ERROR', f'{"/".join(sorted(set(kinds)))} with exit status {rc}'
    return verdict, ''


def upstream_key(name):
    """The case name of list entry name (powerpc/math/fpu_syscall:
    upstream_powerpc_math.fpu_syscall; proposed/powerpc/signal/
    sig_from_task_work: proposed_powerpc_signal.sig_from_task_work)."""
    parts = name.split('/')
    if parts[0] == 'proposed':
        return 'proposed_' + '_'.join(parts[1:-1]) + '.' + parts[-1]
    return 'upstream_' + '_'.join(parts[:-1]) + '.' + parts[-1]


def upstream_results(lines):
    """{case: (verdict, why, output)} of the upstream programs in lines."""
    results, name, output = {}, None, []
    for line in lines:
        m = UPSTREAM_START.match(line)
        if m:
            if name is not None:
                results[upstream_key(name)] = ('ERROR', 'no end marker', output)
            name, output = m.group(1), []
            continue
        m = UPSTREAM_END.match(line)
        if m and m.group(1) == name:
            key = upstream_key(name)
            if key in results:
                results[key] = ('ERROR', 'program ran more than once', output)
            else:
                judge = (ktap_verdict if 'TAP version 13' in output
                         else upstream_verdict)
                results[key] = judge(int(m.group(2)), output) + (output,)
            name = None
            continue
        if name is not None and line.startswith('| '):
            output.append(line[2:].strip())
    if name is not None:
        results[upstream_key(name)] = ('ERROR', 'did not finish', output)
    return results


# A kernel message the serial console wrote into the middle of a line of
# the tests' output: "# ok 27 dio_release_exit_while_h[   81.373208] block
# nbd0: NBD_DISCONNECT", the rest of the test's line on the next one.
PRINTK_INSIDE = re.compile(r'^(.+?)(\[ *\d+\.\d{6}\] .*)$')


def rejoin(lines):
    """The console's lines with each kernel message that landed inside a
    line of the tests' output on a line of its own, and that line whole
    again (its head joined to the next line, which holds its tail)."""
    out, head = [], ''
    for line in lines:
        line = head + line
        head = ''
        m = PRINTK_INSIDE.match(line)
        if m and not m.group(1).startswith('['):
            out.append(m.group(2))
            head = m.group(1)
            continue
        out.append(line)
    if head:
        out.append(head)
    return out


def parse(kunit_dir, log_text):
    lines = rejoin(log_text.splitlines())
    result = {'guest': 'ok', 'reason': '', 'cases': {}, 'why': {},
              'counts': {}, 'diagnostics': {}}
    reasons = []
    done = [m for m in map(DONE.match, lines) if m]
    if not any(GUEST_START in line for line in lines):
        reasons.append('guest never started init (crashed or hung at boot)')
    elif not done:
        reasons.append('guest did not reach the end of init (crashed or hung)')
    elif len(done) > 1 or done[0].group(1) != '0':
        reasons.append('guest init ended with rc=' +
                       ','.join(m.group(1) for m in done))
    reasons += [m.group(1) for m in map(HOST_ERROR.match, lines) if m]
    # What the guest ran after the end of init's tests (the kernel's own
    # selftests: scripts/kernel-suites/report.py) is not these verdicts'.
    if done:
        lines = lines[:next(i for i, line in enumerate(lines)
                            if DONE.match(line)) + 1]
    splats = [line.strip() for line in lines if SPLATS.search(line)]
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
    prog_errors = sum(p.counts.errors for p in root.subtests)
    if root.status == status.FAILURE_TO_PARSE_TESTS:
        reasons.append('no KTAP found')
    elif root.counts.errors > prog_errors:
        errors = [l for l in captured.getvalue().splitlines() if '[ERROR]' in l]
        reasons.append('KTAP does not match its plan: ' +
                       (errors[0].split('[ERROR]', 1)[-1].strip()
                        if errors else root.status.name))

    exits = program_exits(lines)
    progs = collections.Counter(p.name for p in root.subtests)
    for prog in root.subtests:
        cases = prog.subtests or [prog]
        diags = [l.strip() for t in cases + [prog] for l in t.log
                 if l.strip().startswith('#')]
        result['diagnostics'][prog.name] = diags
        counts = read_counts(diags)
        seen = collections.Counter(c.name for c in cases)
        directives = exits.get(prog.name, [])
        ktap = {c.name: names.get(c.status, 'ERROR') for c in cases}

        # The program's own verdict, for all of its cases.
        prog_why = ''
        if progs[prog.name] > 1 or len(directives) > 1:
            prog_why = 'program ran more than once'
        elif not directives:
            prog_why = 'program has no result line'
        elif prog.counts.errors:
            prog_why = 'program KTAP does not match its plan'
        elif directives[0] not in ('', 'SKIP', 'exit=1'):
            prog_why = f'program ended with "{directives[0]}"'
        elif directives[0] == 'exit=1' and 'FAIL' not in ktap.values():
            prog_why = 'program exited 1 with no case FAIL'
        elif directives[0] == 'SKIP' and set(ktap.values()) != {'SKIP'}:
            prog_why = 'program exited 4 (SKIP) with a case not SKIP'
        elif directives[0] == '' and 'FAIL' in ktap.values():
            prog_why = 'program exited 0 with a case FAIL'

        for case in cases:
            # The base parser stands in an unnamed case for missing results.
            key = (prog.name if case is prog else
                   f'{prog.name}.{case.name or "<missing results>"}')
            verdict, why = case_verdict(key, ktap[case.name],
                                        counts.get(case.name))
            if seen[case.name] > 1:
                verdict, why = 'ERROR', 'case name printed more than once'
            elif prog_why:
                verdict, why = 'ERROR', prog_why
            if counts.get(case.name):
                result['counts'][key] = counts[case.name]
            result['cases'][key] = verdict
            if why:
                result['why'][key] = why

    for key, (verdict, why, output) in upstream_results(lines).items():
        result['cases'][key] = verdict
        result['diagnostics'][key] = output[-20:]
        if why:
            result['why'][key] = why

    if reasons:
        result['guest'] = 'error'
        result['reason'] = '; '.join(reasons)
        result['cases'] = {k: 'ERROR' for k in result['cases']}
        result['why'] = {k: 'guest error' for k in result['cases']}
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
