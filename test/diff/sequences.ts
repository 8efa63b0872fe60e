/*
 * Random instruction sequences for the differential test: a loop body of random integer
 * instructions (register, memory, stack, string, control-flow and flag forms) run for a random
 * number of iterations, so one case executes hundreds to thousands of instructions and the
 * results of one instruction feed the next (lazy flags, partial registers, memory).
 *
 * Register roles: rBX points at a memory window in the data region (never written), rBP counts
 * the loop (only ENTER/LEAVE pairs touch it, and they restore it), rSP is the stack; every other
 * register is free.  Flags the SDM leaves undefined are tracked statically: before an instruction
 * reads one, and before the loop's back edge, a CMP redefines them all.
 */
import { Rng, randVal, Gen, FLAGS_COMPARED } from './gen.js';
import { CODE_ADDR, DATA_ADDR, STACK_ADDR, type TestCase } from './protocol.js';

const C = 1, P = 4, A = 0x10, Z = 0x40, S = 0x80, O = 0x800;
const ALL = C | P | A | Z | S | O;
const OSZAP = ALL & ~C;
/** Flags each condition code reads (Jcc/SETcc/CMOVcc low nibble >> 1). */
const CC_READS = [O, C, Z, C | Z, S, P, S | O, Z | S | O];

/** A memory operand; RIP-relative ones keep their absolute target until emitted. */
interface Mem { mod: number; rm: number; sib: number[]; disp: number[]; rexX: number; rexB: number; rip: boolean; target?: number }

const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);

class Seq {
  readonly lm: boolean;
  readonly bytes: number[] = [];
  /** Flags that are undefined at this point of the code. */
  undef = 0;
  readonly free: number[];
  readonly regs: bigint[];
  /**
   * Inside CALL/RET, ENTER/LEAVE and PUSH/POP pairs: no [rSP + d8] operands, which could overwrite a
   * return address or saved rBP (our test machine has RAM where the host has none to run into).
   */
  inFrame = false;

  constructor(readonly r: Rng, readonly mode: 32 | 64, regs: bigint[]) {
    this.lm = mode === 64;
    this.free = this.lm ? [0, 1, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : [0, 1, 2, 6, 7];
    this.regs = regs;
  }

  /** Declares that the next instruction reads `reads`, writes (defines) `writes` and leaves `undefs` undefined. */
  flags(reads: number, writes: number, undefs: number): void {
    if ((reads & this.undef) !== 0) this.define();
    this.undef = (this.undef & ~writes) | undefs;
  }

  /** CMP of a random register with an imm8: defines all six arithmetic flags. */
  define(): void {
    const r = this.r;
    this.emit([], r.pick(this.lm ? [2, 4, 8] : [2, 4]), [0x83], 7, this.any(4, false), [r.int(256)]);
    this.undef = 0;
  }

  vsize(): number { return this.r.pick(this.lm ? [2, 4, 8] : [2, 4]); }
  size(): number { return this.r.pick(this.lm ? [1, 2, 4, 8] : [1, 2, 4]); }
  /** Whether a byte instruction gets a REX prefix (then registers 4-7 are SPL..DIL, not AH..BH). */
  rex(size: number): boolean { return this.lm && size === 1 && this.r.bool(); }

  /** A register the instruction may write. */
  dst(size: number, rex: boolean): number {
    if (size === 1 && !rex) return this.r.pick([0, 1, 2, 4, 5, 6]); // AL CL DL AH CH DH
    return this.r.pick(this.free);
  }

  /** A free register below 8 (encodable without REX). */
  low(): number {
    return this.r.pick([0, 1, 2, 6, 7]);
  }

  /** Any register as a source operand. */
  any(size: number, rex: boolean): number {
    return this.r.int(size === 1 && !rex ? 8 : this.lm ? 16 : 8);
  }

  /** A free register with a low byte encodable without REX in legacy mode (for MOVZX index setup). */
  private indexReg(allowRex: boolean, avoid: number): number {
    const set = (this.lm && allowRex ? this.free : [0, 1, 2]).filter((x) => x !== avoid);
    return this.r.pick(set);
  }

  /**
   * A memory operand inside the window; may emit a MOVZX that bounds an index register first
   * (never `avoid`).  allowRex = false for byte instructions without REX (registers below 8 only).
   */
  mem(allowRex: boolean, avoid = -1): Mem {
    const r = this.r;
    const d8 = (): number[] => [r.int(256)];
    let kind = r.int(this.lm ? 6 : 5);
    if (kind === 3 && this.inFrame) kind = 0;
    switch (kind) {
      case 0: return { mod: 1, rm: 3, sib: [], disp: d8(), rexX: 0, rexB: 0, rip: false };
      case 1: return { mod: 2, rm: 3, sib: [], disp: le(r.int(0x600) - 0x300, 4), rexX: 0, rexB: 0, rip: false };
      case 2: {
        const idx = this.indexReg(allowRex, avoid);
        // movzx idx32, idx8: the index is then 0..255
        this.emit([], 4, [0x0f, 0xb6], idx, idx, [], this.lm && idx >= 4);
        const scale = r.int(4);
        return { mod: 1, rm: 4, sib: [(scale << 6) | ((idx & 7) << 3) | 3], disp: d8(), rexX: idx >> 3, rexB: 0, rip: false };
      }
      case 3: return { mod: 1, rm: 4, sib: [0x24], disp: [r.int(128)], rexX: 0, rexB: 0, rip: false }; // [rsp + d8]
      case 4: {
        const abs = le(DATA_ADDR + 0x400 + r.int(0x1000), 4);
        return this.lm ? { mod: 0, rm: 4, sib: [0x25], disp: abs, rexX: 0, rexB: 0, rip: false } : { mod: 0, rm: 5, sib: [], disp: abs, rexX: 0, rexB: 0, rip: false };
      }
      default: return { mod: 0, rm: 5, sib: [], disp: [0, 0, 0, 0], rexX: 0, rexB: 0, rip: true, target: DATA_ADDR + 0x400 + r.int(0x1000) };
    }
  }

  /** Segment prefix for a memory operand: flat ES/SS/DS (and CS for reads) in legacy mode; GS (base 0) or ignored ones in 64-bit mode. */
  segPfx(read: boolean): number[] {
    const r = this.r;
    if (r.int(4) !== 0) return [];
    if (this.lm) return [r.pick([0x65, 0x26, 0x2e, 0x36, 0x3e])];
    return [r.pick(read ? [0x26, 0x2e, 0x36, 0x3e] : [0x26, 0x36, 0x3e])];
  }

  /** Emits [pfx] [66] [REX] op ModRM SIB disp imm. */
  emit(pfx: number[], size: number, op: number[], reg: number, rm: number | Mem, imm: number[] = [], forceRex = false): void {
    const b = [...pfx];
    if (size === 2) b.push(0x66);
    let rex = size === 8 ? 8 : 0;
    if (reg >= 8) rex |= 4;
    let modrm: number[];
    let ripAt = -1, target = 0;
    if (typeof rm === 'number') {
      if (rm >= 8) rex |= 1;
      modrm = [0xc0 | ((reg & 7) << 3) | (rm & 7)];
    } else {
      rex |= (rm.rexX << 1) | rm.rexB;
      modrm = [(rm.mod << 6) | ((reg & 7) << 3) | rm.rm, ...rm.sib, ...rm.disp];
      if (rm.rip) ripAt = b.length + (this.lm && (rex !== 0 || forceRex) ? 1 : 0) + op.length + 1;
      target = rm.target ?? 0;
    }
    if (this.lm && (rex !== 0 || forceRex)) b.push(0x40 | rex);
    b.push(...op, ...modrm, ...imm);
    if (ripAt >= 0) {
      const v = target - (CODE_ADDR + this.bytes.length + b.length);
      b.splice(ripAt, 4, ...le(v, 4));
    }
    this.bytes.push(...b);
  }

  raw(...b: number[]): void { this.bytes.push(...b); }

  /** mov reg, imm: B8+r with an imm32 (zero-extending), or with size 8 C7 /0 (a sign-extended imm32). */
  movImm(reg: number, v: number, size = 4): void {
    if (size === 8) { this.emit([], 8, [0xc7], 0, reg, le(v, 4)); return; }
    if (reg >= 8) this.raw(0x41);
    this.raw(0xb8 + (reg & 7), ...le(v, 4));
  }

  imm(size: number): number[] {
    const v = randVal(this.r);
    return Array.from({ length: Math.min(size, 4) }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
  }
}

/* ---- the instruction menu ---- */

type Pick = (s: Seq) => void;

const isLogic = (op: number): boolean => op === 1 || op === 4 || op === 6;
/** May a memory operand of this instruction need REX (anything but a byte op without REX)? */
const ok = (size: number, rex: boolean): boolean => size !== 1 || rex;

function alu(s: Seq): void {
  const r = s.r;
  const op = r.int(9); // 8 = TEST
  const size = s.size();
  const rex = s.rex(size);
  const writes = op < 7;
  const reads = op === 2 || op === 3 ? C : 0;
  const fl = (): void => s.flags(reads, ALL, isLogic(op) || op === 8 ? A : 0);
  const byteOp = size === 1 ? 0 : 1;
  switch (r.int(4)) {
    case 0: { // reg, reg
      const d = writes ? s.dst(size, rex) : s.any(size, rex);
      fl();
      if (op === 8) s.emit([], size, [0x84 + byteOp], s.any(size, rex), d, [], rex);
      else if (r.bool()) s.emit([], size, [op * 8 + byteOp], s.any(size, rex), d, [], rex);
      else s.emit([], size, [op * 8 + 2 + byteOp], d, s.any(size, rex), [], rex);
      return;
    }
    case 1: { // reg/mem, imm
      const m = r.bool() ? s.mem(ok(size, rex)) : (writes ? s.dst(size, rex) : s.any(size, rex));
      fl();
      const lock = typeof m !== 'number' && writes && r.int(3) === 0 ? [0xf0] : [];
      const seg = typeof m !== 'number' ? s.segPfx(!writes) : [];
      if (op === 8) s.emit([...seg], size, [0xf6 + byteOp], 0, m, s.imm(size === 8 ? 4 : size), rex);
      else if (size === 1) s.emit([...lock, ...seg], 1, [0x80], op, m, s.imm(1), rex);
      else if (r.bool()) s.emit([...lock, ...seg], size, [0x83], op, m, s.imm(1), rex);
      else s.emit([...lock, ...seg], size, [0x81], op, m, s.imm(size === 8 ? 4 : size), rex);
      return;
    }
    case 2: { // mem, reg
      const m = s.mem(ok(size, rex));
      fl();
      const lock = writes && r.int(3) === 0 ? [0xf0] : [];
      s.emit([...lock, ...s.segPfx(!writes)], size, [op === 8 ? 0x84 + byteOp : op * 8 + byteOp], s.any(size, rex), m, [], rex);
      return;
    }
    default: { // reg, mem
      if (op === 8) return alu(s);
      const m = s.mem(ok(size, rex));
      const d = writes ? s.dst(size, rex) : s.any(size, rex);
      fl();
      s.emit(s.segPfx(true), size, [op * 8 + 2 + byteOp], d, m, [], rex);
    }
  }
}

function accImm(s: Seq): void { // AL/eAX, imm
  const r = s.r;
  const op = r.int(9);
  const size = s.size();
  s.flags(op === 2 || op === 3 ? C : 0, ALL, isLogic(op) || op === 8 ? A : 0);
  const b = size === 1 ? 0 : 1;
  s.emit([], size, [op === 8 ? 0xa8 + b : op * 8 + 4 + b], 0, 0, s.imm(size === 8 ? 4 : size));
  s.bytes.splice(s.bytes.length - Math.min(size === 8 ? 4 : size, 4) - 1, 1); // no ModRM for this form
}

function unary(s: Seq): void { // INC DEC NOT NEG
  const r = s.r;
  const k = r.int(4);
  const size = s.size();
  const rex = s.rex(size);
  const m = r.bool() ? s.mem(ok(size, rex)) : s.dst(size, rex);
  if (k < 2) s.flags(0, OSZAP, 0);
  else if (k === 3) s.flags(0, ALL, 0);
  const lock = typeof m !== 'number' && r.int(3) === 0 ? [0xf0] : [];
  if (k < 2) s.emit(lock, size, [size === 1 ? 0xfe : 0xff], k, m, [], rex);
  else s.emit(lock, size, [size === 1 ? 0xf6 : 0xf7], k, m, [], rex);
}

function shiftFlags(s: Seq, op: number, size: number, count: number): void {
  const c = count & (size === 8 ? 63 : 31);
  const reads = op === 2 || op === 3 ? C : 0;
  if (c === 0) { s.flags(reads, 0, 0); return; }
  if (op >= 4) {
    let u = A;
    if (c !== 1) u |= O;
    if (c >= size * 8) u |= C | O;
    s.flags(reads, ALL, u);
  } else s.flags(reads, C | O, c !== 1 ? O : 0);
}

function shift(s: Seq): void {
  const r = s.r;
  const op = r.int(8);
  const size = s.size();
  const rex = s.rex(size);
  const m = r.bool() ? s.mem(ok(size, rex)) : s.dst(size, rex);
  const b = size === 1 ? 0 : 1;
  switch (r.int(3)) {
    case 0: shiftFlags(s, op, size, 1); s.emit([], size, [0xd0 + b], op, m, [], rex); return;
    case 1: {
      const c = r.int(4) === 0 ? r.int(256) : r.int(size * 8 + 2);
      shiftFlags(s, op, size, c);
      s.emit([], size, [0xc0 + b], op, m, [c], rex);
      return;
    }
    default: // by CL: the count is data, so every flag the shift may touch is treated as undefined after it
      s.flags(op === 2 || op === 3 ? C : 0, 0, ALL);
      s.emit([], size, [0xd2 + b], op, m, [], rex);
  }
}

function shiftDouble(s: Seq): void {
  const r = s.r;
  const size = s.vsize();
  const m = r.bool() ? s.mem(true) : s.dst(size, false);
  const opc = r.bool() ? 0xa4 : 0xac;
  if (size !== 2 && r.bool()) { // by CL (a 16-bit operand shifted by more than 16 is undefined)
    s.flags(0, 0, ALL);
    s.emit([], size, [0x0f, opc + 1], s.any(size, false), m);
    return;
  }
  const c = r.int(size === 2 ? 17 : size * 8);
  s.flags(0, c ? ALL : 0, c === 0 ? 0 : c === 1 ? A : A | O);
  s.emit([], size, [0x0f, opc], s.any(size, false), m, [c]);
}

function mul(s: Seq): void {
  const r = s.r;
  const size = s.size();
  const rex = s.rex(size);
  switch (r.int(3)) {
    case 0: { // MUL/IMUL r/m: rDX:rAX
      const m = r.bool() ? s.mem(ok(size, rex)) : s.any(size, rex);
      s.flags(0, C | O, S | Z | A | P);
      s.emit([], size, [size === 1 ? 0xf6 : 0xf7], r.bool() ? 4 : 5, m, [], rex);
      return;
    }
    case 1: { // IMUL Gv, Ev
      const vs = s.vsize();
      const m = r.bool() ? s.mem(true) : s.any(vs, false);
      s.flags(0, C | O, S | Z | A | P);
      s.emit([], vs, [0x0f, 0xaf], s.dst(vs, false), m);
      return;
    }
    default: { // IMUL Gv, Ev, Ib/Iz
      const vs = s.vsize();
      const m = r.bool() ? s.mem(true) : s.any(vs, false);
      s.flags(0, C | O, S | Z | A | P);
      if (r.bool()) s.emit([], vs, [0x6b], s.dst(vs, false), m, s.imm(1));
      else s.emit([], vs, [0x69], s.dst(vs, false), m, s.imm(vs === 2 ? 2 : 4));
    }
  }
}

/** DIV/IDIV with a dividend and divisor set up so that the quotient fits (no #DE). */
function div(s: Seq): void {
  const r = s.r;
  const signed = r.bool();
  const size = s.size();
  if (size === 1) {
    if (signed) s.raw(0x66, 0x98); // cbw
    else s.raw(0x0f, 0xb6, 0xc0); // movzx eax, al
    const d = r.pick([1, 2, 5, 6]); // CL DL CH DH
    s.raw(0xb0 + d, 2 + r.int(signed ? 126 : 254));
    s.flags(0, 0, ALL);
    s.emit([], 1, [0xf6], signed ? 7 : 6, d);
    return;
  }
  const d = s.r.pick(s.free.filter((x) => x !== 0 && x !== 2));
  const v = 2 + r.int(size === 2 ? 0x7ffd : 0x7ffffffd);
  if (size === 2) { s.raw(0x66); if (d >= 8) s.raw(0x41); s.raw(0xb8 + (d & 7), ...le(v, 2)); }
  else { if (d >= 8) s.raw(0x41); s.raw(0xb8 + (d & 7), ...le(v, 4)); }
  if (signed) s.emit([], size, [0x99], 0, 0), s.bytes.pop(); // cwd/cdq/cqo (no ModRM)
  else { s.flags(0, ALL, A); s.raw(0x31, 0xd2); } // xor edx, edx
  let m: number | Mem = d;
  if (r.bool()) { // through memory: mov [mem], d first
    m = s.mem(true, d);
    s.emit([], size, [0x89], d, m);
  }
  s.flags(0, 0, ALL);
  s.emit([], size, [0xf7], signed ? 7 : 6, m);
}

function bitTest(s: Seq): void {
  const r = s.r;
  const size = s.vsize();
  const k = r.int(4); // bt bts btr btc
  const writes = k !== 0;
  switch (r.int(3)) {
    case 0: { // reg, reg
      s.flags(0, C, O | S | A | P);
      s.emit([], size, [0x0f, 0xa3 + k * 8], s.any(size, false), writes ? s.dst(size, false) : s.any(size, false));
      return;
    }
    case 1: { // r/m, imm8
      const m = r.bool() ? s.mem(true) : (writes ? s.dst(size, false) : s.any(size, false));
      s.flags(0, C, O | S | A | P);
      s.emit(typeof m !== 'number' && writes && r.int(3) === 0 ? [0xf0] : [], size, [0x0f, 0xba], 4 + k, m, [r.int(256)]);
      return;
    }
    default: { // mem, reg: a small signed bit offset
      const off = s.r.pick(s.free.filter((x) => x < 8));
      s.movImm(off, r.int(1024) - 512, size === 8 ? 8 : 4);
      const m = s.mem(true, off);
      s.flags(0, C, O | S | A | P);
      s.emit(writes && r.int(3) === 0 ? [0xf0] : [], size, [0x0f, 0xa3 + k * 8], off, m);
    }
  }
}

function bitScan(s: Seq): void {
  const r = s.r;
  const size = s.vsize();
  const m = r.bool() ? s.mem(true) : s.any(size, false);
  const d = s.dst(size, false);
  switch (r.int(5)) {
    case 0: s.flags(0, Z, C | O | S | A | P); s.emit([], size, [0x0f, 0xbc], d, m); return;
    case 1: s.flags(0, Z, C | O | S | A | P); s.emit([], size, [0x0f, 0xbd], d, m); return;
    case 2: s.flags(0, C | Z, O | S | A | P); s.emit([0xf3], size, [0x0f, 0xbc], d, m); return;
    case 3: s.flags(0, C | Z, O | S | A | P); s.emit([0xf3], size, [0x0f, 0xbd], d, m); return;
    default: s.flags(0, ALL, 0); s.emit([0xf3], size, [0x0f, 0xb8], d, m);
  }
}

function cond(s: Seq): void {
  const r = s.r;
  const cc = r.int(16);
  s.flags(CC_READS[cc >> 1], 0, 0);
  switch (r.int(4)) {
    case 0: { const rex = s.rex(1); const m = r.bool() ? s.mem(rex) : s.dst(1, rex); s.emit([], 1, [0x0f, 0x90 + cc], 0, m, [], rex); return; }
    case 1: { const vs = s.vsize(); s.emit([], vs, [0x0f, 0x40 + cc], s.dst(vs, false), r.bool() ? s.mem(true) : s.any(vs, false)); return; }
    case 2: { // jcc over an inc: on either path the flags that were defined stay defined
      s.raw(0x70 + cc, 2, 0xff, 0xc0 + s.low());
      return;
    }
    default: { // jcc rel32 over a mov
      const d = s.low();
      s.raw(0x0f, 0x80 + cc, 5, 0, 0, 0, 0xb8 + d, ...le(r.u32(), 4));
    }
  }
}

function move(s: Seq): void {
  const r = s.r;
  const size = s.size();
  const rex = s.rex(size);
  const b = size === 1 ? 0 : 1;
  switch (r.int(10)) {
    case 0: s.emit([], size, [0x88 + b], s.any(size, rex), s.dst(size, rex), [], rex); return;
    case 1: { const m = s.mem(ok(size, rex)); s.emit(s.segPfx(false), size, [0x88 + b], s.any(size, rex), m, [], rex); return; }
    case 2: { const m = s.mem(ok(size, rex)); s.emit(s.segPfx(true), size, [0x8a + b], s.dst(size, rex), m, [], rex); return; }
    case 3: { const m = r.bool() ? s.mem(ok(size, rex)) : s.dst(size, rex); s.emit([], size, [0xc6 + b], 0, m, s.imm(size === 8 ? 4 : size), rex); return; }
    case 4: { // movzx/movsx; a byte source without REX keeps every register below 8
      const vs = s.vsize();
      const src = r.bool() ? 1 : 2;
      const rx = src === 1 && s.rex(1);
      const legacy = src === 1 && !rx;
      const m = r.bool() ? s.mem(!legacy) : s.any(src, rx);
      s.emit([], vs, [0x0f, (r.bool() ? 0xb6 : 0xbe) + (src - 1)], legacy ? s.low() : s.dst(vs, rx), m, [], rx);
      return;
    }
    case 5: { // lea: any addressing form, no access
      const vs = s.vsize();
      const base = s.any(4, false), idx = s.r.int(s.lm ? 16 : 8);
      const m: Mem = r.bool()
        ? { mod: 2, rm: 4, sib: [(r.int(4) << 6) | ((idx & 7) << 3) | (base & 7)], disp: le(r.u32(), 4), rexX: idx >> 3, rexB: base >> 3, rip: false }
        : { mod: 1, rm: base & 7, sib: (base & 7) === 4 ? [0x24] : [], disp: [r.int(256)], rexX: 0, rexB: base >> 3, rip: false };
      s.emit(s.lm && r.int(4) === 0 ? [0x67] : [], vs, [0x8d], s.dst(vs, false), m);
      return;
    }
    case 6: { // xchg
      if (r.bool()) s.emit([], size, [0x86 + b], s.dst(size, rex), s.dst(size, rex), [], rex);
      else { const m = s.mem(ok(size, rex)); s.emit([], size, [0x86 + b], s.dst(size, rex), m, [], rex); }
      return;
    }
    case 7: { // movsxd / bswap
      if (s.lm && r.bool()) { const m = r.bool() ? s.mem(true) : s.any(4, false); s.emit([], r.bool() ? 8 : 4, [0x63], s.dst(4, false), m); return; }
      const d = s.r.pick(s.free);
      const vs = s.lm && r.bool() ? 8 : 4;
      s.emit([], vs, [0x0f, 0xc8 + (d & 7)], 0, d >= 8 ? 8 : 0); // REX.B from rm
      s.bytes.pop(); // drop the ModRM: BSWAP encodes the register in the opcode
      return;
    }
    case 8: { // movbe
      const vs = s.vsize();
      const m = s.mem(true);
      if (r.bool()) s.emit([], vs, [0x0f, 0x38, 0xf0], s.dst(vs, false), m);
      else s.emit([], vs, [0x0f, 0x38, 0xf1], s.any(vs, false), m);
      return;
    }
    default: // mov r, imm (B0+r / B8+r, with a full imm64 under REX.W)
      if (size === 1) { const d = s.dst(1, rex); if (rex || d >= 8) s.raw(0x40 | (d >> 3)); s.raw(0xb0 + (d & 7), r.int(256)); }
      else {
        const d = s.r.pick(s.free);
        if (size === 2) s.raw(0x66);
        if (size === 8 || d >= 8) s.raw(0x40 | (size === 8 ? 8 : 0) | (d >> 3));
        s.raw(0xb8 + (d & 7), ...le(r.u32(), size === 2 ? 2 : 4), ...(size === 8 ? le(r.u32(), 4) : []));
      }
  }
}

function atomic(s: Seq): void { // CMPXCHG XADD CMPXCHG8B/16B
  const r = s.r;
  const size = s.size();
  const rex = s.rex(size);
  const b = size === 1 ? 0 : 1;
  const m = r.bool() ? s.mem(ok(size, rex)) : s.dst(size, rex);
  const lock = typeof m !== 'number' && r.bool() ? [0xf0] : [];
  switch (r.int(3)) {
    case 0: s.flags(0, ALL, 0); s.emit(lock, size, [0x0f, 0xb0 + b], s.any(size, rex), m, [], rex); return;
    case 1: s.flags(0, ALL, 0); s.emit(lock, size, [0x0f, 0xc0 + b], s.dst(size, rex), m, [], rex); return;
    default: { // [rbx + 16k]: rBX is 16-byte aligned
      const wide = s.lm && r.bool();
      s.flags(0, Z, 0);
      s.emit(r.bool() ? [0xf0] : [], wide ? 8 : 4, [0x0f, 0xc7], 1, { mod: 1, rm: 3, sib: [], disp: [(r.int(16) - 8) * 16 & 0xff], rexX: 0, rexB: 0, rip: false });
    }
  }
}

function flagOps(s: Seq): void {
  const r = s.r;
  switch (r.int(7)) {
    case 0: s.flags(0, 0, 0); s.emit([], s.vsize(), [0x98], 0, 0); s.bytes.pop(); return; // cbw/cwde/cdqe
    case 1: s.emit([], s.vsize(), [0x99], 0, 0); s.bytes.pop(); return; // cwd/cdq/cqo
    case 2: s.flags(S | Z | A | P | C, 0, 0); s.raw(0x9f); return; // lahf
    case 3: s.flags(0, S | Z | A | P | C, 0); s.raw(0x9e); return; // sahf
    case 4: { const o = r.pick([0xf8, 0xf9, 0xf5]); s.flags(o === 0xf5 ? C : 0, C, 0); s.raw(o); return; } // clc stc cmc
    case 5: s.raw(r.pick([0xfc, 0xfd])); return; // cld std
    default: { // adcx/adox
      const ox = r.bool();
      s.flags(ox ? O : C, ox ? O : C, 0);
      const m = r.bool() ? s.mem(true) : s.any(4, false);
      s.emit([ox ? 0xf3 : 0x66], s.lm && r.bool() ? 8 : 4, [0x0f, 0x38, 0xf6], s.dst(4, false), m);
    }
  }
}

/** BMI1/BMI2 in VEX encoding. */
function bmi(s: Seq): void {
  const r = s.r;
  const w = s.lm && r.bool();
  const d = s.dst(4, false);
  const m = r.bool() ? s.mem(true) : s.any(4, false);
  const v = s.any(4, false);
  let map = 2, pp = 0, opc = 0, reg = d, vreg = v, imm: number[] = [];
  switch (r.int(9)) {
    case 0: opc = 0xf2; s.flags(0, ALL, A | P); break; // andn
    case 1: opc = 0xf3; reg = 1 + r.int(3); vreg = d; s.flags(0, ALL, A | P); break; // blsr/blsmsk/blsi
    case 2: opc = 0xf7; s.flags(0, ALL, A | S | P); break; // bextr
    case 3: opc = 0xf5; s.flags(0, ALL, A | P); break; // bzhi
    case 4: opc = 0xf5; pp = r.bool() ? 3 : 2; break; // pdep/pext
    case 5: { opc = 0xf6; pp = 3; vreg = s.dst(4, false); break; } // mulx: rDX * r/m -> reg:vreg
    case 6: opc = 0xf7; pp = 1 + r.int(3); break; // shlx/sarx/shrx
    default: map = 3; opc = 0xf0; pp = 3; vreg = 0; imm = [r.int(256)]; // rorx
  }
  const rexR = reg >> 3, rexX = typeof m === 'number' ? 0 : m.rexX, rexB = typeof m === 'number' ? m >> 3 : m.rexB;
  const b1 = (rexR ? 0 : 0x80) | (rexX ? 0 : 0x40) | (rexB ? 0 : 0x20) | map;
  const b2 = (w ? 0x80 : 0) | ((~vreg & 15) << 3) | pp;
  const modrm = typeof m === 'number' ? [0xc0 | ((reg & 7) << 3) | (m & 7)] : [(m.mod << 6) | ((reg & 7) << 3) | m.rm, ...m.sib, ...m.disp];
  const bytes = [0xc4, b1, b2, opc, ...modrm, ...imm];
  if (typeof m !== 'number' && m.rip) {
    const at = bytes.length - imm.length - 4;
    const v2 = (m.target ?? 0) - (CODE_ADDR + s.bytes.length + bytes.length);
    bytes.splice(at, 4, ...le(v2, 4));
  }
  s.raw(...bytes);
}

/** A string instruction with REP/REPE/REPNE, a size, DF as it is, segment and address-size prefixes. */
function str(s: Seq): void {
  const r = s.r;
  const op = r.pick([0xa4, 0xa6, 0xaa, 0xac, 0xae]);
  const n = 1 + r.int(32);
  const a32 = s.lm && r.int(4) === 0;
  s.movImm(6, DATA_ADDR + 0x800 + r.int(0x1000));
  s.movImm(7, DATA_ADDR + 0x800 + r.int(0x1000));
  s.movImm(1, n);
  const pfx: number[] = [];
  if (op === 0xa4 || op === 0xa6 || op === 0xac) pfx.push(...s.segPfx(true));
  if (a32) pfx.push(0x67);
  const rep = r.int(3);
  if (rep === 1) pfx.push(0xf3); else if (rep === 2) pfx.push(0xf2);
  const size = s.size();
  if (op === 0xa6 || op === 0xae) s.flags(0, ALL, 0);
  s.emit(pfx, size, [size === 1 ? op : op + 1], 0, 0);
  s.bytes.pop(); // no ModRM
}

function xlat(s: Seq): void { s.emit(s.segPfx(true), 4, [0xd7], 0, 0); s.bytes.pop(); }

/** Balanced stack use: PUSH then POP, PUSHF/POPF, CALL/RET (with RET imm16), ENTER/LEAVE. */
function stack(s: Seq, body: () => void): void {
  const r = s.r;
  switch (r.int(5)) {
    case 0: {
      const w = r.int(4) === 0 ? 2 : 0; // 66: 16-bit push/pop
      const pre = w ? [0x66] : [];
      switch (r.int(4)) {
        case 0: { const x = s.any(4, false); if (x >= 8) s.raw(...pre, 0x41, 0x50 + (x & 7)); else s.raw(...pre, 0x50 + x); break; }
        case 1: s.raw(...pre, 0x6a, r.int(256)); break;
        case 2: s.raw(...pre, 0x68, ...le(r.u32(), w ? 2 : 4)); break;
        default: { const m = s.mem(true); s.emit(pre, 4, [0xff], 6, m); break; }
      }
      body();
      if (r.bool()) { const d = s.r.pick(s.free); if (d >= 8) s.raw(...pre, 0x41, 0x58 + (d & 7)); else s.raw(...pre, 0x58 + d); }
      else { const m = s.mem(true); s.emit(pre, 4, [0x8f], 0, m); }
      return;
    }
    case 1:
      s.flags(ALL, 0, 0);
      s.raw(0x9c); body(); s.raw(0x9d);
      s.undef = 0; // POPF restores what PUSHF saved (all defined then)
      return;
    case 2: { // [push args] call sub; jmp over; sub: body; ret [args]
      const args = r.int(3);
      for (let i = 0; i < args; i++) s.raw(0x6a, r.int(256));
      s.raw(0xe8, 5, 0, 0, 0, 0xe9, 0, 0, 0, 0);
      const start = s.bytes.length;
      body();
      if (args) s.raw(0xc2, ...le(args * (s.lm ? 8 : 4), 2)); else s.raw(0xc3);
      s.bytes.splice(start - 4, 4, ...le(s.bytes.length - start, 4));
      return;
    }
    case 3: { // enter n, 0|1 ... leave
      s.raw(0xc8, ...le(r.int(0x80), 2), r.int(2));
      body();
      s.raw(0xc9);
      return;
    }
    default: { // loop / loope / loopne / jrcxz over a flag-writing body
      const n = 1 + r.int(5);
      s.movImm(1, n);
      const a32 = s.lm && r.int(4) === 0;
      const kind = r.int(4);
      if (kind === 3 && r.bool()) s.movImm(1, 0);
      if (kind === 3) { s.raw(...(a32 ? [0x67] : []), 0xe3, 3, 0x83, 0xc0 + r.pick([0, 2, 6, 7]), r.int(256)); s.undef = ALL; return; }
      // L: add reg, imm8; loopX L  (4-byte loop body incl. the loop: back by 5 or 6)
      const d = r.pick([0, 2, 6, 7]);
      s.raw(0x83, 0xc0 + d, r.int(256));
      s.raw(...(a32 ? [0x67] : []), 0xe0 + kind, (-(3 + 2 + (a32 ? 1 : 0))) & 0xff);
      s.undef = 0;
    }
  }
}

function bcd(s: Seq): void { // legacy modes only
  const r = s.r;
  switch (r.int(4)) {
    case 0: s.flags(A | C, C | A | S | Z | P, O); s.raw(r.bool() ? 0x27 : 0x2f); return; // daa das
    case 1: s.flags(A, C | A, O | S | Z | P); s.raw(r.bool() ? 0x37 : 0x3f); return; // aaa aas
    case 2: s.flags(0, S | Z | P, O | A | C); s.raw(0xd4, 1 + r.int(255)); return; // aam (imm != 0)
    default: s.flags(0, S | Z | P, O | A | C); s.raw(0xd5, r.int(256)); // aad
  }
}

function misc(s: Seq): void {
  const r = s.r;
  switch (r.int(4)) {
    case 0: s.raw(0x90); return;
    case 1: s.raw(0xf3, 0x90); return; // pause
    case 2: { const m = r.bool() ? s.mem(true) : s.any(4, false); s.emit([], r.pick([2, 4]), [0x0f, 0x1f], 0, m); return; }
    default: {
      const k = r.int(3);
      if (k === 1) { s.raw(0x0f, 0xae, r.pick([0xe8, 0xf0, 0xf8])); return; }
      const m = s.mem(true);
      if (k === 0) s.emit([], 4, [0x0f, 0x18], r.int(4), m);
      else s.emit([], 4, [0x0f, 0xae], 7, m);
    }
  }
}

const MENU: [Pick, number][] = [
  [alu, 10], [accImm, 1], [unary, 3], [shift, 4], [shiftDouble, 1], [mul, 2], [div, 1], [bitTest, 2], [bitScan, 1],
  [cond, 4], [move, 6], [atomic, 2], [flagOps, 2], [bmi, 1], [str, 2], [xlat, 1], [misc, 1],
];
const MENU_TOTAL = MENU.reduce((a, [, w]) => a + w, 0);

function one(s: Seq, depth = 0): void {
  const r = s.r;
  if (depth === 0 && r.int(12) === 0) {
    stack(s, () => { s.inFrame = true; one(s, 1); s.inFrame = false; });
    return;
  }
  if (s.mode === 32 && r.int(30) === 0) { bcd(s); return; }
  let k = r.int(MENU_TOTAL);
  for (const [f, w] of MENU) {
    if (k < w) { f(s); return; }
    k -= w;
  }
}

/** One sequence case: `len` random instructions looped `iterations` times. */
export function sequenceCase(r: Rng, mode: 32 | 64, len: number, iterations: number, seed: number): TestCase {
  const g = new Gen(r, mode);
  g.regs[3] = BigInt(DATA_ADDR + 0x400 + 16 * r.int(0x20)); // rBX: the window, 16-byte aligned
  g.regs[5] = BigInt(iterations); // rBP: the loop counter
  g.regs[4] = BigInt(STACK_ADDR + 0x800);
  const s = new Seq(r, mode, g.regs);
  for (let i = 0; i < len && s.bytes.length < 1600; i++) one(s);
  if (s.undef !== 0) s.define();
  // dec ebp; jnz top
  const back = -(s.bytes.length + 2 + 6);
  s.raw(0xff, 0xcd, 0x0f, 0x85, ...le(back, 4));
  return {
    name: `sequence`, mode, code: Uint8Array.from(s.bytes), seed, regs: g.regs, flags: g.flags,
    flagMask: FLAGS_COMPARED,
  };
}
