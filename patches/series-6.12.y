# ipi_fp series for Linux 6.12.y (quilt format; apply in this order)
# 6.12.y needs neither the O_DIRECT pinning patches (upstream converted
# O_DIRECT to FOLL_PIN in v6.5) nor the fr0/v0 fix (5e1d824f9a28 is in
# v6.7): only the x86 fix, in its 6.12.y form, and the selftests.
0001-selftests-add-ipi_fp-SMP-data-corruption-regression-tests.patch
6.12.y/0001-x86-apic-Keep-ICR2-intact-across-nested-destination-field-IPIs.patch
