/*
 * SSE2 scalar float64 operations (ADDSD ... COMISD) on bit patterns given as two uint32
 * halves (hi, lo); 64-bit results are left in s.hi:s.lo.  x86 rules as in f32.ts; the
 * default NaN is 0xFFF8000000000000.
 */
import { FloatStatus, FLAG_INVALID, FLAG_DENORMAL, REL_LESS, REL_EQUAL, REL_GREATER, REL_UNORDERED } from './float-status.js';
import { ua, ub, unpackF64, FMT_F64, CLS_QNAN, CLS_SNAN } from './round-pack.js';
import { binaryOp, sqrtOp, denormalAfter, OP_ADD, OP_SUB, OP_MUL, OP_DIV } from './arith.js';
import { compareUnpacked } from './compare.js';
import { predicateResult } from './f32.js';
import { F64, U32, loadF64Pair, productError } from './native.js';
import { ROUND_DOWN, ROUND_UP, ROUND_TO_ZERO, FLAG_INEXACT } from './float-status.js';

function unpack2(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): boolean {
  unpackF64(ua, aHi, aLo, s.denormalsAreZero);
  unpackF64(ub, bHi, bLo, s.denormalsAreZero);
  if (ua.cls >= CLS_QNAN || ub.cls >= CLS_QNAN) {
    if (ua.cls === CLS_SNAN || ub.cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    return true;
  }
  return false;
}

function set(s: FloatStatus, hi: number, lo: number): void {
  s.hi = hi >>> 0;
  s.lo = lo >>> 0;
}

/** Store the operand as DAZ reads it: a denormal becomes a zero of its sign. */
function setDaz(s: FloatStatus, hi: number, lo: number): void {
  if (s.denormalsAreZero && (hi & 0x7ff00000) === 0) set(s, hi & 0x80000000, 0);
  else set(s, hi, lo);
}

/** SSE NaN result: the first NaN operand, quietened. */
function nanResult(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (ua.cls >= CLS_QNAN) set(s, aHi | 0x80000, aLo);
  else set(s, bHi | 0x80000, bLo);
}

function arith(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus, op: number): void {
  if (unpack2(aHi, aLo, bHi, bLo, s)) { nanResult(aHi, aLo, bHi, bLo, s); return; }
  const before = s.flags;
  s.flags = 0;
  binaryOp(s, FMT_F64, 53, op);
  s.flags = before | denormalAfter(s.flags, true);
}

/* Fast-path bounds: results in (2^-900, 2^996) stay clear of denormals, overflow and
 * the range where Dekker's splitting could overflow or its error term underflow. */
const FAST_MIN = 2 ** -900;
const FAST_MAX = 2 ** 996;

/** Biased exponent field strictly inside (0, 0x7ff) and below 2^996: a normal, splittable operand. */
function fastOperand(hi: number): boolean {
  const e = (hi >>> 20) & 0x7ff;
  return e > 123 && e < 2019;
}

/* The fast paths keep every double inside the F64 scratch array (operands in F64[0..1],
 * the result in F64[2]) so that nothing is boxed across calls.  The host rounds to
 * nearest; the other modes step the result by one ulp according to the sign of the
 * exact error, which the error-free transformations give. */
function fastPossible(aHi: number, bHi: number): boolean {
  return fastOperand(aHi) && fastOperand(bHi);
}

/**
 * Store F64[2], the round-to-nearest result, rounded instead under s.roundingMode:
 * `sigma` is the sign of (exact - F64[2]), 0 when exact.  PE unless exact.
 */
function storeFast(s: FloatStatus, sigma: number): void {
  let hi = U32[5], lo = U32[4];
  if (sigma !== 0) {
    s.flags |= FLAG_INEXACT;
    const mode = s.roundingMode;
    const neg = (hi >>> 31) !== 0;
    /* +1 on the bit pattern moves away from zero, -1 toward zero */
    let step = 0;
    if (mode === ROUND_DOWN) { if (sigma < 0) step = neg ? 1 : -1; }
    else if (mode === ROUND_UP) { if (sigma > 0) step = neg ? -1 : 1; }
    else if (mode === ROUND_TO_ZERO) { if ((sigma < 0) !== neg) step = -1; }
    if (step > 0) {
      lo += 1;
      if (lo === 4294967296) { lo = 0; hi += 1; }
    } else if (step < 0) {
      if (lo === 0) { lo = 0xffffffff; hi -= 1; } else lo -= 1;
    }
  }
  s.hi = hi >>> 0;
  s.lo = lo >>> 0;
}

function resultInRange(): boolean {
  const m = Math.abs(F64[2]);
  return m > FAST_MIN && m < FAST_MAX;
}

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** a + b (or a - b) by the host; false when the fast path does not apply. */
function fastAdd(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus, negate: boolean): boolean {
  if (!fastPossible(aHi, bHi)) return false;
  loadF64Pair(aHi, aLo, bHi, bLo);
  const a = F64[0];
  const b = negate ? -F64[1] : F64[1];
  const r = a + b;
  F64[2] = r;
  if (!resultInRange()) return false;
  const bb = r - a;
  storeFast(s, sign((a - (r - bb)) + (b - bb)));
  return true;
}

export function float64_add(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (!fastAdd(aHi, aLo, bHi, bLo, s, false)) arith(aHi, aLo, bHi, bLo, s, OP_ADD);
}
export function float64_sub(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (!fastAdd(aHi, aLo, bHi, bLo, s, true)) arith(aHi, aLo, bHi, bLo, s, OP_SUB);
}
export function float64_mul(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (fastPossible(aHi, bHi)) {
    loadF64Pair(aHi, aLo, bHi, bLo);
    F64[2] = F64[0] * F64[1];
    if (resultInRange()) { storeFast(s, sign(productError())); return; }
  }
  arith(aHi, aLo, bHi, bLo, s, OP_MUL);
}

/** sign(x - r*y) for the doubles given, via Dekker's product (r*y - p exactly). */
function residualSign(x: number, r: number, y: number): number {
  F64[0] = r;
  F64[1] = y;
  const p = r * y;
  F64[2] = p;
  const e = productError();
  return sign((x - p) - e);
}

export function float64_div(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (fastPossible(aHi, bHi)) {
    loadF64Pair(aHi, aLo, bHi, bLo);
    const a = F64[0], b = F64[1];
    const q = a / b;
    F64[2] = q;
    if (resultInRange()) {
      /* exact - q = (a - q*b) / b */
      const sg = residualSign(a, q, b) * (b > 0 ? 1 : -1);
      F64[2] = q;
      storeFast(s, sg);
      return;
    }
  }
  arith(aHi, aLo, bHi, bLo, s, OP_DIV);
}
export function float64_sqrt(aHi: number, aLo: number, s: FloatStatus): void {
  if (fastOperand(aHi) && (aHi >>> 31) === 0) {
    loadF64Pair(aHi, aLo, 0, 0);
    const a = F64[0];
    const r = Math.sqrt(a);
    /* exact - r has the sign of a - r*r */
    const sg = residualSign(a, r, r);
    F64[2] = r;
    storeFast(s, sg);
    return;
  }
  unpackF64(ua, aHi, aLo, s.denormalsAreZero);
  if (ua.cls >= CLS_QNAN) {
    if (ua.cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    set(s, aHi | 0x80000, aLo);
    return;
  }
  const before = s.flags;
  s.flags = 0;
  sqrtOp(s, FMT_F64, 53);
  s.flags = before | denormalAfter(s.flags, false);
}

/** MINSD: a < b ? a : b; the second operand when either is a NaN (IE) or both are zero. */
export function float64_min(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (unpack2(aHi, aLo, bHi, bLo, s)) { s.flags |= FLAG_INVALID; setDaz(s, bHi, bLo); return; }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  if (compareUnpacked() === REL_LESS) setDaz(s, aHi, aLo);
  else setDaz(s, bHi, bLo);
}

/** MAXSD: a > b ? a : b; the second operand when either is a NaN (IE) or both are zero. */
export function float64_max(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (unpack2(aHi, aLo, bHi, bLo, s)) { s.flags |= FLAG_INVALID; setDaz(s, bHi, bLo); return; }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  if (compareUnpacked() === REL_GREATER) setDaz(s, aHi, aLo);
  else setDaz(s, bHi, bLo);
}

/** COMISD (signaling) / UCOMISD (quiet): REL_*. */
export function float64_compare(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus, quiet: boolean): number {
  if (fastOperand(aHi) && fastOperand(bHi)) {
    loadF64Pair(aHi, aLo, bHi, bLo);
    const a = F64[0], b = F64[1];
    return a < b ? REL_LESS : a > b ? REL_GREATER : REL_EQUAL;
  }
  if (unpack2(aHi, aLo, bHi, bLo, s)) {
    if (!quiet) s.flags |= FLAG_INVALID;
    return REL_UNORDERED;
  }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  return compareUnpacked();
}

/** CMPSD/CMPPD predicate 0..7: true for an all-ones lane. */
export function float64_cmp_pred(aHi: number, aLo: number, bHi: number, bLo: number, pred: number, s: FloatStatus): boolean {
  const signaling = pred === 1 || pred === 2 || pred === 5 || pred === 6;
  return predicateResult(float64_compare(aHi, aLo, bHi, bLo, s, !signaling), pred);
}
