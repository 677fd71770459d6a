#!/bin/bash
# rootfs-guest-lib.sh: sourced by the init of a guest on a Debian root file
# system (boot-rootfs-guest.sh writes it into the disk as /ipi-fp-lib.sh
# next to the init). rootfs_guest_setup mounts what Debian's user space
# expects of a booted system (proc, sys, dev, devpts, tmpfs on /tmp, /run
# and /dev/shm), names the host and brings up lo; rootfs_guest_off
# writes back and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

rootfs_guest_setup() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o gid=5,mode=620 devpts /dev/pts
	mount -t tmpfs -o "size=${1:-50%}" tmpfs /dev/shm
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /run
	ln -sf /proc/self/fd /dev/fd
	hostname ipi-fp
	grep -q localhost /etc/hosts 2>/dev/null || printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >/etc/hosts
	! command -v ip >/dev/null || ip link set lo up
}

# rootfs_guest_arg NAME DEFAULT: the value of NAME=VALUE on the kernel
# command line, else DEFAULT.
rootfs_guest_arg() {
	local arg value=$2
	read -r -a args </proc/cmdline
	for arg in "${args[@]}"; do
		case "$arg" in "$1"=*) value=${arg#*=} ;; esac
	done
	echo "$value"
}

rootfs_guest_off() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
