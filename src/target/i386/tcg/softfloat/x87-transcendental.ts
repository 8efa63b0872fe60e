/*
 * x87 transcendental instructions: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X,
 * FYL2XP1.
 *
 * How they match the host: the value is computed in double-double (~106 bits) and
 * rounded once to 64 bits under RC, so results are the correctly rounded value except
 * in rare hard cases.  The trigonometric argument reduction is done as the x87 does
 * it, exactly, with pi rounded to 66 bits (so FSIN of a large argument gives the x87's
 * answer, not the mathematically exact one), and |x| >= 2^63 sets C2 and leaves the
 * operand unchanged.  Results go to s.se:s.hi:s.lo (FSINCOS: cosine there, sine in
 * s.se2:s.hi2:s.lo2); the functions return the C2 bit (SW_C2) or 0; C1 is s.c1.
 */
import { FloatStatus, FLAG_INVALID, FLAG_DENORMAL, FLAG_DIVBYZERO, FLAG_INEXACT, FLAG_UNDERFLOW } from './float-status.js';
import {
  ua, ub, acc, accSet, accNormalize, accShiftRightJam, roundPack, packDefaultNaN, unpackX80, mul32, MUL,
  FMT_X80, Unpacked, CLS_ZERO, CLS_FINITE, CLS_INF, CLS_QNAN, CLS_SNAN,
} from './round-pack.js';
import { addFinite } from './arith.js';
import { ddH, ddL, twoSum, ddAdd, ddMul, ddDiv, ddSqrt, ddToAcc, sigToDd } from './double-double.js';
import { SW_C2 } from './floatx80.js';

const PI_H = 3.141592653589793, PI_L = 1.2246467991473532e-16;
const PI2_H = 1.5707963267948966, PI2_L = 6.123233995736766e-17;
const LN2_H = 0.6931471805599453, LN2_L = 2.3190468138462996e-17;
const LOG2E_H = 1.4426950408889634, LOG2E_L = 2.0355273740931033e-17;
/* 96-bit significands (truncated; the constants are irrational, so sticky is set). */
const PI_W2 = 3373259426, PI_W1 = 560513588, PI_W0 = 3301335691;
const LN2_W2 = 2977044471, LN2_W1 = 3520035243, LN2_W0 = 3387143064;
const LOG2E_W2 = 3098164009, LOG2E_W1 = 1545072827, LOG2E_W0 = 3196583632;
/* The x87's pi/2 for argument reduction: pi rounded to 66 bits, as the 68-bit integer P * 2^-67. */
const P2 = 0xc, P1 = 0x90fdaa22, P0 = 0x168c234c;

const ONE = new Unpacked();
ONE.cls = CLS_FINITE;
ONE.hi = 0x80000000;

function setResult(s: FloatStatus, se: number, hi: number, lo: number): void {
  s.se = se & 0xffff;
  s.hi = hi >>> 0;
  s.lo = lo >>> 0;
}

/** x86 does not report DE when the same operation raised IE or ZE. */
function denormalPrecedence(flags: number): number {
  return (flags & (FLAG_INVALID | FLAG_DIVBYZERO)) !== 0 ? flags & ~FLAG_DENORMAL : flags;
}

/** NaN / unsupported operand of a one-operand function; true when the result is stored. */
function special1(se: number, hi: number, lo: number, s: FloatStatus): boolean {
  const c = ua.cls;
  if (c < CLS_QNAN) return false;
  if (c !== CLS_QNAN) s.flags |= FLAG_INVALID;
  if (c === CLS_QNAN || c === CLS_SNAN) setResult(s, se, hi | 0x40000000, lo);
  else packDefaultNaN(s, FMT_X80);
  return true;
}

/** NaN / unsupported operands of a two-operand function (x87 NaN rules). */
function special2(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, s: FloatStatus): boolean {
  const ca = ua.cls, cb = ub.cls;
  if (ca < CLS_QNAN && cb < CLS_QNAN) return false;
  if (ca > CLS_SNAN || cb > CLS_SNAN) { invalid(s); return true; }
  if (ca === CLS_SNAN || cb === CLS_SNAN) s.flags |= FLAG_INVALID;
  let useA: boolean;
  if (ca >= CLS_QNAN && cb >= CLS_QNAN) {
    if (ca !== cb) useA = ca === CLS_QNAN;
    else {
      const ah = aHi & 0x3fffffff, bh = bHi & 0x3fffffff;
      useA = ah !== bh ? ah > bh : aLo >>> 0 !== bLo >>> 0 ? aLo >>> 0 > bLo >>> 0 : (aSe & 0x8000) <= (bSe & 0x8000);
    }
  } else {
    useA = ca >= CLS_QNAN;
  }
  if (useA) setResult(s, aSe, aHi | 0x40000000, aLo);
  else setResult(s, bSe, bHi | 0x40000000, bLo);
  return true;
}

function invalid(s: FloatStatus): void {
  s.flags |= FLAG_INVALID;
  packDefaultNaN(s, FMT_X80);
}

/**
 * Round the accumulator to 64 bits under RC into s.se:hi:lo.  The host reports PE for
 * every computed transcendental result, even one that happens to be representable ...
 */
function finish(s: FloatStatus): void {
  roundPack(s, FMT_X80, 64);
  /* ... and so also UE for every tiny result */
  s.flags |= (s.se & 0x7fff) === 0 ? FLAG_INEXACT | FLAG_UNDERFLOW : FLAG_INEXACT;
}

/** Round a double-double (times 2^scale, with sign) into s.se:hi:lo. */
function finishDd(s: FloatStatus, sign: number, h: number, l: number, scale: number): void {
  if (!ddToAcc(sign, h, l, scale)) { setResult(s, sign << 15, 0, 0); s.flags |= FLAG_INEXACT | FLAG_UNDERFLOW; return; }
  finish(s);
}

/** Load ua's value nudged by a tiny amount below (dir<0) or above (dir>0) in magnitude. */
function accNudged(dir: number): void {
  if (dir > 0) {
    accSet(ua.sign, ua.exp, ua.hi, ua.lo, 0, 1);
    return;
  }
  let lo = ua.lo - 1, hi = ua.hi;
  if (lo < 0) { lo += 4294967296; hi -= 1; }
  accSet(ua.sign, ua.exp, hi, lo, 0xffffffff, 1);
  accNormalize();
}

/** A constant (96-bit significand, irrational: sticky) times 2^exp, with sign. */
function accConst(sign: number, exp: number, w2: number, w1: number, w0: number): void {
  accSet(sign, exp, w2, w1, w0, 1);
}

/** acc *= (hi:lo) * 2^(e-63): a 96x64-bit product, top 96 bits kept plus sticky. */
function accMul64(sign: number, e: number, hi: number, lo: number): void {
  const a0 = acc.w0, a1 = acc.w1, a2 = acc.w2;
  mul32(a0, lo); const c0 = MUL[1]; let c1 = MUL[0];
  mul32(a0, hi); c1 += MUL[1]; let c2 = MUL[0];
  mul32(a1, lo); c1 += MUL[1]; c2 += MUL[0];
  mul32(a1, hi); c2 += MUL[1]; let c3 = MUL[0];
  mul32(a2, lo); c2 += MUL[1]; c3 += MUL[0];
  mul32(a2, hi); c3 += MUL[1]; let c4 = MUL[0];
  let k = Math.floor(c1 / 4294967296); c1 -= k * 4294967296; c2 += k;
  k = Math.floor(c2 / 4294967296); c2 -= k * 4294967296; c3 += k;
  k = Math.floor(c3 / 4294967296); c3 -= k * 4294967296; c4 += k;
  let exp = acc.exp + e + 1;
  let low = c1;
  if (c4 < 0x80000000) {
    c4 = ((c4 << 1) | (c3 >>> 31)) >>> 0;
    c3 = ((c3 << 1) | (c2 >>> 31)) >>> 0;
    c2 = ((c2 << 1) | (c1 >>> 31)) >>> 0;
    low = (c1 << 1) >>> 0;
    exp -= 1;
  }
  accSet(sign, exp, c4, c3, c2, (low | c0 | acc.sticky) !== 0 ? 1 : 0);
}

/* ---------- trigonometric ---------- */

let redK = 0;
let redH = 0;
let redL = 0;

/** Reduce |ua| (finite, exponent < 63) as the x87 does: |x| = k * pi66/2 + r, |r| <= pi66/4. */
function reduce(): void {
  const e = ua.exp;
  if (e < -1) {
    sigToDd(ua.hi, ua.lo, e);
    redH = ddH; redL = ddL; redK = 0;
    return;
  }
  /* R = X * 2^(e+4) mod P, one quotient bit per step (X < 2^64 < P * 2^-3 * 2^4). */
  const n = e + 4;
  let r2 = 0, r1 = ua.hi, r0 = ua.lo, q = 0;
  for (let i = 0; ; i++) {
    q = (q << 1) & 3;
    if (r2 > P2 || (r2 === P2 && (r1 > P1 || (r1 === P1 && r0 >= P0)))) {
      let x0 = r0 - P0, b = 0;
      if (x0 < 0) { x0 += 4294967296; b = 1; }
      let x1 = r1 - P1 - b;
      b = 0;
      if (x1 < 0) { x1 += 4294967296; b = 1; }
      r2 = r2 - P2 - b; r1 = x1; r0 = x0;
      q |= 1;
    }
    if (i === n) break;
    r2 = (r2 * 2) + (r1 >>> 31);
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = (r0 << 1) >>> 0;
  }
  /* Round k to nearest: if 2R > P use R - P. */
  const t2 = r2 * 2 + (r1 >>> 31), t1 = ((r1 << 1) | (r0 >>> 31)) >>> 0, t0 = (r0 << 1) >>> 0;
  let neg = false;
  if (t2 > P2 || (t2 === P2 && (t1 > P1 || (t1 === P1 && t0 > P0)))) {
    let x0 = P0 - r0, b = 0;
    if (x0 < 0) { x0 += 4294967296; b = 1; }
    let x1 = P1 - r1 - b;
    b = 0;
    if (x1 < 0) { x1 += 4294967296; b = 1; }
    r2 = P2 - r2 - b; r1 = x1; r0 = x0;
    q = (q + 1) & 3;
    neg = true;
  }
  const sc = 2 ** -67;
  twoSum((r2 * 4294967296 + r1) * 4294967296 * sc, r0 * sc);
  redH = neg ? -ddH : ddH;
  redL = neg ? -ddL : ddL;
  redK = q;
}

let sinH = 0, sinL = 0, cosH = 0, cosL = 0;

/** sin and cos of the reduced argument by their Taylor series in double-double. */
function sinCosReduced(): void {
  const rh = redH, rl = redL;
  ddMul(rh, rl, rh, rl);
  const zh = ddH, zl = ddL;
  let th = rh, tl = rl, sh = rh, sl = rl;
  for (let k = 1; k < 30; k++) {
    ddMul(th, tl, zh, zl);
    ddDiv(ddH, ddL, (2 * k) * (2 * k + 1), 0);
    th = -ddH; tl = -ddL;
    ddAdd(sh, sl, th, tl);
    sh = ddH; sl = ddL;
    if (Math.abs(th) < Math.abs(sh) * 1e-34) break;
  }
  sinH = sh; sinL = sl;
  th = 1; tl = 0; sh = 1; sl = 0;
  for (let k = 1; k < 30; k++) {
    ddMul(th, tl, zh, zl);
    ddDiv(ddH, ddL, (2 * k - 1) * (2 * k), 0);
    th = -ddH; tl = -ddL;
    ddAdd(sh, sl, th, tl);
    sh = ddH; sl = ddL;
    if (Math.abs(th) < 1e-34) break;
  }
  cosH = sh; cosL = sl;
}

/* Which function: 0 sin, 1 cos, 2 tan. */
function trigValue(s: FloatStatus, fn: number): void {
  const sign = ua.sign;
  const k = redK;
  if (fn === 2) {
    if ((k & 1) === 0) ddDiv(sinH, sinL, cosH, cosL);
    else ddDiv(-cosH, -cosL, sinH, sinL);
    finishDd(s, sign, ddH, ddL, 0);
    return;
  }
  /* sin(x + k*pi/2) = [sin, cos, -sin, -cos][k]; cos = sin shifted by one quadrant. */
  const q = (k + fn) & 3;
  const h = (q & 1) === 0 ? sinH : cosH, l = (q & 1) === 0 ? sinL : cosL;
  const neg = (q & 2) !== 0;
  finishDd(s, fn === 1 ? (neg ? 1 : 0) : sign ^ (neg ? 1 : 0), h, l, 0);
}

/**
 * Shared operand handling of FSIN/FCOS/FPTAN/FSINCOS; returns -1 when the result is
 * already stored, 0 to evaluate, or SW_C2 for an out-of-range operand (left unchanged).
 */
function trigPrologue(se: number, hi: number, lo: number, s: FloatStatus): number {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  if (special1(se, hi, lo, s)) return -1;
  if (ua.cls === CLS_INF) { invalid(s); return -1; }
  if (ua.cls === CLS_FINITE && ua.exp >= 63) { setResult(s, se, hi, lo); return SW_C2; }
  if (ua.denormal) s.flags |= FLAG_DENORMAL;
  return 0;
}

const TINY = -40;

/**
 * cos x for 2^-40 <= |x| < 2^-16: 1 - d with d = x^2/2 - x^4/24 + x^6/720 in double-double,
 * and the subtraction from 1 done exactly in the accumulator.  (In double-double,
 * 1 - d would drop d's low bits, and 1 - x^2/2 sits almost exactly on a rounding
 * boundary when x has few significant bits.)
 */
function cosSmall(s: FloatStatus): void {
  sigToDd(ua.hi, ua.lo, ua.exp);
  ddMul(ddH, ddL, ddH, ddL);
  const zh = ddH, zl = ddL;
  /* d = z/2 - z^2/24 + z^3/720 */
  ddMul(zh, zl, zh, zl);
  const z2h = ddH, z2l = ddL;
  ddMul(z2h, z2l, zh, zl);
  ddDiv(ddH, ddL, 720, 0);
  const t3h = ddH, t3l = ddL;
  ddDiv(z2h, z2l, -24, 0);
  ddAdd(ddH, ddL, t3h, t3l);
  ddAdd(ddH, ddL, zh / 2, zl / 2);
  ddToAcc(0, ddH, ddL, 0);
  /* Align d to the units bit (bit 95 = 2^0), then 1 - d with the sticky bit jammed. */
  accShiftRightJam(-acc.exp);
  let w0 = (acc.w0 | acc.sticky) >>> 0, borrow = 0;
  if (w0 !== 0) { w0 = 4294967296 - w0; borrow = 1; }
  let w1 = 0 - acc.w1 - borrow;
  borrow = 0;
  if (w1 < 0) { w1 += 4294967296; borrow = 1; }
  const w2 = 0x80000000 - acc.w2 - borrow;
  accSet(0, 0, w2, w1, w0, 0);
  accNormalize();
  finish(s);
}

/** FSIN. */
export function floatx80_sin(se: number, hi: number, lo: number, s: FloatStatus): number {
  const p = trigPrologue(se, hi, lo, s);
  if (p !== 0) return p < 0 ? 0 : p;
  if (ua.cls === CLS_ZERO) { setResult(s, se, 0, 0); return 0; }
  if (ua.exp < TINY) { accNudged(-1); finish(s); return 0; }
  reduce();
  sinCosReduced();
  trigValue(s, 0);
  return 0;
}

/** FCOS. */
export function floatx80_cos(se: number, hi: number, lo: number, s: FloatStatus): number {
  const p = trigPrologue(se, hi, lo, s);
  if (p !== 0) return p < 0 ? 0 : p;
  if (ua.cls === CLS_ZERO) { setResult(s, 0x3fff, 0x80000000, 0); return 0; }
  if (ua.exp < TINY) {
    accSet(0, -1, 0xffffffff, 0xffffffff, 0xffffffff, 1);
    finish(s);
    return 0;
  }
  if (ua.exp < -16) { cosSmall(s); return 0; }
  reduce();
  sinCosReduced();
  trigValue(s, 1);
  return 0;
}

/** FPTAN: the tangent (the CPU then pushes 1.0). */
export function floatx80_tan(se: number, hi: number, lo: number, s: FloatStatus): number {
  const p = trigPrologue(se, hi, lo, s);
  if (p !== 0) return p < 0 ? 0 : p;
  if (ua.cls === CLS_ZERO) { setResult(s, se, 0, 0); return 0; }
  if (ua.exp < TINY) { accNudged(1); finish(s); return 0; }
  reduce();
  sinCosReduced();
  trigValue(s, 2);
  return 0;
}

/** FSINCOS: cosine to s.se:hi:lo (the new ST0), sine to s.se2:hi2:lo2 (ST1). */
export function floatx80_sincos(se: number, hi: number, lo: number, s: FloatStatus): number {
  const p = trigPrologue(se, hi, lo, s);
  if (p !== 0) {
    s.se2 = s.se; s.hi2 = s.hi; s.lo2 = s.lo;
    return p < 0 ? 0 : p;
  }
  if (ua.cls === CLS_ZERO) {
    s.se2 = se & 0xffff; s.hi2 = 0; s.lo2 = 0;
    setResult(s, 0x3fff, 0x80000000, 0);
    return 0;
  }
  if (ua.exp < TINY) {
    accNudged(-1);
    finish(s);
    const c1 = s.c1;
    s.se2 = s.se; s.hi2 = s.hi; s.lo2 = s.lo;
    accSet(0, -1, 0xffffffff, 0xffffffff, 0xffffffff, 1);
    finish(s);
    s.c1 |= c1;
    return 0;
  }
  reduce();
  sinCosReduced();
  trigValue(s, 0);
  const c1 = s.c1;
  s.se2 = s.se; s.hi2 = s.hi; s.lo2 = s.lo;
  if (ua.exp < -16) cosSmall(s);
  else trigValue(s, 1);
  s.c1 |= c1;
  return 0;
}

/* ---------- F2XM1 ---------- */

/** F2XM1: 2^x - 1 (defined by the SDM for -1 <= x <= 1). */
export function floatx80_2xm1(se: number, hi: number, lo: number, s: FloatStatus): void {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  if (special1(se, hi, lo, s)) return;
  const c = ua.cls;
  if (c === CLS_ZERO) { setResult(s, se, 0, 0); return; }
  if (c === CLS_INF) {
    if (ua.sign !== 0) setResult(s, 0xbfff, 0x80000000, 0);
    else setResult(s, se, hi, lo);
    return;
  }
  if (ua.denormal) s.flags |= FLAG_DENORMAL;
  if (ua.exp < -80) {
    /* 2^x - 1 = x * ln2 * (1 + x*ln2/2 + ...): the correction is below the 96 bits kept. */
    accConst(ua.sign, -1, LN2_W2, LN2_W1, LN2_W0);
    accMul64(ua.sign, ua.exp, ua.hi, ua.lo);
    finish(s);
    return;
  }
  if (ua.exp >= 0 && !(ua.exp === 0 && ua.hi === 0x80000000 && ua.lo === 0)) {
    /* |x| > 1 is outside the domain: the host (AMD) returns x with PE. */
    s.flags |= FLAG_INEXACT;
    setResult(s, se, hi, lo);
    return;
  }
  sigToDd(ua.hi, ua.lo, ua.exp);
  ddMul(ua.sign !== 0 ? -ddH : ddH, ua.sign !== 0 ? -ddL : ddL, LN2_H, LN2_L);
  const th = ddH, tl = ddL;
  /* expm1(t) = t + t^2/2! + ... */
  let ph = th, pl = tl, sh = th, sl = tl;
  for (let n = 2; n < 200; n++) {
    ddMul(ph, pl, th, tl);
    ddDiv(ddH, ddL, n, 0);
    ph = ddH; pl = ddL;
    ddAdd(sh, sl, ph, pl);
    sh = ddH; sl = ddL;
    if (Math.abs(ph) < Math.abs(sh) * 1e-34) break;
  }
  finishDd(s, 0, sh, sl, 0);
}

/* ---------- logarithms ---------- */

/** 2*atanh(z) = ln((1+z)/(1-z)) for |z| <= 0.18, by its series, to ddH/ddL. */
function twoAtanh(zh: number, zl: number): void {
  ddMul(zh, zl, zh, zl);
  const z2h = ddH, z2l = ddL;
  let ph = zh, pl = zl, sh = zh, sl = zl;
  for (let k = 1; k < 60; k++) {
    ddMul(ph, pl, z2h, z2l);
    ph = ddH; pl = ddL;
    ddDiv(ph, pl, 2 * k + 1, 0);
    const th = ddH, tl = ddL;
    ddAdd(sh, sl, th, tl);
    sh = ddH; sl = ddL;
    if (Math.abs(th) < Math.abs(sh) * 1e-34) break;
  }
  ddMul(sh, sl, 2, 0);
}

let logH = 0, logL = 0;

/**
 * log2 of the positive value W * 2^(e-95), W the 96-bit w2:w1:w0 with its top bit set,
 * into logH/logL: log2(m) = 2*atanh((m-1)/(m+1)) * log2(e), m in [sqrt(1/2), sqrt(2)).
 */
function log2Wide(e: number, w2: number, w1: number, w0: number): void {
  if (w2 >= 0xb504f334) {
    /* m/2 in [0.707, 1): m/2 - 1 = -(2^96 - W) * 2^-96 */
    e += 1;
    let n0 = 4294967296 - w0, n1 = 4294967295 - w1, n2 = 4294967295 - w2;
    if (n0 === 4294967296) {
      n0 = 0; n1 += 1;
      if (n1 === 4294967296) { n1 = 0; n2 += 1; }
    }
    twoSum(-n2 * 2 ** -32, -n1 * 2 ** -64);
    ddAdd(ddH, ddL, -n0 * 2 ** -96, 0);
  } else {
    twoSum((w2 - 0x80000000) * 2 ** -31, w1 * 2 ** -63);
    ddAdd(ddH, ddL, w0 * 2 ** -95, 0);
  }
  const mh = ddH, ml = ddL;
  /* z = (m-1)/(m+1) */
  ddAdd(mh, ml, 2, 0);
  ddDiv(mh, ml, ddH, ddL);
  twoAtanh(ddH, ddL);
  ddMul(ddH, ddL, LOG2E_H, LOG2E_L);
  ddAdd(ddH, ddL, e, 0);
  logH = ddH; logL = ddL;
}

/** Multiply the double-double log value by ub (finite, non-zero) and round into s. */
function finishLogTimesY(s: FloatStatus): void {
  if (!ddToAcc(0, logH, logL, 0)) { setResult(s, (ub.sign) << 15, 0, 0); return; }
  accMul64(acc.sign ^ ub.sign, ub.exp, ub.hi, ub.lo);
  finish(s);
}

/** FYL2X: y * log2(x), x = ST0, y = ST1. */
function yl2x(xSe: number, xHi: number, xLo: number, ySe: number, yHi: number, yLo: number, s: FloatStatus): void {
  unpackX80(ua, xSe, xHi, xLo);
  unpackX80(ub, ySe, yHi, yLo);
  s.c1 = 0;
  if (special2(xSe, xHi, xLo, ySe, yHi, yLo, s)) return;
  const x = ua, y = ub;
  if (x.sign !== 0 && x.cls !== CLS_ZERO) { invalid(s); return; }
  if (x.cls === CLS_ZERO) {
    /* IE and ZE take precedence over DE */
    if (y.cls === CLS_ZERO) { invalid(s); return; }
    if (y.cls !== CLS_INF) s.flags |= FLAG_DIVBYZERO;
    setResult(s, ((y.sign ^ 1) << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (x.denormal || y.denormal) s.flags |= FLAG_DENORMAL;
  if (x.cls === CLS_INF) {
    if (y.cls === CLS_ZERO) { invalid(s); return; }
    setResult(s, (y.sign << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  const isOne = x.exp === 0 && x.hi === 0x80000000 && x.lo === 0;
  const below1 = x.exp < 0;
  if (isOne) {
    if (y.cls === CLS_INF) { invalid(s); return; }
    setResult(s, y.sign << 15, 0, 0);
    return;
  }
  if (y.cls === CLS_INF || y.cls === CLS_ZERO) {
    setResult(s, ((y.sign ^ (below1 ? 1 : 0)) << 15) | (y.cls === CLS_INF ? 0x7fff : 0), y.cls === CLS_INF ? 0x80000000 : 0, 0);
    return;
  }
  log2Wide(x.exp, x.hi, x.lo, 0);
  finishLogTimesY(s);
}

/** FYL2XP1: y * log2(x + 1), x = ST0, y = ST1 (defined for |x| < 1 - sqrt(2)/2). */
function yl2xp1(xSe: number, xHi: number, xLo: number, ySe: number, yHi: number, yLo: number, s: FloatStatus): void {
  unpackX80(ua, xSe, xHi, xLo);
  unpackX80(ub, ySe, yHi, yLo);
  s.c1 = 0;
  if (special2(xSe, xHi, xLo, ySe, yHi, yLo, s)) return;
  const x = ua, y = ub;
  if (x.denormal || y.denormal) s.flags |= FLAG_DENORMAL;
  if (x.cls === CLS_ZERO) {
    if (y.cls === CLS_INF) { invalid(s); return; }
    setResult(s, (x.sign ^ y.sign) << 15, 0, 0);
    return;
  }
  if (x.cls === CLS_INF) {
    if (x.sign !== 0 || y.cls === CLS_ZERO) { invalid(s); return; }
    setResult(s, (y.sign << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (y.cls === CLS_ZERO || y.cls === CLS_INF) {
    setResult(s, ((x.sign ^ y.sign) << 15) | (y.cls === CLS_INF ? 0x7fff : 0), y.cls === CLS_INF ? 0x80000000 : 0, 0);
    return;
  }
  if (x.sign !== 0 && x.exp >= 0) {
    /* x <= -1 is outside the domain: the host (AMD) returns x with PE. */
    s.flags |= FLAG_INEXACT;
    setResult(s, xSe, xHi, xLo);
    return;
  }
  if (x.exp >= -1) {
    /* Beyond the series' range: form 1 + x exactly to 96 bits and take its logarithm. */
    addFinite(ONE, 0, x, x.sign);
    log2Wide(acc.exp, acc.w2, acc.w1, acc.w0);
    finishLogTimesY(s);
    return;
  }
  if (x.exp < -900) {
    /* log2(1+x) = x * log2(e) * (1 - x/2 + ...): the correction is far below 96 bits. */
    accConst(x.sign, 0, LOG2E_W2, LOG2E_W1, LOG2E_W0);
    accMul64(x.sign, x.exp, x.hi, x.lo);
    accMul64(acc.sign ^ y.sign, y.exp, y.hi, y.lo);
    finish(s);
    return;
  }
  sigToDd(x.hi, x.lo, x.exp);
  const xh = x.sign !== 0 ? -ddH : ddH, xl = x.sign !== 0 ? -ddL : ddL;
  ddAdd(xh, xl, 2, 0);
  ddDiv(xh, xl, ddH, ddL);
  twoAtanh(ddH, ddL);
  ddMul(ddH, ddL, LOG2E_H, LOG2E_L);
  logH = ddH; logL = ddL;
  finishLogTimesY(s);
}

/* ---------- FPATAN ---------- */

/** atan(t) for 0 <= t <= 1 in double-double: three argument halvings, then the series. */
function atanUnit(th: number, tl: number): void {
  for (let i = 0; i < 3; i++) {
    /* atan(t) = 2 atan(t / (1 + sqrt(1 + t^2))) */
    ddMul(th, tl, th, tl);
    ddAdd(ddH, ddL, 1, 0);
    ddSqrt(ddH, ddL);
    ddAdd(ddH, ddL, 1, 0);
    ddDiv(th, tl, ddH, ddL);
    th = ddH; tl = ddL;
  }
  ddMul(th, tl, th, tl);
  const z2h = ddH, z2l = ddL;
  let ph = th, pl = tl, sh = th, sl = tl;
  for (let k = 1; k < 60; k++) {
    ddMul(ph, pl, z2h, z2l);
    ph = -ddH; pl = -ddL;
    ddDiv(ph, pl, 2 * k + 1, 0);
    const qh = ddH, ql = ddL;
    ddAdd(sh, sl, qh, ql);
    sh = ddH; sl = ddL;
    if (Math.abs(qh) < Math.abs(sh) * 1e-34) break;
  }
  ddMul(sh, sl, 8, 0);
}

/** Store sign * k * pi/4 (k = 1..4) rounded. */
function piQuarters(s: FloatStatus, sign: number, k: number): void {
  if (k === 3) {
    /* 3pi/4 = pi - pi/4 */
    ddAdd(PI_H, PI_L, -PI_H / 4, -PI_L / 4);
    finishDd(s, sign, ddH, ddL, 0);
    return;
  }
  accConst(sign, k === 1 ? -1 : k === 2 ? 0 : 1, PI_W2, PI_W1, PI_W0);
  finish(s);
}

/** FPATAN: atan2(y, x) with x = ST0, y = ST1; the result replaces ST1. */
function atan2(xSe: number, xHi: number, xLo: number, ySe: number, yHi: number, yLo: number, s: FloatStatus): void {
  unpackX80(ua, xSe, xHi, xLo);
  unpackX80(ub, ySe, yHi, yLo);
  s.c1 = 0;
  if (special2(xSe, xHi, xLo, ySe, yHi, yLo, s)) return;
  const x = ua, y = ub;
  if (x.denormal || y.denormal) s.flags |= FLAG_DENORMAL;
  const ys = y.sign;
  if (y.cls === CLS_ZERO) {
    if (x.sign === 0) setResult(s, ys << 15, 0, 0);
    else piQuarters(s, ys, 4);
    return;
  }
  if (x.cls === CLS_ZERO) { piQuarters(s, ys, 2); return; }
  if (y.cls === CLS_INF) {
    if (x.cls === CLS_INF) piQuarters(s, ys, x.sign === 0 ? 1 : 3);
    else piQuarters(s, ys, 2);
    return;
  }
  if (x.cls === CLS_INF) {
    if (x.sign === 0) setResult(s, ys << 15, 0, 0);
    else piQuarters(s, ys, 4);
    return;
  }
  const d = y.exp - x.exp;
  if (d > 900) { piQuarters(s, ys, 2); return; }
  if (d < -900) {
    if (x.sign !== 0) { piQuarters(s, ys, 4); return; }
    /* atan(t) ~ t - t^3/3 for the tiny t = y/x: slightly below t */
    divToAcc(ys, y.exp, y.hi, y.lo, xSe, xHi, xLo);
    finish(s);
    return;
  }
  /* Scale both so that the larger is near 1; the ratio only matters. */
  const e = Math.max(x.exp, y.exp);
  sigToDd(x.hi, x.lo, x.exp - e);
  const axh = ddH, axl = ddL;
  sigToDd(y.hi, y.lo, y.exp - e);
  const ayh = ddH, ayl = ddL;
  let swap = false;
  if (ayh > axh || (ayh === axh && ayl > axl)) swap = true;
  if (swap) ddDiv(axh, axl, ayh, ayl);
  else ddDiv(ayh, ayl, axh, axl);
  atanUnit(ddH, ddL);
  let rh = ddH, rl = ddL;
  if (swap) { ddAdd(PI2_H, PI2_L, -rh, -rl); rh = ddH; rl = ddL; }
  if (x.sign !== 0) { ddAdd(PI_H, PI_L, -rh, -rl); rh = ddH; rl = ddL; }
  finishDd(s, ys, rh, rl, 0);
}

/** acc = (y / x) slightly reduced in magnitude (sticky), for atan of a tiny ratio. */
function divToAcc(sign: number, ye: number, yh: number, yl: number, xSe: number, xHi: number, xLo: number): void {
  unpackX80(ub, xSe, xHi, xLo);
  sigToDd(yh, yl, 0);
  const nh = ddH, nl = ddL;
  sigToDd(ub.hi, ub.lo, 0);
  ddDiv(nh, nl, ddH, ddL);
  ddToAcc(sign, ddH, ddL, ye - ub.exp);
  if (acc.sticky === 0 && (acc.w0 | 0) === 0) {
    let w1 = acc.w1 - 1, w2 = acc.w2;
    if (w1 < 0) { w1 += 4294967296; w2 -= 1; }
    acc.w2 = w2; acc.w1 = w1; acc.w0 = 0xffffffff; acc.sticky = 1;
    accNormalize();
  } else {
    acc.sticky = 1;
  }
}

/** FYL2X: y * log2(x), x = ST0, y = ST1. */
export function floatx80_yl2x(xSe: number, xHi: number, xLo: number, ySe: number, yHi: number, yLo: number, s: FloatStatus): void {
  const before = s.flags;
  s.flags = 0;
  yl2x(xSe, xHi, xLo, ySe, yHi, yLo, s);
  s.flags = before | denormalPrecedence(s.flags);
}

/** FYL2XP1: y * log2(x + 1), x = ST0, y = ST1. */
export function floatx80_yl2xp1(xSe: number, xHi: number, xLo: number, ySe: number, yHi: number, yLo: number, s: FloatStatus): void {
  const before = s.flags;
  s.flags = 0;
  yl2xp1(xSe, xHi, xLo, ySe, yHi, yLo, s);
  s.flags = before | denormalPrecedence(s.flags);
}

/** FPATAN: atan2(y, x) with x = ST0, y = ST1; the result replaces ST1. */
export function floatx80_atan2(xSe: number, xHi: number, xLo: number, ySe: number, yHi: number, yLo: number, s: FloatStatus): void {
  const before = s.flags;
  s.flags = 0;
  atan2(xSe, xHi, xLo, ySe, yHi, yLo, s);
  s.flags = before | denormalPrecedence(s.flags);
}
