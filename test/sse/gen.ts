/*
 * Instruction forms and random cases for the SSE differential test.
 *
 * The forms are not listed by hand: every (map, opcode, mandatory prefix, register/memory,
 * ModRM.reg for the shift groups) is run through our decoder, and each one that decodes to
 * Op.SSE is an implemented form.  Each case then encodes a random instance of a form (REX,
 * registers, base register, disp8, imm8) and a random state: XMM/MMX lanes and memory drawn
 * from edge-case pools (signed zeros, denormals, infinities, quiet and signalling NaNs, integer
 * boundaries), random MXCSR (rounding, DAZ, FTZ, sticky flags, sometimes unmasked exceptions).
 */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { SoftMMU } from '../../src/target/i386/tcg/softmmu.js';
import { CPUX86State } from '../../src/target/i386/tcg/cpu-state.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import { Decoder, Insn, Op } from '../../src/target/i386/tcg/decode.js';
import { DATA_ADDR, DATA_SIZE, FX_FCW, FX_FSW, FX_FTW, FX_MXCSR, FX_ST, FX_XMM, type SseCase } from './emu.js';

export interface Form {
  key: string;
  prefix: number;
  escape: number[];
  op: number;
  /** The form has a ModRM byte. */
  modrm: boolean;
  mem: boolean;
  /** ModRM.reg fixed by the form (shift groups), or -1. */
  ext: number;
  imm: boolean;
  sub: number;
  /** Implemented (false: an encoding that must raise #UD). */
  defined: boolean;
  /** With a LOCK prefix (#UD). */
  lock: boolean;
}

const PREFIXES = [0, 0x66, 0xf3, 0xf2];
const hex2 = (v: number): string => v.toString(16).toUpperCase().padStart(2, '0');

/** The rows of the 0F 38 / 0F 3A maps this CPU implements (SSSE3); the rest are SSE4 and later. */
const SSSE3_38 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x1c, 0x1d, 0x1e];

/** The 0F rows routed to decode-sse.ts. */
function sseRow(op: number): boolean {
  return (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) || (op >= 0x50 && op <= 0x7f) ||
    (op >= 0xc2 && op <= 0xc6) || op >= 0xd0;
}

/**
 * Encodings in the SSE rows that must raise #UD (our decoder gives Op.UD), leaving out the
 * vendor extensions this host may have beyond our feature set: SSE4a (66/F2 0F 78/79 EXTRQ/
 * INSERTQ, F3/F2 0F 2B MOVNTSS/MOVNTSD), VMX (0F 78/79), and the SSE4+ rows of 0F 38/0F 3A.
 */
export function undefinedForms(): Form[] {
  return enumerate(false).filter((f) => {
    if (f.escape.length === 1) {
      if (!sseRow(f.op) || f.op === 0x78 || f.op === 0x79) return false;
      if (f.op === 0x2b && f.prefix >= 0xf2) return false;
      return true;
    }
    return f.escape[1] === 0x38 ? SSSE3_38.includes(f.op) : f.op === 0x0f;
  });
}

/** Every SSE/MMX form our decoder implements. */
export function implementedForms(): Form[] {
  return enumerate(true);
}

function enumerate(implemented: boolean): Form[] {
  const alloc = new RamBlockAllocator(1 << 16);
  const as = new AddressSpace(alloc);
  as.addRegion(0, MemoryRegion.ram(alloc, 'ram', 1 << 16));
  const dec = new Decoder(new SoftMMU(as, new CPUX86State(), TCG_FEATURES));
  const insn = new Insn();
  const forms: Form[] = [];
  for (const escape of [[0x0f], [0x0f, 0x38], [0x0f, 0x3a]]) {
    for (let op = 0; op < 256; op++) {
      if (escape.length === 1 && (op === 0x38 || op === 0x3a)) continue; // the three-byte maps
      for (const prefix of PREFIXES) {
        for (const mem of [false, true]) {
          const group = escape.length === 1 && op >= 0x71 && op <= 0x73;
          for (let ext = group ? 0 : -1; ext < (group ? 8 : 0); ext++) {
            const bytes = [...(prefix ? [prefix] : []), ...escape, op, (mem ? 0x00 : 0xc0) | (Math.max(ext, 0) << 3)];
            const code = new Uint8Array(16);
            code.set(bytes);
            as.loadBlob(0x1000, code);
            dec.decode(insn, 0, 0x1000, 8);
            if ((insn.op === Op.SSE) !== implemented || (!implemented && insn.op !== Op.UD)) continue;
            const modrm = implemented ? insn.len >= bytes.length : true;
            if (!modrm && mem) continue;
            const imm = insn.len > bytes.length;
            const key = `${prefix ? hex2(prefix) + ' ' : ''}${escape.map(hex2).join(' ')} ${hex2(op)}${ext >= 0 ? ' /' + ext : ''}${modrm ? (mem ? ' mem' : ' reg') : ''}`;
            forms.push({ key, prefix, escape, op, modrm, mem, ext, imm, sub: insn.sub, defined: implemented, lock: false });
          }
        }
      }
    }
  }
  return forms;
}

/** xorshift32: reproducible cases from the seed. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  int(n: number): number { return this.u32() % n; }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
}

const F32 = [
  0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc12345, 0x7f800001,
  0x7fa00000, 0xffbfffff, 0x00000001, 0x007fffff, 0x80400000, 0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff,
  0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x3f000000, 0x3fc00000, 0x40200000,
  0xc0200000, 0x3effffff, 0x0c000000, 0x72000000, 0x00c00000, 0x1f800000,
];
const F64: [number, number][] = [
  [0, 0], [0x80000000, 0], [0x3ff00000, 0], [0xbff00000, 0], [0x7ff00000, 0], [0xfff00000, 0], [0x7ff80000, 0],
  [0xfff80000, 0], [0x7ff80000, 0x12345], [0x7ff00000, 1], [0x7ff40000, 0], [0xfff7ffff, 0xffffffff], [0, 1],
  [0x000fffff, 0xffffffff], [0x80080000, 0], [0x00100000, 0], [0x7fefffff, 0xffffffff], [0xffefffff, 0xffffffff],
  [0x41e00000, 0], [0xc1e00000, 0], [0x41dfffff, 0xffc00000], [0xc1e00000, 0x00200000], [0x43e00000, 0],
  [0xc3e00000, 0], [0x3fe00000, 0], [0x3ff80000, 0], [0x40040000, 0], [0xc0040000, 0], [0x47efffff, 0xe0000000],
  [0x47efffff, 0xf0000000], [0x38100000, 0], [0x36a00000, 0], [0x380fffff, 0xf0000000], [0x3fdfffff, 0xffffffff],
];
const INTS = [0, 1, -1, 0x7fffffff, 0x80000000, 0x7fff, 0x8000, 0xffff, 0x7fff8000, 0x80007fff, 0x7f7f7f7f, 0x80808080, 0xff00ff00, 0x01000100];

function f32(r: Rng): number {
  if (r.chance(0.6)) return r.pick(F32) >>> 0;
  if (r.chance(0.6)) return ((r.int(2) << 31) | ((r.int(60) + 97) << 23) | (r.u32() & 0x7fffff)) >>> 0;
  return r.u32();
}

/** 16 bytes of vector data (as four dwords), in one of several flavours. */
function vector(r: Rng, out: DataView, off: number): void {
  const kind = r.int(5);
  for (let i = 0; i < 4; i++) {
    if (kind === 0) out.setUint32(off + 4 * i, f32(r), true);
    else if (kind === 1) {
      if ((i & 1) === 0) {
        let hi: number, lo: number;
        if (r.chance(0.6)) [hi, lo] = r.pick(F64);
        else if (r.chance(0.6)) { hi = ((r.int(2) << 31) | ((r.int(400) + 823) << 20) | (r.u32() & 0xfffff)) >>> 0; lo = r.u32(); }
        else { hi = r.u32(); lo = r.u32(); }
        out.setUint32(off + 4 * i, lo >>> 0, true);
        out.setUint32(off + 4 * i + 4, hi >>> 0, true);
      }
    } else if (kind === 2) out.setUint32(off + 4 * i, r.pick(INTS) >>> 0, true);
    else if (kind === 3) out.setUint32(off + 4 * i, (r.pick(INTS) ^ (r.chance(0.5) ? 0 : 1 << r.int(32))) >>> 0, true);
    else out.setUint32(off + 4 * i, r.u32(), true);
  }
}

const GPR_POOL = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, -0x8000000000000000n, 0x12345678n, 0x100n, 3n, 15n, 16n, 31n, 32n, 63n, 64n];

function gpr(r: Rng): bigint {
  if (r.chance(0.5)) return r.pick(GPR_POOL);
  const v = (BigInt(r.u32()) << 32n) | BigInt(r.u32());
  return r.chance(0.5) ? BigInt.asIntN(32, v) : v;
}

const BASES = [0, 1, 2, 3, 6, 7];

export function makeCase(form: Form, r: Rng, index: number): SseCase {
  const bytes: number[] = [];
  if (form.lock) bytes.push(0xf0);
  if (form.prefix >= 0xf2 && r.chance(0.1)) bytes.push(0x66); // F3/F2 take precedence over 66
  if (form.prefix) bytes.push(form.prefix);
  const mode = r.chance(0.25) ? 32 : 64;
  const rex = mode === 64 && r.chance(0.5) ? 0x40 | r.int(16) : 0;
  if (rex) bytes.push(rex);
  bytes.push(...form.escape, form.op);
  const reg = form.ext >= 0 ? form.ext : r.int(8);
  const regs: bigint[] = [];
  for (let i = 0; i < 16; i++) regs.push(gpr(r));
  regs[4] = BigInt(DATA_ADDR + 0x800);
  const aligned = r.chance(0.8);
  let memoff = 64 + (aligned ? r.int((DATA_SIZE - 128) >> 4) << 4 : r.int(DATA_SIZE - 128));
  let ea = memoff;
  if (r.chance(0.04)) {
    // The operand runs into the unmapped page after the window: #PF, and nothing may be written.
    memoff = DATA_SIZE - 32;
    ea = DATA_SIZE - 1 - r.int(15);
  }
  regs[7] = BigInt(DATA_ADDR + ea); // RDI: MASKMOVQ/MASKMOVDQU's destination
  if (form.mem) {
    const base = r.pick(BASES) | (rex & 1 ? 8 : 0);
    const disp = r.chance(0.5) ? r.int(33) - 16 : 0;
    bytes.push((disp !== 0 ? 0x40 : 0) | (reg << 3) | (base & 7));
    if (disp !== 0) bytes.push(disp & 0xff);
    regs[base] = BigInt(DATA_ADDR + ea - disp);
  } else if (form.modrm) {
    bytes.push(0xc0 | (reg << 3) | r.int(8));
  }
  if (form.imm) bytes.push(form.op === 0xc2 && r.chance(0.8) ? r.int(8) : r.int(256));
  else if (!form.defined) bytes.push(r.int(256)); // an undefined form: a possible imm8 is still in bounds
  const memop = new Uint8Array(32);
  const mdv = new DataView(memop.buffer);
  vector(r, mdv, 0);
  vector(r, mdv, 16);

  const fx = new Uint8Array(512);
  const dv = new DataView(fx.buffer);
  dv.setUint16(FX_FCW, 0x37f, true);
  if (r.chance(0.05)) { // a pending unmasked x87 exception (IE with IM clear, ES): #MF for MMX
    dv.setUint16(FX_FCW, 0x37e, true);
    dv.setUint16(FX_FSW, 0x81, true);
  }
  fx[FX_FTW] = r.chance(0.8) ? 0xff : 0; // all valid (after MOVQ mm) or all empty (after EMMS)
  let mxcsr = r.int(4) << 13;
  if (r.chance(0.3)) mxcsr |= 0x40; // DAZ
  if (r.chance(0.3)) mxcsr |= 0x8000; // FTZ
  if (r.chance(0.5)) mxcsr |= r.int(64);
  mxcsr |= r.chance(0.8) ? 0x1f80 : r.int(64) << 7;
  dv.setUint32(FX_MXCSR, mxcsr, true);
  dv.setUint32(FX_MXCSR + 4, 0xffff, true);
  const tmp = new DataView(new ArrayBuffer(16));
  for (let i = 0; i < 8; i++) {
    vector(r, tmp, 0);
    dv.setUint32(FX_ST + 16 * i, tmp.getUint32(0, true), true);
    dv.setUint32(FX_ST + 16 * i + 4, tmp.getUint32(4, true), true);
    dv.setUint16(FX_ST + 16 * i + 8, r.chance(0.8) ? 0xffff : r.u32() & 0xffff, true);
  }
  for (let i = 0; i < 16; i++) vector(r, dv, FX_XMM + 16 * i);
  return {
    form: form.key, mode, code: new Uint8Array(bytes), reg: reg | (rex & 4 ? 8 : 0), seed: index * 7919 + 17, memoff, memop, regs,
    flags: BigInt(0x202 | (r.u32() & 0x8d5)), fx,
  };
}
