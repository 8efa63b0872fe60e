/*
 * SSE scalar float32 operations (ADDSS ... COMISS) on uint32 bit patterns, with x86's
 * rules: MXCSR rounding, DAZ on operands, FTZ on tiny results, the first operand's NaN
 * wins (quietened), the default NaN is 0xFFC00000.  Packed forms apply these per lane.
 * Results are returned as int32 bit patterns (`x | 0`), which V8 keeps unboxed.
 */
import { toF32, fromF32 } from './native.js';
import { FloatStatus, ROUND_DOWN, ROUND_UP, ROUND_TO_ZERO, FLAG_INEXACT, FLAG_INVALID, FLAG_DENORMAL, REL_LESS, REL_EQUAL, REL_GREATER, REL_UNORDERED } from './float-status.js';
import { ua, ub, unpackF32, FMT_F32, CLS_QNAN, CLS_SNAN } from './round-pack.js';
import { binaryOp, sqrtOp, denormalAfter, OP_ADD, OP_SUB, OP_MUL, OP_DIV } from './arith.js';
import { compareUnpacked } from './compare.js';

function unpack2(a: number, b: number, s: FloatStatus): boolean {
  unpackF32(ua, a, s.denormalsAreZero);
  unpackF32(ub, b, s.denormalsAreZero);
  if (ua.cls >= CLS_QNAN || ub.cls >= CLS_QNAN) {
    if (ua.cls === CLS_SNAN || ub.cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    return true;
  }
  return false;
}

/** SSE NaN result: the first NaN operand, quietened. */
function nanResult(a: number, b: number): number {
  return (ua.cls >= CLS_QNAN ? a : b) | 0x400000;
}

/* Fast path: normal operands, a normal result.  The float32 result computed in double
 * then rounded by Math.fround is the correctly rounded nearest value (53 >= 2*24+2);
 * the sign of its error, found exactly in double (float32 products are exact there),
 * gives PE and the other rounding modes. */
const FAST_MIN = 2 ** -125;
const FAST_MAX = 2 ** 127;

function fastOperand(a: number): boolean {
  const e = (a >>> 23) & 0xff;
  return e !== 0 && e !== 0xff;
}

/**
 * The float32 bits of r (round-to-nearest of the exact value) rounded under s's mode
 * instead: `sigma` is the sign of (exact - r), 0 when exact.  PE unless exact.
 */
function directed(r: number, sigma: number, s: FloatStatus): number {
  let bits = fromF32(r);
  if (sigma === 0) return bits;
  s.flags |= FLAG_INEXACT;
  const mode = s.roundingMode;
  const neg = bits < 0;
  /* +1 on the bit pattern moves away from zero, -1 toward zero */
  if (mode === ROUND_DOWN) { if (sigma < 0) bits += neg ? 1 : -1; }
  else if (mode === ROUND_UP) { if (sigma > 0) bits += neg ? -1 : 1; }
  else if (mode === ROUND_TO_ZERO) { if ((sigma < 0) !== neg) bits -= 1; }
  return bits | 0;
}

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

function arith(a: number, b: number, s: FloatStatus, op: number): number {
  if (fastOperand(a) && fastOperand(b)) {
    const x = toF32(a), y = toF32(b);
    let r: number, sigma: number;
    if (op === OP_ADD || op === OP_SUB) {
      const yy = op === OP_SUB ? -y : y;
      const d = x + yy;
      r = Math.fround(d);
      const bb = d - x;
      /* d - r is exact; the double's own error only matters when d is representable */
      sigma = d !== r ? sign(d - r) : sign((x - (d - bb)) + (yy - bb));
    } else if (op === OP_MUL) {
      const d = x * y;
      r = Math.fround(d);
      sigma = sign(d - r);
    } else {
      r = Math.fround(x / y);
      sigma = sign(x - r * y) * (y > 0 ? 1 : -1);
    }
    const m = Math.abs(r);
    if (m > FAST_MIN && m < FAST_MAX) return directed(r, sigma, s);
  }
  if (unpack2(a, b, s)) return nanResult(a, b);
  const before = s.flags;
  s.flags = 0;
  const r = binaryOp(s, FMT_F32, 24, op);
  s.flags = before | denormalAfter(s.flags, true);
  return r;
}

export function float32_add(a: number, b: number, s: FloatStatus): number { return arith(a, b, s, OP_ADD); }
export function float32_sub(a: number, b: number, s: FloatStatus): number { return arith(a, b, s, OP_SUB); }
export function float32_mul(a: number, b: number, s: FloatStatus): number { return arith(a, b, s, OP_MUL); }
export function float32_div(a: number, b: number, s: FloatStatus): number { return arith(a, b, s, OP_DIV); }

export function float32_sqrt(a: number, s: FloatStatus): number {
  if (fastOperand(a) && (a >>> 31) === 0) {
    const x = toF32(a);
    const r = Math.fround(Math.sqrt(x));
    return directed(r, sign(x - r * r), s);
  }
  unpackF32(ua, a, s.denormalsAreZero);
  if (ua.cls >= CLS_QNAN) {
    if (ua.cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    return a | 0x400000;
  }
  const before = s.flags;
  s.flags = 0;
  const r = sqrtOp(s, FMT_F32, 24);
  s.flags = before | denormalAfter(s.flags, false);
  return r;
}

/** The operand as DAZ reads it: a denormal becomes a zero of its sign. */
function dazValue(a: number, s: FloatStatus): number {
  return s.denormalsAreZero && (a & 0x7f800000) === 0 ? a & 0x80000000 : a | 0;
}

/** MINSS: a < b ? a : b; the second operand when either is a NaN (IE) or both are zero. */
export function float32_min(a: number, b: number, s: FloatStatus): number {
  if (unpack2(a, b, s)) { s.flags |= FLAG_INVALID; return dazValue(b, s); }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  return compareUnpacked() === REL_LESS ? dazValue(a, s) : dazValue(b, s);
}

/** MAXSS: a > b ? a : b; the second operand when either is a NaN (IE) or both are zero. */
export function float32_max(a: number, b: number, s: FloatStatus): number {
  if (unpack2(a, b, s)) { s.flags |= FLAG_INVALID; return dazValue(b, s); }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  return compareUnpacked() === REL_GREATER ? dazValue(a, s) : dazValue(b, s);
}

/**
 * COMISS (signaling: any NaN raises IE) / UCOMISS (quiet: only SNaN): REL_*.
 * EFLAGS: unordered ZF=PF=CF=1, less CF=1, equal ZF=1, greater none.
 */
export function float32_compare(a: number, b: number, s: FloatStatus, quiet: boolean): number {
  if (fastOperand(a) && fastOperand(b)) {
    const x = toF32(a), y = toF32(b);
    return x < y ? REL_LESS : x > y ? REL_GREATER : REL_EQUAL;
  }
  if (unpack2(a, b, s)) {
    if (!quiet) s.flags |= FLAG_INVALID;
    return REL_UNORDERED;
  }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  return compareUnpacked();
}

/** CMPSS/CMPPS predicate 0..7 (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD): true for an all-ones lane. */
export function float32_cmp_pred(a: number, b: number, pred: number, s: FloatStatus): boolean {
  const signaling = pred === 1 || pred === 2 || pred === 5 || pred === 6;
  return predicateResult(float32_compare(a, b, s, !signaling), pred);
}

export function predicateResult(rel: number, pred: number): boolean {
  switch (pred & 7) {
    case 0: return rel === REL_EQUAL;
    case 1: return rel === REL_LESS;
    case 2: return rel === REL_LESS || rel === REL_EQUAL;
    case 3: return rel === REL_UNORDERED;
    case 4: return rel !== REL_EQUAL;
    case 5: return rel !== REL_LESS;
    case 6: return rel !== REL_LESS && rel !== REL_EQUAL;
    default: return rel !== REL_UNORDERED;
  }
}
