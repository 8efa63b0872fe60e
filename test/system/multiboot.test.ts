/*
 * -kernel with multiboot images on the real binary, against QEMU 7.2 with the same command line:
 * what the kernel finds (the MBI, command lines, modules, the memory map) and the start-up
 * errors for kernel files that cannot be booted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, runBoth, TSQEMU } from '../sysarch/harness.js';

const QEMU = 'qemu-system-x86_64';
const asTsqemu = (s: string): string => s.replaceAll('qemu-system-x86_64:', 'tsqemu-system-x86_64:');

test('a multiboot ELF sees the MBI QEMU 7.2 gives it: magic, memory sizes, cmdline, modules, E820 map, loader name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-mods-'));
  try {
    writeFileSync(join(dir, 'mod1.txt'), 'hello\n');
    writeFileSync(join(dir, 'mod2.bin'), 'world, again\n');
    const { qemu, ours } = await runBoth('loop-mbinfo', [
      '-append', 'console=ttyS0  x=1', '-initrd', `${join(dir, 'mod1.txt')} arg1 arg2,${join(dir, 'mod2.bin')}`,
    ]);
    // The oracle itself: the loader's magic, both modules' data, QEMU's memory map.
    assert.match(qemu.output, /^magic=2badb002\n/);
    assert.match(qemu.output, /mod_data=6c6c6568\n[^]*mod_data=6c726f77\n/);
    assert.match(qemu.output, /e820 0000000000100000 0000000003ee0000 00000001/);
    assert.equal(qemu.status, 3);
    assert.equal(ours.output, qemu.output);
    assert.equal(ours.status, qemu.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Both binaries on one bad -kernel line: QEMU's stderr (with our program name) and exit status. */
function compareStartup(args: string[]): { stderr: string; status: number | null } {
  const base = ['-M', 'pc', '-accel', 'tcg', '-cpu', 'base', '-nodefaults', '-display', 'none', '-m', '64', ...args];
  const q = spawnSync(QEMU, base, { encoding: 'utf8', timeout: 20000 });
  const o = spawnSync(TSQEMU, base, { encoding: 'utf8', timeout: 20000 });
  assert.equal(q.status, 1, `QEMU ${args.join(' ')}: ${q.stderr}`);
  assert.equal(o.stderr, asTsqemu(q.stderr), args.join(' '));
  assert.equal(o.status, q.status, args.join(' '));
  return { stderr: o.stderr, status: o.status };
}

test('kernel files that cannot be booted end start-up with QEMU 7.2\'s messages and status 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-bad-'));
  try {
    const le32 = (...v: number[]): Buffer => Buffer.from(new Uint32Array(v.map((x) => x >>> 0)).buffer);
    const mbHeader = (flags: number, extra: number[] = []): Buffer => le32(0x1badb002, flags, -(0x1badb002 + flags), ...extra);
    // An ELF64 x86-64 executable with a multiboot header, and one without.
    const asm64 = join(dir, 'k64.s');
    writeFileSync(asm64, '.text\n.align 4\n.long 0x1BADB002, 0, -0x1BADB002\n.globl _start\n_start: hlt\n');
    const obj = join(dir, 'k64.o');
    assert.equal(spawnSync('as', ['--64', '-o', obj, asm64]).status, 0);
    assert.equal(spawnSync('ld', ['-Ttext=0x100000', '-e', '_start', '-o', join(dir, 'mb64.elf'), obj]).status, 0);
    writeFileSync(asm64, '.text\n.globl _start\n_start: hlt\n');
    assert.equal(spawnSync('as', ['--64', '-o', obj, asm64]).status, 0);
    assert.equal(spawnSync('ld', ['-Ttext=0x100000', '-e', '_start', '-o', join(dir, 'plain64.elf'), obj]).status, 0);
    let seed = 12345;
    const noise = Buffer.alloc(20000);
    for (let i = 0; i < noise.length; i++) noise[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
    writeFileSync(join(dir, 'noise.bin'), noise);
    writeFileSync(join(dir, 'empty.bin'), Buffer.alloc(0));
    writeFileSync(join(dir, 'mbraw.bin'), Buffer.concat([Buffer.alloc(64, 0x90), mbHeader(0), Buffer.alloc(1000)]));
    writeFileSync(join(dir, 'mbvbe.bin'), Buffer.concat([mbHeader(4), Buffer.alloc(1000)]));
    // a.out kludge: header_addr below load_addr, and load_end_addr below load_addr.
    writeFileSync(join(dir, 'aout1.bin'), Buffer.concat([mbHeader(0x10000, [0x100000, 0x200000, 0, 0, 0x100000]), Buffer.alloc(1000)]));
    writeFileSync(join(dir, 'aout2.bin'), Buffer.concat([mbHeader(0x10000, [0x100000, 0x100000, 0xff000, 0, 0x100000]), Buffer.alloc(1000)]));
    writeFileSync(join(dir, 'aout3.bin'), Buffer.concat([mbHeader(0x10000, [0x100000, 0x100000, 0x100400, 0x100100, 0x100000]), Buffer.alloc(1000)]));
    const elf32 = buildProgram('loop-idle');
    copyFileSync(elf32.elf, join(dir, 'good.elf'));
    rmSync(elf32.dir, { recursive: true, force: true });

    const cases: string[][] = [
      ['-kernel', join(dir, 'missing.elf')],
      ['-kernel', join(dir, 'empty.bin')],
      ['-kernel', join(dir, 'mb64.elf')],
      ['-kernel', join(dir, 'plain64.elf')],
      ['-kernel', join(dir, 'noise.bin')],
      ['-kernel', join(dir, 'mbraw.bin')],
      ['-kernel', join(dir, 'mbvbe.bin')],
      ['-kernel', join(dir, 'aout1.bin')],
      ['-kernel', join(dir, 'aout2.bin')],
      ['-kernel', join(dir, 'aout3.bin')],
      ['-kernel', join(dir, 'good.elf'), '-initrd', `${join(dir, 'good.elf')},${join(dir, 'nomodule.bin')} x`],
    ];
    const seen = new Set<string>();
    for (const c of cases) seen.add(compareStartup(c).stderr);
    assert.equal(seen.size, cases.length, 'every case fails with its own message');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Linux bzImage with bad -initrd or -append ends start-up with QEMU 7.2\'s messages and status 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-linux-'));
  try {
    // A protocol 2.15 header (loaded high, 64-bit capable) with 4 setup sectors.
    const image = Buffer.alloc(16384);
    image[0x1f1] = 4;
    image.write('HdrS', 0x202, 'latin1');
    image.writeUInt16LE(0x20f, 0x206);
    image[0x211] = 0x01;
    image.writeUInt32LE(0x100000, 0x214);
    image.writeUInt32LE(0x7fffffff, 0x22c);
    image.writeUInt16LE(0x7f, 0x236);
    const kernel = join(dir, 'bzImage');
    writeFileSync(kernel, image);
    writeFileSync(join(dir, 'big.img'), Buffer.alloc(64 << 20));
    const cases = [
      ['-kernel', kernel, '-append', 'console=ttyS0 vga=0x3x'],
      ['-kernel', kernel, '-initrd', join(dir, 'missing.img')],
      ['-kernel', kernel, '-initrd', join(dir, 'big.img')],
    ];
    const seen = new Set<string>();
    for (const c of cases) seen.add(compareStartup(c).stderr);
    assert.equal(seen.size, cases.length, 'every case fails with its own message');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
