#!/usr/bin/env bash
# real-client/check-rootfs.sh TREE: make-rootfs.sh's check of a make
# real-client root file system: mariadb-test installed mysql-test-run.
tree=${1:?usage: real-client/check-rootfs.sh TREE}
[ -x "$tree/usr/share/mysql/mysql-test/mysql-test-run.pl" ] || {
	echo "mariadb-test did not install usr/share/mysql/mysql-test/mysql-test-run.pl" >&2
	exit 1
}
