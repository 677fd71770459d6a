// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright 2015, Cyril Bur, IBM Corp.
 *
 * This test attempts to see if the VMX registers change across a syscall (fork):
 * all 32 of them and VSCR.
 */

#include <altivec.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include "utils.h"
#include "vsx_all_regs.h"

#define VSCR_VALUE	0x00010001	/* NJ and SAT */

/* v0-v31 and VSCR, loaded before fork() and stored after it. */
static vector int in[VMX_ALL_SLOTS], out[VMX_ALL_SLOTS];

/*
 * fork() with every VR and VSCR loaded from in[] and stored to out[] right
 * after: returns the child's pid in the parent, 0 in the child, -errno on
 * failure.
 */
static long fork_all_vmx(void)
{
	long ret;

	asm volatile(VMX_LOAD_ALL
		     SC_SYSCALL
		     VMX_STORE_ALL
		     : [sc_ret] "=&r" (ret)
		     : [vmx_in] "b" (in), [vmx_out] "b" (out), [sc_nr] "i" (__NR_fork)
		     : SC_CLOBBERS, "memory", VMX_ALL_CLOBBERS);
	return ret;
}

/* How many of v0-v31 and VSCR differ between in[] and out[], each printed. */
static int check_all_vmx(const char *who)
{
	int i, j, bad = 0;

	for (i = 0; i < VMX_ALL_SLOTS; i++) {
		for (j = 0; j < 4; j++)
			if (in[i][j] != out[i][j])
				break;
		if (j == 4)
			continue;
		if (i == VMX_SLOT_VSCR)
			printf("%s: VSCR 0x%08x, expected 0x%08x\n", who, out[i][0], in[i][0]);
		else
			printf("%s: v%d 0x%08x %08x %08x %08x, expected 0x%08x %08x %08x %08x\n",
			       who, i, out[i][0], out[i][1], out[i][2], out[i][3],
			       in[i][0], in[i][1], in[i][2], in[i][3]);
		bad++;
	}
	return bad;
}

int vmx_syscall(void)
{
	pid_t fork_pid;
	int i, j;
	int ret;
	int child_ret;

	srandom(getpid());
	for (i = 0; i < 1000; i++) {
		for (j = 0; j < VMX_SLOT_VSCR * 4; j++)
			in[j / 4][j % 4] = random();
		for (j = 0; j < 4; j++)
			in[VMX_SLOT_VSCR][j] = VSCR_VALUE;
		fork_pid = fork_all_vmx();
		if (fork_pid < 0)
			return -1;
		ret = check_all_vmx(fork_pid ? "parent" : "child");
		if (fork_pid == 0)
			exit(ret);
		waitpid(fork_pid, &child_ret, 0);
		if (ret || child_ret)
			return 1;
	}

	return 0;
}

int test_vmx_syscall(void)
{
	/*
	 * Setup an environment with much context switching
	 */
	pid_t pid2;
	pid_t pid;
	int ret;
	int child_ret;

	// vcmpequd used in vmx_asm.S is v2.07
	SKIP_IF(!have_hwcap2(PPC_FEATURE2_ARCH_2_07));

	pid = fork();
	FAIL_IF(pid == -1);

	pid2 = fork();
	ret = vmx_syscall();
	/* Can't FAIL_IF(pid2 == -1); because we've already forked */
	if (pid2 == -1) {
		/*
		 * Couldn't fork, ensure child_ret is set and is a fail
		 */
		ret = child_ret = 1;
	} else {
		if (pid2)
			waitpid(pid2, &child_ret, 0);
		else
			exit(ret);
	}

	ret |= child_ret;

	if (pid)
		waitpid(pid, &child_ret, 0);
	else
		exit(ret);

	FAIL_IF(ret || child_ret);
	return 0;
}

int main(int argc, char *argv[])
{
	return test_harness(test_vmx_syscall, "vmx_syscall");

}
