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

#ifndef PPC_FEATURE_HAS_ALTIVEC
#define PPC_FEATURE_HAS_ALTIVEC	0x10000000
#endif
#ifndef PPC_FEATURE_HAS_VSX
#define PPC_FEATURE_HAS_VSX	0x00000080
#endif

#define NR_VSRS		64
#define SLOT_FPSCR	64
#define SLOT_VSCR	65
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
	snprintf(names[SLOT_FPSCR], sizeof(names[0]), "FPSCR");
	snprintf(names[SLOT_VSCR], sizeof(names[0]), "VSCR");
	regs->kind = "FP/VMX/VSX (vs0-63, FPSCR, VSCR)";
	regs->nr = NR_VSRS + 2;
	regs->words = 2;
	return true;
}

const char *fpu_reg_name(int i)
{
	return names[i];
}

#define VSRS "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22," \
	"23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,"  \
	"45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63"

/*
 * The caller's FPSCR and VSCR are kept in @saved and put back at the end.
 * FPSCR is set through fr0 and VSCR through v0 before the registers are
 * loaded, and read back through them after all 64 are stored. Only r9 and
 * cr0 are used besides. lxvd2x/stxvd2x put the doubleword at the lower
 * address in doubleword 0 of the VSR, the FPR for vs0-31.
 */
void fpu_regs_spin(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
	uint64_t saved[4];	/* lxvd2x/stxvd2x take any address */
	uint64_t *fpscr = in + SLOT_FPSCR * FPU_SLOT_WORDS;
	uint64_t *vscr = in + SLOT_VSCR * FPU_SLOT_WORDS;
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
		     "li	9,%[fo]\n\t"
		     "lfdx	0,%[in],9\n\t"
		     "mtfsf	0xff,0\n\t"
		     "li	9,%[vo]\n\t"
		     "lxvd2x	32,%[in],9\n\t"
		     "mtvscr	0\n\t"
		     ".irp n," VSRS "\n\t"
		     "li	9,\\n*%[sb]\n\t"
		     "lxvd2x	\\n,%[in],9\n\t"
		     ".endr\n\t"
		     "li	9,1\n\t"
		     "sync\n\t"
		     "stw	9,0(%[ready])\n"
		     "1:	lwz	9,0(%[stop])\n\t"
		     "cmpwi	9,0\n\t"
		     "beq	1b\n\t"
		     ".irp n," VSRS "\n\t"
		     "li	9,\\n*%[sb]\n\t"
		     "stxvd2x	\\n,%[out],9\n\t"
		     ".endr\n\t"
		     "mffs	0\n\t"
		     "li	9,%[fo]\n\t"
		     "stfdx	0,%[out],9\n\t"
		     "mfvscr	0\n\t"
		     "vspltw	0,0,3\n\t"
		     "li	9,%[vo]\n\t"
		     "stxvd2x	32,%[out],9\n\t"
		     "lfd	0,0(%[saved])\n\t"
		     "mtfsf	0xff,0\n\t"
		     "li	9,16\n\t"
		     "lxvd2x	32,%[saved],9\n\t"
		     "mtvscr	0\n\t"
		     :
		     : [in] "b" (in), [out] "b" (out), [saved] "b" (saved),
		       [ready] "b" (ready), [stop] "b" (stop),
		       [sb] "i" (SLOT_BYTES),
		       [fo] "i" (SLOT_FPSCR * SLOT_BYTES),
		       [vo] "i" (SLOT_VSCR * SLOT_BYTES)
		     : "r9", "cr0", "memory",
		       "vs0", "vs1", "vs2", "vs3", "vs4", "vs5", "vs6", "vs7",
		       "vs8", "vs9", "vs10", "vs11", "vs12", "vs13", "vs14",
		       "vs15", "vs16", "vs17", "vs18", "vs19", "vs20", "vs21",
		       "vs22", "vs23", "vs24", "vs25", "vs26", "vs27", "vs28",
		       "vs29", "vs30", "vs31", "vs32", "vs33", "vs34", "vs35",
		       "vs36", "vs37", "vs38", "vs39", "vs40", "vs41", "vs42",
		       "vs43", "vs44", "vs45", "vs46", "vs47", "vs48", "vs49",
		       "vs50", "vs51", "vs52", "vs53", "vs54", "vs55", "vs56",
		       "vs57", "vs58", "vs59", "vs60", "vs61", "vs62", "vs63");
	/* mffs leaves bits 0:31 of the FPR undefined before ISA 3.0. */
	out[SLOT_FPSCR * FPU_SLOT_WORDS] &= 0xffffffffULL;
}
