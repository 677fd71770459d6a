#!/usr/bin/env bash
# blk-map-leak/run.sh: make blk-map-leak. The page reference 6.1.y's
# bio_map_user_iov() keeps on a same-page merge, shown both ways: 6.1.192
# (variant unpatched) and 6.1.192 with the 6.1.y backport of upstream
# 5905afc2c7bb (variant blk-map-backport, patches/blk-map-same-page-6.1.y/),
# each built with a
# scsi_debug disk (IPI_FP_BUILD_TAG=scsidebug, kconfig/scsi-debug.config),
# on each architecture of IPI_FP_BLK_MAP_ARCHES (default "x86_64
# ppc64le"). The guest (blk-map-leak/guest-init.sh) runs
# blk-map-leak/sg_io_same_page for IPI_FP_BLK_MAP_ROUNDS rounds (default
# 20000: each round one page read by SG_IO as two halves, then unmapped);
# blk-map-leak/report.py prints the pages each kernel did not give back
# and fails unless 6.1.192 keeps about one page a round and the backport
# none. Results in $CACHE/results-blk-map-leak (IPI_FP_RESULTS).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

results=${IPI_FP_RESULTS:-$CACHE/results-blk-map-leak}
rounds=${IPI_FP_BLK_MAP_ROUNDS:-20000}
arches=${IPI_FP_BLK_MAP_ARCHES:-x86_64 ppc64le}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "IPI_FP_BLK_MAP_ROUNDS=$rounds: a number of rounds"
for a in $arches; do
	case "$a" in ppc64le | x86_64) ;; *) die "IPI_FP_BLK_MAP_ARCHES: unknown architecture '$a'" ;; esac
done
rm -rf "$results"
mkdir -p "$results/logs"
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" ""
logs=()
for arch in $arches; do
	arch_setup "$arch"
	prog=$results/$arch.programs
	mkdir -p "$prog"
	build_guest_program scripts/blk-map-leak/sg_io_same_page.c "$prog/sg_io_same_page"
	"$TOP/scripts/make-initramfs.sh" "$arch" "$prog" "$results/$arch.cpio.gz" \
		"$TOP/scripts/blk-map-leak/guest-init.sh"
	for variant in unpatched blk-map-backport; do
		id=$arch-6.1.192-$variant
		tree=$("$TOP/scripts/make-tree.sh" 6.1.192 "$variant")
		kernel=$(IPI_FP_BUILD_TAG=scsidebug IPI_FP_EXTRA_CONFIG=$TOP/kconfig/scsi-debug.config \
			"$TOP/scripts/build-kernel.sh" "$arch" "$tree")
		log "booting $id ($rounds rounds)"
		start=$SECONDS
		IPI_FP_BOOT_TIMEOUT=${IPI_FP_BOOT_TIMEOUT:-$((300 + rounds / 20))} \
			"$TOP/scripts/boot-guest.sh" "$arch" "$kernel" "$results/$arch.cpio.gz" \
			"$results/logs/$id.log" "IPI_FP_BLK_MAP_ROUNDS=$rounds" || true
		log "$id: guest ran $((SECONDS - start))s"
		logs+=("$results/logs/$id.log")
	done
done
python3 "$TOP/scripts/blk-map-leak/report.py" "${logs[@]}" | tee "$results/report.txt"
exit "${PIPESTATUS[0]}"
