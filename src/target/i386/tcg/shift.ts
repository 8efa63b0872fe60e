/*
 * Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR (by 1, CL, imm8) and SHLD/SHRD.
 * A masked count of 0 leaves the operand and every flag alone.  OF is architecturally defined
 * only for 1-bit shifts; we compute it with the 1-bit formula for every count (docs/tcg.md).
 */
import type { TcgCpu } from './tcg-cpu.js';
import { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL } from './decode.js';
import { CC_OP_SHL, CC_OP_SAR, computeAll, parityTable } from './flags.js';
import { sizeIdx, trunc } from './alu.js';
import { CC_C, CC_O, CC_Z, CC_S, CC_A } from './cpu-state.js';

const SIGN = [0x80, 0x8000, 0x80000000 | 0, 0];

/** 64-bit shift left of (lo, hi) by n (0..63); high half in c.hi. */
export function shl64(c: TcgCpu, lo: number, hi: number, n: number): number {
  if (n === 0) { c.hi = hi; return lo; }
  if (n < 32) { c.hi = (hi << n) | (lo >>> (32 - n)); return lo << n; }
  c.hi = lo << (n - 32);
  return 0;
}

/** 64-bit logical shift right by n (0..63). */
export function shr64(c: TcgCpu, lo: number, hi: number, n: number): number {
  if (n === 0) { c.hi = hi; return lo; }
  if (n < 32) { c.hi = hi >>> n | 0; return (lo >>> n) | (hi << (32 - n)); }
  c.hi = 0;
  return (hi >>> (n - 32)) | 0;
}

/** 64-bit arithmetic shift right by n (0..63). */
export function sar64(c: TcgCpu, lo: number, hi: number, n: number): number {
  if (n === 0) { c.hi = hi; return lo; }
  if (n < 32) { c.hi = hi >> n; return (lo >>> n) | (hi << (32 - n)); }
  c.hi = hi >> 31;
  return hi >> (n - 32);
}

/** Executes shift group op `op` on (a, aHi) of `size` by raw count `count`; returns the result. */
export function shiftOp(c: TcgCpu, op: number, size: number, a: number, aHi: number, count: number): number {
  const env = c.env;
  count &= size === 8 ? 63 : 31;
  c.hi = aHi;
  if (count === 0) return a;
  const bits = size * 8;
  const s = sizeIdx(size);
  switch (op) {
    case SH_SHL:
    case SH_SAL: {
      let src: number, r: number, srcHi = 0, rHi = 0;
      if (size === 8) {
        src = shl64(c, a, aHi, count - 1); srcHi = c.hi;
        r = shl64(c, src, srcHi, 1); rHi = c.hi;
      } else {
        src = count - 1 >= 32 ? 0 : a << (count - 1);
        r = trunc(size, src << 1);
        src = trunc(size, src);
      }
      env.cc_op = CC_OP_SHL + s;
      env.cc_src = src; env.cc_srcHi = srcHi; env.cc_dst = r; env.cc_dstHi = rHi;
      c.hi = rHi;
      return r;
    }
    case SH_SHR:
    case 7: { // SAR
      let src: number, r: number, srcHi = 0, rHi = 0;
      if (size === 8) {
        src = op === SH_SHR ? shr64(c, a, aHi, count - 1) : sar64(c, a, aHi, count - 1); srcHi = c.hi;
        r = op === SH_SHR ? shr64(c, src, srcHi, 1) : sar64(c, src, srcHi, 1); rHi = c.hi;
      } else {
        const v = op === SH_SHR ? trunc(size, a) >>> 0 : (size === 1 ? (a << 24) >> 24 : size === 2 ? (a << 16) >> 16 : a);
        src = op === SH_SHR ? v >>> (count - 1) : v >> (count - 1);
        r = trunc(size, op === SH_SHR ? src >>> 1 : src >> 1);
        src = trunc(size, src);
      }
      env.cc_op = CC_OP_SAR + s;
      env.cc_src = src; env.cc_srcHi = srcHi; env.cc_dst = r; env.cc_dstHi = rHi;
      c.hi = rHi;
      return r;
    }
  }
  // Rotates: only CF and OF change.
  const before = computeAll(env);
  let f = before & ~(CC_C | CC_O);
  let r: number, rHi = 0;
  switch (op) {
    case SH_ROL: {
      const n = count % bits;
      if (size === 8) {
        const l = shl64(c, a, aHi, n), h = c.hi;
        const l2 = shr64(c, a, aHi, (64 - n) & 63), h2 = c.hi;
        r = n === 0 ? a : l | l2; rHi = n === 0 ? aHi : h | h2;
      } else {
        const v = trunc(size, a) >>> 0;
        r = trunc(size, n === 0 ? v : (v << n) | (v >>> (bits - n)));
      }
      const cf = r & 1;
      f |= cf;
      if (((size === 8 ? rHi < 0 : (r & SIGN[s]) !== 0) ? 1 : 0) !== cf) f |= CC_O;
      break;
    }
    case SH_ROR: {
      const n = count % bits;
      if (size === 8) {
        const l = shr64(c, a, aHi, n), h = c.hi;
        const l2 = shl64(c, a, aHi, (64 - n) & 63), h2 = c.hi;
        r = n === 0 ? a : l | l2; rHi = n === 0 ? aHi : h | h2;
      } else {
        const v = trunc(size, a) >>> 0;
        r = trunc(size, n === 0 ? v : (v >>> n) | (v << (bits - n)));
      }
      const msb = size === 8 ? rHi >>> 31 : (r >>> (bits - 1)) & 1;
      const msb2 = size === 8 ? (rHi >>> 30) & 1 : (r >>> (bits - 2)) & 1;
      f |= msb;
      if (msb !== msb2) f |= CC_O;
      break;
    }
    case SH_RCL:
    case SH_RCR: {
      const n = size <= 2 ? count % (bits + 1) : count;
      let cf = before & CC_C;
      r = a; rHi = aHi;
      if (size < 8) r = trunc(size, a) >>> 0;
      // Rotate one bit at a time through CF: counts are small (at most 64), and RCL/RCR are rare.
      for (let i = 0; i < n; i++) {
        if (op === SH_RCL) {
          const out = size === 8 ? rHi >>> 31 : (r >>> (bits - 1)) & 1;
          if (size === 8) { rHi = (rHi << 1) | (r >>> 31); r = (r << 1) | cf; }
          else r = ((r << 1) | cf) & (bits === 32 ? -1 : (1 << bits) - 1);
          cf = out;
        } else {
          const out = r & 1;
          if (size === 8) { r = (r >>> 1) | (rHi << 31); rHi = (rHi >>> 1) | (cf << 31); }
          else r = (r >>> 1) | (cf << (bits - 1));
          cf = out;
        }
      }
      r = trunc(size, r);
      if (n === 0) { c.hi = aHi; return a; }
      f |= cf;
      const msb = size === 8 ? rHi >>> 31 : (r >>> (bits - 1)) & 1;
      if (op === SH_RCL) { if (msb !== cf) f |= CC_O; }
      else {
        const msb2 = size === 8 ? (rHi >>> 30) & 1 : (r >>> (bits - 2)) & 1;
        if (msb !== msb2) f |= CC_O;
      }
      break;
    }
    default:
      r = a;
  }
  c.setFlags(f);
  c.hi = rHi;
  return r;
}

/**
 * SHLD (left = true) / SHRD: shifts `a` by count, filling from `b`.  For 16-bit operands a
 * count above 16 gives an undefined result; we shift the 32-bit concatenation as Intel does.
 */
export function shiftDouble(c: TcgCpu, left: boolean, size: number, a: number, aHi: number, b: number, bHi: number, count: number): number {
  count &= size === 8 ? 63 : 31;
  c.hi = aHi;
  if (count === 0) return a;
  let r: number, rHi = 0, cf: number;
  if (size === 8) {
    if (left) {
      const l = shl64(c, a, aHi, count), h = c.hi;
      const l2 = shr64(c, b, bHi, 64 - count), h2 = c.hi;
      r = l | l2; rHi = h | h2;
      shl64(c, a, aHi, count - 1); cf = c.hi >>> 31;
    } else {
      const l = shr64(c, a, aHi, count), h = c.hi;
      const l2 = shl64(c, b, bHi, 64 - count), h2 = c.hi;
      r = l | l2; rHi = h | h2;
      cf = shr64(c, a, aHi, count - 1) & 1;
    }
  } else if (size === 4) {
    if (left) { r = (a << count) | (b >>> (32 - count)); cf = (a >>> (32 - count)) & 1; }
    else { r = (a >>> count) | (b << (32 - count)); cf = (a >>> (count - 1)) & 1; }
  } else {
    // 16-bit: operate on the 48-bit pattern a:b:a as the hardware does for counts up to 31.
    const a16 = a & 0xffff, b16 = b & 0xffff;
    if (left) {
      const hiPart = (a16 << 16) | b16; // 32-bit a:b
      const ext = count > 16 ? ((b16 << 16) | a16) : hiPart;
      const n = count > 16 ? count - 16 : count;
      r = ((ext << n) >>> 16) & 0xffff;
      cf = n === 0 ? 0 : ((ext >>> (32 - n)) & 1);
      if (count > 16) cf = ((hiPart << (count - 17)) >>> 31) & 1;
    } else {
      const lowPart = (b16 << 16) | a16; // 32-bit b:a
      const ext = count > 16 ? ((a16 << 16) | b16) : lowPart;
      const n = count > 16 ? count - 16 : count;
      r = (ext >>> n) & 0xffff;
      cf = count > 16 ? (lowPart >>> (count - 17)) & 1 : (a16 >>> (count - 1)) & 1;
    }
  }
  r = trunc(size, r);
  let f = parityTable[r & 0xff] | cf;
  const neg = size === 8 ? rHi < 0 : (r & SIGN[sizeIdx(size)]) !== 0;
  if (size === 8 ? (r | rHi) === 0 : r === 0) f |= CC_Z;
  if (neg) f |= CC_S;
  const signA = size === 8 ? aHi < 0 : (a & SIGN[sizeIdx(size)]) !== 0;
  if (neg !== signA) f |= CC_O;
  f |= CC_A; // undefined; set as on AMD
  c.setFlags(f);
  c.hi = rHi;
  return r;
}
