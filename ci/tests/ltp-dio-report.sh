#!/usr/bin/env bash
# ltp-dio/report.py counts LTP's result lines inside each framed case:
# dma_thread_diotest's passes with and without corruption per kernel, their
# Clopper-Pearson interval and Fisher's p; runtest/dio's exit status per
# case and kernel; a guest that did not finish, printed a kernel splat,
# ended a dma_thread_diotest case with TBROK or reported fewer passes than
# it asked for, or a runtest/dio case that broke (TBROK: it could not
# even run, as the raw-disk cases once did without a TMPDIR) makes it
# exit 1.
# shellcheck source=ci/tests/lib.sh
. "$(dirname "$0")/lib.sh"
R=$TOP/scripts/ltp-dio/report.py
mkdir -p "$TMP/r/logs"
echo '# test settings' >"$TMP/r/settings"
# guest LOG FAIL PASS DIO_RC [EXTRA]: one guest's console.
guest() {
	local i
	{
		echo 'LTP_DIO_START 6.1.192 x86_64 cpus=3 ltp=test'
		echo 'LTP_CASE_START ext2 dio01 diotest1'
		echo '| diotest01    1  TPASS  :  Read Direct-child 0 passed'
		echo "LTP_CASE_END ext2 dio01 rc=$4"
		echo 'LTP_CASE_START ext2 dma_thread_diotest_a512 dma_thread_diotest -a 512 -i 4'
		for ((i = 0; i < $2; i++)); do echo '| dma_thread_diotest    1  TFAIL  :  data corruption is detected'; done
		for ((i = 0; i < $3; i++)); do echo '| dma_thread_diotest    1  TPASS  :  data corruption is not detected'; done
		echo "LTP_CASE_END ext2 dma_thread_diotest_a512 rc=$(($2 > 0))"
		printf '%s' "${5:-}"
		echo 'LTP_DIO_DONE'
	} >"$TMP/r/logs/$1.log"
}
guest x86_64-6.1.192-unpatched 4 0 0
guest x86_64-6.1.192-patched 0 4 0
out=$(python3 "$R" "$TMP/r")
grep -Eq '^x86_64 +ext2 +512 +4/4 100 \(40 - 100\) +0/4 0 \(0 - 60\) +0.0143$' <<<"$out" &&
	grep -q 'x86_64   ext2  1 cases, 1 passed on both kernels' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-patched 0 4 1
out=$(python3 "$R" "$TMP/r")
grep -q '    dio01: 0 / 1' <<<"$out" && grep -q 'runtest/dio: 1 cases differ' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-patched 0 4 0 $'[   9.1] BUG: unable to handle page fault\n'
expect_fail 'ERROR: x86_64 patched: kernel splat: \[   9.1\] BUG' python3 "$R" "$TMP/r"
head -n 3 "$TMP/r/logs/x86_64-6.1.192-unpatched.log" >"$TMP/r/logs/x86_64-6.1.192-patched.log"
expect_fail 'ERROR: x86_64 patched: no LTP_DIO_DONE' python3 "$R" "$TMP/r"
guest x86_64-6.1.192-patched 0 0 0 ''
sed -i 's/^LTP_CASE_END ext2 dma_thread_diotest_a512 rc=0$/| dma_thread_diotest    1  TBROK  :  failed to create file\n&/' \
	"$TMP/r/logs/x86_64-6.1.192-patched.log"
expect_fail 'ERROR: x86_64 patched: ext2 dma_thread_diotest_a512: TBROK/TCONF' python3 "$R" "$TMP/r"
guest x86_64-6.1.192-patched 0 4 0
sed -i 's/^LTP_CASE_END ext2 dio01 rc=0$/| diotest02    1  TBROK  :  tst_tmpdir.c:270: mkdtemp failed\n&/' \
	"$TMP/r/logs/x86_64-6.1.192-patched.log"
expect_fail 'ERROR: x86_64 patched: ext2 dio01: TBROK' python3 "$R" "$TMP/r"
# The guest's own counts (tpass=, tfail= of the end line) stand for lines
# the console lost; without them, fewer results than -i asked for is an
# error.
guest x86_64-6.1.192-patched 0 1 0
sed -i 's/^LTP_CASE_END ext2 dma_thread_diotest_a512 rc=0$/& tpass=4 tfail=0/' "$TMP/r/logs/x86_64-6.1.192-patched.log"
out=$(python3 "$R" "$TMP/r")
grep -Eq '^x86_64 +ext2 +512 +4/4 .* +0/4 ' <<<"$out" || { echo "$out"; exit 1; }
guest x86_64-6.1.192-patched 0 3 0
expect_fail 'ERROR: x86_64 patched: ext2 dma_thread_diotest_a512: 3 results for -i 4' python3 "$R" "$TMP/r"
echo "rates, intervals, Fisher's p, dio differences, unfinished guests, splats, TBROK and missing results as expected"
