#!/usr/bin/env bash
# lava/boot.sh ARCH KERNEL INITRD LOG [EXTRA_CMDLINE]: boot-guest.sh's job,
# done by LAVA's own dispatcher: write the LAVA job of the guest
# (scripts/lava/job.py) next to LOG as NAME.lava.yaml, render the device
# dictionary from scripts/lava/device-ARCH.jinja2 and lava-server's device-type
# templates, run the job with lava-run (no server), and write the guest's
# console, as LAVA recorded it, to LOG for scripts/parse-results.py
# (scripts/lava/log-console.py; a job that went wrong gets an IPI_FP_HOST_ERROR
# line, which makes every case ERROR). The job's own record stays in
# NAME.lava.log (lava-run's log, one JSON record per line). vCPUs,
# timeouts and kernel arguments as for boot-guest.sh (guest_setup in
# lib.sh). IPI_FP_LAVA_BASE_URL (default file://, the files where
# they are) is where the job says the kernel and initramfs are served;
# with another URL they are copied, named after the cell, to
# lava-artifacts/ beside LOG's directory, for the lab to serve.
# IPI_FP_LAVA_JOBS_ONLY=1 writes the job and device files and stops there.
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../lib.sh"

usage="usage: lava/boot.sh ARCH KERNEL INITRD LOG [EXTRA_CMDLINE]"
arch_setup "${1:?$usage}"
kernel=$(realpath "${2:?$usage}")
initrd=$(realpath "${3:?$usage}")
logf=${4:?$usage}
guest_setup "${5:-}"
command -v lava-run >/dev/null 2>&1 ||
	die "lava-run not found; install it with 'scripts/install-deps.sh lava' (Debian package lava-dispatcher)"
need_cmd "$QEMU" "qemu-system-$( [ "$KARCH" = powerpc ] && echo ppc || echo x86)"
[ -f "$kernel" ] || die "kernel image $kernel not found"
[ -f "$initrd" ] || die "initramfs $initrd not found"

# lava-server's device-type templates, unpacked from its package (not
# installed: the server is not needed to run a job).
templates=$CACHE/lava-server/usr/share/lava-server/device-types
if [ ! -f "$templates/qemu.jinja2" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q lava-server >/dev/null 2>&1) ||
		die "apt-get download lava-server failed (its device-type templates render the device dictionary)"
	dpkg-deb -x "$tmp"/lava-server_*.deb "$CACHE/lava-server"
	rm -rf "$tmp"
	[ -f "$templates/qemu.jinja2" ] || die "lava-server's package has no qemu.jinja2"
fi

lava_arch=$ARCH_NAME
[ "$ARCH_NAME" != ppc64le ] || lava_arch=ppc64
base=${logf%.log}
name=$(basename "$base")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$TOP/scripts/lava" "$templates" "$ARCH_NAME" "$SMP" >"$base.lava-device.yaml" <<'PY' ||
import sys
import jinja2
own, templates, arch, smp = sys.argv[1:]
env = jinja2.Environment(loader=jinja2.FileSystemLoader([own, templates]),
                         trim_blocks=True, autoescape=False)
print(env.get_template(f'device-{arch}.jinja2').render(smp=smp))
PY
	die "rendering scripts/lava/device-$ARCH_NAME.jinja2 failed"

url=${IPI_FP_LAVA_BASE_URL:-file://}
if [ "$url" = file:// ]; then
	kurl=file://$kernel iurl=file://$initrd
else
	art=$(dirname "$(dirname "$logf")")/lava-artifacts
	mkdir -p "$art"
	cp "$kernel" "$art/$name.kernel"
	cp "$initrd" "$art/$name.initrd.cpio.gz"
	kurl=${url%/}/$name.kernel iurl=${url%/}/$name.initrd.cpio.gz
fi
"$TOP/scripts/lava/job.py" --name "$name" --arch "$lava_arch" --kernel "$kurl" --initrd "$iurl" \
	--cmdline "$CMDLINE" --minutes $(((BOOT_TIMEOUT + 59) / 60)) >"$base.lava.yaml"

if [ -n "${IPI_FP_LAVA_JOBS_ONLY:-}" ]; then
	log "$name: LAVA job $base.lava.yaml, device $base.lava-device.yaml"
	exit 0
fi
rc=0
timeout --foreground -k 10 $((BOOT_TIMEOUT + 120)) lava-run --job-id "$$" \
	--output-dir "$work/out" --device "$base.lava-device.yaml" \
	"$base.lava.yaml" >"$base.lava.log" 2>&1 || rc=$?
"$TOP/scripts/lava/log-console.py" "$base.lava.log" "$rc" >"$logf"
log "$name: LAVA job $base.lava.yaml, its log $base.lava.log"
exit 0
