/*
 * MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV with #DE, and MULX.
 * Products wider than 53 bits are built from 16/32-bit partial products; wide divisions use
 * shift-and-subtract on 32-bit limbs, so every result is exact without BigInt.
 */
import type { TcgCpu } from './tcg-cpu.js';
import { CC_OP_MUL, computeAll } from './flags.js';
import { trunc, sizeIdx } from './alu.js';
import { R_EAX, R_EDX, EXCP00_DIVZ, CC_C, CC_O, CC_A } from './cpu-state.js';

/** Unsigned 32x32 → 64: returns the low half, high half in c.hi. */
export function mulu32(c: TcgCpu, a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  c.hi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
  return ((mid << 16) | (ll & 0xffff)) | 0;
}

/* 128-bit product scratch: p0 (lowest) .. p3 (highest) 32-bit limbs. */
let p0 = 0, p1 = 0, p2 = 0, p3 = 0;

/** Unsigned 64x64 → 128 into p0..p3. */
function mulu64(c: TcgCpu, aLo: number, aHi: number, bLo: number, bHi: number): void {
  const ll = mulu32(c, aLo, bLo), llH = c.hi >>> 0;
  const lh = mulu32(c, aLo, bHi) >>> 0, lhH = c.hi >>> 0;
  const hl = mulu32(c, aHi, bLo) >>> 0, hlH = c.hi >>> 0;
  const hh = mulu32(c, aHi, bHi) >>> 0, hhH = c.hi >>> 0;
  p0 = ll;
  let t = llH + lh + hl;
  p1 = t | 0;
  t = Math.floor(t / 4294967296) + lhH + hlH + hh;
  p2 = t | 0;
  p3 = (Math.floor(t / 4294967296) + hhH) | 0;
}

/** Signed 64x64 → 128 into p0..p3 (unsigned product, then subtract the sign corrections). */
function muls64(c: TcgCpu, aLo: number, aHi: number, bLo: number, bHi: number): void {
  mulu64(c, aLo, aHi, bLo, bHi);
  if (aHi < 0) sub128hi(bLo, bHi);
  if (bHi < 0) sub128hi(aLo, aHi);
}

function sub128hi(lo: number, hi: number): void {
  const l = (p2 >>> 0) - (lo >>> 0);
  p2 = l | 0;
  p3 = (p3 - hi - (l < 0 ? 1 : 0)) | 0;
}

/**
 * CF = OF = the product did not fit.  SF/ZF/AF/PF are undefined: AMD CPUs leave them unchanged,
 * and so do we (our differential-test host is AMD).
 */
function setMulFlags(c: TcgCpu, size: number, lo: number, loHi: number, overflow: boolean): void {
  const env = c.env;
  env.cc_op = CC_OP_MUL + sizeIdx(size);
  env.cc_dst = lo;
  env.cc_dstHi = loHi;
  env.cc_src = overflow ? 1 : 0;
}

/** MUL (signed = false) / IMUL one-operand form: rDX:rAX = rAX * src. */
export function mulAcc(c: TcgCpu, signed: boolean, size: number, src: number, srcHi: number): void {
  const regs = c.env.regs;
  const a = regs[R_EAX << 1];
  switch (size) {
    case 1: {
      const r = signed ? ((a << 24) >> 24) * ((src << 24) >> 24) : (a & 0xff) * (src & 0xff);
      c.setReg(2, R_EAX, r, 0);
      setMulFlags(c, 1, r & 0xff, 0, signed ? r !== (r << 24) >> 24 : (r & 0xff00) !== 0);
      return;
    }
    case 2: {
      const r = signed ? ((a << 16) >> 16) * ((src << 16) >> 16) : (a & 0xffff) * (src & 0xffff);
      c.setReg(2, R_EAX, r, 0);
      c.setReg(2, R_EDX, r >> 16, 0);
      setMulFlags(c, 2, r & 0xffff, 0, signed ? r !== (r << 16) >> 16 : (r & 0xffff0000) !== 0);
      return;
    }
    case 4: {
      let lo = mulu32(c, a, src), hi = c.hi;
      if (signed) hi = (hi - (a < 0 ? src : 0) - (src < 0 ? a : 0)) | 0;
      c.setReg(4, R_EAX, lo, 0);
      c.setReg(4, R_EDX, hi, 0);
      setMulFlags(c, 4, lo, 0, signed ? hi !== lo >> 31 : hi !== 0);
      return;
    }
    default: {
      const aHi = regs[(R_EAX << 1) + 1];
      if (signed) muls64(c, a, aHi, src, srcHi); else mulu64(c, a, aHi, src, srcHi);
      c.setReg(8, R_EAX, p0, p1);
      c.setReg(8, R_EDX, p2, p3);
      setMulFlags(c, 8, p0, p1, signed ? p2 !== p1 >> 31 || p3 !== p1 >> 31 : (p2 | p3) !== 0);
    }
  }
}

/** IMUL two/three-operand forms: returns truncated a*b (high half in c.hi), sets CF/OF. */
export function imulTrunc(c: TcgCpu, size: number, a: number, aHi: number, b: number, bHi: number): number {
  if (size === 8) {
    muls64(c, a, aHi, b, bHi);
    setMulFlags(c, 8, p0, p1, p2 !== p1 >> 31 || p3 !== p1 >> 31);
    c.hi = p1;
    return p0;
  }
  if (size === 4) {
    const lo = mulu32(c, a, b);
    const hi = (c.hi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
    setMulFlags(c, 4, lo, 0, hi !== lo >> 31);
    c.hi = 0;
    return lo;
  }
  const r = ((a << 16) >> 16) * ((b << 16) >> 16);
  setMulFlags(c, 2, r & 0xffff, 0, r !== (r << 16) >> 16);
  c.hi = 0;
  return r & 0xffff;
}

/* Division results. */
let qLo = 0, qHi = 0, rLo = 0, rHi = 0;

/** Unsigned (nHi:nLo 64-bit) / d (32-bit) with a quotient that must fit 32 bits. Returns false on overflow. */
function divu64by32(nHi: number, nLo: number, d: number): boolean {
  nHi >>>= 0; nLo >>>= 0; d >>>= 0;
  if (nHi >= d) return false;
  if (nHi === 0) {
    qLo = Math.floor(nLo / d); rLo = nLo - qLo * d;
    return true;
  }
  let r = nHi, q = 0;
  for (let i = 31; i >= 0; i--) {
    r = r * 2 + ((nLo >>> i) & 1);
    q *= 2;
    if (r >= d) { r -= d; q += 1; }
  }
  qLo = q | 0; rLo = r | 0;
  return true;
}

/** Unsigned 128 (n3..n0) / 64 (dHi:dLo) → 64-bit quotient (qHi:qLo), remainder (rHi:rLo). */
function divu128by64(n3: number, n2: number, n1: number, n0: number, dHi: number, dLo: number): boolean {
  // Overflow if the high 64 bits of the dividend are >= the divisor.
  const hiGe = (n3 >>> 0) !== (dHi >>> 0) ? (n3 >>> 0) > (dHi >>> 0) : (n2 >>> 0) >= (dLo >>> 0);
  if (hiGe) return false;
  let r1 = n3 >>> 0, r0 = n2 >>> 0; // remainder, 64 bits (+1 overflow bit during the shift)
  let q1 = 0, q0 = 0;
  const d1 = dHi >>> 0, d0 = dLo >>> 0;
  for (let i = 63; i >= 0; i--) {
    const bit = i >= 32 ? (n1 >>> (i - 32)) & 1 : (n0 >>> i) & 1;
    const top = r1 >>> 31;
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = ((r0 << 1) | bit) >>> 0;
    q1 = ((q1 << 1) | (q0 >>> 31)) >>> 0;
    q0 = (q0 << 1) >>> 0;
    if (top !== 0 || r1 > d1 || (r1 === d1 && r0 >= d0)) {
      const l = r0 - d0;
      r0 = l >>> 0;
      r1 = (r1 - d1 - (l < 0 ? 1 : 0)) >>> 0;
      q0 = (q0 | 1) >>> 0;
    }
  }
  qLo = q0 | 0; qHi = q1 | 0; rLo = r0 | 0; rHi = r1 | 0;
  return true;
}

function neg64(lo: number, hi: number): void {
  // result in qLo/qHi scratch is not used here; callers use the returned pair via tmp
  tLo = (-lo) | 0;
  tHi = (~hi + (lo === 0 ? 1 : 0)) | 0;
}
let tLo = 0, tHi = 0;

/** DIV (signed = false) / IDIV: rDX:rAX / src → rAX quotient, rDX remainder; #DE on zero or overflow. */
export function divAcc(c: TcgCpu, signed: boolean, size: number, src: number, srcHi: number): void {
  divInner(c, signed, size, src, srcHi);
  // All flags are undefined; AMD keeps CF/OF, sets AF and clears SF/ZF/PF.  We do the same.
  c.setFlags((computeAll(c.env) & (CC_C | CC_O)) | CC_A);
}

function divInner(c: TcgCpu, signed: boolean, size: number, src: number, srcHi: number): void {
  const regs = c.env.regs;
  const a = regs[R_EAX << 1], dx = regs[R_EDX << 1];
  if (size === 8 ? (src | srcHi) === 0 : trunc(size, src) === 0) c.raise(EXCP00_DIVZ);
  switch (size) {
    case 1: case 2: {
      const n = size === 1 ? (signed ? (a << 16) >> 16 : a & 0xffff)
        : signed ? ((dx << 16) | (a & 0xffff)) : ((dx & 0xffff) * 65536 + (a & 0xffff));
      const d = size === 1 ? (signed ? (src << 24) >> 24 : src & 0xff) : signed ? (src << 16) >> 16 : src & 0xffff;
      const q = Math.trunc(n / d), r = n - q * d;
      const lim = size === 1 ? 0x80 : 0x8000;
      if (signed ? q >= lim || q < -lim : q >= lim * 2) c.raise(EXCP00_DIVZ);
      if (size === 1) c.setReg(2, R_EAX, (q & 0xff) | ((r & 0xff) << 8), 0);
      else { c.setReg(2, R_EAX, q, 0); c.setReg(2, R_EDX, r, 0); }
      return;
    }
    case 4: {
      if (!signed) {
        if (!divu64by32(dx, a, src)) c.raise(EXCP00_DIVZ);
      } else {
        const nNeg = dx < 0, dNeg = src < 0;
        let nl = a, nh = dx;
        if (nNeg) { neg64(nl, nh); nl = tLo; nh = tHi; }
        const dAbs = dNeg ? -src : src;
        if (!divu64by32(nh, nl, dAbs)) c.raise(EXCP00_DIVZ);
        const qNeg = nNeg !== dNeg;
        if (qNeg ? (qLo >>> 0) > 0x80000000 : (qLo >>> 0) > 0x7fffffff) c.raise(EXCP00_DIVZ);
        if (qNeg) qLo = -qLo | 0;
        if (nNeg) rLo = -rLo | 0;
      }
      c.setReg(4, R_EAX, qLo, 0);
      c.setReg(4, R_EDX, rLo, 0);
      return;
    }
    default: {
      const aHi = regs[(R_EAX << 1) + 1], dxHi = regs[(R_EDX << 1) + 1];
      if (!signed) {
        if (!divu128by64(dxHi, dx, aHi, a, srcHi, src)) c.raise(EXCP00_DIVZ);
      } else {
        const nNeg = dxHi < 0, dNeg = srcHi < 0;
        let n0 = a, n1 = aHi, n2 = dx, n3 = dxHi;
        if (nNeg) {
          // 128-bit negate
          n0 = ~n0; n1 = ~n1; n2 = ~n2; n3 = ~n3;
          let l = (n0 >>> 0) + 1; n0 = l | 0;
          if (l > 0xffffffff) { l = (n1 >>> 0) + 1; n1 = l | 0;
            if (l > 0xffffffff) { l = (n2 >>> 0) + 1; n2 = l | 0;
              if (l > 0xffffffff) n3 = (n3 + 1) | 0; } }
        }
        let dl = src, dh = srcHi;
        if (dNeg) { neg64(dl, dh); dl = tLo; dh = tHi; }
        if (!divu128by64(n3, n2, n1, n0, dh, dl)) c.raise(EXCP00_DIVZ);
        const qNeg = nNeg !== dNeg;
        // |q| must fit: q <= 2^63-1, or 2^63 when negative.
        if ((qHi >>> 0) > 0x80000000 || ((qHi >>> 0) === 0x80000000 && (!qNeg || qLo !== 0))) c.raise(EXCP00_DIVZ);
        if (qNeg) { neg64(qLo, qHi); qLo = tLo; qHi = tHi; }
        if (nNeg) { neg64(rLo, rHi); rLo = tLo; rHi = tHi; }
      }
      c.setReg(8, R_EAX, qLo, qHi);
      c.setReg(8, R_EDX, rLo, rHi);
    }
  }
}

/** MULX: unsigned rDX * src without touching flags; returns nothing, writes hi → dest1, lo → dest2. */
export function mulx(c: TcgCpu, size: number, src: number, srcHi: number, destHi: number, destLo: number): void {
  const regs = c.env.regs;
  if (size === 8) {
    mulu64(c, regs[R_EDX << 1], regs[(R_EDX << 1) + 1], src, srcHi);
    c.setReg(8, destLo, p0, p1);
    c.setReg(8, destHi, p2, p3);
  } else {
    const lo = mulu32(c, regs[R_EDX << 1], src), hi = c.hi;
    c.setReg(4, destLo, lo, 0);
    c.setReg(4, destHi, hi, 0);
  }
}
