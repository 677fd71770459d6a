#!/usr/bin/env bash
# Each ipi_fp program killed with SIGTERM (what the kselftest timeout
# sends) at several points of its run, in an x86_64 6.1.192 guest
# (scripts/guest/kill-check.sh in place of run_kselftest.sh): each must
# die of the signal and leave nothing behind (mounts, temporary
# directories, a connected nbd device, a null_blk device, the module, vm.nr_hugepages, THP).
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2016 # $only is the guest init's, not ours
x86_guest 's|^cd /kselftest && ./run_kselftest.sh $only$|sh /kselftest/kill-check.sh|' \
	"$TOP/scripts/guest/kill-check.sh"
"$TOP/scripts/boot-guest.sh" x86_64 "$KERNEL" "$INITRD" "$TMP/kill.log" "" || true
log=$(tr -d '\r' <"$TMP/kill.log")
grep -E '^(# kill_|# after|(not )?ok [0-9]+ kill_)' <<<"$log" | sed 's/^/    /'
grep -q '^IPI_FP_KILL_CHECK_DONE' <<<"$log" || { echo "the guest did not finish the kills"; exit 1; }
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$log" | head -n 1)
ok=$(grep -cE '^ok [0-9]+ kill_' <<<"$log" || true)
if [ -z "$plan" ] || [ "$ok" != "$plan" ]; then
	echo "$ok of ${plan:-?} kills clean"
	exit 1
fi
if grep -E '(BUG|WARNING|Oops|INFO: task .* blocked)' <<<"$log"; then
	echo "kernel splat during the kills"
	exit 1
fi
echo "$ok kills (odirect_fork, fpu_io_worker, icr_nested_ipi, cost at several points): each died of SIGTERM and left nothing behind"
