#!/bin/sh
# /init of the make ltp-dio guest (busybox): LTP's direct-I/O tests on
# the disks the host attached, read-write: vda ext4 (iomap), vdb ext2
# (fs/direct-io.c in 6.1), vdc and vdd raw. On each filesystem, in a
# directory of its own given to LTP as TMPDIR, every case of LTP's
# runtest/dio and then dma_thread_diotest with each alignment of
# IPI_FP_LTP_ALIGNS (comma separated, default 512,3584), IPI_FP_LTP_PASSES
# (default 3) passes each
# (LTP's -i: the 100 files are made once, then read that many times,
# each pass a TPASS or a TFAIL line); on the raw disks the raw-device
# cases of runtest/dio that can run on a device (commented out there;
# DEV1=vdc, DEV2=vdd): the diotest1 ones, which copy DEV1 to DEV2 with
# O_DIRECT. The others (diotest2, 3, 5, 6 -f $DEV1) cannot: since LTP
# commit 8dca42291 (2010) their setup creates the file with
# O_CREAT|O_EXCL, which an existing device refuses (TBROK), and they
# unlink it at the end.
# IPI_FP_LTP_DIO=0 (kernel command line) leaves runtest/dio out,
# IPI_FP_LTP_PASSES=0 dma_thread_diotest; IPI_FP_LTP_FS (comma separated,
# default ext4,ext2,raw) picks the disks, IPI_FP_LTP_SKIP (comma
# separated case names, default none) leaves runtest/dio cases out. Each case
# is framed by "LTP_CASE_START FS NAME COMMAND" and "LTP_CASE_END FS NAME
# rc=RC tpass=N tfail=N", the counts of LTP's TPASS and TFAIL lines taken
# here from the case's whole output, so that a console that drops lines
# cannot change them; the output itself follows "| " prefixed, less
# dma_thread_diotest's "Reading file N." lines (100 a pass). The host
# treats a log without LTP_DIO_DONE as a crashed or hung guest
# (ltp-dio/report.py).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
export PATH="/kselftest:$PATH"
echo "LTP_DIO_START $(uname -r) $(uname -m) cpus=$(grep -c ^processor /proc/cpuinfo) ltp=$(cat /kselftest/version)"

# wanted LIST ITEM: ITEM is in the comma separated LIST.
wanted() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}
fs_list=${IPI_FP_LTP_FS:-ext4,ext2,raw}
skip_list=${IPI_FP_LTP_SKIP:-}

# run_case FS NAME COMMAND...: one LTP case, framed for the report.
run_case() {
	fs=$1 name=$2
	shift 2
	if wanted "$skip_list" "$name"; then
		echo "LTP_CASE_SKIPPED $fs $name (IPI_FP_LTP_SKIP)"
		return
	fi
	echo "LTP_CASE_START $fs $name $*"
	"$@" >/tmp/case.out 2>&1
	rc=$?
	grep -v 'TINFO  :  Reading file' /tmp/case.out | sed 's/^/| /'
	echo "LTP_CASE_END $fs $name rc=$rc tpass=$(grep -c TPASS /tmp/case.out) tfail=$(grep -c TFAIL /tmp/case.out)"
}

for disk in ext4:vda ext2:vdb; do
	fs=${disk%:*}
	wanted "$fs_list" "$fs" || continue
	mkdir -p "/mnt/$fs"
	if ! mount -t "$fs" "/dev/${disk#*:}" "/mnt/$fs"; then
		echo "LTP_DIO_ERROR cannot mount /dev/${disk#*:} as $fs"
		continue
	fi
	mkdir -p "/mnt/$fs/tmp"
	export TMPDIR="/mnt/$fs/tmp"
	if [ "${IPI_FP_LTP_DIO:-1}" != 0 ]; then
		grep -E '^dio[0-9]+ ' /kselftest/dio.runtest | while read -r name cmd; do
			# shellcheck disable=SC2086 # the case's own arguments
			run_case "$fs" "$name" $cmd
		done
	fi
	for align in $(echo "${IPI_FP_LTP_ALIGNS:-512,3584}" | tr , ' '); do
		[ "${IPI_FP_LTP_PASSES:-3}" != 0 ] || break
		run_case "$fs" "dma_thread_diotest_a$align" \
			dma_thread_diotest -a "$align" -i "${IPI_FP_LTP_PASSES:-3}"
	done
	umount "/mnt/$fs"
done
if [ "${IPI_FP_LTP_DIO:-1}" != 0 ] && wanted "$fs_list" raw; then
	# The raw-device lines of runtest/dio that take a device (diotest1
	# -i $DEV1 -o $DEV2), $DEV1 and $DEV2 filled in.
	# shellcheck disable=SC2016 # $DEV1 and $DEV2 are the runtest's text
	raw_script='s/^#\(dio[0-9][0-9]* diotest1 .*-i \$DEV1 -o \$DEV2.*\)$/\1/p'
	[ -b /dev/vdc ] && [ -b /dev/vdd ] || echo "LTP_DIO_ERROR /dev/vdc or /dev/vdd is not a block device"
	# LTP still wants a directory of its own: the filesystems' are gone.
	mkdir -p /tmp/raw
	export TMPDIR=/tmp/raw
	sed -n "$raw_script" /kselftest/dio.runtest |
		sed 's|[$]DEV1|/dev/vdc|g; s|[$]DEV2|/dev/vdd|g' | while read -r name cmd; do
		# shellcheck disable=SC2086 # the case's own arguments
		run_case raw "$name" $cmd
	done
fi
echo "LTP_DIO_DONE"
reboot -f
