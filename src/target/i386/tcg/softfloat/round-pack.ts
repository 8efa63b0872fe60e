/*
 * The common engine of the soft-float: an exact intermediate result held in an
 * accumulator (sign, exponent, 96-bit significand in three uint32 limbs, sticky bit),
 * and one rounding routine that rounds it to any precision (24/53/64 bits) inside the
 * exponent range of float32, float64 or floatx80 and packs it.
 *
 * Conventions: a finite non-zero significand is normalised with its leading one at
 * bit 95 of w2:w1:w0; `exp` is the unbiased exponent of that bit.  Unpacked operands
 * hold a 64-bit significand (hi:lo, leading one at bit 63) the same way.
 * Everything is plain numbers (uint32 limbs, products split into 16-bit halves so
 * doubles stay exact): no BigInt, no allocation.
 */
import {
  FloatStatus, ROUND_NEAREST_EVEN, ROUND_DOWN, ROUND_UP,
  FLAG_INEXACT, FLAG_OVERFLOW, FLAG_UNDERFLOW,
} from './float-status.js';

export const FMT_F32 = 0;
export const FMT_F64 = 1;
export const FMT_X80 = 2;
const EMIN = [-126, -1022, -16382];
const EMAX = [127, 1023, 16383];
const BIAS = [127, 1023, 16383];

/* Operand classes. CLS_INVALID is a floatx80 encoding the 387+ rejects (unnormal, pseudo-NaN/inf). */
export const CLS_ZERO = 0;
export const CLS_FINITE = 1;
export const CLS_INF = 2;
export const CLS_QNAN = 3;
export const CLS_SNAN = 4;
export const CLS_INVALID = 5;

export class Unpacked {
  cls = CLS_ZERO;
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;
  /** The encoding was a denormal (or x87 pseudo-denormal) that was not read as zero. */
  denormal = false;
}
export const ua = new Unpacked();
export const ub = new Unpacked();

class Accumulator {
  sign = 0;
  exp = 0;
  w2 = 0;
  w1 = 0;
  w0 = 0;
  sticky = 0;
}
export const acc = new Accumulator();

/* ---------- unpacking ---------- */

export function unpackF32(u: Unpacked, a: number, daz: boolean): void {
  const e = (a >>> 23) & 0xff;
  const f = a & 0x7fffff;
  u.sign = a >>> 31;
  u.denormal = false;
  u.lo = 0;
  if (e === 0xff) {
    u.cls = f === 0 ? CLS_INF : (f & 0x400000) !== 0 ? CLS_QNAN : CLS_SNAN;
  } else if (e === 0) {
    if (f === 0 || daz) { u.cls = CLS_ZERO; return; }
    const c = Math.clz32(f);
    u.cls = CLS_FINITE;
    u.denormal = true;
    u.hi = (f << c) >>> 0;
    u.exp = -149 + (31 - c);
  } else {
    u.cls = CLS_FINITE;
    u.hi = ((0x800000 | f) << 8) >>> 0;
    u.exp = e - 127;
  }
}

export function unpackF64(u: Unpacked, hi: number, lo: number, daz: boolean): void {
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  u.sign = hi >>> 31;
  u.denormal = false;
  if (e === 0x7ff) {
    u.cls = (fh | lo) === 0 ? CLS_INF : (fh & 0x80000) !== 0 ? CLS_QNAN : CLS_SNAN;
  } else if (e === 0) {
    if ((fh | lo) === 0 || daz) { u.cls = CLS_ZERO; return; }
    u.cls = CLS_FINITE;
    u.denormal = true;
    normalize64(u, fh, lo, -1074 + 63);
  } else {
    u.cls = CLS_FINITE;
    u.hi = (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0;
    u.lo = (lo << 11) >>> 0;
    u.exp = e - 1023;
  }
}

export function unpackX80(u: Unpacked, se: number, hi: number, lo: number): void {
  const e = se & 0x7fff;
  u.sign = (se >>> 15) & 1;
  u.denormal = false;
  const j = hi >>> 31;
  if (e === 0x7fff) {
    if (j === 0) u.cls = CLS_INVALID;
    else if ((hi & 0x7fffffff) === 0 && lo === 0) u.cls = CLS_INF;
    else u.cls = (hi & 0x40000000) !== 0 ? CLS_QNAN : CLS_SNAN;
  } else if (e === 0) {
    if ((hi | lo) === 0) { u.cls = CLS_ZERO; return; }
    /* Denormals and pseudo-denormals (J=1) both have the exponent of biased 1. */
    u.cls = CLS_FINITE;
    u.denormal = true;
    normalize64(u, hi >>> 0, lo >>> 0, -16382);
  } else if (j === 0) {
    u.cls = CLS_INVALID;
  } else {
    u.cls = CLS_FINITE;
    u.hi = hi >>> 0;
    u.lo = lo >>> 0;
    u.exp = e - 16383;
  }
}

/** Normalise the 64-bit integer hi:lo (non-zero) into u; `e63` is the exponent of its bit 63. */
function normalize64(u: Unpacked, hi: number, lo: number, e63: number): void {
  let e = e63;
  if (hi === 0) { hi = lo; lo = 0; e -= 32; }
  const c = Math.clz32(hi);
  if (c !== 0) {
    hi = ((hi << c) | (lo >>> (32 - c))) >>> 0;
    lo = (lo << c) >>> 0;
  }
  u.hi = hi >>> 0;
  u.lo = lo >>> 0;
  u.exp = e - c;
}

/* ---------- accumulator helpers ---------- */

export function accSet(sign: number, exp: number, w2: number, w1: number, w0: number, sticky: number): void {
  acc.sign = sign;
  acc.exp = exp;
  acc.w2 = w2;
  acc.w1 = w1;
  acc.w0 = w0;
  acc.sticky = sticky;
}

/** Shift the accumulator's significand right by n bits, ORing what falls out into sticky. */
export function accShiftRightJam(n: number): void {
  if (n <= 0) return;
  let w2 = acc.w2, w1 = acc.w1, w0 = acc.w0, s = acc.sticky;
  if (n >= 96) {
    if ((w2 | w1 | w0) !== 0) s = 1;
    acc.w2 = 0; acc.w1 = 0; acc.w0 = 0; acc.sticky = s;
    return;
  }
  while (n >= 32) {
    if (w0 !== 0) s = 1;
    w0 = w1; w1 = w2; w2 = 0;
    n -= 32;
  }
  if (n > 0) {
    if ((w0 << (32 - n)) !== 0) s = 1;
    w0 = ((w0 >>> n) | (w1 << (32 - n))) >>> 0;
    w1 = ((w1 >>> n) | (w2 << (32 - n))) >>> 0;
    w2 = w2 >>> n;
  }
  acc.w2 = w2; acc.w1 = w1; acc.w0 = w0; acc.sticky = s;
}

/** Shift left until bit 95 is set (the significand must be non-zero). */
export function accNormalize(): void {
  let w2 = acc.w2, w1 = acc.w1, w0 = acc.w0, e = acc.exp;
  while (w2 === 0) { w2 = w1; w1 = w0; w0 = 0; e -= 32; }
  const c = Math.clz32(w2);
  if (c !== 0) {
    w2 = ((w2 << c) | (w1 >>> (32 - c))) >>> 0;
    w1 = ((w1 << c) | (w0 >>> (32 - c))) >>> 0;
    w0 = (w0 << c) >>> 0;
    e -= c;
  }
  acc.w2 = w2; acc.w1 = w1; acc.w0 = w0; acc.exp = e;
}

function accIsZero(): boolean {
  return (acc.w2 | acc.w1 | acc.w0 | acc.sticky) === 0;
}

/* ---------- rounding ---------- */

let rInexact = 0;

/**
 * Whether rounding the top `prec` bits of the accumulator increments it; sets rInexact.
 * The bits below the kept ones are a round bit and the rest (sticky).
 */
function roundIncrement(mode: number, sign: number, prec: number): number {
  const k = 64 - prec;
  const w2 = acc.w2, w1 = acc.w1, w0 = acc.w0;
  let lsb: number, rbit: number, rest: number;
  if (k === 0) {
    lsb = w1 & 1;
    rbit = w0 >>> 31;
    rest = (w0 & 0x7fffffff) | acc.sticky;
  } else if (k < 32) {
    lsb = (w1 >>> k) & 1;
    rbit = (w1 >>> (k - 1)) & 1;
    rest = (w1 & ((1 << (k - 1)) - 1)) | w0 | acc.sticky;
  } else {
    const kk = k - 32;
    lsb = (w2 >>> kk) & 1;
    rbit = (w2 >>> (kk - 1)) & 1;
    rest = (w2 & ((1 << (kk - 1)) - 1)) | w1 | w0 | acc.sticky;
  }
  const inexact = (rbit | rest) !== 0;
  rInexact = inexact ? 1 : 0;
  if (mode === ROUND_NEAREST_EVEN) return rbit !== 0 && (rest !== 0 || lsb !== 0) ? 1 : 0;
  if (mode === ROUND_DOWN) return inexact && sign !== 0 ? 1 : 0;
  if (mode === ROUND_UP) return inexact && sign === 0 ? 1 : 0;
  return 0;
}

/** Keep the top `prec` bits (clearing the rest) and add `inc` units in the last place. */
function applyRound(prec: number, inc: number): void {
  const k = 64 - prec;
  let w2 = acc.w2, w1 = acc.w1;
  if (k === 0) {
    w1 += inc;
  } else if (k < 32) {
    w1 = (w1 & ~((1 << k) - 1)) >>> 0;
    w1 += inc * (1 << k);
  } else {
    const kk = k - 32;
    w1 = 0;
    w2 = (w2 & ~((1 << kk) - 1)) >>> 0;
    w2 += inc * Math.pow(2, kk);
  }
  if (w1 >= 4294967296) { w1 -= 4294967296; w2 += 1; }
  if (w2 >= 4294967296) { w2 = 0x80000000; w1 = 0; acc.exp += 1; }
  acc.w2 = w2; acc.w1 = w1; acc.w0 = 0; acc.sticky = 0;
}

/** Whether the top prec bits are all ones (so that an increment carries out). */
function topBitsAllOnes(prec: number): boolean {
  const w2 = acc.w2, w1 = acc.w1;
  if (prec <= 32) return (w2 >>> (32 - prec)) === (prec === 32 ? 0xffffffff : (1 << prec) - 1);
  if (w2 !== 0xffffffff) return false;
  const n = prec - 32;
  return (w1 >>> (32 - n)) === (n === 32 ? 0xffffffff : (1 << n) - 1);
}

/**
 * Round the accumulator (normalised, non-zero) to `prec` bits in format `fmt` under
 * st's rounding mode and flush-to-zero, raise PE/UE/OE, set st.c1, and pack the result:
 * float32 is returned (int32 bit pattern); float64 goes to st.hi:lo; floatx80 to
 * st.se, st.hi:lo (0 is returned).
 * Tininess is detected after rounding, as x86 does.  With UE unmasked, see
 * roundPackUnmaskedUnderflow.
 */
export function roundPack(st: FloatStatus, fmt: number, prec: number): number {
  const sign = acc.sign;
  const mode = st.roundingMode;
  const emin = EMIN[fmt];
  let tiny = false;
  if (acc.exp < emin) {
    tiny = true;
    if (acc.exp === emin - 1 && topBitsAllOnes(prec) && roundIncrement(mode, sign, prec) !== 0) tiny = false;
    if (tiny && !st.underflowMasked) return roundPackUnmaskedUnderflow(st, fmt, prec);
    if (tiny && st.flushToZero) {
      st.flags |= FLAG_UNDERFLOW | FLAG_INEXACT;
      st.c1 = 0;
      return packZero(st, fmt, sign);
    }
    accShiftRightJam(emin - acc.exp);
    acc.exp = emin;
  }
  const inc = roundIncrement(mode, sign, prec);
  const inexact = rInexact;
  applyRound(prec, inc);
  if (acc.exp > EMAX[fmt]) {
    if (!st.overflowMasked) {
      /* Unmasked: the rounded significand with the exponent biased by -24576 (x87). */
      st.flags |= inexact !== 0 ? FLAG_OVERFLOW | FLAG_INEXACT : FLAG_OVERFLOW;
      st.c1 = inc;
      const bexp = (acc.exp + BIAS[fmt] - (fmt === FMT_X80 ? 24576 : 0)) & (fmt === FMT_F32 ? 0xff : fmt === FMT_F64 ? 0x7ff : 0x7fff);
      return packBits(st, fmt, sign, bexp);
    }
    st.flags |= FLAG_OVERFLOW | FLAG_INEXACT;
    const toInf = mode === ROUND_NEAREST_EVEN || (mode === ROUND_UP ? sign === 0 : mode === ROUND_DOWN ? sign !== 0 : false);
    st.c1 = toInf ? 1 : 0;
    return toInf ? packInf(st, fmt, sign) : packMax(st, fmt, sign, prec);
  }
  st.c1 = inc;
  if (inexact !== 0) {
    st.flags |= tiny ? FLAG_INEXACT | FLAG_UNDERFLOW : FLAG_INEXACT;
  }
  const w2 = acc.w2;
  const bexp = (w2 >>> 31) !== 0 ? acc.exp + BIAS[fmt] : 0;
  return packBits(st, fmt, sign, bexp);
}

/** Pack sign, biased exponent and the accumulator's top 64 bits (acc.w2:w1). */
/**
 * A tiny result with UE unmasked: x86 rounds the significand to `prec` bits with an
 * unbounded exponent, so PE reflects that rounding; UE is always reported.  The x87
 * stores the result with its exponent biased by +24576; for SSE the CPU traps and the
 * value (packed the same way, wrapped) is not used.
 */
function roundPackUnmaskedUnderflow(st: FloatStatus, fmt: number, prec: number): number {
  const sign = acc.sign;
  const inc = roundIncrement(st.roundingMode, sign, prec);
  const inexact = rInexact;
  applyRound(prec, inc);
  st.c1 = inc;
  st.flags |= inexact !== 0 ? FLAG_UNDERFLOW | FLAG_INEXACT : FLAG_UNDERFLOW;
  const bexp = (acc.exp + BIAS[fmt] + (fmt === FMT_X80 ? 24576 : 0)) & (fmt === FMT_F32 ? 0xff : fmt === FMT_F64 ? 0x7ff : 0x7fff);
  return packBits(st, fmt, sign, bexp);
}

function packBits(st: FloatStatus, fmt: number, sign: number, bexp: number): number {
  const w2 = acc.w2, w1 = acc.w1;
  if (fmt === FMT_F32) {
    return (sign << 31) | (bexp << 23) | ((w2 >>> 8) & 0x7fffff);
  }
  if (fmt === FMT_F64) {
    st.hi = ((sign << 31) | (bexp << 20) | ((w2 >>> 11) & 0xfffff)) >>> 0;
    st.lo = ((w2 << 21) | (w1 >>> 11)) >>> 0;
    return 0;
  }
  st.se = (sign << 15) | bexp;
  st.hi = w2 >>> 0;
  st.lo = w1 >>> 0;
  return 0;
}

export function packZero(st: FloatStatus, fmt: number, sign: number): number {
  acc.w2 = 0; acc.w1 = 0;
  return packBits(st, fmt, sign, 0);
}

export function packInf(st: FloatStatus, fmt: number, sign: number): number {
  acc.w2 = fmt === FMT_X80 ? 0x80000000 : 0;
  acc.w1 = 0;
  return packBits(st, fmt, sign, fmt === FMT_F32 ? 0xff : fmt === FMT_F64 ? 0x7ff : 0x7fff);
}

function packMax(st: FloatStatus, fmt: number, sign: number, prec: number): number {
  let w2: number, w1: number;
  if (prec >= 32) {
    w2 = 0xffffffff;
    w1 = prec === 64 ? 0xffffffff : (~((1 << (64 - prec)) - 1)) >>> 0;
  } else {
    w2 = (~((1 << (32 - prec)) - 1)) >>> 0;
    w1 = 0;
  }
  acc.w2 = w2; acc.w1 = w1;
  return packBits(st, fmt, sign, EMAX[fmt] + BIAS[fmt]);
}

/** The default NaN ("QNaN floating-point indefinite"), negative, in format fmt. */
export function packDefaultNaN(st: FloatStatus, fmt: number): number {
  if (fmt === FMT_F32) return 0xffc00000 | 0;
  if (fmt === FMT_F64) { st.hi = 0xfff80000; st.lo = 0; return 0; }
  st.se = 0xffff; st.hi = 0xc0000000; st.lo = 0;
  return 0;
}

/* ---------- integer rounding ---------- */

/**
 * Result of accRoundToInt: the magnitude as INT[0]:INT[1] (hi:lo; a typed array, so
 * storing never allocates), or overflow when it needs more than 64 bits.
 */
export const INT = new Float64Array(2);
export let intOverflow = false;
export let intInexact = false;
export let intRoundedUp = false;

/**
 * Round the accumulator's value to an integer under `mode` (sign taken from acc.sign):
 * the magnitude goes to INT[0]:INT[1], intOverflow when it is >= 2^64, intInexact when
 * a fraction was dropped.  The accumulator is consumed.
 */
export function accRoundToInt(mode: number): void {
  intOverflow = false;
  if (accIsZero()) { INT[0] = 0; INT[1] = 0; intInexact = false; intRoundedUp = false; return; }
  const e = acc.exp;
  intRoundedUp = false;
  if (e > 63) { intOverflow = true; intInexact = false; INT[0] = 0; INT[1] = 0; return; }
  /* Put the units bit at bit 32 of w2:w1:w0: the integer is w2:w1, the fraction w0+sticky. */
  if (e < -1) {
    acc.sticky = 1; acc.w2 = 0; acc.w1 = 0; acc.w0 = 0;
  } else {
    accShiftRightJam(63 - e);
  }
  const sign = acc.sign;
  const rbit = acc.w0 >>> 31;
  const rest = (acc.w0 & 0x7fffffff) | acc.sticky;
  const lsb = acc.w1 & 1;
  const inexact = (rbit | rest) !== 0;
  let inc = 0;
  if (mode === ROUND_NEAREST_EVEN) inc = rbit !== 0 && (rest !== 0 || lsb !== 0) ? 1 : 0;
  else if (mode === ROUND_DOWN) inc = inexact && sign !== 0 ? 1 : 0;
  else if (mode === ROUND_UP) inc = inexact && sign === 0 ? 1 : 0;
  let hi = acc.w2, lo = acc.w1 + inc;
  if (lo >= 4294967296) { lo -= 4294967296; hi += 1; }
  if (hi >= 4294967296) intOverflow = true;
  INT[0] = hi >>> 0;
  INT[1] = lo >>> 0;
  intInexact = inexact;
  intRoundedUp = inc !== 0;
}

/* ---------- 32x32 -> 64 multiply ---------- */

/* mul32's result: MUL[0] = high word, MUL[1] = low word (a typed array, so storing never allocates). */
export const MUL = new Float64Array(2);

/** a*b for uint32 a, b: the 64-bit product in MUL (doubles stay below 2^53). */
export function mul32(a: number, b: number): void {
  const p0 = a * (b & 0xffff);
  const p1 = a * (b >>> 16);
  const p1lo = (p1 % 65536);
  const t = p0 + p1lo * 65536;
  const tlo = t % 4294967296;
  MUL[0] = (p1 - p1lo) / 65536 + (t - tlo) / 4294967296;
  MUL[1] = tlo;
}
