// SPDX-License-Identifier: GPL-2.0
/*
 * What pinning O_DIRECT pages costs: a measurement, not a verdict.
 *
 * fork() of a process that has pinned pages (MMF_HAS_PINNED, set by its
 * first O_DIRECT read once direct I/O pins) checks every anonymous page
 * for a pin. The first case times fork() + exit + wait with 1, 10, 100 and
 * 1000 MiB of touched anonymous memory, in a process that did an O_DIRECT
 * read first and, alternating with it, in one that did not (NAME_no_dio);
 * the harness divides the two, a ratio inside one guest. The second times
 * 4 KiB O_DIRECT reads from a RAM disk (brd), where pinning instead of
 * referencing is the only change. Each number is the median of 7 runs of
 * 200 ms (forks or reads back to back); the harness compares patched with
 * unpatched kernels of the same run. A case fails only if the operations
 * themselves fail (or a RAM disk read returns short).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ipi_fp_counts.h"

#define RUNS		7
#define RUN_NS		200000000LL	/* 200 ms per run */
#define RAMDISK		"/dev/ram0"
#define READ_LEN	4096

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long median(long long *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_ll);
	return v[RUNS / 2];
}

/* One O_DIRECT read, so that a pinning kernel marks this mm as pinning. */
static int dio_read_once(int fd, void *buf)
{
	return pread(fd, buf, READ_LEN, 0) == READ_LEN ? 0 : -1;
}

/*
 * fork() + exit + wait, back to back for RUN_NS, in a fresh process that
 * has touched len bytes of anonymous memory and, if after_dio, has done
 * an O_DIRECT read first. Returns forks/s, or -1.
 */
static long long fork_rate(int fd, size_t len, bool after_dio)
{
	long long rate = -1, start, n;
	int p[2], status;
	void *buf;
	char *mem;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (posix_memalign(&buf, READ_LEN, READ_LEN) ||
		    (after_dio && dio_read_once(fd, buf)))
			_exit(1);
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		memset(mem, 1, len);
		start = now_ns();
		for (n = 0; now_ns() - start < RUN_NS; n++) {
			pid_t child = fork();

			if (child < 0)
				_exit(1);
			if (child == 0)
				_exit(0);
			if (waitpid(child, &status, 0) != child)
				_exit(1);
		}
		rate = n * 1000000000LL / (now_ns() - start);
		_exit(write(p[1], &rate, sizeof(rate)) == sizeof(rate) ? 0 : 1);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &rate, sizeof(rate)) != sizeof(rate))
		rate = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return rate;
}

/*
 * Runs alternate between a process that did an O_DIRECT read and one that
 * did not, so that both see the same guest. On a kernel whose O_DIRECT
 * pins, only the first has MMF_HAS_PINNED; their ratio is the fork() cost
 * of pinning within this guest.
 */
static int fork_cost(int fd)
{
	static const int mib[] = { 1, 10, 100, 1000 };
	long long dio[RUNS], plain[RUNS], a, b;
	int i, r;

	for (i = 0; i < (int)ARRAY_SIZE(mib); i++) {
		size_t len = (size_t)mib[i] << 20;

		for (r = 0; r < RUNS; r++) {
			dio[r] = fork_rate(fd, len, true);
			plain[r] = fork_rate(fd, len, false);
			if (dio[r] < 0 || plain[r] < 0) {
				ksft_print_msg("fork run with %d MiB failed\n",
					       mib[i]);
				return -1;
			}
		}
		a = median(dio);
		b = median(plain);
		ksft_print_msg("fork_%dMiB: %lld forks/s\n", mib[i], a);
		ksft_print_msg("fork_%dMiB_no_dio: %lld forks/s\n", mib[i], b);
	}
	return 0;
}

static int read_cost(int fd, void *buf)
{
	long long per_s[RUNS], start, n;
	unsigned int seed = 1;
	off_t size = lseek(fd, 0, SEEK_END);
	int r;

	if (size < READ_LEN) {
		ksft_print_msg("%s: size %lld\n", RAMDISK, (long long)size);
		return -1;
	}
	for (r = 0; r < RUNS; r++) {
		start = now_ns();
		for (n = 0; now_ns() - start < RUN_NS; n++) {
			off_t off = (rand_r(&seed) % (size / READ_LEN)) *
				    READ_LEN;

			if (pread(fd, buf, READ_LEN, off) != READ_LEN) {
				ksft_print_msg("pread %s at %lld: %s\n",
					       RAMDISK, (long long)off,
					       strerror(errno));
				return -1;
			}
		}
		per_s[r] = n * 1000000000LL / (now_ns() - start);
	}
	ksft_print_msg("dio_4k_read_ram0: %lld reads/s\n", median(per_s));
	return 0;
}

/* A measurement's counter line and result: it fails only on errors. */
static void measured(const char *name, int ret)
{
	ipi_fp_print_counts(name, &(struct ipi_fp_counts){
		.kind = "measure", .requested = 1, .rounds = 1,
		.errors = ret != 0, .window = 1 }, "");
	ksft_test_result(!ret, "%s\n", name);
}

int main(void)
{
	void *buf;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(2);

	fd = open(RAMDISK, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		ksft_print_msg("%s: %s\n", RAMDISK, strerror(errno));
		printf("ok 1 fork_latency_after_dio # SKIP no %s (CONFIG_BLK_DEV_RAM)\n",
		       RAMDISK);
		printf("ok 2 dio_4k_read_rate # SKIP no %s (CONFIG_BLK_DEV_RAM)\n",
		       RAMDISK);
		ksft_inc_xskip_cnt();
		ksft_inc_xskip_cnt();
		ksft_print_cnts();
		exit(KSFT_SKIP);
	}
	if (posix_memalign(&buf, READ_LEN, READ_LEN))
		ksft_exit_fail_msg("posix_memalign\n");
	measured("fork_latency_after_dio", fork_cost(fd));
	measured("dio_4k_read_rate", read_cost(fd, buf));
	close(fd);
	ksft_finished();
}
