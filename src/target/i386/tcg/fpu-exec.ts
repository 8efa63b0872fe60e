/*
 * x87 instruction execution (Op.X87, decoded by decode-x87.ts): QEMU's gen_x87 and the
 * fpu_helper.c helpers, on the exact soft-float library.  The register stack and status word
 * rules live in fpu-helper.ts, the environment/save-area instructions in fpu-env.ts and
 * fpu-xsave.ts.
 */
import type { TcgCpu } from './tcg-cpu.js';
import type { Insn } from './decode.js';
import type { CPUX86State } from './cpu-state.js';
import { R_CS, R_EAX } from './cpu-state.js';
import { computeAll, testCC } from './flags.js';
import { X87_REG, X87_ILLEGAL, X87_FWAIT, X87_STATE } from './decode-x87.js';
import {
  fpStatus, stEmpty, stIndex, setSt, fpush, fpop, stackFault, fpuMerge, fpuSetException,
  fpuStatusWord, fpuInit, fpuSetControlWord, fpuWait, FPUS_C0, FPUS_C1, FPUS_C2, FPUS_C3, FPUS_CC,
  CR0_EM, CR0_TS, CR0_MP, EXCP07_PREX, NAN_SE, NAN_HI,
} from './fpu-helper.js';
import { fstenv, fldenv, fsave, frstor } from './fpu-env.js';
import { x87StateExec } from './fpu-xsave.js';
import type { FloatStatus } from './softfloat/float-status.js';
import { FLAG_INVALID, FLAG_DENORMAL, FLAG_OVERFLOW, FLAG_UNDERFLOW, FLAG_INEXACT, REL_UNORDERED, relationToEflags } from './softfloat/float-status.js';
import {
  floatx80_add, floatx80_sub, floatx80_mul, floatx80_div, floatx80_sqrt, floatx80_compare, relationToSw,
  float32_to_floatx80, float64_to_floatx80, floatx80_to_float32, floatx80_to_float64, int64_to_floatx80,
  floatx80_to_int, floatx80_round_to_int, floatx80_scale, floatx80_xtract, floatx80_rem, floatx80_const,
  floatx80_examine,
} from './softfloat/floatx80.js';
import { bcd_to_floatx80, floatx80_to_bcd } from './softfloat/bcd.js';
import {
  floatx80_sin, floatx80_cos, floatx80_tan, floatx80_sincos, floatx80_2xm1, floatx80_yl2x,
  floatx80_yl2xp1, floatx80_atan2,
} from './softfloat/x87-transcendental.js';

/** The second operand of the current instruction (QEMU's FT0). */
let ftSe = 0, ftHi = 0, ftLo = 0;

export function x87Exec(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  const sub = insn.sub;
  if (sub >= X87_FWAIT) {
    if (sub === X87_FWAIT) {
      if ((env.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(EXCP07_PREX, 0);
      fpuWait(c);
      return true;
    }
    return x87StateExec(c, insn, sub - X87_STATE);
  }
  if ((env.cr0 & (CR0_EM | CR0_TS)) !== 0) c.raise(EXCP07_PREX, 0);
  if (sub === X87_ILLEGAL) c.ud();
  const rip = env.rip;
  if (sub < X87_REG) {
    const lin = c.ea(insn);
    if (memOp(c, insn, sub, lin)) {
      env.fpds = env.segSelector[insn.seg] & 0xffff;
      const off = lin - env.segBase[insn.seg];
      env.fpdp = insn.asize === 8 ? off : insn.asize === 4 ? off >>> 0 : off & 0xffff;
      updateFip(env, rip);
    }
  } else if (regOp(c, sub & 0x3f, insn.rm)) {
    updateFip(env, rip);
  }
  return true;
}

function updateFip(env: CPUX86State, rip: number): void {
  env.fpcs = env.segSelector[R_CS] & 0xffff;
  env.fpip = rip;
}

/* ---------------- operand helpers ---------------- */

/** Loads ST(i) into FT0; false (after the stack fault) if it is empty. */
function loadFt(env: CPUX86State, i: number): boolean {
  const p = stIndex(env, i);
  if (env.fptags[p] !== 0) {
    ftSe = NAN_SE; ftHi = NAN_HI; ftLo = 0;
    return false;
  }
  ftLo = env.fpregs[4 * p];
  ftHi = env.fpregs[4 * p + 1];
  ftSe = env.fpregs[4 * p + 2];
  return true;
}

/**
 * A float32 memory operand as floatx80 in FT0, without the rounding step: NaNs keep their
 * signalling bit (the arithmetic decides IE and the NaN to return), a denormal reports DE.
 */
function ftFromF32(v: number, s: FloatStatus): void {
  const e = (v >>> 23) & 0xff;
  if (e !== 0 && e !== 0xff) { // normal: exact by rebiasing (the common case)
    ftSe = ((v >>> 16) & 0x8000) | (e + 16383 - 127);
    ftHi = 0x80000000 | ((v & 0x7fffff) << 8);
    ftLo = 0;
    return;
  }
  if ((v & 0x7f800000) === 0x7f800000 && (v & 0x7fffff) !== 0) {
    ftSe = ((v >>> 16) & 0x8000) | 0x7fff;
    ftHi = 0x80000000 | ((v & 0x7fffff) << 8);
    ftLo = 0;
    return;
  }
  float32_to_floatx80(v, s);
  ftSe = s.se; ftHi = s.hi; ftLo = s.lo;
}

function ftFromF64(hi: number, lo: number, s: FloatStatus): void {
  const e = (hi >>> 20) & 0x7ff;
  if (e !== 0 && e !== 0x7ff) { // normal: exact by rebiasing (the common case)
    ftSe = ((hi >>> 16) & 0x8000) | (e + 16383 - 1023);
    ftHi = 0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21);
    ftLo = lo << 11;
    return;
  }
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0) {
    ftSe = ((hi >>> 16) & 0x8000) | 0x7fff;
    ftHi = 0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21);
    ftLo = lo << 11;
    return;
  }
  float64_to_floatx80(hi, lo, s);
  ftSe = s.se; ftHi = s.hi; ftLo = s.lo;
}

function ftFromInt(hi: number, lo: number, s: FloatStatus): void {
  int64_to_floatx80(hi, lo, s);
  ftSe = s.se; ftHi = s.hi; ftLo = s.lo;
}

/** Pushes the result in s (or the indefinite after a masked overflow); false if nothing was pushed. */
function pushChecked(env: CPUX86State): boolean {
  if (!stEmpty(env, 7)) {
    if (!stackFault(env, true)) return false;
    fpush(env, NAN_SE, NAN_HI, 0);
    return false;
  }
  return true;
}

/* ---------------- arithmetic ---------------- */

/**
 * ST(dst) = a op b for op 0 FADD, 1 FMUL, 4 FSUB, 5 FSUBR, 6 FDIV, 7 FDIVR (QEMU's op1);
 * compares (2, 3) set C3 C2 C0.  a is ST(dst)'s value in the caller's order.
 */
function arith(env: CPUX86State, s: FloatStatus, op: number, dst: number,
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number): boolean {
  switch (op) {
    case 0: floatx80_add(aSe, aHi, aLo, bSe, bHi, bLo, s); break;
    case 1: floatx80_mul(aSe, aHi, aLo, bSe, bHi, bLo, s); break;
    case 2: case 3: {
      const rel = floatx80_compare(aSe, aHi, aLo, bSe, bHi, bLo, s, false);
      return compareResult(env, s, rel);
    }
    case 4: floatx80_sub(aSe, aHi, aLo, bSe, bHi, bLo, s); break;
    case 5: floatx80_sub(bSe, bHi, bLo, aSe, aHi, aLo, s); break;
    case 6: floatx80_div(aSe, aHi, aLo, bSe, bHi, bLo, s); break;
    default: floatx80_div(bSe, bHi, bLo, aSe, aHi, aLo, s); break;
  }
  if (!fpuMerge(env, s)) return false;
  setSt(env, dst, s.se, s.hi, s.lo);
  return true;
}

function compareResult(env: CPUX86State, s: FloatStatus, rel: number): boolean {
  const ok = fpuMerge(env, s);
  env.fpus = (env.fpus & ~FPUS_CC) | relationToSw(rel);
  return ok;
}

/** An arithmetic or compare instruction whose operand ST(0) (and FT0) may be empty. */
function arithSt0(env: CPUX86State, s: FloatStatus, op: number, ftOk: boolean, pops: number): void {
  const p = stIndex(env, 0);
  if (env.fptags[p] !== 0 || !ftOk) {
    const masked = stackFault(env, false);
    // A compare reports "unordered" even when the stack fault is unmasked.
    if (op === 2 || op === 3) env.fpus = (env.fpus & ~FPUS_CC) | FPUS_C3 | FPUS_C2 | FPUS_C0;
    if (!masked) return;
    if (op !== 2 && op !== 3) setSt(env, 0, NAN_SE, NAN_HI, 0);
  } else {
    const r = env.fpregs;
    if (!arith(env, s, op, 0, r[4 * p + 2], r[4 * p + 1], r[4 * p], ftSe, ftHi, ftLo)) return;
  }
  for (let i = 0; i < pops; i++) fpop(env);
}

/** DC/DE register forms: ST(i) = ST(i) op ST(0), with QEMU's operand order (FSUBR<->FSUB swapped). */
function arithStn(env: CPUX86State, s: FloatStatus, op: number, i: number, pop: boolean): void {
  const p0 = stIndex(env, 0), pi = stIndex(env, i);
  if (env.fptags[p0] !== 0 || env.fptags[pi] !== 0) {
    if (!stackFault(env, false)) return;
    setSt(env, i, NAN_SE, NAN_HI, 0);
  } else {
    const r = env.fpregs;
    // DC E0+i is FSUBR ST(i),ST(0): ST(i) = ST(0) - ST(i); E8+i FSUB: ST(i) - ST(0); F0/F8 likewise.
    const o = op === 4 ? 5 : op === 5 ? 4 : op === 6 ? 7 : op === 7 ? 6 : op;
    if (!arith(env, s, o, i, r[4 * pi + 2], r[4 * pi + 1], r[4 * pi], r[4 * p0 + 2], r[4 * p0 + 1], r[4 * p0])) return;
  }
  if (pop) fpop(env);
}

/* ---------------- memory forms ---------------- */

/** Returns true when the instruction updates FIP/FDP (QEMU's update_fip/update_fdp). */
function memOp(c: TcgCpu, insn: Insn, op: number, lin: number): boolean {
  const env = c.env;
  const mmu = c.mmu;
  const hi8 = op >> 4;
  if ((op & 8) === 0) {
    // 0x00-0x07, 0x10-0x17, 0x20-0x27, 0x30-0x37: arithmetic with m32fp, m32int, m64fp, m16int.
    const s = fpStatus(env);
    switch (hi8) {
      case 0: ftFromF32(mmu.ld32(lin), s); break;
      case 1: { const v = mmu.ld32(lin); ftFromInt(v >> 31, v, s); break; }
      case 2: { const lo = mmu.ld32(lin); ftFromF64(mmu.ld32(c.addrAdd(lin, 4)), lo, s); break; }
      default: { const v = (mmu.ld16(lin) << 16) >> 16; ftFromInt(v >> 31, v, s); }
    }
    // A denormal m32/m64 operand raises DE, unless ST(0) is a NaN or an unsupported encoding:
    // those are handled first (the NaN is returned, or IE).
    const p = stIndex(env, 0);
    if ((s.flags & FLAG_DENORMAL) !== 0 && env.fptags[p] === 0 && !supportedNonNaN(env.fpregs[4 * p + 2], env.fpregs[4 * p + 1], env.fpregs[4 * p])) {
      s.flags &= ~FLAG_DENORMAL;
    }
    const o = op & 7;
    arithSt0(env, s, o, true, o === 3 ? 1 : 0);
    return true;
  }
  switch (op) {
    case 0x08: { // FLD m32
      const s = fpStatus(env);
      const v = mmu.ld32(lin);
      if (!pushChecked(env)) return true;
      float32_to_floatx80(v, s);
      if (loadMerge(env, s)) fpush(env, s.se, s.hi, s.lo);
      return true;
    }
    case 0x28: { // FLD m64
      const s = fpStatus(env);
      const lo = mmu.ld32(lin), hi = mmu.ld32(c.addrAdd(lin, 4));
      if (!pushChecked(env)) return true;
      const e = (hi >>> 20) & 0x7ff;
      if (e !== 0 && e !== 0x7ff) { // normal: exact, no exception
        env.fpus &= ~FPUS_C1;
        fpush(env, ((hi >>> 16) & 0x8000) | (e + 16383 - 1023), 0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21), lo << 11);
        return true;
      }
      float64_to_floatx80(hi, lo, s);
      if (loadMerge(env, s)) fpush(env, s.se, s.hi, s.lo);
      return true;
    }
    case 0x1d: { // FLD m80: no exceptions, any encoding
      const lo = mmu.ld32(lin), hi = mmu.ld32(c.addrAdd(lin, 4)), se = mmu.ld16(c.addrAdd(lin, 8));
      if (!pushChecked(env)) return true;
      env.fpus &= ~FPUS_C1;
      fpush(env, se, hi, lo);
      return true;
    }
    case 0x18: case 0x38: case 0x3d: { // FILD m32, m16, m64
      const s = fpStatus(env);
      let lo: number, hi: number;
      if (op === 0x18) { lo = mmu.ld32(lin); hi = lo >> 31; }
      else if (op === 0x38) { lo = (mmu.ld16(lin) << 16) >> 16; hi = lo >> 31; }
      else { lo = mmu.ld32(lin); hi = mmu.ld32(c.addrAdd(lin, 4)); }
      if (!pushChecked(env)) return true;
      int64_to_floatx80(hi, lo, s);
      env.fpus &= ~FPUS_C1;
      fpush(env, s.se, s.hi, s.lo);
      return true;
    }
    case 0x3c: { // FBLD
      const s = fpStatus(env);
      const lo = mmu.ld32(lin), hi = mmu.ld32(c.addrAdd(lin, 4)), se = mmu.ld16(c.addrAdd(lin, 8));
      if (!pushChecked(env)) return true;
      bcd_to_floatx80(se, hi, lo, s);
      env.fpus &= ~FPUS_C1;
      fpush(env, s.se, s.hi, s.lo);
      return true;
    }
    case 0x0a: case 0x0b: case 0x2a: case 0x2b: // FST/FSTP m32/m64
    case 0x1a: case 0x1b: case 0x3a: case 0x3b: case 0x3f: // FIST/FISTP m32/m16, FISTP m64
    case 0x19: case 0x29: case 0x39: // FISTTP m32/m64/m16
      storeOp(c, op, lin);
      return true;
    case 0x1f: { // FSTP m80
      const p = stIndex(env, 0);
      let se = NAN_SE, hi = NAN_HI, lo = 0;
      if (env.fptags[p] !== 0) {
        if (!stackFault(env, false)) return true;
      } else {
        lo = env.fpregs[4 * p]; hi = env.fpregs[4 * p + 1]; se = env.fpregs[4 * p + 2];
        env.fpus &= ~FPUS_C1;
      }
      c.mmu.probeWrite(lin, 10);
      mmu.st32(lin, lo);
      mmu.st32(c.addrAdd(lin, 4), hi);
      mmu.st16(c.addrAdd(lin, 8), se);
      fpop(env);
      return true;
    }
    case 0x3e: { // FBSTP
      const s = fpStatus(env);
      const p = stIndex(env, 0);
      if (env.fptags[p] !== 0) {
        if (!stackFault(env, false)) return true;
        s.se = 0xffff; s.hi = NAN_HI; s.lo = 0;
      } else {
        floatx80_to_bcd(env.fpregs[4 * p + 2], env.fpregs[4 * p + 1], env.fpregs[4 * p], s);
        if (!storeAllowed(env, s)) return true;
      }
      c.mmu.probeWrite(lin, 10);
      mmu.st32(lin, s.lo);
      mmu.st32(c.addrAdd(lin, 4), s.hi);
      mmu.st16(c.addrAdd(lin, 8), s.se);
      fpop(env);
      return true;
    }
    case 0x0c: fldenv(c, lin, insn.size !== 2); return false;
    case 0x0d: fpuSetControlWord(env, mmu.ld16(lin)); return false;
    case 0x0e: fstenv(c, lin, insn.size !== 2); return false;
    case 0x0f: mmu.st16(lin, env.fpuc); return false;
    case 0x2c: frstor(c, lin, insn.size !== 2); return false;
    case 0x2e: fsave(c, lin, insn.size !== 2); return false;
    case 0x2f: mmu.st16(lin, fpuStatusWord(env)); return false;
  }
  return c.ud();
}

/** FLD m32/m64: only an unmasked IE (SNaN) prevents the load; an unmasked DE still loads. */
function loadMerge(env: CPUX86State, s: FloatStatus): boolean {
  const flags = s.flags;
  env.fpus &= ~FPUS_C1;
  if (flags !== 0) fpuSetException(env, flags);
  return (flags & ~env.fpuc & FLAG_INVALID) === 0;
}

/**
 * Stores to memory convert with the rounding of the destination format.  An unmasked IE, OE
 * or UE stores nothing and does not pop (SDM Vol. 1 §4.9.2, 8.5); C1 reports rounding up.
 */
function storeAllowed(env: CPUX86State, s: FloatStatus): boolean {
  const flags = s.flags;
  const unmasked = flags & ~env.fpuc & 0x3f;
  if ((unmasked & (FLAG_INVALID | FLAG_OVERFLOW | FLAG_UNDERFLOW)) !== 0) {
    env.fpus &= ~FPUS_C1;
    fpuSetException(env, flags & ~FLAG_INEXACT);
    return false;
  }
  env.fpus = (env.fpus & ~FPUS_C1) | (s.c1 !== 0 ? FPUS_C1 : 0);
  if (flags !== 0) fpuSetException(env, flags);
  return true;
}

function storeOp(c: TcgCpu, op: number, lin: number): void {
  const env = c.env;
  const mmu = c.mmu;
  const s = fpStatus(env);
  const p = stIndex(env, 0);
  const empty = env.fptags[p] !== 0;
  if (empty && !stackFault(env, false)) return;
  const se = empty ? NAN_SE : env.fpregs[4 * p + 2];
  const hi = empty ? NAN_HI : env.fpregs[4 * p + 1];
  const lo = empty ? 0 : env.fpregs[4 * p];
  const pop = (op & 7) !== 2;
  let v = 0, vHi = 0, size: number;
  switch (op) {
    case 0x0a: case 0x0b: v = floatx80_to_float32(se, hi, lo, s); size = 4; break;
    case 0x2a: case 0x2b: floatx80_to_float64(se, hi, lo, s); v = s.lo; vHi = s.hi; size = 8; break;
    default: {
      const bits = op >= 0x38 ? (op === 0x3f ? 64 : 16) : op >= 0x28 ? 64 : 32;
      v = floatx80_to_int(se, hi, lo, bits, (op & 7) === 1, s);
      vHi = s.hi;
      size = bits >> 3;
    }
  }
  if (empty) {
    // The masked response stores the indefinite of the destination format.
    s.flags = 0;
    env.fpus &= ~FPUS_C1;
  } else if (!storeAllowed(env, s)) return;
  switch (size) {
    case 2: mmu.st16(lin, v); break;
    case 4: mmu.st32(lin, v); break;
    default:
      mmu.probeWrite(lin, 8);
      mmu.st32(lin, v);
      mmu.st32(c.addrAdd(lin, 4), vHi);
  }
  if (pop) fpop(env);
}

/* ---------------- register forms ---------------- */

/** Returns true when the instruction updates FIP. */
function regOp(c: TcgCpu, op: number, i: number): boolean {
  const env = c.env;
  if (op < 0x08 || (op >= 0x20 && op < 0x28 && op !== 0x22 && op !== 0x23) ||
    (op >= 0x30 && op < 0x38 && op !== 0x32 && op !== 0x33)) {
    const s = fpStatus(env);
    if (op < 0x08) arithSt0(env, s, op & 7, loadFt(env, i), op === 0x03 ? 1 : 0);
    else arithStn(env, s, op & 7, i, op >= 0x30);
    return true;
  }
  switch (op) {
    case 0x22: case 0x23: case 0x32: { // FCOM2, FCOMP3, FCOMP5 (aliases)
      const s = fpStatus(env);
      arithSt0(env, s, 2, loadFt(env, i), op === 0x22 ? 0 : 1);
      return true;
    }
    case 0x33: { // FCOMPP
      const s = fpStatus(env);
      arithSt0(env, s, 2, loadFt(env, 1), 2);
      return true;
    }
    case 0x15: { // FUCOMPP
      const s = fpStatus(env);
      ucom(env, s, loadFt(env, 1), 2);
      return true;
    }
    case 0x2c: case 0x2d: { // FUCOM, FUCOMP
      const s = fpStatus(env);
      ucom(env, s, loadFt(env, i), op === 0x2d ? 1 : 0);
      return true;
    }
    case 0x1d: case 0x1e: case 0x3d: case 0x3e: { // FUCOMI, FCOMI, FUCOMIP, FCOMIP
      if (!c.hasCmov) c.ud();
      comi(c, i, (op & 1) !== 0, op >= 0x30);
      return true;
    }
    case 0x08: { // FLD ST(i): an empty source is reported before a full stack
      if (!loadFt(env, i)) {
        if (stackFault(env, false)) fpush(env, NAN_SE, NAN_HI, 0);
        return true;
      }
      if (!pushChecked(env)) return true;
      env.fpus &= ~FPUS_C1;
      fpush(env, ftSe, ftHi, ftLo);
      return true;
    }
    case 0x09: case 0x29: case 0x39: { // FXCH (and its aliases)
      const p0 = stIndex(env, 0), pi = stIndex(env, i);
      if (env.fptags[p0] !== 0 || env.fptags[pi] !== 0) {
        if (!stackFault(env, false)) return true;
        if (env.fptags[p0] !== 0) setSt(env, 0, NAN_SE, NAN_HI, 0);
        if (env.fptags[pi] !== 0) setSt(env, i, NAN_SE, NAN_HI, 0);
      } else env.fpus &= ~FPUS_C1;
      const r = env.fpregs;
      for (let k = 0; k < 3; k++) {
        const t = r[4 * p0 + k];
        r[4 * p0 + k] = r[4 * pi + k];
        r[4 * pi + k] = t;
      }
      return true;
    }
    case 0x0a: // FNOP: checks pending exceptions, like FWAIT
      fpuWait(c);
      return false;
    case 0x0b: { // D9 D8+i (FSTP1): an empty ST(0) is not a stack fault, nothing is stored (as AMD does)
      const p = stIndex(env, 0), r = env.fpregs;
      if (env.fptags[p] === 0) setSt(env, i, r[4 * p + 2], r[4 * p + 1], r[4 * p]);
      env.fpus &= ~FPUS_C1;
      fpop(env);
      return true;
    }
    case 0x2a: case 0x2b: case 0x3a: case 0x3b: { // FST ST(i), FSTP ST(i) and aliases
      const pop = op !== 0x2a;
      if (!loadFt(env, 0)) {
        if (!stackFault(env, false)) return true;
      } else env.fpus &= ~FPUS_C1;
      setSt(env, i, ftSe, ftHi, ftLo);
      if (pop) fpop(env);
      return true;
    }
    case 0x28: case 0x38: // FFREE, FFREEP
      env.fptags[stIndex(env, i)] = 1;
      env.fpus &= ~FPUS_C1;
      if (op === 0x38) fpop(env);
      return true;
    case 0x0c: return group0c(env, i);
    case 0x0d: { // FLD1 ... FLDZ
      const s = fpStatus(env);
      if (!pushChecked(env)) return true;
      floatx80_const(i, s);
      env.fpus &= ~FPUS_C1;
      fpush(env, s.se, s.hi, s.lo);
      return true;
    }
    case 0x0e: case 0x0f: return transcendental(env, (op & 1) << 3 | i);
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x18: case 0x19: case 0x1a: case 0x1b: { // FCMOVcc
      if (!c.hasCmov) c.ud();
      const cc = ((op & 3) === 0 ? 2 : (op & 3) === 1 ? 4 : (op & 3) === 2 ? 6 : 10) | ((op >> 3) & 1);
      // An empty operand gives ST(0) the indefinite whatever the condition; C1 is otherwise kept.
      if (stEmpty(env, 0) || !loadFt(env, i)) {
        if (stackFault(env, false)) setSt(env, 0, NAN_SE, NAN_HI, 0);
        return true;
      }
      if (testCC(env, cc)) setSt(env, 0, ftSe, ftHi, ftLo);
      return true;
    }
    case 0x1c:
      switch (i) {
        case 2: env.fpus &= 0x7f00; return false; // FNCLEX
        case 3: fpuInit(env); return false; // FNINIT
        default: return true; // FENI, FDISI, FSETPM: 8087/287 only, no-ops
      }
    case 0x3c: // FNSTSW AX
      c.setReg(2, R_EAX, fpuStatusWord(env), 0);
      return true;
  }
  return c.ud();
}

/** FUCOM/FUCOMP/FUCOMPP: only SNaNs (and unsupported encodings) are invalid. */
function ucom(env: CPUX86State, s: FloatStatus, ftOk: boolean, pops: number): void {
  const p = stIndex(env, 0);
  if (env.fptags[p] !== 0 || !ftOk) {
    const masked = stackFault(env, false);
    env.fpus = (env.fpus & ~FPUS_CC) | FPUS_C3 | FPUS_C2 | FPUS_C0;
    if (!masked) return;
  } else {
    const r = env.fpregs;
    const rel = floatx80_compare(r[4 * p + 2], r[4 * p + 1], r[4 * p], ftSe, ftHi, ftLo, s, true);
    if (!compareResult(env, s, rel)) return;
  }
  for (let k = 0; k < pops; k++) fpop(env);
}

/**
 * FCOMI/FUCOMI (+P): ZF PF CF from the relation, also after an unmasked exception; OF SF AF are
 * cleared and C1 is kept unless there is a stack fault (as the host does; QEMU keeps OF SF AF).
 */
function comi(c: TcgCpu, i: number, quiet: boolean, pop: boolean): void {
  const env = c.env;
  const s = fpStatus(env);
  const p = stIndex(env, 0);
  let rel = REL_UNORDERED;
  let ok: boolean;
  if (env.fptags[p] !== 0 || !loadFt(env, i)) {
    ok = stackFault(env, false);
  } else {
    const r = env.fpregs;
    rel = floatx80_compare(r[4 * p + 2], r[4 * p + 1], r[4 * p], ftSe, ftHi, ftLo, s, quiet);
    const c1 = env.fpus & FPUS_C1;
    ok = fpuMerge(env, s);
    env.fpus = (env.fpus & ~FPUS_C1) | c1;
  }
  c.setFlags((computeAll(env) & ~0x8d5) | relationToEflags(rel));
  if (pop && ok) fpop(env);
}

/**
 * FSCALE with an unmasked overflow (underflow) whose result is beyond even the 24576-biased
 * exponent range: the host returns a signed infinity with C1=1 (zero with C1=0) and OE|PE (UE|PE),
 * where the library would wrap the biased exponent.  Returns true when it set s.
 */
function scaleOutOfRange(env: CPUX86State, aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, s: FloatStatus): boolean {
  const ea = aSe & 0x7fff, eb = (bSe & 0x7fff) - 16383;
  const unmaskedOE = (env.fpuc & 0x08) === 0, unmaskedUE = (env.fpuc & 0x10) === 0;
  if ((!unmaskedOE && !unmaskedUE) || ea === 0x7fff || (ea !== 0 && aHi >= 0) || (ea === 0 && (aHi | aLo) === 0)) return false;
  if ((bSe & 0x7fff) === 0 || (bSe & 0x7fff) === 0x7fff || bHi >= 0 || eb < 0) return false;
  let n = eb > 30 ? 2 ** 31 : Math.floor((bHi >>> 0) / 2 ** (31 - eb));
  if ((bSe & 0x8000) !== 0) n = -n;
  // A (pseudo-)denormal ST(0) has the exponent of its leading one (and raises DE).
  const e = n + (ea !== 0 ? ea : 1 - (aHi !== 0 ? Math.clz32(aHi) : 32 + Math.clz32(aLo)));
  const sign = aSe & 0x8000;
  const de = ea === 0 ? FLAG_DENORMAL : 0;
  if (unmaskedOE && e - 24576 > 0x7ffe) {
    s.se = sign | 0x7fff; s.hi = 0x80000000 | 0; s.lo = 0;
    s.flags |= FLAG_OVERFLOW | FLAG_INEXACT | de;
    s.c1 = 1;
    return true;
  }
  if (unmaskedUE && e + 24576 < 1) {
    s.se = sign; s.hi = 0; s.lo = 0;
    s.flags |= FLAG_UNDERFLOW | FLAG_INEXACT | de;
    s.c1 = 0;
    return true;
  }
  return false;
}

/** Not a NaN, pseudo-NaN/infinity or unnormal. */
function supportedNonNaN(se: number, hi: number, lo: number): boolean {
  const e = se & 0x7fff;
  if (e === 0) return true;
  if (hi >= 0) return false; // integer bit clear: unnormal, pseudo-NaN, pseudo-infinity
  return e !== 0x7fff || (hi === (0x80000000 | 0) && lo === 0);
}

function isNaN80(se: number, hi: number, lo: number): boolean {
  return (se & 0x7fff) === 0x7fff && ((hi & 0x7fffffff) | lo) !== 0;
}

/** D9 E0-E5: FCHS, FABS, FTST, FXAM. */
function group0c(env: CPUX86State, i: number): boolean {
  const p = stIndex(env, 0);
  const r = env.fpregs;
  if (i === 5) { // FXAM: no exceptions, also on an empty register
    env.fpus = (env.fpus & ~FPUS_CC) | floatx80_examine(r[4 * p + 2], r[4 * p + 1], r[4 * p], env.fptags[p] !== 0);
    return true;
  }
  if (i === 4) { // FTST: compare with +0.0
    const s = fpStatus(env);
    ftSe = 0; ftHi = 0; ftLo = 0;
    arithSt0(env, s, 2, true, 0);
    return true;
  }
  if (env.fptags[p] !== 0) {
    if (stackFault(env, false)) setSt(env, 0, NAN_SE, NAN_HI, 0);
    return true;
  }
  env.fpus &= ~FPUS_C1;
  r[4 * p + 2] = i === 0 ? r[4 * p + 2] ^ 0x8000 : r[4 * p + 2] & 0x7fff;
  return true;
}

/** D9 F0-FF (index = ModRM.rm, + 8 for F8-FF). */
function transcendental(env: CPUX86State, k: number): boolean {
  if (k === 6 || k === 7) { // FDECSTP, FINCSTP
    env.fpstt = (env.fpstt + (k === 6 ? -1 : 1)) & 7;
    env.fpus &= ~FPUS_C1;
    return true;
  }
  const s = fpStatus(env);
  const r = env.fpregs;
  const p0 = stIndex(env, 0), p1 = stIndex(env, 1);
  const e0 = env.fptags[p0] !== 0, e1 = env.fptags[p1] !== 0;
  const a0 = r[4 * p0 + 2], a1 = r[4 * p0 + 1], a2 = r[4 * p0];
  const b0 = r[4 * p1 + 2], b1 = r[4 * p1 + 1], b2 = r[4 * p1];
  switch (k) {
    case 0: case 10: case 12: case 14: case 15: { // F2XM1, FSQRT, FRNDINT, FSIN, FCOS: ST0 = f(ST0)
      if (e0) {
        if (k >= 14) env.fpus &= ~FPUS_C2;
        if (stackFault(env, false)) setSt(env, 0, NAN_SE, NAN_HI, 0);
        return true;
      }
      let c2 = false;
      switch (k) {
        case 0: floatx80_2xm1(a0, a1, a2, s); break;
        case 10: floatx80_sqrt(a0, a1, a2, s); break;
        case 12: floatx80_round_to_int(a0, a1, a2, s); break;
        case 14: c2 = floatx80_sin(a0, a1, a2, s) !== 0; break;
        default: c2 = floatx80_cos(a0, a1, a2, s) !== 0;
      }
      if (k >= 14) {
        env.fpus = (env.fpus & ~FPUS_C2) | (c2 ? FPUS_C2 : 0);
        if (c2) return true;
      }
      if (fpuMerge(env, s)) setSt(env, 0, s.se, s.hi, s.lo);
      return true;
    }
    case 1: case 3: case 9: // FYL2X, FPATAN, FYL2XP1: ST1 = f(ST0, ST1), pop
    case 5: case 8: case 13: { // FPREM1, FPREM, FSCALE: ST0 = f(ST0, ST1)
      const toSt1 = k === 1 || k === 3 || k === 9;
      if (e0 || e1) {
        if (k === 5 || k === 8) env.fpus &= ~FPUS_C2;
        if (!stackFault(env, false)) return true;
        setSt(env, toSt1 ? 1 : 0, NAN_SE, NAN_HI, 0);
        if (toSt1) fpop(env);
        return true;
      }
      let cc = -1;
      switch (k) {
        case 1: floatx80_yl2x(a0, a1, a2, b0, b1, b2, s); break;
        case 3: floatx80_atan2(a0, a1, a2, b0, b1, b2, s); break;
        case 9: floatx80_yl2xp1(a0, a1, a2, b0, b1, b2, s); break;
        case 13:
          if (scaleOutOfRange(env, a0, a1, a2, b0, b1, s)) break;
          floatx80_scale(a0, a1, a2, b0, b1, b2, s);
          break;
        default: cc = floatx80_rem(a0, a1, a2, b0, b1, b2, k === 8, s);
      }
      if (!fpuMerge(env, s)) {
        if (cc >= 0) env.fpus &= ~FPUS_C2;
        return true;
      }
      // FPREM/FPREM1 with a NaN result keep C0 and C3 (as the host does).
      if (cc >= 0) env.fpus = isNaN80(s.se, s.hi, s.lo) ? env.fpus & ~FPUS_C2 : (env.fpus & ~FPUS_CC) | cc;
      setSt(env, toSt1 ? 1 : 0, s.se, s.hi, s.lo);
      if (toSt1) fpop(env);
      return true;
    }
    case 2: case 4: case 11: { // FPTAN (then push 1.0), FXTRACT, FSINCOS: two results
      if (k !== 4 && (e0 || !stEmpty(env, 7))) env.fpus &= ~FPUS_C2;
      if (e0) {
        if (!stackFault(env, false)) return true;
        setSt(env, 0, NAN_SE, NAN_HI, 0);
        fpush(env, NAN_SE, NAN_HI, 0);
        return true;
      }
      if (!stEmpty(env, 7)) {
        if (!stackFault(env, true)) return true;
        setSt(env, 0, NAN_SE, NAN_HI, 0);
        fpush(env, NAN_SE, NAN_HI, 0);
        return true;
      }
      let c2 = false;
      if (k === 2) c2 = floatx80_tan(a0, a1, a2, s) !== 0;
      else if (k === 4) floatx80_xtract(a0, a1, a2, s);
      else c2 = floatx80_sincos(a0, a1, a2, s) !== 0;
      if (k !== 4) {
        env.fpus = (env.fpus & ~FPUS_C2) | (c2 ? FPUS_C2 : 0);
        if (c2) return true;
      }
      if (!fpuMerge(env, s)) return true;
      if (k === 2) {
        // The pushed 1.0 is replaced by the NaN itself for a NaN operand (as the host does).
        setSt(env, 0, s.se, s.hi, s.lo);
        if ((s.se & 0x7fff) === 0x7fff && (s.hi & 0x7fffffff | s.lo) !== 0) fpush(env, s.se, s.hi, s.lo);
        else fpush(env, 0x3fff, 0x80000000 | 0, 0);
      } else if (k === 4) {
        setSt(env, 0, s.se2, s.hi2, s.lo2);
        fpush(env, s.se, s.hi, s.lo);
      } else {
        setSt(env, 0, s.se2, s.hi2, s.lo2);
        fpush(env, s.se, s.hi, s.lo);
      }
      return true;
    }
  }
  return true;
}
