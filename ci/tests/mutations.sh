#!/usr/bin/env bash
# Each test's own mechanism, broken on purpose by its test-only switch,
# must end in ERROR on the unpatched kernel (x86_64 6.1.192, the cheapest
# cell, with the harness's kernel and selftests): never PASS, never FAIL.
#   fpu_io_worker -M no-worker:        no io-wq worker is ever created
#   odirect_fork -M no-hold:           the NBD server answers at once (the
#                                      race cases, the held cases and the
#                                      deferred dirtying case)
#   icr_nested_ipi -M no-nested-send:  the #DB handler sends nothing
#   icr_nested_ipi -M late-nested-send: the nested send comes after the ICR write
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

x86_guest
# mutated_boot NAME CMDLINE: boot the guest with CMDLINE, parse its console.
mutated_boot() {
	"$TOP/scripts/boot-guest.sh" x86_64 "$KERNEL" "$INITRD" "$TMP/$1.log" "$2"
	grep -E '^# # (IPI_FP_COUNTS|.*-M )' "$TMP/$1.log" | sed 's/^/    /' || true
}
mutated_boot broken1 'IPI_FP_ONLY=fpu_io_worker,odirect_fork,icr_nested_ipi KSELFTEST_FPU_IO_WORKER_ARGS="-r2 -Mno-worker" KSELFTEST_ODIRECT_FORK_ARGS="-r2 -Mno-hold" KSELFTEST_ICR_NESTED_IPI_ARGS="-r20 -Mno-nested-send"'
F=odirect_fork.dio_read_survives_fork
W='ERROR@race window opened in 0 of'
R=icr_nested_ipi.outer_ipi_reaches_target_despite_nested_nmi_sender
S=icr_nested_ipi.outer_ipi_reaches_no_other_cpu
expect_verdicts "$TMP/broken1.log" \
	"fpu_io_worker.fp_vector_regs_survive_io_worker_creation=$W" \
	"${F}_bdev_small_page_pread_thread=$W" "${F}_bdev_thp_io_uring=$W" \
	"${F}_bdev_hugetlb_aio=$W" "${F}_msdos_file_small_page_aio=$W" \
	"${F}_ext4_file_small_page_pread_thread=$W" \
	"$R=$W" "$S=$W"
python3 - "$TMP/cell.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
races = [c for c in r['cases'] if 'survives_fork' in c]
assert len(races) == 18 and all(r['cases'][c] == 'ERROR' for c in races), r['cases']
assert all('race window opened in 0 of' in r['why'][c] for c in races), r['why']
print('all 18 odirect_fork race cases ERROR:', r['why'][races[0]])
w = 'odirect_fork.dio_write_sends_parent_data_across_fork_bdev_small_page_pwrite_thread'
assert r['cases'][w] == 'ERROR' and 'race window opened in 0 of' in r['why'][w], (r['cases'][w], r['why'].get(w))
print('the write case ERROR:', r['why'][w])
held = [c for c in r['cases'] if c.endswith('_while_held_bdev')]
assert len(held) == 2 and all(r['cases'][c] == 'ERROR' for c in held), r['cases']
print('both held cases ERROR:', r['why'][held[0]])
d = 'odirect_fork.dio_release_deferred_dirtying_bdev_aio'
assert r['cases'][d] == 'ERROR', (r['cases'][d], r['why'].get(d))
print('the deferred dirtying case ERROR:', r['why'][d])
PY
mutated_boot broken2 'IPI_FP_ONLY=icr_nested_ipi KSELFTEST_ICR_NESTED_IPI_ARGS="-r20 -Mlate-nested-send"'
expect_verdicts "$TMP/broken2.log" "$R=$W" "$S=$W"
echo "4 broken mechanisms: every affected case ERROR"
