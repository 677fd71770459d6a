/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All 64 VSX registers, FPSCR and VSCR, loaded from and stored to memory
 * by inline asm, for tests that check that the kernel keeps a task's
 * whole FP/VMX/VSX state across something the task does not control: a
 * system call, fork(), the creation of an io_uring worker. vs0-vs31
 * overlay the FPRs (doubleword 0), vs32-vs63 are the VRs.
 *
 * The memory is 66 slots of 16 bytes or more: vs0-vs63, then FPSCR
 * (doubleword 0 of slot 64) and VSCR (slot 65, the same word four
 * times). VSX_LOAD_ALL sets FPSCR through fr0 and VSCR through v0,
 * then loads the 64 registers; VSX_STORE_ALL stores the 64 registers,
 * then FPSCR through fr0 and VSCR through v0 (replicated, so that the
 * element order of lxvd2x/stxvd2x does not matter). lxvd2x/stxvd2x put
 * the doubleword at the lower address in doubleword 0. FPSCR's upper 32
 * bits read back undefined before ISA 3.0: compare its low word only.
 *
 * The asm statement names its operands vsx_in (VSX_LOAD_ALL: the slots'
 * address, in a base register: "b"), vsx_out (VSX_STORE_ALL: the same)
 * and vsx_stride (the slots' size in bytes: "i"). Both macros use r9 as
 * scratch; the asm statement must clobber "r9", "memory" and
 * VSX_ALL_CLOBBERS.
 */
#ifndef VSX_ALL_REGS_H
#define VSX_ALL_REGS_H

#define VSX_ALL_SLOTS		66
#define VSX_SLOT_FPSCR		64
#define VSX_SLOT_VSCR		65

#define VSX_ALL_NUMBERS							\
	"0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"	\
	"23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44," \
	"45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63"

#define VSX_LOAD_ALL							\
	"li	9,64*%[vsx_stride]\n\t"					\
	"lfdx	0,%[vsx_in],9\n\t"					\
	"mtfsf	0xff,0\n\t"						\
	"li	9,65*%[vsx_stride]\n\t"					\
	"lxvd2x	32,%[vsx_in],9\n\t"					\
	"mtvscr	0\n\t"							\
	".irp n," VSX_ALL_NUMBERS "\n\t"				\
	"li	9,\\n*%[vsx_stride]\n\t"				\
	"lxvd2x	\\n,%[vsx_in],9\n\t"					\
	".endr\n\t"

#define VSX_STORE_ALL							\
	".irp n," VSX_ALL_NUMBERS "\n\t"				\
	"li	9,\\n*%[vsx_stride]\n\t"				\
	"stxvd2x	\\n,%[vsx_out],9\n\t"				\
	".endr\n\t"							\
	"mffs	0\n\t"							\
	"li	9,64*%[vsx_stride]\n\t"					\
	"stfdx	0,%[vsx_out],9\n\t"					\
	"mfvscr	0\n\t"							\
	"vspltw	0,0,3\n\t"						\
	"li	9,65*%[vsx_stride]\n\t"					\
	"stxvd2x	32,%[vsx_out],9\n\t"

#define VSX_ALL_CLOBBERS						\
	"vs0", "vs1", "vs2", "vs3", "vs4", "vs5", "vs6", "vs7",		\
	"vs8", "vs9", "vs10", "vs11", "vs12", "vs13", "vs14",		\
	"vs15", "vs16", "vs17", "vs18", "vs19", "vs20", "vs21",		\
	"vs22", "vs23", "vs24", "vs25", "vs26", "vs27", "vs28",		\
	"vs29", "vs30", "vs31", "vs32", "vs33", "vs34", "vs35",		\
	"vs36", "vs37", "vs38", "vs39", "vs40", "vs41", "vs42",		\
	"vs43", "vs44", "vs45", "vs46", "vs47", "vs48", "vs49",		\
	"vs50", "vs51", "vs52", "vs53", "vs54", "vs55", "vs56",		\
	"vs57", "vs58", "vs59", "vs60", "vs61", "vs62", "vs63"

/*
 * AltiVec without VSX: the 32 VRs and VSCR with lvx/stvx, in 33 slots of
 * 16 bytes at a 16-byte aligned address: v0-v31, then VSCR (slot 32, the
 * same word four times). VMX_LOAD_ALL sets VSCR through v0, then loads
 * the 32 registers; VMX_STORE_ALL stores them, then VSCR through v0. The
 * operands are vmx_in and vmx_out ("b"); r9 is scratch; the asm statement
 * must clobber "r9", "memory" and VMX_ALL_CLOBBERS.
 */
#define VMX_ALL_SLOTS		33
#define VMX_SLOT_VSCR		32

#define VMX_ALL_NUMBERS							\
	"0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"			\
	"16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"

#define VMX_LOAD_ALL							\
	"li	9,32*16\n\t"						\
	"lvx	0,%[vmx_in],9\n\t"					\
	"mtvscr	0\n\t"							\
	".irp n," VMX_ALL_NUMBERS "\n\t"				\
	"li	9,\\n*16\n\t"						\
	"lvx	\\n,%[vmx_in],9\n\t"					\
	".endr\n\t"

#define VMX_STORE_ALL							\
	".irp n," VMX_ALL_NUMBERS "\n\t"				\
	"li	9,\\n*16\n\t"						\
	"stvx	\\n,%[vmx_out],9\n\t"					\
	".endr\n\t"							\
	"mfvscr	0\n\t"							\
	"vspltw	0,0,3\n\t"						\
	"li	9,32*16\n\t"						\
	"stvx	0,%[vmx_out],9\n\t"

#define VMX_ALL_CLOBBERS						\
	"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",	\
	"v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17",		\
	"v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25",		\
	"v26", "v27", "v28", "v29", "v30", "v31"

/*
 * A system call between the load and the store: system call number
 * %[sc_nr] ("i") with sc, its result (-errno on failure) in %[sc_ret]
 * ("=&r"). sc changes r0, r3-r12, ctr, xer and cr0, nothing else: the asm
 * statement must clobber SC_CLOBBERS.
 */
#define SC_SYSCALL							\
	"li	0,%[sc_nr]\n\t"						\
	"sc\n\t"							\
	"mr	%[sc_ret],3\n\t"					\
	"bns+	1f\n\t"							\
	"neg	%[sc_ret],%[sc_ret]\n"					\
	"1:\n\t"

#define SC_CLOBBERS							\
	"r0", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11",	\
	"r12", "ctr", "xer", "cr0"

#endif
