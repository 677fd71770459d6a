#!/usr/bin/env bash
# make ltp-dio refuses bad settings before it builds or boots anything:
# a disk it does not make, a case name that is not runtest/dio's, a
# number of passes that is not one.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/ltp-dio/run.sh
export LTP_SRC=$TMP IPI_FP_RESULTS=$TMP/results
expect_fail "IPI_FP_LTP_FS: unknown disk 'xfs'" env IPI_FP_LTP_FS=ext2,xfs "$R"
expect_fail 'IPI_FP_LTP_SKIP=dio30;x: runtest/dio case names' env IPI_FP_LTP_SKIP='dio30;x' "$R"
expect_fail 'IPI_FP_LTP_PASSES=-1: a number of passes' env IPI_FP_LTP_PASSES=-1 "$R"
[ ! -e "$TMP/results" ] || {
	echo "bad settings still made $TMP/results"
	exit 1
}
echo "make ltp-dio refuses bad settings up front"
