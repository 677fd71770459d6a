// SPDX-License-Identifier: GPL-2.0
/*
 * powerpc: VSX registers vs0-31 overlay fr0-31 (doubleword 0), vs32-63 are
 * v0-31. The clobbers this test looks for hit fr0/vs0 (FPSCR save) and v0
 * (VSCR save); neighbours are checked too.
 */
#include <stdio.h>

#include "../kselftest.h"
#include "fpu_regs.h"

static const char * const names[] = {
	"vs0 (fr0)", "vs1 (fr1)", "vs31 (fr31)",
	"vs32 (v0)", "vs33 (v1)", "vs63 (v31)",
};

bool fpu_regs_probe(struct fpu_regs *regs, char *why, size_t len)
{
	regs->kind = "FP/VMX/VSX";
	regs->nr = ARRAY_SIZE(names);
	regs->words = 2;
	return true;
}

const char *fpu_reg_name(int i)
{
	return names[i];
}

/*
 * lxvd2x/stxvd2x put the doubleword at the lower address in doubleword 0
 * of the VSR, the FPR for vs0-31. Only r9 and cr0 are used in the loop.
 */
#define SLOT(p, i) ((p) + (i) * FPU_SLOT_WORDS)

void fpu_regs_spin(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
	asm volatile("lxvd2x	0,0,%[i0]\n\t"
		     "lxvd2x	1,0,%[i1]\n\t"
		     "lxvd2x	31,0,%[i2]\n\t"
		     "lxvd2x	32,0,%[i3]\n\t"
		     "lxvd2x	33,0,%[i4]\n\t"
		     "lxvd2x	63,0,%[i5]\n\t"
		     "li	9,1\n\t"
		     "sync\n\t"
		     "stw	9,0(%[ready])\n"
		     "1:	lwz	9,0(%[stop])\n\t"
		     "cmpwi	9,0\n\t"
		     "beq	1b\n\t"
		     "stxvd2x	0,0,%[o0]\n\t"
		     "stxvd2x	1,0,%[o1]\n\t"
		     "stxvd2x	31,0,%[o2]\n\t"
		     "stxvd2x	32,0,%[o3]\n\t"
		     "stxvd2x	33,0,%[o4]\n\t"
		     "stxvd2x	63,0,%[o5]\n\t"
		     :
		     : [i0] "b" (SLOT(in, 0)), [i1] "b" (SLOT(in, 1)),
		       [i2] "b" (SLOT(in, 2)), [i3] "b" (SLOT(in, 3)),
		       [i4] "b" (SLOT(in, 4)), [i5] "b" (SLOT(in, 5)),
		       [o0] "b" (SLOT(out, 0)), [o1] "b" (SLOT(out, 1)),
		       [o2] "b" (SLOT(out, 2)), [o3] "b" (SLOT(out, 3)),
		       [o4] "b" (SLOT(out, 4)), [o5] "b" (SLOT(out, 5)),
		       [ready] "b" (ready), [stop] "b" (stop)
		     : "r9", "cr0", "memory", "vs0", "vs1", "vs31", "vs32",
		       "vs33", "vs63");
}
