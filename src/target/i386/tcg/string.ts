/*
 * String instructions: MOVS CMPS STOS LODS SCAS INS OUTS, with REP/REPE/REPNE, DF, a segment
 * override on the source (the destination is always ES), and 16/32/64-bit address sizes.
 *
 * A REP instruction runs at most REP_CHUNK iterations per execution and then leaves RIP on
 * itself, so long copies stay interruptible and a fault mid-way leaves rCX/rSI/rDI exact.
 * REP MOVS/STOS over plain RAM copy or fill a page-bounded run at a time on the RAM buffer.
 */
import type { TcgCpu } from './tcg-cpu.js';
import { Op, type Insn } from './decode.js';
import { R_ECX, R_ESI, R_EDI, R_ES, R_FS, R_EAX, R_EDX, DF_MASK, EXCP0D_GPF } from './cpu-state.js';
import { aluOp, ALU_CMP } from './alu.js';
import { computeAll } from './flags.js';
import { MMU_DATA_LOAD, MMU_DATA_STORE } from './softmmu.js';

const REP_CHUNK = 4096;
const CC_Z = 0x40;

/** Linear address of seg:rIndex for the address size. */
function strAddr(c: TcgCpu, seg: number, reg: number, asize: number): number {
  const env = c.env;
  const regs = env.regs;
  if (asize === 8) {
    let lo = regs[reg << 1] >>> 0;
    let hi = regs[(reg << 1) + 1];
    if (seg >= R_FS) {
      const b = env.segBase[seg];
      const bl = b >>> 0;
      lo += bl;
      hi += (b - bl) / 4294967296;
      const carry = Math.floor(lo / 4294967296);
      lo -= carry * 4294967296;
      hi = (hi + carry) | 0;
    }
    if (((hi >> 15) + 1) >>> 1 !== 0) c.raise(EXCP0D_GPF, 0);
    return hi * 4294967296 + lo;
  }
  const off = asize === 4 ? regs[reg << 1] >>> 0 : regs[reg << 1] & 0xffff;
  if (env.codeSize === 8) return seg >= R_FS ? c.canonical(env.segBase[seg] + off) : off;
  if (env.segFlags[seg] === 0) c.nullSeg(seg);
  return (env.segBase[seg] + off) >>> 0;
}

/** rIndex += delta in the address size. */
function strAdvance(c: TcgCpu, reg: number, asize: number, delta: number): void {
  const regs = c.env.regs;
  const i = reg << 1;
  if (asize === 8) {
    const l = (regs[i] >>> 0) + delta;
    regs[i] = l | 0;
    if (l > 0xffffffff) regs[i + 1] = (regs[i + 1] + 1) | 0;
    else if (l < 0) regs[i + 1] = (regs[i + 1] - 1) | 0;
  } else if (asize === 4) {
    regs[i] = (regs[i] + delta) | 0;
    regs[i + 1] = 0;
  } else regs[i] = (regs[i] & ~0xffff) | ((regs[i] + delta) & 0xffff);
}

/** True if the count register (for the address size) is zero. */
function countZero(c: TcgCpu, asize: number): boolean {
  const regs = c.env.regs;
  if (asize === 8) return (regs[R_ECX << 1] | regs[(R_ECX << 1) + 1]) === 0;
  if (asize === 4) return regs[R_ECX << 1] === 0;
  return (regs[R_ECX << 1] & 0xffff) === 0;
}

/** The count register as a number of iterations (capped at REP_CHUNK). */
function repCount(c: TcgCpu, asize: number): number {
  const regs = c.env.regs;
  const lo = regs[R_ECX << 1] >>> 0;
  if (asize === 8 && regs[(R_ECX << 1) + 1] !== 0) return REP_CHUNK;
  return Math.min(asize === 2 ? lo & 0xffff : lo, REP_CHUNK);
}

/**
 * REP MOVS / REP STOS over plain RAM: as many iterations as fit in the current source and
 * destination pages at once, on the RAM buffer.  Returns the iterations done (0: take the
 * element-by-element path, e.g. MMIO, a page holding code, a 16-bit address size, overlap).
 */
function repFast(c: TcgCpu, insn: Insn, movs: boolean, size: number, asize: number, delta: number): number {
  if (asize === 2) return 0;
  const regs = c.env.regs;
  let n = repCount(c, asize);
  const dst = strAddr(c, R_ES, R_EDI, asize);
  const dOff = dst % 4096;
  n = Math.min(n, Math.floor((delta > 0 ? 4096 - dOff : dOff + size) / size));
  let src = 0, sOff = 0;
  if (movs) {
    src = strAddr(c, insn.seg, R_ESI, asize);
    sOff = src % 4096;
    n = Math.min(n, Math.floor((delta > 0 ? 4096 - sOff : sOff + size) / size));
  }
  if (n <= 0 || dOff < 0 || sOff < 0) return 0;
  if (asize === 4) { // the offsets must not wrap at 4 GiB within the run
    const span = (n - 1) * size;
    if (!noWrap(regs[R_EDI << 1] >>> 0, span, size, delta) || (movs && !noWrap(regs[R_ESI << 1] >>> 0, span, size, delta))) return 0;
  }
  const len = n * size;
  const mmu = c.mmu;
  const u8 = mmu.u8;
  let hs = 0;
  if (movs) {
    hs = mmu.tlbFill(src, MMU_DATA_LOAD);
    if (hs < 0) return 0;
    hs += delta > 0 ? sOff : sOff + size - len;
  }
  let hd = mmu.tlbFill(dst, MMU_DATA_STORE);
  if (hd < 0) return 0;
  hd += delta > 0 ? dOff : dOff + size - len;
  if (movs) {
    if (hs < hd + len && hd < hs + len) return 0; // overlapping: element order matters
    u8.copyWithin(hd, hs, hs + len);
    strAdvance(c, R_ESI, asize, delta * n);
  } else {
    const v = c.getReg(size, R_EAX), vHi = c.hi;
    if (size === 1) u8.fill(v, hd, hd + len);
    else {
      for (let i = 0; i < size; i++) u8[hd + i] = (i < 4 ? v >>> (8 * i) : vHi >>> (8 * (i - 4))) & 0xff;
      for (let i = size; i < len; i++) u8[hd + i] = u8[hd + i - size];
    }
  }
  strAdvance(c, R_EDI, asize, delta * n);
  strAdvance(c, R_ECX, asize, -n);
  return n;
}

/** True if a 32-bit offset `off` stepping by `size` over `span` more bytes in direction `delta` does not wrap. */
function noWrap(off: number, span: number, size: number, delta: number): boolean {
  return delta > 0 ? off + span + size <= 0x100000000 : off >= span;
}

/** Executes a string instruction; returns false if a REP must continue (RIP stays on it). */
export function stringOp(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  const size = insn.size, asize = insn.asize, rep = insn.rep;
  const delta = (env.eflags & DF_MASK) !== 0 ? -size : size;
  const op = insn.op;
  if (rep !== 0 && (op === Op.MOVS || op === Op.STOS)) {
    if (countZero(c, asize)) return true;
    if (repFast(c, insn, op === Op.MOVS, size, asize, delta) > 0) return countZero(c, asize);
  }
  const repCond = op === Op.CMPS || op === Op.SCAS;
  let n = rep !== 0 ? REP_CHUNK : 1;
  while (n-- > 0) {
    if (rep !== 0 && countZero(c, asize)) return true;
    switch (op) {
      case Op.MOVS: {
        const v = c.load(size, strAddr(c, insn.seg, R_ESI, asize));
        const hi = c.hi;
        c.store(size, strAddr(c, R_ES, R_EDI, asize), v, hi);
        strAdvance(c, R_ESI, asize, delta);
        strAdvance(c, R_EDI, asize, delta);
        break;
      }
      case Op.STOS: {
        const v = c.getReg(size, R_EAX);
        c.store(size, strAddr(c, R_ES, R_EDI, asize), v, c.hi);
        strAdvance(c, R_EDI, asize, delta);
        break;
      }
      case Op.LODS: {
        const v = c.load(size, strAddr(c, insn.seg, R_ESI, asize));
        c.setReg(size, R_EAX, v, c.hi);
        strAdvance(c, R_ESI, asize, delta);
        break;
      }
      case Op.CMPS: {
        const a = c.load(size, strAddr(c, insn.seg, R_ESI, asize)), aHi = c.hi;
        const b = c.load(size, strAddr(c, R_ES, R_EDI, asize)), bHi = c.hi;
        aluOp(c, ALU_CMP, size, a, aHi, b, bHi);
        strAdvance(c, R_ESI, asize, delta);
        strAdvance(c, R_EDI, asize, delta);
        break;
      }
      case Op.SCAS: {
        const a = c.getReg(size, R_EAX), aHi = c.hi;
        const b = c.load(size, strAddr(c, R_ES, R_EDI, asize)), bHi = c.hi;
        aluOp(c, ALU_CMP, size, a, aHi, b, bHi);
        strAdvance(c, R_EDI, asize, delta);
        break;
      }
      case Op.INS: {
        const addr = strAddr(c, R_ES, R_EDI, asize);
        c.mmu.probeWrite(addr, size);
        const v = c.io.read(env.regs[R_EDX << 1] & 0xffff, size);
        c.store(size, addr, v, 0);
        strAdvance(c, R_EDI, asize, delta);
        break;
      }
      default: { // OUTS
        const v = c.load(size, strAddr(c, insn.seg, R_ESI, asize));
        c.io.write(env.regs[R_EDX << 1] & 0xffff, v, size);
        strAdvance(c, R_ESI, asize, delta);
        break;
      }
    }
    if (rep === 0) return true;
    strAdvance(c, R_ECX, asize, -1);
    if (repCond) {
      const zf = (computeAll(env) & CC_Z) !== 0;
      if (rep === 0xf3 ? !zf : zf) return true;
    }
  }
  return countZero(c, asize);
}
