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
import { toF64, fromF64, U32, productExact } from './native.js';
import { ROUND_NEAREST_EVEN, FLAG_INEXACT } from './float-status.js';

/* Fast-path bounds: results in (2^-900, 2^996) stay clear of denormals, overflow and
 * the range where Dekker's splitting could overflow or its error term underflow. */
const FAST_MIN = 2 ** -900;
const FAST_MAX = 2 ** 996;

/** Biased exponent field strictly inside (0, 0x7ff) and below 2^996: a normal, splittable operand. */
function fastOperand(hi: number): boolean {
  const e = (hi >>> 20) & 0x7ff;
  return e > 123 && e < 2019;
}

function setFast(s: FloatStatus, r: number, exact: boolean): void {
  s.hi = fromF64(r);
  s.lo = U32[0];
  if (!exact) s.flags |= FLAG_INEXACT;
}

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

/** a + b (or a - b) by the host when both are normal and the sum lands in the fast range. */
function fastAdd(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus, negate: boolean): boolean {
  if (s.roundingMode !== ROUND_NEAREST_EVEN || !fastOperand(aHi) || !fastOperand(bHi)) return false;
  const a = toF64(aHi, aLo);
  const b = negate ? -toF64(bHi, bLo) : toF64(bHi, bLo);
  const r = a + b;
  const m = Math.abs(r);
  if (!(m > FAST_MIN && m < FAST_MAX)) return false;
  const bb = r - a;
  setFast(s, r, (a - (r - bb)) + (b - bb) === 0);
  return true;
}

export function float64_add(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (!fastAdd(aHi, aLo, bHi, bLo, s, false)) arith(aHi, aLo, bHi, bLo, s, OP_ADD);
}
export function float64_sub(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (!fastAdd(aHi, aLo, bHi, bLo, s, true)) arith(aHi, aLo, bHi, bLo, s, OP_SUB);
}
export function float64_mul(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (s.roundingMode === ROUND_NEAREST_EVEN && fastOperand(aHi) && fastOperand(bHi)) {
    const a = toF64(aHi, aLo), b = toF64(bHi, bLo);
    const r = a * b;
    const m = Math.abs(r);
    if (m > FAST_MIN && m < FAST_MAX) { setFast(s, r, productExact(a, b, r)); return; }
  }
  arith(aHi, aLo, bHi, bLo, s, OP_MUL);
}
export function float64_div(aHi: number, aLo: number, bHi: number, bLo: number, s: FloatStatus): void {
  if (s.roundingMode === ROUND_NEAREST_EVEN && fastOperand(aHi) && fastOperand(bHi)) {
    const a = toF64(aHi, aLo), b = toF64(bHi, bLo);
    const r = a / b;
    const m = Math.abs(r);
    /* exact iff r * b == a exactly */
    if (m > FAST_MIN && m < FAST_MAX) { setFast(s, r, productExact(r, b, a)); return; }
  }
  arith(aHi, aLo, bHi, bLo, s, OP_DIV);
}

export function float64_sqrt(aHi: number, aLo: number, s: FloatStatus): void {
  if (s.roundingMode === ROUND_NEAREST_EVEN && fastOperand(aHi) && (aHi >>> 31) === 0) {
    const a = toF64(aHi, aLo);
    const r = Math.sqrt(a);
    setFast(s, r, productExact(r, r, a));
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
    const a = toF64(aHi, aLo), b = toF64(bHi, bLo);
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
