/*
 * Random instruction generator for the differential test.  Each form knows its encoding and
 * which flags the SDM leaves undefined for the instance it generated; operands mix boundary
 * values with random ones.  Memory operands always point into the test's data/stack regions.
 */
import { CODE_ADDR, DATA_ADDR, STACK_ADDR, type TestCase } from './protocol.js';

export const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800, ID = 0x200000;
export const ARITH = CF | PF | AF | ZF | SF | OF;
export const FLAGS_COMPARED = ARITH | DF | ID;

export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  int(n: number): number { return this.u32() % n; }
  bool(): boolean { return (this.u32() & 1) === 1; }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
}

const BOUNDARY = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7fffffffn,
  0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn,
  0xfffffffffffffffen, 0xffffffff80000000n, 0x0000000080000001n];

export function randVal(r: Rng): bigint {
  switch (r.int(5)) {
    case 0: return r.pick(BOUNDARY);
    case 1: return BigInt(r.int(64));
    case 2: return BigInt.asUintN(64, -BigInt(r.int(64) + 1));
    default: return (BigInt(r.u32()) << 32n) | BigInt(r.u32());
  }
}

export interface MemOperand { mod: number; rm: number; sib: number[]; disp: number[]; rexX: number; rexB: number }

/** Builds one instruction instance. */
export class Gen {
  readonly r: Rng;
  readonly mode: 32 | 64;
  readonly regs: bigint[] = [];
  bytes: number[] = [];
  flagMask = FLAGS_COMPARED;
  /** Registers whose result is not compared (bit r): e.g. CPUID/RDTSC outputs. */
  regMask = 0;
  flags: bigint;
  nregs: number;

  constructor(r: Rng, mode: 32 | 64) {
    this.r = r;
    this.mode = mode;
    this.nregs = mode === 64 ? 16 : 8;
    for (let i = 0; i < 16; i++) this.regs.push(i < this.nregs ? randVal(r) : 0n);
    this.regs[4] = BigInt(STACK_ADDR + 0x800);
    this.flags = BigInt(0x202 | (r.u32() & (ARITH | DF)));
  }

  /** A pointer into the middle of the data region. */
  dataPtr(): bigint {
    return BigInt(DATA_ADDR + 0x800 + this.r.int(0x800));
  }

  /** Picks a memory operand; sets the base/index registers it uses. */
  mem(): MemOperand {
    const r = this.r;
    const lm = this.mode === 64;
    const kind = r.int(lm ? 6 : 5);
    const d8 = (): number[] => [r.int(256)];
    const d32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
    const bases = lm ? [3, 6, 7, 5, 11, 13, 0, 1] : [3, 6, 7, 5, 0, 1];
    const base = r.pick(bases);
    switch (kind) {
      case 0: { // [base]  (rbp/r13 need a displacement, rsp/r12 need a SIB)
        const b = base === 5 || base === 13 ? 3 : base;
        this.regs[b] = this.dataPtr();
        return { mod: 0, rm: b & 7, sib: [], disp: [], rexX: 0, rexB: b >> 3 };
      }
      case 1: { // [base + disp8]
        this.regs[base] = this.dataPtr();
        return { mod: 1, rm: base & 7, sib: [], disp: d8(), rexX: 0, rexB: base >> 3 };
      }
      case 2: { // [base + disp32]
        this.regs[base] = this.dataPtr();
        return { mod: 2, rm: base & 7, sib: [], disp: d32(r.int(0x800) - 0x400), rexX: 0, rexB: base >> 3 };
      }
      case 3: { // [base + index*scale + disp8] (SIB)
        const index = lm ? r.pick([2, 9, 0]) : r.pick([2, 0]);
        const b = index === base ? 3 : base;
        const scale = r.int(4);
        this.regs[b] = this.dataPtr();
        this.regs[index] = BigInt.asUintN(64, BigInt(r.int(64) - 32));
        return { mod: 1, rm: 4, sib: [(scale << 6) | ((index & 7) << 3) | (b & 7)], disp: d8(), rexX: index >> 3, rexB: b >> 3 };
      }
      case 4: { // [rsp + disp8] via SIB, or [disp32] absolute through SIB (no base, no index)
        if (r.bool()) return { mod: 1, rm: 4, sib: [0x24], disp: [r.int(128)], rexX: 0, rexB: 0 };
        return { mod: 0, rm: 4, sib: [0x25], disp: d32(DATA_ADDR + 0x400 + r.int(0x1000)), rexX: 0, rexB: 0 };
      }
      default: // [rip + disp32]: fixed up once the instruction length is known
        return { mod: 0, rm: 5, sib: [], disp: [-1, -1, -1, -1], rexX: 0, rexB: 0 };
    }
  }

  /**
   * Emits [legacy prefixes] [66] [mandatory] [REX] opcode modrm sib disp imm.
   * `size` 1 = byte operation (no 66/REX.W); rm = a register number or a memory operand.
   */
  emit(o: { pfx?: number[]; size: number; op: number[]; reg?: number; rm?: number | MemOperand; imm?: number[]; mand?: number; forceRex?: boolean; noModrm?: boolean; rexB?: number }): void {
    const lm = this.mode === 64;
    const b: number[] = [...(o.pfx ?? [])];
    if (o.size === 2) b.push(0x66);
    if (o.mand !== undefined) b.push(o.mand);
    const reg = o.reg ?? 0;
    let rex = 0;
    if (o.size === 8) rex |= 8;
    if (reg >= 8) rex |= 4;
    let modrm: number[] = [];
    let rip = false;
    if (!o.noModrm) {
      if (typeof o.rm === 'number') {
        if (o.rm >= 8) rex |= 1;
        modrm = [0xc0 | ((reg & 7) << 3) | (o.rm & 7)];
      } else if (o.rm) {
        const m = o.rm;
        rex |= (m.rexX << 1) | m.rexB;
        modrm = [(m.mod << 6) | ((reg & 7) << 3) | m.rm, ...m.sib, ...m.disp];
        rip = m.mod === 0 && m.rm === 5;
      }
    }
    if (o.rexB) rex |= 1;
    if (lm && (rex !== 0 || o.forceRex)) b.push(0x40 | rex);
    b.push(...o.op, ...modrm, ...(o.imm ?? []));
    if (rip) {
      // Point RIP-relative operands at the data region.
      const at = b.length - (o.imm?.length ?? 0) - 4;
      const next = CODE_ADDR + this.bytes.length + b.length;
      const v = DATA_ADDR + 0x400 + this.r.int(0x1000) - next;
      b[at] = v & 0xff; b[at + 1] = (v >> 8) & 0xff; b[at + 2] = (v >> 16) & 0xff; b[at + 3] = (v >>> 24) & 0xff;
    }
    this.bytes.push(...b);
  }

  /** A random register operand number (0..nregs-1). */
  reg(): number {
    return this.r.int(this.nregs);
  }

  /** Random r/m: a register or a memory operand. */
  rm(memOnly = false): number | MemOperand {
    return !memOnly && this.r.bool() ? this.reg() : this.mem();
  }

  /** A random operand size for "v" operands: 2, 4, or (64-bit mode) 8. */
  vsize(): number {
    return this.r.pick(this.mode === 64 ? [2, 4, 8] : [2, 4]);
  }

  imm(size: number): number[] {
    const v = randVal(this.r);
    const out: number[] = [];
    for (let i = 0; i < size; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
    return out;
  }

  toCase(name: string, seed: number): TestCase {
    return {
      name, mode: this.mode, code: Uint8Array.from(this.bytes), seed, regs: this.regs, flags: this.flags, flagMask: this.flagMask,
      regMask: this.regMask,
    };
  }
}
