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
 * One more reads into a page that is clean when the read completes, the
 * deferred dirtying path (run_deferred_dirty_case()).
 * Two more hold a read at the server while its buffer's mapping goes
 * away: munmap() of the buffer, and exit() of a child that issued the
 * read with Linux AIO. The read must complete and release every pin; the
 * harness checks the kernel log.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mount.h>

#include "../kselftest.h"
#include "ipi_fp_counts.h"
#include "ipi_fp_uring.h"
#ifdef HAVE_LIBURING
#define LOCAL_CONFIG_HAVE_LIBURING 1
#endif
#include "dio_fork.h"
#include "ipi_fp_nullb.h"

#define DEFAULT_ROUNDS		20
#define FAT_SIZE		(1024 * 1024)	/* what the FAT covers */
#define BIG_PAGES		257	/* more than one bio of 256 vecs */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#endif
#define MAX_REPORTED_ROUNDS	3
#define MAX_COST_ROUNDS		32	/* rounds whose fork() time is printed */
/* The write case: 64 KiB, far more than the kernel's socket send buffer. */
#define WRITE_LEN		(16 * 4096)
#define WRITE_OFFSET		(RAW_OFFSET + 64 * 1024)
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

enum target { RAW_BDEV, MSDOS_FILE, EXT4_FILE, NR_TARGETS };

static const char *const target_name[] = {
	"bdev", "msdos_file", "ext4_file"
};

/* The NBD device, and the filesystem the file cases mounted on it. */
struct device {
	struct nbd_dev nbd;
	char mnt[64];
	bool mounted;
	enum target fs;		/* the filesystem mounted at mnt */
};

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
		if (ioctl(dev->nbd.fd, BLKFLSBUF, 0)) {
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
 * The deferred dirtying case: a read whose page is clean when the read
 * completes. A direct read into user memory marks its pages dirty when it
 * is submitted (bio_set_pages_dirty()), and on completion the async block
 * path (bio_check_pages_dirty()) releases them at once only if they are
 * all still dirty; otherwise it hands the bio to a work item,
 * bio_dirty_fn(), which dirties the pages again and only then releases
 * them: the release path a plain completion does not take. The buffer
 * here is one page of a MAP_SHARED mapping of a null_blk device of the
 * test's own (its page cache: a page that writeback can clean). The read,
 * by Linux AIO on the raw NBD device, is held at the server; meanwhile
 * msync(MS_SYNC) writes the page back, so it is clean (smaps: no dirty
 * kB) when the server answers. Afterwards the page must hold the reply,
 * be dirty again although nothing in user space wrote to it (what only
 * bio_dirty_fn() does: the evidence that it ran), and, once it has run,
 * hold no pin: the FOLL_PIN counters are back where they were (the frame
 * check cannot judge a shared mapping: fork() never copies its pages).
 */
#define DIRTY_CASE "dio_release_deferred_dirtying_bdev_aio"

static struct nullb dirty_nullb = { .name = "dirty" };

/* Shared_Dirty + Private_Dirty of the mapping at addr, kB; -1 if unknown. */
static long mapping_dirty_kb(const void *addr)
{
	unsigned long from, to;
	char line[256];
	long kb, dirty = -1;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A mapping's first line: "FROM-TO perms offset dev inode ..." */
		if (sscanf(line, "%lx-%lx ", &from, &to) == 2) {
			if (in)
				break;
			in = from == (unsigned long)addr;
			if (in)
				dirty = 0;
			continue;
		}
		if (in && (sscanf(line, "Shared_Dirty: %ld kB", &kb) == 1 ||
			   sscanf(line, "Private_Dirty: %ld kB", &kb) == 1))
			dirty += kb;
	}
	fclose(f);
	return dirty;
}

/* The mapping at addr dirty again within PIN_RELEASE_WAIT_MS: its kB. */
static long wait_mapping_dirty(const void *addr)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	long kb = -1;
	int i;

	for (i = 0; i < PIN_RELEASE_WAIT_MS; i++) {
		kb = mapping_dirty_kb(addr);
		if (kb != 0)
			break;
		nanosleep(&ms, NULL);
	}
	return kb;
}

static void run_deferred_dirty_case(void)
{
	struct ipi_fp_counts c = { .kind = "check", .requested = 1 };
	struct issue io = { .how = LINUX_AIO };
	long clean_kb = -1, dirty_kb = -1;
	unsigned char pattern = 0x4d;
	const char *no_dev = NULL;
	unsigned char *map = MAP_FAILED;
	char why[192] = "";
	struct pins before;
	int nfd = -1, leaks = 0;
	ssize_t res = -1;
	size_t got = 0;

	if (nullb_make(&dirty_nullb, "ipi_fp_odirect", "4", &no_dev)) {
		nullb_remove(&dirty_nullb);
		case_skip(DIRTY_CASE, no_dev);
		return;
	}
	nfd = open(dirty_nullb.dev, O_RDWR);
	if (nfd >= 0)
		map = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   nfd, 0);
	io.fd = open(nbd_dev, O_RDONLY | O_DIRECT);
	if (map == MAP_FAILED || io.fd < 0 ||
	    issue_setup(&io, why, sizeof(why)) != KSFT_PASS) {
		ksft_print_msg("%s: %s: %s%s%s\n", DIRTY_CASE, dirty_nullb.dev,
			       strerror(errno), why[0] ? ", " : "", why);
		c.errors = 1;
		goto out;
	}
	memset(map, FILL, page_size);
	io.buf = map;
	io.offset = RAW_OFFSET;
	io.dev_offset = RAW_OFFSET;
	pins_read_start(&before);
	server_arm(io.dev_offset, pattern);
	if (issue_start(&io) || !server_wait_held()) {
		ksft_print_msg("%s: the read did not reach the server\n",
			       DIRTY_CASE);
		c.errors = 1;
		goto out;
	}
	/* The read's page is pinned and dirty: write it back now. */
	if (msync(map, page_size, MS_SYNC))
		ksft_print_msg("%s: msync: %s\n", DIRTY_CASE, strerror(errno));
	clean_kb = mapping_dirty_kb(map);
	server_release();
	res = issue_wait(&io);
	got = count_bytes(map, DIO_LEN, pattern, true);
	dirty_kb = wait_mapping_dirty(map);
	c.rounds = 1;
	/* The server's thread wrote srv.held before it answered. */
	c.window = __atomic_load_n(&srv.held, __ATOMIC_ACQUIRE);
	ksft_print_msg("%s: returned %zd, read %zu of %d, dirty kB %ld held, %ld after\n",
		       DIRTY_CASE, res, got, DIO_LEN, clean_kb, dirty_kb);
	/*
	 * Without the read held across msync() and a clean page at
	 * completion, the case tests nothing.
	 */
	if (res != DIO_LEN || !c.window || clean_kb != 0 || dirty_kb < 0)
		c.errors = 1;
	else
		c.bad = got != DIO_LEN || dirty_kb == 0;
	leaks = print_counts(DIRTY_CASE, &c, &before, 0, -1, -1);
out:
	if (io.fd >= 0) {
		issue_teardown(&io);
		close(io.fd);
	}
	if (map != MAP_FAILED)
		munmap(map, page_size);
	if (nfd >= 0)
		close(nfd);
	nullb_remove(&dirty_nullb);
	if (c.errors && !c.rounds)
		ipi_fp_print_counts(DIRTY_CASE, &c, "");
	ksft_test_result(!c.errors && !c.bad && !leaks, "%s\n", DIRTY_CASE);
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
/* Make the server hold the next write at offset, with its data. */
static void server_arm_write(uint64_t offset)
{
	pthread_mutex_lock(&srv.lock);
	srv.armed_write = true;
	__atomic_store_n(&srv.held, false, __ATOMIC_RELEASE);
	srv.held_offset = offset;
	pthread_mutex_unlock(&srv.lock);
}

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
		ioctl(kill_dev->nbd.fd, NBD_DISCONNECT);
		nullb_remove(&dirty_nullb);
		nullb_umount_configfs();
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
	ksft_set_plan(nr_cases + 1 + NR_RELEASE_CASES + 1 + NR_HELD_CASES + 1);
	ksft_print_msg("%d rounds per case, page %zu, THP %zu, hugetlb %zu bytes\n",
		       rounds, page_size, thp_size, hpage_size);

	ret = nbd_start(&dev.nbd, why, sizeof(why));
	if (ret != KSFT_PASS) {
		for (i = 0; i <= nr_cases + NR_RELEASE_CASES + NR_HELD_CASES;
		     i++) {
			const char *name = FRAME_CONTROL;

			if (i == 0) {
				if (ret == KSFT_SKIP) {
					case_skip(WRITE_CASE, why);
					case_skip(DIRTY_CASE, why);
				} else {
					case_fail(WRITE_CASE, why);
					case_fail(DIRTY_CASE, why);
				}
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
	run_deferred_dirty_case();
	for (i = 0; i < NR_HELD_CASES; i++)
		run_held_case(i);
	run_frame_check_control();

	if (hpage_size && saved_hugepages >= 0 && saved_hugepages < 4)
		write_long(nr_hugepages, saved_hugepages);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if (dev.mounted) {
		umount(dev.mnt);
		rmdir(dev.mnt);
	}
	nbd_stop(&dev.nbd);
	nullb_umount_configfs();
	ksft_finished();
}
