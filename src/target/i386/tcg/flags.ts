/*
 * Lazy condition codes (QEMU's cc_op scheme, target/i386/tcg/cc_helper.c).
 *
 * Arithmetic instructions only record what they did (cc_op) and their operands/result
 * (cc_dst = result, cc_src = second operand, cc_src2 = carry-in); the six arithmetic flags are
 * computed when something reads them.  Size index: 0 = 8-bit, 1 = 16, 2 = 32, 3 = 64 (the high
 * halves of 64-bit values are in cc_dstHi/cc_srcHi).
 */
import type { CPUX86State } from './cpu-state.js';

export const CC_OP_EFLAGS = 0; // cc_src holds the flags
export const CC_OP_ADD = 4;    // + size index, likewise for the rest
export const CC_OP_ADC = 8;
export const CC_OP_SUB = 12;
export const CC_OP_SBB = 16;
export const CC_OP_LOGIC = 20;
export const CC_OP_INC = 24;   // cc_src = CF before the instruction
export const CC_OP_DEC = 28;
export const CC_OP_SHL = 32;   // cc_src = operand shifted by count-1
export const CC_OP_SAR = 36;   // (SHR and SAR) cc_src = operand shifted by count-1

const C = 1, P = 4, A = 0x10, Z = 0x40, S = 0x80, O = 0x800;

/** PF for every byte value. */
export const parityTable = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4; b ^= b >> 2; b ^= b >> 1;
  parityTable[i] = (b & 1) === 0 ? P : 0;
}

const SIGN = [0x80, 0x8000, 0x80000000 | 0, 0];
const MASK = [0xff, 0xffff, -1, -1];

/** ZF, SF, PF of a result of size s (64-bit: hi half given). */
function zsp(s: number, dst: number, hi: number): number {
  let f = parityTable[dst & 0xff];
  if (s === 3) {
    if ((dst | hi) === 0) f |= Z;
    if (hi < 0) f |= S;
  } else {
    if ((dst & MASK[s]) === 0) f |= Z;
    if ((dst & SIGN[s]) !== 0) f |= S;
  }
  return f;
}

/** Unsigned a < b for values of size s (64-bit: with high halves). */
function ltu(s: number, a: number, aHi: number, b: number, bHi: number): boolean {
  if (s === 3) return aHi !== bHi ? aHi >>> 0 < bHi >>> 0 : a >>> 0 < b >>> 0;
  return (a & MASK[s]) >>> 0 < (b & MASK[s]) >>> 0;
}

/** The sign bit of v (64-bit: of the high half) for size s. */
function signOf(s: number, lo: number, hi: number): boolean {
  return s === 3 ? hi < 0 : (lo & SIGN[s]) !== 0;
}

/** compute_all: the six arithmetic flags (bits of EFLAGS) from the lazy state. */
export function computeAll(cpu: CPUX86State): number {
  const op = cpu.cc_op;
  if (op === CC_OP_EFLAGS) return cpu.cc_src;
  const s = op & 3;
  const dst = cpu.cc_dst, src = cpu.cc_src, dHi = cpu.cc_dstHi, sHi = cpu.cc_srcHi;
  let f = zsp(s, dst, dHi);
  switch (op & ~3) {
    case CC_OP_ADD:
    case CC_OP_ADC: {
      // src1 = dst - src - cin
      const cin = (op & ~3) === CC_OP_ADC ? cpu.cc_src2 : 0;
      const l = (dst >>> 0) - (src >>> 0) - cin;
      const s1 = l | 0;
      const s1Hi = s === 3 ? (dHi - sHi - (l < 0 ? 1 : 0)) | 0 : 0;
      if (cin ? !ltu(s, src, sHi, dst, dHi) : ltu(s, dst, dHi, src, sHi)) f |= C;
      f |= (dst ^ src ^ s1) & A;
      if (signOf(s, ~(s1 ^ src) & (s1 ^ dst), ~(s1Hi ^ sHi) & (s1Hi ^ dHi))) f |= O;
      return f;
    }
    case CC_OP_SUB:
    case CC_OP_SBB: {
      // src1 = dst + src + cin
      const cin = (op & ~3) === CC_OP_SBB ? cpu.cc_src2 : 0;
      const l = (dst >>> 0) + (src >>> 0) + cin;
      const s1 = l | 0;
      const s1Hi = s === 3 ? (dHi + sHi + (l > 0xffffffff ? 1 : 0)) | 0 : 0;
      if (cin ? !ltu(s, src, sHi, s1, s1Hi) : ltu(s, s1, s1Hi, src, sHi)) f |= C;
      f |= (dst ^ src ^ s1) & A;
      if (signOf(s, (s1 ^ src) & (s1 ^ dst), (s1Hi ^ sHi) & (s1Hi ^ dHi))) f |= O;
      return f;
    }
    case CC_OP_LOGIC:
      return f;
    case CC_OP_INC:
      f |= src & C;
      f |= (dst ^ (dst - 1)) & A;
      if (s === 3 ? dst === 0 && dHi === (0x80000000 | 0) : (dst & MASK[s]) === (SIGN[s] & MASK[s])) f |= O;
      return f;
    case CC_OP_DEC:
      f |= src & C;
      f |= (dst ^ (dst + 1)) & A;
      if (s === 3 ? dst === -1 && dHi === 0x7fffffff : (dst & MASK[s]) === ((SIGN[s] - 1) & MASK[s])) f |= O;
      return f;
    case CC_OP_SHL:
      // AF is undefined; AMD CPUs (and so our differential-test host) set it.
      f |= A;
      if (signOf(s, src, sHi)) f |= C;
      if (signOf(s, src ^ dst, sHi ^ dHi)) f |= O;
      return f;
    case CC_OP_SAR:
      f |= A;
      f |= src & C;
      if (signOf(s, src ^ dst, sHi ^ dHi)) f |= O;
      return f;
  }
  throw new Error(`bad cc_op ${op}`);
}

/** CF alone (compute_c), the common case for ADC/SBB/RCL/RCR and JB/JAE. */
export function computeC(cpu: CPUX86State): number {
  const op = cpu.cc_op;
  switch (op & ~3) {
    case CC_OP_EFLAGS:
      return cpu.cc_src & C;
    case CC_OP_LOGIC:
      return 0;
    case CC_OP_INC:
    case CC_OP_DEC:
      return cpu.cc_src & C;
    case CC_OP_SUB:
      if ((op & 3) === 2) return (cpu.cc_dst + cpu.cc_src) >>> 0 < cpu.cc_src >>> 0 ? 1 : 0;
      return computeAll(cpu) & C;
    default:
      return computeAll(cpu) & C;
  }
}

/** The full EFLAGS value (cpu_compute_eflags). */
export function cpuComputeEflags(cpu: CPUX86State): number {
  return (cpu.eflags | computeAll(cpu)) >>> 0;
}

/** Loads EFLAGS bits selected by `mask` (cpu_load_eflags); the arithmetic ones go to the lazy state. */
export function cpuLoadEflags(cpu: CPUX86State, value: number, mask: number): void {
  const cur = cpuComputeEflags(cpu);
  const v = (cur & ~mask) | (value & mask);
  cpu.cc_src = v & (C | P | A | Z | S | O);
  cpu.cc_op = CC_OP_EFLAGS;
  const old = cpu.eflags;
  cpu.eflags = ((v & ~(C | P | A | Z | S | O)) | 0x2) & 0x3f7fd7;
  // IF rising opens the interrupt window: the execution loop notices through fetchGen (POPF, IRET).
  if ((cpu.eflags & ~old & 0x200) !== 0) cpu.fetchGen++;
}

/** Jcc/SETcc/CMOVcc condition `cc` (the low nibble of the opcode). */
export function testCC(cpu: CPUX86State, cc: number): boolean {
  // Fast path: CMP/SUB of 32-bit values, the usual predecessor of a Jcc.
  if (cpu.cc_op === CC_OP_SUB + 2) {
    const dst = cpu.cc_dst, src = cpu.cc_src, s1 = (dst + src) | 0;
    let r: boolean;
    switch (cc >> 1) {
      case 1: r = s1 >>> 0 < src >>> 0; break; // B
      case 2: r = dst === 0; break; // Z
      case 3: r = s1 >>> 0 <= src >>> 0; break; // BE
      case 6: r = s1 < src; break; // L
      case 7: r = s1 <= src; break; // LE
      default: return testFlags(computeAll(cpu), cc);
    }
    return (cc & 1) !== 0 ? !r : r;
  }
  // JZ/JNZ after anything lazy: every cc_op except EFLAGS derives ZF from the result alone.
  if ((cc >> 1) === 2 && cpu.cc_op !== CC_OP_EFLAGS) {
    const s = cpu.cc_op & 3;
    const z = s === 3 ? (cpu.cc_dst | cpu.cc_dstHi) === 0 : (cpu.cc_dst & MASK[s]) === 0;
    return (cc & 1) !== 0 ? !z : z;
  }
  return testFlags(computeAll(cpu), cc);
}

export function testFlags(f: number, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (f & O) !== 0; break;
    case 1: r = (f & C) !== 0; break;
    case 2: r = (f & Z) !== 0; break;
    case 3: r = (f & (C | Z)) !== 0; break;
    case 4: r = (f & S) !== 0; break;
    case 5: r = (f & P) !== 0; break;
    case 6: r = ((f & S) !== 0) !== ((f & O) !== 0); break;
    default: r = (f & Z) !== 0 || ((f & S) !== 0) !== ((f & O) !== 0); break;
  }
  return (cc & 1) !== 0 ? !r : r;
}
