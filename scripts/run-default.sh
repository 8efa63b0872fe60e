#!/usr/bin/env bash
# The main job: set up, then run the default guest.
#
# Until the software CPU can run a guest, the default guest is the seed's machine
# (../shared/seed/qemu-vcpu-creation.md) without the parts whose backends later
# issues build (-drive, -device, -netdev, -vnc): it starts paused (-S), with the
# HMP monitor on this terminal, and prints its vCPUs. Type HMP commands
# (`info cpus`, `info qtree`, `info status`, `help`), and `quit` to end it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
log=$(mktemp -d)/console.log
args=(
  -enable-kvm -name instance-00000024
  -machine pc-i440fx-trusty,accel=kvm:tcg,usb=off
  -cpu SandyBridge,+erms,+smep,+fsgsbase,+pdpe1gb,+rdrand,+f16c,+osxsave,+dca,+pcid,+pdcm,+xtpr,+tm2,+est,+smx,+vmx,+ds_cpl,+monitor,+dtes64,+pbe,+tm,+ht,+ss,+acpi,+ds,+vme
  -m 2048 -smp 1,sockets=1,cores=1,threads=1
  -rtc base=utc,driftfix=slew
  -chardev "file,id=charserial0,path=$log"
  -S -display none -monitor stdio
)
if [ -t 0 ]; then
  { echo 'info cpus'; cat; } | ./bin/tsqemu-system-x86_64 "${args[@]}"
else
  printf 'info cpus\ninfo status\nquit\n' | ./bin/tsqemu-system-x86_64 "${args[@]}"
fi
