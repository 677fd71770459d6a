#!/usr/bin/env bash
# virtio-rates/report.py counts what scripts/virtio-rates/dio_fork_race printed: rounds,
# the rounds with the read in flight after the parent's write, corrupted
# rounds and their Wilson interval per kernel, filesystem and issuer; a
# guest that did not finish, reported an error or printed a kernel splat
# makes it exit 1.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/virtio-rates/report.py
race() { echo "DIO_FORK_RACE file=/mnt/$1/data.bin issuer=$2 rounds=1000 pending_at_fork=900 pending_after_write=$3 corrupted=$4 errors=0"; }
{
	echo 'IPI_FP_RACE_START 6.1.192 x86_64 cpus=3'
	race ext4 io_uring 40 12
	race ext2 aio 0 0
	echo 'IPI_FP_RACE_DONE'
} >"$TMP/x86_64-6.1.192-unpatched.log"
out=$(python3 "$R" "$TMP/x86_64-6.1.192-unpatched.log")
grep -Eq '^x86_64-6.1.192-unpatched +ext4 +io_uring +1000 +40 +12 +1.20 +0.69 - 2.09$' <<<"$out" &&
	grep -Eq '^x86_64-6.1.192-unpatched +ext2 +aio +1000 +0 +0 +0.00 +0.00 - 0.38$' <<<"$out" &&
	grep -q 'virtio-rates: 2 rows, 0 errors' <<<"$out" || { echo "$out"; exit 1; }
head -n 2 "$TMP/x86_64-6.1.192-unpatched.log" >"$TMP/x86_64-6.1.192-patched.log"
expect_fail 'ERROR x86_64-6.1.192-patched: the guest did not finish' \
	python3 "$R" "$TMP/x86_64-6.1.192-unpatched.log" "$TMP/x86_64-6.1.192-patched.log"
{
	echo 'IPI_FP_RACE_START 6.1.192 x86_64 cpus=3'
	echo 'IPI_FP_RACE_ERROR cannot mount /dev/vdb as ext2'
	echo '[   3.2] BUG: unable to handle page fault'
	echo 'IPI_FP_RACE_DONE'
} >"$TMP/bad.log"
out=$(python3 "$R" "$TMP/bad.log") && { echo "exit 0 with errors"; exit 1; }
grep -q 'ERROR bad: IPI_FP_RACE_ERROR cannot mount' <<<"$out" &&
	grep -q 'ERROR bad: kernel splat: \[   3.2\] BUG' <<<"$out" || { echo "$out"; exit 1; }
echo "rates, Wilson bounds, unfinished guests, errors and splats as expected"
