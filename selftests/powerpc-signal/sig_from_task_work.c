// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What task_work does on a task's way out of a system call must not
 * break the registers the task returns with.
 *
 * io_uring completes a request that waited for its file through
 * task_work queued with TWA_SIGNAL: the submitting task gets
 * TIF_NOTIFY_SIGNAL, not TIF_SIGPENDING, and runs the work from
 * get_signal() on its next return to user. The syscall exit asked for a
 * full register restore only when TIF_SIGPENDING was set on entry to the
 * work loop, so what do_signal() wrote into pt_regs after such work was
 * lost to the fast return of sc (r0, r4-r12 and CTR zeroed) or scv
 * (LR = NIP, CTR = MSR):
 *
 * - a signal the work raised, or that arrived meanwhile, entered the vDSO
 *   trampoline, whose bctrl branched to 0 or to the MSR value instead of
 *   the handler: SIGSEGV;
 * - a blocking system call woken only to run the work was restarted with
 *   r0 zeroed, so the sc ran again as restart_syscall() and returned
 *   EINTR.
 *
 * Both cases are forced in the same way, with sc and then with scv, with
 * no timing involved. Two linked io_uring requests, a poll for input on
 * an empty pipe and a write to another pipe, are queued; the poll's pipe
 * gets a byte; the task runs the completion, which issues the write.
 *
 * sigpipe_from_task_work: the task writes that byte itself, so it leaves
 * that write() with only TIF_NOTIFY_SIGNAL set. The linked write goes to
 * a pipe with no reader and raises SIGPIPE inside get_signal(). The
 * SIGPIPE handler must run, once and with its arguments, and the write()
 * must return 1.
 *
 * read_restart_after_task_work: the task blocks in read() on the pipe of
 * the linked write, and a thread writes the byte once the task is
 * asleep. The read() is interrupted with -ERESTARTSYS and no signal, and
 * restarted after the work, which has written the byte it then reads: it
 * must return 1.
 *
 * A task whose system calls are traced (ptrace, seccomp, audit, syscall
 * tracepoints) always takes the full restore, where neither case can
 * fail; the test skips under ptrace and seccomp.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
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
 * syscall3(): its "memory" clobber makes the compiler read these again
 * afterwards.
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

/*
 * System call @nr with three arguments, through scv 0 or sc; an error is
 * returned negated. The clobbers are those of each instruction's ABI.
 */
static long syscall3(bool scv, long nr, long a, long b, long c)
{
	register long r0 asm("r0") = nr;
	register long r3 asm("r3") = a;
	register long r4 asm("r4") = b;
	register long r5 asm("r5") = c;

	if (scv)
		asm volatile(".long 0x44000001	# scv 0"
			     : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5)
			     :
			     : "r6", "r7", "r8", "r9", "r10", "r11", "r12",
			       "lr", "ctr", "xer", "cr0", "cr1", "cr5", "cr6",
			       "cr7", "memory");
	else
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

/* An io_uring of two entries, by the raw system calls. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

/* 0, 1 where io_uring cannot be set up, or -1 on another error. */
static int ring_setup(struct ring *r)
{
	struct io_uring_params p;
	size_t sq_len, cq_len;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = syscall(__NR_io_uring_setup, 2, &p);
	if (r->fd < 0)
		return 1;
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
	unsigned int tail = *r->sq_tail, events = POLLIN;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	/* The kernel swaps the halves of poll32_events back on big-endian. */
	events = events << 16 | events >> 16;
#endif
	memset(r->sqes, 0, 2 * sizeof(r->sqes[0]));
	r->sqes[0].opcode = IORING_OP_POLL_ADD;
	r->sqes[0].fd = poll_fd;
	r->sqes[0].poll32_events = events;
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

/* Take the oldest completion into @res; false if there is none. */
static bool ring_reap(struct ring *r, int *res)
{
	unsigned int head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*res = r->cqes[head & r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/* The poll completed with POLLIN, and the linked write with @want. */
static int check_completions(struct ring *r, int want)
{
	int res;

	FAIL_IF_MSG(!ring_reap(r, &res) || res <= 0 || !(res & POLLIN),
		    "the poll did not complete with POLLIN");
	FAIL_IF_MSG(!ring_reap(r, &res) || res != want,
		    "the linked write did not complete as expected");
	return 0;
}

/* True where system call tracing would take the full restore anyway. */
static bool syscalls_traced(void)
{
	char line[128];
	bool traced = false;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if ((!strncmp(line, "TracerPid:", 10) || !strncmp(line, "Seccomp:", 8)) &&
		    strtol(strchr(line, ':') + 1, NULL, 10) != 0)
			traced = true;
	fclose(f);
	return traced;
}

/*
 * The pipes are non-blocking where io_uring writes or polls them: 6.1's
 * pipes lack FMODE_NOWAIT, and io_uring takes O_NONBLOCK for it; without
 * either it hands the write to an io-wq worker, and the SIGPIPE to that
 * worker.
 */
static int sigpipe_from_task_work(bool scv)
{
	struct sigaction sa = { .sa_flags = SA_SIGINFO };
	int trigger[2], broken[2], res;
	static const char byte = 1;
	struct ring r;
	long ret;

	SKIP_IF_MSG(scv && !have_hwcap2(PPC_FEATURE2_SCV), "scv is not available");
	SKIP_IF_MSG(syscalls_traced(), "system calls are traced (ptrace or seccomp)");
	sa.sa_sigaction = sigsegv_handler;
	FAIL_IF(sigaction(SIGSEGV, &sa, NULL));
	sa.sa_sigaction = sigpipe_handler;
	FAIL_IF(sigaction(SIGPIPE, &sa, NULL));

	res = ring_setup(&r);
	SKIP_IF_MSG(res == 1, "io_uring is not available");
	FAIL_IF(res);

	/* A pipe to wake the poll, and one that nobody reads. */
	FAIL_IF(pipe2(trigger, O_NONBLOCK));
	FAIL_IF(pipe2(broken, O_NONBLOCK));
	FAIL_IF(close(broken[0]));
	FAIL_IF(ring_poll_then_write(&r, trigger[0], broken[1], &byte));
	FAIL_IF_MSG(ring_reap(&r, &res), "the poll completed before its pipe had input");

	/*
	 * This write wakes the poll; on its way out the task runs the
	 * completion and the linked write, which raises SIGPIPE.
	 */
	sigpipe_count = 0;
	sigpipe_bad_args = 0;
	ret = syscall3(scv, __NR_write, trigger[1], (long)&byte, 1);
	FAIL_IF_MSG(ret != 1, "the write to the poll's pipe failed");
	FAIL_IF_MSG(sigpipe_count != 1, "the SIGPIPE handler did not run once");
	FAIL_IF_MSG(sigpipe_bad_args, "the SIGPIPE handler got wrong arguments");
	FAIL_IF(check_completions(&r, -EPIPE));

	close(trigger[0]);
	close(trigger[1]);
	close(broken[1]);
	close(r.fd);
	return 0;
}

struct waker {
	pid_t tid;	/* the task to wait for */
	int fd;		/* where to write once it sleeps */
	int ret;
};

/* Wait until the task sleeps (in its read()), then write a byte. */
static void *wake_when_asleep(void *arg)
{
	struct waker *w = arg;
	static const char byte = 1;
	char path[64], buf[256], *state;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", w->tid);
	for (;;) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			break;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			break;
		buf[n] = '\0';
		state = strrchr(buf, ')');
		if (state && state[1] == ' ' && state[2] == 'S') {
			w->ret = write(w->fd, &byte, 1) == 1 ? 0 : -1;
			return NULL;
		}
		sched_yield();
	}
	w->ret = -1;
	return NULL;
}

static int read_restart_after_task_work(bool scv)
{
	int trigger[2], data[2], res;
	struct waker w;
	pthread_t thread;
	static const char byte = 1;
	struct ring r;
	char c = 0;
	long ret;

	SKIP_IF_MSG(scv && !have_hwcap2(PPC_FEATURE2_SCV), "scv is not available");
	SKIP_IF_MSG(syscalls_traced(), "system calls are traced (ptrace or seccomp)");
	res = ring_setup(&r);
	SKIP_IF_MSG(res == 1, "io_uring is not available");
	FAIL_IF(res);

	/* The poll's pipe, and the one this task reads, blocking. */
	FAIL_IF(pipe2(trigger, O_NONBLOCK));
	FAIL_IF(pipe(data));
	FAIL_IF(fcntl(data[1], F_SETFL, O_NONBLOCK));
	FAIL_IF(ring_poll_then_write(&r, trigger[0], data[1], &byte));
	FAIL_IF_MSG(ring_reap(&r, &res), "the poll completed before its pipe had input");

	w.tid = gettid();
	w.fd = trigger[1];
	w.ret = -1;
	FAIL_IF(pthread_create(&thread, NULL, wake_when_asleep, &w));
	/*
	 * Asleep here, this read() is woken for the task_work and returns
	 * -ERESTARTSYS; restarted after it, it reads the linked write's byte.
	 */
	ret = syscall3(scv, __NR_read, data[0], (long)&c, 1);
	FAIL_IF(pthread_join(thread, NULL));
	FAIL_IF_MSG(w.ret, "the thread could not wake the poll");
	if (ret != 1)
		fprintf(stderr, "read() returned %ld, not 1\n", ret);
	FAIL_IF_MSG(ret != 1 || c != byte, "the restarted read() did not read the byte");
	FAIL_IF(check_completions(&r, 1));

	close(trigger[0]);
	close(trigger[1]);
	close(data[0]);
	close(data[1]);
	close(r.fd);
	return 0;
}

static int sigpipe_from_task_work_sc(void)
{
	return sigpipe_from_task_work(false);
}

static int sigpipe_from_task_work_scv(void)
{
	return sigpipe_from_task_work(true);
}

static int read_restart_after_task_work_sc(void)
{
	return read_restart_after_task_work(false);
}

static int read_restart_after_task_work_scv(void)
{
	return read_restart_after_task_work(true);
}

int main(void)
{
	int failed;

	failed = test_harness(sigpipe_from_task_work_sc, "sigpipe_from_task_work_sc");
	failed |= test_harness(sigpipe_from_task_work_scv, "sigpipe_from_task_work_scv");
	failed |= test_harness(read_restart_after_task_work_sc,
			       "read_restart_after_task_work_sc");
	failed |= test_harness(read_restart_after_task_work_scv,
			       "read_restart_after_task_work_scv");
	return failed ? 1 : 0;
}
