#!/usr/bin/env bash
# submit/make-selftest-patch.sh [OUTDIR]: generate the selftest patch from
# selftests/ipi_fp (sources) and selftests/ipi_fp.commit-msg (message) into
# OUTDIR (default patches/selftests-ipi_fp/). The patch is made in a scratch
# repository holding only the base's tools/testing/selftests/Makefile, so
# it is what 'git format-patch' gives in a full tree, less the From, Date
# and Signed-off-by that only the sender can give (scripts/submit/send-prep.sh
# adds them).
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

out=${1:-$TOP/patches/selftests-ipi_fp}
base=$("$TOP/scripts/get-base.sh" 6.1.192)
mk=tools/testing/selftests/Makefile
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

export GIT_AUTHOR_DATE='2026-11-22T00:00:00Z' GIT_COMMITTER_DATE='2026-11-22T00:00:00Z'
g() { git -C "$scratch" -c user.name=ipi_fp -c user.email=ipi_fp@localhost "$@"; }
g init -q
mkdir -p "$scratch/$(dirname "$mk")"
git --git-dir="$CACHE/linux.git" show "$base:$mk" >"$scratch/$mk"
g add "$mk"
g commit -q -m base
cp -r "$TOP/selftests/ipi_fp" "$scratch/tools/testing/selftests/ipi_fp"
grep -q '^TARGETS += ipi_fp$' "$scratch/$mk" ||
	sed -i 's/^TARGETS += ipc$/&\nTARGETS += ipi_fp/' "$scratch/$mk"
grep -q '^TARGETS += ipi_fp$' "$scratch/$mk" || die "could not add ipi_fp to $mk"
g add -A
g commit -q -F "$TOP/selftests/ipi_fp.commit-msg"
mkdir -p "$out"
name=$(g format-patch --zero-commit --no-signature --filename-max-length=100 \
	--start-number 1 -o "$scratch/out" -1 HEAD)
strip_identity <"$name" >"$out/$(basename "$name")"
