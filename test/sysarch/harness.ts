/*
 * Bare-metal test programs (issue 5): each test/sysarch/progs/NAME.asm includes lib.inc, is
 * assembled with nasm and linked with ld into a 32-bit multiboot ELF, and runs under QEMU 7.2
 * (-kernel, isa-debug-exit at 0xf4, -debugcon) and under tsqemu.  The debug-console output and
 * the exit status must match.
 *
 * runOnTsqemu() loads the ELF into a bare software-CPU machine (RAM, debugcon, isa-debug-exit)
 * with the state a multiboot loader leaves; it moves to the real `-kernel` path once the machine
 * runs guest code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { IOPortSpace } from '../../src/exec/ioport.js';
import { X86TcgCpu, EXIT_BUDGET, EXIT_EXCEPTION, EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import { R_CS, R_DS, R_ES, R_FS, R_GS, R_SS, R_EAX, R_EBX, IF_MASK } from '../../src/target/i386/tcg/cpu-state.js';
import { x86CpuDoInterrupt } from '../../src/target/i386/tcg/seg-helper.js';

/** test/sysarch in the source tree (the compiled harness runs from dist/test/sysarch). */
export const SYSARCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'sysarch');

export interface RunResult {
  /** The debug console's bytes, as text. */
  output: string;
  /** The process exit status: (code << 1) | 1 after isa-debug-exit. */
  status: number;
}

/** Assembles and links progs/NAME.asm; returns the ELF's path in a fresh temp dir. */
export function buildProgram(name: string): { elf: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `sysarch-${name}-`));
  const obj = join(dir, `${name}.o`), elf = join(dir, `${name}.elf`);
  const asm = spawnSync('nasm', ['-f', 'elf32', '-I', `${SYSARCH_DIR}/`, '-o', obj, join(SYSARCH_DIR, 'progs', `${name}.asm`)], { encoding: 'utf8' });
  if (asm.error || asm.status !== 0) throw new Error(`nasm ${name}: ${asm.error?.message ?? asm.stderr}`);
  const ld = spawnSync('ld', ['-m', 'elf_i386', '-T', join(SYSARCH_DIR, 'link.ld'), '-o', elf, obj], { encoding: 'utf8' });
  if (ld.error || ld.status !== 0) throw new Error(`ld ${name}: ${ld.error?.message ?? ld.stderr}`);
  return { elf, dir };
}

/** QEMU 7.2 TCG runs the program (through SeaBIOS and its multiboot option ROM). */
export function runOnQemu(elf: string, extraArgs: string[] = [], timeoutMs = 30000): Promise<RunResult> {
  const out = `${elf}.qemu.txt`;
  const args = ['-M', 'pc', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-no-reboot', '-m', '64',
    '-kernel', elf, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-debugcon', `file:${out}`, ...extraArgs];
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === null) return reject(new Error(`QEMU timed out on ${elf}: ${stderr}`));
      resolve({ output: readFileSync(out, 'latin1'), status: code });
    });
  });
}

const MB_BOOTLOADER_MAGIC = 0x2badb002;
const RAM_SIZE = 64 << 20;
/** Where the multiboot information structure goes (QEMU puts it in low memory too). */
const MBI_ADDR = 0x9000;

/** Loads the ELF32's PT_LOAD segments into RAM; returns the entry point. */
function loadElf32(as: AddressSpace, image: Uint8Array): number {
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (v.getUint32(0, false) !== 0x7f454c46 || image[4] !== 1) throw new Error('not an ELF32 image');
  const phoff = v.getUint32(28, true), phentsize = v.getUint16(42, true), phnum = v.getUint16(44, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (v.getUint32(ph, true) !== 1) continue;
    const off = v.getUint32(ph + 4, true), paddr = v.getUint32(ph + 12, true);
    const filesz = v.getUint32(ph + 16, true), memsz = v.getUint32(ph + 20, true);
    const seg = new Uint8Array(memsz);
    seg.set(image.subarray(off, off + filesz));
    as.loadBlob(paddr, seg);
  }
  return v.getUint32(24, true);
}

/** Runs the program on our software CPU; gives up after `maxInsns` instructions. */
export function runOnTsqemu(elf: string, maxInsns = 50_000_000): RunResult {
  const alloc = new RamBlockAllocator(RAM_SIZE);
  const as = new AddressSpace(alloc);
  as.addRegion(0, MemoryRegion.ram(alloc, 'ram', RAM_SIZE));
  const io = new IOPortSpace();
  let output = '';
  let status = -1;
  io.register(0xe9, 1, { read: () => 0xe9, write: (_o, _off, v) => void (output += String.fromCharCode(v & 0xff)) }, null);
  io.register(0xf4, 4, { read: () => -1, write: (_o, _off, v) => void (status = status < 0 ? ((v << 1) | 1) & 0xff : status) }, null);
  const cpu = new X86TcgCpu({
    as, io, features: TCG_FEATURES,
    cpuid: (_leaf, _sub, out) => out.fill(0),
    rdtsc: (out) => { out[0] = 0; return 0; },
  });
  const env = cpu.env;
  const entry = loadElf32(as, readFileSync(elf));
  // The multiboot machine state (Multiboot spec 0.6.96 §3.2): flat 32-bit segments, PE on, IF off.
  env.cr0 |= 1;
  env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, 0x00cf9b00);
  for (const s of [R_DS, R_ES, R_FS, R_GS, R_SS]) env.loadSegCache(s, 0x10, 0, 0xffffffff, 0x00cf9300);
  env.eflags = 2;
  env.regs[R_EAX << 1] = MB_BOOTLOADER_MAGIC | 0;
  env.regs[R_EBX << 1] = MBI_ADDR;
  env.rip = entry;
  let executed = 0;
  while (status < 0 && executed < maxInsns) {
    const before = cpu.icount;
    const exit = cpu.run(100_000);
    executed += cpu.icount - before + 1;
    if (exit === EXIT_EXCEPTION) {
      if (!x86CpuDoInterrupt(cpu.c)) {
        status = 0; // triple fault under -no-reboot: QEMU shuts down with status 0
        break;
      }
    } else if (exit === EXIT_HLT && (env.eflags & IF_MASK) === 0) {
      if (status < 0) throw new Error(`the program halted with interrupts off at ${env.rip.toString(16)} without exiting`);
    } else if (exit !== EXIT_BUDGET && exit !== EXIT_HLT) {
      throw new Error(`unexpected exit ${exit}`);
    }
  }
  if (status < 0) throw new Error(`the program did not exit within ${maxInsns} instructions (rip ${env.rip.toString(16)})`);
  return { output, status };
}

/** Builds, runs on both, and returns both results (the caller compares them). */
export async function runBoth(name: string, qemuArgs: string[] = []): Promise<{ qemu: RunResult; ours: RunResult }> {
  const { elf, dir } = buildProgram(name);
  try {
    const qemu = await runOnQemu(elf, qemuArgs);
    const ours = runOnTsqemu(elf);
    return { qemu, ours };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
