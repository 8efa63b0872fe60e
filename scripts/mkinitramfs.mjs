#!/usr/bin/env node
// Builds a gzip'd newc cpio initramfs holding static busybox and an /init script.
// Usage: mkinitramfs.mjs <busybox> <out.cpio.gz>
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [busyboxPath, outPath] = process.argv.slice(2);
if (!busyboxPath || !outPath) {
  console.error('usage: mkinitramfs.mjs <busybox> <out.cpio.gz>');
  process.exit(1);
}

const init = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "tsqemu guest: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s)"
# busybox poweroff/reboot signal PID 1: USR2 = power off, TERM = reboot.
trap 'poweroff -f' USR2
trap 'reboot -f' TERM
setsid cttyhack sh &
wait $!
poweroff -f
`;

const entries = [
  { name: 'bin', mode: 0o40755 },
  { name: 'proc', mode: 0o40755 },
  { name: 'sys', mode: 0o40755 },
  { name: 'dev', mode: 0o40755 },
  { name: 'tmp', mode: 0o41777 },
  { name: 'bin/busybox', mode: 0o100755, data: readFileSync(busyboxPath) },
  { name: 'init', mode: 0o100755, data: Buffer.from(init) },
  { name: 'TRAILER!!!', mode: 0 },
];

const hex = (n) => n.toString(16).padStart(8, '0');
const pad4 = (n) => (4 - (n % 4)) % 4;
const parts = [];
let ino = 1;
for (const e of entries) {
  const data = e.data ?? Buffer.alloc(0);
  const name = Buffer.from(e.name + '\0');
  const header = '070701' + [ino++, e.mode, 0, 0, e.mode & 0o40000 ? 2 : 1, 0, data.length, 0, 0, 0, 0, name.length, 0].map(hex).join('');
  parts.push(Buffer.from(header), name, Buffer.alloc(pad4(110 + name.length)), data, Buffer.alloc(pad4(data.length)));
}
writeFileSync(outPath, gzipSync(Buffer.concat(parts), { level: 9 }));
