/*
 * The FPU/SSE state instructions of 0F AE: FXSAVE/FXRSTOR (the 512-byte legacy area),
 * LDMXCSR/STMXCSR, and XSAVE/XRSTOR/XSAVEOPT for the x87 and SSE components (XCR0 bits 0-1).
 *
 * As QEMU 7.2: FXSAVE stores FIP/FCS/FDP/FDS as zeros and leaves FOP and the reserved bytes
 * untouched (so the 32- and 64-bit forms are the same); MXCSR_MASK is 0x0000ffff; MXCSR and the
 * XMM registers take part only with CR4.OSFXSR (XMM8-15 only in 64-bit code, none for a "fast
 * FXSAVE" at CPL 0 in long mode with EFER.FFXSR); XSAVE tracks no init state, so XSTATE_BV gets
 * every requested bit and XSAVEOPT saves what XSAVE saves.
 */
import type { TcgCpu } from './tcg-cpu.js';
import type { Insn } from './decode.js';
import { EXCP0D_GPF, EFER_LMA, R_EAX } from './cpu-state.js';
import { cpl } from './control.js';
import { fpuStatusWord, fpuSetStatusWord, fpuSetControlWord, fpuInit, stIndex, CR0_EM, CR0_TS, CR4_OSFXSR, CR4_OSXSAVE, EXCP07_PREX } from './fpu-helper.js';

export const MXCSR_MASK = 0x0000ffff;
const EFER_FFXSR = 1 << 14;
const XSTATE_FP = 1, XSTATE_SSE = 2;

export function x87StateExec(c: TcgCpu, insn: Insn, op: number): boolean {
  const env = c.env;
  switch (op) {
    case 0: case 1: // FXSAVE, FXRSTOR
      if ((c.features.FEAT_1_EDX & (1 << 24)) === 0) c.ud();
      if ((env.cr0 & (CR0_EM | CR0_TS)) !== 0) c.raise(EXCP07_PREX, 0);
      if (op === 0) fxsave(c, c.ea(insn));
      else fxrstor(c, c.ea(insn));
      return true;
    case 2: case 3: { // LDMXCSR, STMXCSR
      if ((env.cr0 & CR0_EM) !== 0 || (env.cr4 & CR4_OSFXSR) === 0) c.ud();
      if ((env.cr0 & CR0_TS) !== 0) c.raise(EXCP07_PREX, 0);
      const lin = c.ea(insn);
      if (op === 3) c.mmu.st32(lin, env.mxcsr);
      else setMxcsr(c, c.mmu.ld32(lin));
      return true;
    }
    case 4: case 5: case 6: { // XSAVE, XRSTOR, XSAVEOPT
      if (!hasXsave(c) || (op === 6 && !hasXsaveopt(c))) c.ud();
      const rfbmLo = env.regs[R_EAX << 1];
      const lin = c.ea(insn);
      if (op === 5) xrstor(c, lin, rfbmLo);
      else xsave(c, lin, rfbmLo);
      return true;
    }
  }
  return c.ud();
}

export function hasXsave(c: TcgCpu): boolean {
  return ((c.features.FEAT_1_ECX ?? 0) & (1 << 26)) !== 0;
}

function hasXsaveopt(c: TcgCpu): boolean {
  return ((c.features.FEAT_XSAVE ?? 0) & 1) !== 0;
}

/** LDMXCSR and the MXCSR of FXRSTOR/XRSTOR: #GP(0) on bits outside MXCSR_MASK. */
function setMxcsr(c: TcgCpu, v: number): void {
  if ((v & ~MXCSR_MASK) !== 0) c.raise(EXCP0D_GPF, 0);
  c.env.mxcsr = v;
}

function xmmCount(c: TcgCpu): number {
  return c.env.codeSize === 8 ? 16 : 8;
}

/** The legacy x87 part of the save area (QEMU's do_xsave_fpu). */
function saveFpu(c: TcgCpu, lin: number): void {
  const env = c.env;
  const mmu = c.mmu;
  let ftw = 0;
  for (let i = 0; i < 8; i++) if (env.fptags[i] === 0) ftw |= 1 << i;
  mmu.st16(lin, env.fpuc);
  mmu.st16(c.addrAdd(lin, 2), fpuStatusWord(env));
  mmu.st16(c.addrAdd(lin, 4), ftw);
  for (let o = 8; o < 24; o += 4) mmu.st32(c.addrAdd(lin, o), 0);
  for (let i = 0; i < 8; i++) {
    const p = stIndex(env, i);
    const a = c.addrAdd(lin, 32 + 16 * i);
    mmu.st32(a, env.fpregs[4 * p]);
    mmu.st32(c.addrAdd(a, 4), env.fpregs[4 * p + 1]);
    mmu.st16(c.addrAdd(a, 8), env.fpregs[4 * p + 2]);
  }
}

function saveMxcsr(c: TcgCpu, lin: number): void {
  c.mmu.st32(c.addrAdd(lin, 24), c.env.mxcsr);
  c.mmu.st32(c.addrAdd(lin, 28), MXCSR_MASK);
}

function saveXmm(c: TcgCpu, lin: number): void {
  const n = xmmCount(c);
  for (let i = 0; i < 4 * n; i++) c.mmu.st32(c.addrAdd(lin, 160 + 4 * i), c.env.xmm[i]);
}

function restoreFpu(c: TcgCpu, lin: number): void {
  const env = c.env;
  const mmu = c.mmu;
  fpuSetControlWord(env, mmu.ld16(lin));
  fpuSetStatusWord(env, mmu.ld16(c.addrAdd(lin, 2)));
  const ftw = mmu.ld8(c.addrAdd(lin, 4));
  for (let i = 0; i < 8; i++) env.fptags[i] = (ftw >> i) & 1 ? 0 : 1;
  for (let i = 0; i < 8; i++) {
    const p = stIndex(env, i);
    const a = c.addrAdd(lin, 32 + 16 * i);
    env.fpregs[4 * p] = mmu.ld32(a);
    env.fpregs[4 * p + 1] = mmu.ld32(c.addrAdd(a, 4));
    env.fpregs[4 * p + 2] = mmu.ld16(c.addrAdd(a, 8));
  }
}

function restoreXmm(c: TcgCpu, lin: number): void {
  const n = xmmCount(c);
  for (let i = 0; i < 4 * n; i++) c.env.xmm[i] = c.mmu.ld32(c.addrAdd(lin, 160 + 4 * i));
}

/** Fast FXSAVE/FXRSTOR (EFER.FFXSR at CPL 0 in long mode) skip the XMM registers. */
function fastFxsr(c: TcgCpu): boolean {
  const env = c.env;
  return (env.efer & EFER_FFXSR) !== 0 && (env.efer & EFER_LMA) !== 0 && cpl(c) === 0;
}

export function fxsave(c: TcgCpu, lin: number): void {
  if (lin % 16 !== 0) c.raise(EXCP0D_GPF, 0);
  c.mmu.probeWrite(lin, 512);
  saveFpu(c, lin);
  if ((c.env.cr4 & CR4_OSFXSR) !== 0) {
    saveMxcsr(c, lin);
    if (!fastFxsr(c)) saveXmm(c, lin);
  }
}

export function fxrstor(c: TcgCpu, lin: number): void {
  if (lin % 16 !== 0) c.raise(EXCP0D_GPF, 0);
  const osfxsr = (c.env.cr4 & CR4_OSFXSR) !== 0;
  const mxcsr = c.mmu.ld32(c.addrAdd(lin, 24));
  if (osfxsr && (mxcsr & ~MXCSR_MASK) !== 0) c.raise(EXCP0D_GPF, 0);
  restoreFpu(c, lin);
  if (osfxsr) {
    c.env.mxcsr = mxcsr;
    if (!fastFxsr(c)) restoreXmm(c, lin);
  }
}

/** XSAVE/XSAVEOPT with the requested-feature bitmap EDX:EAX (only bits 0-1 exist here). */
function xsave(c: TcgCpu, lin: number, rfbmLo: number): void {
  const env = c.env;
  if ((env.cr4 & CR4_OSXSAVE) === 0) c.ud();
  if (lin % 64 !== 0) c.raise(EXCP0D_GPF, 0);
  const rfbm = rfbmLo & env.xcr0 & (XSTATE_FP | XSTATE_SSE);
  c.mmu.probeWrite(lin, 576);
  if ((rfbm & XSTATE_FP) !== 0) saveFpu(c, lin);
  if ((rfbm & XSTATE_SSE) !== 0) {
    saveMxcsr(c, lin);
    saveXmm(c, lin);
  }
  const bvAddr = c.addrAdd(lin, 512);
  c.mmu.st32(bvAddr, c.mmu.ld32(bvAddr) | rfbm);
}

function xrstor(c: TcgCpu, lin: number, rfbmLo: number): void {
  const env = c.env;
  const mmu = c.mmu;
  const rfbm = rfbmLo & env.xcr0;
  if ((env.cr4 & CR4_OSXSAVE) === 0) c.ud();
  if (lin % 64 !== 0) c.raise(EXCP0D_GPF, 0);
  const bvLo = mmu.ld32(c.addrAdd(lin, 512)), bvHi = mmu.ld32(c.addrAdd(lin, 516));
  // Compacted form (bit 63), bits not in XCR0, or a non-zero XCOMP_BV/reserved qword: #GP.
  if (bvHi !== 0 || (bvLo & ~env.xcr0) !== 0) c.raise(EXCP0D_GPF, 0);
  for (let o = 520; o < 536; o += 4) if (mmu.ld32(c.addrAdd(lin, o)) !== 0) c.raise(EXCP0D_GPF, 0);
  let mxcsr = env.mxcsr;
  if ((rfbm & XSTATE_SSE) !== 0) {
    mxcsr = mmu.ld32(c.addrAdd(lin, 24));
    if ((mxcsr & ~MXCSR_MASK) !== 0) c.raise(EXCP0D_GPF, 0);
  }
  if ((rfbm & XSTATE_FP) !== 0) {
    if ((bvLo & XSTATE_FP) !== 0) restoreFpu(c, lin);
    else {
      fpuInit(env);
      env.fpregs.fill(0);
    }
  }
  if ((rfbm & XSTATE_SSE) !== 0) {
    // The standard form loads MXCSR whether or not XSTATE_BV[1] is set.
    env.mxcsr = mxcsr;
    if ((bvLo & XSTATE_SSE) !== 0) restoreXmm(c, lin);
    else env.xmm.fill(0, 0, 4 * xmmCount(c));
  }
}

