/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registers fpu_io_worker checks, one implementation per architecture
 * (fpu_regs_<arch>.c, chosen by the Makefile).
 */
#ifndef FPU_REGS_H
#define FPU_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FPU_MAX_REGS	66
/* u64 words per register slot: room for a 256-bit register. */
#define FPU_SLOT_WORDS	4

struct fpu_regs {
	const char *kind;	/* e.g. "FP/VMX/VSX" */
	int nr;			/* registers checked, <= FPU_MAX_REGS */
	int words;		/* u64 words checked per register */
};

/* Fill @regs; return false, with the reason in @why, to skip the test. */
bool fpu_regs_probe(struct fpu_regs *regs, char *why, size_t len);

const char *fpu_reg_name(int i);

/*
 * Load register i from in[i * FPU_SLOT_WORDS], set *ready, spin in user
 * space until *stop is set, then store register i to out[i *
 * FPU_SLOT_WORDS]. Nothing in between touches the registers under test.
 * A control register (powerpc's FPSCR and VSCR) cannot hold the test's
 * pattern: the implementation writes the value it sets into its in slot
 * first, and puts the caller's value back at the end.
 */
void fpu_regs_spin(uint64_t *in, uint64_t *out, int *ready, int *stop);

#endif
