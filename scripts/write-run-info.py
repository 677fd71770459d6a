#!/usr/bin/env python3
"""write-run-info.py OUT COMMAND CHECKED: what produced a run's results, as
JSON in OUT, for scripts/evidence/make-evidence.py: the command, whether it was
checked (CHECKED is "yes" or not), the revision of the project and
whether its work tree had uncommitted changes, the IPI_FP_* and KSRC
settings, the start time and the host's CPU count."""
import json
import os
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(*args):
    return subprocess.run(['git', '-C', TOP, *args], capture_output=True,
                          text=True).stdout.strip()


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: write-run-info.py OUT COMMAND CHECKED')
    out, command, checked = sys.argv[1:]
    info = {'command': command, 'checked': checked == 'yes',
            'revision': git('rev-parse', 'HEAD'),
            'dirty': bool(git('status', '--porcelain', '--untracked-files=no')),
            'environment': {k: v for k, v in sorted(os.environ.items())
                            if k.startswith('IPI_FP_') or k == 'KSRC'},
            'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
            'host_cpus': os.cpu_count()}
    with open(out, 'w') as f:
        json.dump(info, f, indent=1)


if __name__ == '__main__':
    main()
