/*
 * Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP TEST, INC DEC NEG NOT.
 * Results are exact; flags are recorded lazily (flags.ts).
 */
import type { TcgCpu } from './tcg-cpu.js';
import { CC_OP_ADD, CC_OP_ADC, CC_OP_SUB, CC_OP_SBB, CC_OP_LOGIC, CC_OP_INC, CC_OP_DEC, computeC } from './flags.js';

export const ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7, ALU_TEST = 8;

/** Size index for cc_op: 1→0, 2→1, 4→2, 8→3. */
export function sizeIdx(size: number): number {
  return (size >> 1) - (size >> 3);
}

/** Truncates a 8/16/32-bit value to its size (32-bit values stay int32). */
export function trunc(size: number, v: number): number {
  return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v | 0;
}

/**
 * a <op> b for operands of `size`; returns the low half of the result (high half in c.hi for
 * 64-bit operands) and records the flags.
 */
export function aluOp(c: TcgCpu, op: number, size: number, a: number, aHi: number, b: number, bHi: number): number {
  const env = c.env;
  const s = sizeIdx(size);
  let r: number, rHi = 0;
  switch (op) {
    case ALU_ADD:
    case ALU_ADC: {
      const cin = op === ALU_ADC ? computeC(env) : 0;
      if (size === 8) {
        const l = (a >>> 0) + (b >>> 0) + cin;
        r = l | 0;
        rHi = (aHi + bHi + (l > 0xffffffff ? 1 : 0)) | 0;
      } else {
        r = trunc(size, a + b + cin);
        b = trunc(size, b);
      }
      env.cc_op = (op === ALU_ADC ? CC_OP_ADC : CC_OP_ADD) + s;
      env.cc_src2 = cin;
      break;
    }
    case ALU_SUB:
    case ALU_SBB:
    case ALU_CMP: {
      const cin = op === ALU_SBB ? computeC(env) : 0;
      if (size === 8) {
        const l = (a >>> 0) - (b >>> 0) - cin;
        r = l | 0;
        rHi = (aHi - bHi - (l < 0 ? 1 : 0)) | 0;
      } else {
        r = trunc(size, a - b - cin);
        b = trunc(size, b);
      }
      env.cc_op = (op === ALU_SBB ? CC_OP_SBB : CC_OP_SUB) + s;
      env.cc_src2 = cin;
      break;
    }
    case ALU_OR:
      r = a | b; rHi = aHi | bHi;
      env.cc_op = CC_OP_LOGIC + s;
      break;
    case ALU_XOR:
      r = a ^ b; rHi = aHi ^ bHi;
      env.cc_op = CC_OP_LOGIC + s;
      break;
    default: // AND, TEST
      r = a & b; rHi = aHi & bHi;
      env.cc_op = CC_OP_LOGIC + s;
      break;
  }
  if (size < 8) { r = trunc(size, r); rHi = 0; }
  env.cc_dst = r;
  env.cc_src = b;
  env.cc_dstHi = rHi;
  env.cc_srcHi = bHi;
  c.hi = rHi;
  return r;
}

/** INC (dec = false) or DEC of a value; CF is preserved. */
export function incDec(c: TcgCpu, dec: boolean, size: number, a: number, aHi: number): number {
  const env = c.env;
  env.cc_src = computeC(env);
  let r: number, rHi = 0;
  if (size === 8) {
    if (dec) { r = (a - 1) | 0; rHi = a === 0 ? (aHi - 1) | 0 : aHi; }
    else { r = (a + 1) | 0; rHi = r === 0 ? (aHi + 1) | 0 : aHi; }
  } else r = trunc(size, dec ? a - 1 : a + 1);
  env.cc_op = (dec ? CC_OP_DEC : CC_OP_INC) + sizeIdx(size);
  env.cc_dst = r;
  env.cc_dstHi = rHi;
  c.hi = rHi;
  return r;
}

/** NEG: 0 - a with SUB flags. */
export function neg(c: TcgCpu, size: number, a: number, aHi: number): number {
  return aluOp(c, ALU_SUB, size, 0, 0, a, aHi);
}
