// SPDX-License-Identifier: GPL-2.0
/*
 * profile_ops: the operations make profile attributes, each inside
 * windows that the insn_profile plugin (insn_profile.c) counts.
 *
 *   profile_ops RAM NULL BRD [ICR_MODULE]
 *
 * RAM, NULL and BRD are block devices of at least 4 MiB: a
 * memory-backed null_blk, a null_blk that keeps no data and a brd
 * ramdisk (guest-init.sh makes them); ICR_MODULE, on x86_64, the
 * ipi_fp_icr.ko of the kernel running. Rows, each announced on stdout as
 *
 *   IPI_FP_PROFILE_ROW NAME WINDOWS OPS_PER_WINDOW
 *
 * before its windows run:
 *  - dio_<read|write>_<ram|null|brd>_<psync|libaio|uring>: 4 KiB
 *    O_DIRECT requests at pseudo-random offsets (the same sequence on
 *    every kernel), by pread/pwrite, by the native AIO syscalls
 *    (io_submit + io_getevents, one request each) and by io_uring
 *    (liburing, one request per io_uring_submit_and_wait);
 *  - fork_<1|100>MiB_<plain|dio|dontfork>: fork() of a process whose S
 *    MiB of anonymous memory it has just written (each page its own
 *    again after the previous fork), the child exiting at once, and the
 *    parent's waitpid(): without an O_DIRECT read (plain), after one
 *    (dio), and after one into a buffer marked MADV_DONTFORK (dontfork),
 *    the user-side mitigation open(2) describes. THP as the kernel has
 *    it (the guest sets "never");
 *  - ipi_round_trip_and_send (x86_64, with ICR_MODULE): loading the
 *    module with rounds=0, which times IPI_OPS synchronous
 *    smp_call_function_single() round trips from CPU 0 to CPU 1 and as
 *    many bare destination-field sends, the path the ICR fix changes;
 *    the window holds the module's load too, the same code on both
 *    kernels. CPU 1 is brought online first (the guest boots with one).
 * Every row runs one window's worth of operations first, not counted.
 * A failed operation ends the program with status 1 and a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <liburing.h>
#include <linux/aio_abi.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK		4096
#define DIO_WINDOWS	8
#define DIO_OPS		512	/* requests per window */
#define FORK_WINDOWS	16	/* one fork() each */
#define IPI_WINDOWS	8	/* one module load each */
#define IPI_OPS		1000	/* round trips (and sends) per load */

/* The insn_profile plugin's markers (insn_profile.c): open, close. */
#if defined(__x86_64__)
#define MARK(code) asm volatile(".byte 0x0f, 0x1f, 0x84, 0x00, " #code ", 0x00, 0x5e, 0x1f" ::: "memory")
#elif defined(__powerpc64__)
#define MARK(code) asm volatile("xoris 0, 0, 0x1f00 + " #code ::: "r0", "memory")
#else
#error "insn_profile markers exist for x86_64 and powerpc64 only"
#endif
#define WINDOW_OPEN()	MARK(0)
#define WINDOW_CLOSE()	MARK(1)

enum engine { PSYNC, LIBAIO, URING };
static const char * const engine_name[] = { "psync", "libaio", "uring" };

static void fail(const char *what)
{
	printf("IPI_FP_PROFILE_ERROR %s: %s\n", what, strerror(errno));
	exit(1);
}

struct dio {
	int fd;
	bool write;
	enum engine engine;
	void *buf;
	off_t blocks;
	uint64_t seed;
	aio_context_t aio;
	struct io_uring ring;
};

static off_t next_offset(struct dio *d)
{
	d->seed = d->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (off_t)((d->seed >> 33) % d->blocks) * BLOCK;
}

static void dio_op(struct dio *d)
{
	off_t off = next_offset(d);
	ssize_t done = -EINVAL;

	switch (d->engine) {
	case PSYNC:
		done = d->write ? pwrite(d->fd, d->buf, BLOCK, off) :
				  pread(d->fd, d->buf, BLOCK, off);
		break;
	case LIBAIO: {
		struct iocb cb = {
			.aio_fildes = d->fd,
			.aio_lio_opcode = d->write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD,
			.aio_buf = (uintptr_t)d->buf,
			.aio_nbytes = BLOCK,
			.aio_offset = off,
		}, *cbs[1] = { &cb };
		struct io_event ev;

		if (syscall(SYS_io_submit, d->aio, 1, cbs) != 1 ||
		    syscall(SYS_io_getevents, d->aio, 1, 1, &ev, NULL) != 1)
			fail("native AIO");
		done = ev.res;
		break;
	}
	case URING: {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&d->ring);
		struct io_uring_cqe *cqe;

		if (!sqe)
			fail("io_uring_get_sqe");
		if (d->write)
			io_uring_prep_write(sqe, d->fd, d->buf, BLOCK, off);
		else
			io_uring_prep_read(sqe, d->fd, d->buf, BLOCK, off);
		if (io_uring_submit_and_wait(&d->ring, 1) != 1 ||
		    io_uring_wait_cqe(&d->ring, &cqe))
			fail("io_uring");
		done = cqe->res;
		io_uring_cqe_seen(&d->ring, cqe);
		break;
	}
	}
	if (done != BLOCK) {
		errno = done < 0 ? -done : EIO;
		fail("4 KiB O_DIRECT request");
	}
}

static void dio_row(const char *dev, const char *dev_name, bool write,
		    enum engine engine)
{
	struct dio d = { .write = write, .engine = engine, .seed = 1 };
	int w, i;

	d.fd = open(dev, (write ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (d.fd < 0)
		fail(dev);
	d.blocks = lseek(d.fd, 0, SEEK_END) / BLOCK;
	if (d.blocks < 1024)
		fail("device smaller than 4 MiB");
	if (posix_memalign(&d.buf, BLOCK, BLOCK))
		fail("posix_memalign");
	memset(d.buf, 0x5a, BLOCK);
	if (engine == LIBAIO && syscall(SYS_io_setup, 1, &d.aio))
		fail("io_setup");
	if (engine == URING) {
		errno = -io_uring_queue_init(4, &d.ring, 0);
		if (errno)
			fail("io_uring_queue_init");
	}
	printf("IPI_FP_PROFILE_ROW dio_%s_%s_%s %d %d\n", write ? "write" : "read",
	       dev_name, engine_name[engine], DIO_WINDOWS, DIO_OPS);
	fflush(stdout);
	for (i = 0; i < DIO_OPS; i++)
		dio_op(&d);
	for (w = 0; w < DIO_WINDOWS; w++) {
		WINDOW_OPEN();
		for (i = 0; i < DIO_OPS; i++)
			dio_op(&d);
		WINDOW_CLOSE();
	}
	if (engine == LIBAIO)
		syscall(SYS_io_destroy, d.aio);
	if (engine == URING)
		io_uring_queue_exit(&d.ring);
	free(d.buf);
	close(d.fd);
}

/* One fork() whose child exits at once, and the parent's wait for it. */
static void fork_and_wait(void)
{
	int status;
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	if (child < 0 || waitpid(child, &status, 0) != child || status)
		fail("fork");
}

/* In a child of its own, so that each row starts from a fresh mm. */
static void fork_row(const char *ram, int mib, const char *kind)
{
	size_t off, len = (size_t)mib << 20;
	long page = sysconf(_SC_PAGESIZE);
	int status, w;
	pid_t pid;

	printf("IPI_FP_PROFILE_ROW fork_%dMiB_%s %d 1\n", mib, kind, FORK_WINDOWS);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		void *buf;
		char *mem;
		int fd = open(ram, O_RDONLY | O_DIRECT);

		if (fd < 0)
			fail(ram);
		buf = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			fail("mmap");
		if (!strcmp(kind, "dontfork") && madvise(buf, BLOCK, MADV_DONTFORK))
			fail("MADV_DONTFORK");
		if (strcmp(kind, "plain") && pread(fd, buf, BLOCK, 0) != BLOCK)
			fail("O_DIRECT read");
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			fail("mmap");
		memset(mem, 1, len);
		fork_and_wait();	/* not counted */
		for (w = 0; w < FORK_WINDOWS; w++) {
			for (off = 0; off < len; off += page)
				mem[off]++;
			WINDOW_OPEN();
			fork_and_wait();
			WINDOW_CLOSE();
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		fail("fork row");
}

#ifdef __x86_64__
static void ipi_row(const char *module)
{
	char params[128];
	int fd, w, online = open("/sys/devices/system/cpu/cpu1/online", O_WRONLY);

	if (online < 0 || write(online, "1", 1) != 1)
		fail("bringing CPU 1 online");
	close(online);
	snprintf(params, sizeof(params),
		 "sender=0 target=1 rounds=0 bench_runs=1 bench_ops=%d", IPI_OPS);
	printf("IPI_FP_PROFILE_ROW ipi_round_trip_and_send %d %d\n", IPI_WINDOWS, IPI_OPS);
	fflush(stdout);
	for (w = 0; w < IPI_WINDOWS; w++) {
		fd = open(module, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail(module);
		WINDOW_OPEN();
		if (syscall(SYS_finit_module, fd, params, 0))
			fail("finit_module");
		WINDOW_CLOSE();
		close(fd);
		if (syscall(SYS_delete_module, "ipi_fp_icr", O_NONBLOCK))
			fail("delete_module");
	}
}
#endif

int main(int argc, char **argv)
{
	static const char * const dev_name[] = { "ram", "null", "brd" };
	static const char * const fork_kind[] = { "plain", "dio", "dontfork" };
	static const int fork_mib[] = { 1, 100 };
	cpu_set_t cpu0;
	int d, w, e, m, k;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: profile_ops RAM NULL BRD [ICR_MODULE]\n");
		return 2;
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		fail("sched_setaffinity");
	for (d = 0; d < 3; d++)
		for (w = 0; w < 2; w++)
			for (e = PSYNC; e <= URING; e++)
				dio_row(argv[1 + d], dev_name[d], w, e);
	for (m = 0; m < 2; m++)
		for (k = 0; k < 3; k++)
			fork_row(argv[1], fork_mib[m], fork_kind[k]);
#ifdef __x86_64__
	if (argc == 5)
		ipi_row(argv[4]);
#endif
	printf("IPI_FP_PROFILE_DONE\n");
	return 0;
}
