#!/usr/bin/env bash
# Fetches the default guest from Debian's packages into .cache/guest (ignored by git):
#   bzImage (linux-image-amd64), busybox (busybox-static), bios-256k.bin (seabios),
# and builds initramfs.cpio.gz: busybox with an /init that gives a shell on the console.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/guest
if [ -f "$out/bzImage" ] && [ -f "$out/initramfs.cpio.gz" ] && [ -f "$out/bios-256k.bin" ]; then
  exit 0
fi
mkdir -p "$out/debs" "$out/root"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
if [ -z "$kpkg" ]; then
  $SUDO apt-get update -qq
  kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
fi
[ -n "$kpkg" ] || { echo "fetch-guest: cannot resolve the linux-image-amd64 package" >&2; exit 1; }
(cd "$out/debs" && apt-get download -q "$kpkg" busybox-static seabios >/dev/null)
for d in "$out"/debs/*.deb; do dpkg-deb -x "$d" "$out/root"; done
cp "$(ls "$out"/root/boot/vmlinuz-* | head -n1)" "$out/bzImage"
cp "$out/root/bin/busybox" "$out/busybox"
cp "$out/root/usr/share/seabios/bios-256k.bin" "$out/bios-256k.bin"
node scripts/mkinitramfs.mjs "$out/busybox" "$out/initramfs.cpio.gz"
rm -rf "$out/root" "$out/debs"
echo "fetch-guest: $kpkg, busybox-static and seabios in $out"
