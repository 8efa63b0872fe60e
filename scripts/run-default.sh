#!/usr/bin/env bash
# The main job: set up (npm packages, build, Debian's kernel + busybox initramfs into .cache/guest),
# then boot the default guest on the software CPU to a shell on this terminal:
#   Debian's amd64 kernel, a busybox initramfs, -smp 2 -m 512 -nographic.
# Type shell commands; `poweroff` (or leaving the shell) ends the VM, and so does Ctrl-A x.
# Without a terminal on stdin (CI, a pipe) it boots the same guest, runs `uname -a` and
# `cat /proc/cpuinfo | grep 'model name'` in its shell, and powers it off.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
G=.cache/guest
args=(-M pc -smp 2 -m 512 -kernel "$G/bzImage" -initrd "$G/initramfs.cpio.gz" -append console=ttyS0 -nographic)
if [ -t 0 ]; then
  exec ./bin/tsqemu-system-x86_64 "${args[@]}"
else
  exec node scripts/run-guest-batch.mjs "uname -a" "grep 'model name' /proc/cpuinfo" poweroff
fi
