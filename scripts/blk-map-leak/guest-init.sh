#!/bin/sh
# /init of the make blk-map-leak guest (busybox): sg_io_same_page on the
# scsi_debug disk (the only SCSI disk: /dev/sda) for IPI_FP_BLK_MAP_ROUNDS
# rounds (kernel command line), then powers off. The host treats a log
# without BLK_MAP_LEAK_DONE as a crashed or hung guest.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "BLK_MAP_LEAK_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo)"
if [ -b /dev/sda ]; then
	/kselftest/sg_io_same_page /dev/sda "${IPI_FP_BLK_MAP_ROUNDS:-20000}" ||
		echo "BLK_MAP_LEAK_ERROR sg_io_same_page exited $?"
else
	echo "BLK_MAP_LEAK_ERROR no /dev/sda (scsi_debug missing from the kernel?)"
fi
echo "BLK_MAP_LEAK_DONE"
reboot -f
