// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A signal raised while the kernel runs task_work on the way out of a
 * system call must reach its handler like any other signal.
 *
 * io_uring completes a request that waited for its file through
 * task_work queued with TWA_SIGNAL: the submitting task gets
 * TIF_NOTIFY_SIGNAL, not TIF_SIGPENDING, and runs the work from
 * get_signal() on its next return to user. A write to a pipe whose
 * reader has gone, retried from there, raises SIGPIPE in that task, and
 * get_signal() goes on to deliver it on the same pass. The syscall exit
 * asked for a full register restore only when TIF_SIGPENDING was set on
 * entry to the work loop, so the signal frame was entered through the
 * fast return of sc (CTR and r4-r12 zeroed) or scv (LR = NIP, CTR = MSR):
 * the vDSO trampoline's bctrl then branched to 0, or to the value of the
 * MSR, instead of the handler, and the task died of SIGSEGV.
 *
 * The test makes that happen on every run. It links two io_uring
 * requests: a poll for input on an empty pipe, then a write to a pipe
 * whose reader is closed. Writing one byte into the first pipe, with sc
 * and then with scv, wakes the poll from within that system call; on its
 * way out the task runs the completion, which issues the linked write,
 * which raises SIGPIPE. The handler must run, once and with its
 * arguments, and the write must return 1.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>
#include <linux/io_uring.h>

#include "utils.h"

#ifndef PPC_FEATURE2_SCV
#define PPC_FEATURE2_SCV	0x00100000
#endif

/*
 * Written by the handler, which runs inside the asm statement of
 * write_sc() or write_scv(): their "memory" clobber makes the compiler
 * read these again afterwards.
 */
static int sigpipe_count, sigpipe_bad_args;

static void sigpipe_handler(int sig, siginfo_t *info, void *ctx)
{
	if (sig != SIGPIPE || !info || info->si_signo != SIGPIPE || !ctx)
		sigpipe_bad_args = 1;
	sigpipe_count++;
}

/*
 * Where the SIGPIPE handler's entry went instead: the SIGSEGV frame comes
 * from a fault, whose exit restores every register, so this one runs.
 */
static void sigsegv_handler(int sig, siginfo_t *info, void *ctx)
{
	ucontext_t *uc = ctx;

	fprintf(stderr, "SIGSEGV at %p, CTR %#lx, LR %#lx: %s\n",
		info->si_addr, uc->uc_mcontext.gp_regs[PT_CTR],
		uc->uc_mcontext.gp_regs[PT_LNK],
		"the signal frame was entered without its registers");
	_exit(1);
}

/* write(fd, buf, len) through sc: an error is returned negated. */
static long write_sc(int fd, const void *buf, unsigned long len)
{
	register long r0 asm("r0") = __NR_write;
	register long r3 asm("r3") = fd;
	register long r4 asm("r4") = (long)buf;
	register long r5 asm("r5") = len;

	asm volatile("sc\n\t"
		     "bns+ 1f\n\t"
		     "neg %1,%1\n"
		     "1:"
		     : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5)
		     :
		     : "r6", "r7", "r8", "r9", "r10", "r11", "r12",
		       "ctr", "xer", "cr0", "memory");
	return r3;
}

/* write(fd, buf, len) through scv 0, which also clobbers LR and CTR. */
static long write_scv(int fd, const void *buf, unsigned long len)
{
	register long r0 asm("r0") = __NR_write;
	register long r3 asm("r3") = fd;
	register long r4 asm("r4") = (long)buf;
	register long r5 asm("r5") = len;

	asm volatile(".long 0x44000001	# scv 0"
		     : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5)
		     :
		     : "r6", "r7", "r8", "r9", "r10", "r11", "r12",
		       "lr", "ctr", "xer", "cr0", "cr1", "cr5", "cr6", "cr7",
		       "memory");
	return r3;
}

/* An io_uring of two entries, by the raw system calls. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r)
{
	struct io_uring_params p;
	size_t sq_len, cq_len;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = syscall(__NR_io_uring_setup, 2, &p);
	if (r->fd < 0)
		return -1;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (cq_len > sq_len)
			sq_len = cq_len;
		cq_len = sq_len;
	}
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -1;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  r->fd, IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -1;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = *(unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/*
 * Submit a poll for input on @poll_fd and, linked to it, a write of one
 * byte of @buf to @write_fd; 0 once both are queued.
 */
static int ring_poll_then_write(struct ring *r, int poll_fd, int write_fd,
				const void *buf)
{
	unsigned int tail = *r->sq_tail;

	memset(r->sqes, 0, 2 * sizeof(r->sqes[0]));
	r->sqes[0].opcode = IORING_OP_POLL_ADD;
	r->sqes[0].fd = poll_fd;
	r->sqes[0].poll32_events = POLLIN;
	r->sqes[0].flags = IOSQE_IO_LINK;
	r->sqes[1].opcode = IORING_OP_WRITE;
	r->sqes[1].fd = write_fd;
	r->sqes[1].addr = (unsigned long)buf;
	r->sqes[1].len = 1;
	r->sq_array[0] = 0;
	r->sq_array[1] = 1;
	__atomic_store_n(r->sq_tail, tail + 2, __ATOMIC_RELEASE);
	return syscall(__NR_io_uring_enter, r->fd, 2, 0, 0, NULL, 0) == 2 ? 0 : -1;
}

/* The result of the completion that is there, or 1 if there is none. */
static int ring_result(struct ring *r)
{
	unsigned int head = *r->cq_head;
	int res;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return 1;
	res = r->cqes[head & r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int sigpipe_from_task_work(long (*write_fn)(int, const void *, unsigned long))
{
	struct sigaction sa = { .sa_flags = SA_SIGINFO };
	int trigger[2], broken[2], res;
	static const char byte = 1;
	struct ring r;
	long ret;

	sa.sa_sigaction = sigsegv_handler;
	FAIL_IF(sigaction(SIGSEGV, &sa, NULL));
	sa.sa_sigaction = sigpipe_handler;
	FAIL_IF(sigaction(SIGPIPE, &sa, NULL));

	SKIP_IF_MSG(ring_setup(&r), "io_uring is not available");

	/* A pipe to wake the poll, and one that nobody reads. */
	FAIL_IF(pipe2(trigger, O_NONBLOCK));
	FAIL_IF(pipe2(broken, O_NONBLOCK));
	FAIL_IF(close(broken[0]));
	FAIL_IF(ring_poll_then_write(&r, trigger[0], broken[1], &byte));
	FAIL_IF_MSG(ring_result(&r) != 1, "the poll completed before its pipe had input");

	/*
	 * This write wakes the poll; on its way out the task runs the
	 * completion and the linked write, which raises SIGPIPE.
	 */
	sigpipe_count = 0;
	sigpipe_bad_args = 0;
	ret = write_fn(trigger[1], &byte, 1);
	FAIL_IF_MSG(ret != 1, "the write to the poll's pipe failed");
	FAIL_IF_MSG(sigpipe_count != 1, "the SIGPIPE handler did not run once");
	FAIL_IF_MSG(sigpipe_bad_args, "the SIGPIPE handler got wrong arguments");
	res = ring_result(&r);
	FAIL_IF_MSG(!(res > 0 && (res & POLLIN)), "the poll did not complete with POLLIN");
	res = ring_result(&r);
	FAIL_IF_MSG(res != -EPIPE, "the linked write did not complete with EPIPE");

	close(trigger[0]);
	close(trigger[1]);
	close(broken[1]);
	close(r.fd);
	return 0;
}

static int sigpipe_from_task_work_sc(void)
{
	return sigpipe_from_task_work(write_sc);
}

static int sigpipe_from_task_work_scv(void)
{
	SKIP_IF_MSG(!have_hwcap2(PPC_FEATURE2_SCV), "scv is not available");
	return sigpipe_from_task_work(write_scv);
}

int main(void)
{
	int failed;

	failed = test_harness(sigpipe_from_task_work_sc, "sigpipe_from_task_work_sc");
	failed |= test_harness(sigpipe_from_task_work_scv, "sigpipe_from_task_work_scv");
	return failed ? 1 : 0;
}
