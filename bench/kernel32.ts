/*
 * The CPU-bound benchmark kernel in a 32-bit variant that all three sides can run as the same
 * bytes: our software CPU (32-bit protected mode, flat segments), QEMU 7.2 TCG (a multiboot ELF,
 * bench/qemu-kernel.ts) and the host CPU (compatibility mode, bench/native.ts).  It is the kernel
 * of bench/cpu-mips.ts with r8/r9 replaced by edi/ebp, the checksum kept in memory across the sort,
 * and an outer loop over a pass count in memory, so that a run's length is a parameter.
 *
 * Memory (physical = linear, identical on every side): code at 0x100000, variables at 0x108000
 * ([+0] passes left, [+4]/[+8] checksum), checksum input at 0x110000 (16 KiB of (i*37)&0xff),
 * sort array at 0x118000 (256 dwords).  Data live on other pages than the code, so that stores do
 * not invalidate our CPU's decoded code.  At the end EAX/EDX hold the checksum and EBP the last
 * LCG state; each side appends its own exit (TAIL_*).
 *
 * The nasm source is bench/kernel32.asm.
 */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../src/exec/memory.js';
import { IOPortSpace } from '../src/exec/ioport.js';
import { X86TcgCpu, EXIT_HLT } from '../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../src/target/i386/tcg/tcg-features.js';
import { CR4_OSFXSR } from '../src/target/i386/tcg/fpu-helper.js';
import {
  R_CS, R_SS, R_DS, R_ES, R_EAX, R_EDX, R_EBP, CR0_PE_MASK, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK, DESC_W_MASK,
  DESC_B_MASK,
} from '../src/target/i386/tcg/cpu-state.js';

export const CODE_ADDR = 0x100000;
export const VARS_ADDR = 0x108000;
export const CSUM_ADDR = 0x110000;
export const CSUM_BYTES = 0x4000;
export const SORT_ADDR = 0x118000;
export const SORT_BYTES = 1024;
/** End of the data image that starts at VARS_ADDR. */
export const DATA_END = SORT_ADDR + SORT_BYTES;

export const KERNEL32 = Buffer.from(
  '832d00801000010f828c000000bf28000000be00001100b90010000031c031d28b1e01d801c2c1c20331d083c6044975ef4f75de' +
  'a304801000891508801000bf1e000000bd01000000be00801100b90001000089e869c06d4ec641053930000089448efc4975ee89' +
  'c5b9010000008b048e89ca85d2740e8b5c96fc39c37606891c964aebee8904964181f90001000072dd4f75b5e967ffffffa10480' +
  '10008b1508801000', 'hex');

/** Our CPU's exit: hlt. */
export const TAIL_TCG = Buffer.from('f4', 'hex');

/*
 * QEMU's exit: EAX, EDX, EBP to the debug console (port 0xe9), 4 little-endian bytes each, then
 * `out 0xf4, al` with AL = 0 to isa-debug-exit (QEMU exits with status 1).
 *   mov esi,eax; mov edi,edx; then for r in esi, edi, ebp:
 *   mov ebx,r; mov ecx,4; l: mov eax,ebx; out 0xe9,al; shr ebx,8; dec ecx; jnz l
 *   xor eax,eax; out 0xf4,al; hlt
 */
export const TAIL_QEMU = Buffer.from(
  '89c689d789f3b90400000089d8e6e9c1eb084975f689fbb90400000089d8e6e9c1eb084975f689ebb90400000089d8e6e9c1eb08' +
  '4975f631c0e6f4f4', 'hex');

/** The data image from VARS_ADDR to DATA_END: pass count, zeroed results, checksum input. */
export function kernelData(passes: number): Uint8Array {
  const d = new Uint8Array(DATA_END - VARS_ADDR);
  new DataView(d.buffer).setUint32(0, passes >>> 0, true);
  for (let i = 0; i < CSUM_BYTES; i++) d[CSUM_ADDR - VARS_ADDR + i] = (i * 37) & 0xff;
  return d;
}

/** What a run computes: the checksum pair, the LCG state and the sorted array. */
export interface KernelResult {
  eax: number;
  edx: number;
  ebp: number;
  sorted: Uint8Array;
}

export interface TcgRun extends KernelResult {
  instructions: number;
  seconds: number;
  cpuSeconds: number;
}

/** Our CPU set up as every side runs the 32-bit kernels: flat 32-bit protected mode, 2 MiB of RAM. */
export class Tcg32 {
  readonly alloc = new RamBlockAllocator(2 << 20);
  readonly as = new AddressSpace(this.alloc);
  readonly cpu: X86TcgCpu;

  constructor(code: Uint8Array) {
    this.as.addRegion(0, MemoryRegion.ram(this.alloc, 'ram', 2 << 20));
    this.cpu = new X86TcgCpu({
      as: this.as, io: new IOPortSpace(), features: TCG_FEATURES,
      cpuid: (_l, _s, out) => out.fill(0),
      rdtsc: (out) => { out[0] = 0; return 0; },
    });
    this.as.loadBlob(CODE_ADDR, Uint8Array.from(Buffer.concat([code, TAIL_TCG])));
    const env = this.cpu.env;
    env.cr0 = CR0_PE_MASK;
    /* SSE enabled (CR4.OSFXSR, CR0.EM clear), as Linux runs the native side. */
    env.cr4 = CR4_OSFXSR;
    env.efer = 0;
    const data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK;
    for (const s of [R_SS, R_DS, R_ES]) env.loadSegCache(s, 0x10, 0, 0xffffffff, data);
    env.loadSegCache(R_CS, 0x8, 0, 0xffffffff, DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_B_MASK | 0x200);
  }

  /** Loads `data` at VARS_ADDR and runs from the start to the final HLT. */
  run(data: Uint8Array): void {
    const env = this.cpu.env;
    this.as.loadBlob(VARS_ADDR, data);
    env.rip = CODE_ADDR;
    env.halted = false;
    let exit: number;
    do exit = this.cpu.run(1_000_000); while (exit !== EXIT_HLT);
  }

  result(): KernelResult {
    const env = this.cpu.env;
    return {
      eax: env.regs[2 * R_EAX] >>> 0,
      edx: env.regs[2 * R_EDX] >>> 0,
      ebp: env.regs[2 * R_EBP] >>> 0,
      sorted: this.alloc.u8.slice(SORT_ADDR, SORT_ADDR + SORT_BYTES),
    };
  }
}

/**
 * Runs 32-bit `code` with the data image `data(n)` in our CPU: `warmup` untimed passes (decode,
 * JIT), then `passes` timed ones; instructions as our CPU counts them (a REP chunk is one).
 */
export function runTcg32(code: Uint8Array, data: (passes: number) => Uint8Array, passes: number, warmup = 1): TcgRun {
  const t = new Tcg32(code);
  if (warmup > 0) t.run(data(warmup));
  const before = t.cpu.icount;
  const image = data(passes);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  t.run(image);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = process.cpuUsage(c0);
  return { instructions: t.cpu.icount - before, seconds, cpuSeconds: (c1.user + c1.system) / 1e6, ...t.result() };
}

/**
 * Runs the 32-bit kernel for `passes` passes in our CPU after `warmup` untimed passes (decode,
 * JIT), counting the instructions of the timed run exactly (including the final hlt).
 */
export function runKernel32Tcg(passes: number, warmup = 1): TcgRun {
  return runTcg32(KERNEL32, kernelData, passes, warmup);
}

/** Guest instructions of a run of `passes` passes: fixed + perPass * passes (exact, from our CPU). */
export interface InsnCount {
  fixed: number;
  perPass: number;
}

export function countKernel32(): InsnCount {
  const one = runKernel32Tcg(1, 0).instructions;
  const two = runKernel32Tcg(2, 0).instructions;
  return { fixed: 2 * one - two, perPass: two - one };
}
