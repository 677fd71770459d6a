#!/bin/sh
# /init of the make profile guest (busybox): two null_blk devices made
# through configfs (64 MiB, 4 KiB blocks; one memory-backed, one that
# keeps no data) and brd's /dev/ram0, THP off and khugepaged quiet, then
# profile_ops with the insn_profile plugin counting its windows; powers
# off. The host treats a log without IPI_FP_PROFILE_END as a crashed or
# hung guest.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t configfs configfs /sys/kernel/config
echo "IPI_FP_PROFILE_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"
echo never >/sys/kernel/mm/transparent_hugepage/enabled
echo 3600000 >/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs
devs=
for kind in ram null; do
	d=/sys/kernel/config/nullb/profile_$kind
	mkdir "$d" && echo 64 >"$d/size" && echo 4096 >"$d/blocksize" &&
		if [ $kind = ram ]; then echo 1 >"$d/memory_backed"; fi &&
		echo 1 >"$d/power" || echo "IPI_FP_PROFILE_ERROR cannot make null_blk $kind"
	devs="$devs /dev/profile_$kind"
done
if /kselftest/profile_ops $devs /dev/ram0; then
	echo "IPI_FP_PROFILE_END ok"
else
	echo "IPI_FP_PROFILE_END failed $?"
fi
reboot -f
