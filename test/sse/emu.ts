/*
 * The SSE differential test's wire format (test/sse/harness.c's struct tc_in / tc_out) and the
 * runner that executes a case on our software CPU in the same layout: 64-bit user code at
 * CODE_ADDR, a data window at DATA_ADDR, Linux's CR0/CR4 (OSFXSR, OSXMMEXCPT) and the state
 * loaded from the same FXSAVE image the host gets.
 */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { IOPortSpace } from '../../src/exec/ioport.js';
import { X86TcgCpu, EXIT_EXCEPTION } from '../../src/target/i386/tcg/cpu-exec.js';
import {
  R_CS, R_SS, R_DS, R_ES, R_FS, R_GS, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, DESC_P_MASK, DESC_S_MASK,
  DESC_CS_MASK, DESC_W_MASK, DESC_B_MASK, DESC_L_MASK, DESC_G_MASK, IF_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';
import { cpuComputeEflags, cpuLoadEflags } from '../../src/target/i386/tcg/flags.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';

export const DATA_ADDR = 0x100000, DATA_SIZE = 0x1000, CODE_ADDR = 0x200000;
export const MAX_CODE = 32, MAX_DIFFS = 64;
export const IN_SIZE = 728, OUT_SIZE = 920;
/* FXSAVE image offsets */
export const FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_MXCSR = 24, FX_ST = 32, FX_XMM = 160;

export interface SseCase {
  form: string;
  mode: 32 | 64;
  code: Uint8Array;
  /** ModRM.reg with REX.R (the destination of most forms). */
  reg: number;
  seed: number;
  memoff: number;
  memop: Uint8Array; // 32 bytes at DATA_ADDR + memoff
  regs: bigint[];
  flags: bigint;
  fx: Uint8Array; // 512-byte FXSAVE image
}

export interface SseResult {
  signo: number;
  rip: bigint;
  regs: bigint[];
  flags: bigint;
  fx: Uint8Array;
  diffs: number[];
}

export function encodeCase(tc: SseCase, buf: Buffer, off: number): void {
  buf.writeUInt32LE(tc.code.length, off);
  buf.fill(0, off + 4, off + 4 + MAX_CODE);
  Buffer.from(tc.code).copy(buf, off + 4);
  buf.writeUInt32LE(tc.seed >>> 0, off + 36);
  buf.writeUInt32LE(tc.memoff, off + 40);
  Buffer.from(tc.memop).copy(buf, off + 44);
  buf.writeUInt32LE(tc.mode, off + 76);
  for (let i = 0; i < 16; i++) buf.writeBigUInt64LE(BigInt.asUintN(64, tc.regs[i]), off + 80 + 8 * i);
  buf.writeBigUInt64LE(tc.flags, off + 208);
  Buffer.from(tc.fx).copy(buf, off + 216);
}

export function decodeResult(buf: Buffer, off: number): SseResult {
  const signo = buf.readUInt32LE(off);
  const ndiff = buf.readUInt32LE(off + 4);
  const rip = buf.readBigUInt64LE(off + 8);
  const regs: bigint[] = [];
  for (let i = 0; i < 16; i++) regs.push(buf.readBigUInt64LE(off + 16 + 8 * i));
  const flags = buf.readBigUInt64LE(off + 144);
  const fx = new Uint8Array(buf.subarray(off + 152, off + 664));
  const diffs: number[] = [];
  for (let i = 0; i < ndiff; i++) diffs.push(buf.readUInt32LE(off + 664 + 4 * i));
  return { signo, rip, regs, flags, fx, diffs };
}

/** The data window fill both sides use (harness.c fill()). */
export function fillBytes(seed: number, out: Uint8Array): void {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
}

/** Signal the host raises for each exception vector (Linux x86 traps.c). */
export function vectorToSignal(v: number): number {
  switch (v) {
    case 6: return 4; // #UD -> SIGILL
    case 16: case 19: case 0: return 8; // #MF, #XM, #DE -> SIGFPE
    case 17: case 12: return 7;
    default: return 11; // #GP, #PF -> SIGSEGV
  }
}

const GDT_ADDR = 0x380000;
/**
 * PML4 -> PDPT -> PD: the 4 MiB of RAM identity-mapped for user code, the first 2 MiB through
 * a page table that leaves out the page after the data window (unmapped on the host too).
 */
const PML4_ADDR = 0x390000;
const PAGE_TABLE = new Uint8Array(4096);
{
  const dv = new DataView(PAGE_TABLE.buffer);
  for (let i = 0; i < 512; i++) if (i !== (DATA_ADDR + DATA_SIZE) >>> 12) dv.setUint32(8 * i, (i << 12) | 7, true);
}
const CODE64 = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | DESC_L_MASK | DESC_G_MASK | (3 << 13) | 0x100;
const CODE32 = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | DESC_B_MASK | DESC_G_MASK | (3 << 13) | 0x100;
const DATA32 = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK | DESC_G_MASK | (3 << 13) | 0x100;
/* Linux: CR0.MP|ET|NE, CR4.PAE|OSFXSR|OSXMMEXCPT */
const CR0 = CR0_PE_MASK | CR0_PG_MASK | 0x2 | 0x10 | 0x20;
const CR4 = 0x20 | 0x200 | 0x400;

export class EmuRunner {
  readonly cpu: X86TcgCpu;
  readonly as: AddressSpace;
  private readonly init = new Uint8Array(DATA_SIZE);

  constructor() {
    const alloc = new RamBlockAllocator(4 << 20);
    this.as = new AddressSpace(alloc);
    this.as.addRegion(0, MemoryRegion.ram(alloc, 'pc.ram', 4 << 20));
    this.cpu = new X86TcgCpu({
      as: this.as, io: new IOPortSpace(), features: TCG_FEATURES,
      cpuid: (_l, _s, out) => out.fill(0), rdtsc: (out) => { out[0] = 0; return 0; },
    });
  }

  run(tc: SseCase): SseResult {
    const cpu = this.cpu, env = cpu.env, as = this.as;
    fillBytes(tc.seed, this.init);
    this.init.set(tc.memop, tc.memoff);
    as.loadBlob(DATA_ADDR, this.init);
    const code = new Uint8Array(tc.code.length + 16).fill(0xcc);
    code.set(tc.code);
    code[tc.code.length] = 0xf4; // HLT: #GP at CPL 3 marks the end
    as.loadBlob(CODE_ADDR, code);
    env.gdtBase = GDT_ADDR;
    as.loadBlob(PML4_ADDR, Uint8Array.of(0x07, 0x10, 0x39));
    as.loadBlob(PML4_ADDR + 0x1000, Uint8Array.of(0x07, 0x20, 0x39));
    as.loadBlob(PML4_ADDR + 0x2000, Uint8Array.of(0x07, 0x30, 0x39, 0, 0, 0, 0, 0, 0x87, 0, 0x20));
    as.loadBlob(PML4_ADDR + 0x3000, PAGE_TABLE);
    cpu.mmu.tlbFlush();
    env.cr3 = PML4_ADDR;
    env.cr0 = CR0;
    env.cr4 = CR4;
    env.efer = EFER_LME | EFER_LMA;
    env.loadSegCache(R_SS, 0x2b, 0, 0xffffffff, DATA32);
    for (const s of [R_DS, R_ES]) env.loadSegCache(s, 0x2b, 0, 0xffffffff, DATA32);
    for (const s of [R_FS, R_GS]) env.loadSegCache(s, 0, 0, 0, 0);
    if (tc.mode === 64) env.loadSegCache(R_CS, 0x33, 0, 0xffffffff, CODE64);
    else env.loadSegCache(R_CS, 0x23, 0, 0xffffffff, CODE32);
    for (let r = 0; r < 16; r++) env.setReg64(r, BigInt.asUintN(64, tc.regs[r]));
    env.eflags = 0x2;
    cpuLoadEflags(env, Number(tc.flags) | IF_MASK, 0x3f7fd5);
    loadFx(env, tc.fx);
    env.rip = CODE_ADDR;
    const stubAddr = CODE_ADDR + tc.code.length;
    let signo = 0;
    let rip = 0n;
    const exit = cpu.run(100);
    if (exit === EXIT_EXCEPTION && !(env.exception_index === 13 && env.rip === stubAddr)) {
      signo = vectorToSignal(env.exception_index);
      rip = BigInt(env.rip);
    } else if (exit !== EXIT_EXCEPTION) {
      throw new Error(`${tc.form}: did not reach the exit stub (exit ${exit}, rip 0x${env.rip.toString(16)})`);
    }
    const regs: bigint[] = [];
    for (let r = 0; r < 16; r++) regs.push(env.getReg64(r));
    const flags = BigInt(cpuComputeEflags(env));
    const diffs: number[] = [];
    const u8 = as.alloc.u8;
    for (let i = 0; i < DATA_SIZE && diffs.length < MAX_DIFFS; i++) {
      if (u8[DATA_ADDR + i] !== this.init[i]) diffs.push(((i << 8) | u8[DATA_ADDR + i]) >>> 0);
    }
    return { signo, rip, regs, flags, fx: saveFx(env), diffs };
  }
}

type Env = X86TcgCpu['env'];

/** FXRSTOR of the fields the test sets: FCW, FSW (TOP), abridged FTW, MXCSR, ST0-7, XMM0-15. */
function loadFx(env: Env, fx: Uint8Array): void {
  const dv = new DataView(fx.buffer, fx.byteOffset, 512);
  env.fpuc = dv.getUint16(FX_FCW, true);
  const fsw = dv.getUint16(FX_FSW, true);
  env.fpstt = (fsw >> 11) & 7;
  env.fpus = fsw & ~0x3800;
  const ftw = fx[FX_FTW];
  for (let i = 0; i < 8; i++) {
    const phys = (env.fpstt + i) & 7;
    env.fpregs[4 * phys] = dv.getInt32(FX_ST + 16 * i, true);
    env.fpregs[4 * phys + 1] = dv.getInt32(FX_ST + 16 * i + 4, true);
    env.fpregs[4 * phys + 2] = dv.getUint16(FX_ST + 16 * i + 8, true);
  }
  for (let p = 0; p < 8; p++) env.fptags[p] = (ftw >> p) & 1 ? 0 : 1;
  env.mxcsr = dv.getInt32(FX_MXCSR, true);
  for (let i = 0; i < 64; i++) env.xmm[i] = dv.getInt32(FX_XMM + 4 * i, true);
}

function saveFx(env: Env): Uint8Array {
  const fx = new Uint8Array(512);
  const dv = new DataView(fx.buffer);
  dv.setUint16(FX_FCW, env.fpuc, true);
  // FSW.B mirrors ES on the hardware (the x87's presentation, not SSE behaviour).
  const fsw = (env.fpus & ~0x3800) | (env.fpstt << 11);
  dv.setUint16(FX_FSW, fsw & 0x80 ? fsw | 0x8000 : fsw, true);
  let ftw = 0;
  for (let p = 0; p < 8; p++) if (env.fptags[p] === 0) ftw |= 1 << p;
  fx[FX_FTW] = ftw;
  dv.setInt32(FX_MXCSR, env.mxcsr, true);
  for (let i = 0; i < 8; i++) {
    const phys = (env.fpstt + i) & 7;
    dv.setInt32(FX_ST + 16 * i, env.fpregs[4 * phys], true);
    dv.setInt32(FX_ST + 16 * i + 4, env.fpregs[4 * phys + 1], true);
    dv.setUint16(FX_ST + 16 * i + 8, env.fpregs[4 * phys + 2], true);
  }
  for (let i = 0; i < 64; i++) dv.setInt32(FX_XMM + 4 * i, env.xmm[i], true);
  return fx;
}
