/*
 * Exact significand arithmetic on finite, non-zero unpacked operands (64-bit
 * significands with the leading one at bit 63).  Each routine leaves its exact result
 * (or enough quotient/root bits plus a sticky bit) normalised in the accumulator, ready
 * for roundPack.
 */
import {
  acc, accSet, accShiftRightJam, accNormalize, mul32, MUL, ua, ub, roundPack,
  packZero, packInf, packDefaultNaN, CLS_ZERO, CLS_INF, Unpacked,
} from './round-pack.js';
import { FloatStatus, ROUND_DOWN, FLAG_INVALID, FLAG_DIVBYZERO, FLAG_DENORMAL } from './float-status.js';

const TWO32 = 4294967296;

/**
 * acc = (aSign, a) + (bSign, b) for finite non-zero a, b (signs passed separately so that
 * subtraction is b's sign flipped).  Returns false when the exact sum is zero (opposite
 * signs, equal magnitudes); the caller chooses the zero's sign.  Operands are passed as
 * objects so that no uint32 limb is boxed at the call.
 */
export function addFinite(a: Unpacked, aSign: number, b: Unpacked, bSign: number): boolean {
  let aExp = a.exp, aHi = a.hi, aLo = a.lo, bExp = b.exp, bHi = b.hi, bLo = b.lo;
  if (aExp < bExp || (aExp === bExp && (aHi < bHi || (aHi === bHi && aLo < bLo)))) {
    let t = aSign; aSign = bSign; bSign = t;
    t = aExp; aExp = bExp; bExp = t;
    t = aHi; aHi = bHi; bHi = t;
    t = aLo; aLo = bLo; bLo = t;
  }
  accSet(aSign, aExp, bHi, bLo, 0, 0);
  accShiftRightJam(aExp - bExp);
  if (aSign === bSign) {
    let w1 = aLo + acc.w1;
    let w2 = aHi + acc.w2;
    if (w1 >= TWO32) { w1 -= TWO32; w2 += 1; }
    acc.w1 = w1;
    if (w2 >= TWO32) {
      acc.w2 = w2 - TWO32;
      accShiftRightJam(1);
      acc.w2 = (acc.w2 | 0x80000000) >>> 0;
      acc.exp = aExp + 1;
    } else {
      acc.w2 = w2;
    }
    return true;
  }
  /* |a| >= |b|: subtract, with the sticky bit jammed into the lowest limb. */
  let w0 = (acc.w0 | acc.sticky) >>> 0;
  let borrow = 0;
  if (w0 !== 0) { w0 = TWO32 - w0; borrow = 1; }
  let w1 = aLo - acc.w1 - borrow;
  borrow = 0;
  if (w1 < 0) { w1 += TWO32; borrow = 1; }
  let w2 = aHi - acc.w2 - borrow;
  if (w2 < 0) w2 += TWO32;
  if ((w2 | w1 | w0) === 0) return false;
  accSet(aSign, aExp, w2, w1, w0, 0);
  accNormalize();
  return true;
}

/** acc = a * b, exactly (a 128-bit product folded to 96 bits + sticky). */
function mulFinite(sign: number, a: Unpacked, b: Unpacked): void {
  const aExp = a.exp, aHi = a.hi, aLo = a.lo, bExp = b.exp, bHi = b.hi, bLo = b.lo;
  mul32(aLo, bLo);
  const c0 = MUL[1];
  let c1 = MUL[0];
  mul32(aLo, bHi);
  c1 += MUL[1];
  let c2 = MUL[0];
  mul32(aHi, bLo);
  c1 += MUL[1];
  c2 += MUL[0];
  mul32(aHi, bHi);
  c2 += MUL[1];
  let c3 = MUL[0];
  let k = Math.floor(c1 / TWO32);
  c1 -= k * TWO32;
  c2 += k;
  k = Math.floor(c2 / TWO32);
  c2 -= k * TWO32;
  c3 += k;
  let exp = aExp + bExp + 1;
  let s0 = c0;
  if (c3 < 0x80000000) {
    c3 = ((c3 << 1) | (c2 >>> 31)) >>> 0;
    c2 = ((c2 << 1) | (c1 >>> 31)) >>> 0;
    c1 = ((c1 << 1) | (c0 >>> 31)) >>> 0;
    s0 = (c0 << 1) >>> 0;
    exp -= 1;
  }
  accSet(sign, exp, c3, c2, c1, s0 !== 0 ? 1 : 0);
}

/**
 * acc = a / b to `bits` quotient bits (at most 96) plus a sticky bit for a non-zero
 * remainder: restoring division, one bit per step.
 */
function divFinite(sign: number, a: Unpacked, b: Unpacked, bits: number): void {
  const aExp = a.exp, aHi = a.hi, aLo = a.lo, bExp = b.exp, bHi = b.hi, bLo = b.lo;
  let exp = aExp - bExp;
  let rTop = 0, rHi = aHi, rLo = aLo;
  if (aHi < bHi || (aHi === bHi && aLo < bLo)) {
    exp -= 1;
    rTop = 1;
    rHi = ((aHi << 1) | (aLo >>> 31)) >>> 0;
    rLo = (aLo << 1) >>> 0;
  }
  /* Quotient bits are collected 32 at a time into q[], most significant word first. */
  let q2 = 0, q1 = 0, q0 = 0, cur = 0;
  for (let i = 0; i < bits; i++) {
    let bit = 0;
    if (rTop !== 0 || rHi > bHi || (rHi === bHi && rLo >= bLo)) {
      let lo = rLo - bLo, borrow = 0;
      if (lo < 0) { lo += TWO32; borrow = 1; }
      let hi = rHi - bHi - borrow;
      if (hi < 0) hi += TWO32;
      rTop = 0; rHi = hi; rLo = lo;
      bit = 1;
    }
    cur = (cur << 1) | bit;
    if ((i & 31) === 31) {
      if (i < 32) q2 = cur >>> 0; else if (i < 64) q1 = cur >>> 0; else q0 = cur >>> 0;
      cur = 0;
    }
    rTop = rHi >>> 31;
    rHi = ((rHi << 1) | (rLo >>> 31)) >>> 0;
    rLo = (rLo << 1) >>> 0;
  }
  const rem = bits & 31;
  if (rem !== 0) {
    const w = (cur << (32 - rem)) >>> 0;
    if (bits < 32) q2 = w; else if (bits < 64) q1 = w; else q0 = w;
  }
  accSet(sign, exp, q2, q1, q0, (rTop | rHi | rLo) !== 0 ? 1 : 0);
}

/**
 * acc = sqrt((aExp, aHi:aLo)) to 66 root bits plus sticky: digit-by-digit square root
 * of the integer A * 2^t, with t chosen so that the exponent stays even.
 */
function sqrtFinite(a: Unpacked): void {
  const aExp = a.exp, aHi = a.hi, aLo = a.lo;
  /* value = A * 2^(aExp-63); radicand M = A * 2^t, value = M * 2^(aExp-63-t). */
  const t = ((aExp - 63 - 66) & 1) === 0 ? 66 : 67;
  const pairs = (t + 64 + 1) >>> 1;
  /* Root q and remainder r as three-limb numbers. */
  let q2 = 0, q1 = 0, q0 = 0;
  let r2 = 0, r1 = 0, r0 = 0;
  for (let j = pairs - 1; j >= 0; j--) {
    /* Bits 2j+1, 2j of M. */
    const b1 = 2 * j + 1 - t, b0 = 2 * j - t;
    const two = (bitOf(aHi, aLo, b1) << 1) | bitOf(aHi, aLo, b0);
    /* r = r*4 + two */
    r2 = ((r2 << 2) | (r1 >>> 30)) >>> 0;
    r1 = ((r1 << 2) | (r0 >>> 30)) >>> 0;
    r0 = ((r0 << 2) | two) >>> 0;
    /* trial = q*4 + 1 */
    const t2 = ((q2 << 2) | (q1 >>> 30)) >>> 0;
    const t1 = ((q1 << 2) | (q0 >>> 30)) >>> 0;
    const t0 = ((q0 << 2) | 1) >>> 0;
    const ge = r2 > t2 || (r2 === t2 && (r1 > t1 || (r1 === t1 && r0 >= t0)));
    /* q = q*2 + ge */
    q2 = ((q2 << 1) | (q1 >>> 31)) >>> 0;
    q1 = ((q1 << 1) | (q0 >>> 31)) >>> 0;
    q0 = ((q0 << 1) | (ge ? 1 : 0)) >>> 0;
    if (ge) {
      let x0 = r0 - t0, borrow = 0;
      if (x0 < 0) { x0 += TWO32; borrow = 1; }
      let x1 = r1 - t1 - borrow;
      borrow = 0;
      if (x1 < 0) { x1 += TWO32; borrow = 1; }
      r2 = r2 - t2 - borrow;
      r1 = x1;
      r0 = x0;
    }
  }
  /* The root has `pairs` bits; its leading one has exponent (pairs-1) + (aExp-63-t)/2. */
  accSet(0, pairs - 1 + (aExp - 63 - t) / 2, q2, q1, q0, (r2 | r1 | r0) !== 0 ? 1 : 0);
  const sticky = acc.sticky;
  acc.sticky = 0;
  const e = acc.exp;
  accNormalize();
  acc.exp = e;
  acc.sticky = sticky;
}

function bitOf(hi: number, lo: number, b: number): number {
  if (b < 0 || b > 63) return 0;
  return b >= 32 ? (hi >>> (b - 32)) & 1 : (lo >>> b) & 1;
}

/* ---------- IEEE operations on unpacked operands (NaNs already handled by the caller) ---------- */

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;

/**
 * ua (op) ub for non-NaN operands, rounded to `prec` bits in format fmt; invalid
 * operations give the default NaN.  Returns what roundPack returns.
 */
export function binaryOp(st: FloatStatus, fmt: number, prec: number, op: number): number {
  const a = ua, b = ub;
  if (op <= OP_SUB) {
    const bSign = op === OP_SUB ? b.sign ^ 1 : b.sign;
    if (a.cls === CLS_INF) {
      if (b.cls === CLS_INF && bSign !== a.sign) return invalid(st, fmt);
      return packInf(st, fmt, a.sign);
    }
    if (b.cls === CLS_INF) return packInf(st, fmt, bSign);
    if (a.cls === CLS_ZERO) {
      if (b.cls === CLS_ZERO) {
        const s = a.sign === bSign ? a.sign : st.roundingMode === ROUND_DOWN ? 1 : 0;
        return packZero(st, fmt, s);
      }
      accSet(bSign, b.exp, b.hi, b.lo, 0, 0);
      return roundPack(st, fmt, prec);
    }
    if (b.cls === CLS_ZERO) {
      accSet(a.sign, a.exp, a.hi, a.lo, 0, 0);
      return roundPack(st, fmt, prec);
    }
    if (!addFinite(a, a.sign, b, bSign)) {
      return packZero(st, fmt, st.roundingMode === ROUND_DOWN ? 1 : 0);
    }
    return roundPack(st, fmt, prec);
  }
  const sign = a.sign ^ b.sign;
  if (op === OP_MUL) {
    if (a.cls === CLS_INF || b.cls === CLS_INF) {
      if (a.cls === CLS_ZERO || b.cls === CLS_ZERO) return invalid(st, fmt);
      return packInf(st, fmt, sign);
    }
    if (a.cls === CLS_ZERO || b.cls === CLS_ZERO) return packZero(st, fmt, sign);
    mulFinite(sign, a, b);
    return roundPack(st, fmt, prec);
  }
  if (a.cls === CLS_INF) {
    if (b.cls === CLS_INF) return invalid(st, fmt);
    return packInf(st, fmt, sign);
  }
  if (b.cls === CLS_INF) return packZero(st, fmt, sign);
  if (b.cls === CLS_ZERO) {
    if (a.cls === CLS_ZERO) return invalid(st, fmt);
    st.flags |= FLAG_DIVBYZERO;
    return packInf(st, fmt, sign);
  }
  if (a.cls === CLS_ZERO) return packZero(st, fmt, sign);
  divFinite(sign, a, b, prec + 2);
  return roundPack(st, fmt, prec);
}

/** sqrt(ua) for a non-NaN operand. */
export function sqrtOp(st: FloatStatus, fmt: number, prec: number): number {
  const a = ua;
  if (a.cls === CLS_ZERO) return packZero(st, fmt, a.sign);
  if (a.sign !== 0) return invalid(st, fmt);
  if (a.cls === CLS_INF) return packInf(st, fmt, 0);
  sqrtFinite(a);
  return roundPack(st, fmt, prec);
}

export function invalid(st: FloatStatus, fmt: number): number {
  st.flags |= FLAG_INVALID;
  return packDefaultNaN(st, fmt);
}

/**
 * The flags of an operation on ua/ub plus DE for a denormal operand: x86 reports DE
 * only when no invalid-operation or divide-by-zero exception took precedence.
 */
export function denormalAfter(flags: number, binary: boolean): number {
  if ((ua.denormal || (binary && ub.denormal)) && (flags & (FLAG_INVALID | FLAG_DIVBYZERO)) === 0) return flags | FLAG_DENORMAL;
  return flags;
}
