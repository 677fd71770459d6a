// SPDX-License-Identifier: GPL-2.0
/*
 * powerpc: all 64 VSX registers, FPSCR and VSCR. vs0-31 overlay fr0-31
 * (doubleword 0), vs32-63 are v0-31. The clobbers this test was written
 * for hit fr0/vs0 (FPSCR save) and v0 (VSCR save), but a save routine
 * that uses any live register as scratch, or loses a control register,
 * shows up here too.
 */
#include <stdio.h>
#include <sys/auxv.h>

#include "fpu_regs.h"
#include "vsx_all_regs.h"

#ifndef PPC_FEATURE_HAS_ALTIVEC
#define PPC_FEATURE_HAS_ALTIVEC	0x10000000
#endif
#ifndef PPC_FEATURE_HAS_VSX
#define PPC_FEATURE_HAS_VSX	0x00000080
#endif

#define NR_VSRS		64
#define SLOT_BYTES	(FPU_SLOT_WORDS * 8)

/*
 * Values the control registers are set to for the round: rounding mode
 * toward -infinity and two FPRF bits (no exception enable, no sticky
 * exception bit, so that setting it has no side effect); VSCR[NJ] and
 * VSCR[SAT]. VSCR is replicated into every word of its slot, so the
 * element order of lxvd2x/stxvd2x does not matter.
 */
#define FPSCR_VALUE	0x000000000000a003ULL
#define VSCR_VALUE	0x00010001U

static char names[NR_VSRS + 2][16];

bool fpu_regs_probe(struct fpu_regs *regs, char *why, size_t len)
{
	unsigned long hwcap = getauxval(AT_HWCAP);
	int i;

	if (!(hwcap & PPC_FEATURE_HAS_VSX) || !(hwcap & PPC_FEATURE_HAS_ALTIVEC)) {
		snprintf(why, len, "needs VSX and AltiVec (AT_HWCAP 0x%lx)", hwcap);
		return false;
	}
	for (i = 0; i < NR_VSRS; i++)
		snprintf(names[i], sizeof(names[i]), "vs%d (%s%d)", i,
			 i < 32 ? "fr" : "v", i % 32);
	snprintf(names[VSX_SLOT_FPSCR], sizeof(names[0]), "FPSCR");
	snprintf(names[VSX_SLOT_VSCR], sizeof(names[0]), "VSCR");
	regs->kind = "FP/VMX/VSX (vs0-63, FPSCR, VSCR)";
	regs->nr = NR_VSRS + 2;
	regs->words = 2;
	return true;
}

const char *fpu_reg_name(int i)
{
	return names[i];
}

/*
 * The caller's FPSCR and VSCR are kept in @saved and put back at the end.
 * Besides the registers under test only r9 and cr0 are used.
 */
void fpu_regs_spin(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
	uint64_t saved[4];	/* lxvd2x/stxvd2x take any address */
	uint64_t *fpscr = in + VSX_SLOT_FPSCR * FPU_SLOT_WORDS;
	uint64_t *vscr = in + VSX_SLOT_VSCR * FPU_SLOT_WORDS;
	int w;

	for (w = 0; w < FPU_SLOT_WORDS; w++) {
		fpscr[w] = w ? 0 : FPSCR_VALUE;
		vscr[w] = (uint64_t)VSCR_VALUE << 32 | VSCR_VALUE;
	}
	asm volatile("mffs	0\n\t"
		     "stfd	0,0(%[saved])\n\t"
		     "mfvscr	0\n\t"
		     "li	9,16\n\t"
		     "stxvd2x	32,%[saved],9\n\t"
		     VSX_LOAD_ALL
		     "li	9,1\n\t"
		     "sync\n\t"
		     "stw	9,0(%[ready])\n"
		     "1:	lwz	9,0(%[stop])\n\t"
		     "cmpwi	9,0\n\t"
		     "beq	1b\n\t"
		     VSX_STORE_ALL
		     "lfd	0,0(%[saved])\n\t"
		     "mtfsf	0xff,0\n\t"
		     "li	9,16\n\t"
		     "lxvd2x	32,%[saved],9\n\t"
		     "mtvscr	0\n\t"
		     :
		     : [vsx_in] "b" (in), [vsx_out] "b" (out),
		       [saved] "b" (saved),
		       [ready] "b" (ready), [stop] "b" (stop),
		       [vsx_stride] "i" (SLOT_BYTES)
		     : "r9", "cr0", "memory", VSX_ALL_CLOBBERS);
	/* mffs leaves bits 0:31 of the FPR undefined before ISA 3.0. */
	out[VSX_SLOT_FPSCR * FPU_SLOT_WORDS] &= 0xffffffffULL;
}
