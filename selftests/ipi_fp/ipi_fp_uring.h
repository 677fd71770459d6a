/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring for odirect_fork and fpu_io_worker: liburing where it was
 * found at build time (the Makefile defines HAVE_LIBURING), else
 * stand-ins for the calls the tests make, which fail (EOPNOTSUPP), so
 * that only what needs io_uring skips.
 */
#ifndef IPI_FP_URING_H
#define IPI_FP_URING_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_LIBURING
#include <liburing.h>
#define IPI_FP_URING_MISSING	""
#else
#include <sys/uio.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>
#define IPI_FP_URING_MISSING	" (built without liburing: install liburing-dev)"

struct io_uring { int fd; };

static inline int io_uring_queue_init(unsigned int entries,
				      struct io_uring *ring, unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline void io_uring_queue_exit(struct io_uring *ring)
{
}

static inline struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	return NULL;
}

static inline void io_uring_prep_read(struct io_uring_sqe *sqe, int fd,
				      void *buf, unsigned int nbytes,
				      unsigned long long offset)
{
}

static inline void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd,
					const char *path, int flags,
					unsigned int mode)
{
}

static inline void io_uring_prep_read_fixed(struct io_uring_sqe *sqe, int fd,
					    void *buf, unsigned int nbytes,
					    unsigned long long offset,
					    int buf_index)
{
}

static inline int io_uring_submit(struct io_uring *ring)
{
	return -EOPNOTSUPP;
}

static inline int io_uring_register_buffers(struct io_uring *ring,
					    const struct iovec *iovecs,
					    unsigned int nr_iovecs)
{
	return -EOPNOTSUPP;
}

static inline int io_uring_unregister_buffers(struct io_uring *ring)
{
	return -EOPNOTSUPP;
}

static inline int io_uring_wait_cqe_timeout(struct io_uring *ring,
					    struct io_uring_cqe **cqe_ptr,
					    struct __kernel_timespec *ts)
{
	return -EOPNOTSUPP;
}

static inline void io_uring_cqe_seen(struct io_uring *ring,
				     struct io_uring_cqe *cqe)
{
}
#endif

/*
 * False, with the reason in @why, where io_uring cannot be used: no
 * liburing at build time, a kernel without CONFIG_IO_URING,
 * kernel.io_uring_disabled, or no memory for a ring (RLIMIT_MEMLOCK).
 */
static inline bool ipi_fp_io_uring_usable(char *why, size_t len)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(1, &ring, 0);

	if (ret) {
		snprintf(why, len, "io_uring unavailable: %s%s", strerror(-ret),
			 IPI_FP_URING_MISSING);
		return false;
	}
	io_uring_queue_exit(&ring);
	return true;
}

#endif /* IPI_FP_URING_H */
