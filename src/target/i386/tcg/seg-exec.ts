/*
 * Execution of the segmentation and protection instructions (Op.SEG: SLDT, STR, LLDT, LTR,
 * VERR, VERW, LAR, LSL, ARPL; QEMU's helper_lldt/ltr/lar/lsl/verr/verw and translate.c) and the
 * I/O permission bitmap check of IN/OUT/INS/OUTS (QEMU's check_io).
 */
import type { TcgCpu } from './tcg-cpu.js';
import type { Insn } from './decode.js';
import { SegOp } from './decode-seg.js';
import {
  R_LDTR, R_TR, CR0_PE_MASK, VM_MASK, EFER_LMA, EXCP0D_GPF, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK,
  DESC_R_MASK, DESC_W_MASK, DESC_DPL_SHIFT, CC_Z,
} from './cpu-state.js';
import { computeAll } from './flags.js';
import {
  e1, e2, loadSegment, getSegBase, getSegLimit, ldk16, ldk32, stk32, EXCP0B_NOSEG, DESC_C_MASK, DESC_TYPE_SHIFT, DESC_TSS_BUSY_MASK,
  DESC_FLAGS_MASK,
} from './seg-desc.js';
import { cpl } from './control.js';

const CR4_UMIP_MASK = 1 << 11;

export function segExec(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  // All of them are #UD in real and virtual-8086 mode.
  if ((env.cr0 & CR0_PE_MASK) === 0 || (env.eflags & VM_MASK) !== 0) c.ud();
  switch (insn.sub) {
    case SegOp.SLDT: case SegOp.STR: {
      if ((env.cr4 & CR4_UMIP_MASK) !== 0 && cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
      const sel = env.segSelector[insn.sub === SegOp.SLDT ? R_LDTR : R_TR] & 0xffff;
      if (insn.mod === 3) c.setReg(insn.size, insn.rm, sel, 0);
      else c.store(2, c.ea(insn), sel, 0);
      return true;
    }
    case SegOp.LLDT: case SegOp.LTR: {
      if (cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
      const sel = c.readE(insn, 2);
      if (insn.sub === SegOp.LLDT) lldt(c, sel);
      else ltr(c, sel);
      return true;
    }
    case SegOp.VERR: case SegOp.VERW: {
      const ok = verify(c, c.readE(insn, 2), insn.sub === SegOp.VERW);
      setZ(c, ok);
      return true;
    }
    case SegOp.LAR: case SegOp.LSL: {
      const sel = c.readE(insn, 2);
      const isLar = insn.sub === SegOp.LAR;
      const ok = accessible(c, sel, isLar);
      setZ(c, ok);
      // Only a valid selector writes the destination (32 bits for 32- and 64-bit operands).
      if (ok) c.setReg(insn.size === 2 ? 2 : 4, insn.reg, isLar ? e2 & DESC_FLAGS_MASK : getSegLimit(e1, e2), 0);
      return true;
    }
    default: { // ARPL
      const dst = c.readE(insn, 2);
      const src = c.getReg(2, insn.reg);
      let z = false;
      let v = dst;
      if ((dst & 3) < (src & 3)) {
        v = (dst & ~3) | (src & 3);
        z = true;
      }
      c.writeE(insn, 2, v, 0);
      setZ(c, z);
      return true;
    }
  }
}

function setZ(c: TcgCpu, z: boolean): void {
  const f = computeAll(c.env);
  c.setFlags(z ? f | CC_Z : f & ~CC_Z);
}

/** The access check of LAR (isLar) and LSL: leaves the descriptor in e1/e2 when it passes. */
function accessible(c: TcgCpu, sel: number, isLar: boolean): boolean {
  if ((sel & 0xfffc) === 0 || !loadSegment(c, sel)) return false;
  const rpl = sel & 3;
  const dpl = (e2 >> DESC_DPL_SHIFT) & 3;
  const cur = cpl(c);
  if ((e2 & DESC_S_MASK) !== 0) {
    if ((e2 & DESC_CS_MASK) !== 0 && (e2 & DESC_C_MASK) !== 0) return true; // conforming code
    return dpl >= cur && dpl >= rpl;
  }
  // System descriptors: LAR accepts TSSs, LDTs, call and task gates; LSL only TSSs and LDTs.
  const type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
  const okType = isLar
    ? type === 1 || type === 2 || type === 3 || type === 4 || type === 5 || type === 9 || type === 11 || type === 12
    : type === 1 || type === 2 || type === 3 || type === 9 || type === 11;
  return okType && dpl >= cur && dpl >= rpl;
}

/** VERR / VERW: readable / writable from the current privilege level. */
function verify(c: TcgCpu, sel: number, write: boolean): boolean {
  if ((sel & 0xfffc) === 0 || !loadSegment(c, sel)) return false;
  if ((e2 & DESC_S_MASK) === 0) return false;
  const rpl = sel & 3;
  const dpl = (e2 >> DESC_DPL_SHIFT) & 3;
  const cur = cpl(c);
  if ((e2 & DESC_CS_MASK) !== 0) {
    if (write || (e2 & DESC_R_MASK) === 0) return false;
    return (e2 & DESC_C_MASK) !== 0 || (dpl >= cur && dpl >= rpl);
  }
  if (dpl < cur || dpl < rpl) return false;
  return !write || (e2 & DESC_W_MASK) !== 0;
}

/** Reads the system descriptor `sel` from the GDT for LLDT/LTR (16 bytes in long mode). */
function loadSystemDesc(c: TcgCpu, sel: number): number {
  const env = c.env;
  if ((sel & 4) !== 0) c.raise(EXCP0D_GPF, sel & 0xfffc);
  const lma = (env.efer & EFER_LMA) !== 0;
  if ((sel & ~7) + (lma ? 15 : 7) > env.gdtLimit) c.raise(EXCP0D_GPF, sel & 0xfffc);
  loadSegment(c, sel);
  return lma ? ldk32(c, env.gdtBase + (sel & ~7) + 8) | 0 : 0; // signed: a canonical kernel address stays exact as a double
}

/** LLDT: a null selector leaves an unusable LDT. */
function lldt(c: TcgCpu, sel: number): void {
  const env = c.env;
  sel &= 0xffff;
  if ((sel & 0xfffc) === 0) {
    env.loadSegCache(R_LDTR, sel, 0, 0, env.segFlags[R_LDTR]);
    return;
  }
  const baseHi = loadSystemDesc(c, sel);
  if ((e2 & DESC_S_MASK) !== 0 || ((e2 >> DESC_TYPE_SHIFT) & 0xf) !== 2) c.raise(EXCP0D_GPF, sel & 0xfffc);
  if ((e2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, sel & 0xfffc);
  env.loadSegCache(R_LDTR, sel, baseHi * 4294967296 + getSegBase(e1, e2), getSegLimit(e1, e2), e2);
}

/** LTR: loads TR from an available TSS descriptor and marks the descriptor busy. */
function ltr(c: TcgCpu, sel: number): void {
  const env = c.env;
  sel &= 0xffff;
  if ((sel & 0xfffc) === 0) {
    env.loadSegCache(R_TR, sel, 0, 0, 0);
    return;
  }
  const baseHi = loadSystemDesc(c, sel);
  const type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
  if ((e2 & DESC_S_MASK) !== 0 || (type !== 1 && type !== 9)) c.raise(EXCP0D_GPF, sel & 0xfffc);
  if ((e2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, sel & 0xfffc);
  if ((env.efer & EFER_LMA) !== 0) {
    // The upper half of a 16-byte descriptor must have a zero type.
    const e4 = ldk32(c, env.gdtBase + (sel & ~7) + 12);
    if (((e4 >> DESC_TYPE_SHIFT) & 0xf) !== 0) c.raise(EXCP0D_GPF, sel & 0xfffc);
  }
  const d1 = e1, d2 = e2;
  env.loadSegCache(R_TR, sel, baseHi * 4294967296 + getSegBase(d1, d2), getSegLimit(d1, d2), d2);
  stk32(c, env.gdtBase + (sel & ~7) + 4, d2 | DESC_TSS_BUSY_MASK);
}

/**
 * The TSS I/O permission bitmap (SDM Vol. 1 §19.5.2): with CPL > IOPL or in V86 mode, every
 * bit for the `size` ports from `port` must be clear in a 32-bit TSS, else #GP(0).
 */
export function checkIoBitmap(c: TcgCpu, port: number, size: number): void {
  const env = c.env;
  const flags = env.segFlags[R_TR];
  const limit = env.segLimit[R_TR];
  if ((flags & DESC_P_MASK) === 0 || ((flags >> DESC_TYPE_SHIFT) & 0xf) !== 9 || limit < 103) c.raise(EXCP0D_GPF, 0);
  const base = env.segBase[R_TR];
  const off = ldk16(c, base + 0x66) + (port >> 3);
  // The check reads two bytes.
  if (off + 1 > limit) c.raise(EXCP0D_GPF, 0);
  const bits = ldk16(c, base + off) >> (port & 7);
  if ((bits & ((1 << size) - 1)) !== 0) c.raise(EXCP0D_GPF, 0);
}
