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
 *
 * The race window is open in a round when every chain's worker was created
 * while the owner spun with its registers loaded; the counter line
 * (ipi_fp_counts.h) says in how many rounds that happened. The option
 * -M no-worker breaks the test on purpose (the helper completes no read,
 * so no worker is created): the harness's own tests use it to check that
 * such a run is an ERROR, not a PASS.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
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
#include "fpu_regs.h"
#include "ipi_fp_counts.h"
#include "ipi_fp_uring.h"

#define TEST_NAME		"fp_vector_regs_survive_io_worker_creation"
#define DEFAULT_ROUNDS		20
#define NR_CHAINS		4
#define WORKER_TIMEOUT_SEC	10
/* Corrupted rounds whose registers are itemised; the rest are counted. */
#define MAX_REPORTED_ROUNDS	3

/* Exit code of a round's process: ROUND_ERROR, or the two bits. */
#define ROUND_CLEAN		0
#define ROUND_CORRUPTED		1
#define ROUND_ERROR		2
#define ROUND_IN_WINDOW		4

static bool mutate_no_worker;

static struct fpu_regs regs;

struct round {
	uint64_t in[FPU_MAX_REGS][FPU_SLOT_WORDS];
	uint64_t out[FPU_MAX_REGS][FPU_SLOT_WORDS];
	int ready;
	int stop;
	int helper_cpu;
	int pipes[NR_CHAINS][2];
	char fifo[NR_CHAINS][64];
	int workers_seen;
	int chains_started;
	char error[256];
};

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
 * them sleep. A worker that sleeps right after it was created is blocked
 * opening its FIFO.
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

/*
 * Runs on the other CPU: once the owner spins with its registers loaded,
 * complete the chains' reads one at a time. Each completion is task_work
 * for the owner, delivered by an IPI while it runs user code; the linked
 * openat(O_CREAT) is punted to io-wq, which has no free worker and creates
 * one from that task_work. Wait until the new worker exists and blocks on
 * its FIFO before the next read, so that each chain needs a new worker.
 */
static void *helper(void *arg)
{
	struct round *r = arg;
	int i, total, sleeping;
	double deadline;

	if (pin_to_cpu(r->helper_cpu)) {
		snprintf(r->error, sizeof(r->error),
			 "%s: sched_setaffinity(%d): %s", __func__,
			 r->helper_cpu, strerror(errno));
		goto out;
	}
	while (!__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE))
		;

	for (i = 0; i < NR_CHAINS && !mutate_no_worker; i++) {
		if (write(r->pipes[i][1], "x", 1) != 1) {
			snprintf(r->error, sizeof(r->error),
				 "%s: write to pipe %d: %s", __func__, i,
				 strerror(errno));
			goto out;
		}
		r->chains_started = i + 1;
		deadline = now() + WORKER_TIMEOUT_SEC;
		for (;;) {
			count_workers(&total, &sleeping);
			if (total >= i + 1 && sleeping == total)
				break;
			if (now() > deadline) {
				snprintf(r->error, sizeof(r->error),
					 "io-wq worker %d not blocked within %d s (workers %d, sleeping %d)",
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

	for (i = 0; i < regs.nr; i++)
		for (w = 0; w < FPU_SLOT_WORDS; w++)
			r->in[i][w] = 0x5a00000000000000ULL |
				      ((uint64_t)(round & 0xffff) << 32) |
				      ((uint64_t)i << 16) | (0xa0 + w);
}

static void report_word(int round, int i, int w, uint64_t want, uint64_t got)
{
	ksft_print_msg("round %d: %s word %d: expected 0x%016llx seen 0x%016llx\n",
		       round, fpu_reg_name(i), w, (unsigned long long)want,
		       (unsigned long long)got);
}

static int compare(struct round *r, int round, bool report)
{
	int i, w, status = ROUND_CLEAN;

	for (i = 0; i < regs.nr; i++) {
		for (w = 0; w < regs.words; w++) {
			if (r->in[i][w] == r->out[i][w])
				continue;
			if (report)
				report_word(round, i, w, r->in[i][w],
					    r->out[i][w]);
			status = ROUND_CORRUPTED;
		}
	}
	return status;
}

static int setup(struct round *r, struct io_uring *ring, char *dir, int round)
{
	int i, ret;

	for (i = 0; i < NR_CHAINS; i++) {
		snprintf(r->fifo[i], sizeof(r->fifo[i]), "%s/fifo%d", dir, i);
		if (mkfifo(r->fifo[i], 0600) || pipe(r->pipes[i])) {
			ksft_print_msg("round %d: mkfifo/pipe: %s\n", round,
				       strerror(errno));
			return -1;
		}
	}
	ret = io_uring_queue_init(4 * NR_CHAINS, ring, 0);
	if (ret) {
		ksft_print_msg("round %d: io_uring_queue_init: %s\n", round,
			       strerror(-ret));
		return -1;
	}
	for (i = 0; i < NR_CHAINS; i++) {
		struct io_uring_sqe *sqe;
		static char byte;

		sqe = io_uring_get_sqe(ring);
		io_uring_prep_read(sqe, r->pipes[i][0], &byte, 1, 0);
		sqe->flags |= IOSQE_IO_LINK;
		sqe = io_uring_get_sqe(ring);
		io_uring_prep_openat(sqe, AT_FDCWD, r->fifo[i],
				     O_RDONLY | O_CREAT, 0600);
	}
	ret = io_uring_submit(ring);
	if (ret != 2 * NR_CHAINS) {
		ksft_print_msg("round %d: io_uring_submit: %d\n", round, ret);
		return -1;
	}
	return 0;
}

/*
 * Reaps the two completions of every chain the helper started; returns -1
 * if one does not arrive within WORKER_TIMEOUT_SEC.
 */
static int teardown(struct round *r, struct io_uring *ring, char *dir,
		    int round)
{
	struct __kernel_timespec ts = { .tv_sec = WORKER_TIMEOUT_SEC };
	struct io_uring_cqe *cqe;
	int i, ret = 0, fd[NR_CHAINS];

	/*
	 * A writer lets each worker's FIFO open complete. Hold one open on
	 * every FIFO until the completions are in: a worker counted as
	 * sleeping may not have reached its open yet, and an O_WRONLY open
	 * that finds no reader fails (ENXIO) and would leave that worker
	 * blocked for good. O_RDWR never blocks on a FIFO (fifo(7)).
	 */
	for (i = 0; i < NR_CHAINS; i++)
		fd[i] = open(r->fifo[i], O_RDWR | O_NONBLOCK);
	for (i = 0; i < 2 * r->chains_started; i++) {
		if (io_uring_wait_cqe_timeout(ring, &cqe, &ts)) {
			ksft_print_msg("round %d: completion %d of %d not in within %d s\n",
				       round, i + 1, 2 * r->chains_started,
				       WORKER_TIMEOUT_SEC);
			ret = -1;
			break;
		}
		io_uring_cqe_seen(ring, cqe);
	}
	for (i = 0; i < NR_CHAINS; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	io_uring_queue_exit(ring);
	for (i = 0; i < NR_CHAINS; i++)
		unlink(r->fifo[i]);
	rmdir(dir);
	return ret;
}

/*
 * Runs in a fresh process (io-wq is per task), with its FIFOs in @dir, a
 * directory the parent made; returns a ROUND_* code.
 */
static int run_round(int round, int owner_cpu, int helper_cpu, bool report,
		     char *dir)
{
	struct io_uring ring;
	pthread_t thread;
	struct round *r;
	int ret, status;

	r = calloc(1, sizeof(*r));
	if (!r)
		return ROUND_ERROR;
	r->helper_cpu = helper_cpu;
	fill_pattern(r, round);
	if (pin_to_cpu(owner_cpu)) {
		ksft_print_msg("round %d: sched_setaffinity(%d): %s\n", round,
			       owner_cpu, strerror(errno));
		return ROUND_ERROR;
	}
	if (setup(r, &ring, dir, round))
		return ROUND_ERROR;
	ret = pthread_create(&thread, NULL, helper, r);
	if (ret) {
		ksft_print_msg("round %d: pthread_create: %s\n", round,
			       strerror(ret));
		return ROUND_ERROR;
	}
	fpu_regs_spin(&r->in[0][0], &r->out[0][0], &r->ready, &r->stop);
	pthread_join(thread, NULL);

	status = compare(r, round, report);
	if (r->error[0]) {
		ksft_print_msg("round %d: %s\n", round, r->error);
		status = ROUND_ERROR;
	} else if (r->workers_seen == NR_CHAINS) {
		status |= ROUND_IN_WINDOW;
	}
	if (teardown(r, &ring, dir, round))
		status = ROUND_ERROR;
	return status;
}

/*
 * Skip the one test case with its name on the result line (in 6.1,
 * ksft_exit_skip() after a plan prints a result line without one).
 */
static void skip_test(const char *why)
{
	printf("ok 1 %s # SKIP %s\n", TEST_NAME, why);
	exit(KSFT_SKIP);
}

/*
 * The running round, for a kill (SIGTERM from the kselftest timeout,
 * SIGINT) of the parent: the round's process is killed and reaped, and
 * its FIFOs and directory removed, before the parent dies of the signal.
 */
static pid_t parent_pid, round_pid;
static char round_dir[32], round_fifo[NR_CHAINS][64];

static void remove_round_dir(void)
{
	int i;

	for (i = 0; i < NR_CHAINS; i++)
		unlink(round_fifo[i]);
	rmdir(round_dir);
}

static void undo_and_die(int sig)
{
	if (getpid() == parent_pid) {
		if (round_pid > 0) {
			kill(round_pid, SIGKILL);
			waitpid(round_pid, NULL, 0);
		}
		if (round_dir[0])
			remove_round_dir();
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int rounds_requested(int argc, char **argv)
{
	int opt, rounds = DEFAULT_ROUNDS;

	while ((opt = getopt(argc, argv, "r:M:")) != -1) {
		if (opt == 'M' && !strcmp(optarg, "no-worker")) {
			mutate_no_worker = true;
			continue;
		}
		if (opt != 'r' || atoi(optarg) < 1)
			ksft_exit_fail_msg("usage: %s [-r rounds] [-M no-worker]\n",
					   argv[0]);
		rounds = atoi(optarg);
	}
	return rounds;
}

int main(int argc, char **argv)
{
	int rounds, round, owner_cpu = -1, helper_cpu = -1, cpu;
	struct ipi_fp_counts c = { .kind = "race" };
	char why[128] = "";
	cpu_set_t set;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rounds = rounds_requested(argc, argv);
	ksft_print_header();
	ksft_set_plan(1);

	if (!fpu_regs_probe(&regs, why, sizeof(why)))
		skip_test(why);
	if (!ipi_fp_io_uring_usable(why, sizeof(why)))
		skip_test(why);
	parent_pid = getpid();
	signal(SIGTERM, undo_and_die);
	signal(SIGINT, undo_and_die);
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

	ksft_print_msg("%s, %d rounds, %d io-wq workers each, CPUs %d+%d%s\n",
		       regs.kind, rounds, NR_CHAINS, owner_cpu, helper_cpu,
		       mutate_no_worker ? " (-M no-worker: no worker is created)" : "");
	c.requested = rounds;
	for (round = 0; round < rounds; round++) {
		int status, i;
		pid_t pid;

		strcpy(round_dir, "/tmp/fpu_io_worker.XXXXXX");
		if (!mkdtemp(round_dir))
			ksft_exit_fail_msg("mkdtemp: %s\n", strerror(errno));
		for (i = 0; i < NR_CHAINS; i++)
			snprintf(round_fifo[i], sizeof(round_fifo[i]), "%s/fifo%d",
				 round_dir, i);
		pid = fork();
		if (pid < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			_exit(run_round(round, owner_cpu, helper_cpu,
					c.bad < MAX_REPORTED_ROUNDS, round_dir));
		}
		round_pid = pid;
		if (waitpid(pid, &status, 0) != pid)
			ksft_exit_fail_msg("waitpid: %s\n", strerror(errno));
		round_pid = 0;
		remove_round_dir();
		c.rounds++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) == ROUND_ERROR) {
			c.errors++;
			continue;
		}
		if (WEXITSTATUS(status) & ROUND_CORRUPTED)
			c.bad++;
		if (WEXITSTATUS(status) & ROUND_IN_WINDOW)
			c.window++;
	}
	ksft_print_msg("%s: rounds %d, corrupted %d, errors %d\n",
		       TEST_NAME, c.rounds, c.bad, c.errors);
	ksft_print_msg("all workers created under live registers in %d rounds\n",
		       c.window);
	ipi_fp_print_counts(TEST_NAME, &c, "");
	ksft_test_result(!c.bad && !c.errors, TEST_NAME "\n");
	ksft_finished();
}
