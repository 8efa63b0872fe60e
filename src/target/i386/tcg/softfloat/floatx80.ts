/*
 * x87 operations on floatx80 values given as (se, hi, lo): se = sign<<15 | 15-bit
 * biased exponent, hi:lo = the 64-bit significand with its explicit integer bit.
 * Results go to s.se:s.hi:s.lo (and s.se2:s.hi2:s.lo2 for a second result).
 *
 * x87 rules: precision control (s.precision) rounds FADD/FSUB/FMUL/FDIV/FSQRT only;
 * NaN propagation picks the QNaN over an SNaN, else the larger significand; unnormals,
 * pseudo-NaNs and pseudo-infinities are invalid operands (IE, default NaN);
 * pseudo-denormals are read as denormals (DE).
 */
import {
  FloatStatus, FLAG_INVALID, FLAG_DENORMAL, FLAG_DIVBYZERO, FLAG_INEXACT,
  REL_UNORDERED, ROUND_TO_ZERO, ROUND_NEAREST_EVEN,
} from './float-status.js';
import { F64, U32, productError } from './native.js';
import {
  ua, ub, accSet, accNormalize, accRoundToInt, INT, intOverflow, intInexact, intRoundedUp,
  unpackX80, unpackF32, unpackF64, roundPack, packZero, packInf, packDefaultNaN,
  FMT_F32, FMT_F64, FMT_X80, CLS_ZERO, CLS_FINITE, CLS_INF, CLS_QNAN, CLS_SNAN, CLS_INVALID,
} from './round-pack.js';
import { binaryOp, sqrtOp, denormalAfter, OP_ADD, OP_SUB, OP_MUL, OP_DIV } from './arith.js';
import { compareUnpacked } from './compare.js';
import { int64ToAcc, unpackedToInt } from './convert.js';

/* x87 status word condition bits */
export const SW_C0 = 0x0100;
export const SW_C1 = 0x0200;
export const SW_C2 = 0x0400;
export const SW_C3 = 0x4000;

function isNaN(cls: number): boolean {
  return cls === CLS_QNAN || cls === CLS_SNAN;
}

function setResult(s: FloatStatus, se: number, hi: number, lo: number): void {
  s.se = se & 0xffff;
  s.hi = hi >>> 0;
  s.lo = lo >>> 0;
}

/**
 * Handle NaN and unsupported operands of a two-operand x87 op; true when the result
 * (a NaN) has been stored.
 */
function specialOperands2(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): boolean {
  const ca = ua.cls, cb = ub.cls;
  if (ca < CLS_QNAN && cb < CLS_QNAN) return false;
  if (ca === CLS_INVALID || cb === CLS_INVALID) {
    s.flags |= FLAG_INVALID;
    packDefaultNaN(s, FMT_X80);
    return true;
  }
  if (ca === CLS_SNAN || cb === CLS_SNAN) s.flags |= FLAG_INVALID;
  let useA: boolean;
  if (isNaN(ca) && isNaN(cb)) {
    if (ca !== cb) useA = ca === CLS_QNAN;
    else {
      const ah = aHi & 0x3fffffff, bh = bHi & 0x3fffffff;
      if (ah !== bh) useA = ah > bh;
      else if (aLo >>> 0 !== bLo >>> 0) useA = aLo >>> 0 > bLo >>> 0;
      else useA = (aSe & 0x8000) <= (bSe & 0x8000);
    }
  } else {
    useA = isNaN(ca);
  }
  if (useA) setResult(s, aSe, aHi | 0x40000000, aLo);
  else setResult(s, bSe, bHi | 0x40000000, bLo);
  return true;
}

function specialOperand1(se: number, hi: number, lo: number, s: FloatStatus): boolean {
  const c = ua.cls;
  if (c < CLS_QNAN) return false;
  if (c === CLS_INVALID) {
    s.flags |= FLAG_INVALID;
    packDefaultNaN(s, FMT_X80);
    return true;
  }
  if (c === CLS_SNAN) s.flags |= FLAG_INVALID;
  setResult(s, se, hi | 0x40000000, lo);
  return true;
}

/*
 * Fast path for 53-bit precision control under round-to-nearest (the Windows/FreeBSD
 * default): when both operands are normal doubles in disguise (low 11 significand bits
 * zero, exponent well inside the double range) and the result lands in the normal
 * double range, the host's double arithmetic rounds exactly as the x87 does, and an
 * error-free transformation gives PE and C1.  Doubles stay in the F64 scratch array.
 */
const X_FAST_MIN = 2 ** -900;
const X_FAST_MAX = 2 ** 900;

function doubleLike(se: number, hi: number, lo: number): boolean {
  const e = se & 0x7fff;
  return e > 16383 - 900 && e < 16383 + 900 && (hi & 0x80000000) !== 0 && (lo & 0x7ff) === 0;
}

/** Put the double-like floatx80 into F64 slot k. */
function loadDouble(k: number, se: number, hi: number, lo: number): void {
  U32[2 * k + 1] = ((se & 0x8000) << 16) | (((se & 0x7fff) - 16383 + 1023) << 20) | ((hi >>> 11) & 0xfffff);
  U32[2 * k] = (hi << 21) | (lo >>> 11);
}

/** Store F64[2] (a normal double) as the floatx80 result; `err` is exact - result. */
function storeDouble(s: FloatStatus, err: number): void {
  const dhi = U32[5], dlo = U32[4];
  s.se = ((dhi >>> 16) & 0x8000) | (((dhi >>> 20) & 0x7ff) - 1023 + 16383);
  s.hi = (0x80000000 | ((dhi & 0xfffff) << 11) | (dlo >>> 21)) >>> 0;
  s.lo = (dlo << 11) >>> 0;
  if (err !== 0) {
    s.flags |= FLAG_INEXACT;
    /* C1: rounded away from zero when the error points back toward zero */
    s.c1 = (err < 0) === (F64[2] > 0) ? 1 : 0;
  }
}

function fastArith53(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus, op: number): boolean {
  if (!doubleLike(aSe, aHi, aLo) || !doubleLike(bSe, bHi, bLo)) return false;
  loadDouble(0, aSe, aHi, aLo);
  loadDouble(1, bSe, bHi, bLo);
  const a = F64[0], b = F64[1];
  let r: number;
  if (op === OP_ADD || op === OP_SUB) {
    const bb = op === OP_SUB ? -b : b;
    r = a + bb;
    const m = Math.abs(r);
    if (!(m > X_FAST_MIN && m < X_FAST_MAX)) return false;
    F64[2] = r;
    const t = r - a;
    storeDouble(s, (a - (r - t)) + (bb - t));
    return true;
  }
  r = op === OP_MUL ? a * b : a / b;
  const m = Math.abs(r);
  if (!(m > X_FAST_MIN && m < X_FAST_MAX)) return false;
  F64[2] = r;
  if (op === OP_MUL) {
    storeDouble(s, productError());
  } else {
    /* q = a/b: exact - r = (a - r*b)/b; a - r*b = -(r*b - a) with r*b - a = (p - a) + e */
    F64[0] = r;
    F64[2] = r * b;
    const e = productError();
    const resid = a - F64[2] - e;
    F64[2] = r;
    storeDouble(s, resid === 0 ? 0 : (resid > 0) === (b > 0) ? 1 : -1);
  }
  return true;
}

function arith(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus, op: number): void {
  if (s.precision === 53 && s.roundingMode === ROUND_NEAREST_EVEN) {
    s.c1 = 0;
    if (fastArith53(aSe, aHi, aLo, bSe, bHi, bLo, s, op)) return;
  }
  unpackX80(ua, aSe, aHi, aLo);
  unpackX80(ub, bSe, bHi, bLo);
  s.c1 = 0;
  if (specialOperands2(aSe, aHi, aLo, bSe, bHi, bLo, s)) return;
  const before = s.flags;
  s.flags = 0;
  binaryOp(s, FMT_X80, s.precision, op);
  s.flags = before | denormalAfter(s.flags, true);
}

/** FADD: a + b. */
export function floatx80_add(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): void {
  arith(aSe, aHi, aLo, bSe, bHi, bLo, s, OP_ADD);
}
/** FSUB: a - b (FSUBR swaps the operands). */
export function floatx80_sub(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): void {
  arith(aSe, aHi, aLo, bSe, bHi, bLo, s, OP_SUB);
}
export function floatx80_mul(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): void {
  arith(aSe, aHi, aLo, bSe, bHi, bLo, s, OP_MUL);
}
/** FDIV: a / b (FDIVR swaps the operands). */
export function floatx80_div(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): void {
  arith(aSe, aHi, aLo, bSe, bHi, bLo, s, OP_DIV);
}

export function floatx80_sqrt(aSe: number, aHi: number, aLo: number, s: FloatStatus): void {
  unpackX80(ua, aSe, aHi, aLo);
  s.c1 = 0;
  if (specialOperand1(aSe, aHi, aLo, s)) return;
  const before = s.flags;
  s.flags = 0;
  sqrtOp(s, FMT_X80, s.precision);
  s.flags = before | denormalAfter(s.flags, false);
}

/**
 * FCOM/FCOMI (quiet=false: any NaN raises IE) and FUCOM/FUCOMI (quiet: only SNaN):
 * REL_*.  Condition codes: unordered C3=C2=C0=1, less C0, equal C3, greater none.
 */
export function floatx80_compare(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus, quiet: boolean): number {
  unpackX80(ua, aSe, aHi, aLo);
  unpackX80(ub, bSe, bHi, bLo);
  const ca = ua.cls, cb = ub.cls;
  if (ca >= CLS_QNAN || cb >= CLS_QNAN) {
    if (!quiet || ca === CLS_SNAN || cb === CLS_SNAN || ca === CLS_INVALID || cb === CLS_INVALID) s.flags |= FLAG_INVALID;
    return REL_UNORDERED;
  }
  if (ua.denormal || ub.denormal) s.flags |= FLAG_DENORMAL;
  return compareUnpacked();
}

/** The x87 condition bits (C3 C2 C0) for a compare relation. */
export function relationToSw(rel: number): number {
  return rel === REL_UNORDERED ? SW_C3 | SW_C2 | SW_C0 : rel === 0 ? SW_C0 : rel === 1 ? SW_C3 : 0;
}

/* ---------- loads and stores ---------- */

/** FLD m32: exact; an SNaN is quietened with IE, a denormal raises DE. */
export function float32_to_floatx80(a: number, s: FloatStatus): void {
  unpackF32(ua, a, false);
  fromNarrow(s, (a >>> 31) << 15, 0xc0000000 | ((a & 0x3fffff) << 8), 0);
}
/** FLD m64. */
export function float64_to_floatx80(hi: number, lo: number, s: FloatStatus): void {
  unpackF64(ua, hi, lo, false);
  fromNarrow(s, (hi >>> 31) << 15, 0xc0000000 | ((hi & 0x7ffff) << 11) | (lo >>> 21), lo << 11);
}

function fromNarrow(s: FloatStatus, signSe: number, nanHi: number, nanLo: number): void {
  const c = ua.cls;
  if (c === CLS_QNAN || c === CLS_SNAN) {
    if (c === CLS_SNAN) s.flags |= FLAG_INVALID;
    setResult(s, signSe | 0x7fff, nanHi, nanLo);
  } else if (c === CLS_ZERO) {
    setResult(s, signSe, 0, 0);
  } else if (c === CLS_INF) {
    setResult(s, signSe | 0x7fff, 0x80000000, 0);
  } else {
    if (ua.denormal) s.flags |= FLAG_DENORMAL;
    setResult(s, signSe | (ua.exp + 16383), ua.hi, ua.lo);
  }
}

/** FST m32: rounded under the control word's RC (not PC); returns the float32 bits as an int32. */
export function floatx80_to_float32(se: number, hi: number, lo: number, s: FloatStatus): number {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  const c = ua.cls;
  if (c >= CLS_QNAN) {
    if (c !== CLS_QNAN) s.flags |= FLAG_INVALID;
    if (c === CLS_INVALID) return 0xffc00000 | 0;
    return ((se & 0x8000) << 16) | 0x7fc00000 | ((hi >>> 8) & 0x3fffff);
  }
  if (c === CLS_ZERO) return packZero(s, FMT_F32, ua.sign);
  if (c === CLS_INF) return packInf(s, FMT_F32, ua.sign);
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  return roundPack(s, FMT_F32, 24);
}

/** FST m64: result in s.hi:s.lo. */
export function floatx80_to_float64(se: number, hi: number, lo: number, s: FloatStatus): void {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  const c = ua.cls;
  if (c >= CLS_QNAN) {
    if (c !== CLS_QNAN) s.flags |= FLAG_INVALID;
    if (c === CLS_INVALID) { packDefaultNaN(s, FMT_F64); return; }
    s.hi = ((se & 0x8000) << 16 | 0x7ff80000 | ((hi >>> 11) & 0x7ffff)) >>> 0;
    s.lo = ((hi << 21) | (lo >>> 11)) >>> 0;
    return;
  }
  if (c === CLS_ZERO) { packZero(s, FMT_F64, ua.sign); return; }
  if (c === CLS_INF) { packInf(s, FMT_F64, ua.sign); return; }
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  roundPack(s, FMT_F64, 53);
}

/** FILD m16/m32/m64: the two's-complement integer hi:lo (sign-extended), exact. */
export function int64_to_floatx80(hi: number, lo: number, s: FloatStatus): void {
  if (!int64ToAcc(hi, lo)) { setResult(s, 0, 0, 0); return; }
  roundPack(s, FMT_X80, 64);
}

/**
 * FIST/FISTP (truncate=false: RC rounding) and FISTTP (truncate) to a 16/32/64-bit
 * integer: result sign-extended in s.hi:s.lo, low word returned; invalid gives the
 * integer indefinite with IE.
 */
export function floatx80_to_int(se: number, hi: number, lo: number, bits: number, truncate: boolean, s: FloatStatus): number {
  unpackX80(ua, se, hi, lo);
  if (ua.cls === CLS_INVALID) ua.cls = CLS_QNAN;
  const r = unpackedToInt(s, bits, truncate ? ROUND_TO_ZERO : s.roundingMode);
  s.c1 = ua.cls === CLS_FINITE && intRoundedUp && (s.flags & FLAG_INVALID) === 0 ? 1 : 0;
  return r;
}

/* ---------- FRNDINT, FSCALE, FXTRACT ---------- */

/** FRNDINT: round to an integral value under RC (PC does not apply). */
export function floatx80_round_to_int(se: number, hi: number, lo: number, s: FloatStatus): void {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  if (specialOperand1(se, hi, lo, s)) return;
  const c = ua.cls;
  if (c === CLS_ZERO || c === CLS_INF || ua.exp >= 63) { setResult(s, se, hi, lo); return; }
  if (ua.denormal) s.flags |= FLAG_DENORMAL;
  accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0);
  accRoundToInt(s.roundingMode);
  if (intInexact) {
    s.flags |= FLAG_INEXACT;
    s.c1 = intRoundedUp ? 1 : 0;
  }
  if (intOverflow) { setResult(s, (ua.sign << 15) | (16383 + 64), 0x80000000, 0); return; }
  if ((INT[0] | INT[1]) === 0) { setResult(s, ua.sign << 15, 0, 0); return; }
  const c1 = s.c1;
  accSet(ua.sign, 63, INT[0], INT[1], 0, 0);
  accNormalize();
  roundPack(s, FMT_X80, 64);
  s.c1 = c1;
}

/** FSCALE: a * 2^trunc(b), rounded under RC at 64 bits. */
export function floatx80_scale(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): void {
  unpackX80(ua, aSe, aHi, aLo);
  unpackX80(ub, bSe, bHi, bLo);
  s.c1 = 0;
  if (specialOperands2(aSe, aHi, aLo, bSe, bHi, bLo, s)) return;
  const a = ua, b = ub;
  if (a.denormal || b.denormal) s.flags |= FLAG_DENORMAL;
  if (b.cls === CLS_INF) {
    if (b.sign === 0) {
      if (a.cls === CLS_ZERO) { invalidX80(s); return; }
      setResult(s, (a.sign << 15) | 0x7fff, 0x80000000, 0);
    } else {
      if (a.cls === CLS_INF) { invalidX80(s); return; }
      setResult(s, a.sign << 15, 0, 0);
    }
    return;
  }
  if (a.cls === CLS_ZERO || a.cls === CLS_INF) { setResult(s, aSe, aHi, aLo); return; }
  /* n = trunc(b), clamped: beyond +-2^17 the result saturates anyway. */
  let n = 0;
  if (b.cls === CLS_FINITE && b.exp >= 0) {
    n = b.exp > 17 ? 1 << 18 : Math.floor((b.hi >>> 0) / 2 ** (31 - b.exp));
    if (b.sign !== 0) n = -n;
  }
  accSet(a.sign, a.exp + n, a.hi, a.lo, 0, 0);
  roundPack(s, FMT_X80, 64);
}

/** FXTRACT: significand (exponent 0) to s.se:hi:lo, the unbiased exponent as floatx80 to s.se2:hi2:lo2. */
export function floatx80_xtract(se: number, hi: number, lo: number, s: FloatStatus): void {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  if (specialOperand1(se, hi, lo, s)) {
    s.se2 = s.se; s.hi2 = s.hi; s.lo2 = s.lo;
    return;
  }
  const c = ua.cls;
  if (c === CLS_ZERO) {
    s.flags |= FLAG_DIVBYZERO;
    s.se2 = 0xffff; s.hi2 = 0x80000000; s.lo2 = 0;
    setResult(s, se, 0, 0);
    return;
  }
  if (c === CLS_INF) {
    s.se2 = 0x7fff; s.hi2 = 0x80000000; s.lo2 = 0;
    setResult(s, se, hi, lo);
    return;
  }
  if (ua.denormal) s.flags |= FLAG_DENORMAL;
  const e = ua.exp;
  const sign = ua.sign;
  const mhi = ua.hi, mlo = ua.lo;
  int64_to_floatx80(e < 0 ? -1 : 0, e, s);
  s.se2 = s.se; s.hi2 = s.hi; s.lo2 = s.lo;
  setResult(s, (sign << 15) | 16383, mhi, mlo);
}

/** Return the operand ua itself; a pseudo-denormal comes back in its normal encoding. */
function passThrough(se: number, hi: number, lo: number, s: FloatStatus): void {
  if (ua.denormal) { accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 0); roundPack(s, FMT_X80, 64); }
  else setResult(s, se, hi, lo);
}

function invalidX80(s: FloatStatus): void {
  s.flags |= FLAG_INVALID;
  packDefaultNaN(s, FMT_X80);
}

/* ---------- FPREM / FPREM1 ---------- */

/**
 * FPREM (truncate=true) / FPREM1 (IEEE, round to nearest) of a by b: the partial
 * remainder to s.se:hi:lo; returns the condition bits: C2 when the reduction is
 * incomplete, else the quotient's low bits in C0 (q2), C3 (q1), C1 (q0).
 */
export function floatx80_rem(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, truncate: boolean, s: FloatStatus): number {
  unpackX80(ua, aSe, aHi, aLo);
  unpackX80(ub, bSe, bHi, bLo);
  s.c1 = 0;
  if (specialOperands2(aSe, aHi, aLo, bSe, bHi, bLo, s)) return 0;
  const a = ua, b = ub;
  if (a.cls === CLS_INF || b.cls === CLS_ZERO) { invalidX80(s); return 0; }
  if (a.denormal || b.denormal) s.flags |= FLAG_DENORMAL;
  if (a.cls === CLS_ZERO || b.cls === CLS_INF) { passThrough(aSe, aHi, aLo, s); return 0; }
  const expDiff = a.exp - b.exp;
  let sign = a.sign;
  const bh = b.hi, bl = b.lo;
  if (expDiff < 0) {
    /* |a| < |b|: quotient 0, except that FPREM1 rounds |a| > |b|/2 up to 1. */
    if (truncate || expDiff < -1 || !(a.hi > bh || (a.hi === bh && a.lo > bl))) {
      passThrough(aSe, aHi, aLo, s);
      return 0;
    }
    /* r = |b| - |a| = (2B - A) * 2^(eb-1-63), with the opposite sign. */
    let lo = bl * 2 - a.lo, hi = bh * 2 - a.hi;
    while (lo < 0) { lo += 4294967296; hi -= 1; }
    while (lo >= 4294967296) { lo -= 4294967296; hi += 1; }
    accSet(sign ^ 1, b.exp - 1, hi, lo, 0, 0);
    accNormalize();
    roundPack(s, FMT_X80, 64);
    return SW_C1;
  }
  const partial = expDiff >= 64;
  const n = partial ? 32 + (expDiff % 32) : expDiff;
  let rTop = 0, rHi = a.hi, rLo = a.lo, q = 0;
  for (let i = 0; ; i++) {
    let bit = 0;
    if (rTop !== 0 || rHi > bh || (rHi === bh && rLo >= bl)) {
      let lo = rLo - bl, borrow = 0;
      if (lo < 0) { lo += 4294967296; borrow = 1; }
      let hi = rHi - bh - borrow;
      if (hi < 0) hi += 4294967296;
      rTop = 0; rHi = hi; rLo = lo;
      bit = 1;
    }
    q = ((q << 1) | bit) & 7;
    if (i === n) break;
    rTop = rHi >>> 31;
    rHi = ((rHi << 1) | (rLo >>> 31)) >>> 0;
    rLo = (rLo << 1) >>> 0;
  }
  if (!partial && !truncate) {
    /* Round the quotient to nearest-even: compare 2R with B. */
    const r2Top = rHi >>> 31;
    const r2Hi = ((rHi << 1) | (rLo >>> 31)) >>> 0, r2Lo = (rLo << 1) >>> 0;
    const gt = r2Top !== 0 || r2Hi > bh || (r2Hi === bh && r2Lo > bl);
    const eq = r2Top === 0 && r2Hi === bh && r2Lo === bl;
    if (gt || (eq && (q & 1) !== 0)) {
      q = (q + 1) & 7;
      let lo = bl - rLo, hi = bh - rHi;
      if (lo < 0) { lo += 4294967296; hi -= 1; }
      rHi = hi; rLo = lo;
      sign ^= 1;
    }
  }
  const scale = partial ? b.exp + expDiff - n : b.exp;
  if ((rHi | rLo) === 0) {
    setResult(s, a.sign << 15, 0, 0);
  } else {
    accSet(sign, scale, rHi, rLo, 0, 0);
    accNormalize();
    roundPack(s, FMT_X80, 64);
  }
  if (partial) return SW_C2;
  return ((q & 4) !== 0 ? SW_C0 : 0) | ((q & 2) !== 0 ? SW_C3 : 0) | ((q & 1) !== 0 ? SW_C1 : 0);
}

/* ---------- constants and classification ---------- */

/* FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (opcodes D9 E8..EE): exponent and the
 * first 96 bits of each constant, rounded to 64 bits under RC as the x87 does. */
const CONST_EXP = [0, 1, 0, 1, -2, -1];
const CONST_W = [
  0x80000000, 0, 0,
  0xd49a784b, 0xcd1b8afe, 0x492bf6ff,
  0xb8aa3b29, 0x5c17f0bb, 0xbe87fed0,
  0xc90fdaa2, 0x2168c234, 0xc4c6628b,
  0x9a209a84, 0xfbcff798, 0x8f8959ac,
  0xb17217f7, 0xd1cf79ab, 0xc9e3b398,
];

/** Load constant k (0 = FLD1 ... 6 = FLDZ, the opcode's low 3 bits) into s.se:hi:lo; no flags. */
export function floatx80_const(k: number, s: FloatStatus): void {
  if (k === 6) { setResult(s, 0, 0, 0); return; }
  const flags = s.flags;
  accSet(0, CONST_EXP[k], CONST_W[3 * k], CONST_W[3 * k + 1], CONST_W[3 * k + 2], k === 0 ? 0 : 1);
  roundPack(s, FMT_X80, 64);
  s.flags = flags;
  s.c1 = 0;
}

/** FXAM: the class in C3 C2 C0 and the sign in C1 (status-word bits); `empty` for an empty ST0. */
export function floatx80_examine(se: number, hi: number, lo: number, empty: boolean): number {
  const c1 = (se & 0x8000) !== 0 ? SW_C1 : 0;
  if (empty) return SW_C3 | SW_C0 | c1;
  unpackX80(ua, se, hi, lo);
  switch (ua.cls) {
    case CLS_ZERO: return SW_C3 | c1;
    case CLS_INF: return SW_C2 | SW_C0 | c1;
    case CLS_QNAN: case CLS_SNAN: return SW_C0 | c1;
    case CLS_INVALID: return c1;
    default: return (ua.denormal ? SW_C3 | SW_C2 : SW_C2) | c1;
  }
}
