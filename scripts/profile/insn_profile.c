// SPDX-License-Identifier: GPL-2.0
/*
 * insn_profile: a QEMU TCG plugin that counts the guest instructions
 * executed at each address, only inside windows the guest marks.
 *
 *   qemu-system-... -plugin insn_profile.so,out=FILE ...
 *
 * Every translated block gets an inline counter of its executions
 * (QEMU_PLUGIN_INLINE_ADD_U64: no call into the plugin on the hot
 * path). Blocks with the same start, length and last instruction share
 * one record, so a block translated again adds to the same counts.
 *
 * The window: a guest program in user mode executes a marker
 * instruction that the plugin recognises at translation time and gives
 * an execution callback (profile_ops.c has both):
 *
 *   x86_64   nopl 0x1f5e00XX(%rax,%rax,1)   0f 1f 84 00 XX 00 5e 1f
 *   ppc64    xoris r0,r0,0x1fXX            0x6c001fXX (r0 clobbered)
 *
 * XX = 0 opens a window (every count set to zero); XX = 1..255 closes
 * window XX: each record executed since is written to FILE as
 *
 *   window XX
 *   tb COUNT VADDR OFF1 OFF2 ...
 *   end XX
 *
 * (COUNT executions of the block at VADDR, whose instructions start at
 * VADDR + 0, VADDR + OFF1, ...: hexadecimal) and the counts set to zero
 * again. Only a marker run from a user address counts, so kernel code
 * cannot open or close a window.
 *
 * What it counts, exactly: a block's counter is bumped when the block
 * starts, so a block left in the middle (a fault, an exception)
 * counts its later instructions too; all vCPUs count into the same
 * records (QEMU's instruction-count clock runs them in one thread, so
 * the plain adds do not race there).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct tb_rec {
	uint64_t count;		/* executions; the inline add's target */
	uint64_t vaddr;
	size_t n;		/* instructions */
	uint32_t *off;		/* each instruction's offset from vaddr */
	struct tb_rec *next;	/* hash chain */
	struct tb_rec *all;	/* list of every record */
};

#define HASH_BITS	16
static struct tb_rec *hash[1 << HASH_BITS];
static struct tb_rec *records;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static bool x86;
static uint64_t user_limit;	/* markers only below this address */

static unsigned int hash_of(uint64_t vaddr, size_t n)
{
	uint64_t h = (vaddr ^ (n << 7)) * 0x9e3779b97f4a7c15ULL;

	return h >> (64 - HASH_BITS);
}

/* The record of a block, made on its first translation. */
static struct tb_rec *record_of(struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	uint64_t last = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, n - 1));
	unsigned int h = hash_of(vaddr, n);
	struct tb_rec *r;

	for (r = hash[h]; r; r = r->next)
		if (r->vaddr == vaddr && r->n == n && r->vaddr + r->off[n - 1] == last)
			return r;
	r = calloc(1, sizeof(*r));
	if (r)
		r->off = calloc(n, sizeof(*r->off));
	if (!r || !r->off) {
		fprintf(stderr, "insn_profile: out of memory\n");
		abort();
	}
	r->vaddr = vaddr;
	r->n = n;
	for (i = 0; i < n; i++)
		r->off[i] = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i)) - vaddr;
	r->next = hash[h];
	hash[h] = r;
	r->all = records;
	records = r;
	return r;
}

/* The marker's code (0..255), or -1 when insn is not a marker. */
static int marker_code(struct qemu_plugin_insn *insn)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);
	size_t size = qemu_plugin_insn_size(insn);
	static const uint8_t x86_marker[] = { 0x0f, 0x1f, 0x84, 0x00, 0, 0x00, 0x5e, 0x1f };
	uint32_t le, be;

	if (qemu_plugin_insn_vaddr(insn) >= user_limit)
		return -1;
	if (x86) {
		if (size != sizeof(x86_marker) || memcmp(b, x86_marker, 4) ||
		    memcmp(b + 5, x86_marker + 5, 3))
			return -1;
		return b[4];
	}
	if (size != 4)
		return -1;
	le = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	be = b[3] | b[2] << 8 | b[1] << 16 | (uint32_t)b[0] << 24;
	if ((le & 0xffffff00) == 0x6c001f00)
		return le & 0xff;
	if ((be & 0xffffff00) == 0x6c001f00)
		return be & 0xff;
	return -1;
}

static void marker(unsigned int vcpu, void *udata)
{
	unsigned int code = (uintptr_t)udata;
	struct tb_rec *r;
	size_t i;

	pthread_mutex_lock(&lock);
	if (code) {
		fprintf(out, "window %u vcpu %u\n", code, vcpu);
		for (r = records; r; r = r->all) {
			if (!r->count)
				continue;
			fprintf(out, "tb %" PRIu64 " %" PRIx64, r->count, r->vaddr);
			for (i = 1; i < r->n; i++)
				fprintf(out, " %" PRIx32, r->off[i]);
			fputc('\n', out);
		}
		fprintf(out, "end %u\n", code);
		fflush(out);
	}
	for (r = records; r; r = r->all)
		r->count = 0;
	pthread_mutex_unlock(&lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct tb_rec *r;
	int code;

	if (!n)
		return;
	pthread_mutex_lock(&lock);
	r = record_of(tb);
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &r->count, 1);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		code = marker_code(insn);
		if (code >= 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, marker,
				QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)code);
	}
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	pthread_mutex_lock(&lock);
	fclose(out);
	out = NULL;
	pthread_mutex_unlock(&lock);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "insn_profile: usage: -plugin insn_profile.so,out=FILE\n");
		return -1;
	}
	if (!strcmp(info->target_name, "x86_64")) {
		x86 = true;
		user_limit = 0x800000000000ULL;
	} else if (!strcmp(info->target_name, "ppc64")) {
		user_limit = 0x8000000000000000ULL;
	} else {
		fprintf(stderr, "insn_profile: target %s: only x86_64 and ppc64\n",
			info->target_name);
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
