/*
 * Hardware task switches (SDM Vol. 3 §8.3; QEMU's switch_tss): JMP/CALL to a TSS or a task
 * gate, interrupts through task gates, and IRET with EFLAGS.NT.
 */
import type { TcgCpu } from './tcg-cpu.js';
import {
  R_CS, R_SS, R_ES, R_DS, R_FS, R_GS, R_LDTR, R_TR, NT_MASK, TF_MASK, AC_MASK, ID_MASK, IF_MASK, IOPL_MASK,
  VM_MASK, RF_MASK, CC_MASK, DF_MASK, CR0_PG_MASK, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK, DESC_W_MASK, DESC_R_MASK,
  DESC_DPL_SHIFT, EXCP0D_GPF,
} from './cpu-state.js';
import { cpuComputeEflags, cpuLoadEflags } from './flags.js';
import {
  e1, e2, loadSegment, getSegBase, getSegLimit, loadSegVm, ldk8, ldk16, ldk32, stk8, stk16, stk32, EXCP0A_TSS, EXCP0B_NOSEG, DESC_TYPE_SHIFT,
  DESC_TSS_BUSY_MASK,
} from './seg-desc.js';

export const SWITCH_TSS_JMP = 0, SWITCH_TSS_IRET = 1, SWITCH_TSS_CALL = 2;
const CR0_TS_MASK = 1 << 3;
/** DR7's L0-L3 (local breakpoint enables), cleared by a task switch. */
const DR7_LOCAL_BP_MASK = 0x55;

/* The new task's registers, read before anything is saved (no allocation per switch). */
const newRegs = new Int32Array(8);
const newSegs = new Int32Array(6);

/**
 * Switches to the task whose TSS (or task gate) descriptor is e1/e2 at `tssSelector`;
 * `nextEip` is the EIP saved in the old task.
 */
export function switchTss(c: TcgCpu, tssSelector: number, d1: number, d2: number, source: number, nextEip: number): void {
  const env = c.env;
  let type = (d2 >> DESC_TYPE_SHIFT) & 0xf;
  if (type === 5) {
    // A task gate names the TSS.
    if ((d2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, tssSelector & 0xfffc);
    tssSelector = d1 >>> 16;
    if ((tssSelector & 4) !== 0) c.raise(EXCP0A_TSS, tssSelector & 0xfffc);
    if (!loadSegment(c, tssSelector)) c.raise(EXCP0D_GPF, tssSelector & 0xfffc);
    d1 = e1;
    d2 = e2;
    if ((d2 & DESC_S_MASK) !== 0) c.raise(EXCP0D_GPF, tssSelector & 0xfffc);
    type = (d2 >> DESC_TYPE_SHIFT) & 0xf;
    if ((type & 7) !== 1) c.raise(EXCP0D_GPF, tssSelector & 0xfffc);
  }
  if ((d2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, tssSelector & 0xfffc);
  const tssLimitMax = (type & 8) !== 0 ? 103 : 43;
  const tssLimit = getSegLimit(d1, d2);
  const tssBase = getSegBase(d1, d2);
  if ((tssSelector & 4) !== 0 || tssLimit < tssLimitMax) c.raise(EXCP0A_TSS, tssSelector & 0xfffc);
  const oldType = (env.segFlags[R_TR] >> DESC_TYPE_SHIFT) & 0xf;
  const oldTssLimitMax = (oldType & 8) !== 0 ? 103 : 43;

  // Read the new task's state.
  let newCr3 = 0, newEip: number, newEflags: number, newLdt: number;
  if ((type & 8) !== 0) {
    newCr3 = ldk32(c, tssBase + 0x1c);
    newEip = ldk32(c, tssBase + 0x20) >>> 0;
    newEflags = ldk32(c, tssBase + 0x24);
    for (let i = 0; i < 8; i++) newRegs[i] = ldk32(c, tssBase + 0x28 + i * 4);
    for (let i = 0; i < 6; i++) newSegs[i] = ldk16(c, tssBase + 0x48 + i * 4);
    newLdt = ldk16(c, tssBase + 0x60);
  } else {
    newEip = ldk16(c, tssBase + 0x0e);
    newEflags = ldk16(c, tssBase + 0x10);
    for (let i = 0; i < 8; i++) newRegs[i] = ldk16(c, tssBase + 0x12 + i * 2);
    for (let i = 0; i < 4; i++) newSegs[i] = ldk16(c, tssBase + 0x22 + i * 2);
    newSegs[R_FS] = 0;
    newSegs[R_GS] = 0;
    newLdt = ldk16(c, tssBase + 0x2a);
  }

  // Touch both ends of the old TSS so that saving the state cannot fault half-way.
  const trBase = env.segBase[R_TR];
  stk8(c, trBase, ldk8(c, trBase));
  stk8(c, trBase + oldTssLimitMax, ldk8(c, trBase + oldTssLimitMax));

  if (source === SWITCH_TSS_JMP || source === SWITCH_TSS_IRET) {
    const p = env.gdtBase + (env.segSelector[R_TR] & ~7) + 4;
    stk32(c, p, ldk32(c, p) & ~DESC_TSS_BUSY_MASK);
  }
  let oldEflags = cpuComputeEflags(env);
  if (source === SWITCH_TSS_IRET) oldEflags &= ~NT_MASK;

  // Save the current task.
  const regs = env.regs;
  if ((oldType & 8) !== 0) {
    stk32(c, trBase + 0x20, nextEip);
    stk32(c, trBase + 0x24, oldEflags);
    for (let i = 0; i < 8; i++) stk32(c, trBase + 0x28 + i * 4, regs[i << 1]);
    for (let i = 0; i < 6; i++) stk16(c, trBase + 0x48 + i * 4, env.segSelector[i]);
  } else {
    stk16(c, trBase + 0x0e, nextEip);
    stk16(c, trBase + 0x10, oldEflags);
    for (let i = 0; i < 8; i++) stk16(c, trBase + 0x12 + i * 2, regs[i << 1]);
    for (let i = 0; i < 4; i++) stk16(c, trBase + 0x22 + i * 2, env.segSelector[i]);
  }

  // From here on an exception happens in the context of the new task.
  if (source === SWITCH_TSS_CALL) {
    stk16(c, tssBase, env.segSelector[R_TR]); // the back link
    newEflags |= NT_MASK;
  }
  if (source === SWITCH_TSS_JMP || source === SWITCH_TSS_CALL) {
    const p = env.gdtBase + (tssSelector & ~7) + 4;
    stk32(c, p, ldk32(c, p) | DESC_TSS_BUSY_MASK);
  }

  env.cr0 |= CR0_TS_MASK;
  env.loadSegCache(R_TR, tssSelector, tssBase, tssLimit, d2 & ~DESC_TSS_BUSY_MASK);
  if ((type & 8) !== 0 && (env.cr0 & CR0_PG_MASK) !== 0) {
    env.cr3 = newCr3 >>> 0;
    c.mmu.tlbFlush();
  }

  // Load the registers without checks first, then the segments with them.
  env.rip = newEip;
  const mask = CC_MASK | DF_MASK | TF_MASK | AC_MASK | ID_MASK | IF_MASK | IOPL_MASK | VM_MASK | RF_MASK | NT_MASK;
  if ((type & 8) !== 0) {
    cpuLoadEflags(env, newEflags, mask);
    for (let i = 0; i < 8; i++) {
      regs[i << 1] = newRegs[i];
      regs[(i << 1) + 1] = 0;
    }
  } else {
    cpuLoadEflags(env, newEflags, mask & 0xffff);
    for (let i = 0; i < 8; i++) regs[i << 1] = (regs[i << 1] & ~0xffff) | newRegs[i];
  }
  if ((newEflags & VM_MASK) !== 0) {
    for (let i = 0; i < 6; i++) loadSegVm(c, i, newSegs[i]);
  } else {
    for (let i = 0; i < 6; i++) env.loadSegCache(i, newSegs[i], 0, 0, 0);
  }
  env.updateMode();

  env.loadSegCache(R_LDTR, newLdt & ~4, 0, 0, 0);
  if ((newLdt & 4) !== 0) c.raise(EXCP0A_TSS, newLdt & 0xfffc);
  if ((newLdt & 0xfffc) !== 0) {
    const index = newLdt & ~7;
    if (index + 7 > env.gdtLimit) c.raise(EXCP0A_TSS, newLdt & 0xfffc);
    const l1 = ldk32(c, env.gdtBase + index), l2 = ldk32(c, env.gdtBase + index + 4);
    if ((l2 & DESC_S_MASK) !== 0 || ((l2 >> DESC_TYPE_SHIFT) & 0xf) !== 2) c.raise(EXCP0A_TSS, newLdt & 0xfffc);
    if ((l2 & DESC_P_MASK) === 0) c.raise(EXCP0A_TSS, newLdt & 0xfffc);
    env.loadSegCache(R_LDTR, newLdt & ~4, getSegBase(l1, l2), getSegLimit(l1, l2), l2);
  }

  if ((newEflags & VM_MASK) === 0) {
    const cpl = newSegs[R_CS] & 3;
    tssLoadSeg(c, R_CS, newSegs[R_CS], cpl);
    tssLoadSeg(c, R_SS, newSegs[R_SS], cpl);
    tssLoadSeg(c, R_ES, newSegs[R_ES], cpl);
    tssLoadSeg(c, R_DS, newSegs[R_DS], cpl);
    tssLoadSeg(c, R_FS, newSegs[R_FS], cpl);
    tssLoadSeg(c, R_GS, newSegs[R_GS], cpl);
  }
  if (newEip > env.segLimit[R_CS]) c.raise(EXCP0D_GPF, 0);
  env.dr[7] = (env.dr[7] & ~DR7_LOCAL_BP_MASK) >>> 0;
}

/** tss_load_seg: a segment register of the new task, with #TS/#NP checks. */
function tssLoadSeg(c: TcgCpu, seg: number, sel: number, cpl: number): void {
  const env = c.env;
  const err = sel & 0xfffc;
  if (err === 0) {
    if (seg === R_SS || seg === R_CS) c.raise(EXCP0A_TSS, err);
    return;
  }
  if (!loadSegment(c, sel)) c.raise(EXCP0A_TSS, err);
  if ((e2 & DESC_S_MASK) === 0) c.raise(EXCP0A_TSS, err);
  const rpl = sel & 3;
  const dpl = (e2 >> DESC_DPL_SHIFT) & 3;
  if (seg === R_CS) {
    if ((e2 & DESC_CS_MASK) === 0 || dpl !== rpl) c.raise(EXCP0A_TSS, err);
  } else if (seg === R_SS) {
    if ((e2 & DESC_CS_MASK) !== 0 || (e2 & DESC_W_MASK) === 0) c.raise(EXCP0A_TSS, err);
    if (dpl !== cpl || dpl !== rpl) c.raise(EXCP0A_TSS, err);
  } else {
    if ((e2 & DESC_CS_MASK) !== 0 && (e2 & DESC_R_MASK) === 0) c.raise(EXCP0A_TSS, err);
    // Data and non-conforming code segments: the privilege rule.
    if (((e2 >> DESC_TYPE_SHIFT) & 0xf) < 12 && (dpl < cpl || dpl < rpl)) c.raise(EXCP0A_TSS, err);
  }
  if ((e2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, err);
  env.loadSegCache(seg, sel, getSegBase(e1, e2), getSegLimit(e1, e2), e2);
}
