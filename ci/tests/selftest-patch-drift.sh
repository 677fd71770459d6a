#!/usr/bin/env bash
# Editing a test's sources without regenerating its patch is caught, for
# the ipi_fp target and for the powerpc/math test.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
export IPI_FP_CACHE=$TOP/.cache

copy=$TMP/project
mkdir -p "$copy"
cp -r "$TOP/scripts" "$TOP/selftests" "$TOP/patches" "$TOP/ci" "$copy/"
"$copy/scripts/submit/check-selftest-patch.sh"
echo '/* drift */' >>"$copy/selftests/ipi_fp/fpu_io_worker.c"
expect_fail "selftests-ipi_fp/.* has drifted from its sources; run 'make patches'" \
	"$copy/scripts/submit/check-selftest-patch.sh"
cp "$TOP/selftests/ipi_fp/fpu_io_worker.c" "$copy/selftests/ipi_fp/"
echo '/* drift */' >>"$copy/selftests/powerpc-math/vsx_syscall.c"
expect_fail "selftests-powerpc-vsx-syscall/.* has drifted from its sources; run 'make patches'" \
	"$copy/scripts/submit/check-selftest-patch.sh"
