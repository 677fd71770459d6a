#!/usr/bin/env bash
# odirect_fork on a machine without a usable NBD device: every case is a
# SKIP line that names the case and the reason, the plan holds, and the
# program exits with KSFT_SKIP (4). Built and run on the host.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TOP/.cache

base=$("$TOP/scripts/get-base.sh" 6.1.192)
mkdir -p "$TMP/selftests/ipi_fp"
git --git-dir="$IPI_FP_CACHE/linux.git" show "$base:tools/testing/selftests/kselftest.h" \
	>"$TMP/selftests/kselftest.h"
cp "$TOP/selftests/ipi_fp/odirect_fork.c" "$TOP"/selftests/ipi_fp/*.h "$TMP/selftests/ipi_fp/"
gcc -O2 -Wall -Werror -DHAVE_LIBURING -o "$TMP/odirect_fork" \
	"$TMP/selftests/ipi_fp/odirect_fork.c" -luring -lpthread

rc=0
out=$("$TMP/odirect_fork" -r 1 -d "$TMP/no-such-nbd") || rc=$?
echo "$out"
[ "$rc" = 4 ] || { echo "exit $rc, expected 4 (KSFT_SKIP)"; exit 1; }
grep -qx '1\.\.29' <<<"$out" || { echo "no plan of 29 cases"; exit 1; }
skips=$(grep -cE "^ok [0-9]+ (dio_read_survives_fork|dio_write_sends_parent_data_across_fork|dio_release|frame_check)_[a-z0-9_]+ # SKIP $TMP/no-such-nbd: No such file" <<<"$out" || true)
[ "$skips" = 29 ] || { echo "$skips named SKIP lines, expected 29"; exit 1; }
echo "29 named SKIP lines, exit 4"
