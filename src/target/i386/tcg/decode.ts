/*
 * The x86 instruction decoder: legacy prefixes, REX, VEX (for BMI1/BMI2), ModRM/SIB,
 * displacements and immediates, for 16-, 32- and 64-bit code (SDM Vol. 2 ch. 2, appendix A).
 *
 * An instruction is decoded once into an Insn record (a fixed-shape object, cached per code
 * page by cpu-exec.ts) and then executed any number of times.  Encodings that are invalid in the
 * current mode decode to Op.UD, which raises #UD when executed, so the fault happens at the
 * right RIP and only if the instruction is reached.
 */
import type { SoftMMU } from './softmmu.js';
import { R_CS, R_DS, R_SS, R_ES, R_FS, R_GS } from './cpu-state.js';
import { decodeSeg } from './decode-seg.js';
import { decodeSys, decodeSysC7 } from './decode-sys.js';
import { decodeSse } from './decode-sse.js';
import { decodeX87, decodeX87State } from './decode-x87.js';

export const enum Op {
  UD = 0, ALU_EG, ALU_GE, ALU_EI, INCDEC, PUSH_R, POP_R, PUSH_I, PUSH_E, POP_E, PUSH_SEG, POP_SEG,
  PUSHA, POPA, MOVSXD, IMUL3, IMUL2, INS, OUTS, JCC, XCHG, MOV_EG, MOV_GE, MOV_E_SEG, MOV_SEG_E,
  LEA, NOP, CBW, CWD, CALLF_AP, PUSHF, POPF, SAHF, LAHF, MOV_A_MOFFS, MOV_MOFFS_A, MOVS, CMPS,
  STOS, LODS, SCAS, MOV_EI, SHIFT, RET, RETF, LFP, ENTER, LEAVE, INT3, INT, INTO, IRET, AAM, AAD,
  DAA, DAS, AAA, AAS, SALC, XLAT, LOOP, IN, OUT, CALL, JMP, JMPF_AP, HLT, CMC, NOT, NEG, MUL,
  IMUL1, DIV, IDIV, FLAGOP, CALL_E, CALLF_E, JMP_E, JMPF_E, RDTSC, RDTSCP, CPUID, CMOV, SETCC,
  BT_EG, BT_EI, SHLD, SHRD, CMPXCHG, CMPXCHG8B, XADD, MOVZX, MOVSX, POPCNT, BSF, BSR, TZCNT, LZCNT,
  BSWAP, MOVBE_LOAD, MOVBE_STORE, ADCX, ADOX, ANDN, BLSR, BLSMSK, BLSI, BZHI, PDEP, PEXT, MULX,
  BEXTR, SHLX, SARX, SHRX, RORX, CLFLUSH, INT1,
  /* Instruction groups decoded and executed by their own modules; insn.sub is the group's op. */
  /** Segmentation and protection: decode-seg.ts / seg-helper.ts. */
  SEG,
  /** System instructions, control/debug registers, MSRs: decode-sys.ts / misc-helper.ts. */
  SYS,
  /** SSE, SSE2, SSE3, SSSE3 and MMX: decode-sse.ts / sse-exec.ts. */
  SSE,
  /** x87 and the FPU/SSE state instructions (FXSAVE, XSAVE, LDMXCSR, ...): decode-x87.ts / fpu-exec.ts. */
  X87,
}

/** Shift group (sub of Op.SHIFT), in ModRM reg order. */
export const SH_ROL = 0, SH_ROR = 1, SH_RCL = 2, SH_RCR = 3, SH_SHL = 4, SH_SHR = 5, SH_SAL = 6, SH_SAR = 7;

/** One decoded instruction.  Byte-register operands use codes 0-15 (low bytes) and 16-19 (AH-BH). */
export class Insn {
  op = Op.UD;
  /** Operation within the group: ALU op, condition code, shift op, segment, ... */
  sub = 0;
  /** Operand size in bytes (1, 2, 4, 8). */
  size = 4;
  /** Address size in bytes (2, 4, 8). */
  asize = 4;
  /** Instruction length in bytes. */
  len = 0;
  mod = 3;
  reg = 0;
  /** The raw ModRM.reg field (opcode extension of group instructions). */
  ext = 0;
  rm = 0;
  /** Memory operand: base and index register (-1 = none), scale shift, displacement. */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  ripRel = false;
  /** Segment of the memory operand (default or override). */
  seg = R_DS;
  /** A segment override prefix was present (string instructions use it for the source). */
  segOver = false;
  imm = 0;
  immHi = 0;
  imm2 = 0;
  /** Shift count source: false = imm, true = CL. */
  countCL = false;
  /** 0, 0xf3 (REP/REPE) or 0xf2 (REPNE). */
  rep = 0;
  lock = false;
  /** VEX.vvvv register. */
  vreg = 0;
  /** The decode mode (code size) this record is valid for. */
  mode = 0;
  /** The cached instruction that follows this one on the same code page, once seen (fall-through chaining). */
  next: Insn | null = null;
  /** The last other successor seen on the same page (a taken branch), and its RIP. */
  alt: Insn | null = null;
  altRip = NaN;
}

/** Instructions where LOCK is allowed (with a memory destination). */
function lockable(op: Op, sub: number): boolean {
  switch (op) {
    case Op.ALU_EG: case Op.ALU_EI: return sub !== 7 && sub !== 8;
    case Op.INCDEC: case Op.NOT: case Op.NEG: case Op.XCHG: case Op.CMPXCHG: case Op.CMPXCHG8B:
    case Op.XADD: return true;
    case Op.BT_EG: case Op.BT_EI: return sub !== 0;
    default: return false;
  }
}

const MAX_INSN_LEN = 15;

/**
 * A reusable byte fetcher; throws #GP when the instruction exceeds 15 bytes.
 * The caller catches the sentinel and raises the fault.
 */
export class InsnTooLong {}
const TOO_LONG = new InsnTooLong();

export class Decoder {
  private mmu: SoftMMU;
  private start = 0;
  private ipMask = 0;
  private cs = 0;
  private pos = 0;
  /* The prefixes of the instruction being decoded, for the group decoders (decode-*.ts). */
  opPrefix = false;
  rexW = false;
  hasRex = false;
  rexR = 0;
  rexX = 0;
  rexB = 0;
  /** Segment override prefix, or -1. */
  segOverride = -1;

  constructor(mmu: SoftMMU) {
    this.mmu = mmu;
  }

  /** Fetches the next instruction byte (the group decoders use b/w/d and modrmE too). */
  b(): number {
    if (this.pos >= MAX_INSN_LEN) throw TOO_LONG;
    const ip = this.start + this.pos;
    this.pos++;
    // 64-bit code: CS.base is 0 and RIP is canonical; legacy code wraps IP/EIP, then the linear address.
    if (this.ipMask === 0) return this.mmu.fetch8(ip);
    return this.mmu.fetch8((this.cs + (this.ipMask === 0xffff ? ip & 0xffff : ip >>> 0)) >>> 0);
  }
  w(): number {
    const lo = this.b();
    return lo | (this.b() << 8);
  }
  d(): number {
    const lo = this.w();
    return lo | (this.w() << 16);
  }
  imm(insn: Insn, size: number): void {
    // Iz: 16 or 32 bits, sign-extended for 64-bit operands.
    if (size === 1) insn.imm = (this.b() << 24) >> 24;
    else if (size === 2) insn.imm = (this.w() << 16) >> 16;
    else insn.imm = this.d();
    insn.immHi = insn.imm >> 31;
  }
  immB(insn: Insn): void {
    insn.imm = (this.b() << 24) >> 24;
    insn.immHi = insn.imm >> 31;
  }

  /** Decodes the instruction at CS.base + rip for code size `mode` into `insn`. */
  decode(insn: Insn, csBase: number, rip: number, mode: number): void {
    this.cs = csBase;
    this.start = rip;
    this.ipMask = mode === 8 ? 0 : mode === 4 ? 0xffffffff : 0xffff;
    this.pos = 0;
    insn.mode = mode;
    insn.rep = 0;
    insn.lock = false;
    insn.seg = R_DS;
    insn.segOver = false;
    insn.mod = 3;
    insn.base = -1;
    insn.index = -1;
    insn.scale = 0;
    insn.disp = 0;
    insn.ripRel = false;
    insn.imm = 0;
    insn.immHi = 0;
    insn.imm2 = 0;
    insn.countCL = false;
    insn.sub = 0;
    insn.vreg = 0;
    insn.next = null;
    insn.alt = null;
    insn.altRip = NaN;
    this.decodeInner(insn, mode);
    insn.len = this.pos;
    if (insn.lock && (insn.mod === 3 || !lockable(insn.op, insn.sub))) insn.op = Op.UD;
  }

  private decodeInner(insn: Insn, mode: number): void {
    const lm = mode === 8;
    let opPrefix = false, adPrefix = false, rex = 0, segOverride = -1;
    let b: number;
    for (;;) {
      b = this.b();
      if (lm && (b & 0xf0) === 0x40) {
        rex = b;
        continue; // a REX followed by another prefix is ignored (reset below)
      }
      let isPrefix = true;
      switch (b) {
        case 0x66: opPrefix = true; break;
        case 0x67: adPrefix = true; break;
        case 0x26: segOverride = R_ES; break;
        case 0x2e: segOverride = R_CS; break;
        case 0x36: segOverride = R_SS; break;
        case 0x3e: segOverride = R_DS; break;
        case 0x64: segOverride = R_FS; break;
        case 0x65: segOverride = R_GS; break;
        case 0xf0: insn.lock = true; break;
        case 0xf2: case 0xf3: insn.rep = b; break;
        default: isPrefix = false;
      }
      if (!isPrefix) break;
      rex = 0;
    }
    // In 64-bit mode the ES/CS/SS/DS overrides are ignored.
    if (lm && segOverride >= 0 && segOverride < R_FS) segOverride = -1;
    const rexW = (rex & 8) !== 0, rexR = (rex & 4) << 1, rexX = (rex & 2) << 2, rexB = (rex & 1) << 3;
    const size = lm ? (rexW ? 8 : opPrefix ? 2 : 4) : (mode === 2) !== opPrefix ? 2 : 4;
    /** Operand size of instructions that default to 64 bits in long mode. */
    const size64 = lm ? (opPrefix ? 2 : 8) : size;
    insn.asize = lm ? (adPrefix ? 4 : 8) : (mode === 2) !== adPrefix ? 2 : 4;
    insn.size = size;
    const hasRex = rex !== 0;
    this.opPrefix = opPrefix;
    this.rexW = rexW;
    this.hasRex = hasRex;
    this.rexR = rexR;
    this.rexX = rexX;
    this.rexB = rexB;
    this.segOverride = segOverride;

    const modrm = (byteOps: boolean): void => this.modrm(insn, byteOps, byteOps, hasRex, rexR, rexX, rexB, segOverride);
    const setSegDefault = (): void => {
      insn.seg = segOverride >= 0 ? segOverride : R_DS;
      insn.segOver = segOverride >= 0;
    };
    const byteReg = (r: number): number => (hasRex || r < 4 ? r : r + 12);

    if (b !== 0x0f) {
      const op = b;
      if (op < 0x40 && (op & 7) < 6) {
        insn.sub = op >> 3;
        const form = op & 7;
        insn.size = form & 1 ? size : 1;
        if (form < 4) {
          modrm((form & 1) === 0);
          insn.op = form < 2 ? Op.ALU_EG : Op.ALU_GE;
        } else {
          insn.op = Op.ALU_EI;
          insn.rm = 0;
          this.imm(insn, form === 4 ? 1 : Math.min(size, 4));
        }
        return;
      }
      switch (op) {
        case 0x06: case 0x0e: case 0x16: case 0x1e:
          if (lm) return this.ud(insn);
          insn.op = Op.PUSH_SEG; insn.sub = op >> 3; insn.size = size; return;
        case 0x07: case 0x17: case 0x1f:
          if (lm) return this.ud(insn);
          insn.op = Op.POP_SEG; insn.sub = op >> 3; insn.size = size; return;
        case 0x27: case 0x2f: case 0x37: case 0x3f:
          if (lm) return this.ud(insn);
          insn.op = op === 0x27 ? Op.DAA : op === 0x2f ? Op.DAS : op === 0x37 ? Op.AAA : Op.AAS;
          return;
      }
      if (op >= 0x40 && op <= 0x4f) { // (REX in long mode was consumed above)
        insn.op = Op.INCDEC; insn.sub = (op >> 3) & 1; insn.rm = op & 7; return;
      }
      if (op >= 0x50 && op <= 0x5f) {
        insn.op = op < 0x58 ? Op.PUSH_R : Op.POP_R; insn.rm = (op & 7) | rexB; insn.size = size64; return;
      }
      if (op >= 0x70 && op <= 0x7f) {
        insn.op = Op.JCC; insn.sub = op & 15; insn.size = lm ? 8 : size; this.immB(insn); return;
      }
      if (op >= 0x91 && op <= 0x97 || (op === 0x90 && rexB)) {
        insn.op = Op.XCHG; insn.mod = 3; insn.reg = 0; insn.rm = (op & 7) | rexB; return;
      }
      if (op >= 0xb0 && op <= 0xb7) {
        insn.op = Op.MOV_EI; insn.size = 1; insn.rm = byteReg((op & 7) | rexB); this.immB(insn); return;
      }
      if (op >= 0xb8 && op <= 0xbf) {
        insn.op = Op.MOV_EI; insn.rm = (op & 7) | rexB;
        if (size === 8) { insn.imm = this.d(); insn.immHi = this.d(); }
        else this.imm(insn, size);
        return;
      }
      if (op >= 0xd8 && op <= 0xdf) return decodeX87(this, insn, op);
      switch (op) {
        case 0x60: case 0x61:
          if (lm) return this.ud(insn);
          insn.op = op === 0x60 ? Op.PUSHA : Op.POPA; return;
        case 0x62: modrm(false); return this.ud(insn); // BOUND (and EVEX): not implemented
        case 0x63:
          if (!lm) return decodeSeg(this, insn, 0x100 | op); // ARPL
          insn.op = Op.MOVSXD; modrm(false); return;
        case 0x68: insn.op = Op.PUSH_I; insn.size = size64; this.imm(insn, Math.min(size64, 4)); return;
        case 0x6a: insn.op = Op.PUSH_I; insn.size = size64; this.immB(insn); return;
        case 0x69: insn.op = Op.IMUL3; modrm(false); this.imm(insn, Math.min(size, 4)); return;
        case 0x6b: insn.op = Op.IMUL3; modrm(false); this.immB(insn); return;
        case 0x6c: case 0x6d: insn.op = Op.INS; insn.size = op & 1 ? Math.min(size, 4) : 1; setSegDefault(); return;
        case 0x6e: case 0x6f: insn.op = Op.OUTS; insn.size = op & 1 ? Math.min(size, 4) : 1; setSegDefault(); return;
        case 0x80: case 0x81: case 0x82: case 0x83:
          if (op === 0x82 && lm) return this.ud(insn);
          insn.size = op === 0x81 || op === 0x83 ? size : 1;
          modrm(insn.size === 1);
          insn.op = Op.ALU_EI; insn.sub = insn.ext;
          if (op === 0x81) this.imm(insn, Math.min(size, 4)); else this.immB(insn);
          return;
        case 0x84: case 0x85: insn.size = op & 1 ? size : 1; modrm(insn.size === 1); insn.op = Op.ALU_EG; insn.sub = 8; return;
        case 0x86: case 0x87: insn.size = op & 1 ? size : 1; modrm(insn.size === 1); insn.op = Op.XCHG; return;
        case 0x88: case 0x89: insn.size = op & 1 ? size : 1; modrm(insn.size === 1); insn.op = Op.MOV_EG; return;
        case 0x8a: case 0x8b: insn.size = op & 1 ? size : 1; modrm(insn.size === 1); insn.op = Op.MOV_GE; return;
        case 0x8c: modrm(false); insn.op = Op.MOV_E_SEG; insn.sub = insn.ext; if (insn.sub > 5) return this.ud(insn); return;
        case 0x8d: modrm(false); insn.op = insn.mod === 3 ? Op.UD : Op.LEA; return;
        case 0x8e: modrm(false); insn.op = Op.MOV_SEG_E; insn.sub = insn.ext;
          if (insn.sub > 5 || insn.sub === R_CS) return this.ud(insn); return;
        case 0x8f: insn.size = size64; modrm(false); insn.op = (insn.ext) === 0 ? Op.POP_E : Op.UD; return;
        case 0x90: insn.op = Op.NOP; return; // also PAUSE (F3 90)
        case 0x98: insn.op = Op.CBW; return;
        case 0x99: insn.op = Op.CWD; return;
        case 0x9a:
          if (lm) return this.ud(insn);
          insn.op = Op.CALLF_AP; this.imm(insn, size); insn.imm2 = this.w(); return;
        case 0x9b: return decodeX87(this, insn, op); // FWAIT
        case 0x9c: insn.op = Op.PUSHF; insn.size = size64; return;
        case 0x9d: insn.op = Op.POPF; insn.size = size64; return;
        case 0x9e: insn.op = Op.SAHF; return;
        case 0x9f: insn.op = Op.LAHF; return;
        case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
          insn.op = op < 0xa2 ? Op.MOV_A_MOFFS : Op.MOV_MOFFS_A;
          insn.size = op & 1 ? size : 1;
          insn.mod = 0; insn.reg = 0; setSegDefault();
          if (insn.asize === 8) { insn.disp = this.d(); insn.imm2 = this.d(); }
          else if (insn.asize === 4) insn.disp = this.d();
          else insn.disp = this.w();
          return;
        }
        case 0xa4: case 0xa5: insn.op = Op.MOVS; insn.size = op & 1 ? size : 1; setSegDefault(); return;
        case 0xa6: case 0xa7: insn.op = Op.CMPS; insn.size = op & 1 ? size : 1; setSegDefault(); return;
        case 0xa8: case 0xa9:
          insn.op = Op.ALU_EI; insn.sub = 8; insn.size = op & 1 ? size : 1; insn.rm = 0;
          this.imm(insn, Math.min(insn.size, 4)); return;
        case 0xaa: case 0xab: insn.op = Op.STOS; insn.size = op & 1 ? size : 1; setSegDefault(); return;
        case 0xac: case 0xad: insn.op = Op.LODS; insn.size = op & 1 ? size : 1; setSegDefault(); return;
        case 0xae: case 0xaf: insn.op = Op.SCAS; insn.size = op & 1 ? size : 1; setSegDefault(); return;
        case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
          insn.size = op & 1 ? size : 1; modrm(insn.size === 1);
          insn.op = Op.SHIFT; insn.sub = insn.ext;
          if (op < 0xd0) insn.imm = this.b();
          else if (op < 0xd2) insn.imm = 1;
          else insn.countCL = true;
          return;
        case 0xc2: insn.op = Op.RET; insn.size = lm ? 8 : size; insn.imm = this.w(); return;
        case 0xc3: insn.op = Op.RET; insn.size = lm ? 8 : size; return;
        case 0xc4: case 0xc5: {
          if (!lm) {
            // LES/LDS in legacy modes unless the next byte has mod == 11 (then it is VEX).
            const ip = this.start + this.pos;
            const next = this.mmu.fetch8((this.cs + (mode === 2 ? ip & 0xffff : ip >>> 0)) >>> 0);
            if ((next & 0xc0) !== 0xc0) {
              modrm(false);
              insn.op = insn.mod === 3 ? Op.UD : Op.LFP; insn.sub = op === 0xc4 ? R_ES : R_DS;
              return;
            }
          }
          if (opPrefix || insn.rep || rex || insn.lock) return this.ud(insn);
          return this.vex(insn, op, segOverride);
        }
        case 0xc6: case 0xc7:
          insn.size = op & 1 ? size : 1; modrm(insn.size === 1);
          if ((insn.ext) !== 0) return this.ud(insn);
          insn.op = Op.MOV_EI;
          if (insn.size === 1) this.immB(insn); else this.imm(insn, Math.min(size, 4));
          return;
        case 0xc8: insn.op = Op.ENTER; insn.size = size64; insn.imm = this.w(); insn.imm2 = this.b(); return;
        case 0xc9: insn.op = Op.LEAVE; insn.size = size64; return;
        case 0xca: insn.op = Op.RETF; insn.imm = this.w(); return;
        case 0xcb: insn.op = Op.RETF; return;
        case 0xcc: insn.op = Op.INT3; return;
        case 0xcd: insn.op = Op.INT; insn.imm = this.b(); return;
        case 0xce: insn.op = lm ? Op.UD : Op.INTO; return;
        case 0xcf: insn.op = Op.IRET; return;
        case 0xd4: case 0xd5:
          if (lm) return this.ud(insn);
          insn.op = op === 0xd4 ? Op.AAM : Op.AAD; insn.imm = this.b(); return;
        case 0xd6: insn.op = lm ? Op.UD : Op.SALC; return;
        case 0xd7: insn.op = Op.XLAT; setSegDefault(); return;
        case 0xe0: case 0xe1: case 0xe2: case 0xe3:
          insn.op = Op.LOOP; insn.sub = op & 3; insn.size = lm ? 8 : size; this.immB(insn); return;
        case 0xe4: case 0xe5: insn.op = Op.IN; insn.size = op & 1 ? Math.min(size, 4) : 1; insn.imm = this.b(); return;
        case 0xe6: case 0xe7: insn.op = Op.OUT; insn.size = op & 1 ? Math.min(size, 4) : 1; insn.imm = this.b(); return;
        case 0xec: case 0xed: insn.op = Op.IN; insn.sub = 1; insn.size = op & 1 ? Math.min(size, 4) : 1; return;
        case 0xee: case 0xef: insn.op = Op.OUT; insn.sub = 1; insn.size = op & 1 ? Math.min(size, 4) : 1; return;
        case 0xe8: insn.op = Op.CALL; insn.size = lm ? 8 : size; this.imm(insn, lm ? 4 : size); return;
        case 0xe9: insn.op = Op.JMP; insn.size = lm ? 8 : size; this.imm(insn, lm ? 4 : size); return;
        case 0xea:
          if (lm) return this.ud(insn);
          insn.op = Op.JMPF_AP; this.imm(insn, size); insn.imm2 = this.w(); return;
        case 0xeb: insn.op = Op.JMP; insn.size = lm ? 8 : size; this.immB(insn); return;
        case 0xf1: insn.op = Op.INT1; return;
        case 0xf4: insn.op = Op.HLT; return;
        case 0xf5: insn.op = Op.CMC; return;
        case 0xf6: case 0xf7: {
          insn.size = op & 1 ? size : 1; modrm(insn.size === 1);
          const r = insn.ext;
          if (r < 2) { insn.op = Op.ALU_EI; insn.sub = 8; if (insn.size === 1) this.immB(insn); else this.imm(insn, Math.min(size, 4)); }
          else insn.op = [Op.UD, Op.UD, Op.NOT, Op.NEG, Op.MUL, Op.IMUL1, Op.DIV, Op.IDIV][r];
          return;
        }
        case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
          insn.op = Op.FLAGOP; insn.sub = op & 7; return;
        case 0xfe: insn.size = 1; modrm(true);
          if ((insn.ext) > 1) return this.ud(insn);
          insn.op = Op.INCDEC; insn.sub = insn.ext; return;
        case 0xff: {
          modrm(false);
          const r = insn.ext;
          switch (r) {
            case 0: case 1: insn.op = Op.INCDEC; insn.sub = r; return;
            case 2: insn.op = Op.CALL_E; insn.size = lm ? 8 : size; return;
            case 4: insn.op = Op.JMP_E; insn.size = lm ? 8 : size; return;
            case 3: case 5: insn.op = insn.mod === 3 ? Op.UD : r === 3 ? Op.CALLF_E : Op.JMPF_E; return;
            case 6: insn.op = Op.PUSH_E; insn.size = size64; return;
            default: return this.ud(insn);
          }
        }
      }
      return this.ud(insn);
    }

    // Two-byte opcodes (0F xx).
    const op2 = this.b();
    if (op2 >= 0x40 && op2 <= 0x4f) { modrm(false); insn.op = Op.CMOV; insn.sub = op2 & 15; return; }
    if (op2 >= 0x80 && op2 <= 0x8f) {
      insn.op = Op.JCC; insn.sub = op2 & 15; insn.size = lm ? 8 : size; this.imm(insn, lm ? 4 : size); return;
    }
    if (op2 >= 0x90 && op2 <= 0x9f) { insn.size = 1; modrm(true); insn.op = Op.SETCC; insn.sub = op2 & 15; return; }
    if (op2 >= 0xc8 && op2 <= 0xcf) { insn.op = Op.BSWAP; insn.rm = (op2 & 7) | rexB; return; }
    switch (op2) {
      case 0x00: case 0x02: case 0x03:
        return decodeSeg(this, insn, op2);
      case 0x01: case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x20: case 0x21: case 0x22: case 0x23:
      case 0x30: case 0x32: case 0x33: case 0x34: case 0x35:
        return decodeSys(this, insn, op2);
      case 0x0b: insn.op = Op.UD; return; // UD2
      case 0x0d: modrm(false); insn.op = insn.mod === 3 ? Op.UD : Op.NOP; return; // PREFETCH/PREFETCHW
      case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        modrm(false); insn.op = Op.NOP; return; // PREFETCHh hints and reserved/multi-byte NOPs
      case 0x31: insn.op = Op.RDTSC; return;
      case 0xa2: insn.op = Op.CPUID; return;
      case 0xa0: case 0xa8: insn.op = Op.PUSH_SEG; insn.sub = op2 === 0xa0 ? R_FS : R_GS; insn.size = size64; return;
      case 0xa1: case 0xa9: insn.op = Op.POP_SEG; insn.sub = op2 === 0xa1 ? R_FS : R_GS; insn.size = size64; return;
      case 0xa3: case 0xab: case 0xb3: case 0xbb:
        modrm(false); insn.op = Op.BT_EG; insn.sub = (op2 >> 3) & 3; return;
      case 0xba:
        modrm(false); if ((insn.ext) < 4) return this.ud(insn);
        insn.op = Op.BT_EI; insn.sub = (insn.ext & 3); insn.imm = this.b(); return;
      case 0xa4: case 0xa5: case 0xac: case 0xad:
        modrm(false); insn.op = op2 < 0xa8 ? Op.SHLD : Op.SHRD;
        if (op2 & 1) insn.countCL = true; else insn.imm = this.b();
        return;
      case 0xae:
        modrm(false);
        if (insn.mod === 3 && (insn.ext) >= 5 && !insn.rep && !opPrefix) { insn.op = Op.NOP; return; } // LFENCE/MFENCE/SFENCE
        if (insn.mod !== 3 && (insn.ext) === 7 && !insn.rep && !opPrefix) { insn.op = Op.CLFLUSH; return; }
        return decodeX87State(this, insn); // FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, XSAVE, XRSTOR, ...
      case 0xaf: modrm(false); insn.op = Op.IMUL2; return;
      case 0xb0: case 0xb1: insn.size = op2 & 1 ? size : 1; modrm(insn.size === 1); insn.op = Op.CMPXCHG; return;
      case 0xb2: case 0xb4: case 0xb5:
        modrm(false); insn.op = insn.mod === 3 ? Op.UD : Op.LFP;
        insn.sub = op2 === 0xb2 ? R_SS : op2 === 0xb4 ? R_FS : R_GS; return;
      case 0xb6: case 0xb7: case 0xbe: case 0xbf:
        insn.op = op2 < 0xb8 ? Op.MOVZX : Op.MOVSX; insn.sub = op2 & 1 ? 2 : 1;
        this.modrm(insn, false, insn.sub === 1, hasRex, rexR, rexX, rexB, segOverride); return;
      case 0xb8:
        modrm(false); insn.op = insn.rep === 0xf3 ? Op.POPCNT : Op.UD; return;
      case 0xbc: modrm(false); insn.op = insn.rep === 0xf3 ? Op.TZCNT : Op.BSF; return;
      case 0xbd: modrm(false); insn.op = insn.rep === 0xf3 ? Op.LZCNT : Op.BSR; return;
      case 0xc0: case 0xc1: insn.size = op2 & 1 ? size : 1; modrm(insn.size === 1); insn.op = Op.XADD; return;
      case 0xc7:
        modrm(false);
        if ((insn.ext) === 1 && insn.mod !== 3) { insn.op = Op.CMPXCHG8B; insn.size = rexW ? 16 : 8; return; }
        return decodeSysC7(this, insn); // RDRAND, RDSEED, RDPID
      case 0x38: {
        const op3 = this.b();
        if (op3 === 0xf0 || op3 === 0xf1) {
          if (insn.rep) { modrm(false); return this.ud(insn); } // CRC32 (F2): SSE4.2, not implemented
          modrm(false);
          if (insn.mod === 3) return this.ud(insn);
          insn.op = op3 === 0xf0 ? Op.MOVBE_LOAD : Op.MOVBE_STORE;
          return;
        }
        if (op3 === 0xf6 && (opPrefix !== (insn.rep === 0xf3)) && insn.rep !== 0xf2) {
          insn.size = rexW ? 8 : 4; modrm(false); insn.op = opPrefix ? Op.ADCX : Op.ADOX; return;
        }
        if (op3 >= 0x80 && op3 <= 0x82) return decodeSys(this, insn, 0x3800 | op3); // INVEPT, INVVPID, INVPCID
        return decodeSse(this, insn, 0x3800 | op3);
      }
      case 0x3a:
        return decodeSse(this, insn, 0x3a00 | this.b());
    }
    if ((op2 >= 0x10 && op2 <= 0x17) || (op2 >= 0x28 && op2 <= 0x2f) || (op2 >= 0x50 && op2 <= 0x7f) ||
      (op2 >= 0xc2 && op2 <= 0xc6) || op2 >= 0xd0) {
      return decodeSse(this, insn, op2);
    }
    return this.ud(insn);
  }

  ud(insn: Insn): void {
    insn.op = Op.UD;
  }

  /** ModRM (and SIB, displacement) with the current instruction's prefixes; byteOps selects AH-BH coding. */
  modrmE(insn: Insn, byteReg: boolean, byteRm: boolean): void {
    this.modrm(insn, byteReg, byteRm, this.hasRex, this.rexR, this.rexX, this.rexB, this.segOverride);
  }

  private modrm(insn: Insn, byteReg: boolean, byteRm: boolean, hasRex: boolean, rexR: number, rexX: number, rexB: number, segOverride: number): void {
    const m = this.b();
    const mod = m >> 6;
    let reg = ((m >> 3) & 7) | rexR;
    let rm = m & 7;
    insn.mod = mod;
    insn.ext = (m >> 3) & 7;
    if (byteReg && !hasRex && reg >= 4 && reg < 8) reg += 12;
    insn.reg = reg;
    let defSeg = R_DS;
    if (mod === 3) {
      rm |= rexB;
      if (byteRm && !hasRex && rm >= 4 && rm < 8) rm += 12;
      insn.rm = rm;
      insn.seg = segOverride >= 0 ? segOverride : R_DS;
      return;
    }
    insn.rm = rm;
    if (insn.asize === 2) {
      switch (rm) {
        case 0: insn.base = 3; insn.index = 6; break;
        case 1: insn.base = 3; insn.index = 7; break;
        case 2: insn.base = 5; insn.index = 6; defSeg = R_SS; break;
        case 3: insn.base = 5; insn.index = 7; defSeg = R_SS; break;
        case 4: insn.base = 6; break;
        case 5: insn.base = 7; break;
        case 6: if (mod === 0) insn.base = -1; else { insn.base = 5; defSeg = R_SS; } break;
        default: insn.base = 3;
      }
      if (mod === 1) insn.disp = (this.b() << 24) >> 24;
      else if (mod === 2 || (mod === 0 && rm === 6)) insn.disp = (this.w() << 16) >> 16;
    } else {
      if (rm === 4) {
        const sib = this.b();
        insn.scale = sib >> 6;
        const idx = ((sib >> 3) & 7) | rexX;
        insn.index = idx === 4 ? -1 : idx;
        const base = sib & 7;
        if (base === 5 && mod === 0) {
          insn.base = -1;
          insn.disp = this.d();
        } else {
          insn.base = base | rexB;
        }
        if (base === 4 || (base === 5 && mod !== 0)) defSeg = R_SS;
      } else if (rm === 5 && mod === 0) {
        insn.disp = this.d();
        insn.ripRel = insn.mode === 8;
      } else {
        insn.base = rm | rexB;
        if (rm === 5) defSeg = R_SS;
      }
      if (mod === 1) insn.disp = (this.b() << 24) >> 24;
      else if (mod === 2) insn.disp = this.d();
    }
    insn.seg = segOverride >= 0 ? segOverride : defSeg;
  }

  /** VEX-encoded instructions: the BMI1/BMI2 general-purpose group. */
  private vex(insn: Insn, first: number, segOverride: number): void {
    const lm = insn.mode === 8;
    const v1 = this.b();
    let rexR = v1 & 0x80 ? 0 : 8, rexX = 0, rexB = 0, map = 1, w = false, v2 = v1;
    if (first === 0xc4) {
      rexX = v1 & 0x40 ? 0 : 8;
      rexB = v1 & 0x20 ? 0 : 8;
      map = v1 & 0x1f;
      v2 = this.b();
      w = (v2 & 0x80) !== 0;
    }
    if (!lm) { rexR = 0; rexX = 0; rexB = 0; }
    const vvvv = (~v2 >> 3) & 15;
    const l = (v2 >> 2) & 1;
    const pp = v2 & 3;
    const opc = this.b();
    insn.size = lm && w ? 8 : 4;
    insn.vreg = lm ? vvvv : vvvv & 7;
    this.modrm(insn, false, false, true, rexR, rexX, rexB, segOverride);
    if (l !== 0) return this.ud(insn);
    if (map === 2) {
      switch (opc) {
        case 0xf2: if (pp === 0) { insn.op = Op.ANDN; return; } break;
        case 0xf3: if (pp === 0) {
          const r = insn.ext;
          if (r >= 1 && r <= 3) { insn.op = r === 1 ? Op.BLSR : r === 2 ? Op.BLSMSK : Op.BLSI; return; }
        } break;
        case 0xf5: if (pp === 0) { insn.op = Op.BZHI; return; }
          if (pp === 3) { insn.op = Op.PDEP; return; }
          if (pp === 2) { insn.op = Op.PEXT; return; } break;
        case 0xf6: if (pp === 3) { insn.op = Op.MULX; return; } break;
        case 0xf7: insn.op = [Op.BEXTR, Op.SHLX, Op.SARX, Op.SHRX][pp]; return;
      }
    } else if (map === 3 && opc === 0xf0 && pp === 3) {
      insn.op = Op.RORX; insn.imm = this.b(); return;
    }
    return this.ud(insn);
  }
}
