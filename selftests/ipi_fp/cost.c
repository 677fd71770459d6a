// SPDX-License-Identifier: GPL-2.0
/*
 * What the fixes cost: measurements, not verdicts.
 *
 * Every row is printed as
 *
 *   # IPI_FP_COST ROW UNIT V1 V2 ... VN
 *
 * one value per repetition (-r N, default 5), each the mean over a fixed
 * number of operations, after one repetition that is not timed. The
 * harness's cost mode (make cost) boots the unpatched and the patched
 * kernel of one base, each more than once, with QEMU's instruction-count
 * clock (-icount shift=0: a guest nanosecond is an instruction), and
 * divides the rows: A/B, and A/A across boots and within one, so that a
 * ratio is only called a finding when it is larger than the noise. On
 * hardware the same rows are wall time.
 *
 * Rows:
 *  - fork_<S>MiB_thp_<never|always>_<dio|plain>: fork() as the parent
 *    sees it (S: 1, 10, 100 and 1000, or up to -m MIB), in a process that
 *    has just written to each page of S MiB of
 *    anonymous memory (THP disabled or always), after one O_DIRECT read
 *    (dio: the mm of a kernel whose O_DIRECT pins is then MMF_HAS_PINNED,
 *    and fork() checks each page or huge page for a pin) or without one
 *    (plain).
 *  - dio_4k_<read|write>_<ram|null>_<1|2>thr: 4 KiB O_DIRECT requests
 *    at random offsets on a null_blk device that keeps its data in memory
 *    (ram) and on one that keeps none (null), from one thread or from two
 *    threads on two CPUs: the time per request.
 *  - gup_<get|pin>_<get|put>: the kernel's own gup_test (selftests/vm,
 *    CONFIG_GUP_TEST) with -u (get_user_pages_fast(), FOLL_GET) and -a
 *    (pin_user_pages_fast(), FOLL_PIN): the price of a pin against a
 *    reference, taking and dropping, in microseconds per 256 MiB (SKIP
 *    when gup_test is not installed beside this program or in ../vm/).
 *  - ipi_round_trip, ipi_dest_field_send (x86_64): the ipi_fp_icr module
 *    (icr_inject/) loaded with rounds=0 times synchronous
 *    smp_call_function_single() round trips and bare destination-field
 *    sends, the path the ICR fix changes.
 *
 * A case fails only when its operations fail; the values carry no verdict.
 *
 * The O_DIRECT rows and reads use only block devices this program makes
 * (null_blk through configfs, mounting configfs if it has to) and removes
 * again; THP and khugepaged settings it changes are put back. Both happen
 * on every way out: return, exit, SIGTERM, SIGINT. Without null_blk's
 * configfs interface the fork and dio rows SKIP and say why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ipi_fp_counts.h"
#include "icr_module.h"
#include "ipi_fp_nullb.h"

#define MAX_REPS	32
#define BLOCK		4096
#define DIO_OPS		4096	/* requests per repetition */
#define IPI_OPS		1000	/* IPIs per repetition */
#define GUP_MIB		"256"
#define THP_CONTROL	"/sys/kernel/mm/transparent_hugepage/enabled"
#define KHUGEPAGED_SLEEP \
	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs"
/*
 * Guest time of the fork() calls of one repetition: long enough that timer
 * ticks and other background work average out (under the instruction-count
 * clock, 20 ms is 2 * 10^7 instructions).
 */
#define FORK_REP_NS	20000000LL
#define MAX_FORKS	1000

static int reps = 5;
static int max_mib = 1000;	/* the largest fork row (-m) */
static long page_size;
static char self_dir[PATH_MAX];

/*
 * What this program changed, for undo() on the way out; only the process
 * that made the changes undoes them (fork rows' children inherit the
 * handlers).
 */
#define NULLB_MIB	"64"
/* The devices of the dio rows, by the rows' names for them. */
static struct nullb nullbs[2] = {
	{ .name = "ram", .memory_backed = true },
	{ .name = "null", .memory_backed = false },
};

static pid_t undo_pid;
static char thp_was[32], sleep_was[32];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void print_row(const char *row, const char *unit, const double *v)
{
	char line[64 * MAX_REPS];
	int i, n = 0;

	for (i = 0; i < reps; i++)
		n += snprintf(line + n, sizeof(line) - n, " %.2f", v[i]);
	ksft_print_msg("IPI_FP_COST %s %s%s\n", row, unit, line);
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * A sysfs setting as it can be written back: the bracketed choice of
 * "always [madvise] never", or the whole value. Empty if unreadable.
 */
static void read_setting(const char *path, char *buf, size_t len)
{
	char line[128] = "", *open, *close;
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		open = strchr(line, '[');
		close = open ? strchr(open, ']') : NULL;
		if (close) {
			*close = '\0';
			snprintf(buf, len, "%s", open + 1);
		} else {
			snprintf(buf, len, "%s", line);
		}
	}
	fclose(f);
}

/* The THP and khugepaged settings as fork_cost() found them. */
static void undo_thp(void)
{
	if (thp_was[0])
		sysfs_write(THP_CONTROL, thp_was);
	if (sleep_was[0])
		sysfs_write(KHUGEPAGED_SLEEP, sleep_was);
	thp_was[0] = '\0';
	sleep_was[0] = '\0';
}

/*
 * Put back what this program changed. Only async-signal-safe calls: it
 * also runs from the SIGTERM and SIGINT handler.
 */
static void undo(void)
{
	int i;

	if (getpid() != undo_pid)
		return;
	for (i = 0; i < 2; i++)
		nullb_remove(&nullbs[i]);
	nullb_umount_configfs();
	undo_thp();
}

static void undo_and_die(int sig)
{
	undo();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Make the two null_blk devices (NULLB_MIB MiB, 4 KiB blocks). On failure
 * *why says what is missing; undo() removes what was made.
 */
static int make_nullbs(const char **why)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct nullb *n = &nullbs[i];

		if (nullb_make(n, "ipi_fp_cost", NULLB_MIB, why))
			return -1;
		ksft_print_msg("%s: null_blk %s, " NULLB_MIB " MiB%s\n", n->name,
			       n->dev, n->memory_backed ? ", memory backed" : "");
	}
	return 0;
}

/* AnonHugePages of this process, in kB (-1 if unknown). */
static long anon_huge_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * n times: write to every page of mem, then fork() a child that exits at
 * once and wait for it. Returns the guest ns of the fork() calls alone,
 * as the parent sees them.
 *
 * After a fork() the pages are shared with the child until written; written
 * again, they are this process's own (PageAnonExclusive), as in a process
 * that works between its forks. Only such pages make fork() ask whether they
 * may be pinned (page_try_dup_anon_rmap()), so every timed fork() gets them.
 * The child shares this CPU and runs after the parent returns (CFS places a
 * new task behind the running one).
 */
static long long forks_ns(char *mem, size_t len, int n)
{
	long long ns = 0, start;
	int i, status;
	size_t off;

	for (i = 0; i < n; i++) {
		pid_t child;

		for (off = 0; off < len; off += page_size)
			mem[off]++;
		start = now_ns();
		child = fork();
		if (child == 0)
			_exit(0);
		ns += now_ns() - start;
		if (child < 0 || waitpid(child, &status, 0) != child)
			_exit(1);
	}
	return ns;
}

/*
 * In a fresh child: touch mib MiB (after one O_DIRECT read of the ram
 * device if dio), then reps repetitions of as many forks as take about FORK_REP_NS
 * (not counting the writes between them).
 * The values come back through a pipe.
 */
static int fork_row(int mib, const char *thp, bool dio)
{
	int forks, p[2], status, r;
	size_t len = (size_t)mib << 20;
	double v[MAX_REPS];
	char row[64];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		void *buf;
		char *mem;
		int fd;

		close(p[0]);
		/*
		 * Parent and child on one CPU: the CPU is never idle between
		 * them, so the clock only counts their instructions (an
		 * all-idle guest jumps to its next timer under -icount
		 * sleep=off).
		 */
		if (pin_to_cpu(0))
			_exit(1);
		fd = open(nullbs[0].dev, O_RDONLY | O_DIRECT);
		if (fd < 0 || posix_memalign(&buf, BLOCK, BLOCK) ||
		    (dio && pread(fd, buf, BLOCK, 0) != BLOCK))
			_exit(1);
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		memset(mem, 1, len);
		if (mib >= 10 && !strcmp(thp, "always") && anon_huge_kb() <= 0)
			_exit(2);	/* no huge page: the row would lie */
		/*
		 * One fork() sizes the repetitions; one repetition more,
		 * not counted, lets the slab caches grow to what the others
		 * need.
		 */
		forks = FORK_REP_NS / (forks_ns(mem, len, 1) + 1) + 1;
		if (forks > MAX_FORKS)
			forks = MAX_FORKS;
		forks_ns(mem, len, forks);
		for (r = 0; r < reps; r++)
			v[r] = (double)forks_ns(mem, len, forks) / forks;
		_exit(write(p[1], v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	close(p[1]);
	r = pid > 0 && read(p[0], v, sizeof(v)) == sizeof(v) ? 0 : -1;
	close(p[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			WEXITSTATUS(status)))
		r = -1;
	if (r) {
		ksft_print_msg("fork row %d MiB thp=%s %s failed (status %#x)\n",
			       mib, thp, dio ? "dio" : "plain", status);
		return -1;
	}
	snprintf(row, sizeof(row), "fork_%dMiB_thp_%s_%s", mib, thp,
		 dio ? "dio" : "plain");
	print_row(row, "ns/fork", v);
	return 0;
}

static int fork_cost(void)
{
	static const int mib[] = { 1, 10, 100, 1000 };
	static const char * const thp[] = { "never", "always" };
	int t, m, ret = 0;

	read_setting(THP_CONTROL, thp_was, sizeof(thp_was));
	read_setting(KHUGEPAGED_SLEEP, sleep_was, sizeof(sleep_was));
	/* khugepaged's scans would land in the timed forks now and then. */
	if (sysfs_write(KHUGEPAGED_SLEEP, "3600000"))
		ksft_print_msg("%s: cannot quiet khugepaged\n", KHUGEPAGED_SLEEP);
	for (t = 0; t < 2 && !ret; t++) {
		if (sysfs_write(THP_CONTROL, thp[t])) {
			ksft_print_msg("%s: cannot set %s\n", THP_CONTROL, thp[t]);
			ret = -1;
			break;
		}
		for (m = 0; m < (int)ARRAY_SIZE(mib) && mib[m] <= max_mib && !ret;
		     m++)
			ret = fork_row(mib[m], thp[t], true) ||
			      fork_row(mib[m], thp[t], false);
	}
	undo_thp();
	return ret;
}

struct dio_job {
	int fd, cpu, ops;
	bool write;
	off_t blocks;
	pthread_barrier_t *go;
	int failed;
	long long start, end;	/* of this thread's requests */
};

static void *dio_thread(void *arg)
{
	struct dio_job *j = arg;
	unsigned int seed = j->cpu + 1;
	void *buf = NULL;
	int n;

	if (pin_to_cpu(j->cpu) || posix_memalign(&buf, BLOCK, BLOCK))
		j->failed = 1;
	else
		memset(buf, 0x5a, BLOCK);
	/* Every thread waits, failed or not, or the others never start. */
	pthread_barrier_wait(j->go);
	j->start = now_ns();
	for (n = 0; n < j->ops && !j->failed; n++) {
		off_t off = (rand_r(&seed) % j->blocks) * BLOCK;
		ssize_t done = j->write ? pwrite(j->fd, buf, BLOCK, off) :
					  pread(j->fd, buf, BLOCK, off);

		if (done != BLOCK)
			j->failed = 1;
	}
	j->end = now_ns();
	free(buf);
	return NULL;
}

/*
 * One dio_4k row: reps repetitions of DIO_OPS requests from nthr threads,
 * each from the first thread's start to the last one's end (the threads
 * time themselves: this thread may run only after they are done).
 */
static int dio_row(const struct nullb *dev, bool write, int nthr)
{
	struct dio_job job[2];
	pthread_barrier_t go;
	pthread_t tid[2];
	double v[MAX_REPS];
	char path[64], row[64];
	int fd, r, t, failed = 0;
	off_t size;

	snprintf(path, sizeof(path), "%s", dev->dev);
	fd = open(path, (write ? O_RDWR : O_RDONLY) | O_DIRECT);
	size = fd < 0 ? 0 : lseek(fd, 0, SEEK_END);
	if (size < BLOCK) {
		ksft_print_msg("%s: %s\n", path, fd < 0 ? strerror(errno) : "empty");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Repetition -1 is not timed (first use of the device and threads). */
	for (r = -1; r < reps && !failed; r++) {
		long long start = LLONG_MAX, end = 0;

		pthread_barrier_init(&go, NULL, nthr + 1);
		for (t = 0; t < nthr; t++) {
			job[t] = (struct dio_job){ .fd = fd, .cpu = t,
				.ops = DIO_OPS / nthr, .write = write,
				.blocks = size / BLOCK, .go = &go };
			if (pthread_create(&tid[t], NULL, dio_thread, &job[t]))
				ksft_exit_fail_msg("pthread_create failed\n");
		}
		pthread_barrier_wait(&go);
		for (t = 0; t < nthr; t++) {
			pthread_join(tid[t], NULL);
			failed |= job[t].failed;
			if (job[t].start < start)
				start = job[t].start;
			if (job[t].end > end)
				end = job[t].end;
		}
		if (r >= 0)
			v[r] = (double)(end - start) / DIO_OPS;
		pthread_barrier_destroy(&go);
	}
	close(fd);
	if (failed) {
		ksft_print_msg("%s: a 4 KiB O_DIRECT %s failed\n", path,
			       write ? "write" : "read");
		return -1;
	}
	snprintf(row, sizeof(row), "dio_4k_%s_%s_%dthr",
		 write ? "write" : "read", dev->name, nthr);
	print_row(row, "ns/request", v);
	return 0;
}

static int dio_cost(void)
{
	int d, w, t;

	for (d = 0; d < 2; d++)
		for (w = 0; w < 2; w++)
			for (t = 1; t <= 2; t++)
				if (dio_row(&nullbs[d], w, t))
					return -1;
	return 0;
}

/*
 * The kernel's gup_test next to this program (or in ../vm/, where
 * kselftest installs it): -u (FOLL_GET) or -a (FOLL_PIN), reps repeats.
 */
static int gup_rows(const char *path, const char *mode, const char *name)
{
	double get[MAX_REPS], put[MAX_REPS];
	char cmd[PATH_MAX + 128], line[256], row[64];
	long long g, p;
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s %s -m " GUP_MIB " -r %d 2>&1", path,
		 mode, reps);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *t = strstr(line, "Time: get:");

		if (t && n < reps &&
		    sscanf(t, "Time: get:%lld put:%lld", &g, &p) == 2) {
			get[n] = g;
			put[n++] = p;
		} else {
			ksft_print_msg("gup_test: %s", line);
		}
	}
	if (pclose(f) || n != reps) {
		ksft_print_msg("%s: %d of %d timings\n", cmd, n, reps);
		return -1;
	}
	snprintf(row, sizeof(row), "gup_%s_get", name);
	print_row(row, "us/" GUP_MIB "MiB", get);
	snprintf(row, sizeof(row), "gup_%s_put", name);
	print_row(row, "us/" GUP_MIB "MiB", put);
	return 0;
}

static int gup_cost(const char **why)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/gup_test", self_dir);
	if (access(path, X_OK))
		snprintf(path, sizeof(path), "%s/../vm/gup_test", self_dir);
	if (access(path, X_OK)) {
		*why = "no gup_test beside this program or in ../vm/";
		return 0;
	}
	return gup_rows(path, "-u", "get") || gup_rows(path, "-a", "pin");
}

/* Parse a module array parameter "v1,v2,..." into per-operation values. */
static int ipi_row(const char *param, const char *row)
{
	char buf[32 * MAX_REPS], *s = buf, *end;
	double v[MAX_REPS];
	int n;

	read_string_param(param, buf, sizeof(buf));
	for (n = 0; n < reps; n++) {
		long long ns = strtoll(s, &end, 10);

		if (end == s || ns <= 0)
			break;
		v[n] = (double)ns / IPI_OPS;
		s = *end == ',' ? end + 1 : end;
	}
	if (n != reps) {
		ksft_print_msg("%s: \"%s\"\n", param, buf);
		return -1;
	}
	print_row(row, "ns/ipi", v);
	return 0;
}

static int ipi_cost(const char **why)
{
	char module[PATH_MAX + 32], params[128];
	struct utsname uts;
	int ret;

	if (uname(&uts) || strcmp(uts.machine, "x86_64")) {
		*why = "x86_64 only: the fix changes the xAPIC send path";
		return 0;
	}
	snprintf(module, sizeof(module), "%s/%s.ko", self_dir, MODULE_NAME);
	if (access(module, R_OK)) {
		*why = MODULE_NAME ".ko not built (needs KDIR=)";
		return 0;
	}
	if (pin_to_cpu(0))
		return -1;
	snprintf(params, sizeof(params),
		 "sender=0 target=1 rounds=0 bench_runs=%d bench_ops=%d",
		 reps, IPI_OPS);
	ret = load_module(module, params);
	if (ret == -ENODEV) {
		*why = "x2APIC mode: the fix changes the xAPIC send path";
		return 0;
	}
	if (ret) {
		ksft_print_msg("loading %s %s: %s\n", module, params,
			       strerror(-ret));
		return -1;
	}
	ret = ipi_row("bench_round_trip_ns", "ipi_round_trip") ||
	      ipi_row("bench_send_ns", "ipi_dest_field_send");
	if (syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK))
		ksft_print_msg("delete_module: %s\n", strerror(errno));
	return ret;
}

/* A measurement's counter line and result: it fails only on errors. */
static void measured(const char *name, int ret)
{
	ipi_fp_print_counts(name, &(struct ipi_fp_counts){
		.kind = "measure", .requested = 1, .rounds = 1,
		.errors = ret != 0, .window = 1 }, "");
	ksft_test_result(!ret, "%s\n", name);
}

/* A measurement that may not apply here: then SKIP, saying why. */
static void measured_or_skipped(const char *name, int ret, const char **why)
{
	if (!*why) {
		measured(name, ret);
		return;
	}
	ksft_inc_xskip_cnt();
	printf("ok %u %s # SKIP %s\n", ksft_test_num(), name, *why);
	*why = NULL;
}

int main(int argc, char **argv)
{
	const char *why = NULL, *no_dev = NULL;
	int opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "r:m:")) != -1) {
		if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'm')
			max_mib = atoi(optarg);
		if ((opt != 'r' && opt != 'm') || reps < 3 || reps > MAX_REPS ||
		    max_mib < 1 || max_mib > 1000)
			ksft_exit_fail_msg("usage: %s [-r repetitions, 3-%d] [-m MiB]\n"
					   "  -m: the largest fork row, 1-1000\n",
					   argv[0], MAX_REPS);
	}
	snprintf(self_dir, sizeof(self_dir), "%s", dirname(strdup(argv[0])));
	page_size = sysconf(_SC_PAGESIZE);
	ksft_print_header();
	ksft_set_plan(4);
	ksft_print_msg("IPI_FP_COST_INFO reps=%d page_size=%ld max_mib=%d\n",
		       reps, page_size, max_mib);
	undo_pid = getpid();
	atexit(undo);
	signal(SIGTERM, undo_and_die);
	signal(SIGINT, undo_and_die);
	make_nullbs(&no_dev);
	why = no_dev;
	measured_or_skipped("fork_cost", why ? 0 : fork_cost(), &why);
	why = no_dev;
	measured_or_skipped("dio_4k_cost", why ? 0 : dio_cost(), &why);
	undo();
	ret = gup_cost(&why);
	measured_or_skipped("gup_cost", ret, &why);
	ret = ipi_cost(&why);
	measured_or_skipped("ipi_cost", ret, &why);
	ksft_finished();
}
