#!/bin/sh
# /init of the make virtio-rates guest (busybox): mounts the virtio-blk
# disks read-only (vda: ext4, vdb: ext2), runs /kselftest/dio_fork_race on each
# one's data.bin with every issuer, IPI_FP_RACE_ROUNDS rounds each (from
# the kernel command line), and powers off. The host treats a log
# without IPI_FP_RACE_DONE as a crashed or hung guest.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "IPI_FP_RACE_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"
for disk in ext4:vda ext2:vdb; do
	fs=${disk%:*}
	mkdir -p "/mnt/$fs"
	if ! mount -t "$fs" -o ro "/dev/${disk#*:}" "/mnt/$fs"; then
		echo "IPI_FP_RACE_ERROR cannot mount /dev/${disk#*:} as $fs"
		continue
	fi
	for how in pread_thread io_uring aio; do
		/kselftest/dio_fork_race "/mnt/$fs/data.bin" "${IPI_FP_RACE_ROUNDS:-1000}" "$how" ||
			echo "IPI_FP_RACE_ERROR dio_fork_race $fs $how exited $?"
	done
done
echo "IPI_FP_RACE_DONE"
reboot -f
