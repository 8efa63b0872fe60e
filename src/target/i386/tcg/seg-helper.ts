/*
 * Exception and interrupt delivery (QEMU's do_interrupt_all and friends, seg_helper.c).
 *
 * The vCPU loop calls x86CpuDoInterrupt() after the CPU stopped on an exception or a software
 * interrupt, x86CpuExecHardwareInterrupt() for an interrupt a device raised and
 * x86CpuExecNmi() for an NMI.  Delivery writes the frame to memory before it changes any
 * register, so an exception during delivery leaves the interrupted state intact.
 */
import type { TcgCpu } from './tcg-cpu.js';
import { CPU_EXCEPTION } from './tcg-cpu.js';
import {
  R_CS, R_ESP, R_SS, R_ES, R_DS, R_FS, R_GS, R_TR, CR0_PE_MASK, IF_MASK, TF_MASK, AC_MASK, RF_MASK, VM_MASK,
  NT_MASK, EFER_LMA, EXCP0D_GPF, EXCP0E_PAGE, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK,
  DESC_W_MASK, DESC_L_MASK, DESC_B_MASK, DESC_DPL_SHIFT,
} from './cpu-state.js';
import { cpuComputeEflags } from './flags.js';
import {
  e1, e2, loadSegment, getSegBase, getSegLimit, getSpMask, sp, setSp, pushw, pushl, pushq, setEsp, getRsp64,
  ldk16, ldk32, stk16, stk32,
  EXCP02_NMI, EXCP08_DBLE, EXCP0A_TSS, EXCP0B_NOSEG, DESC_C_MASK, DESC_TYPE_SHIFT,
} from './seg-desc.js';
import { switchTss, SWITCH_TSS_CALL } from './task-switch.js';
import { cpl } from './control.js';
import { hex, hex64, regHex64, x86CpuDumpState } from './cpu-dump.js';
import { CPU_LOG_INT, qemuLogMask, qemuLoglevel } from '../../../util/log.js';

/**
 * Delivers env.exception_index (a fault, trap or software interrupt).  An exception raised
 * while delivering it is combined with it as SDM Vol. 3 Table 6-5 says (QEMU's
 * check_exception): two contributory exceptions, or a page fault followed by a contributory
 * exception or a page fault, become #DF(0); any exception while delivering #DF is a triple
 * fault, for which this returns false (the machine resets or, with -no-reboot, shuts down).
 */
export function x86CpuDoInterrupt(c: TcgCpu): boolean {
  const env = c.env;
  let intno = env.exception_index;
  let isInt = env.exception_is_int;
  let errorCode = env.error_code;
  env.exception_index = -1;
  env.exception_is_int = false;
  /* QEMU's env->old_exception: the contributory/page-fault exception being delivered. */
  let old = -1;
  for (;;) {
    if (!isInt) {
      if (old === EXCP08_DBLE) return false;
      const firstContributory = old === 0 || (old >= 10 && old <= 13);
      const secondContributory = intno === 0 || (intno >= 10 && intno <= 13);
      if ((firstContributory && secondContributory) ||
        (old === EXCP0E_PAGE && (secondContributory || intno === EXCP0E_PAGE))) {
        intno = EXCP08_DBLE;
        errorCode = 0;
      }
      if (secondContributory || intno === EXCP0E_PAGE || intno === EXCP08_DBLE) old = intno;
    }
    try {
      if ((qemuLoglevel & CPU_LOG_INT) !== 0) logInterrupt(c, intno, isInt, errorCode);
      doInterrupt(c, intno, isInt, errorCode, isInt ? env.exception_next_rip : env.rip, false);
      return true;
    } catch (e) {
      if (e !== CPU_EXCEPTION) throw e;
      intno = env.exception_index;
      errorCode = env.error_code;
      isInt = false;
      env.exception_index = -1;
    }
  }
}

/**
 * Delivers external interrupt `vector` (from the PIC or the LAPIC) at the current RIP.  An
 * exception during delivery throws CPU_EXCEPTION with env.exception_index set: the caller
 * then delivers it with x86CpuDoInterrupt().
 */
export function x86CpuExecHardwareInterrupt(c: TcgCpu, vector: number): void {
  c.env.halted = false;
  if ((qemuLoglevel & CPU_LOG_INT) !== 0) logInterrupt(c, vector, false, 0);
  doInterrupt(c, vector, false, 0, c.env.rip, true);
}

let intCount = 0;

/** do_interrupt_all()'s -d int line, then the CPU state (QEMU's log_cpu_state). */
function logInterrupt(c: TcgCpu, intno: number, isInt: boolean, errorCode: number): void {
  const env = c.env;
  let line = `${String(intCount++).padStart(6)}: v=${hex(intno, 2)} e=${hex(errorCode, 4)} i=${isInt ? 1 : 0} cpl=${cpl(c)} ` +
    `IP=${hex(env.segSelector[R_CS]!, 4)}:${hex64(env.rip)} pc=${hex64(env.rip + env.segBase[R_CS]!)} ` +
    `SP=${hex(env.segSelector[R_SS]!, 4)}:${regHex64(env, R_ESP)}`;
  line += intno === EXCP0E_PAGE ? ` CR2=${hex64(env.cr2)}` : ` env->regs[R_EAX]=${regHex64(env, 0)}`;
  qemuLogMask(CPU_LOG_INT, `${line}\n${x86CpuDumpState(env, true)}`);
}

/** Delivers an NMI and blocks further NMIs until the next IRET (QEMU's HF2_NMI_MASK). */
export function x86CpuExecNmi(c: TcgCpu): void {
  c.env.nmiBlocked = true;
  x86CpuExecHardwareInterrupt(c, EXCP02_NMI);
}

/** Exceptions that push an error code (QEMU's exception_has_error_code). */
function exceptionHasErrorCode(intno: number): boolean {
  return intno === 8 || (intno >= 10 && intno <= 14) || intno === 17;
}

/** do_interrupt_all: `nextRip` is the RIP pushed for software interrupts (the return address). */
export function doInterrupt(c: TcgCpu, intno: number, isInt: boolean, errorCode: number, nextRip: number, isHw: boolean): void {
  const env = c.env;
  if ((env.cr0 & CR0_PE_MASK) === 0) doInterruptReal(c, intno, nextRip);
  else if ((env.efer & EFER_LMA) !== 0) doInterrupt64(c, intno, isInt, errorCode, nextRip, isHw);
  else doInterruptProtected(c, intno, isInt, errorCode, nextRip, isHw);
}

/** Real-mode delivery through the interrupt vector table (SDM Vol. 3 §20.1.4). */
function doInterruptReal(c: TcgCpu, intno: number, nextRip: number): void {
  const env = c.env;
  if (intno * 4 + 3 > env.idtLimit) c.raise(EXCP0D_GPF, intno * 8 + 2);
  const vec = env.idtBase + intno * 4;
  const ip = ldk16(c, vec), cs = ldk16(c, vec + 2);
  const ssBase = env.segBase[R_SS];
  let sp = env.regs[R_ESP << 1] & 0xffff;
  sp = (sp - 2) & 0xffff;
  stk16(c, (ssBase + sp) >>> 0, cpuComputeEflags(env));
  sp = (sp - 2) & 0xffff;
  stk16(c, (ssBase + sp) >>> 0, env.segSelector[R_CS]);
  sp = (sp - 2) & 0xffff;
  stk16(c, (ssBase + sp) >>> 0, nextRip);
  env.regs[R_ESP << 1] = (env.regs[R_ESP << 1] & ~0xffff) | sp;
  env.rip = ip;
  env.loadSegCache(R_CS, cs, cs << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
  env.eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
}

/**
 * get_ss_esp_from_tss: the privilege-`dpl` stack of the current 16- or 32-bit TSS.  Returns
 * ESP; the SS selector is left in ssFromTss.
 */
let ssFromTss = 0;
export function getSsEspFromTss(c: TcgCpu, dpl: number): number {
  const env = c.env;
  const type = (env.segFlags[R_TR] >> DESC_TYPE_SHIFT) & 0xf;
  if ((env.segFlags[R_TR] & DESC_P_MASK) === 0 || (type & 7) !== 1) {
    throw new Error('tsqemu: invalid TSS in TR for a stack switch'); // QEMU: cpu_abort
  }
  const shift = type >> 3;
  const index = (dpl * 4 + 2) << shift;
  if (index + (4 << shift) - 1 > env.segLimit[R_TR]) c.raise(EXCP0A_TSS, env.segSelector[R_TR] & 0xfffc);
  const base = env.segBase[R_TR];
  if (shift === 0) {
    ssFromTss = ldk16(c, base + index + 2);
    return ldk16(c, base + index);
  }
  ssFromTss = ldk16(c, base + index + 4);
  return ldk32(c, base + index) >>> 0;
}

/** The SS selector the last getSsEspFromTss() read. */
export function tssStackSelector(): number {
  return ssFromTss;
}

/** get_rsp_from_tss: RSPn (level 0-2) or ISTn (level 4-10) of the 64-bit TSS, as a signed double. */
export function getRspFromTss(c: TcgCpu, level: number): number {
  const env = c.env;
  if ((env.segFlags[R_TR] & DESC_P_MASK) === 0) throw new Error('tsqemu: invalid TSS in TR for a stack switch');
  const index = 8 * level + 4;
  if (index + 7 > env.segLimit[R_TR]) c.raise(EXCP0A_TSS, env.segSelector[R_TR] & 0xfffc);
  const a = env.segBase[R_TR] + index;
  const lo = ldk32(c, a), hi = ldk32(c, a + 4);
  return hi * 4294967296 + (lo >>> 0);
}

/**
 * Validates the stack segment `ss` for a switch to privilege `dpl` (#TS on any failure) and
 * leaves its descriptor in e1/e2.
 */
export function checkInnerSs(c: TcgCpu, ss: number, dpl: number): void {
  const err = ss & 0xfffc;
  if (err === 0 || (ss & 3) !== dpl || !loadSegment(c, ss)) c.raise(EXCP0A_TSS, err);
  if (((e2 >> DESC_DPL_SHIFT) & 3) !== dpl) c.raise(EXCP0A_TSS, err);
  if ((e2 & DESC_S_MASK) === 0 || (e2 & DESC_CS_MASK) !== 0 || (e2 & DESC_W_MASK) === 0) c.raise(EXCP0A_TSS, err);
  if ((e2 & DESC_P_MASK) === 0) c.raise(EXCP0A_TSS, err);
}

/** Protected-mode delivery through a 16/32-bit interrupt, trap or task gate (do_interrupt_protected). */
function doInterruptProtected(c: TcgCpu, intno: number, isInt: boolean, errorCode: number, nextRip: number, isHw: boolean): void {
  const env = c.env;
  const hasErrorCode = !isInt && !isHw && exceptionHasErrorCode(intno);
  const oldEip = isInt ? nextRip : env.rip;
  const gateErr = intno * 8 + 2;
  if (intno * 8 + 7 > env.idtLimit) c.raise(EXCP0D_GPF, gateErr);
  const ptr = env.idtBase + intno * 8;
  const g1 = ldk32(c, ptr), g2 = ldk32(c, ptr + 4);
  const type = (g2 >> DESC_TYPE_SHIFT) & 0x1f;
  if (type === 5) {
    // Task gate: the new task runs the handler; the error code goes on its stack.
    if ((g2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, gateErr);
    switchTss(c, intno * 8, g1, g2, SWITCH_TSS_CALL, oldEip);
    if (hasErrorCode) {
      const shift = ((env.segFlags[R_TR] >> DESC_TYPE_SHIFT) & 0xf) >> 3;
      const mask = getSpMask(env.segFlags[R_SS]);
      const esp = (env.regs[R_ESP << 1] - (2 << shift)) & mask;
      const ssp = (env.segBase[R_SS] + esp) >>> 0;
      if (shift !== 0) stk32(c, ssp, errorCode);
      else stk16(c, ssp, errorCode);
      setEsp(c, esp >>> 0, mask);
    }
    return;
  }
  if (type !== 6 && type !== 7 && type !== 14 && type !== 15) c.raise(EXCP0D_GPF, gateErr);
  const cur = cpl(c);
  // A software interrupt may only use a gate its privilege level reaches.
  if (isInt && ((g2 >> DESC_DPL_SHIFT) & 3) < cur) c.raise(EXCP0D_GPF, gateErr);
  if ((g2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, gateErr);
  let selector = g1 >>> 16;
  const offset = ((g2 & 0xffff0000) | (g1 & 0xffff)) >>> 0;
  if ((selector & 0xfffc) === 0) c.raise(EXCP0D_GPF, 0);
  if (!loadSegment(c, selector)) c.raise(EXCP0D_GPF, selector & 0xfffc);
  const c1 = e1, c2 = e2;
  if ((c2 & DESC_S_MASK) === 0 || (c2 & DESC_CS_MASK) === 0) c.raise(EXCP0D_GPF, selector & 0xfffc);
  let dpl = (c2 >> DESC_DPL_SHIFT) & 3;
  if (dpl > cur) c.raise(EXCP0D_GPF, selector & 0xfffc);
  if ((c2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, selector & 0xfffc);
  if ((c2 & DESC_C_MASK) !== 0) dpl = cur;
  const vm86 = (env.eflags & VM_MASK) !== 0;
  let newStack = false;
  let ss = 0, s1 = 0, s2 = 0, spMask: number, ssp: number;
  if (dpl < cur) {
    // To an inner privilege level: the stack comes from the TSS.
    setSp(getSsEspFromTss(c, dpl));
    ss = ssFromTss;
    checkInnerSs(c, ss, dpl);
    s1 = e1;
    s2 = e2;
    newStack = true;
    spMask = getSpMask(s2);
    ssp = getSegBase(s1, s2);
  } else {
    if (vm86) c.raise(EXCP0D_GPF, selector & 0xfffc);
    spMask = getSpMask(env.segFlags[R_SS]);
    ssp = env.segBase[R_SS];
    setSp(env.regs[R_ESP << 1] >>> 0);
  }
  const eflags = cpuComputeEflags(env);
  // 32-bit gates (type bit 3) push doublewords, 16-bit gates words.
  const push = (type >> 3) !== 0 ? pushl : pushw;
  if (newStack) {
    if (vm86) {
      push(c, ssp, spMask, env.segSelector[R_GS]);
      push(c, ssp, spMask, env.segSelector[R_FS]);
      push(c, ssp, spMask, env.segSelector[R_DS]);
      push(c, ssp, spMask, env.segSelector[R_ES]);
    }
    push(c, ssp, spMask, env.segSelector[R_SS]);
    push(c, ssp, spMask, env.regs[R_ESP << 1]);
  }
  push(c, ssp, spMask, eflags);
  push(c, ssp, spMask, env.segSelector[R_CS]);
  push(c, ssp, spMask, oldEip);
  if (hasErrorCode) push(c, ssp, spMask, errorCode);
  // Interrupt gates (even types) also clear IF.
  if ((type & 1) === 0) env.eflags &= ~IF_MASK;
  env.eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
  if (newStack) {
    if (vm86) {
      env.loadSegCache(R_ES, 0, 0, 0, 0);
      env.loadSegCache(R_FS, 0, 0, 0, 0);
      env.loadSegCache(R_DS, 0, 0, 0, 0);
      env.loadSegCache(R_GS, 0, 0, 0, 0);
    }
    env.loadSegCache(R_SS, (ss & ~3) | dpl, ssp, getSegLimit(s1, s2), s2);
  }
  setEsp(c, sp, spMask);
  selector = (selector & ~3) | dpl;
  env.loadSegCache(R_CS, selector, getSegBase(c1, c2), getSegLimit(c1, c2), c2);
  env.rip = offset;
}

/** Long-mode delivery through a 64-bit interrupt or trap gate, with IST stacks (do_interrupt64). */
function doInterrupt64(c: TcgCpu, intno: number, isInt: boolean, errorCode: number, nextRip: number, isHw: boolean): void {
  const env = c.env;
  const hasErrorCode = !isInt && !isHw && exceptionHasErrorCode(intno);
  const oldRip = isInt ? nextRip : env.rip;
  const gateErr = intno * 16 + 2;
  if (intno * 16 + 15 > env.idtLimit) c.raise(EXCP0D_GPF, gateErr);
  const ptr = env.idtBase + intno * 16;
  const g1 = ldk32(c, ptr), g2 = ldk32(c, ptr + 4), g3 = ldk32(c, ptr + 8);
  const type = (g2 >> DESC_TYPE_SHIFT) & 0x1f;
  if (type !== 14 && type !== 15) c.raise(EXCP0D_GPF, gateErr);
  const cur = cpl(c);
  if (isInt && ((g2 >> DESC_DPL_SHIFT) & 3) < cur) c.raise(EXCP0D_GPF, gateErr);
  if ((g2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, gateErr);
  let selector = g1 >>> 16;
  const offset = g3 * 4294967296 + (((g2 & 0xffff0000) | (g1 & 0xffff)) >>> 0);
  const ist = g2 & 7;
  if ((selector & 0xfffc) === 0) c.raise(EXCP0D_GPF, 0);
  if (!loadSegment(c, selector)) c.raise(EXCP0D_GPF, selector & 0xfffc);
  const c1 = e1, c2 = e2;
  if ((c2 & DESC_S_MASK) === 0 || (c2 & DESC_CS_MASK) === 0) c.raise(EXCP0D_GPF, selector & 0xfffc);
  let dpl = (c2 >> DESC_DPL_SHIFT) & 3;
  if (dpl > cur) c.raise(EXCP0D_GPF, selector & 0xfffc);
  if ((c2 & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, selector & 0xfffc);
  if ((c2 & DESC_L_MASK) === 0 || (c2 & DESC_B_MASK) !== 0) c.raise(EXCP0D_GPF, selector & 0xfffc);
  if ((c2 & DESC_C_MASK) !== 0) dpl = cur;
  let newStack = false;
  let rsp: number;
  if (dpl < cur || ist !== 0) {
    newStack = true;
    rsp = getRspFromTss(c, ist !== 0 ? ist + 3 : dpl);
  } else {
    if ((env.eflags & VM_MASK) !== 0) c.raise(EXCP0D_GPF, selector & 0xfffc);
    rsp = getRsp64(c);
  }
  // The frame is 16-byte aligned.
  setSp(rsp - (((rsp % 16) + 16) % 16));
  const oldRsp = getRsp64(c);
  const oldLo = oldRip >>> 0;
  pushq(c, env.segSelector[R_SS], 0);
  pushq(c, oldRsp >>> 0, Math.floor(oldRsp / 4294967296) | 0);
  pushq(c, cpuComputeEflags(env), 0);
  pushq(c, env.segSelector[R_CS], 0);
  pushq(c, oldLo | 0, Math.floor(oldRip / 4294967296) | 0);
  if (hasErrorCode) pushq(c, errorCode, 0);
  if ((type & 1) === 0) env.eflags &= ~IF_MASK;
  env.eflags &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
  // An inner-level (or IST) entry loads SS with the null selector of the new privilege level.
  if (newStack) env.loadSegCache(R_SS, dpl, 0, 0, dpl << DESC_DPL_SHIFT);
  setEsp(c, sp, -1);
  selector = (selector & ~3) | dpl;
  env.loadSegCache(R_CS, selector, getSegBase(c1, c2), getSegLimit(c1, c2), c2);
  env.rip = offset;
}
