#!/usr/bin/env bash
# Each kind of kernel splat after clean results makes the whole guest an
# error: panic, BUG, WARNING, KASAN, UBSAN, lockdep, RCU stall, soft
# lockup, hung task.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
kunit_dir
while IFS= read -r splat; do
	cat >"$TMP/splat.log" <<LOG
IPI_FP_GUEST_START 6.1.192 x86_64 cpus=3
TAP version 13
1..1
# selftests: ipi_fp: fpu_io_worker
# TAP version 13
# 1..1
$(counts fp_vector_regs_survive_io_worker_creation race 20 20 0 0 20)
# ok 1 fp_vector_regs_survive_io_worker_creation
ok 1 selftests: ipi_fp: fpu_io_worker
[   12.3] $splat
IPI_FP_GUEST_DONE rc=0
LOG
	expect_guest_error "$TMP/splat.log" 'kernel splat'
done <<'SPLATS'
Kernel panic - not syncing: Fatal exception
BUG: unable to handle page fault for address: 0000000000001000
WARNING: CPU: 1 PID: 80 at mm/gup.c:123 try_grab_folio+0x1/0x2
BUG: KASAN: use-after-free in bio_release_pages+0x10/0x20
UBSAN: array-index-out-of-bounds in block/bio.c:1200:3
WARNING: possible circular locking dependency detected
rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [odirect_fork:80]
INFO: task odirect_fork:80 blocked for more than 120 seconds.
SPLATS
