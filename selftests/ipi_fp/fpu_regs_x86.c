// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: xmm0-15, or the whole ymm0-15 where AVX is enabled by the OS.
 * x86 saves FPU state with XSAVE/FXSAVE, which do not change registers, so
 * this is expected to pass; it keeps the test meaningful on x86 kernels.
 */
#include <cpuid.h>
#include <stdio.h>

#include "fpu_regs.h"

static bool have_avx;

bool fpu_regs_probe(struct fpu_regs *regs, char *why, size_t len)
{
	unsigned int a, b, c, d, lo, hi;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) &&
	    (c & bit_OSXSAVE)) {
		asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
		/* XCR0: the OS saves SSE and AVX state. */
		have_avx = (lo & 6) == 6;
	}
	regs->kind = have_avx ? "SSE/AVX (ymm)" : "SSE (xmm; no AVX)";
	regs->nr = 16;
	regs->words = have_avx ? 4 : 2;
	return true;
}

const char *fpu_reg_name(int i)
{
	static char name[8];

	snprintf(name, sizeof(name), "%smm%d", have_avx ? "y" : "x", i);
	return name;
}

static void spin_avx(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
	asm volatile("vmovdqu 0(%[in]), %%ymm0\n\t"
		     "vmovdqu 32(%[in]), %%ymm1\n\t"
		     "vmovdqu 64(%[in]), %%ymm2\n\t"
		     "vmovdqu 96(%[in]), %%ymm3\n\t"
		     "vmovdqu 128(%[in]), %%ymm4\n\t"
		     "vmovdqu 160(%[in]), %%ymm5\n\t"
		     "vmovdqu 192(%[in]), %%ymm6\n\t"
		     "vmovdqu 224(%[in]), %%ymm7\n\t"
		     "vmovdqu 256(%[in]), %%ymm8\n\t"
		     "vmovdqu 288(%[in]), %%ymm9\n\t"
		     "vmovdqu 320(%[in]), %%ymm10\n\t"
		     "vmovdqu 352(%[in]), %%ymm11\n\t"
		     "vmovdqu 384(%[in]), %%ymm12\n\t"
		     "vmovdqu 416(%[in]), %%ymm13\n\t"
		     "vmovdqu 448(%[in]), %%ymm14\n\t"
		     "vmovdqu 480(%[in]), %%ymm15\n\t"
		     "movl $1, (%[ready])\n"
		     "1:\tpause\n\t"
		     "cmpl $0, (%[stop])\n\t"
		     "je 1b\n\t"
		     "vmovdqu %%ymm0, 0(%[out])\n\t"
		     "vmovdqu %%ymm1, 32(%[out])\n\t"
		     "vmovdqu %%ymm2, 64(%[out])\n\t"
		     "vmovdqu %%ymm3, 96(%[out])\n\t"
		     "vmovdqu %%ymm4, 128(%[out])\n\t"
		     "vmovdqu %%ymm5, 160(%[out])\n\t"
		     "vmovdqu %%ymm6, 192(%[out])\n\t"
		     "vmovdqu %%ymm7, 224(%[out])\n\t"
		     "vmovdqu %%ymm8, 256(%[out])\n\t"
		     "vmovdqu %%ymm9, 288(%[out])\n\t"
		     "vmovdqu %%ymm10, 320(%[out])\n\t"
		     "vmovdqu %%ymm11, 352(%[out])\n\t"
		     "vmovdqu %%ymm12, 384(%[out])\n\t"
		     "vmovdqu %%ymm13, 416(%[out])\n\t"
		     "vmovdqu %%ymm14, 448(%[out])\n\t"
		     "vmovdqu %%ymm15, 480(%[out])\n\t"
		     "vzeroupper\n\t"
		     :
		     : [in] "r" (in), [out] "r" (out), [ready] "r" (ready),
		       [stop] "r" (stop)
		     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		       "xmm13", "xmm14", "xmm15");
}

static void spin_sse(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
	asm volatile("movdqu 0(%[in]), %%xmm0\n\t"
		     "movdqu 32(%[in]), %%xmm1\n\t"
		     "movdqu 64(%[in]), %%xmm2\n\t"
		     "movdqu 96(%[in]), %%xmm3\n\t"
		     "movdqu 128(%[in]), %%xmm4\n\t"
		     "movdqu 160(%[in]), %%xmm5\n\t"
		     "movdqu 192(%[in]), %%xmm6\n\t"
		     "movdqu 224(%[in]), %%xmm7\n\t"
		     "movdqu 256(%[in]), %%xmm8\n\t"
		     "movdqu 288(%[in]), %%xmm9\n\t"
		     "movdqu 320(%[in]), %%xmm10\n\t"
		     "movdqu 352(%[in]), %%xmm11\n\t"
		     "movdqu 384(%[in]), %%xmm12\n\t"
		     "movdqu 416(%[in]), %%xmm13\n\t"
		     "movdqu 448(%[in]), %%xmm14\n\t"
		     "movdqu 480(%[in]), %%xmm15\n\t"
		     "movl $1, (%[ready])\n"
		     "1:\tpause\n\t"
		     "cmpl $0, (%[stop])\n\t"
		     "je 1b\n\t"
		     "movdqu %%xmm0, 0(%[out])\n\t"
		     "movdqu %%xmm1, 32(%[out])\n\t"
		     "movdqu %%xmm2, 64(%[out])\n\t"
		     "movdqu %%xmm3, 96(%[out])\n\t"
		     "movdqu %%xmm4, 128(%[out])\n\t"
		     "movdqu %%xmm5, 160(%[out])\n\t"
		     "movdqu %%xmm6, 192(%[out])\n\t"
		     "movdqu %%xmm7, 224(%[out])\n\t"
		     "movdqu %%xmm8, 256(%[out])\n\t"
		     "movdqu %%xmm9, 288(%[out])\n\t"
		     "movdqu %%xmm10, 320(%[out])\n\t"
		     "movdqu %%xmm11, 352(%[out])\n\t"
		     "movdqu %%xmm12, 384(%[out])\n\t"
		     "movdqu %%xmm13, 416(%[out])\n\t"
		     "movdqu %%xmm14, 448(%[out])\n\t"
		     "movdqu %%xmm15, 480(%[out])\n\t"
		     :
		     : [in] "r" (in), [out] "r" (out), [ready] "r" (ready),
		       [stop] "r" (stop)
		     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
		       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
		       "xmm13", "xmm14", "xmm15");
}

void fpu_regs_spin(uint64_t *in, uint64_t *out, int *ready, int *stop)
{
	if (have_avx)
		spin_avx(in, out, ready, stop);
	else
		spin_sse(in, out, ready, stop);
}
