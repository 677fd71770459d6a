#!/usr/bin/env bash
# real-client/make-rootfs.sh [ARCH]: print the path of an ext4 image holding a
# Debian bookworm root file system for ARCH (ppc64le, the default, or
# x86_64) with MariaDB's server, client and test suite (mysql-test-run),
# for make real-client (scripts/make-rootfs.sh builds and keeps it; a new
# MariaDB or liburing makes a new image).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

# What mtr and the server need on top of the apt variant; iproute2 brings
# up lo (mtr's port check), procps gives ps and kill to mtr.
INCLUDE=mariadb-server,mariadb-client,mariadb-test,liburing2,perl,iproute2,mount,procps
KEYED="mariadb-server mariadb-test liburing2"

exec "$TOP/scripts/make-rootfs.sh" "${1:-ppc64le}" real-client "$INCLUDE" "$KEYED" \
	"$TOP/scripts/real-client/check-rootfs.sh"
