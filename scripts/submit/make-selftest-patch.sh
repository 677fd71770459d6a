#!/usr/bin/env bash
# submit/make-selftest-patch.sh [NAME [OUTDIR] | --list]: generate a test
# submission's patch from the project's sources into OUTDIR (default
# patches/NAME/); without NAME, every one of them into patches/; --list
# prints their names. NAME:
#   selftests-ipi_fp          the ipi_fp target for 6.1.192: selftests/ipi_fp
#                             and selftests/ipi_fp.commit-msg, plus its line
#                             in tools/testing/selftests/Makefile;
#   selftests-powerpc-vsx-syscall  two patches for 6.12.117's (mainline's)
#                             powerpc/math: selftests/powerpc-math/
#                             vmx_syscall.c in place of upstream's (and its
#                             test_vmx() out of math/vmx_asm.S), with the
#                             register helpers of selftests/ipi_fp/
#                             vsx_all_regs.h (one source for fpu_io_worker
#                             and these tests) as powerpc/include/
#                             vsx_all_regs.h; then vsx_syscall.c, with its
#                             lines in math/Makefile and math/.gitignore;
#                             messages: selftests/powerpc-math/*.commit-msg;
#   selftests-powerpc-sig-from-task-work  one patch for 6.12.117's
#                             powerpc/signal: selftests/powerpc-signal/
#                             sig_from_task_work.c, with its lines in
#                             signal/Makefile and signal/.gitignore;
#                             message and notes: its .commit-msg and
#                             .notes beside it;
#   selftests-mm-dio-fork     one patch for 6.12.117's mm selftests:
#                             selftests/mm/dio_fork.c with the race code
#                             of selftests/ipi_fp/dio_fork.h (one source
#                             for odirect_fork and this test) as
#                             mm/dio_fork.h, its lines in mm/Makefile,
#                             mm/.gitignore, mm/run_vmtests.sh (category
#                             "dio", beside hugetlb_dio while huge pages
#                             are reserved) and mm/config (NBD); message:
#                             selftests/mm/dio_fork.commit-msg.
# Each patch is made in a scratch repository holding only the base's files
# that it changes, so it is what 'git format-patch' gives in a full tree,
# less the From, Date and Signed-off-by that only the sender can give
# (scripts/submit/send-prep.sh adds them).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

names=(selftests-ipi_fp selftests-powerpc-vsx-syscall selftests-powerpc-sig-from-task-work
	selftests-mm-dio-fork)
if [ "${1:-}" = --list ]; then
	printf '%s\n' "${names[@]}"
	exit 0
fi
if [ $# -eq 0 ]; then
	for n in "${names[@]}"; do
		"$0" "$n"
	done
	exit 0
fi
name=$1
out=${2:-$TOP/patches/$name}
st=tools/testing/selftests
case "$name" in
selftests-ipi_fp)
	base=6.1.192 msg=$TOP/selftests/ipi_fp.commit-msg
	seed=("$st/Makefile")
	;;
selftests-powerpc-vsx-syscall)
	base=6.12.117 msg=$TOP/selftests/powerpc-math/vsx_syscall.commit-msg
	seed=("$st/powerpc/math/Makefile" "$st/powerpc/math/.gitignore"
		"$st/powerpc/math/vmx_syscall.c" "$st/powerpc/math/vmx_asm.S")
	;;
selftests-powerpc-sig-from-task-work)
	base=6.12.117 msg=$TOP/selftests/powerpc-signal/sig_from_task_work.commit-msg
	seed=("$st/powerpc/signal/Makefile" "$st/powerpc/signal/.gitignore")
	;;
selftests-mm-dio-fork)
	base=6.12.117 msg=$TOP/selftests/mm/dio_fork.commit-msg
	seed=("$st/mm/Makefile" "$st/mm/.gitignore" "$st/mm/run_vmtests.sh" "$st/mm/config")
	;;
*) die "unknown test submission '$name' (known: ${names[*]})" ;;
esac
commit=$("$TOP/scripts/get-base.sh" "$base")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

export GIT_AUTHOR_DATE='2026-11-22T00:00:00Z' GIT_COMMITTER_DATE='2026-11-22T00:00:00Z'
g() { git -C "$scratch" -c user.name=ipi_fp -c user.email=ipi_fp@localhost "$@"; }
g init -q
for f in "${seed[@]}"; do
	mkdir -p "$scratch/$(dirname "$f")"
	git --git-dir="$CACHE/linux.git" show "$commit:$f" >"$scratch/$f"
	# An executable file (mm/run_vmtests.sh) stays one.
	[ "$(git --git-dir="$CACHE/linux.git" ls-tree "$commit" "$f" | cut -c1-6)" != 100755 ] ||
		chmod 755 "$scratch/$f"
done
g add -A
g commit -q -m base
g tag base
# add_after FILE LINE NEW: the lines NEW after the line LINE of FILE.
add_after() {
	grep -qxF -- "$2" "$scratch/$1" || die "$1 of $base has no line '$2'"
	LINE=$2 NEW=$3 awk '{ print } $0 == ENVIRON["LINE"] { print ENVIRON["NEW"] }' \
		"$scratch/$1" >"$scratch/$1.new"
	cat "$scratch/$1.new" >"$scratch/$1"	# its mode stays
	rm "$scratch/$1.new"
}
case "$name" in
selftests-ipi_fp)
	cp -r "$TOP/selftests/ipi_fp" "$scratch/$st/ipi_fp"
	add_after "$st/Makefile" "TARGETS += ipc" "TARGETS += ipi_fp"
	;;
selftests-powerpc-vsx-syscall)
	m=$st/powerpc/math
	mkdir -p "$scratch/$st/powerpc/include"
	cp "$TOP/selftests/ipi_fp/vsx_all_regs.h" "$scratch/$st/powerpc/include/"
	cp "$TOP/selftests/powerpc-math/vmx_syscall.c" "$scratch/$m/"
	# test_vmx(), vmx_syscall's old helper, and the blank line after it.
	sed -i '/^# Safe from C$/,/^FUNC_END(test_vmx)$/d' "$scratch/$m/vmx_asm.S"
	sed -i '/^FUNC_END(check_vmx)$/{n;/^$/d}' "$scratch/$m/vmx_asm.S"
	! grep -q test_vmx "$scratch/$m/vmx_asm.S" || die "test_vmx() is still in $m/vmx_asm.S"
	g add -A
	g commit -q -F "$TOP/selftests/powerpc-math/vmx_syscall.commit-msg"
	cp "$TOP/selftests/powerpc-math/vsx_syscall.c" "$scratch/$m/"
	sed -i 's/^\(TEST_GEN_PROGS := .*vsx_preempt\) /\1 vsx_syscall /' "$scratch/$st/powerpc/math/Makefile"
	grep -q '^TEST_GEN_PROGS := .* vsx_syscall ' "$scratch/$st/powerpc/math/Makefile" ||
		die "could not add vsx_syscall to TEST_GEN_PROGS of $st/powerpc/math/Makefile"
	add_after "$st/powerpc/math/Makefile" '$(OUTPUT)/vsx_preempt: vsx_asm.S ../utils.c' \
		$'\n$(OUTPUT)/vsx_syscall: CFLAGS += -mvsx\n$(OUTPUT)/vsx_syscall: ../utils.c'
	add_after "$st/powerpc/math/.gitignore" vsx_preempt vsx_syscall
	;;
selftests-powerpc-sig-from-task-work)
	cp "$TOP/selftests/powerpc-signal/sig_from_task_work.c" "$scratch/$st/powerpc/signal/"
	add_after "$st/powerpc/signal/Makefile" 'TEST_GEN_PROGS += sigreturn_unaligned' \
		'TEST_GEN_PROGS += sig_from_task_work'
	add_after "$st/powerpc/signal/Makefile" '$(OUTPUT)/sigfuz: CFLAGS += -pthread -m64' \
		'$(OUTPUT)/sig_from_task_work: CFLAGS += -pthread -m64'
	add_after "$st/powerpc/signal/.gitignore" sigreturn_unaligned sig_from_task_work
	;;
selftests-mm-dio-fork)
	m=$st/mm
	cp "$TOP/selftests/mm/dio_fork.c" "$TOP/selftests/ipi_fp/dio_fork.h" "$scratch/$m/"
	add_after "$m/Makefile" 'LOCAL_HDRS += $(selfdir)/mm/mseal_helpers.h' \
		'LOCAL_HDRS += $(selfdir)/mm/dio_fork.h'
	add_after "$m/Makefile" 'TEST_GEN_FILES += hugetlb_dio' 'TEST_GEN_FILES += dio_fork'
	add_after "$m/Makefile" '$(OUTPUT)/cow: LDLIBS += $(IOURING_EXTRA_LIBS)' \
		$'\n$(OUTPUT)/dio_fork: LDLIBS += $(IOURING_EXTRA_LIBS)'
	add_after "$m/.gitignore" cow dio_fork
	add_after "$m/run_vmtests.sh" $'\ttest copy-on-write semantics' \
		$'- dio\n\ttest O_DIRECT reads in flight across fork()'
	add_after "$m/run_vmtests.sh" 'CATEGORY="hugetlb" run_test ./hugetlb_dio' \
		$'\n# O_DIRECT reads across fork(), through an NBD device the test serves\nif test_selected "dio"; then\n\tmodprobe -q nbd\nfi\nCATEGORY="dio" run_test ./dio_fork'
	echo CONFIG_BLK_DEV_NBD=m >>"$scratch/$m/config"
	;;
esac
g add -A
g commit -q -F "$msg"
mkdir -p "$out"
mapfile -t made < <(g format-patch --zero-commit --no-signature --filename-max-length=100 \
	--start-number 1 -o "$scratch/out" base..HEAD)
# The last commit's notes below its '---', where its message has a
# NAME.notes beside it (a one-patch submission sends those in place of a
# cover letter).
notes=${msg%.commit-msg}.notes
for patch in "${made[@]}"; do
	if [ "$patch" = "${made[-1]}" ] && [ -f "$notes" ]; then
		strip_identity <"$patch" | NOTES=$(cat "$notes") awk '
			{ print }
			$0 == "---" && !done { print ENVIRON["NOTES"]; print ""; done = 1 }'
	else
		strip_identity <"$patch"
	fi >"$out/$(basename "$patch")"
done
