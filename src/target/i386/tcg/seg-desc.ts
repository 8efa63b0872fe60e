/*
 * Descriptor-table access shared by the segmentation helpers (QEMU's load_segment,
 * get_seg_base/limit, get_sp_mask, load_seg_vm and the PUSHL/POPL stack macros of seg_helper.c).
 *
 * A descriptor read leaves its two words in the module's `e1`/`e2` (live exports), so callers
 * need no allocation; a caller that reads a second descriptor copies the first pair first.
 */
import type { TcgCpu } from './tcg-cpu.js';
import {
  R_ESP, R_LDTR, DESC_P_MASK, DESC_S_MASK, DESC_W_MASK, DESC_G_MASK, DESC_B_MASK, DESC_DPL_SHIFT,
} from './cpu-state.js';

export const EXCP02_NMI = 2, EXCP08_DBLE = 8, EXCP0A_TSS = 10, EXCP0B_NOSEG = 11;
export const DESC_A_MASK = 1 << 8, DESC_C_MASK = 1 << 10, DESC_TYPE_SHIFT = 8;
/** The busy bit of a TSS descriptor's type. */
export const DESC_TSS_BUSY_MASK = 1 << 9;
/**
 * The access-rights bits of a descriptor's high word that LAR returns.  (Segment caches hold the
 * whole high word, base bits included, as QEMU's SegmentCache.flags does.)
 */
export const DESC_FLAGS_MASK = 0x00f0ff00;

/*
 * Implicit supervisor accesses (QEMU's cpu_ld*_kernel / cpu_st*_kernel): descriptor tables, the
 * TSS, the IDT and the stacks that delivery, IRET and far transfers use are accessed with
 * supervisor rights whatever the CPL.
 */
export function ldk8(c: TcgCpu, a: number): number { return c.mmu.ldKernel8(a); }
export function ldk16(c: TcgCpu, a: number): number { return c.mmu.ldKernel16(a); }
export function ldk32(c: TcgCpu, a: number): number { return c.mmu.ldKernel32(a); }
export function stk8(c: TcgCpu, a: number, v: number): void { c.mmu.stKernel8(a, v); }
export function stk16(c: TcgCpu, a: number, v: number): void { c.mmu.stKernel16(a, v); }
export function stk32(c: TcgCpu, a: number, v: number): void { c.mmu.stKernel32(a, v); }

/** The low and high words of the last descriptor loadSegment() read. */
export let e1 = 0;
export let e2 = 0;
/** Linear address of that descriptor. */
export let descAddr = 0;

/** load_segment: reads the GDT/LDT descriptor of `sel` into e1/e2; false if beyond the table limit. */
export function loadSegment(c: TcgCpu, sel: number): boolean {
  const env = c.env;
  let base: number, limit: number;
  if ((sel & 4) !== 0) {
    base = env.segBase[R_LDTR];
    limit = env.segLimit[R_LDTR];
  } else {
    base = env.gdtBase;
    limit = env.gdtLimit;
  }
  const index = sel & ~7;
  if (index + 7 > limit) return false;
  descAddr = c.addrAdd(base, index);
  e1 = ldk32(c, descAddr);
  e2 = ldk32(c, c.addrAdd(descAddr, 4));
  return true;
}

/** Sets e1/e2 as if read from a descriptor (a caller restoring a saved pair). */
export function setDesc(lo: number, hi: number): void {
  e1 = lo;
  e2 = hi;
}

export function getSegBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
}

export function getSegLimit(lo: number, hi: number): number {
  const l = (lo & 0xffff) | (hi & 0xf0000);
  return (hi & DESC_G_MASK) !== 0 ? ((l << 12) | 0xfff) >>> 0 : l;
}

/** The stack-pointer mask a stack segment's B bit selects. */
export function getSpMask(flags: number): number {
  return (flags & DESC_B_MASK) !== 0 ? 0xffffffff : 0xffff;
}

/** Loads a segment register the real-mode/V86 way (load_seg_vm: a DPL-3 writable 64 KiB segment). */
export function loadSegVm(c: TcgCpu, seg: number, sel: number): void {
  sel &= 0xffff;
  c.env.loadSegCache(seg, sel, sel << 4, 0xffff,
    DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | (3 << DESC_DPL_SHIFT));
}

/*
 * Explicit-stack pushes and pops (PUSHW/PUSHL/POPW/POPL on ssp + (sp & mask), and PUSHQ/POPQ on a
 * flat 64-bit sp).  The stack pointer travels in `sp` so that nothing is committed to RSP until
 * an operation cannot fault any more.
 */
export let sp = 0;

export function setSp(v: number): void {
  sp = v;
}

export function pushw(c: TcgCpu, ssp: number, mask: number, v: number): void {
  sp = (sp - 2) >>> 0;
  stk16(c, (ssp + (sp & mask)) >>> 0, v);
}

export function pushl(c: TcgCpu, ssp: number, mask: number, v: number): void {
  sp = (sp - 4) >>> 0;
  stk32(c, (ssp + (sp & mask)) >>> 0, v);
}

export function popw(c: TcgCpu, ssp: number, mask: number): number {
  const v = ldk16(c, (ssp + (sp & mask)) >>> 0);
  sp = (sp + 2) >>> 0;
  return v;
}

export function popl(c: TcgCpu, ssp: number, mask: number): number {
  const v = ldk32(c, (ssp + (sp & mask)) >>> 0);
  sp = (sp + 4) >>> 0;
  return v;
}

/** 64-bit push of lo:hi at sp - 8 (sp is a canonical address held exactly in a double). */
export function pushq(c: TcgCpu, lo: number, hi: number): void {
  sp = wrap64(sp - 8);
  stk32(c, sp, lo);
  stk32(c, wrap64(sp + 4), hi);
}

/** 64-bit pop: returns the low half, the high half in c.hi. */
export function popq(c: TcgCpu): number {
  const lo = ldk32(c, sp);
  c.hi = ldk32(c, wrap64(sp + 4));
  sp = wrap64(sp + 8);
  return lo;
}

/** Keeps a 64-bit address in the signed canonical range a double holds exactly. */
function wrap64(a: number): number {
  if (a >= 0x8000000000000000) return a - 18446744073709551616;
  if (a < -0x8000000000000000) return a + 18446744073709551616;
  return a;
}

/** SET_ESP: writes sp into rSP with the stack's width (a 16-bit stack keeps the high bits). */
export function setEsp(c: TcgCpu, v: number, mask: number): void {
  const regs = c.env.regs;
  if (mask === 0xffff) regs[R_ESP << 1] = (regs[R_ESP << 1] & ~0xffff) | (v & 0xffff);
  else if (mask === 0xffffffff) {
    regs[R_ESP << 1] = v | 0;
    regs[(R_ESP << 1) + 1] = 0;
  } else {
    const lo = v >>> 0; // v is a signed canonical double
    regs[R_ESP << 1] = lo | 0;
    regs[(R_ESP << 1) + 1] = Math.floor(v / 4294967296) | 0;
  }
}

/** RSP as a signed double (64-bit mode stacks). */
export function getRsp64(c: TcgCpu): number {
  const regs = c.env.regs;
  return regs[(R_ESP << 1) + 1] * 4294967296 + (regs[R_ESP << 1] >>> 0);
}
