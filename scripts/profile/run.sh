#!/usr/bin/env bash
# profile/run.sh: make profile. Where the series' cost goes, by kernel
# function: for each architecture of IPI_FP_PROFILE_ARCHES (default
# "x86_64 ppc64le") and base of IPI_FP_PROFILE_BASES (default "6.1.192
# 6.12.117"), the unpatched and the patched kernel (the matrix's, built
# by build-kernel.sh as for make cost) each booted IPI_FP_PROFILE_BOOTS
# times (default 2, alternating) with one vCPU, QEMU's instruction-count
# clock and the insn_profile TCG plugin (profile/insn_profile.c, built by
# profile/build-plugin.sh). The guest (profile/guest-init.sh) runs
# profile/profile_ops, whose rows mark their windows for the plugin, then
# fio (profile/build-fio.sh: Debian's fio 3.33, static) with its 4 KiB
# jobs; profile/report.py gives each executed instruction to its kernel
# function and prints, per row, the A/B delta per operation, the share of
# it named functions carry and the functions that carry it, and fio's
# mean latency per I/O (instructions, under this clock) A/B beside the
# A/A noise. Results in
# $CACHE/results-profile (IPI_FP_RESULTS): report.txt, profile.json,
# timings.txt, the consoles and the plugin's dumps (gzip).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

arches=${IPI_FP_PROFILE_ARCHES:-x86_64 ppc64le}
bases=${IPI_FP_PROFILE_BASES:-6.1.192 6.12.117}
boots=${IPI_FP_PROFILE_BOOTS:-2}
results=${IPI_FP_RESULTS:-$CACHE/results-profile}
[[ "$boots" =~ ^[0-9]+$ ]] && [ "$boots" -ge 2 ] ||
	die "IPI_FP_PROFILE_BOOTS=$boots: at least 2 (the A/A across boots needs two)"
for a in $arches; do
	case "$a" in ppc64le | x86_64) ;; *) die "IPI_FP_PROFILE_ARCHES: unknown architecture '$a'" ;; esac
done
rm -rf "$results"
mkdir -p "$results/logs"
timings=$results/timings.txt
start=$SECONDS
"$TOP/scripts/install-deps.sh"
plugin=$("$TOP/scripts/profile/build-plugin.sh") || exit
echo "deps+plugin - $((SECONDS - start))" >"$timings"
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" ""

# build_icr_module KDIR OUT: the ICR selftest's module (ipi_fp_icr.ko, the
# IPI row) for the kernel built in KDIR, as its Makefile builds it.
build_icr_module() {
	local kdir=$1 out=$2 build
	build=$(mktemp -d)
	cp "$TOP/selftests/ipi_fp/icr_inject/"{ipi_fp_icr.c,Makefile} "$build/"
	make -s -C "$kdir" ARCH="$KARCH" CROSS_COMPILE="$CROSS" M="$build" modules >"$build/log" 2>&1 ||
		die "building ipi_fp_icr.ko against $kdir failed: $(tail -n 5 "$build/log")"
	cp "$build/ipi_fp_icr.ko" "$out"
	rm -rf "$build"
}

declare -A kernel=() smap=() initrd=()
for arch in $arches; do
	arch_setup "$arch"
	prog=$results/$arch.programs
	mkdir -p "$prog"
	build_guest_program scripts/profile/profile_ops.c "$prog/profile_ops" -luring
	fio=$("$TOP/scripts/profile/build-fio.sh" "$arch") || exit
	cp "$fio" "$prog/fio"
	for base in $bases; do
		for variant in unpatched patched; do
			id=$arch-$base-$variant
			start=$SECONDS
			tree=$("$TOP/scripts/make-tree.sh" "$base" "$variant") || die "$id: no tree"
			kernel[$id]=$("$TOP/scripts/build-kernel.sh" "$arch" "$tree") || die "$id: kernel build failed"
			kdir=$(cat "$(dirname "${kernel[$id]}")/builddir")
			smap[$id]=$kdir/System.map
			[ -f "${smap[$id]}" ] || die "$id: no ${smap[$id]}"
			# Each kernel's own initramfs: x86_64's carries its module.
			rm -rf "$results/$id.programs"
			cp -r "$prog" "$results/$id.programs"
			[ "$arch" = x86_64 ] && build_icr_module "$kdir" "$results/$id.programs/ipi_fp_icr.ko"
			initrd[$id]=$results/$id.cpio.gz
			"$TOP/scripts/make-initramfs.sh" "$arch" "$results/$id.programs" "${initrd[$id]}" \
				"$TOP/scripts/profile/guest-init.sh"
			echo "kernel $id $((SECONDS - start))" >>"$timings"
		done
	done
done

# One vCPU on ppc64le; x86_64 has a second for the IPI row, booted
# offline (under -icount x86_64 hangs bringing it up at boot; QEMU 7.2)
# and brought online by profile_ops just before that row.
declare -A cpus=([x86_64]=2 [ppc64le]=1) cmdline=([x86_64]=maxcpus=1)
# One guest at a time per host thread: the instruction-count clock runs
# a guest in one thread, and its figures are instructions, not time.
jobs=$(guest_jobs 1)
boot_one() {
	local arch=$1 id=$2 n=$3 start=$SECONDS
	local logf=$results/logs/$id.boot$n.log dump=$results/logs/$id.boot$n.dump
	IPI_FP_ICOUNT=1 IPI_FP_CPUS=${cpus[$arch]} IPI_FP_BOOT_TIMEOUT=${IPI_FP_BOOT_TIMEOUT:-1800} \
		IPI_FP_PLUGIN="$plugin,out=$dump" \
		"$TOP/scripts/boot-guest.sh" "$arch" "${kernel[$id]}" "${initrd[$id]}" "$logf" \
		"${cmdline[$arch]:-}" || true
	[ -f "$dump" ] && gzip -f -1 "$dump"
	echo "boot $id.boot$n $((SECONDS - start))" >>"$timings"
}
args=()
boots_start=$SECONDS
for arch in $arches; do
	for base in $bases; do
		for n in $(seq 1 "$boots"); do
			for variant in unpatched patched; do
				id=$arch-$base-$variant
				pool_wait "$jobs"
				log "booting $id ($n of $boots, instruction-count clock, insn_profile)"
				boot_one "$arch" "$id" "$n" &
				args+=("$arch" "$base" "$variant" "$n" "$results/logs/$id.boot$n.log"
					"$results/logs/$id.boot$n.dump.gz" "${smap[$id]}")
			done
		done
	done
done
pool_wait 1
echo "wall boot $((SECONDS - boots_start)) jobs=$jobs" >>"$timings"
start=$SECONDS
rc=0
python3 "$TOP/scripts/profile/report.py" --json "$results/profile.json" "${args[@]}" \
	>"$results/report.txt" || rc=$?
echo "report - $((SECONDS - start))" >>"$timings"
cat "$results/report.txt"
echo
echo "phases (seconds):"
cat "$timings"
exit "$rc"
