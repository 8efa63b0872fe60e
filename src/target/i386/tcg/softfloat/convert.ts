/*
 * Conversions between float32, float64 and integers (CVTSS2SD, CVTSI2SS, CVT[T]SS2SI,
 * ...), with SSE rules; shared integer-conversion core also used by the x87 (FIST).
 * float32 and int32 results are returned as int32 bit patterns (unboxed in V8).
 * Out-of-range values, NaNs and infinities convert to the "integer indefinite"
 * (the most negative integer) with IE and without PE.
 */
import { FloatStatus, FLAG_INVALID, FLAG_INEXACT, FLAG_DENORMAL, ROUND_TO_ZERO } from './float-status.js';
import {
  ua, accSet, accNormalize, accRoundToInt, INT, intOverflow, intInexact,
  unpackF32, unpackF64, roundPack, packZero, packInf, FMT_F32, FMT_F64,
  CLS_ZERO, CLS_FINITE, CLS_INF, CLS_QNAN, CLS_SNAN,
} from './round-pack.js';

/* ---------- integer -> float ---------- */

/** Load the two's-complement int64 hi:lo into the accumulator; false when it is zero. */
export function int64ToAcc(hi: number, lo: number): boolean {
  const sign = hi >>> 31;
  hi >>>= 0;
  lo >>>= 0;
  if (sign !== 0) {
    if (lo === 0) hi = (-hi) >>> 0;
    else { lo = 4294967296 - lo; hi = (~hi) >>> 0; }
  }
  if ((hi | lo) === 0) return false;
  accSet(sign, 63, hi, lo, 0, 0);
  accNormalize();
  return true;
}

export function int32_to_float32(i: number, s: FloatStatus): number {
  if (!int64ToAcc(i >> 31, i)) return 0;
  return roundPack(s, FMT_F32, 24);
}
export function int64_to_float32(hi: number, lo: number, s: FloatStatus): number {
  if (!int64ToAcc(hi, lo)) return 0;
  return roundPack(s, FMT_F32, 24);
}
export function int32_to_float64(i: number, s: FloatStatus): void {
  if (!int64ToAcc(i >> 31, i)) { s.hi = 0; s.lo = 0; return; }
  roundPack(s, FMT_F64, 53);
}
export function int64_to_float64(hi: number, lo: number, s: FloatStatus): void {
  if (!int64ToAcc(hi, lo)) { s.hi = 0; s.lo = 0; return; }
  roundPack(s, FMT_F64, 53);
}

/* ---------- float -> integer ---------- */

/**
 * Convert the unpacked operand ua to a `bits`-bit signed integer (16, 32 or 64) under
 * `mode`; the two's-complement result goes to s.hi:s.lo (sign-extended) and the low
 * word is returned.
 */
export function unpackedToInt(s: FloatStatus, bits: number, mode: number): number {
  const cls = ua.cls;
  if (cls === CLS_ZERO) { s.hi = 0; s.lo = 0; return 0; }
  if (cls !== CLS_FINITE) return intIndefinite(s, bits);
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  accRoundToInt(mode);
  const neg = ua.sign !== 0;
  let hi = INT[0], lo = INT[1];
  if (intOverflow) return intIndefinite(s, bits);
  if (bits === 64) {
    if (hi > 0x80000000 || (hi === 0x80000000 && (lo !== 0 || !neg))) return intIndefinite(s, bits);
  } else {
    const lim = bits === 32 ? 0x80000000 : 0x8000;
    if (hi !== 0 || lo > lim || (lo === lim && !neg)) return intIndefinite(s, bits);
  }
  if (intInexact) s.flags |= FLAG_INEXACT;
  if (neg && (hi | lo) !== 0) {
    if (lo === 0) hi = (-hi) >>> 0;
    else { lo = 4294967296 - lo; hi = (~hi) >>> 0; }
  }
  s.hi = hi >>> 0;
  s.lo = lo >>> 0;
  return lo | 0;
}

function intIndefinite(s: FloatStatus, bits: number): number {
  s.flags |= FLAG_INVALID;
  if (bits === 64) { s.hi = 0x80000000; s.lo = 0; return 0; }
  s.hi = 0xffffffff;
  s.lo = bits === 32 ? 0x80000000 : 0xffff8000;
  return s.lo | 0;
}

/** CVTSS2SI / CVTTSS2SI (truncate): the 32-bit result returned as an int32. */
export function float32_to_int32(a: number, s: FloatStatus, truncate: boolean): number {
  unpackF32(ua, a, s.denormalsAreZero);
  return unpackedToInt(s, 32, truncate ? ROUND_TO_ZERO : s.roundingMode);
}
/** CVTSS2SI / CVTTSS2SI with a 64-bit destination: result in s.hi:s.lo. */
export function float32_to_int64(a: number, s: FloatStatus, truncate: boolean): void {
  unpackF32(ua, a, s.denormalsAreZero);
  unpackedToInt(s, 64, truncate ? ROUND_TO_ZERO : s.roundingMode);
}
export function float64_to_int32(hi: number, lo: number, s: FloatStatus, truncate: boolean): number {
  unpackF64(ua, hi, lo, s.denormalsAreZero);
  return unpackedToInt(s, 32, truncate ? ROUND_TO_ZERO : s.roundingMode);
}
export function float64_to_int64(hi: number, lo: number, s: FloatStatus, truncate: boolean): void {
  unpackF64(ua, hi, lo, s.denormalsAreZero);
  unpackedToInt(s, 64, truncate ? ROUND_TO_ZERO : s.roundingMode);
}

/* ---------- float32 <-> float64 ---------- */

/** CVTSS2SD: exact; an SNaN is quietened with IE. */
export function float32_to_float64(a: number, s: FloatStatus): void {
  unpackF32(ua, a, s.denormalsAreZero);
  const cls = ua.cls;
  if (cls === CLS_QNAN || cls === CLS_SNAN) {
    if (cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    s.hi = ((a & 0x80000000) | 0x7ff80000 | ((a & 0x3fffff) >>> 3)) >>> 0;
    s.lo = (a << 29) >>> 0;
    return;
  }
  if (cls === CLS_ZERO) { packZero(s, FMT_F64, ua.sign); return; }
  if (cls === CLS_INF) { packInf(s, FMT_F64, ua.sign); return; }
  if (ua.denormal) s.flags |= FLAG_DENORMAL;
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  roundPack(s, FMT_F64, 53);
}

/** CVTSD2SS: rounded under MXCSR; an SNaN is quietened with IE. */
export function float64_to_float32(hi: number, lo: number, s: FloatStatus): number {
  unpackF64(ua, hi, lo, s.denormalsAreZero);
  const cls = ua.cls;
  if (cls === CLS_QNAN || cls === CLS_SNAN) {
    if (cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  }
  if (cls === CLS_ZERO) return packZero(s, FMT_F32, ua.sign);
  if (cls === CLS_INF) return packInf(s, FMT_F32, ua.sign);
  if (ua.denormal) s.flags |= FLAG_DENORMAL;
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  return roundPack(s, FMT_F32, 24);
}

/* ---------- ROUNDSS / ROUNDSD (SSE4.1) ---------- */

/**
 * Round the unpacked ua to an integral value of the same format: imm8 bits 1:0 are the
 * rounding mode unless bit 2 selects MXCSR.RC; bit 3 suppresses PE.  An SNaN is
 * quietened with IE; no DE is reported.  Returns false when ua is already the result
 * (zero, infinity, or too large to have a fraction).
 */
function roundToIntegral(s: FloatStatus, imm: number, fracBits: number, fmt: number, prec: number): boolean {
  if (ua.cls !== CLS_FINITE || ua.exp >= fracBits) return false;
  const mode = (imm & 4) !== 0 ? s.roundingMode : imm & 3;
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  accRoundToInt(mode);
  if (intInexact && (imm & 8) === 0) s.flags |= FLAG_INEXACT;
  if ((INT[0] | INT[1]) === 0) { roundF32 = packZero(s, fmt, ua.sign); return true; }
  accSet(ua.sign, 63, INT[0], INT[1], 0, 0);
  accNormalize();
  const ftz = s.flushToZero;
  s.flushToZero = false;
  if (fmt === FMT_F32) roundF32 = roundPack(s, fmt, prec);
  else roundPack(s, fmt, prec);
  s.flushToZero = ftz;
  return true;
}
let roundF32 = 0;

/** ROUNDSS: returns the float32 bits (int32). */
export function float32_round_to_int(a: number, imm: number, s: FloatStatus): number {
  unpackF32(ua, a, s.denormalsAreZero);
  if (ua.cls === CLS_QNAN || ua.cls === CLS_SNAN) {
    if (ua.cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    return a | 0x400000;
  }
  if (ua.cls === CLS_ZERO) return a & 0x80000000;
  if (!roundToIntegral(s, imm, 23, FMT_F32, 24)) return a | 0;
  return roundF32;
}

/** ROUNDSD: result in s.hi:s.lo. */
export function float64_round_to_int(hi: number, lo: number, imm: number, s: FloatStatus): void {
  unpackF64(ua, hi, lo, s.denormalsAreZero);
  if (ua.cls === CLS_QNAN || ua.cls === CLS_SNAN) {
    if (ua.cls === CLS_SNAN) s.flags |= FLAG_INVALID;
    s.hi = (hi | 0x80000) >>> 0;
    s.lo = lo >>> 0;
    return;
  }
  if (ua.cls === CLS_ZERO) { s.hi = (hi & 0x80000000) >>> 0; s.lo = 0; return; }
  if (!roundToIntegral(s, imm, 52, FMT_F64, 53)) { s.hi = hi >>> 0; s.lo = lo >>> 0; }
}
