#!/bin/bash
# real-client/guest-init.sh: PID 1 of a make real-client guest (boot-rootfs-guest.sh
# copies it into each boot's fresh disk as /ipi-fp-init). Mounts what
# MariaDB's mysql-test-run needs, brings up lo, runs the reporter's case
# (encryption.innodb_encryption, InnoDB on io_uring) IPI_FP_MTR_REPEAT
# times, prints what the host counts (mtr's own [ pass ] / [ fail ] lines,
# the server's io_uring line, the corrupted-page lines of its error logs,
# innochecksum of the data files after a failure) and powers off. The
# host's verdict needs the last line, IPI_FP_MTR_DONE: a guest that does
# not print it crashed or hung.
# shellcheck source=scripts/rootfs-guest-lib.sh
. /ipi-fp-lib.sh
# mtr's vardir lives in /dev/shm, as in the report (a tmpfs).
rootfs_guest_setup 1536m
repeat=$(rootfs_guest_arg IPI_FP_MTR_REPEAT 1)
vardir=/dev/shm/mysql
echo "IPI_FP_MTR_START kernel=$(uname -r) cpus=$(nproc) repeat=$repeat mariadb=$(dpkg-query -W -f='${Version}' mariadb-server) liburing=$(dpkg-query -W -f='${Version}' liburing2)"
cd /usr/share/mysql/mysql-test || {
	echo "IPI_FP_MTR_DONE rc=127 (no mysql-test directory)"
	rootfs_guest_off
}
rc=0
perl mysql-test-run.pl --mysqld=--innodb-flush-method=fsync --mysqld=--innodb-use-native-aio=1 \
	--vardir="$vardir" --force --parallel=1 --max-test-fail=0 --testcase-timeout=120 \
	--suite-timeout=100000 --shutdown-timeout=600 --repeat="$repeat" \
	encryption.innodb_encryption,undo0 </dev/null 2>&1 || rc=$?
# What the servers said: io_uring in use, and any page they found corrupted.
echo "IPI_FP_MTR_IO_URING $(cat "$vardir"/log/*.err "$vardir"/log/*/*.err 2>/dev/null | grep -c 'Using io_uring')"
cat "$vardir"/log/*.err "$vardir"/log/*/*.err 2>/dev/null | grep -E 'corrupt|checksum' | head -n 5 |
	sed 's/^/IPI_FP_MTR_SERVER_LOG /'
# After a failure: is the bad checksum on disk? (mtr keeps the failed
# test's data directory under the vardir.)
if [ "$rc" != 0 ]; then
	find "$vardir" -name ibdata1 | head -n 3 | while read -r f; do
		out=$(innochecksum "$f" 2>&1)
		echo "IPI_FP_MTR_INNOCHECKSUM $f rc=$? $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	done
fi
echo "IPI_FP_MTR_DONE rc=$rc"
rootfs_guest_off
