# ipi_fp series for Linux 6.1.y (paths from the top of the project; applied in this order)
# The harness's "patched" cells of the 6.1 bases: every 6.1.y submission
# under patches/ plus the base fixture that the 6.1.192-prefix base lacks
# (6.1.192 has it: apply-series.sh reports it as present and skips it).
patches/selftests-ipi_fp/0001-selftests-add-ipi_fp-SMP-data-corruption-regression-tests.patch
ci/fixtures/powerpc-fpu-fr0-v0-5e1d824f9a28.diff
patches/x86-apic-icr-6.1.y/0001-x86-apic-Keep-ICR2-intact-across-nested-destination-field-IPIs.patch
patches/odirect-pinning-6.1.y/0001-iov_iter-add-iov_iter_pin_user_pages.patch
patches/odirect-pinning-6.1.y/0002-mm-gup-add-unpin_user_folio.patch
patches/odirect-pinning-6.1.y/0003-block-pin-user-pages-for-direct-I-O-reads-so-that-fork-keeps-them.patch
patches/odirect-pinning-6.1.y/0004-fs-direct-io-pin-user-pages-of-reads-so-that-fork-keeps-them.patch
patches/powerpc-signal-notify-6.1.y/0001-powerpc-Restore-all-registers-after-TIF_NOTIFY_SIGNAL-work.patch
