// SPDX-License-Identifier: GPL-2.0
/*
 * Check that a system call keeps all 64 VSX registers, FPSCR and VSCR.
 *
 * fpu_syscall and vmx_syscall check the FPRs and v20-v31 across fork().
 * fork() flushes the parent's live FP, VMX and VSX state to its thread
 * struct without giving it up, and before 5e1d824f9a28 ("powerpc: Don't
 * clobber f0/vs0 during fp|altivec register save") that flush left FPSCR
 * in fr0 (vs0) and VSCR in v0 (vs32) of the running task. This test loads
 * every VSX register, FPSCR and VSCR with known values, calls fork()
 * directly with sc so that nothing else touches them, and checks all of
 * them in the parent and in the child.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"
#include "vsx_all_regs.h"

#define ITERATIONS	1000
#define SLOT_BYTES	16
#define SLOT_WORDS	(SLOT_BYTES / 8)

/*
 * FPSCR: rounding toward -infinity and two FPRF bits, no exception
 * enabled and no sticky bit set. VSCR: NJ and SAT.
 */
#define FPSCR_VALUE	0xa003ULL
#define VSCR_VALUE	0x00010001U

static uint64_t in[VSX_ALL_SLOTS * SLOT_WORDS];
static uint64_t out[VSX_ALL_SLOTS * SLOT_WORDS];

static void fill_in(void)
{
	int i, w;

	for (i = 0; i < VSX_SLOT_FPSCR * SLOT_WORDS; i++)
		in[i] = (uint64_t)random() << 33 ^ (uint64_t)random() << 2 ^ random();
	in[VSX_SLOT_FPSCR * SLOT_WORDS] = FPSCR_VALUE;
	in[VSX_SLOT_FPSCR * SLOT_WORDS + 1] = 0;
	for (w = 0; w < SLOT_WORDS; w++)
		in[VSX_SLOT_VSCR * SLOT_WORDS + w] = (uint64_t)VSCR_VALUE << 32 | VSCR_VALUE;
}

/*
 * fork() with every register loaded from in[] and stored to out[] right
 * after: returns the child's pid in the parent, 0 in the child, -errno on
 * failure.
 */
static long fork_all_vsx(void)
{
	long ret;

	asm volatile(VSX_LOAD_ALL
		     SC_SYSCALL
		     VSX_STORE_ALL
		     : [sc_ret] "=&r" (ret)
		     : [vsx_in] "b" (in), [vsx_out] "b" (out),
		       [vsx_stride] "i" (SLOT_BYTES),
		       [sc_nr] "i" (__NR_fork)
		     : SC_CLOBBERS, "memory", VSX_ALL_CLOBBERS);
	return ret;
}

/* How many registers differ between in[] and out[], each printed. */
static int check_out(const char *who)
{
	int i, bad = 0;
	uint64_t *a, *b;

	for (i = 0; i < VSX_ALL_SLOTS; i++) {
		a = &in[i * SLOT_WORDS];
		b = &out[i * SLOT_WORDS];
		if (i == VSX_SLOT_FPSCR) {
			if ((a[0] ^ b[0]) & 0xffffffffULL) {
				printf("%s: FPSCR 0x%llx, expected 0x%llx\n", who,
				       (unsigned long long)(b[0] & 0xffffffffULL),
				       (unsigned long long)a[0]);
				bad++;
			}
			continue;
		}
		if (a[0] == b[0] && a[1] == b[1])
			continue;
		if (i == VSX_SLOT_VSCR)
			printf("%s: VSCR 0x%llx, expected 0x%llx\n", who,
			       (unsigned long long)(b[0] & 0xffffffffULL),
			       (unsigned long long)(a[0] & 0xffffffffULL));
		else
			printf("%s: vs%d (%s%d) 0x%016llx%016llx, expected 0x%016llx%016llx\n",
			       who, i, i < 32 ? "f" : "v", i % 32,
			       (unsigned long long)b[0], (unsigned long long)b[1],
			       (unsigned long long)a[0], (unsigned long long)a[1]);
		bad++;
	}
	return bad;
}

static int vsx_syscall(void)
{
	int i, bad, status;
	long pid;

	SKIP_IF(!have_hwcap(PPC_FEATURE_HAS_VSX));
	srandom(getpid());

	for (i = 0; i < ITERATIONS; i++) {
		fill_in();
		pid = fork_all_vsx();
		FAIL_IF(pid < 0);
		bad = check_out(pid ? "parent" : "child");
		if (pid == 0) {
			fflush(stdout);
			_exit(bad ? 1 : 0);
		}
		FAIL_IF(waitpid(pid, &status, 0) != pid);
		if (bad)
			printf("after fork() %d: %d registers changed in the parent\n", i, bad);
		FAIL_IF(bad);
		FAIL_IF(!WIFEXITED(status) || WEXITSTATUS(status));
	}
	return 0;
}

int main(void)
{
	return test_harness(vsx_syscall, "vsx_syscall");
}
