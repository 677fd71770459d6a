# ipi_fp: entry points. The work is in scripts/; each target is one line.
# KSRC=/path/to/linux-6.1.y uses your tree instead of Debian's 6.1.192.
ROUNDS ?= 200

.PHONY: help deps demo check rates lint test patches clean

help:
	@sed -n 's/^## //p' Makefile

## deps     install what the pipeline needs (apt-get; run as root)
deps:
	scripts/install-deps.sh

## demo     base tree -> series -> kernels -> QEMU guests -> matrix + timings
demo: deps
	scripts/run-matrix.sh

## check    lint + matrix against ci/expected.tsv + the project's own tests (CI)
check:
	scripts/check.sh

## rates    the matrix with ROUNDS (default 200) rounds of fpu_io_worker and of
##          each odirect_fork case
rates: deps
	IPI_FP_ROUNDS=$(ROUNDS) IPI_FP_ODIRECT_ROUNDS=$(ROUNDS) \
		IPI_FP_BOOT_TIMEOUT=$${IPI_FP_BOOT_TIMEOUT:-1200} scripts/run-matrix.sh

## lint     shellcheck, checkpatch --strict on the series, selftest patch drift
lint:
	scripts/lint.sh

## test     the project's own tests only (bad input, guest panic and hang ...)
test:
	scripts/run-tests.sh

## patches  regenerate the selftest patch from selftests/ipi_fp
patches:
	scripts/make-selftest-patch.sh

## clean    remove the cache (kernel trees, builds, ccache, results)
clean:
	rm -rf .cache
