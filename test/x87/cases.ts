/*
 * Test cases for the x87 differential test: a table of every instruction form with its operand
 * kind, random FPU states (FXSAVE images) and memory operands, and the code that wraps a body:
 *
 *   push rbx; mov ebx, DATA; push [rbx+FLAGS_IN]; popfq; mov rax, [rbx+RAX_IN]; fxrstor [rbx]
 *   <body>
 *   fxsave [rbx+OUT]; mov [rbx+RAX_OUT], rax; pushfq; pop [rbx+FLAGS_OUT]; pop rbx
 *
 * followed by RET on the host (native.c) and HLT in our CPU.  Data layout at DATA_ADDR:
 * 0x000 initial FXSAVE image, 0x200 final image, 0x400 memory operands (256 bytes),
 * 0x500 RFLAGS in, 0x508 RAX in, 0x510 RAX out, 0x518 RFLAGS out, 0x600 XSAVE area (576).
 */
export const DATA_ADDR = 0x100000;
export const DATA_SIZE = 0x840;
export const CODE_ADDR = 0x110000;
export const OUT = 0x200, MEM = 0x400, FLAGS_IN = 0x500, RAX_IN = 0x508, RAX_OUT = 0x510, FLAGS_OUT = 0x518, XAREA = 0x600;

/* ---------- random numbers (xorshift, reproducible) ---------- */
let rs = 0x9e3779b9, rs2 = 0x243f6a88;
export function seed(n: number): void {
  rs = (0x9e3779b9 ^ Math.imul(n + 1, 0x85ebca6b)) | 1;
  rs2 = 0x243f6a88 ^ n;
}
export function rnd32(): number {
  let t = rs ^ (rs << 11);
  rs = rs2;
  rs2 = (rs2 ^ (rs2 >>> 19) ^ t ^ (t >>> 8)) | 0;
  t = rs2;
  return t >>> 0;
}
export function rnd(n: number): number {
  return rnd32() % n;
}
function pick<T>(a: readonly T[]): T {
  return a[rnd(a.length)];
}

/* ---------- operand values ---------- */

/** A floatx80 [se, hi, lo] from the interesting classes (hi, lo unsigned). */
export function genX80(): [number, number, number] {
  const sign = rnd(2) << 15;
  const r = rnd(24);
  const mant = (): [number, number] => [(rnd32() | 0x80000000) >>> 0, rnd32()];
  switch (r) {
    case 0: return [sign, 0, 0]; // zero
    case 1: return [sign, rnd32() & 0x7fffffff, rnd32()]; // denormal
    case 2: return [sign, (rnd32() | 0x80000000) >>> 0, rnd32()]; // pseudo-denormal
    case 3: return [sign | (1 + rnd(0x7ffe)), rnd32() & 0x7fffffff, rnd32()]; // unnormal
    case 4: return [sign | 0x7fff, 0x80000000, 0]; // infinity
    case 5: return [sign | 0x7fff, (0xc0000000 | rnd32()) >>> 0, rnd32()]; // QNaN
    case 6: { const h = (0x80000000 | (rnd32() & 0x3fffffff)) >>> 0; return [sign | 0x7fff, h, h === 0x80000000 ? 1 : rnd32()]; } // SNaN
    case 7: return [sign | 0x7fff, rnd32() & 0x7fffffff, rnd32()]; // pseudo-NaN / pseudo-infinity
    case 8: return [0xffff, 0xc0000000, 0]; // indefinite
    case 9: { const [h, l] = mant(); return [sign | pick([1, 2, 0x7ffe, 0x7ffd, 0x3fbf, 0x403e]), h, l]; } // extremes
    case 10: { // integers (FIST, FRNDINT, FSCALE)
      const e = rnd(70);
      const [h, l] = mant();
      return [sign | (0x3fff + e), h, e < 32 ? 0 : l];
    }
    case 11: return [sign | (0x3fff + rnd(4) - 2), (0x80000000 | (rnd32() & 0xff000000)) >>> 0, 0]; // short significands
    case 12: case 13: case 14: { // values of double precision (fast paths, PC=53)
      const [h] = mant();
      return [sign | (0x3fff - 60 + rnd(120)), h, rnd32() & 0xfffff800];
    }
    case 15: return [sign | (0x3fff - 1 + rnd(3)), ...mant()]; // near 1
    case 16: return [sign | (0x3c00 + rnd(0x800)), (0x80000000 | (rnd32() & 0xffffff00)) >>> 0, 0]; // float-ish
    case 17: { // integer boundaries
      const e = pick([14, 15, 30, 31, 62, 63]);
      return [sign | (0x3fff + e), (0x80000000 | (rnd(2) ? 0x7fffffff : 0)) >>> 0, rnd(2) ? 0xffffffff : rnd(2) ? 0x80000000 : 0];
    }
    case 18: return [sign | (0x3fff + rnd(64)), ...mant()];
    default: return [rnd32() & 0xffff, rnd32(), rnd32()]; // any pattern
  }
}

const EDGE32 = [0, 0x80000000, 1, 0x807fffff, 0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000,
  0xffc00000, 0x7fa00001, 0xff812345, 0x3f800000, 0xbf800000, 0x4f000000, 0xcf000000, 0x3effffff];
export function genF32(): number {
  switch (rnd(6)) {
    case 0: return pick(EDGE32) >>> 0;
    case 1: return rnd32();
    case 2: return ((rnd(2) << 31) | (rnd(3) << 23) | (rnd32() & 0x7fffff)) >>> 0;
    default: return ((rnd(2) << 31) | ((100 + rnd(60)) << 23) | (rnd32() & 0x7fffff)) >>> 0;
  }
}
export function genF64(): [number, number] { // [hi, lo]
  switch (rnd(6)) {
    case 0: return pick([[0, 0], [0x80000000, 0], [0, 1], [0x800fffff, 0xffffffff], [0x00100000, 0], [0x7fefffff, 0xffffffff],
      [0x7ff00000, 0], [0xfff00000, 0], [0x7ff80000, 0], [0xfff80000, 0], [0x7ff40000, 1], [0x3ff00000, 0], [0x43e00000, 0],
      [0xc3e00000, 0], [0x41dfffff, 0xffc00000]]) as [number, number];
    case 1: return [rnd32(), rnd32()];
    case 2: return [((rnd(2) << 31) | (rnd(3) << 20) | (rnd32() & 0xfffff)) >>> 0, rnd32()];
    default: return [((rnd(2) << 31) | ((1000 + rnd(50)) << 20) | (rnd32() & 0xfffff)) >>> 0, rnd32()];
  }
}
function genInt(bits: number): number[] { // little-endian bytes
  const out: number[] = [];
  const kind = rnd(4);
  for (let i = 0; i < bits / 8; i++) out.push(kind === 0 ? rnd(256) : kind === 1 ? 0 : kind === 2 ? 0xff : rnd(256));
  if (kind === 1) out[out.length - 1] = 0x80; // the most negative value
  if (kind === 2) out[0] = rnd(256);
  if (kind === 3) for (let i = 2; i < out.length; i++) out[i] = out[1] & 0x80 ? 0xff : 0; // small
  return out;
}
function genBcd(): number[] {
  const out: number[] = [];
  const digits = rnd(19);
  for (let i = 0; i < 9; i++) {
    const lo = 2 * i < digits ? rnd(10) : 0, hi = 2 * i + 1 < digits ? rnd(10) : 0;
    out.push(rnd(40) === 0 ? rnd(256) : (hi << 4) | lo);
  }
  out.push(rnd(8) === 0 ? rnd(256) : rnd(2) << 7);
  return out;
}

/* ---------- FPU state ---------- */

export interface StateOpts {
  /** Probability (0-1) that exception masks are random rather than all set. */
  unmasked: number;
  /** Leave the stack empty-ish / full-ish to provoke stack faults. */
  tags: 'random' | 'natural';
}

function put16(b: Uint8Array, o: number, v: number): void { b[o] = v; b[o + 1] = v >>> 8; }
function put32(b: Uint8Array, o: number, v: number): void { for (let i = 0; i < 4; i++) b[o + i] = v >>> (8 * i); }

export function genFcw(unmasked: number): number {
  const masks = rnd(1000) < unmasked * 1000 ? rnd(64) : 0x3f;
  return (rnd(4) << 10) | (rnd(4) << 8) | 0x40 | masks;
}

/** A random initial FXSAVE image in data[0..511] with no unmasked exception pending. */
export function genImage(data: Uint8Array, opts: StateOpts): void {
  const fcw = genFcw(opts.unmasked);
  let flags = rnd(4) === 0 ? rnd(64) & 0x3f : 0;
  flags &= fcw & 0x3f; // nothing pending that would fault the next waiting instruction
  const top = rnd(8);
  const cc = rnd(16);
  const fsw = flags | (flags & 1 && rnd(2) ? 0x40 : 0) | ((cc & 7) << 8) | ((cc & 8) << 11) | (top << 11);
  let ftw = 0;
  if (opts.tags === 'natural') {
    const depth = pick([0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 8]);
    for (let i = 0; i < depth; i++) ftw |= 1 << ((top + i) & 7);
  } else {
    for (let i = 0; i < 8; i++) if (rnd(5) !== 0) ftw |= 1 << i;
  }
  put16(data, 0, fcw);
  put16(data, 2, fsw);
  data[4] = ftw;
  for (let i = 5; i < 32; i++) data[i] = 0;
  put32(data, 24, 0x1f80 | (rnd(4) === 0 ? rnd(64) : 0));
  put32(data, 28, 0);
  for (let i = 0; i < 8; i++) {
    const [se, hi, lo] = genX80();
    const o = 32 + 16 * i;
    put32(data, o, lo);
    put32(data, o + 4, hi);
    put16(data, o + 8, se);
    for (let k = 10; k < 16; k++) data[o + k] = 0;
  }
  for (let i = 160; i < 416; i++) data[i] = rnd(256);
  for (let i = 416; i < 512; i++) data[i] = 0;
}

/* ---------- instruction forms ---------- */

export type MemKind = 'm32fp' | 'm64fp' | 'm80' | 'm16i' | 'm32i' | 'm64i' | 'bcd' | 'env' | 'env16' | 'save' | 'save16' | 'cw' | 'store';
export interface Form {
  /** Coverage key, matching formKey() of the decoder enumeration. */
  key: string;
  /** Opcode byte and ModRM.reg (memory) or the full ModRM base (register, rm added). */
  op: number;
  reg: number;
  /** Register form: ModRM.rm is ST(i) (any) or fixed (group forms). */
  mem?: MemKind;
  fixedRm?: number;
  prefix?: number[];
  /** Result compared within 1 ulp, C1 masked (transcendentals). */
  approx?: boolean;
  /** Not used inside multi-instruction sequences (loads control state). */
  noSeq?: boolean;
}

const MEM_KIND: Record<number, MemKind[]> = {
  0xd8: ['m32fp', 'm32fp', 'm32fp', 'm32fp', 'm32fp', 'm32fp', 'm32fp', 'm32fp'],
  0xd9: ['m32fp', 'store', 'store', 'store', 'env', 'cw', 'env', 'cw'],
  0xda: ['m32i', 'm32i', 'm32i', 'm32i', 'm32i', 'm32i', 'm32i', 'm32i'],
  0xdb: ['m32i', 'store', 'store', 'store', 'store', 'm80', 'store', 'store'],
  0xdc: ['m64fp', 'm64fp', 'm64fp', 'm64fp', 'm64fp', 'm64fp', 'm64fp', 'm64fp'],
  0xdd: ['m64fp', 'store', 'store', 'store', 'save', 'store', 'save', 'store'],
  0xde: ['m16i', 'm16i', 'm16i', 'm16i', 'm16i', 'm16i', 'm16i', 'm16i'],
  0xdf: ['m16i', 'store', 'store', 'store', 'bcd', 'm64i', 'bcd', 'store'],
};
const NO_MEM = new Set(['d9/1', 'db/4', 'db/6', 'dd/5']);
const TRANSCENDENTAL = new Set([0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff]);

export function formKeyMem(op: number, reg: number, prefix = ''): string {
  return `${prefix}${op.toString(16)}/${reg} m`;
}
export function formKeyReg(op: number, modrm: number): string {
  const reg = (modrm >> 3) & 7;
  const group = (op === 0xd9 && reg >= 2 && reg !== 3) || (op === 0xda && reg === 5) || (op === 0xdb && reg === 4) ||
    (op === 0xde && reg === 3) || (op === 0xdf && reg === 4);
  return group ? `${op.toString(16)} ${modrm.toString(16)}` : `${op.toString(16)}/${reg} r`;
}

export function allForms(): Form[] {
  const forms: Form[] = [];
  for (let op = 0xd8; op <= 0xdf; op++) {
    for (let reg = 0; reg < 8; reg++) {
      if (NO_MEM.has(`${op.toString(16)}/${reg}`)) continue;
      const mem = MEM_KIND[op][reg];
      const noSeq = mem === 'env' || mem === 'save' || (op === 0xd9 && reg === 5);
      forms.push({ key: formKeyMem(op, reg), op, reg, mem, noSeq });
      if (mem === 'env' || mem === 'save') {
        forms.push({ key: formKeyMem(op, reg, '66 '), op, reg, mem: mem === 'env' ? 'env16' : 'save16', prefix: [0x66], noSeq });
      }
    }
  }
  const groups: Record<string, number[]> = {
    'd9/2': [0], 'd9/4': [0, 1, 4, 5], 'd9/5': [0, 1, 2, 3, 4, 5, 6], 'd9/6': [0, 1, 2, 3, 4, 5, 6, 7],
    'd9/7': [0, 1, 2, 3, 4, 5, 6, 7], 'da/5': [1], 'db/4': [0, 1, 2, 3, 4], 'de/3': [1], 'df/4': [0],
  };
  const invalidReg = new Set(['da/4', 'da/6', 'da/7', 'db/7', 'dd/6', 'dd/7', 'df/7']);
  for (let op = 0xd8; op <= 0xdf; op++) {
    for (let reg = 0; reg < 8; reg++) {
      const k = `${op.toString(16)}/${reg}`;
      if (invalidReg.has(k)) continue;
      const g = groups[k];
      if (g === undefined) {
        forms.push({ key: formKeyReg(op, 0xc0 | (reg << 3)), op, reg });
        continue;
      }
      for (const rm of g) {
        const modrm = 0xc0 | (reg << 3) | rm;
        const approx = op === 0xd9 && TRANSCENDENTAL.has(modrm);
        const noSeq = op === 0xdb && reg === 4 && rm === 3; // FNINIT would hide the sequence's state
        forms.push({ key: formKeyReg(op, modrm), op, reg, fixedRm: rm, approx, noSeq });
      }
    }
  }
  forms.push({ key: '9b', op: 0x9b, reg: 0 });
  return forms;
}

/** A body for one form: its bytes, with the memory operand (if any) prepared in data. */
export function formBytes(f: Form, data: Uint8Array): number[] {
  if (f.op === 0x9b) return [0x9b];
  const pre = f.prefix ?? [];
  if (f.mem === undefined) {
    const rm = f.fixedRm ?? rnd(8);
    return [...pre, f.op, 0xc0 | (f.reg << 3) | rm];
  }
  const size = f.mem === 'save' ? 108 : f.mem === 'save16' ? 94 : f.mem === 'env' ? 28 : f.mem === 'env16' ? 14 : 10;
  const off = rnd(256 - size + 1) & ~(rnd(4) === 0 ? 0 : 3);
  fillOperand(f.mem, data, MEM + off);
  const disp = MEM + off;
  return [...pre, f.op, 0x80 | (f.reg << 3) | 3, disp & 0xff, (disp >> 8) & 0xff, 0, 0];
}

function fillOperand(kind: MemKind, data: Uint8Array, o: number): void {
  switch (kind) {
    case 'm32fp': put32(data, o, genF32()); break;
    case 'm64fp': { const [h, l] = genF64(); put32(data, o, l); put32(data, o + 4, h); break; }
    case 'm80': { const [se, h, l] = genX80(); put32(data, o, l); put32(data, o + 4, h); put16(data, o + 8, se); break; }
    case 'm16i': data.set(genInt(16), o); break;
    case 'm32i': data.set(genInt(32), o); break;
    case 'm64i': data.set(genInt(64), o); break;
    case 'bcd': data.set(genBcd(), o); break;
    case 'cw': put16(data, o, genFcw(0.3) | (rnd(4) === 0 ? rnd(0x10000) & 0xf080 : 0)); break;
    case 'env': case 'env16': case 'save': case 'save16': {
      const w = kind === 'env' || kind === 'save' ? 4 : 2;
      const img = new Uint8Array(512);
      genImage(img, { unmasked: 0.3, tags: rnd(2) ? 'random' : 'natural' });
      const fcw = img[0] | (img[1] << 8), fsw = img[2] | (img[3] << 8);
      let tw = 0;
      for (let i = 7; i >= 0; i--) tw = (tw << 2) | ((img[4] >> i) & 1 ? rnd(3) : 3);
      const fields = [fcw, fsw, tw, rnd32(), rnd32() & 0xffff, rnd32(), rnd32() & 0xffff];
      for (let i = 0; i < 7; i++) {
        if (w === 4) put32(data, o + 4 * i, fields[i] | (i < 3 && rnd(4) === 0 ? rnd32() & 0xffff0000 : 0));
        else put16(data, o + 2 * i, fields[i]);
      }
      if (kind === 'save' || kind === 'save16') {
        for (let i = 0; i < 8; i++) {
          const a = o + 7 * w + 10 * i;
          for (let k = 0; k < 10; k++) data[a + k] = img[32 + 16 * i + k];
        }
      }
      break;
    }
    case 'store': break; // overwritten (random bytes left from the fill)
  }
}

/* ---------- whole cases ---------- */

export interface Case {
  name: string;
  code: Uint8Array;
  data: Uint8Array;
  approx: boolean;
  forms: string[];
}

const PROLOGUE = [
  0x53, // push rbx
  0xbb, DATA_ADDR & 0xff, (DATA_ADDR >> 8) & 0xff, (DATA_ADDR >> 16) & 0xff, DATA_ADDR >>> 24, // mov ebx, DATA_ADDR
  0xff, 0xb3, FLAGS_IN & 0xff, FLAGS_IN >> 8, 0, 0, // push qword [rbx+FLAGS_IN]
  0x9d, // popfq
  0x48, 0x8b, 0x83, RAX_IN & 0xff, RAX_IN >> 8, 0, 0, // mov rax, [rbx+RAX_IN]
  0x0f, 0xae, 0x0b, // fxrstor [rbx]
];
const EPILOGUE = [
  0x0f, 0xae, 0x83, OUT & 0xff, OUT >> 8, 0, 0, // fxsave [rbx+OUT]
  0x48, 0x89, 0x83, RAX_OUT & 0xff, RAX_OUT >> 8, 0, 0, // mov [rbx+RAX_OUT], rax
  0x9c, // pushfq
  0x8f, 0x83, FLAGS_OUT & 0xff, FLAGS_OUT >> 8, 0, 0, // pop qword [rbx+FLAGS_OUT]
  0x5b, // pop rbx
];
export const BODY_OFFSET = PROLOGUE.length;

export function newData(opts: StateOpts): Uint8Array {
  const data = new Uint8Array(DATA_SIZE);
  genImage(data, opts);
  for (let i = MEM; i < MEM + 256; i++) data[i] = rnd(256);
  for (let i = OUT; i < OUT + 512; i++) data[i] = rnd(256);
  put32(data, FLAGS_IN, (rnd32() & 0x8d5) | 2);
  put32(data, RAX_IN, rnd32());
  put32(data, RAX_IN + 4, rnd32());
  return data;
}

export function makeCase(name: string, body: number[], data: Uint8Array, approx: boolean, forms: string[]): Case {
  return { name, code: Uint8Array.from([...PROLOGUE, ...body, ...EPILOGUE]), data, approx, forms };
}
