// SPDX-License-Identifier: GPL-2.0
/*
 * dio_fork_race FILE ROUNDS ISSUER: the O_DIRECT vs fork() race on a
 * real device, with nothing holding the read (make virtio-rates; not a
 * selftest: its verdict is a rate, not PASS or FAIL).
 *
 * Each round reads the first 4096 bytes of FILE with O_DIRECT into a
 * buffer that starts 3584 bytes before a page boundary (as odirect_fork
 * does), issued by ISSUER (pread_thread: a blocking pread() in a second
 * thread; io_uring; aio: Linux AIO), then forks at once and writes the
 * first byte of the buffer's first page, outside the buffer. If the read
 * was still in flight and the kernel held the page with a plain
 * reference, the parent's write gave the parent a copy and the device
 * filled the old page, now the child's: the parent misses bytes of what
 * it read. Every byte of FILE's first 4096 must be DATA (the harness
 * writes the file so).
 *
 * The child lives until the parent's read has completed, as a child that
 * goes on running (or execs) would.
 *
 * Prints one line:
 *   DIO_FORK_RACE file=FILE issuer=ISSUER rounds=N pending_at_fork=P
 *     pending_after_write=W corrupted=C errors=E
 * pending_at_fork: rounds whose completion had not been seen when fork()
 * was called; pending_after_write: rounds whose completion had still not
 * been seen after the parent's write (for pread_thread that includes the
 * time the thread takes to run again after its read); corrupted: rounds
 * where the parent's buffer lacks data. Exit 0 unless a round failed to
 * run (errors > 0: exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/aio_abi.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LEN	4096
#define HEAD	3584	/* bytes of the buffer before the page boundary */
#define FILL	0xaa	/* the buffer before the read */
#define DATA	0x5a	/* every byte of the file */
#define MARK	0x55	/* the parent's write after fork() */

enum issuer { PREAD_THREAD, IO_URING, LINUX_AIO };

struct read_op {
	enum issuer how;
	int fd;
	unsigned char *buf;
	pthread_t thread;
	bool thread_done;	/* PREAD_THREAD: read() returned */
	ssize_t result;
	bool done;
	struct io_uring ring;
	aio_context_t aio;
};

static void *pread_thread(void *arg)
{
	struct read_op *op = arg;

	op->result = pread(op->fd, op->buf, LEN, 0);
	if (op->result < 0)
		op->result = -errno;
	__atomic_store_n(&op->thread_done, true, __ATOMIC_RELEASE);
	return NULL;
}

static int start_read(struct read_op *op)
{
	struct io_uring_sqe *sqe;
	struct iocb cb = { 0 }, *cbs[1] = { &cb };

	op->done = false;
	op->thread_done = false;
	switch (op->how) {
	case PREAD_THREAD:
		return pthread_create(&op->thread, NULL, pread_thread, op);
	case IO_URING:
		sqe = io_uring_get_sqe(&op->ring);
		io_uring_prep_read(sqe, op->fd, op->buf, LEN, 0);
		return io_uring_submit(&op->ring) == 1 ? 0 : -1;
	case LINUX_AIO:
		cb.aio_fildes = op->fd;
		cb.aio_lio_opcode = IOCB_CMD_PREAD;
		cb.aio_buf = (unsigned long)op->buf;
		cb.aio_nbytes = LEN;
		return syscall(SYS_io_submit, op->aio, 1, cbs) == 1 ? 0 : -1;
	}
	return -1;
}

/* Has the read completed? With wait, until it has. */
static bool poll_read(struct read_op *op, bool wait)
{
	struct io_uring_cqe *cqe;
	struct io_event ev;
	struct timespec zero = { 0 };

	if (op->done)
		return true;
	switch (op->how) {
	case PREAD_THREAD:
		if (!wait && !__atomic_load_n(&op->thread_done, __ATOMIC_ACQUIRE))
			return false;
		pthread_join(op->thread, NULL);
		break;
	case IO_URING:
		if (wait ? io_uring_wait_cqe(&op->ring, &cqe) :
			   io_uring_peek_cqe(&op->ring, &cqe))
			return false;
		op->result = cqe->res;
		io_uring_cqe_seen(&op->ring, cqe);
		break;
	case LINUX_AIO:
		if (syscall(SYS_io_getevents, op->aio, wait ? 1 : 0, 1, &ev,
			    wait ? NULL : &zero) != 1)
			return false;
		op->result = ev.res;
		break;
	}
	op->done = true;
	return true;
}

static size_t count(const unsigned char *p, size_t len, unsigned char c)
{
	size_t n = 0;

	while (len--)
		n += *p++ == c;
	return n;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "pread_thread", "io_uring", "aio" };
	long page = sysconf(_SC_PAGESIZE), rounds, r;
	long at_fork = 0, after_write = 0, corrupted = 0, errors = 0;
	struct read_op op = { 0 };
	int i;

	if (argc != 4 || (rounds = atol(argv[2])) < 1)
		goto usage;
	for (i = 0; i < 3 && strcmp(argv[3], names[i]); i++)
		;
	if (i == 3)
		goto usage;
	op.how = i;
	op.fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (op.fd < 0) {
		fprintf(stderr, "dio_fork_race: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if ((op.how == IO_URING && io_uring_queue_init(4, &op.ring, 0)) ||
	    (op.how == LINUX_AIO && syscall(SYS_io_setup, 4, &op.aio))) {
		fprintf(stderr, "dio_fork_race: %s setup failed\n", names[op.how]);
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		unsigned char *map, c = 0;
		int go[2];
		bool pending;
		pid_t pid;

		map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED || pipe(go)) {
			errors++;
			break;
		}
		madvise(map, 2 * page, MADV_NOHUGEPAGE);
		memset(map, FILL, 2 * page);
		op.buf = map + page - HEAD;
		if (start_read(&op)) {
			errors++;
			break;
		}
		pending = !poll_read(&op, false);
		pid = fork();
		if (pid == 0)	/* the child: until the read is done */
			_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
		map[0] = MARK;
		at_fork += pending;
		after_write += pending && !poll_read(&op, false);
		poll_read(&op, true);
		if (pid < 0 || op.result != LEN) {
			fprintf(stderr, "round %ld: fork %d, read %zd\n", r, pid,
				op.result);
			errors++;
		} else if (count(op.buf, LEN, DATA) != LEN) {
			corrupted++;
		}
		if (pid > 0) {
			if (write(go[1], &c, 1) != 1)
				errors++;
			waitpid(pid, NULL, 0);
		}
		close(go[0]);
		close(go[1]);
		munmap(map, 2 * page);
	}
	printf("DIO_FORK_RACE file=%s issuer=%s rounds=%ld pending_at_fork=%ld pending_after_write=%ld corrupted=%ld errors=%ld\n",
	       argv[1], names[op.how], r, at_fork, after_write, corrupted,
	       errors);
	return errors ? 1 : 0;
usage:
	fprintf(stderr, "usage: dio_fork_race FILE ROUNDS pread_thread|io_uring|aio\n");
	return 2;
}
