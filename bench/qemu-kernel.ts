/*
 * QEMU 7.2 TCG as a side of the CPU benchmark: wraps the 32-bit kernel in a multiboot ELF (QEMU's
 * -kernel loader starts it in flat 32-bit protected mode, paging off) and times the whole QEMU
 * process.  The kernel reports its result on the debug console (port 0xe9) and leaves through
 * isa-debug-exit, so QEMU exits as soon as the kernel is done.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_ADDR, VARS_ADDR, KERNEL32, TAIL_QEMU, kernelData } from './kernel32.js';

export const QEMU = process.env.BENCH_QEMU ?? 'qemu-system-x86_64';

const MULTIBOOT_MAGIC = 0x1badb002;
const CODE_OFFSET = 0x1000;
const DATA_OFFSET = 0x2000;

/* A 32-bit ELF with two PT_LOAD segments (code, data) and a multiboot header in the first 8 KiB. */
export function multibootElf(passes: number): Buffer {
  const code = Buffer.concat([KERNEL32, TAIL_QEMU]);
  const data = kernelData(passes);
  const f = Buffer.alloc(DATA_OFFSET + data.length);
  f.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0); // ELFCLASS32, little-endian, version 1
  f.writeUInt16LE(2, 16); // ET_EXEC
  f.writeUInt16LE(3, 18); // EM_386
  f.writeUInt32LE(1, 20);
  f.writeUInt32LE(CODE_ADDR, 24); // e_entry
  f.writeUInt32LE(52, 28); // e_phoff
  f.writeUInt16LE(52, 40); // e_ehsize
  f.writeUInt16LE(32, 42); // e_phentsize
  f.writeUInt16LE(2, 44); // e_phnum
  const phdr = (i: number, off: number, addr: number, size: number, flags: number): void => {
    const p = 52 + 32 * i;
    f.writeUInt32LE(1, p); // PT_LOAD
    f.writeUInt32LE(off, p + 4);
    f.writeUInt32LE(addr, p + 8);
    f.writeUInt32LE(addr, p + 12);
    f.writeUInt32LE(size, p + 16);
    f.writeUInt32LE(size, p + 20);
    f.writeUInt32LE(flags, p + 24);
    f.writeUInt32LE(0x1000, p + 28);
  };
  phdr(0, CODE_OFFSET, CODE_ADDR, code.length, 5); // R+X
  phdr(1, DATA_OFFSET, VARS_ADDR, data.length, 6); // R+W
  // Multiboot header, flags 0: QEMU then loads the ELF segments and enters at e_entry.
  f.writeUInt32LE(MULTIBOOT_MAGIC, 0x80);
  f.writeUInt32LE(0, 0x84);
  f.writeUInt32LE((-MULTIBOOT_MAGIC) >>> 0, 0x88);
  f.set(code, CODE_OFFSET);
  f.set(data, DATA_OFFSET);
  return f;
}

export interface QemuRun {
  eax: number;
  edx: number;
  ebp: number;
  /** Wall time of the whole QEMU process, spawn to exit. */
  seconds: number;
  /** User + system time of the QEMU process (all its threads). */
  cpuSeconds: number;
}

/** Runs `passes` passes in `qemu-system-x86_64 -accel tcg -kernel` and times the process. */
export function runKernel32Qemu(passes: number): QemuRun {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-bench-'));
  try {
    const elf = join(dir, 'kernel.elf');
    const con = join(dir, 'debugcon');
    writeFileSync(elf, multibootElf(passes));
    const args = [
      '-accel', 'tcg', '-M', 'pc', '-m', '64', '-nodefaults', '-display', 'none', '-no-reboot',
      '-kernel', elf, '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', `file:${con}`,
    ];
    // bash's `times` gives the child's CPU time, which node's spawn does not; `timeout` bounds a
    // kernel that never exits (its CPU time includes QEMU's, which it waits for).
    const script = 'timeout 300 "$@"; rc=$?; times; exit $rc';
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', script, 'bash', QEMU, ...args], { encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.error) throw r.error;
    // isa-debug-exit with AL = 0 makes QEMU exit with status (0 << 1) | 1.
    if (r.status !== 1) throw new Error(`${QEMU} exited with ${r.status}: ${r.stderr}`);
    const cpuSeconds = childCpuSeconds(r.stdout);
    const out = readFileSync(con);
    if (out.length !== 12) throw new Error(`${QEMU}: the kernel wrote ${out.length} bytes to the debug console, not 12`);
    return { eax: out.readUInt32LE(0), edx: out.readUInt32LE(4), ebp: out.readUInt32LE(8), seconds, cpuSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/* The second line of bash's `times` is the children's "XmY.YYYs XmY.YYYs" (user, system). */
function childCpuSeconds(timesOutput: string): number {
  const line = timesOutput.trim().split('\n').at(-1) ?? '';
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(line.trim());
  if (!m) throw new Error(`cannot parse bash times output: ${JSON.stringify(timesOutput)}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}
