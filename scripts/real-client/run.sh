#!/usr/bin/env bash
# real-client/run.sh: the reporter's own test as evidence (make
# real-client). MariaDB's mysql-test-run case encryption.innodb_encryption
# (InnoDB on io_uring, the case of MDEV-30728) soaked on an emulated POWER9
# against two ppc64le kernels of the 6.1.192-prefix base side by side:
# "unpatched" (the fr0/v0 fix reverted, 6.1.0-6.1.65 behaviour) and
# "patched" (the series, which puts the fix back). Each kernel has its own
# lane of boots, every boot from a fresh copy of the root file system
# (real-client/make-rootfs.sh), REPEAT loops per boot, a new boot after each
# failure (mtr aborts the suite then), until the time budget or the loop
# budget is spent. Prints real-client/report.py's table (loops, failures,
# 95 % intervals, one-sided Fisher exact p) and keeps it with the logs in
# IPI_FP_RESULTS (default $CACHE/results-real-client).
#
# Settings (environment):
#   IPI_FP_SOAK_MINUTES   time budget of each lane; no boot starts after
#                         it (default 60)
#   IPI_FP_SOAK_LOOPS     loop budget of each kernel (default 0: time only)
#   IPI_FP_MTR_REPEAT     most loops per boot (default 50); the last boots
#                         of a lane ask for what the time left allows, at
#                         IPI_FP_MTR_LOOP_SECONDS (default 12) a loop
#   IPI_FP_MTR_CPUS       vCPUs per guest (default 2)
#   IPI_FP_SOAK_KERNELS   the lanes (default "unpatched patched"; the
#                         variants of scripts/variant-patches.sh)
#   IPI_FP_SOAK_ARCH      ppc64le (default), or x86_64: the control (the
#                         bug is powerpc-only), on the 6.1.192 base, whose
#                         lanes default to "unpatched" alone
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

arch=${IPI_FP_SOAK_ARCH:-ppc64le}
case "$arch" in
ppc64le) base=6.1.192-prefix lanes="unpatched patched" ;;
x86_64) base=6.1.192 lanes=unpatched ;;
*) die "IPI_FP_SOAK_ARCH=$arch: ppc64le or x86_64" ;;
esac
minutes=${IPI_FP_SOAK_MINUTES:-60}
max_loops=${IPI_FP_SOAK_LOOPS:-0}
repeat_max=${IPI_FP_MTR_REPEAT:-50}
loop_secs=${IPI_FP_MTR_LOOP_SECONDS:-12}
read -r -a kernels <<<"${IPI_FP_SOAK_KERNELS:-$lanes}"
results=${IPI_FP_RESULTS:-$CACHE/results-real-client}
for n in "$minutes" "$max_loops" "$repeat_max" "$loop_secs"; do
	[[ "$n" =~ ^[0-9]+$ ]] || die "soak settings must be whole numbers, not '$n'"
done
[ "$repeat_max" -ge 1 ] || die "IPI_FP_MTR_REPEAT must be at least 1"

rootfs=$("$TOP/scripts/real-client/make-rootfs.sh" "$arch")
declare -A kernel_of=()
for v in "${kernels[@]}"; do
	tree=$("$TOP/scripts/make-tree.sh" "$base" "$v")
	kernel_of[$v]=$(IPI_FP_BUILD_TAG=mtr IPI_FP_EXTRA_CONFIG="$TOP/kconfig/mtr-guest.config" \
		"$TOP/scripts/build-kernel.sh" "$arch" "$tree")
done

rm -rf "$results"
mkdir -p "$results"
"$TOP/scripts/write-run-info.py" "$results/run.json" "make real-client" no
{
	echo "# real-client soak: $arch $base, ${minutes} min per lane, loop budget $max_loops (0: none),"
	echo "# at most $repeat_max loops a boot, ${IPI_FP_MTR_CPUS:-2} vCPUs, 3 GiB, lanes side by side on $(nproc) host CPUs"
	echo "# root file system: $(basename "$rootfs"): $(grep -E '^(mariadb-server|liburing2) ' "$rootfs.packages" | tr '\n' ' ')"
	printf '# kernel\tboot\trc\tseconds\tloops asked\n'
} >"$results/boots.tsv"

# lane KERNEL: boots KERNEL until its budget is spent.
lane() {
	local v=$1 boot=0 loops=0 deadline=$((SECONDS + minutes * 60)) left asked rc start counted logf
	while :; do
		left=$((deadline - SECONDS))
		asked=$((left / loop_secs))
		[ "$asked" -gt "$repeat_max" ] && asked=$repeat_max
		if [ "$max_loops" -gt 0 ] && [ "$asked" -gt $((max_loops - loops)) ]; then
			asked=$((max_loops - loops))
		fi
		[ "$asked" -ge 1 ] || break
		boot=$((boot + 1))
		logf="$results/$(printf '%s-%03d' "$v" "$boot").log"
		start=$SECONDS
		rc=0
		IPI_FP_ROOTFS_CPUS=${IPI_FP_MTR_CPUS:-2} "$TOP/scripts/boot-rootfs-guest.sh" "$arch" \
			"${kernel_of[$v]}" "$rootfs" "$TOP/scripts/real-client/guest-init.sh" "$logf" \
			"${IPI_FP_MTR_BOOT_TIMEOUT:-$((300 + 150 * asked))}" "IPI_FP_MTR_REPEAT=$asked" || rc=$?
		printf '%s\t%d\t%d\t%d\t%d\n' "$v" "$boot" "$rc" $((SECONDS - start)) "$asked" >>"$results/boots.tsv"
		read -r counted _ < <("$TOP/scripts/real-client/report.py" --loops "$logf")
		loops=$((loops + counted))
		log "$v boot $boot: $counted of $asked loops counted (rc $rc, $((SECONDS - start))s); $loops in all"
	done
}

log "soaking ${kernels[*]} for $minutes min each, side by side; logs in $results"
pids=()
for v in "${kernels[@]}"; do
	lane "$v" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
rc=0
"$TOP/scripts/real-client/report.py" "$results" | tee "$results/report.txt" || rc=$?
exit "$rc"
