# ipi_fp: entry points. The work is in scripts/; each target is one line.
# KSRC=/path/to/linux-6.1.y uses your tree instead of Debian's 6.1.192.
ROUNDS ?= 1000
ODIRECT_ROUNDS ?= 334

.PHONY: help deps demo check rates cost profile real-client libuv-soak ltp-dio fstests blk-map-leak held-soak virtio-rates evidence serial-parallel lint test patches send-prep gates lava lava-jobs clean

help:
	@sed -n 's/^## //p' Makefile

## deps     install what the pipeline needs (apt-get; run as root)
deps:
	scripts/install-deps.sh

## demo     base tree -> series -> kernels -> QEMU guests -> matrix + timings,
##          checked against ci/expected.tsv: one FAIL-then-PASS story per
##          family in three stages, the matrix after each (ci/demo-matrix.tsv,
##          five kernels); ALL=1 every cell of ci/matrix.tsv
demo: deps
	IPI_FP_MATRIX=$(if $(ALL),ci/matrix.tsv,ci/demo-matrix.tsv) \
		IPI_FP_KERNEL_SUITES=$(if $(ALL),ci/kernel-suites.tsv,) \
		IPI_FP_RESULTS=.cache/results-demo scripts/run-matrix.sh --check

## check    lint + matrix against ci/expected.tsv + the project's own tests
##          (CI): the cells of ci/check-matrix.tsv, the 6.1.y submissions'
##          gates; ALL=1 every cell of ci/matrix.tsv and every gate
check:
	IPI_FP_MATRIX=$(if $(ALL),ci/matrix.tsv,ci/check-matrix.tsv) scripts/check.sh

## rates    the matrix, checked like CI, on the unpatched and patched cells
##          (ci/rates-matrix.tsv) with ROUNDS (default 1000) rounds of
##          fpu_io_worker and icr_nested_ipi and ODIRECT_ROUNDS (default 334,
##          so >= 1000 over the three cells of each side) of each odirect_fork
##          case
rates: deps
	IPI_FP_MATRIX=$${IPI_FP_MATRIX:-ci/rates-matrix.tsv} IPI_FP_KERNEL_SUITES= \
		IPI_FP_ROUNDS=$(ROUNDS) IPI_FP_ICR_ROUNDS=$(ROUNDS) \
		IPI_FP_ODIRECT_ROUNDS=$(ODIRECT_ROUNDS) \
		IPI_FP_BOOT_TIMEOUT=$${IPI_FP_BOOT_TIMEOUT:-3000} \
		IPI_FP_TEST_TIMEOUT=$${IPI_FP_TEST_TIMEOUT:-2400} \
		IPI_FP_RESULTS=.cache/results-rates scripts/run-matrix.sh --check

## cost     what the fixes cost: the unpatched and patched kernels of
##          6.1.192 and 6.12.117, each booted BOOTS times (default 2) with
##          QEMU's instruction-count clock, REPS (default 5) repetitions of
##          each row of the cost program; A/B ratios beside the A/A noise,
##          and each row's goal (make check runs the 6.1.192 part)
cost: deps
	IPI_FP_COST_BASES="6.1.192 6.12.117" IPI_FP_COST_BOOTS=$${BOOTS:-2} \
		IPI_FP_COST_REPS=$${REPS:-5} scripts/cost/run.sh

## profile  where each row's cost goes, by kernel function: the unpatched
##          and patched kernels of 6.1.192 and 6.12.117 (ppc64le, x86_64)
##          booted BOOTS times (default 2) with the instruction-count clock
##          and the insn_profile TCG plugin; per row (4 KiB O_DIRECT by
##          psync, native AIO and io_uring on null_blk and brd; fork()) the
##          A/B delta per operation, its named share and its functions;
##          fio (Debian's 3.33, built static) 4 KiB randread/randwrite with
##          the psync, libaio and io_uring engines, A/B beside the A/A noise
profile: deps
	IPI_FP_PROFILE_BOOTS=$${BOOTS:-2} scripts/profile/run.sh

## real-client MariaDB's mysql-test-run case of MDEV-30728 on an emulated
##          POWER9, the 6.1.192-prefix kernel without and with the fr0/v0
##          fix side by side, MINUTES (default 60) each; loops, failures,
##          95 % intervals and Fisher's p (not in make check: too long)
real-client:
	scripts/install-deps.sh real-client
	IPI_FP_SOAK_MINUTES=$${MINUTES:-60} scripts/real-client/run.sh

## libuv-soak libuv's own signal_multiple_loops (LIBUV_SRC=DIR: a libuv
##          source tree, 1.45.0 to 1.47.0, which use io_uring on ppc64), run
##          after run for MINUTES (default 30) in two ppc64le 6.1.192 guests
##          side by side, without and with the series; runs, SIGSEGVs, 95 %
##          intervals and Fisher's p (not in make check: libuv's source is
##          not in Debian, and the rates want hours)
libuv-soak:
	scripts/install-deps.sh libuv-soak
	IPI_FP_SOAK_MINUTES=$${MINUTES:-30} scripts/libuv-soak/run.sh

## ltp-dio  LTP's direct-I/O tests (LTP_SRC=DIR: an LTP source tree or git
##          directory): dma_thread_diotest, the 2009 O_DIRECT vs fork()
##          reproducer, PASSES (default 3) passes per buffer alignment
##          (512, 3584) on ext4 and ext2, and LTP's runtest/dio on both and
##          its raw-disk cases that take a device (dio33, dio39; the disks:
##          IPI_FP_LTP_FS), in 6.1.192 guests without and with the series
##          side by side, ppc64le and x86_64; corruption rates with 95 %
##          intervals and Fisher's p, and each dio case per kernel (not in
##          make check: LTP is not in Debian, and it takes hours)
ltp-dio: deps
	scripts/install-deps.sh ltp-dio
	IPI_FP_LTP_PASSES=$${PASSES:-3} scripts/ltp-dio/run.sh

## fstests  fstests' direct-I/O tests (XFSTESTS_SRC=DIR: an xfstests source
##          tree or git directory; the generic tests that require O_DIRECT
##          or AIO-DIO, SET=dio-quick (default: those also in the quick
##          group) or dio) on ext2, vfat, ext4 and xfs, in x86_64 6.1.192
##          guests with a Debian root file system, without and with the
##          series side by side; each test's status per kernel, fails on a
##          regression (not in make check: it takes hours)
fstests: deps
	scripts/install-deps.sh fstests
	IPI_FP_FSTESTS_SET=$${SET:-dio-quick} scripts/fstests/run.sh

## blk-map-leak the page reference 6.1.y's bio_map_user_iov() keeps on a
##          same-page merge (SG_IO to a scsi_debug disk, ROUNDS (default
##          20000) pages each read as two halves): 6.1.192 without and with
##          the 6.1.y form of upstream 5905afc2c7bb, ppc64le and x86_64;
##          fails unless the first leaks and the second does not
blk-map-leak: deps
	IPI_FP_BLK_MAP_ROUNDS=$${ROUNDS:-20000} scripts/blk-map-leak/run.sh

## held-soak odirect_fork RUNS times (default 50) in each of two guests
##          side by side (x86_64 6.1.192 without and with the series, each
##          loading the host for the other), ROUNDS (default 2) rounds per
##          race case; every run must end and give ci/expected.tsv's
##          verdicts (not in make check: about 20 minutes)
held-soak: deps
	IPI_FP_SOAK_RUNS=$${RUNS:-50} IPI_FP_SOAK_ROUNDS=$${ROUNDS:-2} scripts/held-soak/run.sh

## virtio-rates the O_DIRECT vs fork() race on virtio-blk disks (ext4,
##          ext2) with nothing holding the read: the 6.1.192 kernels
##          without and with the series, ROUNDS (default 1000) rounds per
##          filesystem and issuer; rates, not verdicts (not in make check)
virtio-rates: deps
	IPI_FP_RACE_ROUNDS=$(ROUNDS) scripts/virtio-rates/run.sh

## evidence MAINTAINERS-notes/evidence.md from the last rates run, the last
##          check run, the last cost run, the last real-client run
##          and the last virtio-rates run
evidence:
	scripts/evidence/make-evidence.py .cache/results-rates .cache/results .cache/results-cost \
		.cache/results-real-client .cache/results-virtio-rates \
		>MAINTAINERS-notes/evidence.md.tmp
	mv MAINTAINERS-notes/evidence.md.tmp MAINTAINERS-notes/evidence.md

## serial-parallel the demo cells (IPI_FP_MATRIX to choose) and the 6.1.192
##          cost run, each one guest at a time and JOBS at a time (default
##          nproc, at least 2): same verdicts, cost rows within their noise
serial-parallel: deps
	scripts/serial-parallel/run.sh

## lava     the cells of ci/lava-matrix.tsv booted by LAVA's dispatcher
##          (lava-run, no server), checked like CI
lava:
	IPI_FP_BOOT=lava IPI_FP_MATRIX=$${IPI_FP_MATRIX:-ci/lava-matrix.tsv} \
		IPI_FP_RESULTS=.cache/results-lava scripts/run-matrix.sh --check

## lava-jobs the LAVA job and device files of every cell of ci/matrix.tsv,
##          for a lab serving the kernels and initramfs at BASE_URL (default
##          file://); into .cache/lava-jobs, nothing is booted
lava-jobs:
	IPI_FP_BOOT=lava-jobs IPI_FP_LAVA_BASE_URL=$${BASE_URL:-file://} \
		IPI_FP_RESULTS=.cache/lava-jobs scripts/run-matrix.sh

## send-prep the mails of each submission (patches/submissions.tsv) into
##          .cache/outbox/NAME/, From and Signed-off-by from your git config
##          (user.name, user.email), To/Cc from get_maintainer.pl; sends
##          nothing (it prints the git send-email commands)
send-prep:
	scripts/submit/send-prep.sh

## gates    each submission's patches built one by one on both arches, and
##          no new sparse or W=1 warning in the files they touch (in make check)
gates:
	scripts/submit/build-gates.sh

## lint     shellcheck, the layout of patches/, selftest patch drift
lint:
	scripts/lint.sh

## test     the project's own tests only (bad input, guest panic and hang ...)
test:
	scripts/run-tests.sh

## patches  regenerate the test patches (selftests-ipi_fp, selftests-powerpc-vsx-syscall) from selftests/
patches:
	scripts/submit/make-selftest-patch.sh

## clean    remove the cache (kernel trees, builds, ccache, results)
clean:
	rm -rf .cache
