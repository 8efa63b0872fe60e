#!/usr/bin/env bash
# Installs everything tsqemu and its tests need on a fresh Debian bookworm machine:
# the oracle (QEMU 7.2, qemu-img), nasm and gcc for the test programs, the npm packages,
# and the build. Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v qemu-system-x86_64 >/dev/null || need_apt+=(qemu-system-x86)
command -v qemu-img >/dev/null || need_apt+=(qemu-utils)
command -v nasm >/dev/null || need_apt+=(nasm)
command -v gcc >/dev/null || need_apt+=(gcc)
# node-gyp builds the KVM addon (native/) with these; without them KVM reports why and TCG still works.
command -v g++ >/dev/null || need_apt+=(g++)
command -v make >/dev/null || need_apt+=(make)
command -v python3 >/dev/null || need_apt+=(python3)
# The pty test of the chardev backends drives `script` (util-linux).
command -v script >/dev/null || need_apt+=(bsdutils)
# The ACPI tests disassemble the DSDTs with iasl.
command -v iasl >/dev/null || need_apt+=(acpica-tools)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ ! -f native/build/Release/tsqemu_native.node ]; then
  npm install --no-audit --no-fund
elif [ -n "$(find native -name '*.cc' -newer native/build/Release/tsqemu_native.node 2>/dev/null)" ]; then
  npm run --silent build:native
fi
npm run --silent build
# The default guest (Debian kernel, busybox initramfs, SeaBIOS) into .cache/guest.
bash scripts/fetch-guest.sh
