/*
 * Control transfer and stack-frame helpers: segment register loads (real mode, and protected
 * mode from the GDT at the current privilege level), far JMP/CALL/RET, ENTER/LEAVE,
 * PUSHA/POPA, PUSHF/POPF.  Privilege changes, call gates, task switches and the LDT arrive with
 * the system-instruction issue; until then they raise #GP.
 */
import type { TcgCpu } from './tcg-cpu.js';
import {
  R_CS, R_SS, R_ESP, R_EBP, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK, DESC_L_MASK, DESC_DPL_SHIFT,
  DESC_G_MASK, DESC_W_MASK, CR0_PE_MASK, VM_MASK, RF_MASK, IOPL_MASK, IF_MASK, TF_MASK, DF_MASK,
  AC_MASK, ID_MASK, NT_MASK, EXCP0D_GPF, EXCP0C_STACK, CC_MASK,
} from './cpu-state.js';
import { cpuComputeEflags, cpuLoadEflags } from './flags.js';

const EXCP0B_NOSEG = 11;

export function cpl(c: TcgCpu): number {
  const env = c.env;
  if ((env.cr0 & CR0_PE_MASK) === 0) return 0;
  if ((env.eflags & VM_MASK) !== 0) return 3;
  return env.segSelector[R_CS] & 3;
}

/** True in protected mode outside virtual-8086 mode. */
function protMode(c: TcgCpu): boolean {
  return (c.env.cr0 & CR0_PE_MASK) !== 0 && (c.env.eflags & VM_MASK) === 0;
}

/* Descriptor words of the last loadDescriptor(). */
let descLo = 0, descHi = 0;

/** Reads the GDT descriptor for selector (LDT selectors are not supported yet: #GP). */
function loadDescriptor(c: TcgCpu, sel: number): void {
  const env = c.env;
  if ((sel & 4) !== 0 || (sel | 7) > env.gdtLimit) c.raise(EXCP0D_GPF, sel & 0xfffc);
  const addr = env.gdtBase + (sel & ~7);
  descLo = c.mmu.ld32(addr);
  descHi = c.mmu.ld32(addr + 4);
  if ((descHi & 0x100) === 0) c.mmu.st32(addr + 4, descHi | 0x100); // set the accessed bit
}

function descBase(): number {
  return ((descLo >>> 16) | ((descHi & 0xff) << 16) | (descHi & 0xff000000)) >>> 0;
}

function descLimit(): number {
  const l = (descLo & 0xffff) | (descHi & 0xf0000);
  return (descHi & DESC_G_MASK) !== 0 ? ((l << 12) | 0xfff) >>> 0 : l;
}

/** Loads a data/stack segment register (MOV/POP Sreg, LDS...). */
export function loadSeg(c: TcgCpu, seg: number, sel: number): void {
  const env = c.env;
  sel &= 0xffff;
  if (!protMode(c)) {
    env.loadSegCache(seg, sel, sel << 4, env.segLimit[seg], env.segFlags[seg]);
    return;
  }
  if ((sel & 0xfffc) === 0) {
    // Null selector: allowed except for SS (in 64-bit mode SS may be null at CPL < 3).
    if (seg === R_SS && (env.codeSize !== 8 || cpl(c) === 3)) c.raise(EXCP0D_GPF, 0);
    env.loadSegCache(seg, sel, 0, 0, 0);
    return;
  }
  loadDescriptor(c, sel);
  const type = descHi;
  if ((type & DESC_S_MASK) === 0) c.raise(EXCP0D_GPF, sel & 0xfffc);
  if (seg === R_SS) {
    if ((type & DESC_CS_MASK) !== 0 || (type & DESC_W_MASK) === 0) c.raise(EXCP0D_GPF, sel & 0xfffc);
    if ((sel & 3) !== cpl(c) || ((type >> DESC_DPL_SHIFT) & 3) !== cpl(c)) c.raise(EXCP0D_GPF, sel & 0xfffc);
  } else if ((type & DESC_CS_MASK) !== 0 && (type & 0x200) === 0) {
    c.raise(EXCP0D_GPF, sel & 0xfffc); // execute-only code segment
  }
  if ((type & DESC_P_MASK) === 0) c.raise(seg === R_SS ? EXCP0C_STACK : EXCP0B_NOSEG, sel & 0xfffc);
  env.loadSegCache(seg, sel, descBase(), descLimit(), descHi & 0x00f0ff00);
}

/** Loads CS for a far JMP/CALL/RET to `sel` at the current privilege level. */
function loadCS(c: TcgCpu, sel: number): void {
  const env = c.env;
  sel &= 0xffff;
  if (!protMode(c)) {
    env.loadSegCache(R_CS, sel, sel << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
    return;
  }
  if ((sel & 0xfffc) === 0) c.raise(EXCP0D_GPF, 0);
  loadDescriptor(c, sel);
  const type = descHi;
  if ((type & (DESC_S_MASK | DESC_CS_MASK)) !== (DESC_S_MASK | DESC_CS_MASK)) c.raise(EXCP0D_GPF, sel & 0xfffc);
  const dpl = (type >> DESC_DPL_SHIFT) & 3;
  const conforming = (type & 0x400) !== 0;
  const cur = cpl(c);
  if (conforming ? dpl > cur : dpl !== cur || (sel & 3) > cur) c.raise(EXCP0D_GPF, sel & 0xfffc);
  if ((type & DESC_P_MASK) === 0) c.raise(EXCP0B_NOSEG, sel & 0xfffc);
  if ((type & DESC_L_MASK) !== 0 && (type & (1 << 22)) !== 0) c.raise(EXCP0D_GPF, sel & 0xfffc);
  env.loadSegCache(R_CS, (sel & 0xfffc) | cur, descBase(), descLimit(), descHi & 0x00f0ff00);
}

/** Far JMP to sel:offset. */
export function jmpFar(c: TcgCpu, sel: number, offset: number): void {
  loadCS(c, sel);
  c.nextRip = offset;
}

/** Far CALL: pushes CS and the return address with operand size `size`, then jumps. */
export function callFar(c: TcgCpu, size: number, sel: number, offset: number): void {
  const env = c.env;
  const oldCs = env.segSelector[R_CS];
  const ret = c.nextRip;
  const retLo = ret >>> 0, retHi = (ret - retLo) / 4294967296;
  // Push first (a stack fault must leave CS unchanged), then load CS.
  const sp0 = env.regs[R_ESP << 1], sp0Hi = env.regs[(R_ESP << 1) + 1];
  c.push(size, oldCs, 0);
  c.push(size, retLo | 0, retHi | 0);
  try {
    loadCS(c, sel);
  } catch (e) {
    env.regs[R_ESP << 1] = sp0;
    env.regs[(R_ESP << 1) + 1] = sp0Hi;
    throw e;
  }
  c.nextRip = offset;
}

/** Far RET (same privilege): pops RIP and CS, then `extra` bytes. */
export function retFar(c: TcgCpu, size: number, extra: number): void {
  const lo = c.peek(size, 0), hi = c.hi;
  const sel = c.peek(size, size) & 0xffff;
  const target = c.branchTarget(size === 8 ? 8 : size, lo, hi);
  if (protMode(c) && (sel & 3) !== cpl(c)) c.raise(EXCP0D_GPF, sel & 0xfffc); // outer-level return: later
  loadCS(c, sel);
  c.adjustSp(2 * size + extra);
  c.nextRip = target; // (branchTarget truncated it to the operand size)
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
