#!/bin/bash
# fstests/guest-init.sh: PID 1 of a make fstests guest (boot-rootfs-guest.sh
# writes it into each boot's fresh root disk as /ipi-fp-init). Runs
# fstests' direct-I/O tests (/opt/xfstests, built into the root file
# system by fstests/setup-rootfs.sh) on each filesystem of
# IPI_FP_FSTESTS_FS (kernel command line, comma separated, default
# ext2,vfat,ext4,xfs), the disk vdb made that filesystem as TEST_DEV and
# vdc as SCRATCH_DEV. The direct-I/O tests are the generic tests that
# call _require_odirect or _require_aiodio (fstests has no dio group);
# IPI_FP_FSTESTS_SET=dio-quick (the default) keeps those also in the
# quick group, dio keeps all; IPI_FP_FSTESTS_TESTS=generic/NNN,... names
# them instead; IPI_FP_FSTESTS_EXCLUDE=generic/NNN,... leaves tests out.
# Each test is one ./check run, under a limit of
# IPI_FP_FSTESTS_TIMEOUT seconds (default 1200), framed by
# "FSTESTS_CASE_START FS TEST" and "FSTESTS_CASE_END FS TEST STATUS
# SECONDS", STATUS what check's summary said (pass, fail, notrun) or
# timeout / error; the output follows "| " prefixed, with the first lines
# of a failed test's .out.bad and .dmesg. The host treats a log without
# FSTESTS_DONE as a crashed or hung guest (fstests/report.py).
# shellcheck source=scripts/rootfs-guest-lib.sh
. /ipi-fp-lib.sh
rootfs_guest_setup 50%
fss=$(rootfs_guest_arg IPI_FP_FSTESTS_FS ext2,vfat,ext4,xfs)
set=$(rootfs_guest_arg IPI_FP_FSTESTS_SET dio-quick)
named=$(rootfs_guest_arg IPI_FP_FSTESTS_TESTS "")
limit=$(rootfs_guest_arg IPI_FP_FSTESTS_TIMEOUT 1200)
exclude=$(rootfs_guest_arg IPI_FP_FSTESTS_EXCLUDE "")
cd /opt/xfstests || {
	echo "FSTESTS_DONE error=no-/opt/xfstests"
	rootfs_guest_off
}
echo "FSTESTS_START kernel=$(uname -r) arch=$(uname -m) cpus=$(nproc) xfstests=$(cat ipi_fp-version) xfsprogs=$(dpkg-query -W -f='${Version}' xfsprogs) e2fsprogs=$(dpkg-query -W -f='${Version}' e2fsprogs) dosfstools=$(dpkg-query -W -f='${Version}' dosfstools)"

# The direct-I/O tests of this fstests tree.
if [ -n "$named" ]; then
	tests=$(echo "$named" | tr , ' ')
else
	tests=$(for f in tests/generic/[0-9]*; do
		case "$f" in *.*) continue ;; esac
		grep -qE '_require_(odirect|aiodio)' "$f" || continue
		[ "$set" = dio ] || grep -qE '^_begin_fstest.* quick( |$)' "$f" || continue
		echo "${f#tests/}"
	done)
fi
if [ -n "$exclude" ]; then
	tests=$(for t in $tests; do
		case ",$exclude," in *",$t,"*) ;; *) echo "$t" ;; esac
	done)
	echo "FSTESTS_EXCLUDED $exclude"
fi
# shellcheck disable=SC2086 # one line, the tests split by spaces
echo "FSTESTS_LIST $set" $tests

# No udev here: libdevmapper makes the /dev/mapper nodes itself. udev
# would make each a link to its /dev/dm-N, and fstests relies on that:
# it finds a filesystem's /sys/fs/xfs/dm-N/ error settings (generic/250,
# 252, 271 and others on xfs) through the link. A dmsetup in front of the
# real one turns each /dev/mapper node into that link after every call.
export DM_DISABLE_UDEV=1
real_dmsetup=$(command -v dmsetup)
mkdir -p /usr/local/sbin
cat >/usr/local/sbin/dmsetup <<EOF
#!/bin/sh
$real_dmsetup "\$@"
rc=\$?
for node in /dev/mapper/*; do
	[ -b "\$node" ] && [ ! -L "\$node" ] || continue
	for dm in /sys/block/dm-*; do
		[ "\$(cat "\$dm/dev")" = "\$(stat -c %Hr:%Lr "\$node")" ] || continue
		ln -sf "../\${dm##*/}" "\$node"
	done
done
exit \$rc
EOF
chmod +x /usr/local/sbin/dmsetup
export PATH=/usr/local/sbin:$PATH
mkdir -p /mnt/test /mnt/scratch
for fs in $(echo "$fss" | tr , ' '); do
	case "$fs" in
	ext2 | ext4) mkfs=(mkfs."$fs" -q -F) ;;
	xfs) mkfs=(mkfs.xfs -q -f) ;;
	vfat) mkfs=(mkfs.vfat) ;;
	*)
		echo "FSTESTS_FS_ERROR $fs unknown filesystem"
		continue
		;;
	esac
	if ! out=$("${mkfs[@]}" /dev/vdb 2>&1); then
		echo "FSTESTS_FS_ERROR $fs mkfs of TEST_DEV failed: $out"
		continue
	fi
	results=/tmp/results-$fs
	cat >local.config <<CONFIG
export FSTYP=$fs
export TEST_DEV=/dev/vdb
export TEST_DIR=/mnt/test
export SCRATCH_DEV=/dev/vdc
export SCRATCH_MNT=/mnt/scratch
export RESULT_BASE=$results
CONFIG
	echo "FSTESTS_FS_START $fs"
	for t in $tests; do
		echo "FSTESTS_CASE_START $fs $t"
		start=$SECONDS
		rc=0
		timeout -k 30 "$limit" ./check "$t" >/tmp/case.out 2>&1 || rc=$?
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			status=timeout
		elif grep -q "^Failures: .*$t" /tmp/case.out; then
			status=fail
		elif grep -q "^Not run: .*$t" /tmp/case.out; then
			status=notrun
		elif grep -q '^Passed all 1 tests' /tmp/case.out; then
			status=pass
		else
			status=error
		fi
		sed 's/^/| /' /tmp/case.out
		# A test killed mid-line leaves no newline: end its line here.
		[ -z "$(tail -c 1 /tmp/case.out)" ] || echo
		if [ "$status" = fail ]; then
			for f in "$results/$t.out.bad" "$results/$t.dmesg"; do
				[ -f "$f" ] || continue
				echo "| --- $f"
				head -n 40 "$f" | sed 's/^/| /'
			done
		fi
		echo "FSTESTS_CASE_END $fs $t $status $((SECONDS - start))"
		# A test that left its mounts (a timeout, say) would fail the next.
		umount /mnt/scratch /mnt/test 2>/dev/null
	done
	echo "FSTESTS_FS_END $fs"
done
echo "FSTESTS_DONE"
rootfs_guest_off
