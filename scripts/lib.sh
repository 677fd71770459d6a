# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
# Shared settings for the ipi_fp scripts. Source it; it does nothing else.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${IPI_FP_CACHE:-$TOP/.cache}
SYSROOT_PPC=$CACHE/sysroot/ppc64el
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_NOHASHDIR=1
# Depend mode: on a miss ccache takes the header list from the compiler's
# own -MD output (Kbuild passes -Wp,-MMD) instead of running the
# preprocessor a second time, which a cold kernel build (every object a
# miss, as in CI) pays for every object (MAINTAINERS-notes/harness.md,
# "Timings and reuse"); hits are the same.
export CCACHE_DEPEND=${CCACHE_DEPEND:-1}

die() {
	echo "error: $(basename "$0"): $*" >&2
	exit 1
}

# log MSG: "[NAME] MSG" on stderr; NAME is the script's path under scripts/
# (run-matrix, cost/run), so that the rooms' run.sh scripts tell apart.
log() {
	local name
	name=$(cd "$(dirname "$0")" && pwd)/$(basename "$0" .sh)
	echo "[${name#"$TOP"/scripts/}] $*" >&2
}

# run NAME CMD...: one check of a list: "ok      NAME", or "FAILED  NAME"
# and CMD's output indented; counts into pass and fail, which the caller
# prints as "WHAT: N passed, N failed".
pass=0 fail=0
run() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok      $name"
		pass=$((pass + 1))
	else
		echo "FAILED  $name"
		echo "$out" | sed 's/^/        /'
		fail=$((fail + 1))
	fi
}

# checkout_tree TREE COMMIT: TREE, a work tree of $CACHE/linux.git, made
# or reset to exactly COMMIT (an unfinished 'git am' aborted, changes and
# untracked files gone), except its kernel build directories (build-*) and
# the harness's stamp, so that make rebuilds only what changed.
checkout_tree() {
	local tree=$1 commit=$2
	if [ ! -e "$tree/.git" ]; then
		mkdir -p "$(dirname "$tree")"
		git --git-dir="$CACHE/linux.git" worktree prune
		git --git-dir="$CACHE/linux.git" worktree add -q --detach "$tree" "$commit"
		return
	fi
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f --detach "$commit"
	git -C "$tree" clean -q -fdx -e '/build-*' -e '/.ipi_fp-stamp'
}

# strip_identity <PATCH: a 'git format-patch' mail without the lines that
# only its sender can write: the "From <commit>" separator, From:, Date:.
# The patches under patches/ are kept that way; scripts/submit/send-prep.sh puts
# the sender's From and Signed-off-by back, apply-series.sh a local one.
strip_identity() {
	sed -e '1{/^From [0-9a-f]\{40\} /d}' -e '1,/^Subject: /{/^From: /d;/^Date: /d}'
}

# arch_setup ARCH: set the per-architecture variables the scripts use.
arch_setup() {
	ARCH_NAME=$1
	case "$ARCH_NAME" in
	ppc64le)
		KARCH=powerpc
		SRCARCH=powerpc
		CROSS=powerpc64le-linux-gnu-
		CROSS_PKG=gcc-powerpc64le-linux-gnu
		KIMAGE=vmlinux
		QEMU=qemu-system-ppc64
		QEMU_PKG=qemu-system-ppc
		# The machine: POWER9 pseries, without the speculation
		# mitigations TCG does not implement.
		# shellcheck disable=SC2054 # the commas belong to the -M value
		QEMU_MACHINE=(-M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
			-cpu power9)
		CONSOLE=hvc0
		GUEST_CPUS=2 # the FP test needs two
		BUSYBOX=$SYSROOT_PPC/bin/busybox
		;;
	x86_64)
		KARCH=x86_64
		SRCARCH=x86
		CROSS=
		CROSS_PKG=gcc
		KIMAGE=arch/x86/boot/bzImage
		QEMU=qemu-system-x86_64
		QEMU_PKG=qemu-system-x86
		QEMU_MACHINE=(-M q35)
		CONSOLE=ttyS0
		GUEST_CPUS=3 # the ICR test needs a sender, a target and a third CPU
		BUSYBOX=/bin/busybox
		;;
	*)
		die "unknown architecture '$ARCH_NAME' (known: ppc64le x86_64)"
		;;
	esac
}

# static_flags: after arch_setup, the compiler flags of a static guest
# program that uses liburing (ppc64le: the sysroot's headers and
# libraries), one per line.
static_flags() {
	echo -static
	if [ "$KARCH" = powerpc ]; then
		[ -f "$SYSROOT_PPC/.done" ] || die "ppc64el sysroot missing; run 'make deps'"
		echo "-I$SYSROOT_PPC/usr/include"
		echo "-L$SYSROOT_PPC/usr/lib/powerpc64le-linux-gnu"
	fi
}

# fetch_checked URL FILE SHA256: download URL to FILE (python3's urllib:
# no curl or wget needed) unless FILE is there, and fail unless its
# SHA-256 is SHA256 (a Debian source's .dsc lists it).
fetch_checked() {
	[ -f "$2" ] && return 0
	log "fetching $1"
	python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
		"$1" "$2.part" || die "cannot fetch $1"
	echo "$3  $2.part" | sha256sum -c --quiet - >/dev/null 2>&1 || {
		rm -f "$2.part"
		die "$1: SHA-256 differs from $3, the one its Debian .dsc lists"
	}
	mv "$2.part" "$2"
}

# source_tree SRC MARKER WHAT: SRC is a source of WHAT (LTP, xfstests):
# a work tree holding the file MARKER, or a git directory (a bare clone)
# whose HEAD holds it. Sets SRC_ID (the git tree id of a clean work tree
# or of HEAD, else a hash of the files), SRC_DESCRIBE (git describe, or
# "work tree SRC") and SRC_GITDIR (the git directory, empty for a plain
# work tree); source_export DIR then writes SRC's files into DIR.
source_tree() {
	local src=$1 marker=$2 what=$3
	[ -d "$src" ] || die "$what source $src is not a directory"
	SRC_PATH=$(cd "$src" && pwd) SRC_GITDIR=
	if [ -f "$SRC_PATH/$marker" ]; then
		if git -C "$SRC_PATH" rev-parse --git-dir >/dev/null 2>&1 &&
			[ -z "$(git -C "$SRC_PATH" status --porcelain)" ]; then
			SRC_ID=$(git -C "$SRC_PATH" rev-parse "HEAD^{tree}")
			SRC_DESCRIBE=$(git -C "$SRC_PATH" describe --tags --always HEAD 2>/dev/null || echo "$SRC_ID")
		else
			SRC_ID=$(cd "$SRC_PATH" && find . -path ./.git -prune -o -type f -print0 |
				sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
			SRC_DESCRIBE="work tree $SRC_PATH"
		fi
	elif git --git-dir="$SRC_PATH" cat-file -e "HEAD:$marker" 2>/dev/null; then
		SRC_GITDIR=$SRC_PATH
		SRC_ID=$(git --git-dir="$SRC_PATH" rev-parse "HEAD^{tree}")
		SRC_DESCRIBE=$(git --git-dir="$SRC_PATH" describe --tags --always HEAD 2>/dev/null || echo "$SRC_ID")
	else
		die "$SRC_PATH is not a source tree or git directory of $what (no $marker)"
	fi
}

source_export() {
	if [ -n "$SRC_GITDIR" ]; then
		git --git-dir="$SRC_GITDIR" archive HEAD | tar -x -C "$1"
	else
		cp -a "$SRC_PATH/." "$1/"
	fi
}

# build_guest_program SRC OUT [LIB...]: after arch_setup, compile the
# guest program SRC (a path from the top of the project) static for ARCH
# into OUT, with -O2 -Wall -Werror and the libraries LIB (-luring ...).
build_guest_program() {
	local src=$1 out=$2 lines
	local -a guest_cc_flags
	shift 2
	lines=$(static_flags) || exit
	mapfile -t guest_cc_flags <<<"$lines"
	"${CROSS}gcc" -O2 -Wall -Werror -o "$out" "$TOP/$src" "${guest_cc_flags[@]}" "$@" ||
		die "building $src for $ARCH_NAME failed"
}

# uapi_headers TREE: after arch_setup, the include directory of TREE's
# uapi headers for ARCH, installed once under $CACHE/uapi
# (kernel-suites/build.sh, upstream-mm/build.sh).
uapi_headers() {
	local t=$1 key dir
	key=$( {
		git -C "$t" rev-parse HEAD:include/uapi "HEAD:arch/$SRCARCH/include/uapi"
		echo "$ARCH_NAME"
	} | sha1sum | cut -c1-16)
	dir=$CACHE/uapi/$ARCH_NAME-$key
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		make -s -C "$t" O="$dir/build" ARCH="$KARCH" headers_install \
			INSTALL_HDR_PATH="$dir/usr" >"$dir/headers.log" 2>&1 ||
			die "headers_install in $t failed; see $dir/headers.log"
		rm -rf "$dir/build"
		touch "$dir/.done"
	fi
	echo "$dir/usr/include"
}

# powerpc_selftests TREE OUTDIR LOG [DIR]: after arch_setup ppc64le, TREE's
# tools/testing/selftests/powerpc/DIR programs (DIR: math, the default, or
# another subdirectory such as signal), static, into OUTDIR/powerpc/DIR
# (make's output appended to LOG), and one line "powerpc/DIR/NAME 300
# powerpc/DIR/NAME" each on stdout: the list format of
# kernel-suites/guest-run.sh.
powerpc_selftests() {
	local tree=$1 outdir=$2 buildlog=$3 dir=${4:-math} p
	CFLAGS=-static make -s -C "$tree/tools/testing/selftests/powerpc" USERCFLAGS=-static \
		OUTPUT="$outdir/powerpc" ARCH=powerpc CROSS_COMPILE="${CROSS_COMPILE-$CROSS}" "$dir" \
		>>"$buildlog" 2>&1 ||
		die "building $tree's powerpc/$dir failed; last lines of $buildlog:"$'\n'"$(tail -n 20 "$buildlog")"
	find "$outdir/powerpc" -type f ! -perm -u+x -delete
	for p in "$outdir/powerpc/$dir"/*; do
		echo "powerpc/$dir/${p##*/} 300 powerpc/$dir/${p##*/}"
	done
}

# leave_out LIST: drop the lines of LIST (first field: a program's name)
# that a shell pattern of IPI_FP_SUITES_LEAVE_OUT (space separated) names.
leave_out() {
	local list=$1 name rest keep pat
	[ -n "${IPI_FP_SUITES_LEAVE_OUT:-}" ] || return 0
	while read -r name rest; do
		keep=1
		for pat in $IPI_FP_SUITES_LEAVE_OUT; do
			# shellcheck disable=SC2254 # the pattern is meant to match
			case "$name" in $pat) keep= ;; esac
		done
		if [ -n "$keep" ]; then
			echo "$name $rest"
		else
			log "$name left out (IPI_FP_SUITES_LEAVE_OUT)"
		fi
	done <"$list" >"$list.kept"
	mv "$list.kept" "$list"
}

# guest_setup EXTRA_CMDLINE: after arch_setup, what every way of booting
# the test guest (boot-guest.sh, lava/boot.sh) shares: BOOT_TIMEOUT
# (IPI_FP_BOOT_TIMEOUT, default 300 s), SMP (IPI_FP_CPUS or GUEST_CPUS, plus
# hotplug slots up to IPI_FP_MAXCPUS possible CPUs) and CMDLINE, with each
# test program's limit (IPI_FP_TEST_TIMEOUT, default half the guest's).
guest_setup() {
	BOOT_TIMEOUT=${IPI_FP_BOOT_TIMEOUT:-300}
	SMP=${IPI_FP_CPUS:-$GUEST_CPUS}${IPI_FP_MAXCPUS:+,maxcpus=$IPI_FP_MAXCPUS}
	CMDLINE="console=$CONSOLE rdinit=/init panic=-1 oops=panic IPI_FP_TEST_TIMEOUT=${IPI_FP_TEST_TIMEOUT:-$((BOOT_TIMEOUT / 2))} $1"
}

# guest_jobs HOST_THREADS: how many guests boot at once when each keeps
# HOST_THREADS host threads busy (TCG: one per vCPU; one under the
# instruction-count clock): IPI_FP_JOBS when set, else nproc divided by
# HOST_THREADS, at least 1. The verdicts must not depend on it (the racy
# tests force their windows; cost counts instructions, not time).
guest_jobs() {
	local n=${IPI_FP_JOBS:-$(($(nproc) / $1))}
	[[ "$n" =~ ^[0-9]+$ ]] || die "IPI_FP_JOBS=$n: a number of guests"
	echo $((n < 1 ? 1 : n))
}

# pool_wait JOBS: before starting one more background job, wait until fewer
# than JOBS of this shell's run; pool_wait 1 waits for all of them.
# A job's exit status is its own business (it writes its results).
pool_wait() {
	while [ "$(jobs -rp | wc -l)" -ge "$1" ]; do
		wait -n || true
	done
}

# need_cmd CMD PACKAGE: fail with the package to install if CMD is missing.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found; install it with 'make deps' (Debian package $2)"
}
