/*
 * Bit instructions: BT BTS BTR BTC, BSF BSR, POPCNT LZCNT TZCNT, BSWAP, BMI1/BMI2 (ANDN BEXTR
 * BLSI BLSMSK BLSR BZHI PDEP PEXT RORX SARX SHLX SHRX) and ADX (ADCX ADOX).
 */
import type { TcgCpu } from './tcg-cpu.js';
import type { Insn } from './decode.js';
import { computeAll, parityTable, CC_OP_LOGIC } from './flags.js';
import { CC_C, CC_Z, CC_O, CC_S, CC_A, CC_P } from './cpu-state.js';
import { sizeIdx } from './alu.js';
import { shl64, shr64, sar64 } from './shift.js';

/**
 * BT/BTS/BTR/BTC (op 0..3).  With a register bit offset and a memory operand, the offset is a
 * signed bit index relative to the operand's address (SDM "bit base" addressing).
 */
export function btOp(c: TcgCpu, insn: Insn, op: number, size: number, offLo: number, offHi: number, fromReg: boolean): void {
  const bits = size * 8;
  let bit: number;
  let lo: number, hi = 0;
  if (insn.mod === 3) {
    bit = offLo & (bits - 1);
    lo = c.getReg(size, insn.rm);
    hi = c.hi;
  } else {
    let addr = c.ea(insn);
    if (fromReg) {
      // Byte displacement = floor(offset / bits) * size, offset signed in the operand size.
      let disp: number;
      if (size === 8) disp = Math.floor((offHi * 4294967296 + (offLo >>> 0)) / 64) * 8;
      else if (size === 4) disp = Math.floor(offLo / 32) * 4;
      else disp = Math.floor(((offLo << 16) >> 16) / 16) * 2;
      addr = insn.mode === 8 ? c.canonical(addr + disp) : (addr + disp) >>> 0;
      c.addr = addr;
    }
    bit = offLo & (bits - 1);
    lo = c.load(size, addr);
    hi = c.hi;
  }
  const inHi = bit >= 32;
  const word = inHi ? hi : lo;
  const mask = 1 << (bit & 31);
  const cf = (word & mask) !== 0 ? 1 : 0;
  // CF = the bit; OF/SF/AF/PF are undefined (we keep them), ZF is unaffected.
  c.setFlags((computeAll(c.env) & ~CC_C) | cf);
  if (op === 0) return;
  const nw = op === 1 ? word | mask : op === 2 ? word & ~mask : word ^ mask;
  if (inHi) hi = nw; else lo = nw;
  c.writeE(insn, size, lo, hi);
}

function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** Count of trailing zeros of (lo, hi) for the size (size*8 if zero). */
function tzcnt(size: number, lo: number, hi: number): number {
  if (size === 8) return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
  const v = size === 2 ? lo & 0xffff : lo;
  return v === 0 ? size * 8 : ctz32(v);
}

function lzcnt(size: number, lo: number, hi: number): number {
  if (size === 8) return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  if (size === 2) return Math.clz32(lo & 0xffff) - 16;
  return Math.clz32(lo);
}

function popcnt32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** BSF (reverse = false) / BSR: ZF = source is zero (then the destination is left unchanged). */
export function bsfBsr(c: TcgCpu, insn: Insn, reverse: boolean, size: number, lo: number, hi: number): void {
  const zero = size === 8 ? (lo | hi) === 0 : (size === 2 ? lo & 0xffff : lo) === 0;
  let f = computeAll(c.env) & ~CC_Z;
  if (zero) f |= CC_Z;
  else {
    const n = reverse ? size * 8 - 1 - lzcnt(size, lo, hi) : tzcnt(size, lo, hi);
    c.setReg(size, insn.reg, n, 0);
  }
  c.setFlags(f);
}

/** TZCNT / LZCNT: CF = source zero, ZF = result zero. */
export function tzLzCnt(c: TcgCpu, insn: Insn, lz: boolean, size: number, lo: number, hi: number): void {
  const n = lz ? lzcnt(size, lo, hi) : tzcnt(size, lo, hi);
  c.setReg(size, insn.reg, n, 0);
  // OF is kept; SF/AF/PF are undefined and cleared (as on AMD).
  let f = computeAll(c.env) & ~(CC_C | CC_Z | CC_S | CC_A | CC_P);
  if (n === size * 8) f |= CC_C;
  if (n === 0) f |= CC_Z;
  c.setFlags(f);
}

export function popcnt(c: TcgCpu, insn: Insn, size: number, lo: number, hi: number): void {
  const n = size === 8 ? popcnt32(lo) + popcnt32(hi) : popcnt32(size === 2 ? lo & 0xffff : lo);
  c.setReg(size, insn.reg, n, 0);
  c.setFlags(n === 0 ? CC_Z : 0);
}

/** BSWAP; the 16-bit form gives an undefined result (zero on current CPUs, as QEMU models it). */
export function bswap(c: TcgCpu, insn: Insn): void {
  const size = insn.size;
  const regs = c.env.regs;
  const r = insn.rm << 1;
  const sw = (v: number): number => ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
  if (size === 8) {
    const lo = regs[r], hi = regs[r + 1];
    regs[r] = sw(hi);
    regs[r + 1] = sw(lo);
  } else if (size === 4) {
    regs[r] = sw(regs[r]);
    regs[r + 1] = 0;
  } else {
    regs[r] &= ~0xffff;
  }
}

export function byteSwap(size: number, v: number): number {
  if (size === 2) return ((v >>> 8) & 0xff) | ((v & 0xff) << 8);
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
}

/** ANDN: dest = ~vreg & src. */
export function andn(c: TcgCpu, insn: Insn, size: number, src: number, srcHi: number): void {
  const regs = c.env.regs;
  const r = ~regs[insn.vreg << 1] & src;
  const rHi = size === 8 ? ~regs[(insn.vreg << 1) + 1] & srcHi : 0;
  c.setReg(size, insn.reg, r, rHi);
  const env = c.env;
  env.cc_op = CC_OP_LOGIC + sizeIdx(size);
  env.cc_dst = r; env.cc_dstHi = rHi;
}

/** BLSR (op 1), BLSMSK (2), BLSI (3): result to vreg; CF per SDM. */
export function blsOp(c: TcgCpu, insn: Insn, op: number, size: number, src: number, srcHi: number): void {
  // src - 1 and -src as 64-bit pairs
  const m1 = (src - 1) | 0, m1Hi = size === 8 ? (src === 0 ? (srcHi - 1) | 0 : srcHi) : 0;
  let r: number, rHi: number;
  if (op === 1) { r = src & m1; rHi = srcHi & m1Hi; }
  else if (op === 2) { r = src ^ m1; rHi = size === 8 ? srcHi ^ m1Hi : 0; }
  else { r = src & -src; rHi = size === 8 ? srcHi & (~srcHi + (src === 0 ? 1 : 0)) : 0; }
  if (size !== 8) rHi = 0;
  c.setReg(size, insn.vreg, r, rHi);
  const zero = size === 8 ? (src | srcHi) === 0 : src === 0;
  let f = parityTable[r & 0xff];
  if (size === 8 ? (r | rHi) === 0 : r === 0) f |= CC_Z;
  if (size === 8 ? rHi < 0 : r < 0) f |= CC_S;
  // BLSR/BLSMSK: CF = source was zero; BLSI: CF = source was not zero.
  if (op === 3 ? !zero : zero) f |= CC_C;
  c.setFlags(f);
}

/** BEXTR: start = vreg[7:0], len = vreg[15:8]; ZF from the result, CF = OF = 0. */
export function bextr(c: TcgCpu, insn: Insn, size: number, src: number, srcHi: number): void {
  const ctl = c.env.regs[insn.vreg << 1];
  const start = ctl & 0xff, len = (ctl >>> 8) & 0xff;
  let r = 0, rHi = 0;
  if (start < size * 8 && len > 0) {
    r = shr64(c, src, size === 8 ? srcHi : 0, start);
    rHi = c.hi;
    if (len < 32) { r &= (1 << len) - 1; rHi = 0; }
    else if (len === 32) rHi = 0;
    else if (len < 64) rHi &= (1 << (len - 32)) - 1;
  }
  if (size !== 8) rHi = 0;
  c.setReg(size, insn.reg, r, rHi);
  c.setFlags(parityTable[r & 0xff] | CC_A | ((r | rHi) === 0 ? CC_Z : 0)); // AF undefined: set, as on AMD
}

/** BZHI: zero the bits from index vreg[7:0] up; CF = index > operand size - 1. */
export function bzhi(c: TcgCpu, insn: Insn, size: number, src: number, srcHi: number): void {
  const n = c.env.regs[insn.vreg << 1] & 0xff;
  const bits = size * 8;
  let r = src, rHi = size === 8 ? srcHi : 0;
  if (n < bits) {
    if (n < 32) { r = src & ((1 << n) - 1); rHi = 0; }
    else rHi = n === 32 ? 0 : rHi & ((1 << (n - 32)) - 1);
  }
  c.setReg(size, insn.reg, r, rHi);
  let f = parityTable[r & 0xff];
  if ((r | rHi) === 0) f |= CC_Z;
  if (size === 8 ? rHi < 0 : r < 0) f |= CC_S;
  if (n > bits - 1) f |= CC_C;
  c.setFlags(f);
}

/** PDEP (deposit = true) / PEXT: mask is src (r/m), source is vreg. */
export function pdepPext(c: TcgCpu, insn: Insn, deposit: boolean, size: number, mask: number, maskHi: number): void {
  const regs = c.env.regs;
  const sLo = regs[insn.vreg << 1], sHi = size === 8 ? regs[(insn.vreg << 1) + 1] : 0;
  if (size !== 8) maskHi = 0;
  let rLo = 0, rHi = 0, k = 0;
  for (let i = 0; i < 64; i++) {
    const mb = i < 32 ? (mask >>> i) & 1 : (maskHi >>> (i - 32)) & 1;
    if (!mb) continue;
    if (deposit) {
      const sb = k < 32 ? (sLo >>> k) & 1 : (sHi >>> (k - 32)) & 1;
      if (sb) { if (i < 32) rLo |= 1 << i; else rHi |= 1 << (i - 32); }
    } else {
      const sb = i < 32 ? (sLo >>> i) & 1 : (sHi >>> (i - 32)) & 1;
      if (sb) { if (k < 32) rLo |= 1 << k; else rHi |= 1 << (k - 32); }
    }
    k++;
  }
  c.setReg(size, insn.reg, rLo, rHi);
}

/** SHLX/SARX/SHRX (op 0, 1, 2): count from vreg, no flags. */
export function shiftX(c: TcgCpu, insn: Insn, op: number, size: number, src: number, srcHi: number): void {
  const n = c.env.regs[insn.vreg << 1] & (size === 8 ? 63 : 31);
  let r: number;
  if (size === 8) r = op === 0 ? shl64(c, src, srcHi, n) : op === 1 ? sar64(c, src, srcHi, n) : shr64(c, src, srcHi, n);
  else { r = op === 0 ? src << n : op === 1 ? src >> n : src >>> n; c.hi = 0; }
  c.setReg(size, insn.reg, r | 0, c.hi);
}

/** RORX: rotate right by imm8, no flags. */
export function rorx(c: TcgCpu, insn: Insn, size: number, src: number, srcHi: number): void {
  const n = insn.imm & (size === 8 ? 63 : 31);
  if (size === 8) {
    const l = shr64(c, src, srcHi, n), h = c.hi;
    const l2 = shl64(c, src, srcHi, (64 - n) & 63), h2 = c.hi;
    c.setReg(8, insn.reg, n === 0 ? src : l | l2, n === 0 ? srcHi : h | h2);
  } else c.setReg(4, insn.reg, n === 0 ? src : (src >>> n) | (src << (32 - n)), 0);
}

/** ADCX (carry = CF) / ADOX (carry = OF): unsigned add with carry, only that flag changes. */
export function adx(c: TcgCpu, insn: Insn, useOF: boolean, size: number, src: number, srcHi: number): void {
  const f = computeAll(c.env);
  const cin = (f & (useOF ? CC_O : CC_C)) !== 0 ? 1 : 0;
  const a = c.getReg(size, insn.reg), aHi = c.hi;
  const l = (a >>> 0) + (src >>> 0) + cin;
  let cout: number, rHi = 0;
  if (size === 8) {
    const h = (aHi >>> 0) + (srcHi >>> 0) + (l > 0xffffffff ? 1 : 0);
    rHi = h | 0;
    cout = h > 0xffffffff ? 1 : 0;
  } else cout = l > 0xffffffff ? 1 : 0;
  c.setReg(size, insn.reg, l | 0, rHi);
  const flag = useOF ? CC_O : CC_C;
  c.setFlags((f & ~flag) | (cout ? flag : 0));
}

