/*
 * The instruction forms the differential test covers, with the SDM-undefined flags of each.
 */
import { Gen, CF, PF, AF, ZF, SF, OF, DF, ARITH, randVal } from './gen.js';
import { CODE_ADDR, DATA_ADDR, STACK_ADDR } from './protocol.js';

export interface Form {
  name: string;
  modes: (32 | 64)[];
  gen(g: Gen): void;
  /** Instances relative to the other forms (default 1). */
  weight?: number;
}

const BOTH: (32 | 64)[] = [32, 64];
const M64: (32 | 64)[] = [64];
const M32: (32 | 64)[] = [32];
const forms: Form[] = [];
const add = (name: string, modes: (32 | 64)[], gen: (g: Gen) => void, weight = 1): void => { forms.push({ name, modes, gen, weight }); };

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const isLogic = (op: number): boolean => op === 1 || op === 4 || op === 6;
/** A generator of the elements of `a` in turn (for forms whose choices must all run every time). */
function cycle<T>(a: readonly T[]): () => T {
  let i = 0;
  return () => a[i++ % a.length];
}
const le = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (v >>> (8 * i)) & 0xff);

for (let op = 0; op < 8; op++) {
  const mask = (g: Gen): void => { if (isLogic(op)) g.flagMask &= ~AF; };
  const lock = (g: Gen, rm: unknown): number[] => (op !== 7 && typeof rm !== 'number' && g.r.int(3) === 0 ? [0xf0] : []);
  add(`${ALU[op]} Eb,Gb`, BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: lock(g, rm), size: 1, op: [op * 8], reg: g.reg(), rm, forceRex: g.r.bool() }); mask(g); });
  add(`${ALU[op]} Ev,Gv`, BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: lock(g, rm), size: g.vsize(), op: [op * 8 + 1], reg: g.reg(), rm }); mask(g); });
  add(`${ALU[op]} Gb,Eb`, BOTH, (g) => { g.emit({ size: 1, op: [op * 8 + 2], reg: g.reg(), rm: g.rm() }); mask(g); });
  add(`${ALU[op]} Gv,Ev`, BOTH, (g) => { g.emit({ size: g.vsize(), op: [op * 8 + 3], reg: g.reg(), rm: g.rm() }); mask(g); });
  add(`${ALU[op]} AL,Ib`, BOTH, (g) => { g.emit({ size: 1, op: [op * 8 + 4], noModrm: true, imm: g.imm(1) }); mask(g); });
  add(`${ALU[op]} eAX,Iz`, BOTH, (g) => { const s = g.vsize(); g.emit({ size: s, op: [op * 8 + 5], noModrm: true, imm: g.imm(s === 2 ? 2 : 4) }); mask(g); });
  add(`${ALU[op]} Eb,Ib`, BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: lock(g, rm), size: 1, op: [0x80], reg: op, rm, imm: g.imm(1) }); mask(g); });
  add(`${ALU[op]} Ev,Iz`, BOTH, (g) => { const s = g.vsize(); const rm = g.rm(); g.emit({ pfx: lock(g, rm), size: s, op: [0x81], reg: op, rm, imm: g.imm(s === 2 ? 2 : 4) }); mask(g); });
  add(`${ALU[op]} Ev,Ib`, BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: lock(g, rm), size: g.vsize(), op: [0x83], reg: op, rm, imm: g.imm(1) }); mask(g); });
}
add('test Eb,Gb', BOTH, (g) => { g.emit({ size: 1, op: [0x84], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~AF; });
add('test Ev,Gv', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x85], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~AF; });
add('test AL,Ib', BOTH, (g) => { g.emit({ size: 1, op: [0xa8], noModrm: true, imm: g.imm(1) }); g.flagMask &= ~AF; });
add('test eAX,Iz', BOTH, (g) => { const s = g.vsize(); g.emit({ size: s, op: [0xa9], noModrm: true, imm: g.imm(s === 2 ? 2 : 4) }); g.flagMask &= ~AF; });
add('test Eb,Ib', BOTH, (g) => { g.emit({ size: 1, op: [0xf6], reg: 0, rm: g.rm(), imm: g.imm(1) }); g.flagMask &= ~AF; });
add('test Ev,Iz', BOTH, (g) => { const s = g.vsize(); g.emit({ size: s, op: [0xf7], reg: 0, rm: g.rm(), imm: g.imm(s === 2 ? 2 : 4) }); g.flagMask &= ~AF; });
for (const [name, digit] of [['inc', 0], ['dec', 1]] as const) {
  add(`${name} Eb`, BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: typeof rm !== 'number' && g.r.bool() ? [0xf0] : [], size: 1, op: [0xfe], reg: digit, rm }); });
  add(`${name} Ev`, BOTH, (g) => { g.emit({ size: g.vsize(), op: [0xff], reg: digit, rm: g.rm() }); });
  add(`${name} r (40+r)`, M32, (g) => { g.emit({ size: g.vsize(), op: [0x40 + digit * 8 + g.reg()], noModrm: true }); });
}
for (const [name, digit] of [['not', 2], ['neg', 3]] as const) {
  add(`${name} Eb`, BOTH, (g) => { g.emit({ size: 1, op: [0xf6], reg: digit, rm: g.rm() }); });
  add(`${name} Ev`, BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: typeof rm !== 'number' && g.r.bool() ? [0xf0] : [], size: g.vsize(), op: [0xf7], reg: digit, rm }); });
}

/* Shifts and rotates. */
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
function shiftMask(g: Gen, op: number, size: number, count: number): void {
  const bits = size * 8;
  const c = count & (size === 8 ? 63 : 31);
  if (c === 0) return;
  if (op >= 4) {
    g.flagMask &= ~AF;
    if (c !== 1) g.flagMask &= ~OF;
    if (c >= bits) g.flagMask &= ~(CF | OF);
  } else {
    if (c !== 1) g.flagMask &= ~OF;
  }
}
for (let op = 0; op < 8; op++) {
  const count = (g: Gen): number => (g.r.int(4) === 0 ? g.r.int(256) : g.r.int(70));
  add(`${SHIFTS[op]} Eb,1`, BOTH, (g) => { g.emit({ size: 1, op: [0xd0], reg: op, rm: g.rm() }); shiftMask(g, op, 1, 1); });
  add(`${SHIFTS[op]} Ev,1`, BOTH, (g) => { const s = g.vsize(); g.emit({ size: s, op: [0xd1], reg: op, rm: g.rm() }); shiftMask(g, op, s, 1); });
  add(`${SHIFTS[op]} Eb,Ib`, BOTH, (g) => { const c = count(g); g.emit({ size: 1, op: [0xc0], reg: op, rm: g.rm(), imm: [c] }); shiftMask(g, op, 1, c); });
  add(`${SHIFTS[op]} Ev,Ib`, BOTH, (g) => { const s = g.vsize(); const c = count(g); g.emit({ size: s, op: [0xc1], reg: op, rm: g.rm(), imm: [c] }); shiftMask(g, op, s, c); });
  // The count goes in first: a memory operand based on rCX then shifts by the pointer's low byte.
  add(`${SHIFTS[op]} Eb,CL`, BOTH, (g) => { g.regs[1] = BigInt(count(g)); g.emit({ size: 1, op: [0xd2], reg: op, rm: g.rm() }); shiftMask(g, op, 1, Number(g.regs[1] & 0xffn)); });
  add(`${SHIFTS[op]} Ev,CL`, BOTH, (g) => { const s = g.vsize(); g.regs[1] = BigInt(count(g)); g.emit({ size: s, op: [0xd3], reg: op, rm: g.rm() }); shiftMask(g, op, s, Number(g.regs[1] & 0xffn)); });
}
for (const [name, opc] of [['shld', 0xa4], ['shrd', 0xac]] as const) {
  const cnt = (g: Gen, s: number): number => g.r.int(s === 2 ? 17 : s * 8);
  const mask = (g: Gen, s: number, c: number): void => { if (c !== 0) { g.flagMask &= ~AF; if (c !== 1) g.flagMask &= ~OF; } void s; };
  add(`${name} Ev,Gv,Ib`, BOTH, (g) => { const s = g.vsize(); const c = cnt(g, s); g.emit({ size: s, op: [0x0f, opc], reg: g.reg(), rm: g.rm(), imm: [c] }); mask(g, s, c); });
  add(`${name} Ev,Gv,CL`, BOTH, (g) => {
    const s = g.vsize(); const c = cnt(g, s);
    g.regs[1] = BigInt(c);
    let rm = g.rm();
    // A pointer-valued count above 16 leaves a 16-bit result undefined: use a register then.
    if (s === 2 && (Number(g.regs[1] & 0xffn) & 31) > 16) { g.regs[1] = BigInt(c); rm = 3; }
    g.emit({ size: s, op: [0x0f, opc + 1], reg: g.reg(), rm }); mask(g, s, Number(g.regs[1] & 0xffn) & (s === 8 ? 63 : 31));
  });
}

/* Multiply and divide. */
const MULMASK = SF | ZF | AF | PF;
add('mul Eb', BOTH, (g) => { g.emit({ size: 1, op: [0xf6], reg: 4, rm: g.rm() }); g.flagMask &= ~MULMASK; });
add('mul Ev', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0xf7], reg: 4, rm: g.rm() }); g.flagMask &= ~MULMASK; });
add('imul Eb', BOTH, (g) => { g.emit({ size: 1, op: [0xf6], reg: 5, rm: g.rm() }); g.flagMask &= ~MULMASK; });
add('imul Ev', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0xf7], reg: 5, rm: g.rm() }); g.flagMask &= ~MULMASK; });
add('imul Gv,Ev', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x0f, 0xaf], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~MULMASK; });
add('imul Gv,Ev,Iz', BOTH, (g) => { const s = g.vsize(); g.emit({ size: s, op: [0x69], reg: g.reg(), rm: g.rm(), imm: g.imm(s === 2 ? 2 : 4) }); g.flagMask &= ~MULMASK; });
add('imul Gv,Ev,Ib', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x6b], reg: g.reg(), rm: g.rm(), imm: g.imm(1) }); g.flagMask &= ~MULMASK; });
for (const [name, digit] of [['div', 6], ['idiv', 7]] as const) {
  const setup = (g: Gen, s: number): void => {
    // Half the time make the quotient fit: a small high half of the dividend.
    if (g.r.bool()) g.regs[2] = g.r.bool() ? 0n : BigInt.asUintN(64, -1n);
    if (g.r.int(4) === 0 && s === 1) g.regs[0] = BigInt(g.r.int(256));
    void s;
  };
  add(`${name} Eb`, BOTH, (g) => { setup(g, 1); g.emit({ size: 1, op: [0xf6], reg: digit, rm: g.rm() }); g.flagMask &= ~ARITH; });
  add(`${name} Ev`, BOTH, (g) => { const s = g.vsize(); setup(g, s); let rm = g.rm(); if (rm === 0 || rm === 2) rm = 3; g.emit({ size: s, op: [0xf7], reg: digit, rm }); g.flagMask &= ~ARITH; });
}

/* Bit operations. */
const BTMASK = OF | SF | AF | PF;
['bt', 'bts', 'btr', 'btc'].forEach((name, i) => {
  add(`${name} Ev,Gv`, BOTH, (g) => {
    const s = g.vsize();
    if (g.r.bool()) { g.emit({ size: s, op: [0x0f, 0xa3 + i * 8], reg: g.reg(), rm: g.reg() }); g.flagMask &= ~BTMASK; return; }
    // Memory form: [rbx + disp8] with a small signed bit offset in rdx.
    g.regs[3] = g.dataPtr();
    g.regs[2] = BigInt.asUintN(64, BigInt(g.r.int(1024) - 512));
    const m = { mod: 1, rm: 3, sib: [], disp: [g.r.int(256)], rexX: 0, rexB: 0 };
    g.emit({ pfx: i > 0 && g.r.bool() ? [0xf0] : [], size: s, op: [0x0f, 0xa3 + i * 8], reg: 2, rm: m });
    g.flagMask &= ~BTMASK;
  });
  add(`${name} Ev,Ib`, BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x0f, 0xba], reg: 4 + i, rm: g.rm(), imm: [g.r.int(256)] }); g.flagMask &= ~BTMASK; });
});
add('bsf Gv,Ev', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x0f, 0xbc], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~(CF | OF | SF | AF | PF); });
add('bsr Gv,Ev', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x0f, 0xbd], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~(CF | OF | SF | AF | PF); });
add('tzcnt Gv,Ev', BOTH, (g) => { g.emit({ pfx: [0xf3], size: g.vsize(), op: [0x0f, 0xbc], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~(OF | SF | AF | PF); });
add('lzcnt Gv,Ev', BOTH, (g) => { g.emit({ pfx: [0xf3], size: g.vsize(), op: [0x0f, 0xbd], reg: g.reg(), rm: g.rm() }); g.flagMask &= ~(OF | SF | AF | PF); });
add('popcnt Gv,Ev', BOTH, (g) => { g.emit({ pfx: [0xf3], size: g.vsize(), op: [0x0f, 0xb8], reg: g.reg(), rm: g.rm() }); });
add('bswap r', BOTH, (g) => { const r = g.reg(); g.emit({ size: g.r.pick(g.mode === 64 ? [4, 8] : [4]), op: [0x0f, 0xc8 + (r & 7)], noModrm: true, rexB: r >> 3 }); });

/* Moves. */
add('mov Eb,Gb', BOTH, (g) => g.emit({ size: 1, op: [0x88], reg: g.reg(), rm: g.rm(), forceRex: g.r.bool() }));
add('mov Ev,Gv', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x89], reg: g.reg(), rm: g.rm() }));
add('mov Gb,Eb', BOTH, (g) => g.emit({ size: 1, op: [0x8a], reg: g.reg(), rm: g.rm() }));
add('mov Gv,Ev', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x8b], reg: g.reg(), rm: g.rm() }));
add('mov Eb,Ib', BOTH, (g) => g.emit({ size: 1, op: [0xc6], reg: 0, rm: g.rm(), imm: g.imm(1) }));
add('mov Ev,Iz', BOTH, (g) => { const s = g.vsize(); g.emit({ size: s, op: [0xc7], reg: 0, rm: g.rm(), imm: g.imm(s === 2 ? 2 : 4) }); });
add('mov r8,Ib (B0+r)', BOTH, (g) => { const r = g.reg(); g.emit({ size: 1, op: [0xb0 + (r & 7)], noModrm: true, rexB: r >> 3, imm: g.imm(1), forceRex: g.r.bool() }); });
add('mov r,Iv (B8+r)', BOTH, (g) => { const r = g.reg(); const s = g.vsize(); g.emit({ size: s, op: [0xb8 + (r & 7)], noModrm: true, rexB: r >> 3, imm: g.imm(s) }); });
add('mov AL/eAX,moffs', BOTH, (g) => {
  const s = g.r.pick([1, 2, 4]); const a = 0x100400 + g.r.int(0x1000);
  g.emit({ size: s === 1 ? 1 : s, op: [s === 1 ? 0xa0 : 0xa1], noModrm: true, imm: g.mode === 64 ? [...le(a, 4), 0, 0, 0, 0] : le(a, 4) });
});
add('mov moffs,AL/eAX', BOTH, (g) => {
  const s = g.r.pick([1, 2, 4]); const a = 0x100400 + g.r.int(0x1000);
  g.emit({ size: s === 1 ? 1 : s, op: [s === 1 ? 0xa2 : 0xa3], noModrm: true, imm: g.mode === 64 ? [...le(a, 4), 0, 0, 0, 0] : le(a, 4) });
});
add('movzx Gv,Eb', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0xb6], reg: g.reg(), rm: g.rm() }));
add('movzx Gv,Ew', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0xb7], reg: g.reg(), rm: g.rm() }));
add('movsx Gv,Eb', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0xbe], reg: g.reg(), rm: g.rm() }));
add('movsx Gv,Ew', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0xbf], reg: g.reg(), rm: g.rm() }));
add('movsxd Gv,Ed', M64, (g) => g.emit({ size: g.r.pick([4, 8]), op: [0x63], reg: g.reg(), rm: g.rm() }));
add('lea Gv,M', BOTH, (g) => {
  // No memory access: any ModRM/SIB/displacement, with 66 and 67 prefixes.
  const r = g.r;
  const b: number[] = [];
  if (r.bool()) b.push(0x67);
  const s = g.vsize();
  if (s === 2) b.push(0x66);
  if (g.mode === 64) b.push(0x40 | (s === 8 ? 8 : 0) | r.int(8));
  const mod = r.int(3), rm = r.int(8);
  b.push(0x8d, (mod << 6) | (r.int(8) << 3) | rm);
  for (let i = 0; i < 6; i++) b.push(r.int(256)); // enough bytes for SIB + disp32; trailing ones decode as code
  g.bytes.push(...b.slice(0, b.length - 6));
  // Let the real decoder lengths sort it out: append exactly what this encoding consumes.
  const a16 = g.mode === 32 && b[0] === 0x67;
  let extra = 0;
  if (a16) extra = mod === 1 ? 1 : mod === 2 || (mod === 0 && rm === 6) ? 2 : 0;
  else {
    if (rm === 4) extra += 1;
    const sibBase = b[b.length - 6] & 7;
    if (mod === 1) extra += 1;
    else if (mod === 2 || (mod === 0 && rm === 5) || (mod === 0 && rm === 4 && sibBase === 5)) extra += 4;
  }
  g.bytes.push(...b.slice(b.length - 6, b.length - 6 + extra));
});
add('xchg Eb,Gb', BOTH, (g) => g.emit({ size: 1, op: [0x86], reg: g.reg(), rm: g.rm() }));
add('xchg Ev,Gv', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x87], reg: g.reg(), rm: g.rm() }));
add('xchg eAX,r (90+r)', BOTH, (g) => { const r = g.reg(); g.emit({ size: g.vsize(), op: [0x90 + (r & 7)], noModrm: true, rexB: r >> 3 }); });
add('cmpxchg Eb,Gb', BOTH, (g) => { const rm = g.rm(); if (g.r.bool()) g.regs[0] = g.regs[typeof rm === 'number' ? rm : 0]; g.emit({ pfx: typeof rm !== 'number' && g.r.bool() ? [0xf0] : [], size: 1, op: [0x0f, 0xb0], reg: g.reg(), rm }); });
add('cmpxchg Ev,Gv', BOTH, (g) => { const rm = g.rm(); if (g.r.bool() && typeof rm === 'number') g.regs[0] = g.regs[rm]; g.emit({ pfx: typeof rm !== 'number' && g.r.bool() ? [0xf0] : [], size: g.vsize(), op: [0x0f, 0xb1], reg: g.reg(), rm }); });
add('cmpxchg8b M', BOTH, (g) => {
  // [rbx + disp8]; half the time rDX:rAX = 0 so that data with zero words can match.
  g.regs[3] = g.dataPtr();
  if (g.r.bool()) { g.regs[0] = 0n; g.regs[2] = 0n; }
  g.emit({ pfx: g.r.bool() ? [0xf0] : [], size: 4, op: [0x0f, 0xc7], reg: 1, rm: { mod: 1, rm: 3, sib: [], disp: [g.r.int(256)], rexX: 0, rexB: 0 } });
});
add('cmpxchg16b M', M64, (g) => {
  g.regs[3] = g.dataPtr() & ~15n;
  if (g.r.int(4) === 0) g.regs[3] += 8n; // misaligned: #GP
  const rmb = 3;
  g.emit({ pfx: g.r.bool() ? [0xf0] : [], size: 8, op: [0x0f, 0xc7], reg: 1, rm: { mod: 0, rm: rmb, sib: [], disp: [], rexX: 0, rexB: 0 } });
});
add('xadd Eb,Gb', BOTH, (g) => { const rm = g.rm(); g.emit({ pfx: typeof rm !== 'number' && g.r.bool() ? [0xf0] : [], size: 1, op: [0x0f, 0xc0], reg: g.reg(), rm }); });
add('xadd Ev,Gv', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0xc1], reg: g.reg(), rm: g.rm() }));
add('movbe Gv,M', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0x38, 0xf0], reg: g.reg(), rm: g.mem() }));
add('movbe M,Gv', BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0x38, 0xf1], reg: g.reg(), rm: g.mem() }));
for (let cc = 0; cc < 16; cc++) {
  add(`set${cc.toString(16)} Eb`, BOTH, (g) => g.emit({ size: 1, op: [0x0f, 0x90 + cc], reg: 0, rm: g.rm() }));
  add(`cmov${cc.toString(16)} Gv,Ev`, BOTH, (g) => g.emit({ size: g.vsize(), op: [0x0f, 0x40 + cc], reg: g.reg(), rm: g.rm() }));
  add(`j${cc.toString(16)} rel8`, BOTH, (g) => { g.bytes.push(0x70 + cc, 2, 0xff, 0xc1); });
  add(`j${cc.toString(16)} rel32`, BOTH, (g) => { g.bytes.push(0x0f, 0x80 + cc, 2, 0, 0, 0, 0xff, 0xc1); });
}

/* Control transfer. */
const stubAfter = (g: Gen, extra: number): number => CODE_ADDR + g.bytes.length + extra;
add('jmp rel8/rel32', BOTH, (g) => { if (g.r.bool()) g.bytes.push(0xeb, 2, 0xff, 0xc1); else g.bytes.push(0xe9, 2, 0, 0, 0, 0xff, 0xc1); });
add('call rel32', BOTH, (g) => { g.bytes.push(0xe8, 2, 0, 0, 0, 0xff, 0xc1); });
add('jmp Ev (reg)', BOTH, (g) => { const r = g.r.pick([0, 1, 2, 3, 5, 6, 7]); g.regs[r] = BigInt(stubAfter(g, 2)); g.emit({ size: 4, op: [0xff], reg: 4, rm: r === 4 ? 0 : r }); });
add('call Ev (reg)', BOTH, (g) => { const r = g.r.pick([0, 1, 2, 3, 5, 6, 7]); g.regs[r] = BigInt(stubAfter(g, 2)); g.emit({ size: 4, op: [0xff], reg: 2, rm: r }); });
add('ret', BOTH, (g) => { g.bytes.push(0x68, ...le(stubAfter(g, 6), 4), 0xc3); });
add('ret Iw', BOTH, (g) => { const n = g.r.int(64); g.bytes.push(0x68, ...le(stubAfter(g, 8), 4), 0xc2, n, 0); });
add('loop/loope/loopne/jrcxz', BOTH, (g) => {
  const op = 0xe0 + g.r.int(4);
  g.regs[1] = g.r.bool() ? BigInt(g.r.int(3)) : randVal(g.r);
  if (g.r.int(3) === 0) g.bytes.push(0x67);
  g.bytes.push(op, 2, 0xff, 0xc2);
});
add('retf (same mode)', BOTH, (g) => {
  const sel = g.mode === 64 ? 0x33 : 0x23;
  if (g.mode === 64) g.bytes.push(0x6a, sel, 0x68, ...le(stubAfter(g, 9), 4), 0x48, 0xcb);
  else g.bytes.push(0x6a, sel, 0x68, ...le(stubAfter(g, 8), 4), 0xcb);
});
add('jmp/call far ptr16:32', M32, (g) => { const call = g.r.bool(); g.bytes.push(call ? 0x9a : 0xea, ...le(stubAfter(g, 7), 4), 0x23, 0); });
add('jmp/call far m16:32', BOTH, (g) => {
  const sel = g.mode === 64 ? 0x33 : 0x23;
  g.regs[3] = g.dataPtr();
  // mov dword [rbx], stub ; mov word [rbx+4], sel ; jmp/call far [rbx]
  const call = g.r.bool();
  g.bytes.push(0xc7, 0x03, ...le(stubAfter(g, 6 + 6 + 2), 4));
  g.bytes.push(0x66, 0xc7, 0x43, 4, sel, 0);
  g.bytes.push(0xff, call ? 0x1b : 0x2b);
});

/* Stack. */
add('push r (50+r)', BOTH, (g) => { const r = g.reg(); g.emit({ size: g.r.int(4) === 0 ? 2 : 4, op: [0x50 + (r & 7)], noModrm: true, rexB: r >> 3 }); });
add('pop r (58+r)', BOTH, (g) => { const r = g.reg(); g.emit({ size: g.r.int(4) === 0 ? 2 : 4, op: [0x58 + (r & 7)], noModrm: true, rexB: r >> 3 }); });
add('push Ev', BOTH, (g) => g.emit({ size: g.r.int(4) === 0 ? 2 : 4, op: [0xff], reg: 6, rm: g.rm() }));
add('pop Ev', BOTH, (g) => g.emit({ size: g.r.int(4) === 0 ? 2 : 4, op: [0x8f], reg: 0, rm: g.rm() }));
add('push Ib/Iz', BOTH, (g) => { if (g.r.bool()) g.emit({ size: 4, op: [0x6a], noModrm: true, imm: g.imm(1) }); else { const s = g.r.int(4) === 0 ? 2 : 4; g.emit({ size: s, op: [0x68], noModrm: true, imm: g.imm(s) }); } });
add('pushf/popf', BOTH, (g) => {
  // Only flags user code may change, and never TF/AC (they would trap).
  if (g.r.bool()) { g.bytes.push(...(g.r.int(4) === 0 ? [0x66] : []), 0x9c); return; }
  const v = (g.r.u32() & (ARITH | 0x400 | 0x200000 | 0x4000 | 0x3000 | 0x200)) >>> 0;
  if (g.mode === 32) g.bytes.push(0x68, ...le(v, 4), 0x9d);
  else g.bytes.push(0x68, ...le(v, 4), 0x9d);
});
add('pusha/popa', M32, (g) => { g.bytes.push(...(g.r.int(3) === 0 ? [0x66] : []), g.r.bool() ? 0x60 : 0x61); });
add('enter/leave', BOTH, (g) => {
  g.regs[5] = BigInt(STACK_ADDR + 0x900 + g.r.int(0x100));
  if (g.r.bool()) g.bytes.push(...(g.r.int(4) === 0 ? [0x66] : []), 0xc9);
  else g.bytes.push(...(g.r.int(4) === 0 ? [0x66] : []), 0xc8, g.r.int(256), g.r.int(2), g.r.int(6));
});
add('push/pop seg', M32, (g) => { g.bytes.push(g.r.pick([0x06, 0x0e, 0x16, 0x1e])); });
add('mov Sreg,Ew / mov Ew,Sreg', BOTH, (g) => {
  // A null DS/ES in compatibility mode faults on the next access (our CPU does not model that yet).
  if (g.r.bool()) { g.regs[0] = g.mode === 64 && g.r.bool() ? 0n : 0x2bn; g.bytes.push(0x8e, 0xc0 | (g.r.pick([0, 3]) << 3)); }
  else g.emit({ size: g.r.pick([2, 4]), op: [0x8c], reg: g.r.pick([0, 1, 2, 3]), rm: g.rm() });
});

/* Strings. */
const STR = [[0xa4, 'movs'], [0xa6, 'cmps'], [0xaa, 'stos'], [0xac, 'lods'], [0xae, 'scas']] as const;
for (const [op, name] of STR) {
  add(`${name}`, BOTH, (g) => {
    const r = g.r;
    g.regs[6] = g.dataPtr();
    g.regs[7] = g.dataPtr();
    g.regs[1] = BigInt(r.int(24));
    if (r.int(4) === 0) g.regs[1] |= 0xffff0000n; // only CX counts with a 16-bit address size... not used here
    g.regs[1] &= 0xffffn;
    const pfx: number[] = [];
    const rep = r.int(3);
    if (rep === 1) pfx.push(0xf3); else if (rep === 2) pfx.push(0xf2);
    if (g.mode === 32 && r.int(3) === 0) pfx.push(r.pick([0x26, 0x2e, 0x36, 0x3e]));
    if (g.mode === 64 && r.int(4) === 0) { pfx.push(0x67); }
    if (rep !== 0 && g.regs[1] > 20n) g.regs[1] = 20n;
    const wide = r.int(4);
    g.emit({ pfx, size: wide === 0 ? 1 : g.vsize(), op: [wide === 0 ? op : op + 1], noModrm: true });
  });
}
add('xlat', BOTH, (g) => { g.regs[3] = g.dataPtr(); g.bytes.push(0xd7); });

/* Flags and conversions. */
add('lahf/sahf', BOTH, (g) => { g.bytes.push(g.r.bool() ? 0x9e : 0x9f); });
{
  const op = cycle([0xf8, 0xf9, 0xf5, 0xfc, 0xfd]);
  add('clc/stc/cmc/cld/std', BOTH, (g) => { g.bytes.push(op()); });
}
add('cbw/cwde/cdqe', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x98], noModrm: true }); });
add('cwd/cdq/cqo', BOTH, (g) => { g.emit({ size: g.vsize(), op: [0x99], noModrm: true }); });

/* BCD (legacy modes). */
add('daa/das', M32, (g) => { g.bytes.push(g.r.bool() ? 0x27 : 0x2f); g.flagMask &= ~OF; });
add('aaa/aas', M32, (g) => { g.bytes.push(g.r.bool() ? 0x37 : 0x3f); g.flagMask &= ~(OF | SF | ZF | PF); });
add('aam', M32, (g) => { g.bytes.push(0xd4, g.r.int(4) === 0 ? 0 : g.r.int(256)); g.flagMask &= ~(OF | AF | CF); });
add('aad', M32, (g) => { g.bytes.push(0xd5, g.r.int(256)); g.flagMask &= ~(OF | AF | CF); });

/* Hints, fences, no-ops. */
add('nop/pause/nop Ev', BOTH, (g) => {
  switch (g.r.int(3)) {
    case 0: g.bytes.push(0x90); break;
    case 1: g.bytes.push(0xf3, 0x90); break;
    default: g.emit({ size: g.r.pick([2, 4]), op: [0x0f, 0x1f], reg: 0, rm: g.rm() });
  }
});
add('prefetch/fence/clflush', BOTH, (g) => {
  switch (g.r.int(4)) {
    case 0: g.emit({ size: 4, op: [0x0f, 0x18], reg: g.r.int(4), rm: g.mem() }); break;
    case 1: g.bytes.push(0x0f, 0xae, g.r.pick([0xe8, 0xf0, 0xf8])); break;
    case 2: g.emit({ size: 4, op: [0x0f, 0x0d], reg: 1, rm: g.mem() }); break;
    default: g.emit({ size: 4, op: [0x0f, 0xae], reg: 7, rm: g.mem() });
  }
});

/* Faults. */
add('ud2 / invalid in 64-bit', BOTH, (g) => {
  if (g.mode === 64 && g.r.bool()) g.bytes.push(g.r.pick([0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xd4, 0xd5, 0xd6, 0xce]));
  else g.bytes.push(0x0f, 0x0b);
});
add('lock on non-lockable / register', BOTH, (g) => {
  if (g.r.bool()) g.emit({ pfx: [0xf0], size: 4, op: [0x8b], reg: g.reg(), rm: g.mem() });
  else g.emit({ pfx: [0xf0], size: 4, op: [0x01], reg: g.reg(), rm: g.reg() });
});
{
  // Cycled, not picked: each of the nine must run in every run (the coverage check).
  const priv = cycle([0xf4, 0xfa, 0xfb, 0xe4, 0xe6, 0xec, 0xee, 0x6c, 0x6e]);
  add('privileged at CPL3 (hlt cli sti in out ins outs)', BOTH, (g) => {
    const op = priv();
    g.bytes.push(...(op === 0x6c || op === 0x6e ? g.r.pick([[], [0xf3], [0x66]]) : []), op);
    if (op === 0xe4 || op === 0xe6) g.bytes.push(0x80);
  });
}
add('int3 / into', BOTH, (g) => {
  if (g.mode === 32 && g.r.bool()) g.bytes.push(0xce); else g.bytes.push(0xcc);
});

/* BMI1 / BMI2 / ADX (VEX encodings). */
function vex(g: Gen, map: number, pp: number, w: boolean, vreg: number, opc: number, reg: number, rm: number | ReturnType<Gen['mem']>, imm?: number[]): void {
  const lm = g.mode === 64;
  let rexR = reg >> 3, rexX = 0, rexB = 0;
  let modrm: number[];
  let rip = false;
  if (typeof rm === 'number') { rexB = rm >> 3; modrm = [0xc0 | ((reg & 7) << 3) | (rm & 7)]; }
  else { rexX = rm.rexX; rexB = rm.rexB; modrm = [(rm.mod << 6) | ((reg & 7) << 3) | rm.rm, ...rm.sib, ...rm.disp]; rip = rm.mod === 0 && rm.rm === 5; }
  if (!lm) { rexR = 0; }
  const b1 = ((rexR ? 0 : 0x80) | (rexX ? 0 : 0x40) | (rexB ? 0 : 0x20) | map);
  const b2 = (w ? 0x80 : 0) | ((~vreg & 15) << 3) | pp;
  const bytes = [0xc4, b1, b2, opc, ...modrm, ...(imm ?? [])];
  if (rip) {
    const at = bytes.length - (imm?.length ?? 0) - 4;
    const v = 0x100400 + g.r.int(0x1000) - (CODE_ADDR + g.bytes.length + bytes.length);
    bytes[at] = v & 0xff; bytes[at + 1] = (v >> 8) & 0xff; bytes[at + 2] = (v >> 16) & 0xff; bytes[at + 3] = (v >>> 24) & 0xff;
  }
  g.bytes.push(...bytes);
}
/** A register other than rSP (whose value the test fixes). */
const nonSp = (g: Gen): number => { const v = g.reg(); return v === 4 ? 2 : v; };
const vw = (g: Gen): boolean => g.mode === 64 && g.r.bool();
add('andn', BOTH, (g) => { vex(g, 2, 0, vw(g), g.reg(), 0xf2, g.reg(), g.rm()); g.flagMask &= ~(AF | PF); });
add('blsr/blsmsk/blsi', BOTH, (g) => { vex(g, 2, 0, vw(g), g.reg(), 0xf3, 1 + g.r.int(3), g.rm()); g.flagMask &= ~(AF | PF); });
add('bextr', BOTH, (g) => { const v = nonSp(g); g.regs[v] = BigInt(g.r.int(0x4848)); vex(g, 2, 0, vw(g), v, 0xf7, g.reg(), g.rm()); g.flagMask &= ~(AF | SF | PF); });
add('bzhi', BOTH, (g) => { const v = nonSp(g); if (g.r.bool()) g.regs[v] = BigInt(g.r.int(80)); vex(g, 2, 0, vw(g), v, 0xf5, g.reg(), g.rm()); g.flagMask &= ~(AF | PF); });
add('pdep/pext', BOTH, (g) => { vex(g, 2, g.r.bool() ? 3 : 2, vw(g), g.reg(), 0xf5, g.reg(), g.rm()); });
add('mulx', BOTH, (g) => { vex(g, 2, 3, vw(g), g.reg(), 0xf6, g.reg(), g.rm()); });
add('shlx/sarx/shrx', BOTH, (g) => { vex(g, 2, 1 + g.r.int(3), vw(g), g.reg(), 0xf7, g.reg(), g.rm()); });
add('rorx', BOTH, (g) => { vex(g, 3, 3, vw(g), 0, 0xf0, g.reg(), g.rm(), [g.r.int(256)]); });
add('adcx/adox', BOTH, (g) => { const ox = g.r.bool(); g.emit({ pfx: ox ? [0xf3] : [0x66], size: g.mode === 64 && g.r.bool() ? 8 : 4, op: [0x0f, 0x38, 0xf6], reg: g.reg(), rm: g.rm() }); });

/* Prefix interplay: redundant prefixes, REX followed by a legacy prefix (REX ignored), segment overrides. */
add('prefix mixes', BOTH, (g) => {
  const r = g.r;
  const pfx: number[] = [];
  for (let i = r.int(4); i > 0; i--) pfx.push(r.pick([0x2e, 0x3e, 0x26, 0x36, 0x66, 0x66]));
  if (g.mode === 64 && r.bool()) { pfx.push(0x40 | r.int(16)); if (r.bool()) pfx.push(0x66); }
  g.bytes.push(...pfx, r.pick([0x01, 0x29, 0x31, 0x89, 0x8b, 0x39]), 0xc0 | r.int(64));
});

export function allForms(): Form[] {
  return forms;
}

/*
 * Self-modifying code: a loop runs `mov al, imm8` once, patches that immediate through a data
 * write to the code page, and runs it again.  Our CPU must drop its cached decode of the page.
 */
add('self-modifying code', BOTH, (g) => {
  const r = g.r;
  g.regs[2] = 0n; // loop counter
  g.regs[1] = 0n;
  const start = CODE_ADDR + g.bytes.length;
  const patched = start + 1; // the imm8 of mov al, imm8
  const body = [0xb0, r.int(256), 0x01, 0xc1, 0xff, 0xc2, 0x83, 0xfa, 0x02];
  // jae done (skips the patch and the jmp back): patch is 7 (64-bit rip-rel) or 7 (absolute) bytes, jmp 2.
  const patchLen = 7, jmpLen = 2;
  const code = [...body, 0x73, patchLen + jmpLen];
  const patchAt = start + code.length;
  if (g.mode === 64) {
    const disp = patched - (patchAt + patchLen);
    code.push(0xc6, 0x05, ...[0, 8, 16, 24].map((s) => (disp >> s) & 0xff), r.int(256));
  } else {
    code.push(0xc6, 0x05, ...[0, 8, 16, 24].map((s) => (patched >>> s) & 0xff), r.int(256));
  }
  const jmpAt = start + code.length;
  code.push(0xeb, (start - (jmpAt + 2)) & 0xff);
  g.bytes.push(...code);
});

/*
 * PUSH FS/GS and POP GS (0F A0/A8/A9), in both modes (both selectors are 0 on both sides).
 * POP FS is left out: reloading FS would clear the harness's TLS base.
 */
add('push fs/gs, pop gs', BOTH, (g) => {
  const p = g.r.int(4) === 0 ? [0x66] : [];
  if (g.r.bool()) g.bytes.push(...p, 0x0f, g.r.pick([0xa0, 0xa8]));
  else g.bytes.push(...p, 0x0f, 0xa8, ...p, 0x0f, 0xa9);
});

/* The 15-byte limit: redundant prefixes before a NOP; a 16-byte instruction raises #GP. */
add('instruction length limit', BOTH, (g) => {
  const n = 12 + g.r.int(5); // 13..16 bytes with the NOP
  for (let i = 0; i < n - 1; i++) g.bytes.push(g.r.pick([0x2e, 0x3e, 0x66, 0x26]));
  g.bytes.push(0x90);
});

/*
 * Lazy flags across instructions: a flag producer (register operands, every size) followed by a
 * consumer that reads the flags it left (SETcc, Jcc, CMOVcc, ADC/SBB, RCL/RCR, LAHF, PUSHF).
 * Producers are limited to instances whose consumed flags are all defined, and leave rSP alone
 * (PUSHF needs the stack).
 */
function producer(g: Gen): { logic: boolean } {
  const r = g.r;
  const s = r.pick(g.mode === 64 ? [1, 2, 4, 8] : [1, 2, 4]);
  const k = r.int(7);
  if (k <= 2) { // ALU reg, reg / reg, imm
    const op = r.int(8);
    if (r.bool()) g.emit({ size: s, op: [op * 8 + (s === 1 ? 0 : 1)], reg: g.reg(), rm: nonSp(g) });
    else g.emit({ size: s, op: [s === 1 ? 0x80 : 0x83], reg: op, rm: nonSp(g), imm: g.imm(1) });
    return { logic: op === 1 || op === 4 || op === 6 };
  }
  if (k === 3) { g.emit({ size: s, op: [s === 1 ? 0xfe : 0xff], reg: r.int(2), rm: nonSp(g) }); return { logic: false }; }
  if (k === 4) { g.emit({ size: s, op: [s === 1 ? 0xf6 : 0xf7], reg: 3, rm: nonSp(g) }); return { logic: false }; }
  if (k === 5) { g.emit({ size: s, op: [s === 1 ? 0xd0 : 0xd1], reg: r.pick([4, 5, 7]), rm: nonSp(g) }); return { logic: true }; }
  g.emit({ size: s, op: [s === 1 ? 0x84 : 0x85], reg: g.reg(), rm: nonSp(g) });
  return { logic: true };
}
add('flags: producer then consumer', BOTH, (g) => {
  const { logic } = producer(g);
  const r = g.r;
  switch (r.int(logic ? 6 : 8)) {
    case 0: g.emit({ size: 1, op: [0x0f, 0x90 + r.int(16)], reg: 0, rm: g.reg() }); break;
    case 1: g.bytes.push(0x70 + r.int(16), 2, 0xff, 0xc1); break;
    case 2: g.emit({ size: g.vsize(), op: [0x0f, 0x40 + r.int(16)], reg: g.reg(), rm: g.reg() }); break;
    case 3: g.emit({ size: g.vsize(), op: [r.pick([0x11, 0x19])], reg: g.reg(), rm: g.reg() }); break;
    case 4: g.emit({ size: g.vsize(), op: [0xd1], reg: r.pick([2, 3]), rm: g.reg() }); g.flagMask &= ~OF; break;
    case 5: g.bytes.push(0x0f, 0x92 + r.int(2), 0xc0 + r.int(8)); break; // setb/setae
    case 6: g.bytes.push(0x9f); break; // lahf
    default: g.bytes.push(0x9c); break; // pushf
  }
  if (logic) g.flagMask &= ~AF;
}, 5);

/* POP ES/SS/DS (legacy modes) and LSS/LDS/LES with the flat data selector read from memory. */
add('push seg / pop es ss ds', M32, (g) => {
  g.bytes.push(g.r.pick([0x06, 0x16, 0x1e]), g.r.pick([0x07, 0x17, 0x1f]));
});
add('lds/les/lss from memory', M32, (g) => {
  g.regs[3] = g.dataPtr();
  const off = g.r.u32();
  // mov dword [ebx], off; mov word [ebx+4], 0x2b; then lds/les/lss reg, [ebx]
  g.bytes.push(0xc7, 0x03, ...[0, 8, 16, 24].map((s) => (off >>> s) & 0xff), 0x66, 0xc7, 0x43, 4, 0x2b, 0);
  const reg = g.r.pick([0, 1, 2, 5, 6, 7]);
  const k = g.r.int(3);
  if (k === 0) g.bytes.push(0xc5, (reg << 3) | 3);
  else if (k === 1) g.bytes.push(0xc4, (reg << 3) | 3);
  else g.bytes.push(0x0f, 0xb2, (reg << 3) | 3);
});

/* Segment loads that must fault at CPL 3: kernel (DPL 0) selectors, selectors past the GDT, LDT selectors. */
add('mov ds/es, kernel or bad selector', BOTH, (g) => {
  g.regs[0] = BigInt(g.r.pick([0x08, 0x10, 0x18, 0x1b, 0x80, 0x83, 0xfffb, 0x2f, 0x23]));
  g.bytes.push(0x8e, 0xc0 | (g.r.pick([0, 3]) << 3));
});

/* A null DS/ES in compatibility mode: the next access through it raises #GP. */
add('null segment use', M32, (g) => {
  g.regs[0] = BigInt(g.r.pick([0, 1, 2, 3]));
  g.regs[3] = g.dataPtr();
  g.regs[6] = g.dataPtr();
  g.regs[7] = g.dataPtr();
  const es = g.r.bool();
  g.bytes.push(0x8e, es ? 0xc0 : 0xd8);                       // mov es/ds, ax
  if (es) g.bytes.push(0xaa);                                 // stosb
  else g.bytes.push(...g.r.pick([[0x8b, 0x0b], [0xac], [0xd7], [0xa1, 0x00, 0x10, 0x10, 0x00]])); // mov ecx,[ebx] / lodsb / xlat / mov eax,[moffs]
});

/*
 * Every shift count: for each shift/rotate op, each operand size and each imm8 count 0..size*8+1
 * (plus 0xff), on a register and on memory; flags as the SDM defines them for that count.
 */
for (let op = 0; op < 8; op++) {
  let k = 0;
  add(`${SHIFTS[op]} every count`, BOTH, (g) => {
    const sizes = g.mode === 64 ? [1, 2, 4, 8] : [1, 2, 4];
    const i = k++;
    const s = sizes[i % sizes.length];
    const n = s * 8 + 3;
    const step = Math.floor(i / sizes.length) % n;
    const c = step === n - 1 ? 0xff : step;
    g.emit({ size: s, op: [s === 1 ? 0xc0 : 0xc1], reg: op, rm: i % 7 === 0 ? g.mem() : g.reg(), imm: [c] });
    shiftMask(g, op, s, c);
  }, 5);
}

/* CPUID, RDTSC, RDTSCP: the outputs are the host's (not compared); faults, other registers and zero-extension are. */
add('cpuid', BOTH, (g) => {
  g.regs[0] = BigInt(g.r.pick([0, 1, 7, 0x80000000, 0x80000001]));
  g.regs[1] = 0n;
  g.bytes.push(0x0f, 0xa2);
  g.regMask = 0xf; // rAX rCX rDX rBX
});
add('rdtsc/rdtscp', BOTH, (g) => {
  if (g.r.bool()) { g.bytes.push(0x0f, 0x31); g.regMask = 0x5; } else { g.bytes.push(0x0f, 0x01, 0xf9); g.regMask = 0x7; }
});
/* SALC (D6, legacy modes): AL = CF ? 0xff : 0. */
add('salc', M32, (g) => { g.bytes.push(0xd6); });
/*
 * INT n reaches a DPL-0 gate of Linux's IDT (#GP on the INT); INT 3 / INT 4 trap.  (ICEBP, F1, is
 * left out: tsqemu makes it #UD as QEMU 7.2 TCG does, where the host traps.)
 */
add('int n', BOTH, (g) => {
  if (g.r.int(3) === 0) g.bytes.push(0xcd, 3);
  else g.bytes.push(0xcd, g.r.pick([0, 1, 3, 4, 5, 6, 13, 14, 0x21, 0x81, 0xff]));
});
/*
 * String instructions with a GS override (base 0) in 64-bit mode.  (16-bit addresses cannot be
 * compared: they reach below 64 KiB, where the host maps nothing and our test machine has RAM.)
 */
add('string gs override', M64, (g) => {
  const op = g.r.pick([0xa4, 0xa6, 0xaa, 0xac, 0xae]);
  g.regs[1] = BigInt(g.r.int(4));
  g.regs[6] = g.dataPtr();
  g.regs[7] = g.dataPtr();
  const pfx = [0x65];
  if (g.r.bool()) pfx.push(0xf3);
  g.emit({ pfx, size: g.r.int(3) === 0 ? 1 : g.vsize(), op: [op | (g.r.bool() ? 1 : 0)], noModrm: true });
});
/* LSS / LGS in 64-bit mode (LDS/LES are invalid there). */
add('lss/lgs from memory', M64, (g) => {
  g.regs[3] = g.dataPtr();
  const off = g.r.u32();
  // mov dword [rbx], off; mov word [rbx+4], 0x2b; mov word [rbx+8], 0x2b (the m16:64 form's selector)
  g.bytes.push(0xc7, 0x03, ...le(off, 4), 0x66, 0xc7, 0x43, 4, 0x2b, 0, 0x66, 0xc7, 0x43, 8, 0x2b, 0);
  const reg = g.r.pick([0, 1, 2, 5, 6, 7]);
  // (No REX.W: AMD hosts ignore it for LSS/LFS/LGS where Intel, like QEMU and us, loads an m16:64.)
  g.bytes.push(0x0f, g.r.bool() ? 0xb2 : 0xb5, (reg << 3) | 3);
});

/*
 * REP MOVS / REP STOS over long runs (up to the whole 8 KiB data region, so page crossings and more
 * than one REP chunk), forwards and backwards, with overlapping source and destination.
 */
add('rep movs/stos long', BOTH, (g) => {
  const r = g.r;
  const size = r.pick(g.mode === 64 ? [1, 2, 4, 8] : [1, 2, 4]);
  const movs = r.bool();
  const back = r.bool();
  const n = 1 + r.int(r.bool() ? 24 : 0x2000 / size - 1);
  const span = n * size;
  const place = (): number => DATA_ADDR + r.int(0x2000 - span + 1);
  const dLo = place();
  let sLo = r.bool() ? Math.min(Math.max(dLo + r.int(33) - 16, DATA_ADDR), DATA_ADDR + 0x2000 - span) : place();
  if (!movs) sLo = dLo;
  g.regs[7] = BigInt(back ? dLo + span - size : dLo);
  g.regs[6] = BigInt(back ? sLo + span - size : sLo);
  g.regs[1] = BigInt(n);
  g.flags = (g.flags & ~BigInt(DF)) | (back ? BigInt(DF) : 0n);
  const pfx = [0xf3];
  if (g.mode === 64 && r.int(4) === 0) pfx.push(0x67);
  const op = movs ? 0xa4 : 0xaa;
  g.emit({ pfx, size, op: [size === 1 ? op : op + 1], noModrm: true });
}, 2);
