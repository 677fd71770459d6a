// SPDX-License-Identifier: GPL-2.0
/*
 * sg_io_same_page DEVICE ROUNDS: the page reference that 6.1.y's
 * bio_map_user_iov() keeps on a same-page merge (make blk-map-leak; fixed
 * upstream in v6.6 by 5905afc2c7bb, "block: fix pin count management
 * when merging same-page segments"), counted in free memory.
 *
 * Each round maps one fresh anonymous page, reads 4096 bytes of DEVICE (a
 * SCSI disk: scsi_debug) into it with SG_IO READ(10) given as two iovecs,
 * the page's two halves, and unmaps the page. bio_map_user_iov() takes a
 * reference per iovec and merges the second half into the first half's
 * segment; the completion drops one reference per segment page, so
 * without the fix the page keeps one reference and is never freed.
 *
 * Free pages (each zone's "pages free" and its per-CPU lists' "count",
 * /proc/zoneinfo, after vm.stat_refresh has folded the per-CPU deltas)
 * are counted before the first round and after the last; the difference
 * is what the rounds did not give back. Prints one line:
 *   SG_IO_SAME_PAGE rounds=N not_freed_pages=P errors=E
 * and exits 1 if a round failed to run (errors > 0).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#define LEN	4096
#define SECTOR	512

/* Free pages: the buddy allocator's and the per-CPU lists'. */
static long free_pages(void)
{
	char line[256];
	long total = 0, n;
	FILE *f;
	int fd;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			perror("stat_refresh");
		close(fd);
	}
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %ld", &n) == 1 ||
		    sscanf(line, " count: %ld", &n) == 1)
			total += n;
	}
	fclose(f);
	return total;
}

/* One SG_IO READ(10) of LEN bytes at sector 0 into the page's two halves. */
static int read_two_halves(int fd, unsigned char *page)
{
	unsigned char cdb[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, LEN / SECTOR, 0 };
	unsigned char sense[32];
	struct iovec iov[2] = {
		{ .iov_base = page, .iov_len = LEN / 2 },
		{ .iov_base = page + LEN / 2, .iov_len = LEN / 2 },
	};
	struct sg_io_hdr io = {
		.interface_id = 'S',
		.dxfer_direction = SG_DXFER_FROM_DEV,
		.cmd_len = sizeof(cdb),
		.mx_sb_len = sizeof(sense),
		.iovec_count = 2,
		.dxfer_len = LEN,
		.dxferp = iov,
		.cmdp = cdb,
		.sbp = sense,
		.timeout = 10000,
	};

	if (ioctl(fd, SG_IO, &io) < 0) {
		fprintf(stderr, "SG_IO: %s\n", strerror(errno));
		return -1;
	}
	if (io.status || io.host_status || io.driver_status || io.resid) {
		fprintf(stderr, "SG_IO: status %d host %d driver %d resid %d\n",
			io.status, io.host_status, io.driver_status, io.resid);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long before, after, rounds, i, errors = 0;
	unsigned char *page;
	int fd;

	if (argc != 3 || (rounds = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s DEVICE ROUNDS\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	before = free_pages();
	for (i = 0; i < rounds; i++) {
		page = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED) {
			errors++;
			break;
		}
		page[0] = 1;	/* a page of its own, not the zero page */
		if (read_two_halves(fd, page))
			errors++;
		munmap(page, LEN);
		if (errors > 10)
			break;
	}
	after = free_pages();
	close(fd);
	if (before < 0 || after < 0)
		errors++;
	printf("SG_IO_SAME_PAGE rounds=%ld not_freed_pages=%ld errors=%ld\n",
	       i, before - after, errors);
	return errors ? 1 : 0;
}
