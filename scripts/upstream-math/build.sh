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
# IPI_FP_SUITES_LEAVE_OUT applies as in kernel-suites/build.sh; the
# *_preempt programs are always left out (60 s each of waiting for
# preemption, in code that neither the fr0/v0 fix nor the series touch).
# Built once per 6.12.117 powerpc selftest tree and compiler, under
# $CACHE/upstream-math.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

outdir=${1:?usage: upstream-math/build.sh OUTDIR}
arch_setup ppc64le
command -v "${CROSS}gcc" >/dev/null 2>&1 ||
	die "compiler ${CROSS}gcc not found; install Debian package $CROSS_PKG ('make deps')"
t612=$("$TOP/scripts/make-tree.sh" 6.12.117 unpatched) ||
	die "no 6.12.117 tree: upstream's powerpc/math cannot be built"
key=$( {
	git -C "$t612" rev-parse HEAD:tools/testing/selftests/powerpc
	"${CROSS}gcc" --version | head -n 1
	cat "$0"
} | sha1sum | cut -c1-16)
built=$CACHE/upstream-math/ppc64le-$key
if [ ! -f "$built/list" ]; then
	log "building 6.12.117's powerpc/math"
	rm -rf "$built" "$built.log"
	mkdir -p "$built"
	powerpc_math "$t612" "$built" "$built.log" |
		grep -v '_preempt ' >"$built/list.tmp"
	rm -f "$built"/powerpc/math/*_preempt
	mv "$built/list.tmp" "$built/list"
fi
rm -rf "$outdir"
cp -r "$built" "$outdir"
leave_out "$outdir/list"
cp "$TOP/scripts/kernel-suites/guest-run.sh" "$outdir/run.sh"
chmod 755 "$outdir/run.sh"
