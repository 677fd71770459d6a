// SPDX-License-Identifier: GPL-2.0
/*
 * O_DIRECT reads in flight across fork().
 *
 * A direct read must land in the memory of the process that issued it,
 * even when that process forks while the read is in flight and then
 * writes to the same page. The kernel pins the pages it reads into
 * (FOLL_PIN), and fork() gives the child copies of pinned pages instead
 * of sharing them; with plain references (FOLL_GET) fork() shares the
 * page, the parent's write moves the parent to a new copy, and the data
 * of the read ends up in the child.
 *
 * The test serves an NBD device itself and holds its read at the server
 * until the parent has forked and written (dio_fork.h): no timing is
 * involved. It reads the block device itself (block/fops.c, whose
 * bios take their pages with bio_iov_iter_get_pages()). Each test runs
 * ROUNDS rounds and fails if, in any of them, the parent missed part of
 * the read, the child saw any of it, or the read's pages were still
 * pinned after it completed. A round whose read the server answered
 * before the parent had forked and written, or whose pages could not be
 * checked for pins, makes the test an error: it tested nothing; a round
 * that could not run at all ends the run, since its read may still be
 * in flight.
 *
 * Tests: a read issued by pread() from a second thread, by io_uring and
 * by Linux AIO, each into a base page, a PMD-sized THP and a hugetlb
 * page; and, as a control, io_uring into a registered ("fixed") buffer,
 * which io_uring pins itself (FOLL_PIN | FOLL_LONGTERM).
 *
 * Before v6.5 the block layer took plain references for direct I/O
 * (converted to pins by a7e689dd1c06 ("block: Convert
 * bio_iov_iter_get_pages to use iov_iter_extract_pages")). On such
 * kernels a corrupted read is reported as an expected failure (XFAIL)
 * with that reason; a kernel before v6.5 that carries a backport of the
 * conversion passes.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>

#include "local_config.h"
#include "../kselftest.h"
#include "vm_util.h"
#include "dio_fork.h"

#define DEFAULT_ROUNDS		10
#define MAX_REPORTED_ROUNDS	3

static int rounds = DEFAULT_ROUNDS;
static int nbd_fd;
static bool before_pinning;	/* a kernel before v6.5 */
static const char before_pinning_why[] =
	"direct I/O takes no pins before v6.5";

struct test_case {
	const char *desc;
	enum issuer how;
};

static const struct test_case test_cases[] = {
	{ "O_DIRECT read by pread() in a second thread", PREAD_THREAD },
	{ "O_DIRECT read by io_uring", IO_URING },
	{ "O_DIRECT read by Linux AIO", LINUX_AIO },
	/* The control: io_uring pins its registered buffers itself. */
	{ "O_DIRECT read by io_uring into a fixed buffer", IO_URING_FIXED },
};

static const char *const memory_desc[] = {
	[SMALL_PAGE] = "base page",
	[THP] = "PMD-sized THP",
	[HUGETLB] = "hugetlb page",
};

static void do_test(const struct test_case *tc, enum memory mem)
{
	int round, bad = 0, outside = 0, unchecked = 0, leaked = 0, left;
	int ret = KSFT_PASS;
	struct issue io = {
		.how = tc->how,
		.fd = nbd_fd,
		.offset = RAW_OFFSET,
		.dev_offset = RAW_OFFSET,
	};
	enum round_result r;
	struct buffer b;
	char why[160];
	bool held;

	ksft_print_msg("[RUN] %s ... with %s\n", tc->desc, memory_desc[mem]);
	if (mem == THP && !thp_size) {
		ksft_test_result_skip("%s with %s: no THP\n", tc->desc,
				      memory_desc[mem]);
		return;
	}
	/* The parent's page, the child's copy of it and a spare. */
	if (mem == HUGETLB && (!hpage_size || get_free_hugepages() < 3)) {
		ksft_test_result_skip("%s with %s: needs 3 free huge pages\n",
				      tc->desc, memory_desc[mem]);
		return;
	}
	ret = issue_setup(&io, why, sizeof(why));
	if (ret != KSFT_PASS) {
		ksft_test_result_skip("%s with %s: %s\n", tc->desc,
				      memory_desc[mem], why);
		return;
	}

	for (round = 0; round < rounds; round++) {
		ret = buffer_get(&b, mem, why, sizeof(why));
		if (ret != KSFT_PASS) {
			buffer_put(&b);
			break;
		}
		r = run_round(&io, &b, round, bad < MAX_REPORTED_ROUNDS, &held);
		/*
		 * The read may still be in flight, or the server may still
		 * hold it: nothing after this would test anything.
		 */
		if (r == ROUND_ERROR)
			ksft_exit_fail_msg("%s with %s: round %d could not run (above)\n",
					   tc->desc, memory_desc[mem], round);
		bad += r == ROUND_CORRUPTED;
		/* The server answered before the parent had forked and written. */
		outside += !held;
		left = pins_left_after_io(io.buf, DIO_LEN);
		if (left > 0) {
			ksft_print_msg("round %d: %d pages still pinned after the read\n",
				       round, left);
			leaked++;
		}
		unchecked += left < 0;
		buffer_put(&b);
	}
	issue_teardown(&io);

	if (ret != KSFT_PASS && round == 0) {
		ksft_test_result_skip("%s with %s: %s\n", tc->desc,
				      memory_desc[mem], why);
		return;
	}
	if (ret != KSFT_PASS)
		ksft_print_msg("after %d rounds: %s\n", round, why);
	ksft_print_msg("%d rounds: %d corrupted, %d pins left, %d not held, %d unchecked\n",
		       round, bad, leaked, outside, unchecked);
	if (leaked || (bad && (!before_pinning || tc->how == IO_URING_FIXED)))
		ksft_test_result_fail("%s with %s\n", tc->desc, memory_desc[mem]);
	else if (bad)
		ksft_test_result_xfail("%s with %s: %s\n", tc->desc,
				       memory_desc[mem], before_pinning_why);
	else if (outside || unchecked)
		ksft_test_result_error("%s with %s: %s\n", tc->desc,
				       memory_desc[mem], outside ?
				       "a read was not held across fork()" :
				       "the pin check could not read the frames");
	else
		ksft_test_result_pass("%s with %s\n", tc->desc,
				      memory_desc[mem]);
}

static void run_test_case(const struct test_case *tc)
{
	enum memory mem;

	for (mem = SMALL_PAGE; mem < NR_MEMORY; mem++)
		do_test(tc, mem);
}

int main(int argc, char **argv)
{
	struct nbd_dev dev = { 0 };
	char why[160];
	int i, opt, ret;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r' || atoi(optarg) < 1)
			ksft_exit_fail_msg("usage: %s [-r ROUNDS]\n", argv[0]);
		rounds = atoi(optarg);
	}

	ksft_print_header();
	/* A child that died early must not take the test with it. */
	signal(SIGPIPE, SIG_IGN);
	page_size = getpagesize();
	thp_size = read_pmd_pagesize();
	hpage_size = default_huge_page_size();
	before_pinning = !ksft_min_kernel_version(6, 5);

	ret = nbd_start(&dev, why, sizeof(why));
	if (ret == KSFT_SKIP)
		ksft_exit_skip("%s\n", why);
	if (ret != KSFT_PASS)
		ksft_exit_fail_msg("%s\n", why);
	nbd_fd = open(nbd_dev, O_RDONLY | O_DIRECT);
	if (nbd_fd < 0)
		ksft_exit_fail_msg("%s: %s\n", nbd_dev, strerror(errno));

	ksft_set_plan(ARRAY_SIZE(test_cases) * NR_MEMORY);
	ksft_print_msg("[INFO] %d rounds per test, %s\n", rounds, nbd_dev);
	for (i = 0; i < ARRAY_SIZE(test_cases); i++)
		run_test_case(&test_cases[i]);

	close(nbd_fd);
	nbd_stop(&dev);
	ksft_finished();
}
