/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An O_DIRECT read in flight across fork(), made deterministic.
 *
 * The test serves an NBD device itself, from a thread, over a socketpair,
 * so it knows when a read has reached the "device": the server holds the
 * reply to the test's read until the parent has forked and written to the
 * buffer's page. No timing is involved. The DIO_LEN-byte buffer starts
 * DIO_HEAD bytes before a page boundary; the parent writes to the first
 * byte of that page, outside the buffer. A round passes when the parent
 * sees all of the reply and the child none of it.
 *
 * If direct I/O holds the user pages with plain references (FOLL_GET),
 * fork() cannot tell that the device may still write into them: it
 * write-protects and shares them, the parent's write gives the parent a
 * new copy, and the device then fills the old page, which now belongs to
 * the child. With FOLL_PIN pins, fork() copies the pinned pages for the
 * child and the parent keeps the pages the device writes to.
 *
 * The server only holds a read of DIO_LEN bytes at the offset it was
 * armed with, which does not start on a page: readers through the page
 * cache (blkid, udev) ask for whole pages, and other processes' reads
 * are answered at once.
 *
 * Includers provide kselftest.h; LOCAL_CONFIG_HAVE_LIBURING (mm's
 * check_config.sh) adds the io_uring issuers.
 */
#ifndef DIO_FORK_H
#define DIO_FORK_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/aio_abi.h>
#include <linux/nbd.h>
#ifdef LOCAL_CONFIG_HAVE_LIBURING
#include <liburing.h>
#endif

#define NR_NBD_TRIED		16
#define DEV_SIZE		(4 * 1024 * 1024)
#define SECTOR			512
/* The read: DIO_LEN bytes, the first DIO_HEAD of them before a page end. */
#define DIO_LEN			4096
#define DIO_HEAD		3584
/*
 * Where the raw-device reads go: past the first MiB, where tools that
 * probe a new block device (blkid, udev) look for superblocks (btrfs at
 * 64 KiB, iso9660 at 32 KiB, ZFS labels in the first 512 KiB), and half
 * a KiB into a page: a reader through the page cache (a prober's pread())
 * asks the device for whole pages at page-aligned offsets, so the
 * server's test for the test's own read, "DIO_LEN bytes at this offset",
 * matches no such reader (TEST_READ_SHIFT; a file on the device is read
 * at a device offset that is not page-aligned either).
 */
#define TEST_READ_SHIFT		512
#define RAW_OFFSET		(1024 * 1024 + 28 * 1024 + TEST_READ_SHIFT)
#define FILL			0xaa	/* the buffer before the read */
#define MARK			0x55	/* the parent's write after fork() */
#define WAIT_MS			10000
#define PIN_RELEASE_WAIT_MS	2000
#define FRAME_CHECK_TRIES	5
#define MAX_EINTR		100
/* The kernel's end of the socket: a small send buffer (held writes). */
#define WRITE_SNDBUF		4096

enum memory { SMALL_PAGE, THP, HUGETLB, NR_MEMORY };
enum issuer { PREAD_THREAD, IO_URING, LINUX_AIO, IO_URING_FIXED, NR_ISSUERS };

static const char *const memory_name[] = { "small_page", "thp", "hugetlb" };
static const char *const issuer_name[] = {
	"pread_thread", "io_uring", "aio", "io_uring_fixed"
};

static size_t page_size, hpage_size, thp_size;
static char nbd_dev[64];	/* the first free /dev/nbdN, unless set */

/* The NBD server thread and what the main thread tells it. */
static struct {
	int sock;
	unsigned char disk[DEV_SIZE];
	pthread_mutex_t lock;
	bool armed;		/* hold the next DIO_LEN read of held_offset */
	bool armed_write;	/* hold the next write of held_offset */
	uint64_t held_offset;
	unsigned char pattern;	/* what the held read returns */
	uint64_t last_from;	/* the last read seen, for error reports */
	uint32_t last_len;
	int held_fd[2];		/* server -> main: the read is held */
	int release_fd[2];	/* main -> server: answer it now */
	bool no_hold;		/* a broken hold, to test the test: answer first */
	bool held;		/* the last held read waited for its release */
} srv;

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Wait until fd is readable; false on timeout or error. */
static bool wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

static void *nbd_server(void *arg)
{
	static unsigned char data[DEV_SIZE];
	struct nbd_request req;
	struct nbd_reply rep = { .magic = htobe32(NBD_REPLY_MAGIC) };

	while (!read_full(srv.sock, &req, sizeof(req))) {
		uint32_t type = be32toh(req.type) & 0xffff;
		uint64_t from = be64toh(req.from);
		uint32_t len = be32toh(req.len);
		bool hold = false, hold_write = false;
		char c;

		if (type == NBD_CMD_DISC)
			break;
		memcpy(rep.handle, req.handle, sizeof(rep.handle));
		rep.error = 0;
		if (from > DEV_SIZE || len > DEV_SIZE - from) {
			/* No room for the payload of such a write: hang up. */
			if (type == NBD_CMD_WRITE)
				break;
			rep.error = htobe32(EINVAL);
		}
		if (type == NBD_CMD_WRITE && !rep.error) {
			pthread_mutex_lock(&srv.lock);
			if (srv.armed_write && from == srv.held_offset) {
				srv.armed_write = false;
				hold_write = true;
			}
			pthread_mutex_unlock(&srv.lock);
		}
		/*
		 * A held write: the writer is still sending its data (the
		 * kernel's end of the socket has a small send buffer), so
		 * the rest of it stays in the writer's pages until released.
		 */
		if (hold_write && !srv.no_hold) {
			c = 1;
			if (write_full(srv.held_fd[1], &c, 1) ||
			    read_full(srv.release_fd[0], &c, 1))
				break;
			__atomic_store_n(&srv.held, true, __ATOMIC_RELEASE);
		}
		if (type == NBD_CMD_WRITE &&
		    read_full(srv.sock, srv.disk + from, len))
			break;
		if (hold_write && srv.no_hold) {
			c = 1;
			if (write_full(srv.held_fd[1], &c, 1))
				break;
			__atomic_store_n(&srv.held, false, __ATOMIC_RELEASE);
		}

		pthread_mutex_lock(&srv.lock);
		if (type == NBD_CMD_READ && !rep.error) {
			srv.last_from = from;
			srv.last_len = len;
			memcpy(data, srv.disk + from, len);
			/*
			 * Only the test's own read: its offset and its length.
			 * A reader through the page cache (blkid, udev) asks
			 * for whole pages; the test's reads do not start on a
			 * page (TEST_READ_SHIFT).
			 */
			if (srv.armed && from == srv.held_offset && len == DIO_LEN) {
				srv.armed = false;
				hold = true;
				memset(data, srv.pattern, len);
			}
		}
		pthread_mutex_unlock(&srv.lock);

		if (hold) {
			/* The read is in flight: let main fork and write. */
			c = 1;
			if (write_full(srv.held_fd[1], &c, 1))
				break;
			if (!srv.no_hold && read_full(srv.release_fd[0], &c, 1))
				break;
			__atomic_store_n(&srv.held, !srv.no_hold,
					 __ATOMIC_RELEASE);
		}
		if (write_full(srv.sock, &rep, sizeof(rep)))
			break;
		if (type == NBD_CMD_READ && !rep.error &&
		    write_full(srv.sock, data, len))
			break;
		/* no_hold: the release comes after the answer. */
		if ((hold || hold_write) && srv.no_hold &&
		    read_full(srv.release_fd[0], &c, 1))
			break;
	}
	/* The kernel's receiver waits for this before NBD_DO_IT returns. */
	shutdown(srv.sock, SHUT_RDWR);
	return NULL;
}

static void *nbd_do_it(void *arg)
{
	ioctl(*(int *)arg, NBD_DO_IT);
	return NULL;
}

/* The NBD device the test serves, and the threads that serve it. */
struct nbd_dev {
	int fd;
	int sock[2];
	pthread_t server, doit;
};

static int nbd_start(struct nbd_dev *dev, char *why, size_t len)
{
	int i, sock[2], small;
	char path[64];

	/* Serving an NBD device takes CAP_SYS_ADMIN. */
	if (geteuid()) {
		snprintf(why, len, "needs root (it serves an NBD device)");
		return KSFT_SKIP;
	}
	pthread_mutex_init(&srv.lock, NULL);
	if (pipe(srv.held_fd) || pipe(srv.release_fd) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sock)) {
		snprintf(why, len, "pipe/socketpair: %s", strerror(errno));
		return KSFT_FAIL;
	}
	/* A connected NBD device has a pid file: leave it alone. */
	for (i = 0; !nbd_dev[0] && i < NR_NBD_TRIED; i++) {
		snprintf(path, sizeof(path), "/sys/block/nbd%d/pid", i);
		if (access(path, F_OK)) {
			snprintf(nbd_dev, sizeof(nbd_dev), "/dev/nbd%d", i);
			if (access(nbd_dev, F_OK))
				nbd_dev[0] = 0;
		}
	}
	if (!nbd_dev[0]) {
		snprintf(why, len, "no free /dev/nbd0-%d (needs CONFIG_BLK_DEV_NBD)",
			 NR_NBD_TRIED - 1);
		return KSFT_SKIP;
	}
	dev->fd = open(nbd_dev, O_RDWR);
	if (dev->fd < 0) {
		int err = errno;

		snprintf(why, len, "%s: %s (needs CONFIG_BLK_DEV_NBD and root)",
			 nbd_dev, strerror(err));
		return err == ENOENT || err == ENXIO || err == EACCES ||
		       err == EPERM ? KSFT_SKIP : KSFT_FAIL;
	}
	/*
	 * A small send buffer on the kernel's end: a write of more than a
	 * few pages is still being sent, from the writer's pages, while the
	 * server holds it (the write case).
	 */
	small = WRITE_SNDBUF;
	setsockopt(sock[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	if (ioctl(dev->fd, NBD_SET_BLKSIZE, SECTOR) ||
	    ioctl(dev->fd, NBD_SET_SIZE_BLOCKS, DEV_SIZE / SECTOR) ||
	    ioctl(dev->fd, NBD_SET_SOCK, sock[0])) {
		snprintf(why, len, "%s setup: %s", nbd_dev, strerror(errno));
		return KSFT_FAIL;
	}
	srv.sock = sock[1];
	dev->sock[0] = sock[0];
	dev->sock[1] = sock[1];
	if (pthread_create(&dev->server, NULL, nbd_server, NULL)) {
		snprintf(why, len, "pthread_create: server thread");
		return KSFT_FAIL;
	}
	if (pthread_create(&dev->doit, NULL, nbd_do_it, &dev->fd)) {
		snprintf(why, len, "pthread_create: NBD_DO_IT thread");
		return KSFT_FAIL;
	}

	/*
	 * NBD_DO_IT gives the disk its size once the device runs, after
	 * creating the pid file: wait for the size itself (a read before it
	 * would see an empty device).
	 */
	snprintf(path, sizeof(path), "/sys/block/%s/size",
		 strrchr(nbd_dev, '/') + 1);
	for (i = 0; i < WAIT_MS; i++) {
		struct timespec ms = { .tv_nsec = 1000000 };
		long long sectors = -1;
		FILE *f = fopen(path, "r");

		if (f) {
			if (fscanf(f, "%lld", &sectors) != 1)
				sectors = -1;
			fclose(f);
		}
		if (sectors == DEV_SIZE / 512)
			return KSFT_PASS;
		nanosleep(&ms, NULL);
	}
	snprintf(why, len, "%s did not start within %d ms", nbd_dev, WAIT_MS);
	return KSFT_FAIL;
}

static void nbd_stop(struct nbd_dev *dev)
{
	ioctl(dev->fd, NBD_DISCONNECT);
	pthread_join(dev->doit, NULL);
	pthread_join(dev->server, NULL);
	ioctl(dev->fd, NBD_CLEAR_SOCK);
	close(dev->sock[0]);
	close(dev->sock[1]);
	close(dev->fd);
}

/* Memory for one round: two pages of the kind wanted, page aligned. */
struct buffer {
	unsigned char *map, *pages;
	size_t map_len;
};

static bool thp_backed(void *addr)
{
	char line[256], want[32];
	bool in_vma = false;
	long kb = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') > strchr(line, '-'))
			in_vma = !strncmp(line, want, strlen(want));
		else if (in_vma && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb * 1024 >= (long)thp_size;
}

static int buffer_get(struct buffer *b, enum memory mem, char *why, size_t len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;

	memset(b, 0, sizeof(*b));
	switch (mem) {
	case SMALL_PAGE:
		b->map_len = 2 * page_size;
		break;
	case THP:
		b->map_len = 2 * thp_size;
		break;
	case HUGETLB:
		b->map_len = hpage_size;
		flags |= MAP_HUGETLB;
		break;
	default:
		return KSFT_FAIL;
	}
	b->map = mmap(NULL, b->map_len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (b->map == MAP_FAILED) {
		snprintf(why, len, "mmap of %zu bytes (%s): %s", b->map_len,
			 memory_name[mem], strerror(errno));
		b->map = NULL;
		return mem == HUGETLB ? KSFT_SKIP : KSFT_FAIL;
	}
	b->pages = b->map;
	if (mem == SMALL_PAGE)
		madvise(b->map, b->map_len, MADV_NOHUGEPAGE);
	if (mem == THP) {
		b->pages = (unsigned char *)(((uintptr_t)b->map + thp_size - 1) &
					     ~(thp_size - 1));
		if (madvise(b->pages, thp_size, MADV_HUGEPAGE)) {
			snprintf(why, len, "MADV_HUGEPAGE: %s", strerror(errno));
			return KSFT_SKIP;
		}
	}
	memset(b->pages, FILL, 2 * page_size);
	if (mem == THP && !thp_backed(b->pages)) {
		snprintf(why, len, "no transparent huge page at %p", b->pages);
		return KSFT_SKIP;
	}
	return KSFT_PASS;
}

static void buffer_put(struct buffer *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
}

/* One way of issuing the read, and of waiting for its result. */
struct issue {
	enum issuer how;
	int fd;
	off_t offset;		/* of the read in the file */
	off_t dev_offset;	/* of the read on the device */
	unsigned char *buf;
	pthread_t thread;
	ssize_t result;
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	struct io_uring ring;
#endif
	bool registered;	/* IO_URING_FIXED: buf is a registered buffer */
	aio_context_t aio;
	long long fork_ns;	/* the parent's fork() of the last round */
	bool copied_at_fork;	/* the last round's child got copies of the read's pages */
};

static void *pread_thread(void *arg)
{
	struct issue *io = arg;

	io->result = pread(io->fd, io->buf, DIO_LEN, io->offset);
	if (io->result < 0)
		io->result = -errno;
	return NULL;
}

/*
 * KSFT_PASS, or KSFT_SKIP with the reason in why where the kernel or the
 * build lacks the issuer (no io_uring, kernel.io_uring_disabled, no
 * CONFIG_AIO, fs.aio-max-nr reached).
 */
static int issue_setup(struct issue *io, char *why, size_t len)
{
	int ret;

	if (io->how == IO_URING || io->how == IO_URING_FIXED) {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		ret = io_uring_queue_init(4, &io->ring, 0);
		if (ret) {
			snprintf(why, len, "io_uring_queue_init: %s",
				 strerror(-ret));
			return KSFT_SKIP;
		}
#else
		snprintf(why, len, "built without liburing");
		return KSFT_SKIP;
#endif
	}
	if (io->how == LINUX_AIO) {
		io->aio = 0;
		ret = syscall(__NR_io_setup, 4, &io->aio);
		if (ret) {
			snprintf(why, len, "io_setup: %s (needs CONFIG_AIO)",
				 strerror(errno));
			return KSFT_SKIP;
		}
	}
	return KSFT_PASS;
}

static void issue_teardown(struct issue *io)
{
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	if (io->how == IO_URING || io->how == IO_URING_FIXED)
		io_uring_queue_exit(&io->ring);
#endif
	if (io->how == LINUX_AIO)
		syscall(__NR_io_destroy, io->aio);
}

#ifdef LOCAL_CONFIG_HAVE_LIBURING
static int uring_start(struct issue *io)
{
	struct iovec iov = { .iov_base = io->buf, .iov_len = DIO_LEN };
	struct io_uring_sqe *sqe;
	int ret;

	if (io->how == IO_URING_FIXED) {
		/* Registered per round: io_uring pins it until unregistered. */
		ret = io_uring_register_buffers(&io->ring, &iov, 1);
		if (ret) {
			errno = -ret;
			return -1;
		}
		io->registered = true;
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_read_fixed(sqe, io->fd, io->buf, DIO_LEN,
					 io->offset, 0);
	} else {
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_read(sqe, io->fd, io->buf, DIO_LEN, io->offset);
	}
	ret = io_uring_submit(&io->ring);
	if (ret != 1) {
		errno = ret < 0 ? -ret : EIO;
		return -1;
	}
	return 0;
}

static ssize_t uring_wait(struct issue *io)
{
	struct __kernel_timespec kts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_cqe *cqe;
	ssize_t res;
	int i;

	/*
	 * A wait can end early with -EINTR (task_work, signals); the read
	 * is still in flight then. Each retry waits the whole timeout
	 * again, and only up to MAX_EINTR times.
	 */
	for (i = 0; i < MAX_EINTR; i++) {
		res = io_uring_wait_cqe_timeout(&io->ring, &cqe, &kts);
		if (res != -EINTR)
			break;
	}
	if (res)
		return res;
	res = cqe->res;
	io_uring_cqe_seen(&io->ring, cqe);
	/* Done with the buffer: unpin it before the frame check. */
	if (io->registered && !io_uring_unregister_buffers(&io->ring))
		io->registered = false;
	return res;
}
#else
/* Not reached: issue_setup() skips the io_uring issuers. */
static int uring_start(struct issue *io)
{
	errno = EOPNOTSUPP;
	return -1;
}

static ssize_t uring_wait(struct issue *io)
{
	return -EOPNOTSUPP;
}
#endif

static int issue_start(struct issue *io)
{
	struct iocb cb, *cbs[1] = { &cb };
	int ret;

	switch (io->how) {
	case PREAD_THREAD:
		ret = pthread_create(&io->thread, NULL, pread_thread, io);
		if (ret) {
			errno = ret;
			return -1;
		}
		return 0;
	case IO_URING:
	case IO_URING_FIXED:
		return uring_start(io);
	case LINUX_AIO:
		memset(&cb, 0, sizeof(cb));
		cb.aio_lio_opcode = IOCB_CMD_PREAD;
		cb.aio_fildes = io->fd;
		cb.aio_buf = (uintptr_t)io->buf;
		cb.aio_nbytes = DIO_LEN;
		cb.aio_offset = io->offset;
		return syscall(__NR_io_submit, io->aio, 1, cbs) == 1 ? 0 : -1;
	default:
		return -1;
	}
}

/* The read's result: bytes read or -errno. */
static ssize_t issue_wait(struct issue *io)
{
	struct timespec ts = { .tv_sec = WAIT_MS / 1000 };
	struct io_event ev;
	ssize_t res;
	int i;

	switch (io->how) {
	case PREAD_THREAD:
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += WAIT_MS / 1000;
		if (pthread_timedjoin_np(io->thread, NULL, &ts))
			return -ETIMEDOUT;
		return io->result;
	case IO_URING:
	case IO_URING_FIXED:
		return uring_wait(io);
	case LINUX_AIO:
		for (i = 0; i < MAX_EINTR; i++) {
			res = syscall(__NR_io_getevents, io->aio, 1, 1, &ev, &ts);
			if (res >= 0 || errno != EINTR)
				break;
		}
		if (res != 1)
			return res < 0 ? -errno : -ETIMEDOUT;
		return ev.res;
	default:
		return -EINVAL;
	}
}

/* The frame behind addr, 0 when unknown (pagemap needs CAP_SYS_ADMIN). */
static uint64_t frame_of(int pagemap, const void *addr)
{
	uint64_t e;

	if (pread(pagemap, &e, sizeof(e),
		  (uintptr_t)addr / page_size * sizeof(e)) != sizeof(e))
		return 0;
	return e >> 63 ? e & ((1ULL << 55) - 1) : 0;
}

/* Read the frames of n pages from first; false if one is unknown. */
static bool read_frames(int pagemap, uintptr_t first, size_t n,
			uint64_t *frames)
{
	size_t i;

	for (i = 0; i < n; i++) {
		frames[i] = frame_of(pagemap, (void *)(first + i * page_size));
		if (!frames[i])
			return false;
	}
	return true;
}

/*
 * In a child just forked: how many of the n pages from first have a frame
 * other than the parent's (frames, read before the fork), -1 when one is
 * unknown. Its own pagemap: an inherited descriptor still reads the
 * parent's page tables.
 */
static int frames_copied(uintptr_t first, size_t n, const uint64_t *frames)
{
	int own = open("/proc/self/pagemap", O_RDONLY), differ = 0;
	size_t i;
	uint64_t f;

	if (own < 0)
		return -1;
	for (i = 0; i < n && differ >= 0; i++) {
		f = frame_of(own, (void *)(first + i * page_size));
		/* Not mapped in the child: cannot tell. */
		differ = f ? differ + (f != frames[i]) : -1;
	}
	close(own);
	return differ;
}

/*
 * After the I/O on [buf, buf + len) has completed, fork once more: a page
 * that is still pinned is copied for the child at fork(), an unpinned one
 * is shared. Returns how many pages the child got copies of (leaked pins),
 * or -1 when the frames cannot be read. A page that moves meanwhile
 * (khugepaged collapsing a range, compaction) changes the parent's frame
 * too, and a pinned page cannot move: such a try is repeated.
 */
static int pinned_pages_left(const unsigned char *buf, size_t len)
{
	uintptr_t first = (uintptr_t)buf / page_size * page_size;
	size_t n = ((uintptr_t)buf + len - first + page_size - 1) / page_size;
	int pagemap = open("/proc/self/pagemap", O_RDONLY), copies = -1;
	uint64_t *frames = calloc(2 * n, sizeof(*frames));
	int try, st;
	pid_t pid;

	for (try = 0; pagemap >= 0 && frames && try < FRAME_CHECK_TRIES;
	     try++) {
		if (!read_frames(pagemap, first, n, frames))
			break;
		pid = fork();
		if (pid == 0) {
			int differ = frames_copied(first, n, frames);

			if (differ < 0)
				_exit(255);
			_exit(differ > 250 ? 250 : differ);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) == 255)
			break;
		if (!read_frames(pagemap, first, n, frames + n))
			break;
		if (!memcmp(frames, frames + n, n * sizeof(*frames))) {
			copies = WEXITSTATUS(st);
			break;
		}
	}
	free(frames);
	if (pagemap >= 0)
		close(pagemap);
	return copies;
}

/*
 * The frame check once the I/O's own pins are gone: a read may drop its
 * pins a little after read() has returned (the last bio's completion wakes
 * the waiter before it releases its pages, and pages that were not dirty
 * are released later still, by the deferred dirtying work), so a page
 * found pinned is looked at again, every millisecond for at most
 * PIN_RELEASE_WAIT_MS. Only the test's own pages count: other tasks' pins,
 * which move the system's counters all the time, neither delay nor fool it.
 */
static int pins_left_after_io(const unsigned char *buf, size_t len)
{
	struct timespec ms = { .tv_nsec = 1000000 }, start, now;
	int left;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		left = pinned_pages_left(buf, len);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (left <= 0 || (now.tv_sec - start.tv_sec) * 1000 +
				 (now.tv_nsec - start.tv_nsec) / 1000000 >=
				 PIN_RELEASE_WAIT_MS)
			return left;
		nanosleep(&ms, NULL);
	}
}

enum round_result { ROUND_CLEAN, ROUND_CORRUPTED, ROUND_ERROR };

static size_t count_bytes(const unsigned char *p, size_t len, unsigned char c,
			  bool equal)
{
	size_t n = 0;

	while (len--)
		n += (*p++ == c) == equal;
	return n;
}

/* Make the server hold the next read at offset, answering it with pattern. */
static void server_arm(uint64_t offset, unsigned char pattern)
{
	pthread_mutex_lock(&srv.lock);
	srv.armed = true;
	__atomic_store_n(&srv.held, false, __ATOMIC_RELEASE);
	srv.held_offset = offset;
	srv.pattern = pattern;
	pthread_mutex_unlock(&srv.lock);
}

/*
 * Wait until the server holds the armed read. When it does not come, the
 * server may still have taken it meanwhile and hold it until released:
 * release it, or the server hangs. False then.
 */
static bool server_wait_held(void)
{
	bool taken;
	char c;

	if (wait_readable(srv.held_fd[0], WAIT_MS) &&
	    !read_full(srv.held_fd[0], &c, 1))
		return true;
	pthread_mutex_lock(&srv.lock);
	taken = !srv.armed && !srv.armed_write;
	srv.armed = false;
	srv.armed_write = false;
	pthread_mutex_unlock(&srv.lock);
	if (taken && !read_full(srv.held_fd[0], &c, 1))
		write_full(srv.release_fd[1], &c, 1);
	return false;
}

static void server_release(void)
{
	char c = 1;

	write_full(srv.release_fd[1], &c, 1);
}

/*
 * One round: start the read, fork while the server holds it, write to the
 * buffer's first page in the parent, let the read complete, then count
 * what each side got.
 */
static enum round_result run_round(struct issue *io, struct buffer *b,
				   int round, bool report, bool *in_window)
{
	unsigned char pattern = 1 + round % 0x50, c = 0;
	int go[2], result[2], status, pagemap, fork_err;
	struct { size_t leaked; int copied; } child = { 0, -1 };
	size_t stale, n;
	uint64_t frames[2];
	uintptr_t first;
	struct timespec t0, t1;
	bool known;
	ssize_t res;
	pid_t pid;

	io->buf = b->pages + page_size - DIO_HEAD;
	first = (uintptr_t)io->buf / page_size * page_size;
	n = ((uintptr_t)io->buf + DIO_LEN - first + page_size - 1) / page_size;
	io->copied_at_fork = false;
	server_arm(io->dev_offset, pattern);
	*in_window = false;

	if (pipe(go)) {
		ksft_print_msg("round %d: pipe: %s\n", round, strerror(errno));
		return ROUND_ERROR;
	}
	if (pipe(result)) {
		ksft_print_msg("round %d: pipe: %s\n", round, strerror(errno));
		goto close_go;
	}
	if (issue_start(io)) {
		ksft_print_msg("round %d: %s: cannot issue the read: %s\n",
			       round, issuer_name[io->how], strerror(errno));
		goto close_all;
	}
	if (!server_wait_held()) {
		/* The read never reached the server: no fork to test. */
		res = issue_wait(io);
		pthread_mutex_lock(&srv.lock);
		ksft_print_msg("round %d: no read at %lld reached the server\n",
			       round, (long long)io->dev_offset);
		ksft_print_msg("last read seen: %u bytes at %llu; ours returned %zd\n",
			       srv.last_len, (unsigned long long)srv.last_from,
			       res);
		pthread_mutex_unlock(&srv.lock);
		goto close_all;
	}

	/*
	 * The read's pages as the parent has them while the read is held: a
	 * child that finds other frames there got copies at fork(), which is
	 * what a pin does (the evidence for a PASS is the test's own pages,
	 * not system-wide counters).
	 */
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	known = pagemap >= 0 && n <= 2 && read_frames(pagemap, first, n, frames);
	if (pagemap >= 0)
		close(pagemap);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	fork_err = pid < 0 ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	io->fork_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL +
		      t1.tv_nsec - t0.tv_nsec;
	if (pid == 0) {
		close(go[1]);
		close(result[0]);
		child.copied = known ? frames_copied(first, n, frames) : -1;
		if (read_full(go[0], &c, 1))
			_exit(1);
		child.leaked = count_bytes(io->buf, DIO_LEN, pattern, true);
		_exit(write_full(result[1], &child, sizeof(child)) ? 1 : 0);
	}
	close(go[0]);
	close(result[1]);
	/* The parent writes outside the read's range, to its first page. */
	if (pid > 0)
		b->pages[0] = MARK;
	server_release();
	c = 1;
	res = issue_wait(io);
	stale = count_bytes(io->buf, DIO_LEN, pattern, false);
	if (pid > 0) {
		if (write_full(go[1], &c, 1) ||
		    read_full(result[0], &child, sizeof(child)))
			child.leaked = -1;
		waitpid(pid, &status, 0);
	}
	io->copied_at_fork = child.copied == (int)n;
	close(go[1]);
	close(result[0]);
	/* The server's thread wrote srv.held before it answered. */
	*in_window = pid > 0 && res == DIO_LEN &&
		     __atomic_load_n(&srv.held, __ATOMIC_ACQUIRE);

	if (pid < 0 || res != DIO_LEN || child.leaked == (size_t)-1) {
		ksft_print_msg("round %d: fork %d, read returned %zd, child %s\n",
			       round, -fork_err, res,
			       child.leaked == (size_t)-1 ? "did not answer" : "ok");
		return ROUND_ERROR;
	}
	if (!stale && !child.leaked && b->pages[0] == MARK)
		return ROUND_CLEAN;
	if (report) {
		ksft_print_msg("round %d: parent missed %zu of %d bytes, child got %zu\n",
			       round, stale, DIO_LEN, child.leaked);
		ksft_print_msg("round %d: the child had copies of %d of the read's %zu pages\n",
			       round, child.copied, n);
	}
	return ROUND_CORRUPTED;

close_all:
	close(result[0]);
	close(result[1]);
close_go:
	close(go[0]);
	close(go[1]);
	return ROUND_ERROR;
}

#endif /* DIO_FORK_H */
