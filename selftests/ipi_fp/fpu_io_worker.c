// SPDX-License-Identifier: GPL-2.0
/*
 * User FP/vector registers must survive io-wq worker creation.
 *
 * io_uring creates io-wq workers from task_work that the ring owner runs
 * on its way back to user space. When that task_work was queued with
 * TWA_SIGNAL, the owner may have been interrupted (by a reschedule IPI)
 * while it was running user code with live FP/vector registers. Creating
 * the worker copies the owner (copy_process() -> arch_dup_task_struct()),
 * which saves the owner's FP/vector state without giving it up. If that
 * save uses a live register as scratch space and does not put it back,
 * the owner returns to user space with a changed register.
 *
 * On powerpc this is what save_fpu() (FPSCR via fr0) and save_altivec()
 * (VSCR via v0) did before the fix; see MariaDB MDEV-30728.
 *
 * Each round runs in a fresh process, because io-wq is per task and idle
 * workers get reused. The process (the ring owner) pins itself to one CPU
 * and submits chains "read from an empty pipe -> IOSQE_IO_LINK -> openat
 * O_CREAT of a FIFO". The read arms a poll; O_CREAT always punts the
 * openat to io-wq; opening a FIFO without a writer blocks the worker, so
 * the next chain needs a new worker. A helper thread on another CPU waits
 * until the owner spins in user space with known values in its registers,
 * then writes the pipes one at a time, each time waiting until the new
 * worker exists and sleeps. The owner finally stores its registers and the
 * test compares them with what it loaded.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"

#define DEFAULT_ROUNDS		20
#define NR_CHAINS		4
#define WORKER_TIMEOUT_SEC	10
/* Corrupted rounds whose registers are itemised; the rest are counted. */
#define MAX_REPORTED_ROUNDS	3

/* Exit codes of a round's process. */
#define ROUND_CLEAN		0
#define ROUND_CORRUPTED		1
#define ROUND_ERROR		2

#if defined(__powerpc64__)

#define ARCH_REGS_NAME "FP/VMX/VSX"
/* VSX register numbers: vs0-31 overlay fr0-31, vs32-63 are v0-31. */
static const int reg_num[] = { 0, 1, 31, 32, 33, 63 };
#define NR_REGS (sizeof(reg_num) / sizeof(reg_num[0]))

static const char *reg_name(int i)
{
	static const char * const names[] = {
		"vs0 (fr0)", "vs1 (fr1)", "vs31 (fr31)",
		"vs32 (v0)", "vs33 (v1)", "vs63 (v31)",
	};
	return names[i];
}

static bool arch_regs_available(char *why, size_t len)
{
	(void)why;
	(void)len;
	return true;
}

/*
 * Load the registers, tell the helper we are ready, spin until it says
 * stop, store the registers. Only integer registers are used in between.
 * lxvd2x/stxvd2x put the doubleword at the lower address in doubleword 0
 * of the VSR, which is the FPR for vs0-31.
 */
static void spin_with_regs(uint64_t (*in)[2], uint64_t (*out)[2],
			   int *ready, int *stop)
{
	asm volatile(
		"lxvd2x	0,0,%[in0]\n\t"
		"lxvd2x	1,0,%[in1]\n\t"
		"lxvd2x	31,0,%[in2]\n\t"
		"lxvd2x	32,0,%[in3]\n\t"
		"lxvd2x	33,0,%[in4]\n\t"
		"lxvd2x	63,0,%[in5]\n\t"
		"li	9,1\n\t"
		"sync\n\t"
		"stw	9,0(%[ready])\n\t"
		"1:	lwz	9,0(%[stop])\n\t"
		"cmpwi	9,0\n\t"
		"beq	1b\n\t"
		"stxvd2x	0,0,%[out0]\n\t"
		"stxvd2x	1,0,%[out1]\n\t"
		"stxvd2x	31,0,%[out2]\n\t"
		"stxvd2x	32,0,%[out3]\n\t"
		"stxvd2x	33,0,%[out4]\n\t"
		"stxvd2x	63,0,%[out5]\n\t"
		:
		: [in0] "b" (in[0]), [in1] "b" (in[1]), [in2] "b" (in[2]),
		  [in3] "b" (in[3]), [in4] "b" (in[4]), [in5] "b" (in[5]),
		  [out0] "b" (out[0]), [out1] "b" (out[1]), [out2] "b" (out[2]),
		  [out3] "b" (out[3]), [out4] "b" (out[4]), [out5] "b" (out[5]),
		  [ready] "b" (ready), [stop] "b" (stop)
		: "r9", "cr0", "memory", "vs0", "vs1", "vs31", "vs32", "vs33",
		  "vs63");
}

#elif defined(__x86_64__)

#include <cpuid.h>

#define ARCH_REGS_NAME "SSE/AVX"
/* xmm0-15; with AVX the whole ymm register is checked. */
#define NR_REGS 16
static bool have_avx;

static const char *reg_name(int i)
{
	static char name[16];

	snprintf(name, sizeof(name), "%smm%d", have_avx ? "y" : "x", i);
	return name;
}

static bool arch_regs_available(char *why, size_t len)
{
	unsigned int a, b, c, d;

	(void)why;
	(void)len;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) &&
	    (c & bit_OSXSAVE)) {
		unsigned int lo, hi;

		asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
		have_avx = (lo & 6) == 6;
	}
	return true;
}

#define LOAD_X(n)  "movdqu " #n "*32(%[in]), %%xmm" #n "\n\t"
#define STORE_X(n) "movdqu %%xmm" #n ", " #n "*32(%[out])\n\t"
#define LOAD_Y(n)  "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define STORE_Y(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"
#define ALL16(m) m(0) m(1) m(2) m(3) m(4) m(5) m(6) m(7) m(8) m(9) \
		 m(10) m(11) m(12) m(13) m(14) m(15)
#define SPIN "movl $1, (%[ready])\n\t"				\
	     "1: pause\n\t"						\
	     "cmpl $0, (%[stop])\n\t"					\
	     "je 1b\n\t"

/* in/out: NR_REGS slots of 32 bytes (4 x u64); xmm uses the first 16. */
static void spin_with_regs(uint64_t (*in)[4], uint64_t (*out)[4],
			   int *ready, int *stop)
{
	if (have_avx)
		asm volatile(ALL16(LOAD_Y) SPIN ALL16(STORE_Y) "vzeroupper\n\t"
			     :
			     : [in] "r" (in), [out] "r" (out),
			       [ready] "r" (ready), [stop] "r" (stop)
			     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
			       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
			       "xmm15");
	else
		asm volatile(ALL16(LOAD_X) SPIN ALL16(STORE_X)
			     :
			     : [in] "r" (in), [out] "r" (out),
			       [ready] "r" (ready), [stop] "r" (stop)
			     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
			       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
			       "xmm15");
}

#else
#define NR_REGS 1
#define ARCH_REGS_NAME "none"
static const char *reg_name(int i) { (void)i; return "none"; }
static bool arch_regs_available(char *why, size_t len)
{
	snprintf(why, len, "no register check for this architecture");
	return false;
}
#endif

#if defined(__powerpc64__)
#define REG_WORDS 2
#else
#define REG_WORDS 4
#endif

struct round {
	uint64_t in[NR_REGS][REG_WORDS] __attribute__((aligned(32)));
	uint64_t out[NR_REGS][REG_WORDS] __attribute__((aligned(32)));
	int ready;
	int stop;
	int helper_cpu;
	int pipes[NR_CHAINS][2];
	char fifo[NR_CHAINS][64];
	int workers_seen;
	char error[256];
};

static int reg_words(void)
{
#if defined(__x86_64__)
	return have_avx ? 4 : 2;
#else
	return REG_WORDS;
#endif
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Count this process's io-wq workers ("iou-wrk-<pid>") and how many of
 * them are sleeping. A worker that sleeps right after it was created is
 * blocked opening its FIFO.
 */
static void count_workers(int *total, int *sleeping)
{
	char path[300], buf[512];
	struct dirent *de;
	DIR *dir;

	*total = 0;
	*sleeping = 0;
	dir = opendir("/proc/self/task");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char *p;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		if (!strstr(buf, "(iou-wrk-"))
			continue;
		(*total)++;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			(*sleeping)++;
	}
	closedir(dir);
}

static void *helper(void *arg)
{
	struct round *r = arg;
	int i, total, sleeping;
	double deadline;

	if (pin_to_cpu(r->helper_cpu)) {
		snprintf(r->error, sizeof(r->error),
			 "helper: sched_setaffinity(%d): %s", r->helper_cpu,
			 strerror(errno));
		goto out;
	}
	while (!__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE))
		;

	for (i = 0; i < NR_CHAINS; i++) {
		if (write(r->pipes[i][1], "x", 1) != 1) {
			snprintf(r->error, sizeof(r->error),
				 "helper: write to pipe %d: %s", i,
				 strerror(errno));
			goto out;
		}
		/* Wait for worker i+1 to exist and block on its FIFO. */
		deadline = now() + WORKER_TIMEOUT_SEC;
		for (;;) {
			count_workers(&total, &sleeping);
			if (total >= i + 1 && sleeping == total)
				break;
			if (now() > deadline) {
				snprintf(r->error, sizeof(r->error),
					 "io-wq worker %d not created and blocked within %d s (workers %d, sleeping %d)",
					 i + 1, WORKER_TIMEOUT_SEC, total,
					 sleeping);
				goto out;
			}
			sched_yield();
		}
		r->workers_seen = total;
	}
out:
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void fill_pattern(struct round *r, int round)
{
	int i, w;

	for (i = 0; i < NR_REGS; i++)
		for (w = 0; w < REG_WORDS; w++)
			r->in[i][w] = 0x5a00000000000000ULL |
				      ((uint64_t)(round & 0xffff) << 32) |
				      ((uint64_t)i << 16) | (0xa0 + w);
}

/* Runs in a fresh process; returns a ROUND_* code. */
static int run_round(int round, int owner_cpu, int helper_cpu, bool report)
{
	struct io_uring ring;
	struct round *r;
	pthread_t thread;
	char dir[] = "/tmp/fpu_io_worker.XXXXXX";
	char buf[NR_CHAINS];
	int i, w, ret, status = ROUND_CLEAN;

	r = aligned_alloc(64, sizeof(*r));
	if (!r)
		return ROUND_ERROR;
	memset(r, 0, sizeof(*r));
	r->helper_cpu = helper_cpu;
	fill_pattern(r, round);

	if (pin_to_cpu(owner_cpu)) {
		ksft_print_msg("round %d: sched_setaffinity(%d): %s\n", round,
			       owner_cpu, strerror(errno));
		return ROUND_ERROR;
	}
	if (!mkdtemp(dir)) {
		ksft_print_msg("round %d: mkdtemp: %s\n", round,
			       strerror(errno));
		return ROUND_ERROR;
	}
	for (i = 0; i < NR_CHAINS; i++) {
		snprintf(r->fifo[i], sizeof(r->fifo[i]), "%s/fifo%d", dir, i);
		if (mkfifo(r->fifo[i], 0600) || pipe(r->pipes[i])) {
			ksft_print_msg("round %d: mkfifo/pipe: %s\n", round,
				       strerror(errno));
			return ROUND_ERROR;
		}
	}

	ret = io_uring_queue_init(4 * NR_CHAINS, &ring, 0);
	if (ret) {
		ksft_print_msg("round %d: io_uring_queue_init: %s\n", round,
			       strerror(-ret));
		return ROUND_ERROR;
	}
	for (i = 0; i < NR_CHAINS; i++) {
		struct io_uring_sqe *sqe;

		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_read(sqe, r->pipes[i][0], &buf[i], 1, 0);
		sqe->flags |= IOSQE_IO_LINK;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_openat(sqe, AT_FDCWD, r->fifo[i],
				     O_RDONLY | O_CREAT, 0600);
	}
	ret = io_uring_submit(&ring);
	if (ret != 2 * NR_CHAINS) {
		ksft_print_msg("round %d: io_uring_submit: %d\n", round, ret);
		return ROUND_ERROR;
	}

	ret = pthread_create(&thread, NULL, helper, r);
	if (ret) {
		ksft_print_msg("round %d: pthread_create: %s\n", round,
			       strerror(ret));
		return ROUND_ERROR;
	}
	spin_with_regs(r->in, r->out, &r->ready, &r->stop);
	pthread_join(thread, NULL);

	if (r->error[0]) {
		ksft_print_msg("round %d: %s\n", round, r->error);
		status = ROUND_ERROR;
	}
	for (i = 0; i < NR_REGS; i++) {
		for (w = 0; w < reg_words(); w++) {
			if (r->in[i][w] == r->out[i][w])
				continue;
			if (report)
				ksft_print_msg("round %d: %s word %d: expected 0x%016" PRIx64 " seen 0x%016" PRIx64 "\n",
					       round, reg_name(i), w,
					       r->in[i][w], r->out[i][w]);
			status = ROUND_CORRUPTED;
		}
	}

	/* Unblock the workers: a writer lets their FIFO open complete. */
	for (i = 0; i < NR_CHAINS; i++) {
		int fd = open(r->fifo[i], O_WRONLY | O_NONBLOCK);

		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < r->workers_seen; i++) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(&ring, &cqe))
			break;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	for (i = 0; i < NR_CHAINS; i++)
		unlink(r->fifo[i]);
	rmdir(dir);
	return status;
}

#define TEST_NAME "fp_vector_regs_survive_io_worker_creation"

/*
 * Skip the one test case with its name on the result line (in 6.1,
 * ksft_exit_skip() after a plan prints a result line without one).
 */
static void skip_test(const char *why)
{
	printf("ok 1 %s # SKIP %s\n", TEST_NAME, why);
	exit(KSFT_SKIP);
}

static int rounds_requested(int argc, char **argv)
{
	const char *s = getenv("IPI_FP_ROUNDS");
	int opt;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			ksft_exit_fail_msg("usage: %s [-r rounds]\n", argv[0]);
		s = optarg;
	}
	if (!s)
		return DEFAULT_ROUNDS;
	if (atoi(s) < 1)
		ksft_exit_fail_msg("bad round count '%s'\n", s);
	return atoi(s);
}

int main(int argc, char **argv)
{
	int rounds, round, owner_cpu = -1, helper_cpu = -1, cpu;
	int corrupted = 0, errors = 0;
	char why[128] = "";
	cpu_set_t set;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rounds = rounds_requested(argc, argv);
	ksft_print_header();
	ksft_set_plan(1);

	if (!arch_regs_available(why, sizeof(why)))
		skip_test(why);
	if (sched_getaffinity(0, sizeof(set), &set))
		ksft_exit_fail_msg("sched_getaffinity: %s\n", strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (owner_cpu < 0)
			owner_cpu = cpu;
		else if (helper_cpu < 0)
			helper_cpu = cpu;
	}
	if (helper_cpu < 0) {
		snprintf(why, sizeof(why), "needs two CPUs, found %d",
			 CPU_COUNT(&set));
		skip_test(why);
	}

	ksft_print_msg("%s registers, %d rounds, %d io-wq workers per round, owner on CPU %d, helper on CPU %d\n",
		       ARCH_REGS_NAME, rounds, NR_CHAINS, owner_cpu,
		       helper_cpu);
	for (round = 0; round < rounds; round++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (pid == 0)
			_exit(run_round(round, owner_cpu, helper_cpu,
					corrupted < MAX_REPORTED_ROUNDS));
		if (waitpid(pid, &status, 0) != pid)
			ksft_exit_fail_msg("waitpid: %s\n", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status) == ROUND_ERROR)
			errors++;
		else if (WEXITSTATUS(status) == ROUND_CORRUPTED)
			corrupted++;
	}
	ksft_print_msg("fpu_io_worker: rounds %d, corrupted %d, errors %d\n",
		       rounds, corrupted, errors);
	ksft_test_result(!corrupted && !errors, TEST_NAME "\n");
	ksft_finished();
}
