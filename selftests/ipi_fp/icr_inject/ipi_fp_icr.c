// SPDX-License-Identifier: GPL-2.0
/*
 * Test module for ipi_fp/icr_nested_ipi: does an xAPIC IPI reach its target
 * when a nested sender runs between the ICR2 and ICR writes?
 *
 * Loading the module runs the test on the loading task's CPU (the sender);
 * the results are read-only module parameters. Each round:
 *
 *  1. With interrupts disabled, arm a kprobe on the ICR write of
 *     __default_send_IPI_dest_field() (or of the helper it uses) and queue
 *     a call-function-single request on the target CPU with
 *     smp_call_function_single_async(): a real IPI send.
 *  2. The kprobe fires with ICR2 already holding the target. Its handler
 *     raises a self-NMI (shorthand: ICR2 untouched) and waits until the
 *     registered NMI handler has sent a reschedule IPI to a third CPU with
 *     apic->send_IPI(), a genuine destination-field send from NMI context.
 *  3. The ICR write then runs. The round passes when the target CPU runs
 *     the request and the third CPU takes no call-function-single vector.
 *     A kprobe on __sysvec_call_function_single(), which only that vector
 *     reaches (generic_smp_call_function_single_interrupt() is also the
 *     handler of the many-CPU CALL_FUNCTION_VECTOR), tells which CPUs took
 *     it.
 *
 * The window is proven, not assumed: the pre-handler records ICR2 as the
 * outer sender left it and flags that it is running; the NMI handler
 * counts the round as in the window only when it runs while the flag is
 * up (after the ICR2 write, before the ICR write) and makes its nested
 * send. ICR2 is read again when the pre-handler returns: a value other
 * than the outer sender's is the clobber itself (icr2_clobbered).
 *
 * mutate=1 (no nested send) and mutate=2 (the NMI comes only after the ICR
 * write) break the injection on purpose, for the harness's own tests: the
 * rounds must then be counted outside the window.
 *
 * A lost IPI is then delivered by sending the vector to the target
 * directly, so the queued request is never left behind.
 *
 * After the rounds, with the kprobes gone, the module times the ordinary
 * IPI path: synchronous smp_call_function_single() round trips to the
 * target, and bare destination-field sends (the sender's side only).
 *
 * With storm_ms set, the module instead runs a cross-CPU IPI storm: a
 * thread on every CPU sends smp_call_function_single_async() requests to
 * every other CPU and synchronous smp_call_function() calls to all of them
 * for storm_ms, counting each request sent and each one run. Every CPU
 * writes only its own local APIC, so no IPI may get lost; a lost
 * synchronous call would hang the sender, a lost asynchronous one shows up
 * as a request that never ran.
 */
#include <linux/cpumask.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/nmi.h>

static int sender = -1, target = -1, third = -1;
static int rounds = 1000;
static int timeout_ms = 200;
static int bench_ms = 200;
static int bench_runs = 7;
module_param(sender, int, 0444);
module_param(target, int, 0444);
module_param(third, int, 0444);
module_param(rounds, int, 0444);
module_param(timeout_ms, int, 0444);
module_param(bench_ms, int, 0444);
module_param(bench_runs, int, 0444);
static int storm_ms;
module_param(storm_ms, int, 0444);
static int mutate;
module_param(mutate, int, 0444);
enum { MUTATE_NONE, MUTATE_NO_NESTED_SEND, MUTATE_LATE_NMI };

/* Results. */
static int ok_rounds, misdelivered, lost, no_nmi, not_sent, stuck;
static int in_window, icr2_clobbered;
static int bench_round_trips, bench_min, bench_max;
static int bench_sends, bench_sends_min, bench_sends_max;
static char probe_at[KSYM_SYMBOL_LEN];
module_param(ok_rounds, int, 0444);
module_param(misdelivered, int, 0444);
module_param(lost, int, 0444);
module_param(no_nmi, int, 0444);
module_param(not_sent, int, 0444);
module_param(stuck, int, 0444);
module_param(in_window, int, 0444);
module_param(icr2_clobbered, int, 0444);
module_param(bench_round_trips, int, 0444);
module_param(bench_min, int, 0444);
module_param(bench_max, int, 0444);
module_param(bench_sends, int, 0444);
module_param(bench_sends_min, int, 0444);
module_param(bench_sends_max, int, 0444);
module_param_string(probe_at, probe_at, sizeof(probe_at), 0444);
static long storm_async_sent, storm_async_run, storm_sync_calls;
module_param(storm_async_sent, long, 0444);
module_param(storm_async_run, long, 0444);
module_param(storm_sync_calls, long, 0444);

enum { NMI_IDLE, NMI_REQUESTED, NMI_SENT };

static bool armed;
static int nmi_state;
static bool pre_running;	/* the pre-handler sits before the ICR write */
static bool nmi_in_window;	/* the nested send happened while it did */
static u32 icr2_outer;
static int received_on = -1;
static DEFINE_PER_CPU(unsigned long, cfs_vectors);
static call_single_data_t csd;

static void csd_func(void *info)
{
	WRITE_ONCE(received_on, smp_processor_id());
}

static void nop_func(void *info)
{
}

/* Runs in the #BP (or optimised-probe) context of the outer IPI send. */
static int icr_write_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 deadline;

	if (!READ_ONCE(armed) || smp_processor_id() != sender)
		return 0;
	WRITE_ONCE(armed, false);
	if (mutate == MUTATE_LATE_NMI)
		return 0;
	icr2_outer = apic_read(APIC_ICR2);
	WRITE_ONCE(pre_running, true);
	WRITE_ONCE(nmi_state, NMI_REQUESTED);
	apic->send_IPI_self(NMI_VECTOR);
	deadline = ktime_get_mono_fast_ns() + 10 * NSEC_PER_MSEC;
	while (READ_ONCE(nmi_state) != NMI_SENT &&
	       ktime_get_mono_fast_ns() < deadline)
		cpu_relax();
	WRITE_ONCE(pre_running, false);
	if (apic_read(APIC_ICR2) != icr2_outer)
		icr2_clobbered++;
	return 0;
}

static int nested_sender(unsigned int type, struct pt_regs *regs)
{
	if (smp_processor_id() != sender ||
	    READ_ONCE(nmi_state) != NMI_REQUESTED)
		return NMI_DONE;
	if (mutate != MUTATE_NO_NESTED_SEND) {
		apic->send_IPI(third, RESCHEDULE_VECTOR);
		/* Still before the outer ICR write, ICR2 as it left it. */
		if (READ_ONCE(pre_running))
			WRITE_ONCE(nmi_in_window, true);
	}
	WRITE_ONCE(nmi_state, NMI_SENT);
	return NMI_HANDLED;
}

static int cfs_vector_pre(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(cfs_vectors);
	return 0;
}

static struct kprobe cfs_probe = {
	.symbol_name = "__sysvec_call_function_single",
	.pre_handler = cfs_vector_pre,
};

#define MAX_ICR_PROBES 2
static struct kprobe icr_probes[MAX_ICR_PROBES];
static int nr_icr_probes;

/*
 * The ICR write is "mov %reg, APIC_BASE + APIC_ICR": opcode 0x89 (maybe
 * after a REX prefix), ModRM with mod 00 and r/m 100, SIB 0x25 (no base,
 * no index), then the 32-bit absolute address. The reads of ICR in the
 * busy-wait loop use opcode 0x8b and do not match.
 */
static int probe_icr_writes(const char *func)
{
	u32 icr = (u32)(APIC_BASE + APIC_ICR);
	struct kprobe lookup = { .symbol_name = func };
	unsigned long start, size = 0, i;
	char sym[KSYM_SYMBOL_LEN], *slash;
	u8 code[512];
	int found = 0;

	if (register_kprobe(&lookup))
		return 0;
	start = (unsigned long)lookup.addr;
	unregister_kprobe(&lookup);

	sprint_symbol(sym, start);
	slash = strchr(sym, '/');
	if (!slash || kstrtoul(slash + 1, 16, &size) || !size)
		return 0;
	size = min_t(unsigned long, size, sizeof(code));
	if (copy_from_kernel_nofault(code, (void *)start, size))
		return 0;

	for (i = 1; i + 7 <= size && nr_icr_probes < MAX_ICR_PROBES; i++) {
		struct kprobe *kp = &icr_probes[nr_icr_probes];
		u32 disp;

		if (code[i] != 0x89 || (code[i + 1] & 0xc7) != 0x04 ||
		    code[i + 2] != 0x25)
			continue;
		memcpy(&disp, &code[i + 3], sizeof(disp));
		if (disp != icr)
			continue;
		kp->pre_handler = icr_write_pre;
		kp->addr = (kprobe_opcode_t *)(start + i);
		/* A REX prefix belongs to the instruction. */
		if ((code[i - 1] & 0xf0) == 0x40)
			kp->addr = (kprobe_opcode_t *)(start + i - 1);
		if (register_kprobe(kp)) {
			memset(kp, 0, sizeof(*kp));
			continue;
		}
		if (!nr_icr_probes)
			sprint_symbol(probe_at, (unsigned long)kp->addr);
		nr_icr_probes++;
		found++;
	}
	return found;
}

static void unprobe_icr_writes(void)
{
	while (nr_icr_probes)
		unregister_kprobe(&icr_probes[--nr_icr_probes]);
}

static bool wait_for(int cpu, u64 ms)
{
	u64 deadline = ktime_get_ns() + ms * NSEC_PER_MSEC;

	while (ktime_get_ns() < deadline) {
		if (READ_ONCE(received_on) == cpu)
			return true;
		cpu_relax();
	}
	return false;
}

static void run_round(void)
{
	unsigned long third_before = READ_ONCE(per_cpu(cfs_vectors, third));
	unsigned long flags;
	bool sent, third_got;
	u64 deadline;
	int ret;

	WRITE_ONCE(received_on, -1);
	WRITE_ONCE(nmi_state, NMI_IDLE);
	WRITE_ONCE(nmi_in_window, false);

	local_irq_save(flags);
	WRITE_ONCE(armed, true);
	ret = smp_call_function_single_async(target, &csd);
	/* The probe disarms itself when the IPI goes through the ICR write. */
	sent = !ret && !READ_ONCE(armed);
	WRITE_ONCE(armed, false);
	if (sent && mutate == MUTATE_LATE_NMI) {
		/* After the ICR write: the nested send comes too late. */
		WRITE_ONCE(nmi_state, NMI_REQUESTED);
		apic->send_IPI_self(NMI_VECTOR);
	}
	local_irq_restore(flags);

	deadline = ktime_get_ns() + (u64)timeout_ms * NSEC_PER_MSEC;
	while (READ_ONCE(received_on) < 0 &&
	       READ_ONCE(per_cpu(cfs_vectors, third)) == third_before &&
	       ktime_get_ns() < deadline)
		cpu_relax();
	third_got = READ_ONCE(per_cpu(cfs_vectors, third)) != third_before;

	if (!sent)
		not_sent++;
	else if (third_got)
		misdelivered++;
	else if (READ_ONCE(received_on) == target)
		ok_rounds++;
	else
		lost++;
	if (sent && READ_ONCE(nmi_in_window))
		in_window++;
	else if (sent)
		no_nmi++;

	/* Deliver a lost IPI ourselves; the request must not stay queued. */
	if (!ret && READ_ONCE(received_on) != target) {
		apic->send_IPI(target, CALL_FUNCTION_SINGLE_VECTOR);
		if (!wait_for(target, 1000))
			stuck = 1;
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Synchronous smp_call_function_single() round trips to the target. */
static int round_trip(void)
{
	smp_call_function_single(target, nop_func, NULL, 1);
	return 0;
}

/*
 * One destination-field send, the path the fix changes, without waiting
 * for the target: the sender's own cost.
 */
static int one_send(void)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->send_IPI(target, RESCHEDULE_VECTOR);
	local_irq_restore(flags);
	return 0;
}

/* Median, min and max rate of bench_runs runs of bench_ms each. */
static void bench(int (*op)(void), int *median, int *min, int *max)
{
	int run, n, *rate;

	rate = kcalloc(bench_runs, sizeof(*rate), GFP_KERNEL);
	if (!rate)
		return;
	for (run = 0; run < bench_runs; run++) {
		u64 end = ktime_get_ns() + (u64)bench_ms * NSEC_PER_MSEC;

		for (n = 0; ktime_get_ns() < end; n++)
			op();
		rate[run] = div_u64((u64)n * 1000, bench_ms);
	}
	sort(rate, bench_runs, sizeof(*rate), cmp_int, NULL);
	*median = rate[bench_runs / 2];
	*min = rate[0];
	*max = rate[bench_runs - 1];
	kfree(rate);
}

static call_single_data_t *storm_csd;	/* [sender * nr_cpu_ids + target] */
static atomic_long_t async_sent, async_run, sync_calls;

static void storm_async_func(void *info)
{
	atomic_long_inc(&async_run);
}

static int storm_thread(void *arg)
{
	u64 end = ktime_get_ns() + (u64)storm_ms * NSEC_PER_MSEC;
	int me = (long)arg, cpu;

	while (ktime_get_ns() < end) {
		for_each_online_cpu(cpu) {
			call_single_data_t *csd = &storm_csd[me * nr_cpu_ids + cpu];

			if (cpu == me)
				continue;
			/* -EBUSY: the previous request to cpu has not run yet. */
			if (!smp_call_function_single_async(cpu, csd))
				atomic_long_inc(&async_sent);
		}
		smp_call_function(nop_func, NULL, 1);
		atomic_long_inc(&sync_calls);
		cond_resched();
	}
	/* Stay until kthread_stop(), which needs the task. */
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int storm(void)
{
	struct task_struct **threads;
	u64 deadline;
	int cpu, i;

	threads = kcalloc(nr_cpu_ids, sizeof(*threads), GFP_KERNEL);
	storm_csd = kcalloc(nr_cpu_ids * nr_cpu_ids, sizeof(*storm_csd),
			    GFP_KERNEL);
	if (!threads || !storm_csd) {
		kfree(threads);
		kfree(storm_csd);
		return -ENOMEM;
	}
	for (i = 0; i < nr_cpu_ids * nr_cpu_ids; i++)
		INIT_CSD(&storm_csd[i], storm_async_func, NULL);
	for_each_online_cpu(cpu) {
		threads[cpu] = kthread_create_on_cpu(storm_thread,
						     (void *)(long)cpu, cpu,
						     "ipi_fp_storm/%u");
		if (IS_ERR(threads[cpu])) {
			threads[cpu] = NULL;
			continue;
		}
		wake_up_process(threads[cpu]);
	}
	for_each_online_cpu(cpu)
		if (threads[cpu])
			kthread_stop(threads[cpu]);
	kfree(threads);

	/* Every request sent must run; give the last ones a second. */
	deadline = ktime_get_ns() + NSEC_PER_SEC;
	while (atomic_long_read(&async_run) < atomic_long_read(&async_sent) &&
	       ktime_get_ns() < deadline)
		cpu_relax();
	storm_async_sent = atomic_long_read(&async_sent);
	storm_async_run = atomic_long_read(&async_run);
	storm_sync_calls = atomic_long_read(&sync_calls);
	pr_info("ipi_fp_icr: %d ms of IPIs: async sent %ld run %ld, sync calls %ld\n",
		storm_ms, storm_async_sent, storm_async_run, storm_sync_calls);
	if (storm_async_run < storm_async_sent) {
		/* Lost requests are still queued: stay loaded. */
		stuck = 1;
		return 0;
	}
	kfree(storm_csd);
	return 0;
}

static int __init ipi_fp_icr_init(void)
{
	int i, ret, cpu;

	if (storm_ms > 0)
		return storm();

	if (strncmp(apic->name, "x2apic", 6) == 0) {
		pr_info("ipi_fp_icr: APIC driver %s: x2APIC mode, nothing to test\n",
			apic->name);
		return -ENODEV;
	}
	cpu = get_cpu();
	put_cpu();
	if (cpu != sender || target == sender || third == sender ||
	    target == third || !cpu_online(target) || !cpu_online(third) ||
	    rounds < 1 || timeout_ms < 1 || bench_ms < 1 || bench_runs < 1)
		return -EINVAL;

	INIT_CSD(&csd, csd_func, NULL);
	ret = register_kprobe(&cfs_probe);
	if (ret) {
		pr_err("ipi_fp_icr: cannot probe %s: %d\n",
		       cfs_probe.symbol_name, ret);
		return -ENXIO;
	}
	ret = register_nmi_handler(NMI_LOCAL, nested_sender, 0, "ipi_fp_icr");
	if (ret)
		goto out_cfs;
	if (!probe_icr_writes("__default_send_IPI_dest_field") &&
	    !probe_icr_writes("__xapic_icr_write")) {
		pr_err("ipi_fp_icr: no ICR write found to probe\n");
		ret = -ENOENT;
		goto out_nmi;
	}
	pr_info("ipi_fp_icr: sender %d target %d third %d, probe at %s\n",
		sender, target, third, probe_at);

	for (i = 0; i < rounds && !stuck; i++)
		run_round();

	unprobe_icr_writes();
	unregister_nmi_handler(NMI_LOCAL, "ipi_fp_icr");
	unregister_kprobe(&cfs_probe);
	if (!stuck) {
		bench(round_trip, &bench_round_trips, &bench_min, &bench_max);
		bench(one_send, &bench_sends, &bench_sends_min,
		      &bench_sends_max);
	}
	pr_info("ipi_fp_icr: rounds %d ok %d misdelivered %d lost %d no_nmi %d not_sent %d stuck %d in_window %d icr2_clobbered %d\n",
		rounds, ok_rounds, misdelivered, lost, no_nmi, not_sent, stuck,
		in_window, icr2_clobbered);
	return 0;

out_nmi:
	unregister_nmi_handler(NMI_LOCAL, "ipi_fp_icr");
out_cfs:
	unregister_kprobe(&cfs_probe);
	return ret;
}

static void __exit ipi_fp_icr_exit(void)
{
}

module_init(ipi_fp_icr_init);
module_exit(ipi_fp_icr_exit);
MODULE_DESCRIPTION("ipi_fp: nested xAPIC IPI sender injection test");
MODULE_LICENSE("GPL");
