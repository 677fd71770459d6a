#!/usr/bin/env bash
# A test program that hangs is killed at its per-test timeout
# (IPI_FP_TEST_TIMEOUT, through the guest's /usr/bin/timeout): its case is
# ERROR (TIMEOUT) within that time, and the programs after it still run
# and keep their verdicts.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

# fpu_io_worker becomes a program that prints its plan and spins forever,
# with a child that keeps its output open.
x86_guest 's|^only=$|printf "#!/bin/sh\\necho \\"TAP version 13\\"\\necho 1..1\\n(while :; do sleep 1; done) \&\\nwhile :; do :; done\\n" >/kselftest/ipi_fp/fpu_io_worker\nonly=|'
start=$SECONDS
IPI_FP_TEST_TIMEOUT=15 "$TOP/scripts/boot-guest.sh" x86_64 "$KERNEL" "$INITRD" \
	"$TMP/console.log" 'IPI_FP_ONLY=fpu_io_worker,icr_nested_ipi KSELFTEST_ICR_NESTED_IPI_ARGS=-r20'
echo "guest ran $((SECONDS - start))s"
grep -q 'TIMEOUT' "$TMP/console.log" || { tail -n 30 "$TMP/console.log"; exit 1; }
expect_verdicts "$TMP/console.log" \
	'fpu_io_worker.<missing results>=ERROR' \
	icr_nested_ipi.outer_ipi_reaches_target_despite_nested_nmi_sender=PASS \
	icr_nested_ipi.outer_ipi_reaches_no_other_cpu=FAIL
