// SPDX-License-Identifier: GPL-2.0
/* Architectures without a register check: the test skips. */
#include <stdio.h>

#include "fpu_regs.h"

bool fpu_regs_probe(struct fpu_regs *regs, char *why, size_t len)
{
	snprintf(why, len, "no FP/vector register check for this architecture");
	return false;
}

const char *fpu_reg_name(int i)
{
	return "none";
}

void fpu_regs_spin(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
}
