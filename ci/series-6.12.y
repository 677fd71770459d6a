# ipi_fp series for Linux 6.12.y (paths from the top of the project; applied in this order)
# 6.12.y needs neither the O_DIRECT pinning patches (upstream converted
# O_DIRECT to FOLL_PIN in v6.5) nor the fr0/v0 fix (5e1d824f9a28 is in
# v6.7): only the x86 fix, the powerpc signal-restore fix and the
# selftests. The x86 mainline submission applies to 6.12.117's
# arch/x86/kernel/apic/ipi.c as it is (its hunks sit one line earlier there
# than in mainline's, ci/fixtures/mainline-x86-apic), so it is also the
# form 6.12.y would take through its Cc: stable tag; the powerpc one is
# made on 6.12.117 and its lines read the same in mainline.
patches/selftests-ipi_fp/0001-selftests-add-ipi_fp-SMP-data-corruption-regression-tests.patch
patches/x86-apic-icr/0001-x86-apic-Keep-ICR2-intact-across-nested-destination-field-IPIs.patch
patches/powerpc-signal-notify/0001-powerpc-Restore-all-registers-after-TIF_NOTIFY_SIGNAL-work.patch
