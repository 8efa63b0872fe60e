/*
 * SSE/SSE2/SSE3 floating point: arithmetic, compares, conversions, per lane through the exact
 * soft-float library, on the scratch vectors (A = destination, B = source; the result in A).
 * MXCSR supplies rounding, DAZ and FTZ; the exception flags are collected in `fs.flags` and
 * committed by sseCommit(), which raises #XM (or #UD without CR4.OSXMMEXCPT) for unmasked ones.
 */
import type { TcgCpu } from './tcg-cpu.js';
import { SseOp, A32, B32, FMT_PS, FMT_PD, FMT_SS } from './sse-ops.js';
import { FloatStatus } from './softfloat/float-status.js';
import {
  float32_add, float32_sub, float32_mul, float32_div, float32_sqrt, float32_min, float32_max, float32_cmp_pred,
} from './softfloat/f32.js';
import {
  float64_add, float64_sub, float64_mul, float64_div, float64_sqrt, float64_min, float64_max, float64_cmp_pred,
} from './softfloat/f64.js';
import {
  int32_to_float32, int32_to_float64, float32_to_int32, float64_to_int32, float32_to_float64, float64_to_float32,
} from './softfloat/convert.js';
import { toF32, fromF32 } from './softfloat/native.js';

export const EXCP10_COPR = 16, EXCP13_XMM = 19;
const CR4_OSXMMEXCPT = 1 << 10;

/** The SSE unit's soft-float status (rounding, DAZ/FTZ from MXCSR; flags of the current instruction). */
export const fs = new FloatStatus();

export function sseBegin(mxcsr: number): void {
  fs.setMxcsrControl(mxcsr);
  fs.flags = 0;
}

/**
 * ORs the instruction's exception flags into MXCSR, or raises the SIMD floating-point
 * exception if one is unmasked; the caller writes the result only when this returns.
 * With an unmasked pre-computation exception (IE, DE, ZE) the post-computation flags (OE, UE,
 * PE) are not recorded (SDM Vol. 1 §11.5.2).
 */
export function sseCommit(c: TcgCpu): void {
  const env = c.env;
  const flags = fs.flags;
  if (flags === 0) return;
  const unmasked = flags & ~(env.mxcsr >>> 7) & 0x3f;
  if (unmasked !== 0) {
    env.mxcsr |= (unmasked & 7) !== 0 ? flags & 7 : flags;
    if ((env.cr4 & CR4_OSXMMEXCPT) !== 0) c.raise(EXCP13_XMM);
    c.ud();
  }
  env.mxcsr |= flags;
}

/* Binary float32/float64 operations by SseOp (the float64 result lands in fs.hi/fs.lo). */
function bin32(op: number, a: number, b: number): number {
  switch (op) {
    case SseOp.ADD: return float32_add(a, b, fs);
    case SseOp.SUB: return float32_sub(a, b, fs);
    case SseOp.MUL: return float32_mul(a, b, fs);
    case SseOp.DIV: return float32_div(a, b, fs);
    case SseOp.MIN: return float32_min(a, b, fs);
    default: return float32_max(a, b, fs);
  }
}

function bin64(op: number, aHi: number, aLo: number, bHi: number, bLo: number): void {
  switch (op) {
    case SseOp.ADD: float64_add(aHi, aLo, bHi, bLo, fs); return;
    case SseOp.SUB: float64_sub(aHi, aLo, bHi, bLo, fs); return;
    case SseOp.MUL: float64_mul(aHi, aLo, bHi, bLo, fs); return;
    case SseOp.DIV: float64_div(aHi, aLo, bHi, bLo, fs); return;
    case SseOp.MIN: float64_min(aHi, aLo, bHi, bLo, fs); return;
    default: float64_max(aHi, aLo, bHi, bLo, fs);
  }
}

/**
 * RCPSS/RCPPS and RSQRTSS/RSQRTPS: the architecture only bounds the relative error (1.5 * 2^-12)
 * and Intel's and AMD's tables differ, so we return the correctly rounded value (as QEMU does),
 * with the architectural special cases: denormal inputs read as zero, tiny results flush to
 * zero, no exception flags.
 */
function rcp32(a: number): number {
  const exp = (a >>> 23) & 0xff, sign = a & 0x80000000;
  if (exp === 0xff) return (a & 0x7fffff) !== 0 ? a | 0x400000 : sign;
  if (exp === 0) return sign | 0x7f800000;
  const r = fromF32(Math.fround(1 / toF32(a)));
  return (r & 0x7f800000) === 0 ? sign : r;
}

function rsqrt32(a: number): number {
  const exp = (a >>> 23) & 0xff, sign = a & 0x80000000;
  if (exp === 0xff) {
    if ((a & 0x7fffff) !== 0) return a | 0x400000;
    return sign !== 0 ? 0xffc00000 | 0 : 0;
  }
  if (exp === 0) return sign | 0x7f800000;
  if (sign !== 0) return 0xffc00000 | 0;
  return fromF32(Math.fround(1 / Math.sqrt(toF32(a))));
}

/** Floating-point operation `op` in format `fmt` on A and B (imm = CMP predicate); result in A. */
export function fpOp(op: number, fmt: number, imm: number): void {
  switch (op) {
    case SseOp.ADD: case SseOp.SUB: case SseOp.MUL: case SseOp.DIV: case SseOp.MIN: case SseOp.MAX:
      if (fmt === FMT_PS || fmt === FMT_SS) {
        const n = fmt === FMT_PS ? 4 : 1;
        for (let i = 0; i < n; i++) A32[i] = bin32(op, A32[i], B32[i]);
      } else {
        const n = fmt === FMT_PD ? 4 : 2;
        for (let i = 0; i < n; i += 2) {
          bin64(op, A32[i + 1], A32[i], B32[i + 1], B32[i]);
          A32[i] = fs.lo; A32[i + 1] = fs.hi;
        }
      }
      return;
    case SseOp.SQRT:
      if (fmt === FMT_PS || fmt === FMT_SS) {
        const n = fmt === FMT_PS ? 4 : 1;
        for (let i = 0; i < n; i++) A32[i] = float32_sqrt(B32[i], fs);
      } else {
        const n = fmt === FMT_PD ? 4 : 2;
        for (let i = 0; i < n; i += 2) {
          float64_sqrt(B32[i + 1], B32[i], fs);
          A32[i] = fs.lo; A32[i + 1] = fs.hi;
        }
      }
      return;
    case SseOp.RCP: case SseOp.RSQRT: {
      const n = fmt === FMT_PS ? 4 : 1;
      for (let i = 0; i < n; i++) A32[i] = op === SseOp.RCP ? rcp32(B32[i]) : rsqrt32(B32[i]);
      return;
    }
    case SseOp.CMP: {
      const pred = imm & 7;
      if (fmt === FMT_PS || fmt === FMT_SS) {
        const n = fmt === FMT_PS ? 4 : 1;
        for (let i = 0; i < n; i++) A32[i] = float32_cmp_pred(A32[i], B32[i], pred, fs) ? -1 : 0;
      } else {
        const n = fmt === FMT_PD ? 4 : 2;
        for (let i = 0; i < n; i += 2) {
          const r = float64_cmp_pred(A32[i + 1], A32[i], B32[i + 1], B32[i], pred, fs) ? -1 : 0;
          A32[i] = r; A32[i + 1] = r;
        }
      }
      return;
    }
    case SseOp.ADDSUB:
      if (fmt === FMT_PS) {
        for (let i = 0; i < 4; i++) A32[i] = (i & 1) === 0 ? float32_sub(A32[i], B32[i], fs) : float32_add(A32[i], B32[i], fs);
      } else {
        float64_sub(A32[1], A32[0], B32[1], B32[0], fs);
        A32[0] = fs.lo; A32[1] = fs.hi;
        float64_add(A32[3], A32[2], B32[3], B32[2], fs);
        A32[2] = fs.lo; A32[3] = fs.hi;
      }
      return;
    case SseOp.HADD: case SseOp.HSUB: {
      const o = op === SseOp.HADD ? SseOp.ADD : SseOp.SUB;
      if (fmt === FMT_PS) {
        const r0 = bin32(o, A32[0], A32[1]), r1 = bin32(o, A32[2], A32[3]);
        const r2 = bin32(o, B32[0], B32[1]), r3 = bin32(o, B32[2], B32[3]);
        A32[0] = r0; A32[1] = r1; A32[2] = r2; A32[3] = r3;
      } else {
        bin64(o, A32[1], A32[0], A32[3], A32[2]);
        A32[0] = fs.lo; A32[1] = fs.hi;
        bin64(o, B32[1], B32[0], B32[3], B32[2]);
        A32[2] = fs.lo; A32[3] = fs.hi;
      }
      return;
    }
    case SseOp.CVTPI2PS:
      A32[0] = int32_to_float32(B32[0], fs);
      A32[1] = int32_to_float32(B32[1], fs);
      return;
    case SseOp.CVTPI2PD: case SseOp.CVTDQ2PD:
      int32_to_float64(B32[0], fs); A32[0] = fs.lo; A32[1] = fs.hi;
      int32_to_float64(B32[1], fs); A32[2] = fs.lo; A32[3] = fs.hi;
      return;
    case SseOp.CVTDQ2PS:
      for (let i = 0; i < 4; i++) A32[i] = int32_to_float32(B32[i], fs);
      return;
    case SseOp.CVTPS2PD:
      float32_to_float64(B32[0], fs); A32[0] = fs.lo; A32[1] = fs.hi;
      float32_to_float64(B32[1], fs); A32[2] = fs.lo; A32[3] = fs.hi;
      return;
    case SseOp.CVTPD2PS:
      A32[0] = float64_to_float32(B32[1], B32[0], fs);
      A32[1] = float64_to_float32(B32[3], B32[2], fs);
      A32[2] = 0; A32[3] = 0;
      return;
    case SseOp.CVTSS2SD:
      float32_to_float64(B32[0], fs); A32[0] = fs.lo; A32[1] = fs.hi;
      return;
    case SseOp.CVTSD2SS:
      A32[0] = float64_to_float32(B32[1], B32[0], fs);
      return;
  }
  throw new Error(`fpOp: ${op}`);
}

/** CVT[T]PS2DQ (4 lanes), CVT[T]PS2PI (2 lanes): float32 -> int32 in A. */
export function cvtPs2Dq(n: number, truncate: boolean): void {
  for (let i = 0; i < n; i++) A32[i] = float32_to_int32(B32[i], fs, truncate);
}

/** CVT[T]PD2DQ (upper half zeroed), CVT[T]PD2PI: two float64 -> int32 in A[0..1]. */
export function cvtPd2Dq(truncate: boolean, zeroHigh: boolean): void {
  A32[0] = float64_to_int32(B32[1], B32[0], fs, truncate);
  A32[1] = float64_to_int32(B32[3], B32[2], fs, truncate);
  if (zeroHigh) { A32[2] = 0; A32[3] = 0; }
}
