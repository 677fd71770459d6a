// SPDX-License-Identifier: GPL-2.0
/*
 * An xAPIC IPI must reach its target, and only its target, even when a
 * nested sender on the same CPU sends its own IPI between the ICR2
 * (destination) and ICR (command) writes of the interrupted one. NMI,
 * #DB/#BP and #MC handlers can all do that. The test's nested sender is a
 * #DB handler, entered from a data breakpoint on the ICR2 write, that sends
 * to every other CPU with the kernel's mask send, as the NMI backtrace does
 * from its NMI (in both in_nmi() is true; it sends RESCHEDULE_VECTOR, which
 * takes the same ICR2/ICR path as NMI_VECTOR and needs no NMI handler on
 * the receivers).
 *
 * The work is done by the ipi_fp_icr module (icr_inject/), built against
 * the running kernel's build tree: loading it runs the injection rounds on
 * this CPU (the sender) towards a target CPU; a third CPU, numbered above
 * the target, is the last one the nested sender addresses. Target and
 * third CPU are kept busy in user space with interrupts enabled, so that
 * the target takes its work through the IPI and nothing else. The results
 * come back as module parameters.
 *
 * Two cases judge the same rounds. The outer IPI must reach the target
 * (lost otherwise) and must reach no other CPU (stray otherwise). What the
 * unfixed kernel does depends on the APIC driver, which the test prints:
 * physflat (6.1 with more than eight possible CPUs, every 64-bit kernel
 * since flat mode was removed) loses the IPI to the third CPU; flat
 * logical mode delivers it to the target and a stray copy to the third.
 *
 * A second case asks whether IPIs can get lost between CPUs: every CPU
 * writes only its own local APIC, so they should not. The module, loaded
 * again in storm mode, has a thread on every CPU send asynchronous and
 * synchronous function-call IPIs to all others for a while, and counts
 * them; threads of this program meanwhile issue membarrier() calls, which
 * IPI every CPU running one of them. Every request must run and every call
 * must return.
 *
 * The storm case is a measurement (kind=measure in its counter line): QEMU's
 * APIC delivers an IPI at the ICR write and has no busy bit, and async
 * requests to a CPU coalesce, so it cannot lose an IPI there and its count
 * is of operations, not of IPIs. It is no evidence for or against a fix.
 *
 * The nested case counts, per round, whether the nested send really landed
 * between the ICR2 and ICR writes (the module proves it, see
 * icr_inject/ipi_fp_icr.c); -M no-nested-send and -M late-nested-send
 * break the injection on purpose, for the harness's own tests.
 *
 * QEMU's local APIC delivers at the ICR write and never shows the ICR busy,
 * so under QEMU the kernel's waits for an idle ICR return at once and
 * their timeouts never run; on hardware they do. The forced window makes
 * every round a hit: the rates are a property of the injection.
 *
 * Needs x86 in xAPIC mode with IPIs that go through the ICR (not
 * paravirtual ones), three CPUs, module, kprobe and data-breakpoint support
 * and a free debug register; otherwise the test skips and says why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../kselftest.h"
#include "ipi_fp_counts.h"
#include "icr_module.h"

#define TEST_REACH	"outer_ipi_reaches_target_despite_nested_nmi_sender"
#define TEST_STRAY	"outer_ipi_reaches_no_other_cpu"
#define TEST_STORM	"cross_cpu_ipi_storm_loses_nothing"
#define DEFAULT_ROUNDS	1000
#define STORM_MS	2000

static int stop_spinning, stop_membarrier;
static char module_path[PATH_MAX];
static int cpu_list[CPU_SETSIZE], ncpus;
static int mutate;	/* the module's mutate= (0: none) */

/* Skip every case, with the names on the result lines. */
static void skip_test(const char *why)
{
	printf("ok 1 %s # SKIP %s\n", TEST_REACH, why);
	printf("ok 2 %s # SKIP %s\n", TEST_STRAY, why);
	printf("ok 3 %s # SKIP %s\n", TEST_STORM, why);
	exit(KSFT_SKIP);
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * A helper thread, with SIGTERM and SIGINT blocked: a kill must reach the
 * main thread, whose handler runs only after finit_module() returns (in
 * another thread it would find the module still coming and leave it).
 */
static int create_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t set, old;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	ret = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* Keep a CPU busy in user space, interrupts enabled. */
static void *spin(void *arg)
{
	if (pin_to_cpu((long)arg))
		return NULL;
	while (!__atomic_load_n(&stop_spinning, __ATOMIC_RELAXED))
		;
	return NULL;
}

/* Issue membarrier() calls on one CPU; arg: CPU, result: calls made. */
static void *membarrier_loop(void *arg)
{
	long calls = 0;

	if (pin_to_cpu((long)arg))
		return (void *)-1L;
	while (!__atomic_load_n(&stop_membarrier, __ATOMIC_RELAXED)) {
		if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
			    0, 0))
			return (void *)-1L;
		calls++;
	}
	return (void *)calls;
}

/*
 * The storm case: the module in storm mode on every CPU, membarrier()
 * callers on every CPU. Returns true when nothing was lost.
 */
static bool storm(void)
{
	long sent, run, sync_calls, stuck, membarriers = 0;
	pthread_t threads[CPU_SETSIZE];
	char params[64];
	int i, ret, nthreads = ncpus;
	bool ok = true;
	void *calls;

	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		    0, 0)) {
		ksft_print_msg("membarrier: %s; no membarrier() callers\n",
			       strerror(errno));
		nthreads = 0;
	}
	for (i = 0; i < nthreads; i++)
		if (create_thread(&threads[i], membarrier_loop,
				  (void *)(long)cpu_list[i]))
			ksft_exit_fail_msg("pthread_create failed\n");
	snprintf(params, sizeof(params), "storm_ms=%d", STORM_MS);
	ret = load_module(module_path, params);
	__atomic_store_n(&stop_membarrier, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nthreads; i++) {
		pthread_join(threads[i], &calls);
		if ((long)calls < 0)
			ok = false;
		else
			membarriers += (long)calls;
	}
	if (ret)
		ksft_exit_fail_msg("loading %s %s: %s\n", module_path, params,
				   strerror(-ret));
	sent = read_param("storm_async_sent");
	run = read_param("storm_async_run");
	sync_calls = read_param("storm_sync_calls");
	stuck = read_param("stuck");
	if (!stuck && syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK))
		ksft_print_msg("delete_module: %s\n", strerror(errno));
	ksft_print_msg("%d ms on %d CPUs: async requests sent %ld, run %ld\n",
		       STORM_MS, ncpus, sent, run);
	ksft_print_msg("smp_call_function() calls %ld, membarrier() calls %ld%s\n",
		       sync_calls, membarriers,
		       ok ? "" : " (a membarrier() call failed)");
	ok = ok && !stuck && sent == run && sent > 0 && sync_calls > 0;
	ipi_fp_print_counts(TEST_STORM, &(struct ipi_fp_counts){
		.kind = "measure", .requested = 1, .rounds = 1,
		.bad = sent != run, .errors = !ok, .window = 1 }, "");
	return ok;
}

/*
 * Killed (SIGTERM from the kselftest timeout, SIGINT): unload the module
 * if it is loaded and nothing of it is still queued (a module with a
 * queued request refuses), then die of the signal. A signal that comes
 * while the module's rounds run is taken when finit_module() returns.
 */
static void unload_and_die(int sig)
{
	syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	long reached, missed, stray, no_nested, not_sent, stuck, in_window;
	long icr2_clobbered;
	int rounds = DEFAULT_ROUNDS, *cpus = cpu_list, cpu, opt, ret;
	char params[256], driver[64], extra[96], why[320], sender_fn[128];
	pthread_t spinners[2];
	struct utsname uts;
	cpu_set_t set;
	long i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "r:M:")) != -1) {
		if (opt == 'M' && !strcmp(optarg, "no-nested-send")) {
			mutate = 1;
			continue;
		}
		if (opt == 'M' && !strcmp(optarg, "late-nested-send")) {
			mutate = 2;
			continue;
		}
		if (opt != 'r' || atoi(optarg) < 1)
			ksft_exit_fail_msg("usage: %s [-r rounds] [-M MUTATION]\n"
					   "  MUTATION: no-nested-send or late-nested-send\n",
					   argv[0]);
		rounds = atoi(optarg);
	}
	ksft_print_header();
	ksft_set_plan(3);

	if (uname(&uts) || strcmp(uts.machine, "x86_64"))
		skip_test("x86_64 only: the xAPIC ICR2/ICR pair is x86");
	if (sched_getaffinity(0, sizeof(set), &set))
		ksft_exit_fail_msg("sched_getaffinity: %s\n", strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpu_list[ncpus++] = cpu;
	if (ncpus < 3) {
		snprintf(why, sizeof(why), "needs three CPUs, found %d",
			 CPU_COUNT(&set));
		skip_test(why);
	}
	snprintf(module_path, sizeof(module_path), "%s/%s.ko",
		 dirname(strdup(argv[0])), MODULE_NAME);
	if (access("/proc/modules", F_OK))
		skip_test("kernel without module support (CONFIG_MODULES)");
	if (access(module_path, R_OK)) {
		snprintf(why, sizeof(why),
			 "%s.ko not built (needs the kernel build tree, KDIR=)",
			 MODULE_NAME);
		skip_test(why);
	}
	if (geteuid())
		skip_test("needs root to load ipi_fp_icr.ko (CAP_SYS_MODULE)");
	signal(SIGTERM, unload_and_die);
	signal(SIGINT, unload_and_die);

	/* The module runs its rounds on the loading task's CPU. */
	if (pin_to_cpu(cpus[0]))
		ksft_exit_fail_msg("sched_setaffinity: %s\n", strerror(errno));
	for (i = 0; i < 2; i++)
		if (create_thread(&spinners[i], spin,
				  (void *)(long)cpus[i ? ncpus - 1 : 1]))
			ksft_exit_fail_msg("pthread_create failed\n");
	snprintf(params, sizeof(params),
		 "sender=%d target=%d third=%d rounds=%d mutate=%d",
		 cpus[0], cpus[1], cpus[ncpus - 1], rounds, mutate);
	ksft_print_msg("loading %s %s\n", MODULE_NAME, params);
	ret = load_module(module_path, params);
	__atomic_store_n(&stop_spinning, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_join(spinners[i], NULL);

	if (ret == -ENODEV)
		skip_test("x2APIC mode: the ICR is one MSR write, nothing to test");
	if (ret == -ENOENT)
		skip_test("no data breakpoint on ICR2 (needs PERF_EVENTS, HAVE_HW_BREAKPOINT)");
	if (ret == -ENOSPC)
		skip_test("ENOSPC: every debug register of the sender CPU is taken");
	if (ret == -ENXIO)
		skip_test("cannot probe the call-function-single vector or its sends");
	if (ret == -ENOEXEC)
		skip_test("ipi_fp_icr.ko is for another kernel (ENOEXEC: rebuild with KDIR=)");
	if (ret == -EPERM || ret == -EKEYREJECTED)
		skip_test("the kernel refused the module (module signing or lockdown)");
	if (ret == -EEXIST)
		skip_test("ipi_fp_icr is already loaded (left by an earlier run?)");
	if (ret)
		ksft_exit_fail_msg("loading %s: %s\n", module_path,
				   strerror(-ret));

	reached = read_param("reached");
	missed = read_param("missed");
	stray = read_param("stray");
	no_nested = read_param("no_nested");
	not_sent = read_param("not_sent");
	stuck = read_param("stuck");
	in_window = read_param("in_window");
	icr2_clobbered = read_param("icr2_clobbered");
	read_string_param("apic_driver", driver, sizeof(driver));
	read_string_param("ipi_sender", sender_fn, sizeof(sender_fn));
	if (!stuck && syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK))
		ksft_print_msg("delete_module: %s\n", strerror(errno));
	/*
	 * Not one IPI wrote ICR2: this kernel sends them some other way
	 * (paravirtual IPIs: KVM's send-IPI hypercall, Hyper-V, Xen).
	 */
	if (not_sent == rounds && !stuck) {
		snprintf(why, sizeof(why),
			 "no IPI to the target wrote ICR2: this kernel sends them with %s (paravirtual IPIs: KVM, Hyper-V or Xen?), nothing to test",
			 sender_fn);
		skip_test(why);
	}

	ksft_print_msg("APIC driver: %s\n", driver);
	ksft_print_msg("sender CPU %d, target CPU %d, nested sends to the others, CPU %d last\n",
		       cpus[0], cpus[1], cpus[ncpus - 1]);
	ksft_print_msg("reached/missed: the target ran the request, or not within 2 s\n");
	ksft_print_msg("stray: another CPU took the call-function-single vector, unsent\n");
	ksft_print_msg("no_nested: no nested send between the ICR2 and ICR writes\n");
	ksft_print_msg("not_sent: no IPI went through the ICR2 breakpoint\n");
	ksft_print_msg("in the window: the nested send landed between the ICR2 and ICR writes\n");
	ksft_print_msg("icr2 clobbered: ICR2 changed under the outer sender\n");
	ksft_print_msg("reached %ld, missed %ld, stray %ld, no_nested %ld, not_sent %ld%s\n",
		       reached, missed, stray, no_nested, not_sent,
		       stuck ? ", a lost IPI could not be redelivered" : "");
	ksft_print_msg("in the window %ld, icr2 clobbered %ld\n", in_window,
		       icr2_clobbered);
	/* The driver's name without spaces ("physical flat"). */
	for (i = 0; driver[i]; i++)
		if (driver[i] == ' ')
			driver[i] = '_';
	snprintf(extra, sizeof(extra), " apic=%s icr2_clobbered=%ld", driver,
		 icr2_clobbered);
	ipi_fp_print_counts(TEST_REACH, &(struct ipi_fp_counts){
		.kind = "race", .requested = rounds,
		.rounds = reached + missed, .bad = missed,
		.errors = not_sent + stuck, .window = in_window }, extra);
	ksft_test_result(reached == rounds, TEST_REACH "\n");
	ipi_fp_print_counts(TEST_STRAY, &(struct ipi_fp_counts){
		.kind = "race", .requested = rounds,
		.rounds = reached + missed, .bad = stray,
		.errors = not_sent + stuck, .window = in_window }, extra);
	ksft_test_result(stray == 0 && reached + missed == rounds, TEST_STRAY "\n");
	if (stuck)
		ksft_exit_fail_msg("module left loaded with a request queued\n");

	ksft_test_result(storm(), TEST_STORM "\n");
	ksft_finished();
}
