/*
 * Execution of the SSE/SSE2/SSE3/SSSE3 and MMX group (Op.SSE, decoded by decode-sse.ts).
 *
 * The state checks come first (QEMU 7.2's order: CR0.TS -> #NM, CR0.EM -> #UD, !CR4.OSFXSR ->
 * #UD for the XMM forms, a pending x87 exception -> #MF for the MMX ones), then the operands
 * are copied into the scratch vectors (A = destination, B = source), the operation runs on them
 * and the result is written back, so a fault in a memory access or an unmasked SIMD exception
 * leaves the registers unchanged.  MMX register i is the significand of x87 physical register i:
 * an MMX instruction sets TOP = 0 and all tags valid, and a write sets the exponent to 0xffff.
 */
import type { TcgCpu } from './tcg-cpu.js';
import type { Insn } from './decode.js';
import type { CPUX86State } from './cpu-state.js';
import { EXCP07_PREX, EXCP0D_GPF, R_EDI, R_FS } from './cpu-state.js';
import {
  SseOp, A32, B32, A8, A16, B8, B16, FMT_SS, F_MEMSIZE, F_ALIGN, F_XMM, F_MMX, F_SSE, F_IMM, F_FMT_SHIFT, F_TRUNC, F_MMX_RM, F_W,
} from './sse-ops.js';
import { intOp } from './sse-int.js';
import { fs, sseBegin, sseCommit, fpOp, cvtPs2Dq, cvtPd2Dq, EXCP10_COPR } from './sse-fp.js';
import { float32_compare } from './softfloat/f32.js';
import { float64_compare } from './softfloat/f64.js';
import { relationToEflags } from './softfloat/float-status.js';
import {
  int32_to_float32, int64_to_float32, int32_to_float64, int64_to_float64, float32_to_int32, float32_to_int64,
  float64_to_int32, float64_to_int64,
} from './softfloat/convert.js';

const CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR4_OSFXSR = 1 << 9, FSW_ES = 0x80;

export function sseExec(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  const f = insn.imm2;
  if ((f & (F_SSE | F_MMX)) !== 0) {
    const cr0 = env.cr0;
    if ((cr0 & (CR0_EM | CR0_TS)) !== 0) c.raise((cr0 & CR0_TS) !== 0 ? EXCP07_PREX : 6);
    if ((f & F_SSE) !== 0 && (env.cr4 & CR4_OSFXSR) === 0) c.ud();
    if ((f & F_MMX) !== 0) {
      if ((env.fpus & FSW_ES) !== 0) c.raise(EXCP10_COPR);
      if (insn.sub === SseOp.EMMS) {
        env.fptags.fill(1);
        return true;
      }
    }
  }
  // The switch to MMX mode happens once the instruction completes (a faulting one leaves the tags).
  const ok = sseOp(c, insn, f);
  if ((f & F_MMX) !== 0) enterMmx(env);
  return ok;
}

function sseOp(c: TcgCpu, insn: Insn, f: number): boolean {
  const env = c.env;
  const xmm = env.xmm;
  const n = (f & F_XMM) !== 0 ? 16 : 8;
  const op = insn.sub;
  switch (op) {
    case SseOp.MOV_LOAD:
      if (n === 16 && insn.mod !== 3) {
        // The memcpy/strlen hot path: straight into the register.
        const a = c.ea(insn);
        if ((f & F_ALIGN) !== 0 && (a & 15) !== 0) c.raise(EXCP0D_GPF, 0);
        const m = c.mmu, r = insn.reg << 2;
        const v0 = m.ld32(a), v1 = m.ld32(c.addrAdd(a, 4)), v2 = m.ld32(c.addrAdd(a, 8)), v3 = m.ld32(c.addrAdd(a, 12));
        xmm[r] = v0; xmm[r + 1] = v1; xmm[r + 2] = v2; xmm[r + 3] = v3;
        return true;
      }
      loadB(c, insn, f);
      copyBtoA();
      writeA(env, insn.reg, n);
      return true;
    case SseOp.MOV_STORE:
      if (n === 16 && insn.mod !== 3) {
        const a = c.ea(insn);
        if ((f & F_ALIGN) !== 0 && (a & 15) !== 0) c.raise(EXCP0D_GPF, 0);
        const m = c.mmu, r = insn.reg << 2;
        m.probeWrite(a, 16);
        m.st32(a, xmm[r]); m.st32(c.addrAdd(a, 4), xmm[r + 1]); m.st32(c.addrAdd(a, 8), xmm[r + 2]); m.st32(c.addrAdd(a, 12), xmm[r + 3]);
        return true;
      }
      loadA(env, insn.reg, n);
      storeE(c, insn, f, n);
      return true;
    case SseOp.MOVSS_LOAD: case SseOp.MOVSD_LOAD: {
      const r = insn.reg << 2, k = op === SseOp.MOVSS_LOAD ? 1 : 2;
      loadB(c, insn, f);
      for (let i = 0; i < k; i++) xmm[r + i] = B32[i];
      if (insn.mod !== 3) for (let i = k; i < 4; i++) xmm[r + i] = 0;
      return true;
    }
    case SseOp.MOVSS_STORE: case SseOp.MOVSD_STORE: case SseOp.MOVLPS_STORE: case SseOp.MOVQ_XMM_STORE: {
      const k = op === SseOp.MOVSS_STORE ? 1 : 2;
      loadA(env, insn.reg, 16);
      if (insn.mod !== 3) return storeE(c, insn, f, k * 4), true;
      const r = insn.rm << 2;
      for (let i = 0; i < k; i++) xmm[r + i] = A32[i];
      if (op === SseOp.MOVQ_XMM_STORE) { xmm[r + 2] = 0; xmm[r + 3] = 0; }
      return true;
    }
    case SseOp.MOVHPS_STORE:
      loadA(env, insn.reg, 16);
      A32[0] = A32[2]; A32[1] = A32[3];
      storeE(c, insn, f, 8);
      return true;
    case SseOp.MOVLPS_LOAD: case SseOp.MOVHLPS: case SseOp.MOVHPS_LOAD: case SseOp.MOVLHPS: {
      loadB(c, insn, f);
      const r = insn.reg << 2;
      const src = op === SseOp.MOVHLPS ? 2 : 0;
      const dst = op === SseOp.MOVHPS_LOAD || op === SseOp.MOVLHPS ? 2 : 0;
      xmm[r + dst] = B32[src]; xmm[r + dst + 1] = B32[src + 1];
      return true;
    }
    case SseOp.MOVSLDUP: case SseOp.MOVSHDUP: {
      loadB(c, insn, f);
      const o = op === SseOp.MOVSHDUP ? 1 : 0, r = insn.reg << 2;
      xmm[r] = B32[o]; xmm[r + 1] = B32[o]; xmm[r + 2] = B32[o + 2]; xmm[r + 3] = B32[o + 2];
      return true;
    }
    case SseOp.MOVDDUP: {
      loadB(c, insn, f);
      const r = insn.reg << 2;
      xmm[r] = B32[0]; xmm[r + 1] = B32[1]; xmm[r + 2] = B32[0]; xmm[r + 3] = B32[1];
      return true;
    }
    case SseOp.MOVMSKPS: case SseOp.MOVMSKPD: {
      const r = insn.rm << 2;
      const m = op === SseOp.MOVMSKPS
        ? (xmm[r] >>> 31) | ((xmm[r + 1] >>> 31) << 1) | ((xmm[r + 2] >>> 31) << 2) | ((xmm[r + 3] >>> 31) << 3)
        : (xmm[r + 1] >>> 31) | ((xmm[r + 3] >>> 31) << 1);
      c.setReg(4, insn.reg, m, 0);
      return true;
    }
    case SseOp.PMOVMSKB: {
      loadRmVector(env, insn.rm, n);
      let m = signs4(B32[0]) | (signs4(B32[1]) << 4);
      if (n === 16) m |= (signs4(B32[2]) << 8) | (signs4(B32[3]) << 12);
      c.setReg(4, insn.reg, m, 0);
      return true;
    }
    case SseOp.MOVD_TO: {
      const size = (f & F_W) !== 0 ? 8 : 4;
      const lo = c.readE(insn, size), hi = size === 8 ? c.hi : 0;
      A32[0] = lo; A32[1] = hi; A32[2] = 0; A32[3] = 0;
      writeA(env, insn.reg, n);
      return true;
    }
    case SseOp.MOVD_FROM: {
      const size = (f & F_W) !== 0 ? 8 : 4;
      loadA(env, insn.reg, n);
      if (insn.mod !== 3) c.ea(insn);
      c.writeE(insn, size, A32[0], A32[1]);
      return true;
    }
    case SseOp.MOVQ_XMM_LOAD: {
      loadB(c, insn, f);
      const r = insn.reg << 2;
      xmm[r] = B32[0]; xmm[r + 1] = B32[1]; xmm[r + 2] = 0; xmm[r + 3] = 0;
      return true;
    }
    case SseOp.MOVQ2DQ: {
      const p = (insn.rm & 7) << 2, r = insn.reg << 2;
      xmm[r] = env.fpregs[p]; xmm[r + 1] = env.fpregs[p + 1]; xmm[r + 2] = 0; xmm[r + 3] = 0;
      return true;
    }
    case SseOp.MOVDQ2Q: {
      const r = insn.rm << 2;
      A32[0] = xmm[r]; A32[1] = xmm[r + 1];
      writeA(env, insn.reg, 8);
      return true;
    }
    case SseOp.MOVNTI: {
      const size = (f & F_W) !== 0 ? 8 : 4;
      const lo = c.getReg(size, insn.reg), hi = c.hi;
      c.store(size, c.ea(insn), lo, hi);
      return true;
    }
    case SseOp.MASKMOV:
      if (n === 8) enterMmx(env); // MASKMOVQ switches to MMX mode even when its store faults (host)
      maskMove(c, insn, n);
      return true;
    case SseOp.PEXTRW: {
      loadRmVector(env, insn.rm, n);
      c.setReg(4, insn.reg, B16[insn.imm & ((n >> 1) - 1)], 0);
      return true;
    }
    case SseOp.PINSRW: {
      const v = insn.mod === 3 ? c.getReg(4, insn.rm) : c.mmu.ld16(c.ea(insn));
      loadA(env, insn.reg, n);
      A16[insn.imm & ((n >> 1) - 1)] = v;
      writeA(env, insn.reg, n);
      return true;
    }
    /* floating point */
    case SseOp.ADD: case SseOp.SUB: case SseOp.MUL: case SseOp.DIV: case SseOp.MIN: case SseOp.MAX:
    case SseOp.SQRT: case SseOp.RCP: case SseOp.RSQRT: case SseOp.CMP: case SseOp.ADDSUB: case SseOp.HADD:
    case SseOp.HSUB: case SseOp.CVTPS2PD: case SseOp.CVTPD2PS: case SseOp.CVTSS2SD: case SseOp.CVTSD2SS:
    case SseOp.CVTDQ2PS: case SseOp.CVTDQ2PD: case SseOp.CVTPI2PD: case SseOp.CVTPI2PS: {
      if (op === SseOp.CVTPI2PS || op === SseOp.CVTPI2PD) {
        if (insn.mod === 3 && (env.fpus & FSW_ES) !== 0) c.raise(EXCP10_COPR);
      }
      loadB(c, insn, f);
      loadA(env, insn.reg, 16);
      sseBegin(env.mxcsr);
      fpOp(op, (f >> F_FMT_SHIFT) & 3, insn.imm);
      // CVTPI2PS/CVTPI2PD switch to MMX mode only with a register source, even if #XM follows.
      if ((op === SseOp.CVTPI2PS || op === SseOp.CVTPI2PD) && insn.mod === 3) enterMmx(env);
      sseCommit(c);
      writeA(env, insn.reg, 16);
      return true;
    }
    case SseOp.CVTPS2DQ: case SseOp.CVTPD2DQ: case SseOp.CVTPS2PI: case SseOp.CVTPD2PI: {
      loadB(c, insn, f);
      sseBegin(env.mxcsr);
      const t = (f & F_TRUNC) !== 0;
      if (op === SseOp.CVTPS2DQ) cvtPs2Dq(4, t);
      else if (op === SseOp.CVTPS2PI) cvtPs2Dq(2, t);
      else cvtPd2Dq(t, op === SseOp.CVTPD2DQ);
      if ((f & F_MMX) !== 0) enterMmx(env); // the operands were read: MMX mode even if #XM follows
      sseCommit(c);
      writeA(env, insn.reg, op === SseOp.CVTPS2DQ || op === SseOp.CVTPD2DQ ? 16 : 8);
      return true;
    }
    case SseOp.CVTSI2SS: case SseOp.CVTSI2SD: {
      const size = (f & F_W) !== 0 ? 8 : 4;
      const lo = c.readE(insn, size), hi = c.hi;
      sseBegin(env.mxcsr);
      loadA(env, insn.reg, 16);
      if (op === SseOp.CVTSI2SS) A32[0] = size === 8 ? int64_to_float32(hi, lo, fs) : int32_to_float32(lo, fs);
      else {
        if (size === 8) int64_to_float64(hi, lo, fs); else int32_to_float64(lo, fs);
        A32[0] = fs.lo; A32[1] = fs.hi;
      }
      sseCommit(c);
      writeA(env, insn.reg, 16);
      return true;
    }
    case SseOp.CVTSS2SI: case SseOp.CVTSD2SI: {
      const size = (f & F_W) !== 0 ? 8 : 4;
      const t = (f & F_TRUNC) !== 0;
      loadB(c, insn, f);
      sseBegin(env.mxcsr);
      let lo: number, hi = 0;
      if (op === SseOp.CVTSS2SI) {
        if (size === 8) { float32_to_int64(B32[0], fs, t); lo = fs.lo; hi = fs.hi; } else lo = float32_to_int32(B32[0], fs, t);
      } else if (size === 8) { float64_to_int64(B32[1], B32[0], fs, t); lo = fs.lo; hi = fs.hi; } else lo = float64_to_int32(B32[1], B32[0], fs, t);
      sseCommit(c);
      c.setReg(size, insn.reg, lo, hi);
      return true;
    }
    case SseOp.COMIS: case SseOp.UCOMIS: {
      loadB(c, insn, f);
      const r = insn.reg << 2;
      const quiet = op === SseOp.UCOMIS;
      sseBegin(env.mxcsr);
      const rel = ((f >> F_FMT_SHIFT) & 3) === FMT_SS
        ? float32_compare(xmm[r], B32[0], fs, quiet)
        : float64_compare(xmm[r + 1], xmm[r], B32[1], B32[0], fs, quiet);
      sseCommit(c);
      c.setFlags(relationToEflags(rel));
      return true;
    }
    default: {
      // Integer SIMD, shuffles, packs and unpacks: A = op(A, B).
      if ((f & F_IMM) !== 0) { B32[0] = insn.imm & 0xff; B32[1] = 0; } else loadB(c, insn, f);
      loadA(env, insn.reg, n);
      intOp(op, n, insn.imm & 0xff);
      writeA(env, insn.reg, n);
      return true;
    }
  }
}

/** The top bits of the four bytes of w as a 4-bit mask (the multiply gathers them in bits 24-27). */
function signs4(w: number): number {
  return (Math.imul((w >>> 7) & 0x01010101, 0x01020408) >>> 24) & 0xf;
}

/** The switch to MMX mode (QEMU's helper_enter_mmx): TOP = 0, every tag valid. */
function enterMmx(env: CPUX86State): void {
  env.fpstt = 0;
  const t = env.fptags;
  t[0] = 0; t[1] = 0; t[2] = 0; t[3] = 0; t[4] = 0; t[5] = 0; t[6] = 0; t[7] = 0;
}

/** Vector register `reg` (XMM for n = 16, MMX reg & 7 for n = 8) into A. */
function loadA(env: CPUX86State, reg: number, n: number): void {
  if (n === 16) {
    const x = env.xmm, r = reg << 2;
    A32[0] = x[r]; A32[1] = x[r + 1]; A32[2] = x[r + 2]; A32[3] = x[r + 3];
  } else {
    const p = (reg & 7) << 2;
    A32[0] = env.fpregs[p]; A32[1] = env.fpregs[p + 1];
  }
}

/** Writes A to vector register `reg`; an MMX write also sets the x87 exponent field to all ones. */
function writeA(env: CPUX86State, reg: number, n: number): void {
  if (n === 16) {
    const x = env.xmm, r = reg << 2;
    x[r] = A32[0]; x[r + 1] = A32[1]; x[r + 2] = A32[2]; x[r + 3] = A32[3];
  } else {
    const p = (reg & 7) << 2;
    env.fpregs[p] = A32[0]; env.fpregs[p + 1] = A32[1]; env.fpregs[p + 2] = 0xffff;
  }
}

function copyBtoA(): void {
  A32[0] = B32[0]; A32[1] = B32[1]; A32[2] = B32[2]; A32[3] = B32[3];
}

/** Register rm of the source operand's class into B (XMM for n = 16, MMX rm & 7 for n = 8). */
function loadRmVector(env: CPUX86State, rm: number, n: number): void {
  if (n === 16) {
    const x = env.xmm, r = rm << 2;
    B32[0] = x[r]; B32[1] = x[r + 1]; B32[2] = x[r + 2]; B32[3] = x[r + 3];
  } else {
    const p = (rm & 7) << 2;
    B32[0] = env.fpregs[p]; B32[1] = env.fpregs[p + 1];
  }
}

/** The source operand (register or memory of the decoded size) into B; checks 16-byte alignment. */
function loadB(c: TcgCpu, insn: Insn, f: number): void {
  if (insn.mod === 3) {
    loadRmVector(c.env, insn.rm, (f & F_XMM) !== 0 && (f & F_MMX_RM) === 0 ? 16 : 8);
    return;
  }
  const a = c.ea(insn);
  const size = f & F_MEMSIZE;
  const m = c.mmu;
  if (size === 16) {
    if ((f & F_ALIGN) !== 0 && (a & 15) !== 0) c.raise(EXCP0D_GPF, 0);
    B32[0] = m.ld32(a); B32[1] = m.ld32(c.addrAdd(a, 4)); B32[2] = m.ld32(c.addrAdd(a, 8)); B32[3] = m.ld32(c.addrAdd(a, 12));
  } else if (size === 8) {
    B32[0] = m.ld32(a); B32[1] = m.ld32(c.addrAdd(a, 4));
  } else if (size === 4) {
    B32[0] = m.ld32(a);
  } else {
    B32[0] = m.ld16(a);
  }
}

/** Stores the low `size` bytes of A to the r/m operand (a register of the vector class, or memory). */
function storeE(c: TcgCpu, insn: Insn, f: number, size: number): void {
  if (insn.mod === 3) {
    writeA(c.env, insn.rm, (f & F_XMM) !== 0 ? 16 : 8);
    return;
  }
  const a = c.ea(insn);
  const m = c.mmu;
  if (size === 16) {
    if ((f & F_ALIGN) !== 0 && (a & 15) !== 0) c.raise(EXCP0D_GPF, 0);
    m.probeWrite(a, 16);
    m.st32(a, A32[0]); m.st32(c.addrAdd(a, 4), A32[1]); m.st32(c.addrAdd(a, 8), A32[2]); m.st32(c.addrAdd(a, 12), A32[3]);
  } else if (size === 8) {
    m.probeWrite(a, 8);
    m.st32(a, A32[0]); m.st32(c.addrAdd(a, 4), A32[1]);
  } else {
    m.st32(a, A32[0]);
  }
}

/** MASKMOVQ / MASKMOVDQU: the bytes of reg whose mask byte (in rm) has its top bit set go to DS:rDI. */
function maskMove(c: TcgCpu, insn: Insn, n: number): void {
  const env = c.env;
  loadA(env, insn.reg, n);
  loadRmVector(env, insn.rm, n);
  const regs = env.regs;
  let a: number;
  if (insn.asize === 8) {
    a = c.canonical(regs[(R_EDI << 1) + 1] * 4294967296 + (regs[R_EDI << 1] >>> 0) + (insn.seg >= R_FS ? env.segBase[insn.seg] : 0));
  } else {
    const off = insn.asize === 4 ? regs[R_EDI << 1] >>> 0 : regs[R_EDI << 1] & 0xffff;
    if (insn.mode === 8) a = c.canonical(off + (insn.seg >= R_FS ? env.segBase[insn.seg] : 0));
    else {
      if (env.segFlags[insn.seg] === 0) c.nullSeg(insn.seg);
      a = (env.segBase[insn.seg] + off) >>> 0;
    }
  }
  // The whole destination is checked first, masked-out bytes included (as the host CPU does).
  c.mmu.probeWrite(a, n);
  for (let i = 0; i < n; i++) if ((B8[i] & 0x80) !== 0) c.mmu.st8(c.addrAdd(a, i), A8[i]);
}
