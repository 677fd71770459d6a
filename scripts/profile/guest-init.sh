#!/bin/sh
# /init of the make profile guest (busybox): two null_blk devices made
# through configfs (64 MiB, 4 KiB blocks; one memory-backed, one that
# keeps no data) and brd's /dev/ram0, THP off and khugepaged quiet, then
# profile_ops (with the ipi_fp_icr module where the host put one) with the insn_profile plugin counting its windows, then
# fio's rows (FIO_REPS times each job: 4 KiB randread and randwrite with
# the psync, libaio and io_uring engines, queue depth 1, on each device;
# each job's JSON between IPI_FP_FIO_BEGIN and IPI_FP_FIO_END); powers
# off. The host treats a log without IPI_FP_PROFILE_END as a crashed or
# hung guest.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t configfs configfs /sys/kernel/config
dmesg -n 1 # nothing of the kernel's between fio's JSON lines
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
status=ok
icr=
[ -f /kselftest/ipi_fp_icr.ko ] && icr=/kselftest/ipi_fp_icr.ko
# shellcheck disable=SC2086 # $devs and $icr are lists of words
/kselftest/profile_ops $devs /dev/ram0 $icr || status="failed $?"
for dev in $devs /dev/ram0; do
	short=${dev##*/profile_}
	[ "$dev" = /dev/ram0 ] && short=brd
	for rw in randread randwrite; do
		for engine in psync libaio io_uring; do
			for rep in $(seq 1 "${FIO_REPS:-2}"); do
				name=fio_${rw}_${short}_$engine
				/kselftest/fio --name="$name" --filename="$dev" --direct=1 \
					--rw=$rw --bs=4k --ioengine=$engine --iodepth=1 \
					--size=4m --io_size=8m --norandommap --randseed=1 \
					--cpus_allowed=0 --output-format=json --output=/tmp/fio.json ||
					status="failed: fio $name"
				echo "IPI_FP_FIO_BEGIN $name $rep"
				cat /tmp/fio.json
				echo "IPI_FP_FIO_END"
			done
		done
	done
done
echo "IPI_FP_PROFILE_END $status"
reboot -f
