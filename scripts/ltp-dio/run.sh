#!/usr/bin/env bash
# ltp-dio/run.sh: make ltp-dio. LTP's direct-I/O tests (LTP_SRC: an LTP
# source tree or git directory; built by ltp-dio/build.sh) on the 6.1.192
# kernels without and with the series, side by side, on each architecture
# of IPI_FP_LTP_ARCHES (default "ppc64le x86_64"): the kernels of make
# virtio-rates (IPI_FP_BUILD_TAG=virtio, kconfig/virtio-blk.config), each
# guest with four fresh read-write virtio-blk disks made here: an ext4
# and an ext2 filesystem of 1600 MiB (dma_thread_diotest wants 1.3 GB
# free for its 100 files of 12 MiB) and two raw disks of 256 MiB. The
# guest (ltp-dio/guest-init.sh) runs LTP's runtest/dio on each filesystem
# and on the raw disks, and dma_thread_diotest with each alignment of
# IPI_FP_LTP_ALIGNS, IPI_FP_LTP_PASSES passes each; ltp-dio/report.py
# prints the passes that found corruption per kernel with 95 % intervals
# and Fisher's p, and each runtest/dio case's result per kernel.
# Not in make check: its outcome is a rate, and it takes hours.
#
# Settings (environment):
#   LTP_SRC              the LTP source (required)
#   IPI_FP_LTP_PASSES    dma_thread_diotest passes per alignment and
#                        filesystem (default 3; 0 leaves it out)
#   IPI_FP_LTP_ALIGNS    its buffer alignments, comma separated (default
#                        512,3584: runtest/dma_thread_diotest's first and
#                        last)
#   IPI_FP_LTP_DIO       0: leave out runtest/dio (default 1)
#   IPI_FP_LTP_FS        the disks, comma separated: ext4, ext2, raw
#                        (default all three)
#   IPI_FP_LTP_SKIP      runtest/dio cases to leave out, comma separated
#                        (default none; dio30, 100 children, takes hours
#                        under TCG)
#   IPI_FP_LTP_ARCHES    default "ppc64le x86_64"
#   IPI_FP_RESULTS       where the logs and report go (default
#                        $CACHE/results-ltp-dio)
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

src=${LTP_SRC:?LTP_SRC=DIR: an LTP source tree or git directory (git clone https://github.com/linux-test-project/ltp)}
passes=${IPI_FP_LTP_PASSES:-3}
aligns=${IPI_FP_LTP_ALIGNS:-512,3584}
dio=${IPI_FP_LTP_DIO:-1}
fses=${IPI_FP_LTP_FS:-ext4,ext2,raw}
skip=${IPI_FP_LTP_SKIP:-}
arches=${IPI_FP_LTP_ARCHES:-ppc64le x86_64}
results=${IPI_FP_RESULTS:-$CACHE/results-ltp-dio}
[[ "$passes" =~ ^[0-9]+$ ]] || die "IPI_FP_LTP_PASSES=$passes: a number of passes (0: none)"
for f in ${fses//,/ }; do
	case "$f" in ext4 | ext2 | raw) ;; *) die "IPI_FP_LTP_FS: unknown disk '$f' (ext4, ext2, raw)" ;; esac
done
[[ "$skip" =~ ^(dio[0-9]+(,dio[0-9]+)*)?$ ]] || die "IPI_FP_LTP_SKIP=$skip: runtest/dio case names (dio30), comma separated"
[[ "$aligns" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "IPI_FP_LTP_ALIGNS=$aligns: alignments in bytes, comma separated"
[[ "$dio" =~ ^[01]$ ]] || die "IPI_FP_LTP_DIO=$dio: 0 or 1"
for a in $arches; do
	case "$a" in ppc64le | x86_64) ;; *) die "IPI_FP_LTP_ARCHES: unknown architecture '$a'" ;; esac
done
need_cmd mkfs.ext4 e2fsprogs
rm -rf "$results"
mkdir -p "$results/logs" "$results/disks"
"$TOP/scripts/write-run-info.py" "$results/run.json" "$0 $*" ""
{
	echo "# LTP $src: runtest/dio $([ "$dio" = 1 ] && echo on || echo off)${skip:+ (less $skip)}, dma_thread_diotest -a {$aligns} -i $passes; disks $fses"
	echo "# 6.1.192 unpatched and patched (IPI_FP_BUILD_TAG=virtio), side by side per architecture: $arches"
} >"$results/settings"

cmdline="IPI_FP_LTP_PASSES=$passes IPI_FP_LTP_ALIGNS=$aligns IPI_FP_LTP_DIO=$dio IPI_FP_LTP_FS=$fses"
[ -z "$skip" ] || cmdline+=" IPI_FP_LTP_SKIP=$skip"
for arch in $arches; do
	arch_setup "$arch"
	prog=$results/$arch.programs
	"$TOP/scripts/ltp-dio/build.sh" "$arch" "$src" "$prog"
	"$TOP/scripts/make-initramfs.sh" "$arch" "$prog" "$results/$arch.cpio.gz" \
		"$TOP/scripts/ltp-dio/guest-init.sh"
	declare -A kernel=()
	for variant in unpatched patched; do
		tree=$("$TOP/scripts/make-tree.sh" 6.1.192 "$variant")
		kernel[$variant]=$(IPI_FP_BUILD_TAG=virtio IPI_FP_EXTRA_CONFIG=$TOP/kconfig/virtio-blk.config \
			"$TOP/scripts/build-kernel.sh" "$arch" "$tree")
		echo "# $arch $variant: ${kernel[$variant]}" >>"$results/settings"
	done
	log "$arch: booting both kernels side by side"
	start=$SECONDS
	for variant in unpatched patched; do
		id=$arch-6.1.192-$variant
		d=$results/disks/$id
		mkdir -p "$d"
		mkfs.ext4 -q -F -b 4096 "$d/ext4.img" 1600M && mkfs.ext2 -q -F -b 4096 "$d/ext2.img" 1600M ||
			die "mkfs failed"
		truncate -s 256M "$d/raw1.img" "$d/raw2.img"
		IPI_FP_DISKS_RW="$d/ext4.img $d/ext2.img $d/raw1.img $d/raw2.img" \
			IPI_FP_BOOT_TIMEOUT=${IPI_FP_BOOT_TIMEOUT:-14400} \
			"$TOP/scripts/boot-guest.sh" "$arch" "${kernel[$variant]}" "$results/$arch.cpio.gz" \
			"$results/logs/$id.log" "$cmdline" &
	done
	wait || true
	log "$arch: guests ran $((SECONDS - start))s"
	rm -rf "$results/disks/$arch-"*
done
python3 "$TOP/scripts/ltp-dio/report.py" "$results" | tee "$results/report.txt"
