#!/usr/bin/env bash
# fstests/run.sh: make fstests. fstests' direct-I/O tests (xfstests from
# XFSTESTS_SRC, built into a Debian root file system) on the 6.1.192
# kernels without and with the series, side by side, on ext2, vfat
# (both fs/direct-io.c in 6.1), ext4 and xfs (iomap): a no-regression run.
# The kernels have kconfig/mtr-guest.config and kconfig/fstests.config
# (IPI_FP_BUILD_TAG=fstests); each guest boots a fresh copy of the root
# file system (make-rootfs.sh with fstests/setup-rootfs.sh) with two
# fresh 2 GiB disks, TEST_DEV and SCRATCH_DEV, and runs
# fstests/guest-init.sh; fstests/report.py compares the kernels per test.
# Not in make check: it takes hours.
#
# Settings (environment):
#   XFSTESTS_SRC             the xfstests source: a work tree or a git
#                            directory (required)
#   IPI_FP_FSTESTS_FS        filesystems, comma separated (default
#                            ext2,vfat,ext4,xfs)
#   IPI_FP_FSTESTS_SET       dio-quick (default) or dio, see guest-init.sh
#   IPI_FP_FSTESTS_TESTS     generic/NNN,... instead of a set
#   IPI_FP_FSTESTS_EXCLUDE   generic/NNN,... left out of the set
#   IPI_FP_FSTESTS_ARCH      x86_64 (default) or ppc64le (the root file
#                            system is then built under qemu-user: slow)
#   IPI_FP_FSTESTS_TIMEOUT   seconds one test may take (default 1200)
#   IPI_FP_BOOT_TIMEOUT      seconds a guest may take (default 36000)
#   IPI_FP_RESULTS           where the logs and report go (default
#                            $CACHE/results-fstests)
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

src=${XFSTESTS_SRC:?XFSTESTS_SRC=DIR: an xfstests source tree or git directory (git clone https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git)}
fss=${IPI_FP_FSTESTS_FS:-ext2,vfat,ext4,xfs}
set=${IPI_FP_FSTESTS_SET:-dio-quick}
named=${IPI_FP_FSTESTS_TESTS:-}
exclude=${IPI_FP_FSTESTS_EXCLUDE:-}
arch=${IPI_FP_FSTESTS_ARCH:-x86_64}
limit=${IPI_FP_FSTESTS_TIMEOUT:-1200}
results=${IPI_FP_RESULTS:-$CACHE/results-fstests}
[[ "$fss" =~ ^(ext2|vfat|ext4|xfs)(,(ext2|vfat|ext4|xfs))*$ ]] ||
	die "IPI_FP_FSTESTS_FS=$fss: ext2, vfat, ext4 or xfs, comma separated"
[[ "$set" =~ ^(dio|dio-quick)$ ]] || die "IPI_FP_FSTESTS_SET=$set: dio or dio-quick"
[[ "$named" =~ ^([a-z0-9]+/[0-9]+(,[a-z0-9]+/[0-9]+)*)?$ ]] ||
	die "IPI_FP_FSTESTS_TESTS=$named: tests as generic/NNN, comma separated"
[[ "$exclude" =~ ^([a-z0-9]+/[0-9]+(,[a-z0-9]+/[0-9]+)*)?$ ]] ||
	die "IPI_FP_FSTESTS_EXCLUDE=$exclude: tests as generic/NNN, comma separated"
case "$arch" in ppc64le | x86_64) ;; *) die "IPI_FP_FSTESTS_ARCH=$arch: x86_64 or ppc64le" ;; esac
[[ "$limit" =~ ^[1-9][0-9]*$ ]] || die "IPI_FP_FSTESTS_TIMEOUT=$limit: seconds"
source_tree "$src" check xfstests
export IPI_FP_FSTESTS_SRC=$SRC_PATH

# What fstests' README asks for on Debian, less what these tests do not
# reach (lvm2, git, indent, kernel headers), plus dosfstools for vfat and
# dmsetup for the device-mapper tests.
PACKAGES=xfsprogs,e2fsprogs,dosfstools,dmsetup,attr,acl,bc,psmisc,gawk,perl,python3,procps,mount,util-linux,kmod,file,fio,dbench,quota,xfsdump,uuid-runtime,passwd,make,gcc,libc6-dev,autoconf,automake,libtool,libtool-bin,pkgconf,xfslibs-dev,uuid-dev,libaio-dev,liburing-dev,libattr1-dev,libacl1-dev,libgdbm-dev,libgdbm-compat-dev,libcap-dev
rootfs=$("$TOP/scripts/make-rootfs.sh" "$arch" fstests "$PACKAGES" \
	"xfsprogs e2fsprogs dosfstools libaio1 liburing2" "$TOP/scripts/fstests/setup-rootfs.sh" "$SRC_ID")

rm -rf "$results"
mkdir -p "$results/logs" "$results/disks"
"$TOP/scripts/write-run-info.py" "$results/run.json" "make fstests" ""
declare -A kernel=()
for variant in unpatched patched; do
	tree=$("$TOP/scripts/make-tree.sh" 6.1.192 "$variant")
	kernel[$variant]=$(IPI_FP_BUILD_TAG=fstests \
		IPI_FP_EXTRA_CONFIG="$TOP/kconfig/mtr-guest.config $TOP/kconfig/fstests.config" \
		"$TOP/scripts/build-kernel.sh" "$arch" "$tree")
done
{
	echo "# xfstests $SRC_DESCRIBE; set ${named:-$set}${exclude:+ less $exclude}; filesystems $fss; $arch 6.1.192 unpatched and patched side by side"
	echo "# root file system $(basename "$rootfs"): $(grep -E '^(xfsprogs|e2fsprogs|dosfstools) ' "$rootfs.packages" | tr '\n' ' ')"
	for variant in unpatched patched; do echo "# $variant: ${kernel[$variant]}"; done
} >"$results/settings"

log "$arch: fstests on both kernels side by side; logs in $results/logs"
start=$SECONDS
for variant in unpatched patched; do
	d=$results/disks/$variant
	mkdir -p "$d"
	truncate -s 2G "$d/test.img" "$d/scratch.img"
	IPI_FP_DISKS_RW="$d/test.img $d/scratch.img" IPI_FP_ROOTFS_MEM=2G \
		"$TOP/scripts/boot-rootfs-guest.sh" "$arch" "${kernel[$variant]}" "$rootfs" \
		"$TOP/scripts/fstests/guest-init.sh" "$results/logs/$arch-6.1.192-$variant.log" \
		"${IPI_FP_BOOT_TIMEOUT:-36000}" "IPI_FP_FSTESTS_FS=$fss" "IPI_FP_FSTESTS_SET=$set" \
		${named:+"IPI_FP_FSTESTS_TESTS=$named"} ${exclude:+"IPI_FP_FSTESTS_EXCLUDE=$exclude"} \
		"IPI_FP_FSTESTS_TIMEOUT=$limit" &
done
wait || true
log "$arch: guests ran $((SECONDS - start))s"
echo "# guests ran $((SECONDS - start)) s" >>"$results/settings"
rm -rf "$results/disks"
python3 "$TOP/scripts/fstests/report.py" "$results" | tee "$results/report.txt"
