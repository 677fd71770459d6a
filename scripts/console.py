"""console.py: what the report scripts that read a guest console with
output of its own share: the scripts of this directory as modules (their
names have dashes), and the kernel splats of a console, by
parse-results.py's SPLATS on the kernel's lines only (PRINTK_TIME), so
that a program's own "WARNING:" is none."""
import importlib.util
import os
import re


def load_script(name):
    """The script NAME (e.g. 'parse-results.py') of this directory."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    spec = importlib.util.spec_from_file_location(name.replace('-', '_'), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SPLATS = load_script('parse-results.py').SPLATS
KERNEL_LINE = re.compile(r'^\[ *\d+\.\d+\] ')


def is_splat(line):
    """A kernel line that is a splat."""
    return bool(KERNEL_LINE.match(line) and SPLATS.search(line))


def side_by_side_arches(results):
    """Print RESULTS/settings (its lines less the leading '# ') and return
    the architectures of the side-by-side consoles
    RESULTS/logs/ARCH-6.1.192-VARIANT.log (make ltp-dio, make fstests)."""
    with open(os.path.join(results, 'settings')) as f:
        print(''.join(line[2:] for line in f))
    logs = sorted(os.listdir(os.path.join(results, 'logs')))
    return sorted({name.split('-6.1.192-')[0] for name in logs if '-6.1.192-' in name})
