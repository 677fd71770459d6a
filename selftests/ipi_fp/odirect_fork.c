// SPDX-License-Identifier: GPL-2.0
/*
 * An O_DIRECT read must land in the memory of the process that issued it,
 * even when that process forks while the read is in flight and then writes
 * to the same page.
 *
 * If direct I/O holds the user pages with plain references (FOLL_GET),
 * fork() cannot tell that a device may still write into them: it
 * write-protects and shares them. The parent's next write to such a page
 * gives the parent a new copy, and the device then fills the old page,
 * which now belongs to the child. The parent loses its data and the child
 * gets it. With FOLL_PIN pins, fork() gives the child copies and the parent
 * keeps the pages the device writes to.
 *
 * The test serves an NBD device itself, from a thread, over a socketpair,
 * so it knows when the read has reached the "device": the server holds the
 * reply to the test read until the parent has forked and written to the
 * page. No timing is involved. The 4096-byte buffer starts 3584 bytes
 * before a page boundary; the parent writes to the first byte of that
 * page, outside the buffer. Each round checks both sides: the parent must
 * see all 4096 bytes of the reply, and the child none of them.
 *
 * Cases: the buffer in small pages, in a transparent huge page and in a
 * hugetlb page; the read issued by a blocking pread() in a second thread,
 * by io_uring and by Linux AIO; on the raw block device (block/fops.c),
 * on a file of an msdos filesystem (fs/direct-io.c) and on a file of an
 * ext4 filesystem (iomap) that the test builds on the same device, small
 * pages only there: the filesystems differ from the raw device in how the
 * request is built, not in how the pages are taken. FIBMAP checks that
 * the file lies where the server holds the read. A fourth issuer,
 * io_uring into a registered ("fixed") buffer, with small pages, is the
 * control: io_uring pins registered buffers itself (FOLL_PIN |
 * FOLL_LONGTERM), so fork() copies them for the child on every kernel,
 * and the case must pass with or without the fix.
 * The write case forks during an O_DIRECT write held at the server (see
 * run_write_case()): the device must get what the parent wrote.
 *
 * The race window is open in a round when the server answered the read
 * only after the parent had forked and written; the counter line
 * (ipi_fp_counts.h) says in how many rounds the server saw that. -M no-hold
 * breaks the test on purpose (the server answers at once), for the
 * harness's own tests: such a run must be an ERROR, never a PASS.
 *
 * Pins: around each case the test reads nr_foll_pin_acquired and
 * nr_foll_pin_released from /proc/vmstat (after folding the per-CPU
 * counts with vm.stat_refresh): a leak takes more pins than it releases.
 * Releasing more than was counted as taken is no leak: since v6.5
 * fs/direct-io.c takes the extra pins of a page it reuses with
 * folio_add_pin(), which pins without counting nr_foll_pin_acquired,
 * while the release counts them all; the test prints it. The
 * counters are system-wide: pinning by other tasks during the case moves
 * them too: they are information. What shows that the kernel kept the
 * data by pinning is on the test's own pages: the child of each race round
 * reads its frames of the read's pages right after fork() and compares
 * them with the parent's; copies there (copied_at_fork counts the rounds)
 * are what fork() does to pinned pages. After each round's
 * I/O has completed the test forks once more: a page that is still pinned
 * is copied for the child, so a child frame (/proc/self/pagemap) that
 * differs from the parent's is a leaked pin. That frame check, on the
 * test's own pages, judges leaks wherever it runs; the counters count a
 * leak only in the cases it cannot run in (the read held across munmap()
 * and exit()), which therefore want a quiet system.
 *
 * Release cases (kind=check, one round each, no fork race) drive the
 * paths that drop pins other than a plain completion, and count leaks
 * the same way: two halves of one page in one readv (same-page merge), a
 * read past the end of a file (fs/direct-io.c's leftover pages), a read of
 * more than 256 pages (several bios), one that ends in an unmapped page
 * (EFAULT after pages were taken), a write from the shared zero page and
 * a non-blocking (RWF_NOWAIT) read of one sector into each of 257 pages,
 * which fails with EAGAIN after the first bio's pages were taken.
 * Two more hold a read at the server while its buffer's mapping goes
 * away: munmap() of the buffer, and exit() of a child that issued the
 * read with Linux AIO. The read must complete and release every pin; the
 * harness checks the kernel log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/nbd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>

#include "../kselftest.h"
#include "ipi_fp_counts.h"
#include "ipi_fp_uring.h"

#define DEFAULT_ROUNDS		20
#define NR_NBD_TRIED		16
#define DEV_SIZE		(4 * 1024 * 1024)
#define FAT_SIZE		(1024 * 1024)	/* what the FAT covers */
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
 * matches no such reader (TEST_READ_SHIFT; the file cases read at a
 * device offset that is not page-aligned either).
 */
#define TEST_READ_SHIFT		512
#define RAW_OFFSET		(1024 * 1024 + 28 * 1024 + TEST_READ_SHIFT)
#define BIG_PAGES		257	/* more than one bio of 256 vecs */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#define FILL			0xaa	/* the buffer before the read */
#define MARK			0x55	/* the parent's write after fork() */
#define WAIT_MS			10000
#define PIN_RELEASE_WAIT_MS	2000
#define MAX_EINTR		100
#define MAX_REPORTED_ROUNDS	3
#define MAX_COST_ROUNDS		32	/* rounds whose fork() time is printed */
/* The write case: 64 KiB, far more than the kernel's socket send buffer. */
#define WRITE_LEN		(16 * 4096)
#define WRITE_OFFSET		(RAW_OFFSET + 64 * 1024)
#define WRITE_SNDBUF		4096
#define CHILD_FILL		0x33	/* the child's write to its copy */

/* The msdos image: FAT12, 512-byte sectors, 4 KiB clusters. */
#define FAT_ROOT_SECTOR		3
#define FAT_DATA_SECTOR		4
#define FAT_FILE		"DATA    BIN"
#define FAT_FILE_OFFSET		(FAT_DATA_SECTOR * SECTOR)

/*
 * The ext4 image: 4 KiB blocks, one group, no journal, extents. Blocks:
 * 0 superblock, 1 group descriptors, 2 and 3 bitmaps, 4 inode table
 * (16 inodes of 256 bytes), 5 root directory, 6 lost+found, and the two
 * data blocks of /data.bin (inode 12) from EXT4_DATA_BLOCK on; the test
 * reads it at TEST_READ_SHIFT, across the two.
 */
#define EXT4_BLOCK		4096
#define EXT4_BLOCKS		(DEV_SIZE / EXT4_BLOCK)
#define EXT4_INODES		16
#define EXT4_INODE_SIZE		256
#define EXT4_DATA_BLOCK		8
#define EXT4_DATA_BLOCKS	2
#define EXT4_FILE_OFFSET	(EXT4_DATA_BLOCK * EXT4_BLOCK)

#ifndef FIBMAP
#define FIBMAP			_IO(0x00, 1)
#define FIGETBSZ		_IO(0x00, 2)
#endif
#ifndef BLKFLSBUF
#define BLKFLSBUF		_IO(0x12, 97)
#endif

enum memory { SMALL_PAGE, THP, HUGETLB, NR_MEMORY };
enum issuer { PREAD_THREAD, IO_URING, LINUX_AIO, IO_URING_FIXED, NR_ISSUERS };
enum target { RAW_BDEV, MSDOS_FILE, EXT4_FILE, NR_TARGETS };

static const char *const memory_name[] = { "small_page", "thp", "hugetlb" };
static const char *const target_name[] = {
	"bdev", "msdos_file", "ext4_file"
};

static const char *const issuer_name[] = {
	"pread_thread", "io_uring", "aio", "io_uring_fixed"
};

static size_t page_size, hpage_size, thp_size;
static char nbd_dev[64];	/* -d DEVICE, or the first free /dev/nbdN */

struct test_case {
	enum target target;
	enum memory mem;
	enum issuer how;
	char name[96];
};

/*
 * Result lines carry the case name (6.1's ksft_test_result_skip() prints
 * none); the reason of a failure goes on a line of its own.
 */
static void case_skip(const char *name, const char *why)
{
	ksft_inc_xskip_cnt();
	printf("ok %u %s # SKIP %s\n", ksft_test_num(), name, why);
}

static void case_fail(const char *name, const char *why)
{
	ksft_print_msg("%s: %s\n", name, why);
	ksft_test_result_fail("%s\n", name);
}

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
	bool no_hold;		/* -M no-hold: answer before the release */
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
		if (from > DEV_SIZE || len > DEV_SIZE - from)
			rep.error = htobe32(EINVAL);
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
		    read_full(srv.sock, rep.error ? data : srv.disk + from, len))
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
		/* -M no-hold: the release comes after the answer. */
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

/* A FAT12 image with one 4 KiB file, DATA.BIN, in cluster 2. */
static void build_msdos_image(unsigned char *disk)
{
	unsigned char *bs = disk, *fat, *de;
	int i;

	memset(disk, 0, DEV_SIZE);
	bs[0] = 0xeb;				/* jmp over the BPB */
	bs[1] = 0x3c;
	bs[2] = 0x90;
	memcpy(bs + 3, "MSWIN4.1", 8);
	bs[11] = SECTOR & 0xff;			/* bytes per sector */
	bs[12] = SECTOR >> 8;
	bs[13] = 4096 / SECTOR;			/* sectors per cluster */
	bs[14] = 1;				/* reserved sectors */
	bs[16] = 2;				/* FATs */
	bs[17] = 16;				/* root entries: 1 sector */
	bs[19] = (FAT_SIZE / SECTOR) & 0xff;	/* total sectors */
	bs[20] = (FAT_SIZE / SECTOR) >> 8;
	bs[21] = 0xf8;				/* media */
	bs[22] = 1;				/* sectors per FAT */
	bs[24] = 32;				/* sectors per track */
	bs[26] = 64;				/* heads */
	bs[38] = 0x29;				/* extended boot signature */
	memcpy(bs + 43, "IPI_FP     FAT12   ", 19);
	bs[510] = 0x55;
	bs[511] = 0xaa;
	for (i = 0; i < 2; i++) {
		fat = disk + (1 + i) * SECTOR;
		/* entries 0 and 1 (media), entry 2 = end of chain */
		memcpy(fat, "\xf8\xff\xff\xff\x0f", 5);
	}
	de = disk + FAT_ROOT_SECTOR * SECTOR;
	memcpy(de, FAT_FILE, 11);
	de[11] = 0x20;				/* archive */
	de[26] = 2;				/* first cluster */
	de[28] = DIO_LEN & 0xff;		/* size */
	de[29] = DIO_LEN >> 8;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* A directory entry (with file type); returns the next one. */
static unsigned char *ext4_dirent(unsigned char *de, uint32_t ino,
				  uint16_t rec_len, const char *name,
				  unsigned char type)
{
	put32(de, ino);
	put16(de + 4, rec_len);
	de[6] = strlen(name);
	de[7] = type;
	memcpy(de + 8, name, strlen(name));
	return de + rec_len;
}

/* Inode ino: one extent of n blocks from block on. */
static void ext4_inode(unsigned char *disk, uint32_t ino, uint16_t mode,
		       uint16_t links, uint32_t block, uint16_t n)
{
	unsigned char *in = disk + 4 * EXT4_BLOCK +
			    (ino - 1) * EXT4_INODE_SIZE;
	int t;

	put16(in, mode);
	put32(in + 0x04, n * EXT4_BLOCK);	/* size */
	for (t = 0x08; t <= 0x10; t += 4)	/* atime, ctime, mtime */
		put32(in + t, 1767225600);
	put16(in + 0x1a, links);
	put32(in + 0x1c, n * EXT4_BLOCK / 512);	/* i_blocks: sectors */
	put32(in + 0x20, 0x80000);		/* EXT4_EXTENTS_FL */
	put16(in + 0x28, 0xf30a);		/* extent header magic */
	put16(in + 0x2a, 1);			/* entries */
	put16(in + 0x2c, 4);			/* max entries */
	put16(in + 0x38, n);			/* extent: length */
	put32(in + 0x3c, block);		/* extent: start */
	put16(in + 0x80, 32);			/* i_extra_isize */
}

/* An ext4 image with one 8 KiB file, data.bin, from EXT4_DATA_BLOCK on. */
static void build_ext4_image(unsigned char *disk)
{
	unsigned char *sb = disk + 1024, *gd = disk + EXT4_BLOCK;
	unsigned char *bbm = disk + 2 * EXT4_BLOCK, *ibm = disk + 3 * EXT4_BLOCK;
	unsigned char *de;
	int b;

	memset(disk, 0, DEV_SIZE);
	put32(sb + 0x00, EXT4_INODES);
	put32(sb + 0x04, EXT4_BLOCKS);
	put32(sb + 0x0c, EXT4_BLOCKS - 7 - EXT4_DATA_BLOCKS);	/* free: all but 0-6, data */
	put32(sb + 0x10, EXT4_INODES - 12);	/* free: all but 1-12 */
	put32(sb + 0x18, 2);			/* log2(block size) - 10 */
	put32(sb + 0x1c, 2);			/* the same for clusters */
	put32(sb + 0x20, 8 * EXT4_BLOCK);	/* blocks per group */
	put32(sb + 0x24, 8 * EXT4_BLOCK);	/* clusters per group */
	put32(sb + 0x28, EXT4_INODES);		/* inodes per group */
	put32(sb + 0x30, 1767225600);		/* write time */
	put16(sb + 0x36, 0xffff);		/* max mount count: none */
	put16(sb + 0x38, 0xef53);		/* magic */
	put16(sb + 0x3a, 1);			/* state: clean */
	put16(sb + 0x3c, 1);			/* errors: continue */
	put32(sb + 0x4c, 1);			/* dynamic revision */
	put32(sb + 0x54, 11);			/* first ordinary inode */
	put16(sb + 0x58, EXT4_INODE_SIZE);
	put32(sb + 0x60, 0x2 | 0x40);		/* filetype, extents */
	memcpy(sb + 0x68, "ipi_fp-odirect-1", 16);	/* UUID */
	memcpy(sb + 0x78, "ipi_fp", 6);		/* label */
	put16(sb + 0x15c, 32);			/* min extra inode size */
	put16(sb + 0x15e, 32);			/* wanted extra inode size */

	put32(gd + 0x00, 2);			/* block bitmap */
	put32(gd + 0x04, 3);			/* inode bitmap */
	put32(gd + 0x08, 4);			/* inode table */
	put16(gd + 0x0c, EXT4_BLOCKS - 7 - EXT4_DATA_BLOCKS);	/* free blocks */
	put16(gd + 0x0e, EXT4_INODES - 12);	/* free inodes */
	put16(gd + 0x10, 2);			/* directories */

	/* Used: blocks 0-6 and the data blocks; the bits past the end. */
	bbm[0] = 0x7f;
	for (b = EXT4_DATA_BLOCK; b < EXT4_DATA_BLOCK + EXT4_DATA_BLOCKS; b++)
		bbm[b / 8] |= 1 << (b % 8);
	memset(bbm + EXT4_BLOCKS / 8, 0xff, EXT4_BLOCK - EXT4_BLOCKS / 8);
	ibm[0] = 0xff;				/* inodes 1-12 */
	ibm[1] = 0x0f;
	memset(ibm + EXT4_INODES / 8, 0xff, EXT4_BLOCK - EXT4_INODES / 8);

	ext4_inode(disk, 2, 040755, 3, 5, 1);	/* / */
	ext4_inode(disk, 11, 040700, 2, 6, 1);	/* /lost+found */
	ext4_inode(disk, 12, 0100644, 1, EXT4_DATA_BLOCK, EXT4_DATA_BLOCKS);	/* /data.bin */
	de = disk + 5 * EXT4_BLOCK;
	de = ext4_dirent(de, 2, 12, ".", 2);
	de = ext4_dirent(de, 2, 12, "..", 2);
	de = ext4_dirent(de, 11, 20, "lost+found", 2);
	ext4_dirent(de, 12, EXT4_BLOCK - 44, "data.bin", 1);
	de = disk + 6 * EXT4_BLOCK;
	de = ext4_dirent(de, 11, 12, ".", 2);
	ext4_dirent(de, 2, EXT4_BLOCK - 12, "..", 2);
}

/*
 * The filesystems the file cases read from, where data.bin lies, and
 * where in it the test reads: at a device offset that is not page-aligned
 * (see TEST_READ_SHIFT; FAT's data area starts half a page in already).
 */
static const struct fs_image {
	const char *type, *config;
	unsigned long flags;
	void (*build)(unsigned char *disk);
	off_t file_offset, read_at;
} fs_image[NR_TARGETS] = {
	[MSDOS_FILE] = { "msdos", "CONFIG_MSDOS_FS", MS_NOATIME,
			 build_msdos_image, FAT_FILE_OFFSET, 0 },
	[EXT4_FILE] = { "ext4", "CONFIG_EXT4_FS", MS_NOATIME | MS_RDONLY,
			build_ext4_image, EXT4_FILE_OFFSET, TEST_READ_SHIFT },
};

struct device {
	int nbd;
	int sock[2];
	pthread_t server, doit;
	char mnt[64];
	bool mounted;
	enum target fs;		/* the filesystem mounted at mnt */
};

static int nbd_start(struct device *dev, char *why, size_t len)
{
	int i, sock[2], small;
	char path[64];

	/* Serving an NBD device and mounting on it take CAP_SYS_ADMIN. */
	if (geteuid()) {
		snprintf(why, len,
			 "needs root (it serves an NBD device and mounts filesystems on it)");
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
	dev->nbd = open(nbd_dev, O_RDWR);
	if (dev->nbd < 0) {
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
	if (ioctl(dev->nbd, NBD_SET_BLKSIZE, SECTOR) ||
	    ioctl(dev->nbd, NBD_SET_SIZE_BLOCKS, DEV_SIZE / SECTOR) ||
	    ioctl(dev->nbd, NBD_SET_SOCK, sock[0])) {
		snprintf(why, len, "%s setup: %s", nbd_dev, strerror(errno));
		return KSFT_FAIL;
	}
	srv.sock = sock[1];
	dev->sock[0] = sock[0];
	dev->sock[1] = sock[1];
	pthread_create(&dev->server, NULL, nbd_server, NULL);
	pthread_create(&dev->doit, NULL, nbd_do_it, &dev->nbd);

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

static void nbd_stop(struct device *dev)
{
	if (dev->mounted) {
		umount(dev->mnt);
		rmdir(dev->mnt);
	}
	ioctl(dev->nbd, NBD_DISCONNECT);
	pthread_join(dev->doit, NULL);
	pthread_join(dev->server, NULL);
	ioctl(dev->nbd, NBD_CLEAR_SOCK);
	close(dev->sock[0]);
	close(dev->sock[1]);
	close(dev->nbd);
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
	struct io_uring ring;
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

static int issue_setup(struct issue *io, char *why, size_t len)
{
	int ret;

	if (io->how == IO_URING || io->how == IO_URING_FIXED) {
		if (!ipi_fp_io_uring_usable(why, len))
			return KSFT_SKIP;
		ret = io_uring_queue_init(4, &io->ring, 0);
		if (ret) {
			snprintf(why, len, "io_uring_queue_init: %s",
				 strerror(-ret));
			return KSFT_FAIL;
		}
	}
	if (io->how == LINUX_AIO) {
		io->aio = 0;
		if (syscall(__NR_io_setup, 4, &io->aio)) {
			/* No CONFIG_AIO, or fs.aio-max-nr reached. */
			snprintf(why, len, "io_setup: %s (needs CONFIG_AIO)",
				 strerror(errno));
			return KSFT_SKIP;
		}
	}
	return KSFT_PASS;
}

static void issue_teardown(struct issue *io)
{
	if (io->how == IO_URING || io->how == IO_URING_FIXED)
		io_uring_queue_exit(&io->ring);
	if (io->how == LINUX_AIO)
		syscall(__NR_io_destroy, io->aio);
}

static int issue_start(struct issue *io)
{
	struct iovec iov = { .iov_base = io->buf, .iov_len = DIO_LEN };
	struct io_uring_sqe *sqe;
	struct iocb cb, *cbs[1] = { &cb };
	int ret;

	switch (io->how) {
	case PREAD_THREAD:
		return pthread_create(&io->thread, NULL, pread_thread, io) ?
			-1 : 0;
	case IO_URING:
		sqe = io_uring_get_sqe(&io->ring);
		io_uring_prep_read(sqe, io->fd, io->buf, DIO_LEN, io->offset);
		return io_uring_submit(&io->ring) == 1 ? 0 : -1;
	case IO_URING_FIXED:
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
		return io_uring_submit(&io->ring) == 1 ? 0 : -1;
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
	struct __kernel_timespec kts = { .tv_sec = WAIT_MS / 1000 };
	struct io_uring_cqe *cqe;
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
		/*
		 * A wait can end early with -EINTR (task_work, signals); the
		 * read is still in flight then. Each retry waits the whole
		 * timeout again, and only up to MAX_EINTR times.
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

#define FRAME_CHECK_TRIES	5

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

			_exit(differ < 0 ? 255 : differ > 250 ? 250 : differ);
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

/* The system's FOLL_PIN counters; -1 without them. */
struct pins {
	long long acquired, released;
};

static long long vmstat_value(const char *key)
{
	long long v, found = -1;
	char name[64];
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

/*
 * The counters live partly in per-CPU deltas that /proc/vmstat does not
 * add in; writing vm.stat_refresh folds them first, so the deltas of a
 * case are exact.
 */
static void vmstat_fold(void)
{
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

static void pins_read(struct pins *p)
{
	vmstat_fold();
	p->acquired = vmstat_value("nr_foll_pin_acquired");
	p->released = vmstat_value("nr_foll_pin_released");
}

/*
 * The counters at a case's start: of PINS_SAMPLES readings 1 ms apart, the
 * one with the fewest pins held (acquired - released). Other tasks' pins
 * in flight (a third party's O_DIRECT or io_uring registrations) move the
 * counters all the time; the quietest reading is the one to compare the
 * end of the case with (wait_pins_released()).
 */
#define PINS_SAMPLES	20
static void pins_read_start(struct pins *p)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	struct pins now;
	int i;

	pins_read(p);
	for (i = 1; p->acquired >= 0 && i < PINS_SAMPLES; i++) {
		nanosleep(&ms, NULL);
		pins_read(&now);
		if (now.acquired >= 0 && now.acquired - now.released <
					 p->acquired - p->released)
			*p = now;
	}
}

/*
 * Wait, at most PIN_RELEASE_WAIT_MS, until every pin taken since *before
 * has been released, that is, until a reading holds no more pins than
 * *before did; false if none did. A read may drop its pins a little after
 * read() has returned (see pins_left_after_io()). Used where no frame check
 * can run: false is a leak. Other tasks' pins in flight come and go: a
 * reading without them ends the wait. Without the counters there is
 * nothing to wait on (true).
 */
static bool wait_pins_released(const struct pins *before)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	struct pins now;
	int i;

	for (i = 0; before->acquired >= 0 && i < PIN_RELEASE_WAIT_MS; i++) {
		pins_read(&now);
		if (now.acquired < 0 || now.released - before->released >=
					now.acquired - before->acquired)
			return true;
		nanosleep(&ms, NULL);
	}
	return before->acquired < 0;
}

/*
 * The counter line of a case, with the pin deltas since *before and the
 * leaks seen: fewer pins released than taken count as one more leak.
 * frame_checks < 0: the pinned-page check does not apply; copied_at_fork
 * < 0: no fork race (else the rounds whose child got copies of the read's
 * pages at fork()). Returns the leaks.
 */
static int print_counts(const char *name, struct ipi_fp_counts *c,
			const struct pins *before, int leaks, int frame_checks,
			int copied_at_fork)
{
	long long acquired = -1, released = -1;
	struct pins after;
	char extra[160];

	pins_read(&after);
	if (before->acquired >= 0 && after.acquired >= 0) {
		acquired = after.acquired - before->acquired;
		released = after.released - before->released;
		if (acquired != released)
			ksft_print_msg("%s: %lld pins taken, %lld released%s%s\n",
				       name, acquired, released,
				       acquired > released ? "" :
				       " (pins taken by folio_add_pin() are not counted)",
				       frame_checks < 0 ? "" :
				       " (system-wide; the frame check judges this case)");
		/*
		 * Other tasks' pins move these counters too: where the frame
		 * check looked at the test's own pages, it alone judges;
		 * elsewhere a leak is a count of pins held that no reading
		 * within PIN_RELEASE_WAIT_MS brings back to the start's.
		 */
		if (acquired > released && frame_checks < 0 &&
		    !wait_pins_released(before))
			leaks++;
	}
	snprintf(extra, sizeof(extra),
		 " leaks=%d pins_acquired=%lld pins_released=%lld", leaks,
		 acquired, released);
	if (frame_checks >= 0)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " frame_checks=%d", frame_checks);
	if (copied_at_fork >= 0)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " copied_at_fork=%d", copied_at_fork);
	ipi_fp_print_counts(name, c, extra);
	return leaks;
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
/* The same for the next write at offset: the server holds its data. */
static void server_arm_write(uint64_t offset)
{
	pthread_mutex_lock(&srv.lock);
	srv.armed_write = true;
	__atomic_store_n(&srv.held, false, __ATOMIC_RELEASE);
	srv.held_offset = offset;
	pthread_mutex_unlock(&srv.lock);
}

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
	int go[2], result[2], status, pagemap;
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

	if (pipe(go) || pipe(result)) {
		ksft_print_msg("round %d: pipe: %s\n", round, strerror(errno));
		return ROUND_ERROR;
	}
	if (issue_start(io)) {
		ksft_print_msg("round %d: %s: cannot issue the read: %s\n",
			       round, issuer_name[io->how], strerror(errno));
		return ROUND_ERROR;
	}
	if (!server_wait_held()) {
		/* The read never reached the server: no fork to test. */
		res = issue_wait(io);
		ksft_print_msg("round %d: no read at %lld reached the server\n",
			       round, (long long)io->dev_offset);
		ksft_print_msg("last read seen: %u bytes at %llu; ours returned %zd\n",
			       srv.last_len, (unsigned long long)srv.last_from,
			       res);
		return ROUND_ERROR;
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
			       round, pid < 0 ? -errno : 0, res,
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
}

static long read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%ld\n", v);
		fclose(f);
	}
}

/* The "KEY: N kB" value of a /proc file such as meminfo, -1 without it. */
static long proc_kb(const char *path, const char *key)
{
	char line[128];
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), " %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The device offset of the first block of fd's file (FIBMAP). */
static off_t file_dev_offset(int fd)
{
	int block = 0, block_size = 0;

	if (ioctl(fd, FIBMAP, &block) || ioctl(fd, FIGETBSZ, &block_size))
		return -1;
	return (off_t)block * block_size;
}

/*
 * Open what case t reads. A file target first puts its filesystem on the
 * device (unmounting another one) and mounts it, and makes sure that the
 * file lies where the server holds its reads. Returns -2 when the kernel
 * lacks the filesystem.
 */
static int open_target(struct device *dev, enum target t, struct issue *io,
		       char *why, size_t len)
{
	const struct fs_image *fs = &fs_image[t];
	char path[96];
	off_t at;
	int fd;

	if (t == RAW_BDEV) {
		io->offset = RAW_OFFSET;
		io->dev_offset = RAW_OFFSET;
		fd = open(nbd_dev, O_RDONLY | O_DIRECT);
		if (fd < 0)
			snprintf(why, len, "%s: %s", nbd_dev, strerror(errno));
		return fd;
	}
	if (dev->mounted && dev->fs != t) {
		umount(dev->mnt);
		rmdir(dev->mnt);
		dev->mounted = false;
	}
	if (!dev->mounted) {
		pthread_mutex_lock(&srv.lock);
		fs->build(srv.disk);
		pthread_mutex_unlock(&srv.lock);
		/* The device's page cache may hold the last image's blocks. */
		if (ioctl(dev->nbd, BLKFLSBUF, 0)) {
			snprintf(why, len, "BLKFLSBUF %s: %s", nbd_dev,
				 strerror(errno));
			return -1;
		}
		strcpy(dev->mnt, "/tmp/odirect_fork.XXXXXX");
		if (!mkdtemp(dev->mnt) ||
		    mount(nbd_dev, dev->mnt, fs->type, fs->flags, NULL)) {
			int err = errno;

			snprintf(why, len, "mount -t %s %s: %s%s%s%s", fs->type,
				 nbd_dev, strerror(err),
				 err == ENODEV ? " (needs " : "",
				 err == ENODEV ? fs->config : "",
				 err == ENODEV ? ")" : "");
			rmdir(dev->mnt);
			return err == ENODEV ? -2 : -1;
		}
		dev->mounted = true;
		dev->fs = t;
	}
	io->offset = fs->read_at;
	io->dev_offset = fs->file_offset + fs->read_at;
	snprintf(path, sizeof(path), "%s/data.bin", dev->mnt);
	fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return fd;
	}
	at = file_dev_offset(fd);
	if (at != fs->file_offset) {
		snprintf(why, len, "%s: FIBMAP puts it at %lld, not at %lld (%s)",
			 path, (long long)at, (long long)fs->file_offset,
			 at < 0 ? strerror(errno) : "wrong image");
		close(fd);
		return -1;
	}
	return fd;
}

/* Count one round of a race case. */
static void count_round(struct ipi_fp_counts *c, enum round_result r,
			bool in_window)
{
	c->rounds++;
	c->bad += r == ROUND_CORRUPTED;
	c->errors += r == ROUND_ERROR;
	c->window += in_window;
}

static void run_case(struct device *dev, const struct test_case *tc,
		     int rounds)
{
	struct ipi_fp_counts c = { .kind = "race", .requested = rounds };
	int round, ret = KSFT_PASS, fd, leaks = 0, frame_checks = 0, left;
	int copied_at_fork = 0;
	struct issue io = { .how = tc->how };
	char why[192] = "", fork_ns[16 * MAX_COST_ROUNDS] = "";
	int n = 0;
	enum round_result r;
	struct pins before;
	struct buffer b;
	bool in_window;

	if (tc->mem == THP && !thp_size) {
		case_skip(tc->name, "no THP (CONFIG_TRANSPARENT_HUGEPAGE)");
		return;
	}
	if (tc->mem == HUGETLB && !hpage_size) {
		case_skip(tc->name, "no hugetlb (CONFIG_HUGETLBFS)");
		return;
	}
	fd = open_target(dev, tc->target, &io, why, sizeof(why));
	if (fd == -2)
		case_skip(tc->name, why);
	if (fd < 0) {
		if (fd != -2)
			case_fail(tc->name, why);
		return;
	}
	io.fd = fd;
	ret = issue_setup(&io, why, sizeof(why));
	if (ret != KSFT_PASS) {
		close(fd);
		if (ret == KSFT_SKIP)
			case_skip(tc->name, why);
		else
			case_fail(tc->name, why);
		return;
	}
	pins_read_start(&before);
	for (round = 0; round < rounds; round++) {
		ret = buffer_get(&b, tc->mem, why, sizeof(why));
		if (ret != KSFT_PASS) {
			buffer_put(&b);
			break;
		}
		r = run_round(&io, &b, round, c.bad < MAX_REPORTED_ROUNDS,
			      &in_window);
		count_round(&c, r, in_window);
		copied_at_fork += io.copied_at_fork;
		if (round < MAX_COST_ROUNDS)
			n += snprintf(fork_ns + n, sizeof(fork_ns) - n, " %lld",
				      io.fork_ns);
		left = c.errors ? -1 : pins_left_after_io(io.buf, DIO_LEN);
		if (left > 0) {
			ksft_print_msg("round %d: %d pages still pinned after the read\n",
				       round, left);
			leaks += left;
		}
		frame_checks += left >= 0;
		buffer_put(&b);
		if (c.errors)
			break;	/* the device state is unknown now */
	}
	issue_teardown(&io);
	close(fd);
	pthread_mutex_lock(&srv.lock);
	srv.armed = false;
	pthread_mutex_unlock(&srv.lock);

	if (ret == KSFT_SKIP && round == 0) {
		case_skip(tc->name, why);
		return;
	}
	if (ret != KSFT_PASS) {
		ksft_print_msg("round %d: %s\n", round, why);
		c.errors++;
	}
	ksft_print_msg("%s: rounds %d, corrupted %d, errors %d, read held across fork() in %d\n",
		       tc->name, c.rounds, c.bad, c.errors, c.window);
	/* What fork() took with the read held: the harness's cost mode. */
	if (!c.errors && c.rounds <= MAX_COST_ROUNDS)
		ksft_print_msg("IPI_FP_COST fork_held_%s ns/fork%s\n",
			       tc->name + strlen("dio_read_survives_fork_"),
			       fork_ns);
	leaks = print_counts(tc->name, &c, &before, leaks, frame_checks,
			     copied_at_fork);
	ksft_test_result(!c.bad && !c.errors && !leaks, "%s\n", tc->name);
}

/*
 * The release cases. Each issues one O_DIRECT request that makes the
 * kernel drop pins on a path other than a plain completion, checks its
 * result, and counts leaked pins: unequal pin deltas, pages still pinned
 * afterwards.
 */
enum release_case {
	SAME_PAGE_READV,	/* two halves of one page: same-page merge */
	SHORT_READ_AT_EOF,	/* fs/direct-io.c: pages past EOF are left over */
	READ_OVER_256_PAGES,	/* more than one bio */
	EFAULT_AFTER_PAGES,	/* the iovec runs into an unmapped page */
	WRITE_FROM_ZERO_PAGE,	/* the shared zero page as the source */
	NOWAIT_OVER_256_PAGES,	/* RWF_NOWAIT: -EAGAIN after one bio's pages */
	NR_RELEASE_CASES
};

static const char *const release_name[] = {
	"dio_release_same_page_readv_bdev",
	"dio_release_short_read_at_eof_msdos_file",
	"dio_release_read_over_256_pages_bdev",
	"dio_release_efault_after_pages_bdev",
	"dio_release_write_from_zero_page_bdev",
	"dio_release_nowait_eagain_bdev",
};

/*
 * One request of case rc: the bytes it moved or -errno. *want: what it
 * should move; *span: the mapped part of the buffer that it covered.
 */
static ssize_t release_io(struct device *dev, enum release_case rc,
			  unsigned char *map, ssize_t *want, size_t *span,
			  char *why, size_t len)
{
	static struct iovec big_iov[BIG_PAGES];
	struct issue io = { 0 };
	struct iovec iov[2];
	ssize_t res;
	int fd, i;

	if (rc == WRITE_FROM_ZERO_PAGE) {
		fd = open(nbd_dev, O_WRONLY | O_DIRECT);
		if (fd < 0)
			snprintf(why, len, "%s: %s", nbd_dev, strerror(errno));
	} else {
		fd = open_target(dev, rc == SHORT_READ_AT_EOF ? MSDOS_FILE :
				 RAW_BDEV, &io, why, len);
	}
	if (fd < 0)
		return fd == -2 ? -ENODEV : -EIO;
	switch (rc) {
	case SAME_PAGE_READV:
		iov[0].iov_base = map;
		iov[0].iov_len = page_size / 2;
		iov[1].iov_base = map + page_size / 2;
		iov[1].iov_len = page_size / 2;
		*want = page_size;
		*span = page_size;
		res = preadv(fd, iov, 2, io.offset);
		break;
	case SHORT_READ_AT_EOF:
		/* The file has DIO_LEN bytes; ask for two pages more. */
		*want = DIO_LEN;
		*span = DIO_LEN + 2 * page_size;
		res = pread(fd, map, *span, 0);
		break;
	case READ_OVER_256_PAGES:
		*want = BIG_PAGES * page_size;
		*span = *want;
		res = pread(fd, map, *want, 0);
		break;
	case EFAULT_AFTER_PAGES:
		/* map + BIG_PAGES pages is PROT_NONE: a short read or EFAULT. */
		*want = BIG_PAGES * page_size;
		*span = *want;
		res = pread(fd, map, *want + page_size, 0);
		break;
	case WRITE_FROM_ZERO_PAGE:
		*want = DIO_LEN;
		*span = DIO_LEN;
		res = pwrite(fd, map, DIO_LEN, RAW_OFFSET + 2 * DIO_LEN);
		break;
	case NOWAIT_OVER_256_PAGES:
		/*
		 * One sector at the start of each of 257 pages: 257 bvecs
		 * that cannot merge, more than one bio holds. A
		 * non-blocking request may not wait for a second bio: the
		 * block layer drops the first bio's pages and asks for a
		 * blocking retry.
		 */
		for (i = 0; i < BIG_PAGES; i++) {
			big_iov[i].iov_base = map + i * page_size;
			big_iov[i].iov_len = SECTOR;
		}
		*want = -EAGAIN;
		*span = BIG_PAGES * page_size;
		res = preadv2(fd, big_iov, BIG_PAGES, 0, RWF_NOWAIT);
		break;
	default:
		res = -EINVAL;
	}
	if (res < 0)
		res = -errno;
	close(fd);
	return res;
}

/*
 * The frame check's own control: io_uring's registered buffers are pinned
 * (FOLL_PIN | FOLL_LONGTERM) until unregistered, so the check must see a
 * registered page as pinned, and the same page as free once unregistered.
 * A check that cannot see a pin makes every frame_checks count worthless.
 */
#define FRAME_CONTROL "frame_check_sees_a_registered_buffer_pinned"

static void run_frame_check_control(void)
{
	struct ipi_fp_counts c = { .kind = "check", .requested = 1,
				   .rounds = 1, .window = 1 };
	struct io_uring ring;
	struct iovec iov;
	int pinned, freed, ret;
	unsigned char *page;
	char why[160];

	if (!ipi_fp_io_uring_usable(why, sizeof(why))) {
		case_skip(FRAME_CONTROL, why);
		return;
	}
	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = io_uring_queue_init(4, &ring, 0);
	if (page == MAP_FAILED || ret) {
		ksft_print_msg("%s: mmap or io_uring_queue_init failed\n",
			       FRAME_CONTROL);
		ksft_test_result_fail("%s\n", FRAME_CONTROL);
		return;
	}
	page[0] = FILL;
	iov.iov_base = page;
	iov.iov_len = page_size;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	pinned = ret ? -1 : pinned_pages_left(page, page_size);
	if (!ret)
		io_uring_unregister_buffers(&ring);
	freed = pinned_pages_left(page, page_size);
	io_uring_queue_exit(&ring);
	munmap(page, page_size);
	ksft_print_msg("%s: registered %d, copies while registered %d, after %d\n",
		       FRAME_CONTROL, ret, pinned, freed);
	c.errors = ret || pinned < 0 || freed < 0;
	c.bad = !c.errors && (pinned != 1 || freed != 0);
	ipi_fp_print_counts(FRAME_CONTROL, &c, "");
	ksft_test_result(!c.errors && !c.bad, "%s\n", FRAME_CONTROL);
}

static void run_release_case(struct device *dev, enum release_case rc)
{
	struct ipi_fp_counts c = { .kind = "check", .requested = 1 };
	size_t map_len = (BIG_PAGES + 1) * page_size;
	int leaks = 0, left, frame_checks = 0;
	const char *name = release_name[rc];
	ssize_t res, want = 0;
	struct pins before;
	size_t span = 0;
	unsigned char *map;
	char why[192] = "";
	size_t i;

	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		ksft_print_msg("%s: mmap: %s\n", name, strerror(errno));
		ksft_test_result_fail("%s\n", name);
		return;
	}
	madvise(map, map_len, MADV_NOHUGEPAGE);
	/* Read faults map the shared zero page. */
	if (rc == WRITE_FROM_ZERO_PAGE &&
	    madvise(map, map_len, MADV_POPULATE_READ)) {
		ksft_print_msg("%s: MADV_POPULATE_READ: %s\n", name,
			       strerror(errno));
		c.errors = 1;
	}
	for (i = 0; rc != WRITE_FROM_ZERO_PAGE && i < map_len; i += page_size)
		map[i] = FILL;
	if (rc == EFAULT_AFTER_PAGES)
		mprotect(map + BIG_PAGES * page_size, page_size, PROT_NONE);

	pins_read_start(&before);
	if ((rc == READ_OVER_256_PAGES || rc == EFAULT_AFTER_PAGES) &&
	    (BIG_PAGES + 1) * page_size > DEV_SIZE) {
		snprintf(why, sizeof(why),
			 "%d pages of %zu bytes do not fit the %d-byte device",
			 BIG_PAGES + 1, page_size, DEV_SIZE);
		res = -ENODEV;
	} else {
		res = release_io(dev, rc, map, &want, &span, why, sizeof(why));
	}
	if (res == -ENODEV) {
		munmap(map, map_len);
		case_skip(name, why);
		return;
	}
	c.rounds = 1;
	c.window = 1;
	if (c.errors)
		res = -EIO;
	/* EFAULT may come back as such or as the pages read before it. */
	if (res != want && !(rc == EFAULT_AFTER_PAGES &&
			     (res == -EFAULT || (res > 0 && res < want)))) {
		ksft_print_msg("%s: returned %zd, expected %zd%s%s\n", name,
			       res, want, why[0] ? ": " : "", why);
		c.errors = 1;
	}
	/*
	 * The zero page cannot be pinned, and fork() copies no page table
	 * of a mapping that was only read (no anon_vma): no frame check.
	 */
	left = rc == WRITE_FROM_ZERO_PAGE ? -2 : pins_left_after_io(map, span);
	if (left > 0) {
		ksft_print_msg("%s: %d pages still pinned after the I/O\n",
			       name, left);
		leaks += left;
	}
	frame_checks = left == -2 ? -1 : frame_checks + (left >= 0);
	ksft_print_msg("%s: returned %zd\n", name, res);
	leaks = print_counts(name, &c, &before, leaks, frame_checks, -1);
	munmap(map, map_len);
	ksft_test_result(!c.errors && !leaks, "%s\n", name);
}

/*
 * The write case: the same fork() during an O_DIRECT write. The parent
 * writes WRITE_LEN bytes of its buffer to the device from a thread; the
 * server holds the request after its header, so most of the data is still
 * in the parent's pages (the socket's send buffer is small); the parent
 * forks, writes to the buffer's first page outside the buffer, the child
 * overwrites its copy of the whole buffer, and then the server takes the
 * data. What reaches the device must be what the parent wrote. Only the
 * blocking pwrite() from a thread can be held this way: NBD sends the
 * data in the submitter's context, where io_uring and Linux AIO would
 * block the submitting (forking) thread.
 *
 * The first round also prints what fork() cost in memory: the system's
 * AnonPages after fork() and after the child's write, against before
 * fork(), and the child's RssAnon at both points. A kernel that pins
 * the pages copies them for the child at fork(); one that takes plain
 * references shares them until the child writes.
 */
#define WRITE_CASE "dio_write_sends_parent_data_across_fork_bdev_small_page_pwrite_thread"

struct writer {
	int fd;
	const unsigned char *buf;
	pthread_t thread;
	ssize_t result;
};

static void *pwrite_thread(void *arg)
{
	struct writer *w = arg;

	w->result = pwrite(w->fd, w->buf, WRITE_LEN, WRITE_OFFSET);
	if (w->result < 0)
		w->result = -errno;
	return NULL;
}

/* AnonPages, exact: the per-CPU deltas folded first (vm.stat_refresh). */
static long anon_pages_kb(void)
{
	vmstat_fold();
	return proc_kb("/proc/meminfo", "AnonPages:");
}

/* One write round; *in_window as in run_round(), mem[4] for round 0. */
static enum round_result write_round(int fd, unsigned char *buf, int round,
				     bool *in_window, long *mem)
{
	unsigned char pattern = 1 + round % 0x50, c = 0;
	struct writer w = { .fd = fd, .buf = buf };
	int go[2], result[2], status;
	long anon0, rss[2] = { -1, -1 };
	struct timespec ts;
	size_t stale;
	pid_t pid;

	memset(buf, pattern, WRITE_LEN);
	*in_window = false;
	if (pipe(go) || pipe(result)) {
		ksft_print_msg("write round %d: pipe: %s\n", round,
			       strerror(errno));
		return ROUND_ERROR;
	}
	server_arm_write(WRITE_OFFSET);
	if (pthread_create(&w.thread, NULL, pwrite_thread, &w)) {
		ksft_print_msg("write round %d: pthread_create failed\n", round);
		return ROUND_ERROR;
	}
	if (!server_wait_held()) {
		pthread_join(w.thread, NULL);
		ksft_print_msg("write round %d: no write reached the server\n",
			       round);
		ksft_print_msg("pwrite() returned %zd\n", w.result);
		return ROUND_ERROR;
	}
	anon0 = anon_pages_kb();
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(result[0]);
		rss[0] = proc_kb("/proc/self/status", "RssAnon:");
		if (read_full(go[0], &c, 1))
			_exit(1);
		memset(buf, CHILD_FILL, WRITE_LEN);
		rss[1] = proc_kb("/proc/self/status", "RssAnon:");
		/* Stay until the parent has counted AnonPages again. */
		if (write_full(result[1], rss, sizeof(rss)) ||
		    read_full(go[0], &c, 1))
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(result[1]);
	if (pid > 0) {
		/* The parent's own write: its first page, outside the buffer. */
		buf[-1] = MARK;
		mem[0] = anon_pages_kb() - anon0;
		if (write_full(go[1], &c, 1) ||
		    read_full(result[0], rss, sizeof(rss))) {
			rss[0] = -1;
			rss[1] = -1;
		}
		mem[1] = anon_pages_kb() - anon0;
		mem[2] = rss[0];
		mem[3] = rss[1];
		write_full(go[1], &c, 1);
	}
	server_release();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	if (pthread_timedjoin_np(w.thread, NULL, &ts))
		w.result = -ETIMEDOUT;
	if (pid > 0)
		waitpid(pid, &status, 0);
	close(go[1]);
	close(result[0]);
	*in_window = pid > 0 && w.result == WRITE_LEN &&
		     __atomic_load_n(&srv.held, __ATOMIC_ACQUIRE);
	if (pid < 0 || w.result != WRITE_LEN || rss[1] < 0) {
		ksft_print_msg("write round %d: fork %d, pwrite returned %zd, child %s\n",
			       round, pid < 0 ? -errno : 0, w.result,
			       rss[1] < 0 ? "did not answer" : "ok");
		return ROUND_ERROR;
	}
	pthread_mutex_lock(&srv.lock);
	stale = count_bytes(srv.disk + WRITE_OFFSET, WRITE_LEN, pattern, false);
	pthread_mutex_unlock(&srv.lock);
	if (!stale)
		return ROUND_CLEAN;
	ksft_print_msg("write round %d: %zu of %d bytes on the device are not the parent's\n",
		       round, stale, WRITE_LEN);
	ksft_print_msg("write round %d: %zu of them are the child's\n", round,
		       count_bytes(srv.disk + WRITE_OFFSET, WRITE_LEN,
				   CHILD_FILL, true));
	return ROUND_CORRUPTED;
}

static void run_write_case(int rounds)
{
	struct ipi_fp_counts c = { .kind = "race", .requested = rounds };
	size_t map_len = WRITE_LEN + 2 * page_size;
	int round, fd, leaks = 0, frame_checks = 0, left;
	long mem[4] = { -1, -1, -1, -1 }, later_mem[4];
	unsigned char *map, *buf;
	enum round_result r;
	struct pins before;
	bool in_window;

	fd = open(nbd_dev, O_WRONLY | O_DIRECT);
	if (fd < 0) {
		case_fail(WRITE_CASE, strerror(errno));
		return;
	}
	pins_read_start(&before);
	for (round = 0; round < rounds; round++) {
		map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED) {
			ksft_print_msg("write round %d: mmap: %s\n", round,
				       strerror(errno));
			c.errors++;
			break;
		}
		madvise(map, map_len, MADV_NOHUGEPAGE);
		buf = map + page_size - DIO_HEAD;
		r = write_round(fd, buf, round, &in_window,
				round ? later_mem : mem);
		count_round(&c, r, in_window);
		left = c.errors ? -1 : pins_left_after_io(buf, WRITE_LEN);
		if (left > 0) {
			ksft_print_msg("write round %d: %d pages still pinned after the write\n",
				       round, left);
			leaks += left;
		}
		frame_checks += left >= 0;
		munmap(map, map_len);
		if (c.errors)
			break;
	}
	close(fd);
	pthread_mutex_lock(&srv.lock);
	srv.armed_write = false;
	pthread_mutex_unlock(&srv.lock);
	ksft_print_msg("%s: rounds %d, corrupted %d, errors %d, write held across fork() in %d\n",
		       WRITE_CASE, c.rounds, c.bad, c.errors, c.window);
	/* The first round's: what fork() cost in memory. */
	ksft_print_msg("%s: %d KiB being written at fork()\n", WRITE_CASE,
		       WRITE_LEN / 1024);
	ksft_print_msg("%s: AnonPages +%ld kB after fork(), +%ld kB after the child wrote\n",
		       WRITE_CASE, mem[0], mem[1]);
	ksft_print_msg("%s: the child's RssAnon: %ld kB after fork(), %ld kB after its write\n",
		       WRITE_CASE, mem[2], mem[3]);
	leaks = print_counts(WRITE_CASE, &c, &before, leaks, frame_checks, -1);
	ksft_test_result(!c.bad && !c.errors && !leaks, "%s\n", WRITE_CASE);
}

/*
 * The held cases: the buffer's mapping goes away while the read is held
 * at the server, by munmap() of the buffer or by exit() of the process
 * that issued the read. The read must still complete, its pins must all
 * be released afterwards, and the kernel log must stay clean (the harness
 * checks the guest's log for splats). No fork() race: PASS on every
 * kernel that handles it.
 */
enum held_case { MUNMAP_WHILE_HELD, EXIT_WHILE_HELD, NR_HELD_CASES };

static const char *const held_name[] = {
	"dio_release_munmap_while_held_bdev",
	"dio_release_exit_while_held_bdev",
};

/* The state letter of /proc/PID/stat, 0 when unknown. */
static char task_state(pid_t pid)
{
	char path[64], line[512], *end, state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* "pid (comm) S ...": the state follows the last ')'. */
	if (fgets(line, sizeof(line), f)) {
		end = strrchr(line, ')');
		if (end && sscanf(end + 1, " %c", &state) != 1)
			state = 0;
	}
	fclose(f);
	return state;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/*
 * The exit case's watcher: a thread of its own polls the exiting child's
 * /proc/PID/stat until the child waits there ('D'), it is gone or the
 * main thread stops it. Not the main thread: reading /proc/PID/stat
 * takes a reference to the child's mm for a moment, and when the child
 * drops its own reference meanwhile, the reader's is the last one and
 * the reader runs the child's mm teardown, whose exit_aio() waits for
 * the held read. In the main thread that was a deadlock (the read waits
 * for the main thread's release), which a slow guest hit now and then;
 * in this thread it only parks the thread until the release.
 */
struct exit_watch {
	pid_t pid;
	int seen;	/* 'D' (waits in exit), 'Z' or 'X' (gone), or 0 */
	int stop;
};

static void *watch_exit(void *arg)
{
	struct exit_watch *w = arg;
	struct timespec ms = { .tv_nsec = 1000000 };
	char st;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		st = task_state(w->pid);
		if (st == 'D' || st == 'Z' || !st) {
			__atomic_store_n(&w->seen, st ? st : 'X',
					 __ATOMIC_RELEASE);
			break;
		}
		nanosleep(&ms, NULL);
	}
	return NULL;
}

/*
 * The child of the exit case: issue an AIO read into its own buffer, say
 * so on ready, wait for go (or for the parent to close it), and exit with
 * the read in flight. exit_aio() then waits, uninterruptibly, for the
 * read to complete.
 */
static void exit_while_held_child(int ready, int go)
{
	struct iocb cb = { 0 }, *cbs[1] = { &cb };
	aio_context_t aio = 0;
	unsigned char *buf;
	char c = 0;
	int fd;

	buf = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(nbd_dev, O_RDONLY | O_DIRECT);
	if (buf == MAP_FAILED || fd < 0 || syscall(__NR_io_setup, 4, &aio))
		_exit(2);
	memset(buf, FILL, 2 * page_size);
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_fildes = fd;
	cb.aio_buf = (uintptr_t)(buf + page_size - DIO_HEAD);
	cb.aio_nbytes = DIO_LEN;
	cb.aio_offset = RAW_OFFSET;
	if (syscall(__NR_io_submit, aio, 1, cbs) != 1)
		_exit(3);
	if (write_full(ready, &c, 1) || read_full(go, &c, 1))
		_exit(4);
	_exit(0);
}

/*
 * Start the munmap case's read; false (with a message) if it could not.
 * *set_up: io needs issue_teardown().
 */
static bool munmap_case_start(struct issue *io, unsigned char **map,
			      bool *set_up, const char *name)
{
	char why[192] = "";

	*map = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	io->fd = open(nbd_dev, O_RDONLY | O_DIRECT);
	*set_up = *map != MAP_FAILED && io->fd >= 0 &&
		  issue_setup(io, why, sizeof(why)) == KSFT_PASS;
	if (!*set_up) {
		ksft_print_msg("%s: setup: %s %s\n", name, strerror(errno), why);
		return false;
	}
	memset(*map, FILL, 2 * page_size);
	io->buf = *map + page_size - DIO_HEAD;
	if (issue_start(io)) {
		ksft_print_msg("%s: cannot issue the read: %s\n", name,
			       strerror(errno));
		return false;
	}
	return true;
}

static void run_held_case(enum held_case hc)
{
	struct ipi_fp_counts c = { .kind = "check", .requested = 1,
				   .rounds = 1 };
	struct issue io = { .how = IO_URING, .offset = RAW_OFFSET,
			    .dev_offset = RAW_OFFSET, .fd = -1 };
	const char *name = held_name[hc];
	int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, status = 0, leaks;
	unsigned char *map = MAP_FAILED;
	bool held = false, set_up = false, released = false;
	struct pins before;
	ssize_t res = 0;
	pid_t pid = -1;
	char s = 0, why[160];

	/* The munmap case's read is an io_uring one. */
	if (hc == MUNMAP_WHILE_HELD && !ipi_fp_io_uring_usable(why, sizeof(why))) {
		case_skip(name, why);
		return;
	}
	pins_read_start(&before);
	server_arm(RAW_OFFSET, MARK);
	if (hc == MUNMAP_WHILE_HELD) {
		c.errors += !munmap_case_start(&io, &map, &set_up, name);
	} else if (pipe(ready) || pipe(go)) {
		ksft_print_msg("%s: pipe: %s\n", name, strerror(errno));
		c.errors++;
	} else {
		pid = fork();
		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			exit_while_held_child(ready[1], go[0]);
		}
		close(ready[1]);
		close(go[0]);
		if (pid < 0 || !wait_readable(ready[0], WAIT_MS) ||
		    read_full(ready[0], &s, 1)) {
			ksft_print_msg("%s: no read from the child within %d ms (state %c)\n",
				       name, WAIT_MS,
				       pid > 0 && task_state(pid) ?
				       task_state(pid) : '?');
			c.errors++;
		}
	}
	/*
	 * Whatever went wrong before, a read that reached the server is
	 * released below: server_wait_held() releases one that came too
	 * late itself.
	 */
	if (hc == EXIT_WHILE_HELD ? pid > 0 : !c.errors)
		held = server_wait_held();
	if (!c.errors && !held) {
		ksft_print_msg("%s: no read reached the server\n", name);
		c.errors++;
	}
	if (held && !c.errors && hc == MUNMAP_WHILE_HELD) {
		c.window = !munmap(map, 2 * page_size);
		map = MAP_FAILED;
	}
	if (held && !c.errors && hc == EXIT_WHILE_HELD) {
		struct exit_watch w = { .pid = pid };
		struct timespec ms = { .tv_nsec = 1000000 };
		long long deadline = now_ms() + WAIT_MS;
		siginfo_t si;
		pthread_t t;
		bool watching;

		/*
		 * The child exits; its exit (or whoever drops the last
		 * reference to its mm) waits for the held read. Seen as the
		 * child in 'D', or as the child gone while the read is still
		 * held (the watcher then finishes its exit).
		 */
		write_full(go[1], &s, 1);
		watching = !pthread_create(&t, NULL, watch_exit, &w);
		while (watching && !c.window && now_ms() < deadline) {
			si.si_pid = 0;
			c.window = __atomic_load_n(&w.seen, __ATOMIC_ACQUIRE) ||
				   (!waitid(P_PID, pid, &si,
					    WEXITED | WNOHANG | WNOWAIT) &&
				    si.si_pid == pid);
			if (!c.window)
				nanosleep(&ms, NULL);
		}
		if (!c.window)
			ksft_print_msg("%s: the child never waited in exit within %d ms\n",
				       name, WAIT_MS);
		__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
		server_release();
		released = true;
		if (watching)
			pthread_join(t, NULL);
	}
	if (held && !released)
		server_release();
	if (hc == MUNMAP_WHILE_HELD) {
		res = held ? issue_wait(&io) : 0;
		if (held && res != DIO_LEN) {
			ksft_print_msg("%s: the read returned %zd, expected %d\n",
				       name, res, DIO_LEN);
			c.errors++;
		}
		if (set_up)
			issue_teardown(&io);
		if (io.fd >= 0)
			close(io.fd);
		if (map != MAP_FAILED)
			munmap(map, 2 * page_size);
	} else {
		/* A child still waiting for go exits now. */
		close(go[1]);
		close(ready[0]);
		if (pid > 0 && (waitpid(pid, &status, 0) != pid ||
				!WIFEXITED(status) || WEXITSTATUS(status))) {
			ksft_print_msg("%s: child status %#x\n", name, status);
			c.errors++;
		}
	}
	pthread_mutex_lock(&srv.lock);
	srv.armed = false;
	pthread_mutex_unlock(&srv.lock);
	/*
	 * The case tested only if the mapping went away while the server
	 * still held the read (-M no-hold answers at once): otherwise an
	 * error, not the kernel's fault.
	 */
	c.window = c.window && __atomic_load_n(&srv.held, __ATOMIC_ACQUIRE);
	if (held && !c.window)
		c.errors++;
	if (!c.errors)
		wait_pins_released(&before);
	if (hc == MUNMAP_WHILE_HELD)
		ksft_print_msg("%s: read returned %zd, mapping gone while held: %s\n",
			       name, res, c.window ? "yes" : "no");
	else
		ksft_print_msg("%s: the child exited with its read held: %s\n",
			       name, c.window ? "yes" : "no");
	leaks = print_counts(name, &c, &before, 0, -1, -1);
	ksft_test_result(!c.errors && !leaks, "%s\n", name);
}

static int parse_args(int argc, char **argv)
{
	int opt, rounds = DEFAULT_ROUNDS;

	while ((opt = getopt(argc, argv, "r:d:M:")) != -1) {
		if (opt == 'd' && strlen(optarg) < sizeof(nbd_dev)) {
			strcpy(nbd_dev, optarg);
			continue;
		}
		if (opt == 'M' && !strcmp(optarg, "no-hold")) {
			srv.no_hold = true;
			continue;
		}
		if (opt != 'r' || atoi(optarg) < 1)
			ksft_exit_fail_msg("usage: %s [-r rounds] [-d /dev/nbdN] [-M no-hold]\n",
					   argv[0]);
		rounds = atoi(optarg);
	}
	return rounds;
}

/*
 * What a kill undoes (SIGTERM from the kselftest timeout, SIGINT): the
 * mount (detached: a held read may still be in flight on it), the NBD
 * connection and vm.nr_hugepages. Then the process dies of the signal,
 * which ends the server thread, so the kernel's requests fail instead
 * of waiting for it.
 */
static struct device *kill_dev;
static pid_t kill_pid;			/* the test's process, not a child */
static char kill_hugepages[24];	/* the value to write back, or "" */

static void undo_and_die(int sig)
{
	ssize_t n;
	int fd;

	if (kill_dev && getpid() == kill_pid) {
		if (kill_dev->mounted) {
			umount2(kill_dev->mnt, MNT_DETACH);
			rmdir(kill_dev->mnt);
		}
		ioctl(kill_dev->nbd, NBD_DISCONNECT);
		fd = kill_hugepages[0] ? open("/proc/sys/vm/nr_hugepages", O_WRONLY) : -1;
		if (fd >= 0) {
			n = write(fd, kill_hugepages, strlen(kill_hugepages));
			(void)n;
			close(fd);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	static const char nr_hugepages[] = "/proc/sys/vm/nr_hugepages";
	struct test_case cases[NR_TARGETS * NR_MEMORY * NR_ISSUERS];
	int rounds, ret, m, h, t, i, nr_cases = 0;
	struct device dev = { 0 };
	long saved_hugepages;
	char why[192] = "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	rounds = parse_args(argc, argv);
	page_size = sysconf(_SC_PAGESIZE);
	thp_size = read_long("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
	hpage_size = proc_kb("/proc/meminfo", "Hugepagesize:") * 1024;
	if ((long)thp_size <= 0)
		thp_size = 0;
	if ((long)hpage_size <= 0)
		hpage_size = 0;

	/* The filesystems are exercised with small pages only. */
	for (t = 0; t < NR_TARGETS; t++)
		for (m = 0; m < NR_MEMORY; m++)
			for (h = 0; h < NR_ISSUERS; h++) {
				struct test_case *tc = &cases[nr_cases];

				if ((t != RAW_BDEV || h == IO_URING_FIXED) &&
				    m != SMALL_PAGE)
					continue;
				tc->target = t;
				tc->mem = m;
				tc->how = h;
				snprintf(tc->name, sizeof(tc->name),
					 "dio_read_survives_fork_%s_%s_%s",
					 target_name[t], memory_name[m],
					 issuer_name[h]);
				nr_cases++;
			}

	ksft_print_header();
	ksft_set_plan(nr_cases + 1 + NR_RELEASE_CASES + NR_HELD_CASES + 1);
	ksft_print_msg("%d rounds per case, page %zu, THP %zu, hugetlb %zu bytes\n",
		       rounds, page_size, thp_size, hpage_size);

	ret = nbd_start(&dev, why, sizeof(why));
	if (ret != KSFT_PASS) {
		for (i = 0; i <= nr_cases + NR_RELEASE_CASES + NR_HELD_CASES;
		     i++) {
			const char *name = FRAME_CONTROL;

			if (i == 0) {
				if (ret == KSFT_SKIP)
					case_skip(WRITE_CASE, why);
				else
					case_fail(WRITE_CASE, why);
			}
			if (i < nr_cases)
				name = cases[i].name;
			else if (i < nr_cases + NR_RELEASE_CASES)
				name = release_name[i - nr_cases];
			else if (i < nr_cases + NR_RELEASE_CASES +
				     NR_HELD_CASES)
				name = held_name[i - nr_cases -
						 NR_RELEASE_CASES];

			if (ret == KSFT_SKIP)
				case_skip(name, why);
			else
				case_fail(name, why);
		}
		if (ret == KSFT_SKIP) {
			ksft_print_cnts();
			exit(KSFT_SKIP);
		}
		ksft_finished();
	}

	kill_dev = &dev;
	kill_pid = getpid();
	signal(SIGTERM, undo_and_die);
	signal(SIGINT, undo_and_die);
	/* Parent, child or COW copy, and a spare: four huge pages. */
	saved_hugepages = read_long(nr_hugepages);
	if (hpage_size && saved_hugepages >= 0 && saved_hugepages < 4) {
		snprintf(kill_hugepages, sizeof(kill_hugepages), "%ld\n",
			 saved_hugepages);
		write_long(nr_hugepages, 4);
	}

	for (i = 0; i < nr_cases; i++)
		run_case(&dev, &cases[i], rounds);
	run_write_case(rounds);
	for (i = 0; i < NR_RELEASE_CASES; i++)
		run_release_case(&dev, i);
	for (i = 0; i < NR_HELD_CASES; i++)
		run_held_case(i);
	run_frame_check_control();

	if (hpage_size && saved_hugepages >= 0 && saved_hugepages < 4)
		write_long(nr_hugepages, saved_hugepages);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	nbd_stop(&dev);
	ksft_finished();
}
