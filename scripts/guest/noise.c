// SPDX-License-Identifier: GPL-2.0
/*
 * noise: third-party work beside the tests, for the guests of the "-noisy"
 * cells (scripts/guest/init.sh starts it with IPI_FP_NOISE=1 and stops it
 * with SIGTERM after the tests). Three loops, each in its own thread, until
 * SIGTERM:
 *  - O_DIRECT 4 KiB reads at random offsets of /dev/nullb0 (other pins and
 *    page references than the test's: the kernel's pin counters move);
 *  - io_uring buffer registrations: set up a ring, register a 64 KiB buffer
 *    (the kernel pins it), unregister it, close the ring;
 *  - a prober like blkid on every connected /dev/nbdN: drop the device's
 *    page cache, then buffered 4 KiB reads where probers look for
 *    superblocks (0, 32 KiB, 64 KiB, 1 MiB) and where odirect_fork holds
 *    its reads (1 MiB + 28 KiB).
 * On SIGTERM it prints "IPI_FP_NOISE reads=N registrations=N probes=N" and
 * exits 0, leaving any loop where it is; a loop that cannot run at all prints why and stops, and its
 * count stays 0 (init.sh reports a guest error for a zero count).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BLOCK	4096
#define NR_NBD	16

static volatile sig_atomic_t stop;
static unsigned long reads, registrations, probes;

static void *dio_reads(void *arg)
{
	unsigned int seed = 1;
	void *buf;
	off_t blocks;
	int fd;

	(void)arg;
	fd = open("/dev/nullb0", O_RDONLY | O_DIRECT);
	blocks = fd < 0 ? 0 : lseek(fd, 0, SEEK_END) / BLOCK;
	if (blocks < 1 || posix_memalign(&buf, BLOCK, BLOCK)) {
		printf("noise: no O_DIRECT reads of /dev/nullb0: %s\n",
		       fd < 0 ? strerror(errno) : "empty");
		return NULL;
	}
	while (!stop)
		if (pread(fd, buf, BLOCK, (rand_r(&seed) % blocks) * BLOCK) == BLOCK)
			__atomic_add_fetch(&reads, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *uring_registrations(void *arg)
{
	struct io_uring_params p;
	struct iovec iov;
	int ring;

	(void)arg;
	iov.iov_len = 16 * BLOCK;
	iov.iov_base = mmap(NULL, iov.iov_len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (iov.iov_base == MAP_FAILED)
		return NULL;
	while (!stop) {
		memset(&p, 0, sizeof(p));
		ring = syscall(__NR_io_uring_setup, 4, &p);
		if (ring < 0) {
			printf("noise: no io_uring: %s\n", strerror(errno));
			return NULL;
		}
		if (!syscall(__NR_io_uring_register, ring,
			     IORING_REGISTER_BUFFERS, &iov, 1) &&
		    !syscall(__NR_io_uring_register, ring,
			     IORING_UNREGISTER_BUFFERS, NULL, 0))
			__atomic_add_fetch(&registrations, 1, __ATOMIC_RELAXED);
		close(ring);
	}
	return NULL;
}

static void *nbd_probes(void *arg)
{
	static const off_t where[] = { 0, 32 << 10, 64 << 10, 1 << 20,
				       (1 << 20) + (28 << 10) };
	char path[32], buf[BLOCK];
	unsigned int i, n;
	int fd;

	(void)arg;
	while (!stop) {
		for (n = 0; n < NR_NBD && !stop; n++) {
			snprintf(path, sizeof(path), "/dev/nbd%u", n);
			fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0)
				continue;
			/* Size 0: not connected; nothing for a prober to read. */
			if (lseek(fd, 0, SEEK_END) > 0) {
				posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
				for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
					if (pread(fd, buf, BLOCK, where[i]) == BLOCK)
						__atomic_add_fetch(&probes, 1,
								   __ATOMIC_RELAXED);
			}
			close(fd);
		}
		usleep(1000);
	}
	return NULL;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(void)
{
	void *(*loop[])(void *) = { dio_reads, uring_registrations, nbd_probes };
	pthread_t tid[3];
	sigset_t set;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_term);
	/* SIGTERM reaches this thread only: the loops start with it blocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 3; i++)
		if (pthread_create(&tid[i], NULL, loop[i], NULL))
			return 1;
	sigemptyset(&set);
	while (!stop)
		sigsuspend(&set);
	/* No join: a probe may wait on a read the test still holds. */
	printf("IPI_FP_NOISE reads=%lu registrations=%lu probes=%lu\n",
	       __atomic_load_n(&reads, __ATOMIC_RELAXED),
	       __atomic_load_n(&registrations, __ATOMIC_RELAXED),
	       __atomic_load_n(&probes, __ATOMIC_RELAXED));
	_exit(0);
}
