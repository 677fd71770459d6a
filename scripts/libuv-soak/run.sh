#!/usr/bin/env bash
# libuv-soak/run.sh: libuv's signal_multiple_loops (LIBUV_SRC: a libuv
# source tree, 1.45.0 to 1.47.0, the releases that use io_uring on
# ppc64) soaked in two ppc64le guests side by side: 6.1.192 "unpatched"
# (the base and the selftest patch) and "patched" (the series, with
# "powerpc: Restore all registers after TIF_NOTIFY_SIGNAL work"). Each
# guest (2 vCPUs, pseries POWER9, TCG) runs the test after the test for
# MINUTES, as user nobody; libuv-soak/report.py counts runs, failures and
# the SIGSEGVs among them per kernel, with 95 % intervals and the
# one-sided Fisher exact p that the unpatched kernel fails more often.
# Not in make check: libuv's source is not in Debian (bookworm's libuv1
# is 1.44.2, without io_uring) and the rates want hours.
#
# Settings (environment):
#   LIBUV_SRC             the libuv source tree (required)
#   IPI_FP_SOAK_MINUTES   minutes of runs in each guest (default 30)
#   IPI_FP_SOAK_RUNS      most runs per guest (default 0: time only)
#   IPI_FP_SOAK_KERNELS   the variants (default "unpatched patched")
#   IPI_FP_RESULTS        where the logs and report go (default
#                         $CACHE/results-libuv-soak)
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

src=${LIBUV_SRC:?LIBUV_SRC=DIR: a libuv source tree, 1.45.0 to 1.47.0 (git clone https://github.com/libuv/libuv; git checkout v1.47.0)}
minutes=${IPI_FP_SOAK_MINUTES:-30}
runs=${IPI_FP_SOAK_RUNS:-0}
lanes=${IPI_FP_SOAK_KERNELS:-unpatched patched}
results=${IPI_FP_RESULTS:-$CACHE/results-libuv-soak}
[[ "$minutes" =~ ^[1-9][0-9]*$ ]] || die "IPI_FP_SOAK_MINUTES=$minutes: a number of minutes"
[[ "$runs" =~ ^[0-9]+$ ]] || die "IPI_FP_SOAK_RUNS=$runs: a number of runs"
base=6.1.192
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$TOP/scripts/libuv-soak/build.sh" "$src" "$work/libuv"
"$TOP/scripts/make-initramfs.sh" ppc64le "$work/libuv" "$work/initrd.cpio.gz" \
	"$TOP/scripts/libuv-soak/guest-init.sh"
declare -A kernel
for v in $lanes; do
	tree=$("$TOP/scripts/make-tree.sh" "$base" "$v")
	kernel[$v]=$("$TOP/scripts/build-kernel.sh" ppc64le "$tree")
done
rm -rf "$results"
mkdir -p "$results/logs"
{
	echo "# libuv $(cat "$work/libuv/version") signal_multiple_loops, ppc64le $base, $minutes minutes per guest$([ "$runs" = 0 ] || echo ", at most $runs runs")"
	for v in $lanes; do echo "# $v: ${kernel[$v]}"; done
} >"$results/settings"
log "soaking $lanes side by side, $minutes minutes each"
for v in $lanes; do
	IPI_FP_BOOT_TIMEOUT=$((minutes * 60 + 900)) IPI_FP_CPUS=2 \
		"$TOP/scripts/boot-guest.sh" ppc64le "${kernel[$v]}" "$work/initrd.cpio.gz" \
		"$results/logs/$v.log" "IPI_FP_SOAK_SECONDS=$((minutes * 60)) IPI_FP_SOAK_RUNS=$runs" &
done
wait
# shellcheck disable=SC2086 # $lanes is a list of variants
"$TOP/scripts/libuv-soak/report.py" "$results" $lanes | tee "$results/report.txt"
