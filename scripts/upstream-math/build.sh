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
# Beside them, the programs that the submission
# patches/selftests-powerpc-vsx-syscall adds or changes (vmx_syscall: all
# 32 VRs and VSCR; vsx_syscall: all 64 VSX registers, FPSCR and VSCR;
# across fork()), built from the same selftests with it applied, as
# proposed/powerpc/math/NAME: their verdicts are the rows
# proposed_powerpc_math.NAME. Built once per 6.12.117 powerpc
# selftest tree, submission and compiler, under $CACHE/upstream-math.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

outdir=${1:?usage: upstream-math/build.sh OUTDIR}
arch_setup ppc64le
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"
t612=$("$TOP/scripts/make-tree.sh" 6.12.117 unpatched) ||
	die "no 6.12.117 tree: upstream's powerpc/math cannot be built"
proposed=selftests-powerpc-vsx-syscall
key=$( {
	git -C "$t612" rev-parse HEAD:tools/testing/selftests/powerpc
	cat "$TOP/patches/$proposed"/0*.patch
	"${CROSS}gcc" --version | head -n 1
	cat "$0"
} | sha1sum | cut -c1-16)
built=$CACHE/upstream-math/ppc64le-$key
if [ ! -f "$built/list" ]; then
	log "building 6.12.117's powerpc/math, and with $proposed"
	rm -rf "$built" "$built.log"
	mkdir -p "$built"
	powerpc_math "$t612" "$built" "$built.log" |
		grep -v '_preempt ' >"$built/list.tmp"
	rm -f "$built"/powerpc/math/*_preempt
	# The proposed test: the same selftests with the submission applied,
	# in a copy (the tree itself stays as make-tree.sh made it).
	scratch=$(mktemp -d)
	git -C "$t612" archive HEAD tools/testing/selftests scripts/subarch.include |
		tar -x -C "$scratch"
	git -C "$scratch" apply "$TOP/patches/$proposed"/0*.patch ||
		die "patches/$proposed does not apply to 6.12.117's selftests"
	powerpc_math "$scratch" "$scratch/out" "$built.log" >/dev/null
	# The programs whose C file the submission adds or changes.
	mkdir -p "$built/proposed/powerpc/math"
	for p in $(sed -n 's|^diff --git a/tools/testing/selftests/powerpc/math/\([a-z_]*\)\.c .*|\1|p' \
		"$TOP/patches/$proposed"/0*.patch | sort -u); do
		cp "$scratch/out/powerpc/math/$p" "$built/proposed/powerpc/math/"
		echo "proposed/powerpc/math/$p 300 proposed/powerpc/math/$p"
	done >>"$built/list.tmp"
	rm -rf "$scratch"
	grep -q '^proposed/' "$built/list.tmp" || die "patches/$proposed adds no program"
	mv "$built/list.tmp" "$built/list"
fi
rm -rf "$outdir"
cp -r "$built" "$outdir"
cp "$TOP/scripts/kernel-suites/guest-run.sh" "$outdir/run.sh"
chmod 755 "$outdir/run.sh"
