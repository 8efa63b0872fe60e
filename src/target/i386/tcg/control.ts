/*
 * Control transfer and stack-frame helpers: segment register loads, far JMP/CALL/RET through
 * code segments, call gates and task gates (QEMU's helper_load_seg, helper_ljmp_protected,
 * helper_lcall_protected, helper_ret_protected), IRET in every mode, ENTER/LEAVE,
 * PUSHA/POPA, PUSHF/POPF.
 *
 * Like QEMU's TCG (the oracle), segment limits are checked on far transfers but not on every
 * memory access.
 */
import type { TcgCpu } from './tcg-cpu.js';
import {
  R_CS, R_SS, R_ES, R_DS, R_FS, R_GS, R_ESP, R_EBP, R_TR, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK, DESC_L_MASK,
  DESC_B_MASK, DESC_G_MASK, DESC_DPL_SHIFT, DESC_W_MASK, DESC_R_MASK, CR0_PE_MASK, VM_MASK, RF_MASK, IOPL_MASK,
  IF_MASK, TF_MASK, DF_MASK, AC_MASK, ID_MASK, NT_MASK, VIF_MASK, VIP_MASK, EFER_LMA, EXCP0D_GPF, EXCP0C_STACK,
  CC_MASK,
} from './cpu-state.js';
import { cpuComputeEflags, cpuLoadEflags } from './flags.js';
import {
  e1, e2, descAddr, loadSegment, getSegBase, getSegLimit, getSpMask, loadSegVm, sp, setSp, pushw, pushl, popw,
  popl, pushq, popq, setEsp, getRsp64, ldk16, ldk32, stk32, EXCP0A_TSS, EXCP0B_NOSEG, DESC_A_MASK, DESC_C_MASK, DESC_TYPE_SHIFT,
} from './seg-desc.js';
import { getSsEspFromTss, tssStackSelector, getRspFromTss, checkInnerSs } from './seg-helper.js';
import { switchTss, SWITCH_TSS_JMP, SWITCH_TSS_CALL, SWITCH_TSS_IRET } from './task-switch.js';

export function cpl(c: TcgCpu): number {
  const env = c.env;
  if ((env.cr0 & CR0_PE_MASK) === 0) return 0;
  if ((env.eflags & VM_MASK) !== 0) return 3;
  return env.segSelector[R_CS] & 3;
}

/** True in protected mode outside virtual-8086 mode. */
export function protMode(c: TcgCpu): boolean {
  return (c.env.cr0 & CR0_PE_MASK) !== 0 && (c.env.eflags & VM_MASK) === 0;
}

/** Loads a data/stack segment register (MOV/POP Sreg, LDS...): helper_load_seg. */
export function loadSeg(c: TcgCpu, seg: number, sel: number): void {
  const env = c.env;
  sel &= 0xffff;
  if (!protMode(c)) {
    env.loadSegCache(seg, sel, sel << 4, env.segLimit[seg], env.segFlags[seg]);
    return;
  }
  const cur = cpl(c);
  if ((sel & 0xfffc) === 0) {
    // Null selector: allowed except for SS (in 64-bit mode SS may be null at CPL < 3).
    if (seg === R_SS && (env.codeSize !== 8 || cur === 3)) c.raise(EXCP0D_GPF, 0);
    env.loadSegCache(seg, sel, 0, 0, 0);
    return;
  }
  const err = sel & 0xfffc;
  if (!loadSegment(c, sel)) c.raise(EXCP0D_GPF, err);
  let d2 = e2;
  if ((d2 & DESC_S_MASK) === 0) c.raise(EXCP0D_GPF, err);
  const rpl = sel & 3;
  const dpl = (d2 >> DESC_DPL_SHIFT) & 3;
  if (seg === R_SS) {
    if ((d2 & DESC_CS_MASK) !== 0 || (d2 & DESC_W_MASK) === 0) c.raise(EXCP0D_GPF, err);
    if (rpl !== cur || dpl !== cur) c.raise(EXCP0D_GPF, err);
  } else {
    if ((d2 & (DESC_CS_MASK | DESC_R_MASK)) === DESC_CS_MASK) c.raise(EXCP0D_GPF, err); // execute-only code
    // Data and non-conforming code segments: max(CPL, RPL) <= DPL.
    if (((d2 & DESC_CS_MASK) === 0 || (d2 & DESC_C_MASK) === 0) && (dpl < cur || dpl < rpl)) c.raise(EXCP0D_GPF, err);
  }
  if ((d2 & DESC_P_MASK) === 0) c.raise(seg === R_SS ? EXCP0C_STACK : EXCP0B_NOSEG, err);
  if ((d2 & DESC_A_MASK) === 0) {
    d2 |= DESC_A_MASK;
    stk32(c, c.addrAdd(descAddr, 4), d2);
  }
  env.loadSegCache(seg, sel, getSegBase(e1, d2), getSegLimit(e1, d2), d2);
}

/** Checks a far JMP/CALL target code segment (e1/e2) at the current privilege level. */
function checkDirectCode(c: TcgCpu, sel: number, d2: number, cur: number): void {
  const err = sel & 0xfffc;
  if ((d2 & DESC_CS_MASK) === 0) c.raise(EXCP0D_GPF, err);
  const dpl = (d2 >> DESC_DPL_SHIFT) & 3;
  if ((d2 & DESC_C_MASK) !== 0) {
    if (dpl > cur) c.raise(EXCP0D_GPF, err);
  } else if ((sel & 3) > cur || dpl !== cur) c.raise(EXCP0D_GPF, err);
  if ((d2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, err);
}

/* The call gate read by readCallGate(): target selector and offset, parameter count. */
let gateSel = 0, gateOffset = 0, gateParams = 0;

/**
 * Decodes the call gate e1/e2 at `sel` (a 16-byte gate in long mode): #GP unless its DPL
 * admits CPL and RPL, #NP if not present.
 */
function readCallGate(c: TcgCpu, sel: number, cur: number): void {
  const g1 = e1, g2 = e2;
  const err = sel & 0xfffc;
  const dpl = (g2 >> DESC_DPL_SHIFT) & 3;
  if (dpl < cur || dpl < (sel & 3)) c.raise(EXCP0D_GPF, err);
  if ((g2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, err);
  gateSel = g1 >>> 16;
  gateParams = g2 & 0x1f;
  gateOffset = g1 & 0xffff;
  if (((g2 >> DESC_TYPE_SHIFT) & 0xf) === 12) gateOffset = ((g2 & 0xffff0000) | gateOffset) >>> 0;
  if ((c.env.efer & EFER_LMA) !== 0) {
    // The gate's upper 8 bytes hold offset bits 63:32 and a zero type.
    if (!loadSegment(c, sel + 8)) c.raise(EXCP0D_GPF, err);
    if (((e2 >> DESC_TYPE_SHIFT) & 0x1f) !== 0) c.raise(EXCP0D_GPF, err);
    gateOffset += e1 * 4294967296;
  }
}

/** Far JMP to sel:offset (helper_ljmp_protected outside real and V86 mode). */
export function jmpFar(c: TcgCpu, sel: number, offset: number): void {
  const env = c.env;
  sel &= 0xffff;
  if (!protMode(c)) {
    env.loadSegCache(R_CS, sel, sel << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
    c.nextRip = offset;
    return;
  }
  const err = sel & 0xfffc;
  if (err === 0) c.raise(EXCP0D_GPF, 0);
  if (!loadSegment(c, sel)) c.raise(EXCP0D_GPF, err);
  const cur = cpl(c);
  const lma = (env.efer & EFER_LMA) !== 0;
  if ((e2 & DESC_S_MASK) !== 0) {
    const d1 = e1, d2 = e2;
    checkDirectCode(c, sel, d2, cur);
    const limit = getSegLimit(d1, d2);
    if (offset > limit && (!lma || (d2 & DESC_L_MASK) === 0)) c.raise(EXCP0D_GPF, 0);
    env.loadSegCache(R_CS, err | cur, getSegBase(d1, d2), limit, d2);
    c.nextRip = offset;
    return;
  }
  const type = (e2 >> DESC_TYPE_SHIFT) & 0xf;
  const dpl = (e2 >> DESC_DPL_SHIFT) & 3;
  if (lma && type !== 12) c.raise(EXCP0D_GPF, err);
  if (type === 1 || type === 9 || type === 5) {
    if (dpl < cur || dpl < (sel & 3)) c.raise(EXCP0D_GPF, err);
    switchTss(c, sel, e1, e2, SWITCH_TSS_JMP, c.nextRip);
    c.nextRip = env.rip;
    return;
  }
  if (type !== 4 && type !== 12) c.raise(EXCP0D_GPF, err);
  readCallGate(c, sel, cur);
  const gerr = gateSel & 0xfffc;
  if (!loadSegment(c, gateSel)) c.raise(EXCP0D_GPF, gerr);
  const d1 = e1, d2 = e2;
  const cdpl = (d2 >> DESC_DPL_SHIFT) & 3;
  if ((d2 & (DESC_S_MASK | DESC_CS_MASK)) !== (DESC_S_MASK | DESC_CS_MASK)) c.raise(EXCP0D_GPF, gerr);
  if ((d2 & DESC_C_MASK) !== 0 ? cdpl > cur : cdpl !== cur) c.raise(EXCP0D_GPF, gerr);
  if (lma && ((d2 & DESC_L_MASK) === 0 || (d2 & DESC_B_MASK) !== 0)) c.raise(EXCP0D_GPF, gerr);
  if ((d2 & DESC_P_MASK) === 0) c.raise(EXCP0D_GPF, gerr);
  const limit = getSegLimit(d1, d2);
  if (gateOffset > limit && (!lma || (d2 & DESC_L_MASK) === 0)) c.raise(EXCP0D_GPF, 0);
  env.loadSegCache(R_CS, gerr | cur, getSegBase(d1, d2), limit, d2);
  c.nextRip = gateOffset;
}

/** Far CALL: pushes CS and the return address with operand size `size`, then transfers. */
export function callFar(c: TcgCpu, size: number, sel: number, offset: number): void {
  const env = c.env;
  sel &= 0xffff;
  const next = c.nextRip;
  if (!protMode(c)) {
    const mask = getSpMask(env.segFlags[R_SS]);
    setSp(env.regs[R_ESP << 1] >>> 0);
    const ssp = env.segBase[R_SS];
    if (size === 4) {
      pushl(c, ssp, mask, env.segSelector[R_CS]);
      pushl(c, ssp, mask, next);
    } else {
      pushw(c, ssp, mask, env.segSelector[R_CS]);
      pushw(c, ssp, mask, next);
    }
    setEsp(c, sp, mask);
    env.loadSegCache(R_CS, sel, sel << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
    c.nextRip = offset;
    return;
  }
  const err = sel & 0xfffc;
  if (err === 0) c.raise(EXCP0D_GPF, 0);
  if (!loadSegment(c, sel)) c.raise(EXCP0D_GPF, err);
  const cur = cpl(c);
  const lma = (env.efer & EFER_LMA) !== 0;
  if ((e2 & DESC_S_MASK) !== 0) {
    const d1 = e1, d2 = e2;
    checkDirectCode(c, sel, d2, cur);
    if (size === 8) {
      setSp(getRsp64(c));
      pushq(c, env.segSelector[R_CS], 0);
      pushq(c, next >>> 0, Math.floor(next / 4294967296) | 0);
      setEsp(c, sp, -1);
      env.loadSegCache(R_CS, err | cur, getSegBase(d1, d2), getSegLimit(d1, d2), d2);
      c.nextRip = offset;
      return;
    }
    const mask = getSpMask(env.segFlags[R_SS]);
    const ssp = env.segBase[R_SS];
    setSp(env.regs[R_ESP << 1] >>> 0);
    if (size === 4) {
      pushl(c, ssp, mask, env.segSelector[R_CS]);
      pushl(c, ssp, mask, next);
    } else {
      pushw(c, ssp, mask, env.segSelector[R_CS]);
      pushw(c, ssp, mask, next);
    }
    const limit = getSegLimit(d1, d2);
    if (offset > limit) c.raise(EXCP0D_GPF, 0);
    setEsp(c, sp, mask);
    env.loadSegCache(R_CS, err | cur, getSegBase(d1, d2), limit, d2);
    c.nextRip = offset;
    return;
  }
  const type = (e2 >> DESC_TYPE_SHIFT) & 0x1f;
  const gdpl = (e2 >> DESC_DPL_SHIFT) & 3;
  if (lma && type !== 12) c.raise(EXCP0D_GPF, err);
  if (type === 1 || type === 9 || type === 5) {
    if (gdpl < cur || gdpl < (sel & 3)) c.raise(EXCP0D_GPF, err);
    switchTss(c, sel, e1, e2, SWITCH_TSS_CALL, next);
    c.nextRip = env.rip;
    return;
  }
  if (type !== 4 && type !== 12) c.raise(EXCP0D_GPF, err);
  let shift = type >> 3;
  readCallGate(c, sel, cur);
  const selector = gateSel;
  if ((selector & 0xfffc) === 0) c.raise(EXCP0D_GPF, 0);
  const serr = selector & 0xfffc;
  if (!loadSegment(c, selector)) c.raise(EXCP0D_GPF, serr);
  const d1 = e1, d2 = e2;
  if ((d2 & DESC_S_MASK) === 0 || (d2 & DESC_CS_MASK) === 0) c.raise(EXCP0D_GPF, serr);
  const dpl = (d2 >> DESC_DPL_SHIFT) & 3;
  if (dpl > cur) c.raise(EXCP0D_GPF, serr);
  if (lma) {
    if ((d2 & DESC_L_MASK) === 0 || (d2 & DESC_B_MASK) !== 0) c.raise(EXCP0D_GPF, serr);
    shift++;
  }
  if ((d2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, serr);
  const regs = env.regs;
  let newStack = false;
  let ss = 0, s1 = 0, s2 = 0, mask: number, ssp: number;
  if ((d2 & DESC_C_MASK) === 0 && dpl < cur) {
    // To an inner privilege level: switch to the TSS stack and copy the parameters.
    if (shift === 2) {
      setSp(getRspFromTss(c, dpl));
      ss = dpl; // a null SS with RPL = the new CPL
      mask = -1;
      ssp = 0;
    } else {
      setSp(getSsEspFromTss(c, dpl));
      ss = tssStackSelector();
      checkInnerSs(c, ss, dpl);
      s1 = e1;
      s2 = e2;
      mask = getSpMask(s2);
      ssp = getSegBase(s1, s2);
    }
    const oldMask = getSpMask(env.segFlags[R_SS]);
    const oldSsp = env.segBase[R_SS];
    const oldEsp = regs[R_ESP << 1];
    if (shift === 2) {
      const rsp = getRsp64(c);
      pushq(c, env.segSelector[R_SS], 0);
      pushq(c, rsp >>> 0, Math.floor(rsp / 4294967296) | 0);
    } else if (shift === 1) {
      pushl(c, ssp, mask, env.segSelector[R_SS]);
      pushl(c, ssp, mask, oldEsp);
      for (let i = gateParams - 1; i >= 0; i--) pushl(c, ssp, mask, ldk32(c, (oldSsp + ((oldEsp + i * 4) & oldMask)) >>> 0));
    } else {
      pushw(c, ssp, mask, env.segSelector[R_SS]);
      pushw(c, ssp, mask, oldEsp);
      for (let i = gateParams - 1; i >= 0; i--) pushw(c, ssp, mask, ldk16(c, (oldSsp + ((oldEsp + i * 2) & oldMask)) >>> 0));
    }
    newStack = true;
  } else {
    if (shift === 2) {
      setSp(getRsp64(c));
      mask = -1;
      ssp = 0;
    } else {
      setSp(regs[R_ESP << 1] >>> 0);
      mask = getSpMask(env.segFlags[R_SS]);
      ssp = env.segBase[R_SS];
    }
  }
  if (shift === 2) {
    pushq(c, env.segSelector[R_CS], 0);
    pushq(c, next >>> 0, Math.floor(next / 4294967296) | 0);
  } else if (shift === 1) {
    pushl(c, ssp, mask, env.segSelector[R_CS]);
    pushl(c, ssp, mask, next);
  } else {
    pushw(c, ssp, mask, env.segSelector[R_CS]);
    pushw(c, ssp, mask, next);
  }
  if (newStack) {
    if (shift === 2) env.loadSegCache(R_SS, ss, 0, 0, 0);
    else env.loadSegCache(R_SS, (ss & ~3) | dpl, ssp, getSegLimit(s1, s2), s2);
  }
  env.loadSegCache(R_CS, (selector & ~3) | dpl, getSegBase(d1, d2), getSegLimit(d1, d2), d2);
  setEsp(c, sp, mask);
  c.nextRip = gateOffset;
}

/** Far RET: pops RIP and CS, then `extra` bytes (real/V86 mode, or helper_lret_protected). */
export function retFar(c: TcgCpu, size: number, extra: number): void {
  const env = c.env;
  if (!protMode(c)) {
    // (translated inline by QEMU: ordinary data accesses at the current privilege)
    const mask = getSpMask(env.segFlags[R_SS]);
    const ssp = env.segBase[R_SS];
    const s0 = env.regs[R_ESP << 1] >>> 0;
    const ip = size === 4 ? c.mmu.ld32((ssp + (s0 & mask)) >>> 0) >>> 0 : c.mmu.ld16((ssp + (s0 & mask)) >>> 0);
    const cs = c.mmu.ld16((ssp + ((s0 + size) & mask)) >>> 0);
    setEsp(c, s0 + 2 * size + extra, mask);
    env.loadSegCache(R_CS, cs, cs << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
    c.nextRip = ip;
    return;
  }
  retProtected(c, size, false, extra);
}

/* EFLAGS popped by retProtected() for IRET. */
let newEflags = 0;

/**
 * helper_ret_protected: far RET (isIret false) or IRET without NT, to the same or an outer
 * privilege level, or (IRETD from CPL 0 with VM set) to virtual-8086 mode.
 */
function retProtected(c: TcgCpu, size: number, isIret: boolean, addend: number): void {
  const env = c.env;
  const regs = env.regs;
  let mask: number, ssp: number;
  let newEip: number, newCs: number;
  newEflags = 0;
  if (size === 8) {
    mask = -1;
    ssp = 0;
    setSp(getRsp64(c));
    const lo = popq(c);
    newEip = c.hi * 4294967296 + (lo >>> 0);
    newCs = popq(c) & 0xffff;
    if (isIret) newEflags = popq(c);
  } else {
    mask = getSpMask(env.segFlags[R_SS]);
    ssp = env.segBase[R_SS];
    setSp(regs[R_ESP << 1] >>> 0);
    if (size === 4) {
      newEip = popl(c, ssp, mask) >>> 0;
      newCs = popl(c, ssp, mask) & 0xffff;
      if (isIret) {
        newEflags = popl(c, ssp, mask);
        if ((newEflags & VM_MASK) !== 0) {
          returnToVm86(c, ssp, mask, newEip, newCs);
          return;
        }
      }
    } else {
      newEip = popw(c, ssp, mask);
      newCs = popw(c, ssp, mask);
      if (isIret) newEflags = popw(c, ssp, mask);
    }
  }
  const err = newCs & 0xfffc;
  if (err === 0) c.raise(EXCP0D_GPF, 0);
  if (!loadSegment(c, newCs)) c.raise(EXCP0D_GPF, err);
  const d1 = e1, d2 = e2;
  if ((d2 & DESC_S_MASK) === 0 || (d2 & DESC_CS_MASK) === 0) c.raise(EXCP0D_GPF, err);
  const cur = cpl(c);
  const rpl = newCs & 3;
  if (rpl < cur) c.raise(EXCP0D_GPF, err);
  const dpl = (d2 >> DESC_DPL_SHIFT) & 3;
  if ((d2 & DESC_C_MASK) !== 0 ? dpl > rpl : dpl !== rpl) c.raise(EXCP0D_GPF, err);
  if ((d2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, err);
  setSp(size === 8 ? sp + addend : (sp + addend) >>> 0);
  const cs64 = env.codeSize === 8;
  if (rpl === cur && (!cs64 || !isIret)) {
    env.loadSegCache(R_CS, newCs, getSegBase(d1, d2), getSegLimit(d1, d2), d2);
  } else {
    // Return to an outer privilege level (and every IRETQ): pop SS:rSP too.
    let newEsp: number, newSs: number;
    if (size === 8) {
      const lo = popq(c);
      newEsp = c.hi * 4294967296 + (lo >>> 0);
      newSs = popq(c) & 0xffff;
    } else if (size === 4) {
      newEsp = popl(c, ssp, mask) >>> 0;
      newSs = popl(c, ssp, mask) & 0xffff;
    } else {
      newEsp = popw(c, ssp, mask);
      newSs = popw(c, ssp, mask);
    }
    let ssFlags: number;
    if ((newSs & 0xfffc) === 0) {
      // A null SS is allowed in long mode when returning to CPL < 3.
      if ((env.efer & EFER_LMA) === 0 || rpl === 3) c.raise(EXCP0D_GPF, 0);
      ssFlags = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | (rpl << DESC_DPL_SHIFT) | DESC_W_MASK | DESC_A_MASK;
      env.loadSegCache(R_SS, newSs, 0, 0xffffffff, ssFlags);
      ssFlags = DESC_B_MASK;
    } else {
      const serr = newSs & 0xfffc;
      if ((newSs & 3) !== rpl) c.raise(EXCP0D_GPF, serr);
      if (!loadSegment(c, newSs)) c.raise(EXCP0D_GPF, serr);
      if ((e2 & DESC_S_MASK) === 0 || (e2 & DESC_CS_MASK) !== 0 || (e2 & DESC_W_MASK) === 0) c.raise(EXCP0D_GPF, serr);
      if (((e2 >> DESC_DPL_SHIFT) & 3) !== rpl) c.raise(EXCP0D_GPF, serr);
      if ((e2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, serr);
      ssFlags = e2;
      env.loadSegCache(R_SS, newSs, getSegBase(e1, e2), getSegLimit(e1, e2), e2);
    }
    env.loadSegCache(R_CS, newCs, getSegBase(d1, d2), getSegLimit(d1, d2), d2);
    mask = env.codeSize === 8 ? -1 : getSpMask(ssFlags);
    validateSeg(c, R_ES, rpl);
    validateSeg(c, R_DS, rpl);
    validateSeg(c, R_FS, rpl);
    validateSeg(c, R_GS, rpl);
    setSp(newEsp + addend);
  }
  setEsp(c, sp, mask);
  c.nextRip = newEip;
  if (isIret) {
    // `cur` is the old CPL.
    let fmask = CC_MASK | DF_MASK | TF_MASK | AC_MASK | ID_MASK | RF_MASK | NT_MASK;
    if (cur === 0) fmask |= IOPL_MASK;
    if (cur <= (env.eflags & IOPL_MASK) >> 12) fmask |= IF_MASK;
    if (size === 2) fmask &= 0xffff;
    cpuLoadEflags(env, newEflags, fmask);
    env.updateMode();
  }
}

/** IRETD to virtual-8086 mode: pops ESP, SS, ES, DS, FS, GS after EFLAGS. */
function returnToVm86(c: TcgCpu, ssp: number, mask: number, newEip: number, newCs: number): void {
  const env = c.env;
  const newEsp = popl(c, ssp, mask);
  const newSs = popl(c, ssp, mask);
  const newEs = popl(c, ssp, mask);
  const newDs = popl(c, ssp, mask);
  const newFs = popl(c, ssp, mask);
  const newGs = popl(c, ssp, mask);
  cpuLoadEflags(env, newEflags,
    CC_MASK | DF_MASK | TF_MASK | AC_MASK | ID_MASK | IF_MASK | IOPL_MASK | VM_MASK | NT_MASK | VIF_MASK | VIP_MASK);
  loadSegVm(c, R_CS, newCs);
  loadSegVm(c, R_SS, newSs);
  loadSegVm(c, R_ES, newEs);
  loadSegVm(c, R_DS, newDs);
  loadSegVm(c, R_FS, newFs);
  loadSegVm(c, R_GS, newGs);
  env.updateMode();
  c.nextRip = newEip & 0xffff;
  env.regs[R_ESP << 1] = newEsp;
  env.regs[(R_ESP << 1) + 1] = 0;
}

/**
 * validate_seg: after a return to an outer level, a data segment register the new level may
 * not use becomes unusable (QEMU clears the selector and the present bit, keeping the cache).
 */
function validateSeg(c: TcgCpu, seg: number, newCpl: number): void {
  const env = c.env;
  if ((seg === R_FS || seg === R_GS) && (env.segSelector[seg] & 0xfffc) === 0) return;
  const f = env.segFlags[seg];
  const dpl = (f >> DESC_DPL_SHIFT) & 3;
  if (((f & DESC_CS_MASK) === 0 || (f & DESC_C_MASK) === 0) && dpl < newCpl) {
    env.loadSegCache(seg, 0, env.segBase[seg], env.segLimit[seg], f & ~DESC_P_MASK);
  }
}

/**
 * IRET/IRETD/IRETQ (`size` = operand size): in real mode and V86 mode (IOPL 3) from the
 * 16-bit stack; in protected mode a return to the same or an outer level or to V86 mode, or
 * with EFLAGS.NT a return to the previous task (#GP in long mode).  Unblocks NMIs.
 */
export function iret(c: TcgCpu, size: number): void {
  const env = c.env;
  if (!protMode(c)) {
    if ((env.eflags & VM_MASK) !== 0 && (env.eflags & IOPL_MASK) !== IOPL_MASK) c.raise(EXCP0D_GPF, 0);
    iretReal(c, size);
  } else if ((env.eflags & NT_MASK) !== 0) {
    if ((env.efer & EFER_LMA) !== 0) c.raise(EXCP0D_GPF, 0);
    const tssSel = ldk16(c, env.segBase[R_TR]);
    const err = tssSel & 0xfffc;
    if ((tssSel & 4) !== 0 || !loadSegment(c, tssSel)) c.raise(EXCP0A_TSS, err);
    // The back link must name a busy TSS descriptor.
    if (((e2 >> DESC_TYPE_SHIFT) & 0x17) !== 3) c.raise(EXCP0A_TSS, err);
    switchTss(c, tssSel, e1, e2, SWITCH_TSS_IRET, c.nextRip);
    c.nextRip = env.rip;
  } else {
    retProtected(c, size, true, 0);
  }
  env.nmiBlocked = false;
}

/** helper_iret_real: pops IP, CS, FLAGS from SS:SP (a 16-bit stack pointer). */
function iretReal(c: TcgCpu, size: number): void {
  const env = c.env;
  const ssp = env.segBase[R_SS];
  setSp(env.regs[R_ESP << 1] >>> 0);
  let ip: number, cs: number, fl: number;
  if (size === 4) {
    ip = popl(c, ssp, 0xffff) >>> 0;
    cs = popl(c, ssp, 0xffff) & 0xffff;
    fl = popl(c, ssp, 0xffff);
  } else {
    ip = popw(c, ssp, 0xffff);
    cs = popw(c, ssp, 0xffff);
    fl = popw(c, ssp, 0xffff);
  }
  setEsp(c, sp, 0xffff);
  env.loadSegCache(R_CS, cs, cs << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
  c.nextRip = ip;
  // (cpu_load_eflags always loads the arithmetic flags and DF.)
  let mask = CC_MASK | DF_MASK | TF_MASK | AC_MASK | ID_MASK | IF_MASK | RF_MASK | NT_MASK;
  if ((env.eflags & VM_MASK) === 0) mask |= IOPL_MASK;
  if (size === 2) mask &= 0xffff;
  cpuLoadEflags(env, fl, mask);
}

/** ENTER alloc, level. */
export function enter(c: TcgCpu, size: number, alloc: number, level: number): void {
  const env = c.env;
  const regs = env.regs;
  level &= 31;
  const bp = c.getReg(size, R_EBP), bpHi = c.hi;
  c.push(size, bp, bpHi);
  const frame = c.getReg(env.stackSize, R_ESP), frameHi = c.hi;
  if (level > 0) {
    // Copy level-1 frame pointers from the old frame, then push the new frame pointer.
    let ebp = regs[R_EBP << 1], ebpHi = regs[(R_EBP << 1) + 1];
    for (let i = 1; i < level; i++) {
      if (env.stackSize === 8) {
        const l = (ebp >>> 0) - size;
        ebp = l | 0;
        if (l < 0) ebpHi = (ebpHi - 1) | 0;
      } else if (env.stackSize === 4) ebp = (ebp - size) | 0;
      else ebp = (ebp & ~0xffff) | ((ebp - size) & 0xffff);
      const a = env.stackSize === 8 ? ebpHi * 4294967296 + (ebp >>> 0)
        : (env.segBase[R_SS] + (env.stackSize === 4 ? ebp >>> 0 : ebp & 0xffff)) >>> 0;
      const v = c.load(size, a), vHi = c.hi;
      c.push(size, v, vHi);
    }
    c.push(size, frame, frameHi);
  }
  c.setReg(size, R_EBP, frame, frameHi);
  c.adjustSp(-alloc);
}

/** LEAVE: rSP = rBP; pop rBP. */
export function leave(c: TcgCpu, size: number): void {
  const env = c.env;
  const ss = env.stackSize;
  const regs = env.regs;
  const oldSp = regs[R_ESP << 1], oldSpHi = regs[(R_ESP << 1) + 1];
  c.setReg(ss, R_ESP, regs[R_EBP << 1], regs[(R_EBP << 1) + 1]);
  if (ss === 4) regs[(R_ESP << 1) + 1] = oldSpHi;
  try {
    const v = c.pop(size);
    c.setReg(size, R_EBP, v, c.hi);
  } catch (e) {
    regs[R_ESP << 1] = oldSp;
    regs[(R_ESP << 1) + 1] = oldSpHi;
    throw e;
  }
}

export function pusha(c: TcgCpu, size: number): void {
  const regs = c.env.regs;
  const sp = regs[R_ESP << 1];
  for (let r = 0; r < 8; r++) c.push(size, r === R_ESP ? sp : regs[r << 1], 0);
}

export function popa(c: TcgCpu, size: number): void {
  for (let r = 7; r >= 0; r--) {
    const v = c.peek(size, (7 - r) * size);
    if (r !== R_ESP) c.setReg(size, r, v, 0);
  }
  c.adjustSp(8 * size);
}

export function pushf(c: TcgCpu, size: number): void {
  const f = cpuComputeEflags(c.env) & ~(VM_MASK | RF_MASK);
  c.push(size, f, 0);
}

/** POPF: which bits change depends on CPL and IOPL (SDM POPF operation table). */
export function popf(c: TcgCpu, size: number): void {
  const env = c.env;
  const v = c.peek(size, 0);
  let mask = CC_MASK | TF_MASK | DF_MASK | NT_MASK | AC_MASK | ID_MASK;
  const cur = cpl(c);
  const iopl = (env.eflags & IOPL_MASK) >> 12;
  if (cur === 0) mask |= IOPL_MASK | IF_MASK;
  else if (cur <= iopl) mask |= IF_MASK;
  if ((env.eflags & VM_MASK) !== 0 && iopl < 3) c.raise(EXCP0D_GPF, 0);
  if (size === 2) mask &= 0xffff;
  c.adjustSp(size);
  cpuLoadEflags(env, v, mask);
  env.eflags &= ~RF_MASK;
}
