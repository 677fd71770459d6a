// SPDX-License-Identifier: GPL-2.0
/*
 * Test module for ipi_fp/icr_nested_ipi: does an xAPIC IPI reach its target
 * when a nested sender runs between the ICR2 and ICR writes?
 *
 * Loading the module runs the test on the loading task's CPU (the sender);
 * the results are read-only module parameters. Each round:
 *
 *  1. With interrupts disabled, arm a hardware data breakpoint on writes
 *     to the sender's ICR2 register and queue a call-function-single
 *     request on the target CPU with smp_call_function_single_async(): a
 *     real IPI send, whichever code the kernel sends it with. No
 *     instruction is looked for: the CPU itself traps (#DB) right after
 *     the ICR2 write, before the ICR write that fires the IPI.
 *  2. The breakpoint handler runs in #DB context, where in_nmi() is true
 *     as in an NMI handler (irqentry_nmi_enter()), and there sends to
 *     every other online CPU with apic->send_IPI_mask(), as the NMI
 *     backtrace (nmi_trigger_cpumask_backtrace()) and kgdb's round-up do
 *     from NMI-like context: a genuine nested destination-field send. It
 *     sends RESCHEDULE_VECTOR, not their NMI_VECTOR: the ICR2/ICR sequence
 *     and the kernel's in_nmi() path are the same for every vector, and a
 *     reschedule IPI needs nobody to claim it on the receivers, where an
 *     NMI would need a handler that could swallow another NMI or leave an
 *     unknown one behind. No self-NMI is involved either (the SDM does not
 *     allow NMI delivery with the self shorthand).
 *  3. The ICR write then runs. A kprobe on __sysvec_call_function_single(),
 *     which only CALL_FUNCTION_SINGLE_VECTOR reaches
 *     (generic_smp_call_function_single_interrupt() is also the handler of
 *     the many-CPU CALL_FUNCTION_VECTOR), tells which CPUs took it, and
 *     one on native_send_call_func_single_ipi() which CPUs the kernel sent
 *     it to. Per round: did the target run the request (reached, else
 *     missed), and did any other CPU take the vector more often than it
 *     was sent one (stray; another CPU's smp_call_function_single() to it
 *     is not ours)?
 *
 * What the nested send does to the interrupted IPI depends on the APIC
 * driver (apic_driver): in physflat mode the mask is sent one CPU at a
 * time, ICR2 is left holding the last CPU of the mask (the third CPU,
 * above the target), and the interrupted IPI goes there: missed and
 * stray. In flat logical mode the mask is one send whose destination
 * still contains the target: the target gets its IPI and the third CPU a
 * stray copy.
 *
 * The window is proven, not assumed: the breakpoint handler records ICR2
 * as the outer sender left it, and counts the round as in the window only
 * when it made its nested send there with in_nmi() true (after the ICR2
 * write the breakpoint trapped, before the ICR write, which runs when the
 * handler returns). ICR2 is read again after the nested send: a value
 * other than the outer sender's is the clobber itself (icr2_clobbered).
 *
 * mutate=1 (no nested send) and mutate=2 (the nested send comes only
 * after the ICR write, outside #DB) break the injection on purpose, for
 * the harness's own tests: the rounds must then be counted outside the
 * window (no_nested).
 *
 * What QEMU cannot show: its local APIC delivers an IPI at the ICR write
 * and never reports the ICR busy, so the waits for an idle ICR (and the
 * bounded ones' timeouts) always return at once here; on hardware they
 * run. The forced window (the #DB handler sits between the two writes)
 * makes every round a hit; that rate is a property of the injection.
 *
 * A lost IPI is then delivered by sending the vector to the target
 * directly, so the queued request is never left behind.
 *
 * With rounds=0 the module instead times the ordinary IPI path, nothing
 * injected: bench_runs runs of bench_ops synchronous
 * smp_call_function_single() round trips to the target, and as many bare
 * destination-field sends (the sender's side only). Each run's guest
 * nanoseconds are in bench_round_trip_ns[] and bench_send_ns[]; under
 * QEMU's instruction-count clock (-icount shift=0) a nanosecond is an
 * instruction, and the harness's cost mode compares them across kernels.
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
#include <linux/hw_breakpoint.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/preempt.h>
#include <asm/apic.h>

static int sender = -1, target = -1, third = -1;
static int rounds = 1000;
static int timeout_ms = 2000;	/* a starved vCPU can take long */
static int settle_ms = 20;
static int bench_ops = 1000;
static int bench_runs = 7;
module_param(sender, int, 0444);
module_param(target, int, 0444);
module_param(third, int, 0444);
module_param(rounds, int, 0444);
module_param(timeout_ms, int, 0444);
module_param(settle_ms, int, 0444);
module_param(bench_ops, int, 0444);
module_param(bench_runs, int, 0444);
static int storm_ms;
module_param(storm_ms, int, 0444);
static int mutate;
module_param(mutate, int, 0444);
enum { MUTATE_NONE, MUTATE_NO_NESTED_SEND, MUTATE_LATE_NESTED_SEND };

/* Results. */
static int reached, missed, stray, no_nested, not_sent, stuck;
static int in_window, icr2_clobbered;
static char apic_driver[32];
/* The function that sends an IPI to one CPU (paravirtual ones skip ICR2). */
static char ipi_sender[KSYM_NAME_LEN];
#define BENCH_MAX_RUNS	32
static long bench_round_trip_ns[BENCH_MAX_RUNS], bench_send_ns[BENCH_MAX_RUNS];
static int nr_round_trip_ns, nr_send_ns;
module_param(reached, int, 0444);
module_param(missed, int, 0444);
module_param(stray, int, 0444);
module_param(no_nested, int, 0444);
module_param(not_sent, int, 0444);
module_param(stuck, int, 0444);
module_param(in_window, int, 0444);
module_param(icr2_clobbered, int, 0444);
module_param_array(bench_round_trip_ns, long, &nr_round_trip_ns, 0444);
module_param_array(bench_send_ns, long, &nr_send_ns, 0444);
module_param_string(apic_driver, apic_driver, sizeof(apic_driver), 0444);
module_param_string(ipi_sender, ipi_sender, sizeof(ipi_sender), 0444);
static long storm_async_sent, storm_async_run, storm_sync_calls;
module_param(storm_async_sent, long, 0444);
module_param(storm_async_run, long, 0444);
module_param(storm_sync_calls, long, 0444);

static bool armed;
static bool nested_in_window;	/* the nested send came between the writes */
static u32 icr2_outer;
static int received_on = -1;
static DEFINE_PER_CPU(unsigned long, cfs_vectors);	/* taken here */
static DEFINE_PER_CPU(atomic_long_t, cfs_sent);		/* sent to here */
static unsigned long *vectors_before, *sent_before;	/* [nr_cpu_ids] */
static cpumask_t nested_mask;			/* online CPUs but the sender */
static call_single_data_t csd;

static void csd_func(void *info)
{
	WRITE_ONCE(received_on, smp_processor_id());
}

static void ipi_fp_nop(void *info)
{
}

/*
 * The data breakpoint on ICR2: runs in #DB context on the sender, right
 * after an ICR2 write, before the ICR write that sends the IPI. The nested
 * sender is this handler itself. The kernel disables breakpoints while it
 * handles #DB, so its own ICR2 writes do not come back here.
 */
static void icr2_written(struct perf_event *bp, struct perf_sample_data *data,
			 struct pt_regs *regs)
{
	if (!READ_ONCE(armed) || smp_processor_id() != sender)
		return;
	WRITE_ONCE(armed, false);
	/* Not NMI-like context: not the sender the test is about. */
	if (mutate != MUTATE_NONE || !in_nmi())
		return;
	icr2_outer = native_apic_mem_read(APIC_ICR2);
	/* What nmi_trigger_cpumask_backtrace() does, with another vector. */
	apic->send_IPI_mask(&nested_mask, RESCHEDULE_VECTOR);
	WRITE_ONCE(nested_in_window, true);
	if (native_apic_mem_read(APIC_ICR2) != icr2_outer)
		icr2_clobbered++;
}

static int cfs_vector_pre(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(cfs_vectors);
	return 0;
}

/* Every call-function-single IPI the kernel sends, by destination CPU. */
static int cfs_send_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long cpu = regs_get_kernel_argument(regs, 0);

	if (cpu < nr_cpu_ids)
		atomic_long_inc(per_cpu_ptr(&cfs_sent, cpu));
	return 0;
}

static struct kprobe cfs_probe, send_probe;

/*
 * Probe FUNC at its first instruction that kprobes accepts: on 6.12
 * __sysvec_call_function_single() starts with the static call of
 * apic_eoi(), which kprobes refuses (-EINVAL); offsets inside an
 * instruction are refused too (-EILSEQ), by the kernel's own decoder.
 */
static int probe_first(struct kprobe *kp, const char *func,
		       kprobe_pre_handler_t handler)
{
	int off, ret = -EINVAL;

	for (off = 0; off < 32; off++) {
		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = func;
		kp->offset = off;
		kp->pre_handler = handler;
		ret = register_kprobe(kp);
		if (!ret || (ret != -EINVAL && ret != -EILSEQ))
			break;
	}
	if (!ret)
		pr_info("ipi_fp_icr: probe at %s+%#x\n", func, off);
	else
		pr_err("ipi_fp_icr: cannot probe %s: %d\n", func, ret);
	return ret;
}

static struct perf_event *icr2_watch;

/* A write breakpoint on the sender's ICR2, or NULL (errno in *err). */
static struct perf_event *watch_icr2(int *err)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	hw_breakpoint_init(&attr);
	attr.bp_addr = APIC_BASE + APIC_ICR2;
	attr.bp_len = HW_BREAKPOINT_LEN_4;
	attr.bp_type = HW_BREAKPOINT_W;
	bp = perf_event_create_kernel_counter(&attr, sender, NULL, icr2_written,
					      NULL);
	if (IS_ERR(bp)) {
		*err = PTR_ERR(bp);
		return NULL;
	}
	return bp;
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

/*
 * Call-function-single vectors that CPUs other than the target took since
 * the round began, beyond the IPIs the kernel sent them meanwhile (another
 * CPU's smp_call_function_single() is no stray copy of ours).
 */
static unsigned long stray_vectors(void)
{
	unsigned long n = 0;
	int cpu;

	for_each_online_cpu(cpu) {
		long taken, sent;

		if (cpu == target)
			continue;
		taken = READ_ONCE(per_cpu(cfs_vectors, cpu)) - vectors_before[cpu];
		sent = atomic_long_read(per_cpu_ptr(&cfs_sent, cpu)) -
		       sent_before[cpu];
		if (taken > sent)
			n += taken - sent;
	}
	return n;
}

static void run_round(void)
{
	unsigned long stray_before = 0;
	unsigned long flags;
	bool sent, got, strayed;
	u64 deadline;
	int ret, cpu;

	for_each_online_cpu(cpu) {
		vectors_before[cpu] = READ_ONCE(per_cpu(cfs_vectors, cpu));
		sent_before[cpu] = atomic_long_read(per_cpu_ptr(&cfs_sent, cpu));
	}
	WRITE_ONCE(received_on, -1);
	WRITE_ONCE(nested_in_window, false);

	local_irq_save(flags);
	WRITE_ONCE(armed, true);
	ret = smp_call_function_single_async(target, &csd);
	/* The probe disarms itself when the IPI goes through the ICR write. */
	sent = !ret && !READ_ONCE(armed);
	WRITE_ONCE(armed, false);
	if (sent && mutate == MUTATE_LATE_NESTED_SEND)
		/* After the ICR write: the nested send comes too late. */
		apic->send_IPI_mask(&nested_mask, RESCHEDULE_VECTOR);
	local_irq_restore(flags);

	/*
	 * Wait for the target, or for a stray copy (then the target's IPI
	 * may be gone elsewhere); once the target has it, give a stray copy
	 * settle_ms to show up on a CPU that may not be running right now.
	 */
	deadline = ktime_get_ns() + (u64)timeout_ms * NSEC_PER_MSEC;
	while (READ_ONCE(received_on) < 0 && stray_vectors() == stray_before &&
	       ktime_get_ns() < deadline)
		cpu_relax();
	if (stray_vectors() != stray_before && READ_ONCE(received_on) < 0)
		wait_for(target, 50);	/* the target may still get one */
	deadline = ktime_get_ns() + (u64)settle_ms * NSEC_PER_MSEC;
	while (stray_vectors() == stray_before && ktime_get_ns() < deadline)
		cpu_relax();
	got = READ_ONCE(received_on) == target;
	strayed = stray_vectors() != stray_before;

	if (!sent) {
		not_sent++;
	} else {
		if (got)
			reached++;
		else
			missed++;
		if (strayed)
			stray++;
	}
	if (sent && READ_ONCE(nested_in_window))
		in_window++;
	else if (sent)
		no_nested++;

	/* Deliver a lost IPI ourselves; the request must not stay queued. */
	if (!ret && !got && READ_ONCE(received_on) != target) {
		apic->send_IPI(target, CALL_FUNCTION_SINGLE_VECTOR);
		if (!wait_for(target, 1000))
			stuck = 1;
	}
}

/* Synchronous smp_call_function_single() round trips to the target. */
static int round_trip(void)
{
	smp_call_function_single(target, ipi_fp_nop, NULL, 1);
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

/* bench_runs runs of bench_ops calls of op: each run's nanoseconds in ns[]. */
static void bench(int (*op)(void), long *ns, int *nr)
{
	int run, n;

	for (run = 0; run < bench_runs; run++) {
		u64 start = ktime_get_ns();

		for (n = 0; n < bench_ops; n++)
			op();
		ns[run] = ktime_get_ns() - start;
	}
	*nr = bench_runs;
}

/* rounds=0: only time the IPI path (see the top). */
static int bench_only(void)
{
	int cpu = get_cpu();

	put_cpu();
	if (cpu != sender || target < 0 || target >= nr_cpu_ids ||
	    target == sender || !cpu_online(target) || bench_ops < 1 ||
	    bench_runs < 1 || bench_runs > BENCH_MAX_RUNS)
		return -EINVAL;
	strscpy(apic_driver, apic->name, sizeof(apic_driver));
	bench(round_trip, bench_round_trip_ns, &nr_round_trip_ns);
	bench(one_send, bench_send_ns, &nr_send_ns);
	pr_info("ipi_fp_icr: %s, %d runs of %d IPI round trips and sends timed\n",
		apic_driver, bench_runs, bench_ops);
	return 0;
}

static call_single_data_t *storm_csd;	/* [sender * nr_cpu_ids + target] */
static atomic_long_t async_sent, async_run, sync_calls;
/* Storm threads still sending; storm() waits for none left. */
static atomic_t storm_left;
static DECLARE_WAIT_QUEUE_HEAD(storm_wq);

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
		smp_call_function(ipi_fp_nop, NULL, 1);
		atomic_long_inc(&sync_calls);
		cond_resched();
	}
	if (atomic_dec_and_test(&storm_left))
		wake_up(&storm_wq);
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
	/*
	 * Every thread must run its loop before it is stopped: kthread_stop()
	 * of a thread that has not started yet skips its function entirely.
	 */
	atomic_set(&storm_left, 0);
	for_each_online_cpu(cpu) {
		threads[cpu] = kthread_create_on_cpu(storm_thread,
						     (void *)(long)cpu, cpu,
						     "ipi_fp_storm/%u");
		if (IS_ERR(threads[cpu]))
			threads[cpu] = NULL;
		else
			atomic_inc(&storm_left);
	}
	for_each_online_cpu(cpu)
		if (threads[cpu])
			wake_up_process(threads[cpu]);
	wait_event(storm_wq, !atomic_read(&storm_left));
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
		/* Lost requests are still queued in storm_csd: stay loaded. */
		stuck = 1;
		__module_get(THIS_MODULE);
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
	if (rounds == 0)
		return bench_only();
	cpu = get_cpu();
	put_cpu();
	/* third above target: physflat sends to it last (see the top). */
	if (cpu != sender || target == sender || third == sender ||
	    target >= third || !cpu_online(target) || !cpu_online(third) ||
	    rounds < 1 || timeout_ms < 1)
		return -EINVAL;

	strscpy(apic_driver, apic->name, sizeof(apic_driver));
	snprintf(ipi_sender, sizeof(ipi_sender), "%ps", apic->send_IPI);
	cpumask_copy(&nested_mask, cpu_online_mask);
	cpumask_clear_cpu(sender, &nested_mask);
	INIT_CSD(&csd, csd_func, NULL);
	vectors_before = kcalloc(nr_cpu_ids, sizeof(*vectors_before), GFP_KERNEL);
	sent_before = kcalloc(nr_cpu_ids, sizeof(*sent_before), GFP_KERNEL);
	if (!vectors_before || !sent_before) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (probe_first(&cfs_probe, "__sysvec_call_function_single",
			cfs_vector_pre)) {
		ret = -ENXIO;
		goto out_free;
	}
	if (probe_first(&send_probe, "native_send_call_func_single_ipi",
			cfs_send_pre)) {
		ret = -ENXIO;
		goto out_cfs;
	}
	icr2_watch = watch_icr2(&ret);
	if (!icr2_watch) {
		pr_err("ipi_fp_icr: no hardware breakpoint on ICR2: %d\n", ret);
		/* -ENOSPC: every debug register of the sender is taken. */
		if (ret != -ENOSPC)
			ret = -ENOENT;
		goto out_send;
	}
	pr_info("ipi_fp_icr: %s, sender %d target %d third %d, breakpoint on ICR2 writes\n",
		apic_driver, sender, target, third);

	for (i = 0; i < rounds && !stuck; i++) {
		run_round();
		cond_resched();	/* rounds add up to many seconds */
	}

	/*
	 * A request the target never ran is still queued in csd, which lives
	 * in this module: take a reference, so that it cannot be unloaded.
	 */
	if (stuck)
		__module_get(THIS_MODULE);
	perf_event_release_kernel(icr2_watch);
	unregister_kprobe(&send_probe);
	unregister_kprobe(&cfs_probe);
	kfree(vectors_before);
	kfree(sent_before);
	pr_info("ipi_fp_icr: rounds %d reached %d missed %d stray %d no_nested %d not_sent %d stuck %d in_window %d icr2_clobbered %d\n",
		rounds, reached, missed, stray, no_nested, not_sent, stuck,
		in_window, icr2_clobbered);
	return 0;

out_send:
	unregister_kprobe(&send_probe);
out_cfs:
	unregister_kprobe(&cfs_probe);
out_free:
	kfree(vectors_before);
	kfree(sent_before);
	return ret;
}

/*
 * Everything is undone before init returns; a module left with a queued
 * request holds a reference to itself and never gets here.
 */
static void __exit ipi_fp_icr_exit(void)
{
}

module_init(ipi_fp_icr_init);
module_exit(ipi_fp_icr_exit);
MODULE_DESCRIPTION("ipi_fp: nested xAPIC IPI sender injection test");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
