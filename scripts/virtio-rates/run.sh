#!/usr/bin/env bash
# virtio-rates/run.sh: make virtio-rates. The O_DIRECT vs fork() race on a
# real asynchronous device, with nothing holding the read: the 6.1.192
# kernels without and with the series (IPI_FP_BUILD_TAG=virtio, with
# kconfig/virtio-blk.config), on each architecture of IPI_FP_RACE_ARCHES
# (default "ppc64le x86_64"), boot with two virtio-blk disks, an ext4
# (iomap) and an ext2 (fs/direct-io.c in 6.1) image made here with
# mkfs -d, each holding data.bin; the guest (scripts/virtio-rates/guest-init.sh)
# runs scripts/virtio-rates/dio_fork_race on both with pread() from a thread, io_uring
# and Linux AIO, IPI_FP_RACE_ROUNDS (default 1000) rounds each.
# Results in $CACHE/results-virtio-rates (IPI_FP_RESULTS): the consoles,
# run.json, report.txt (scripts/virtio-rates/report.py: rounds, window,
# corrupted rounds and the rate's 95 % interval per kernel, filesystem
# and issuer). Not in make check: its outcome is a rate, not a verdict.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

results=${IPI_FP_RESULTS:-$CACHE/results-virtio-rates}
rounds=${IPI_FP_RACE_ROUNDS:-1000}
[ "$rounds" -ge 1 ] 2>/dev/null || die "IPI_FP_RACE_ROUNDS must be a positive number, not '$rounds'"
need_cmd mkfs.ext4 e2fsprogs
rm -rf "$results"
mkdir -p "$results/logs" "$results/disks"
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" ""

# The disks: data.bin is 64 KiB of 0x5a, the byte dio_fork_race expects.
mkdir -p "$results/disks/tree"
python3 -c 'import sys; sys.stdout.buffer.write(b"\x5a" * 65536)' \
	>"$results/disks/tree/data.bin"
for fs in ext4 ext2; do
	"mkfs.$fs" -q -b 4096 -d "$results/disks/tree" "$results/disks/$fs.img" 16M ||
		die "mkfs.$fs failed"
done

logs=()
for arch in ${IPI_FP_RACE_ARCHES:-ppc64le x86_64}; do
	arch_setup "$arch"
	for variant in unpatched patched; do
		id=$arch-6.1.192-$variant
		tree=$("$TOP/scripts/make-tree.sh" 6.1.192 "$variant")
		kernel=$(IPI_FP_BUILD_TAG=virtio IPI_FP_EXTRA_CONFIG=$TOP/kconfig/virtio-blk.config \
			"$TOP/scripts/build-kernel.sh" "$arch" "$tree")
		prog=$results/$id.programs
		mkdir -p "$prog"
		build_guest_program scripts/virtio-rates/dio_fork_race.c "$prog/dio_fork_race" -luring -lpthread
		"$TOP/scripts/make-initramfs.sh" "$arch" "$prog" "$results/$id.cpio.gz" \
			"$TOP/scripts/virtio-rates/guest-init.sh"
		log "booting $id ($rounds rounds per filesystem and issuer)"
		start=$SECONDS
		IPI_FP_DISKS="$results/disks/ext4.img $results/disks/ext2.img" \
			IPI_FP_BOOT_TIMEOUT=${IPI_FP_BOOT_TIMEOUT:-$((300 + rounds))} \
			"$TOP/scripts/boot-guest.sh" "$arch" "$kernel" "$results/$id.cpio.gz" \
			"$results/logs/$id.log" "IPI_FP_RACE_ROUNDS=$rounds" || true
		log "$id: guest ran $((SECONDS - start))s"
		logs+=("$results/logs/$id.log")
	done
done
python3 "$TOP/scripts/virtio-rates/report.py" "${logs[@]}" | tee "$results/report.txt"
