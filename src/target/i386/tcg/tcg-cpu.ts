/*
 * The software CPU's execution context: architectural state, memory, I/O and the callbacks the
 * CPU model provides, plus the operand accessors every instruction group uses.
 *
 * 64-bit values travel as (lo, hi) int32 pairs: a function returns the low half and leaves the
 * high half in `this.hi`, so the hot path never allocates.
 */
import { CPUX86State, R_ESP, R_SS, R_FS, EXCP06_ILLOP, EXCP0D_GPF, EXCP0C_STACK } from './cpu-state.js';
import type { SoftMMU } from './softmmu.js';
import type { Insn } from './decode.js';
import type { IOPortSpace } from '../../../exec/ioport.js';
import { CC_OP_EFLAGS } from './flags.js';

/** CPUID as the CPU model answers it: writes EAX, EBX, ECX, EDX into out[0..3]. */
export type CpuidFn = (leaf: number, subleaf: number, out: Int32Array) => void;
/** The virtual TSC: returns the low 32 bits and writes the high half to out[0]. */
export type TscFn = (out: Int32Array) => number;

/** The sentinel thrown to unwind an instruction to the vCPU loop; details are in CPUX86State. */
export class CpuException {}
export const CPU_EXCEPTION = new CpuException();

export class TcgCpu {
  readonly env: CPUX86State;
  readonly mmu: SoftMMU;
  readonly io: IOPortSpace;
  readonly cpuidFn: CpuidFn;
  readonly tscFn: TscFn;
  /** CPUID feature words this CPU advertises (QEMU FeatureWord names → bits); gates optional instructions. */
  readonly features: Readonly<Record<string, number>>;
  /* Feature gates resolved once. */
  readonly hasPopcnt: boolean;
  readonly hasLzcnt: boolean;
  readonly hasBmi1: boolean;
  readonly hasBmi2: boolean;
  readonly hasAdx: boolean;
  readonly hasMovbe: boolean;
  readonly hasCx8: boolean;
  readonly hasCx16: boolean;
  readonly hasCmov: boolean;
  readonly hasRdtscp: boolean;
  readonly hasClflush: boolean;
  readonly hasLahf64: boolean;

  /** High half of the last 64-bit value returned by an accessor. */
  hi = 0;
  /** Linear address of the current memory operand. */
  addr = 0;
  /** RIP of the next instruction (control transfers overwrite it). */
  nextRip = 0;
  /** Scratch for callbacks. */
  readonly scratch = new Int32Array(4);

  constructor(env: CPUX86State, mmu: SoftMMU, io: IOPortSpace, cpuidFn: CpuidFn, tscFn: TscFn,
    features: Readonly<Record<string, number>>) {
    this.env = env;
    this.mmu = mmu;
    this.io = io;
    this.cpuidFn = cpuidFn;
    this.tscFn = tscFn;
    this.features = features;
    const f = (w: string, bit: number): boolean => ((features[w] ?? 0) & (1 << bit)) !== 0;
    this.hasCx8 = f('FEAT_1_EDX', 8);
    this.hasCmov = f('FEAT_1_EDX', 15);
    this.hasClflush = f('FEAT_1_EDX', 19);
    this.hasCx16 = f('FEAT_1_ECX', 13);
    this.hasMovbe = f('FEAT_1_ECX', 22);
    this.hasPopcnt = f('FEAT_1_ECX', 23);
    this.hasBmi1 = f('FEAT_7_0_EBX', 3);
    this.hasBmi2 = f('FEAT_7_0_EBX', 8);
    this.hasAdx = f('FEAT_7_0_EBX', 19);
    this.hasLzcnt = f('FEAT_8000_0001_ECX', 5);
    this.hasLahf64 = f('FEAT_8000_0001_ECX', 0);
    this.hasRdtscp = f('FEAT_8000_0001_EDX', 27);
  }

  /* ---- exceptions ---- */

  raise(vector: number, errorCode = 0): never {
    this.env.exception_index = vector;
    this.env.error_code = errorCode;
    this.env.exception_is_int = false;
    throw CPU_EXCEPTION;
  }

  ud(): never {
    return this.raise(EXCP06_ILLOP);
  }

  /* ---- registers ---- */

  getReg(size: number, r: number): number {
    const regs = this.env.regs;
    switch (size) {
      case 1: return r < 16 ? regs[r << 1] & 0xff : (regs[(r - 16) << 1] >> 8) & 0xff;
      case 2: return regs[r << 1] & 0xffff;
      case 4: return regs[r << 1];
      default:
        this.hi = regs[(r << 1) + 1];
        return regs[r << 1];
    }
  }

  /** Writes a register; 32-bit writes zero the high half (as in 64-bit mode), 8/16-bit writes merge. */
  setReg(size: number, r: number, lo: number, hi: number): void {
    const regs = this.env.regs;
    switch (size) {
      case 1:
        if (r < 16) regs[r << 1] = (regs[r << 1] & ~0xff) | (lo & 0xff);
        else regs[(r - 16) << 1] = (regs[(r - 16) << 1] & ~0xff00) | ((lo & 0xff) << 8);
        return;
      case 2: regs[r << 1] = (regs[r << 1] & ~0xffff) | (lo & 0xffff); return;
      case 4: regs[r << 1] = lo; regs[(r << 1) + 1] = 0; return;
      default: regs[r << 1] = lo; regs[(r << 1) + 1] = hi;
    }
  }

  /* ---- memory operands ---- */

  /** Computes the linear address of insn's memory operand into this.addr (and returns it). */
  ea(insn: Insn): number {
    const regs = this.env.regs;
    const asize = insn.asize;
    if (asize === 4) {
      let a = insn.disp;
      if (insn.base >= 0) a += regs[insn.base << 1];
      if (insn.index >= 0) a += regs[insn.index << 1] << insn.scale;
      if (insn.ripRel) a += this.nextRip;
      a >>>= 0;
      const mode = insn.mode;
      if (mode === 8) {
        if (insn.seg >= R_FS) return (this.addr = this.canonical(this.env.segBase[insn.seg] + a));
        return (this.addr = a);
      }
      if (this.env.segFlags[insn.seg] === 0) this.nullSeg(insn.seg);
      return (this.addr = (this.env.segBase[insn.seg] + a) >>> 0);
    }
    if (asize === 2) {
      let a = insn.disp;
      if (insn.base >= 0) a += regs[insn.base << 1];
      if (insn.index >= 0) a += regs[insn.index << 1];
      if (this.env.segFlags[insn.seg] === 0) this.nullSeg(insn.seg);
      return (this.addr = (this.env.segBase[insn.seg] + (a & 0xffff)) >>> 0);
    }
    // 64-bit addressing.  Fast path: a register whose high half is the sign of its low half is
    // just that int32; otherwise the value is exact in a double while the high half is small.
    if (insn.seg < R_FS) {
      let v = insn.disp + (insn.ripRel ? this.nextRip : 0);
      let ok = true;
      if (insn.base >= 0) {
        const l = regs[insn.base << 1], h = regs[(insn.base << 1) + 1];
        if (h === l >> 31) v += l;
        else {
          ok = ((h >> 20) + 1) >>> 1 === 0;
          v += h * 4294967296 + (l >>> 0);
        }
      }
      if (insn.index >= 0) {
        const l = regs[insn.index << 1], h = regs[(insn.index << 1) + 1];
        if (h === l >> 31) v += l * (1 << insn.scale);
        else {
          ok = ok && ((h >> 20) + 1) >>> 1 === 0;
          v += (h * 4294967296 + (l >>> 0)) * (1 << insn.scale);
        }
      }
      if (ok && v < 0x800000000000 && v >= -0x800000000000) return (this.addr = v);
    }
    // Exact path: add the halves with carries, then require a canonical result.
    let lo = insn.disp >>> 0;
    let hi = insn.disp >> 31;
    if (insn.ripRel) {
      const r = this.nextRip;
      const rl = r >>> 0;
      lo += rl;
      hi += (r - rl) / 4294967296;
    }
    if (insn.base >= 0) {
      lo += regs[insn.base << 1] >>> 0;
      hi += regs[(insn.base << 1) + 1];
    }
    if (insn.index >= 0) {
      const sc = 1 << insn.scale;
      lo += (regs[insn.index << 1] >>> 0) * sc;
      hi += regs[(insn.index << 1) + 1] * sc;
    }
    if (insn.seg >= R_FS) {
      const b = this.env.segBase[insn.seg];
      const bl = b >>> 0;
      lo += bl;
      hi += (b - bl) / 4294967296;
    }
    const carry = Math.floor(lo / 4294967296);
    lo -= carry * 4294967296;
    hi = (hi + carry) | 0;
    if (((hi >> 15) + 1) >>> 1 !== 0) this.raise(insn.seg === R_SS ? EXCP0C_STACK : EXCP0D_GPF, 0);
    return (this.addr = hi * 4294967296 + lo);
  }

  /**
   * An access through a segment register holding a null selector (its cache flags are 0, which
   * only a protected-mode null load produces): #GP(0), or #SS(0) for SS.
   */
  nullSeg(seg: number): never {
    return this.raise(seg === R_SS ? EXCP0C_STACK : EXCP0D_GPF, 0);
  }

  /** A 64-bit linear address that must be canonical (sums of canonical values are exact doubles). */
  canonical(a: number): number {
    if (a >= 0x800000000000 || a < -0x800000000000) this.raise(EXCP0D_GPF, 0);
    return a;
  }

  load(size: number, lin: number): number {
    switch (size) {
      case 1: return this.mmu.ld8(lin);
      case 2: return this.mmu.ld16(lin);
      case 4: return this.mmu.ld32(lin);
      default: {
        const lo = this.mmu.ld32(lin);
        this.hi = this.mmu.ld32(this.addrAdd(lin, 4));
        return lo;
      }
    }
  }

  store(size: number, lin: number, lo: number, hi: number): void {
    switch (size) {
      case 1: this.mmu.st8(lin, lo); return;
      case 2: this.mmu.st16(lin, lo); return;
      case 4: this.mmu.st32(lin, lo); return;
      default:
        this.mmu.probeWrite(lin, 8);
        this.mmu.st32(lin, lo);
        this.mmu.st32(this.addrAdd(lin, 4), hi);
    }
  }

  /** lin + n as a linear address of the current mode (wraps at 4 GiB outside 64-bit mode). */
  addrAdd(lin: number, n: number): number {
    return this.env.codeSize === 8 ? lin + n : (lin + n) >>> 0;
  }

  /** Reads the r/m operand (register or memory; memory leaves its address in this.addr). */
  readE(insn: Insn, size: number): number {
    if (insn.mod === 3) return this.getReg(size, insn.rm);
    return this.load(size, this.ea(insn));
  }

  /** Writes the r/m operand; for memory, at this.addr as computed by readE/ea. */
  writeE(insn: Insn, size: number, lo: number, hi: number): void {
    if (insn.mod === 3) this.setReg(size, insn.rm, lo, hi);
    else this.store(size, this.addr, lo, hi);
  }

  /* ---- stack ---- */

  /** Pushes a value of `size` bytes. */
  push(size: number, lo: number, hi: number): void {
    const env = this.env;
    const regs = env.regs;
    const ss = env.stackSize;
    if (ss === 8) {
      let sl = (regs[R_ESP << 1] >>> 0) - size;
      let sh = regs[(R_ESP << 1) + 1];
      if (sl < 0) { sl += 4294967296; sh = (sh - 1) | 0; }
      if (((sh >> 15) + 1) >>> 1 !== 0) this.raise(EXCP0C_STACK, 0);
      this.store(size, sh * 4294967296 + sl, lo, hi);
      regs[R_ESP << 1] = sl | 0;
      regs[(R_ESP << 1) + 1] = sh;
    } else if (ss === 4) {
      const sp = (regs[R_ESP << 1] - size) >>> 0;
      this.store(size, (env.segBase[R_SS] + sp) >>> 0, lo, hi);
      regs[R_ESP << 1] = sp | 0;
    } else {
      const sp = (regs[R_ESP << 1] - size) & 0xffff;
      this.store(size, (env.segBase[R_SS] + sp) >>> 0, lo, hi);
      regs[R_ESP << 1] = (regs[R_ESP << 1] & ~0xffff) | sp;
    }
  }

  /** Linear address of the stack top plus `offset`. */
  stackAddr(offset: number): number {
    const env = this.env;
    const regs = env.regs;
    const ss = env.stackSize;
    if (ss === 8) {
      let sl = (regs[R_ESP << 1] >>> 0) + offset;
      let sh = regs[(R_ESP << 1) + 1];
      if (sl > 0xffffffff) { sl -= 4294967296; sh = (sh + 1) | 0; }
      if (((sh >> 15) + 1) >>> 1 !== 0) this.raise(EXCP0C_STACK, 0);
      return sh * 4294967296 + sl;
    }
    if (ss === 4) return (env.segBase[R_SS] + ((regs[R_ESP << 1] + offset) >>> 0)) >>> 0;
    return (env.segBase[R_SS] + ((regs[R_ESP << 1] + offset) & 0xffff)) >>> 0;
  }

  /** Reads the stack top (without popping). */
  peek(size: number, offset: number): number {
    return this.load(size, this.stackAddr(offset));
  }

  /** Adds n to the stack pointer in the stack's width. */
  adjustSp(n: number): void {
    const regs = this.env.regs;
    const ss = this.env.stackSize;
    if (ss === 8) {
      const l = (regs[R_ESP << 1] >>> 0) + n;
      regs[R_ESP << 1] = l | 0;
      if (l > 0xffffffff) regs[(R_ESP << 1) + 1] = (regs[(R_ESP << 1) + 1] + 1) | 0;
      else if (l < 0) regs[(R_ESP << 1) + 1] = (regs[(R_ESP << 1) + 1] - 1) | 0;
    } else if (ss === 4) regs[R_ESP << 1] = (regs[R_ESP << 1] + n) | 0;
    else regs[R_ESP << 1] = (regs[R_ESP << 1] & ~0xffff) | ((regs[R_ESP << 1] + n) & 0xffff);
  }

  /** Pops a value of `size` bytes (high half in this.hi for 8). */
  pop(size: number): number {
    const v = this.peek(size, 0);
    const hi = this.hi;
    this.adjustSp(size);
    this.hi = hi;
    return v;
  }

  /** Sets the lazy flags to an explicit EFLAGS arithmetic value. */
  setFlags(f: number): void {
    this.env.cc_src = f;
    this.env.cc_op = CC_OP_EFLAGS;
  }

  /** Jump target for a near branch: truncated to the operand size outside 64-bit mode. */
  branchTarget(size: number, lo: number, hi: number): number {
    if (size === 8) {
      if (((hi >> 15) + 1) >>> 1 !== 0) this.raise(EXCP0D_GPF, 0);
      return hi * 4294967296 + (lo >>> 0);
    }
    return size === 4 ? lo >>> 0 : lo & 0xffff;
  }
}
