#!/usr/bin/env bash
# upstream-math/build.sh OUTDIR: upstream's own FP/VMX tests, the
# tools/testing/selftests/powerpc/math programs of the 6.12.117 tree
# (with Michael Ellerman's v6.8 series: all 32 FPRs checked across fork()
# in fpu_syscall, 1bdf22580b79, and in fpu_preempt, e5d00aaac651), static
# for ppc64le, into OUTDIR with run.sh (kernel-suites/guest-run.sh) and
# its list. The test guest runs them after the ipi_fp programs when its
# command line says IPI_FP_UPSTREAM=1 (guest/init.sh, run-matrix.sh), and
# parse-results.py gives each program a verdict of its own,
# upstream_powerpc_math.NAME, by upstream's rules: its harness's
# "success:", "failure:" or "skip:" line and its exit status must agree.
# The *_preempt programs are left out (60 s each of waiting for
# preemption, in code that neither the fr0/v0 fix nor the series touch).
# Beside them, the programs that the test submissions of $proposed add
# or change: patches/selftests-powerpc-vsx-syscall (vmx_syscall: all 32
# VRs and VSCR; vsx_syscall: all 64 VSX registers, FPSCR and VSCR; across
# fork(), in powerpc/math) and patches/selftests-powerpc-sig-from-task-work
# (sig_from_task_work: a signal raised by task_work on syscall exit, in
# powerpc/signal), built from the same selftests with them applied, as
# proposed/powerpc/DIR/NAME: their verdicts are the rows
# proposed_powerpc_DIR.NAME. Built once per 6.12.117 powerpc
# selftest tree, submission and compiler, under $CACHE/upstream-math.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

outdir=${1:?usage: upstream-math/build.sh OUTDIR}
arch_setup ppc64le
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"
t612=$("$TOP/scripts/make-tree.sh" 6.12.117 unpatched) ||
	die "no 6.12.117 tree: upstream's powerpc/math cannot be built"
proposed="selftests-powerpc-vsx-syscall selftests-powerpc-sig-from-task-work"
key=$( {
	git -C "$t612" rev-parse HEAD:tools/testing/selftests/powerpc
	for sub in $proposed; do cat "$TOP/patches/$sub"/0*.patch; done
	"${CROSS}gcc" --version | head -n 1
	cat "$0"
} | sha1sum | cut -c1-16)
built=$CACHE/upstream-math/ppc64le-$key
if [ ! -f "$built/list" ]; then
	log "building 6.12.117's powerpc/math, and the tests of $proposed"
	rm -rf "$built" "$built.log"
	mkdir -p "$built"
	powerpc_selftests "$t612" "$built" "$built.log" |
		grep -v '_preempt ' >"$built/list.tmp"
	rm -f "$built"/powerpc/math/*_preempt
	# The proposed tests: the same selftests with the submissions
	# applied, in a copy (the tree itself stays as make-tree.sh made it).
	scratch=$(mktemp -d)
	git -C "$t612" archive HEAD tools/testing/selftests scripts/subarch.include |
		tar -x -C "$scratch"
	for sub in $proposed; do
		git -C "$scratch" apply "$TOP/patches/$sub"/0*.patch ||
			die "patches/$sub does not apply to 6.12.117's selftests"
	done
	# The programs whose C file a submission adds or changes, by the
	# directory of powerpc/ they are in.
	for sub in $proposed; do
		sed -n 's|^diff --git a/tools/testing/selftests/powerpc/\([a-z]*\)/\([a-z_]*\)\.c .*|\1 \2|p' \
			"$TOP/patches/$sub"/0*.patch
	done | sort -u >"$scratch/programs"
	[ -s "$scratch/programs" ] || die "patches of $proposed add no program"
	for dir in $(cut -d' ' -f1 "$scratch/programs" | sort -u); do
		powerpc_selftests "$scratch" "$scratch/out" "$built.log" "$dir" >/dev/null
	done
	while read -r dir p; do
		mkdir -p "$built/proposed/powerpc/$dir"
		cp "$scratch/out/powerpc/$dir/$p" "$built/proposed/powerpc/$dir/"
		echo "proposed/powerpc/$dir/$p 300 proposed/powerpc/$dir/$p"
	done <"$scratch/programs" >>"$built/list.tmp"
	rm -rf "$scratch"
	mv "$built/list.tmp" "$built/list"
fi
rm -rf "$outdir"
cp -r "$built" "$outdir"
cp "$TOP/scripts/kernel-suites/guest-run.sh" "$outdir/run.sh"
chmod 755 "$outdir/run.sh"
