#!/usr/bin/env bash
# Editing selftests/ipi_fp without regenerating the patch is caught.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TOP/.cache

copy=$TMP/project
mkdir -p "$copy"
cp -r "$TOP/scripts" "$TOP/selftests" "$TOP/patches" "$TOP/ci" "$copy/"
"$copy/scripts/submit/check-selftest-patch.sh"
echo '/* drift */' >>"$copy/selftests/ipi_fp/fpu_io_worker.c"
expect_fail "has drifted from selftests/ipi_fp; run 'make patches'" \
	"$copy/scripts/submit/check-selftest-patch.sh"
