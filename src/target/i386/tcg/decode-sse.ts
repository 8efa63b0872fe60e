/*
 * Decoding of SSE, SSE2, SSE3, SSSE3 and MMX: the 0F 10-17, 28-2F, 50-7F, C2-C6 and D0-FF rows,
 * and the 0F 38 (op 0x38xx) and 0F 3A (op 0x3axx) maps.  They execute in sse-exec.ts as Op.SSE.
 *
 * The mandatory prefix selects the form (SDM Vol. 2 Table A-3): none (MMX or packed single),
 * 66 (XMM integer or packed double), F3 (scalar single), F2 (scalar double); F3/F2 take
 * precedence over 66, as on the hardware.  insn.sub is the SseOp, insn.imm2 the F_* operand
 * attributes, insn.imm the imm8.  For the shift-by-immediate groups insn.reg is the operand.
 */
import { Op, type Decoder, type Insn } from './decode.js';
import {
  SseOp, F_ALIGN, F_XMM, F_MMX, F_SSE, F_IMM, F_FMT_SHIFT, FMT_PS, FMT_PD, FMT_SS, FMT_SD, F_TRUNC, F_MMX_RM, F_W,
} from './sse-ops.js';

const X16 = F_SSE | F_XMM | 16;
const X16A = X16 | F_ALIGN;
const MM8 = F_MMX | 8;
const PS = FMT_PS << F_FMT_SHIFT, PD = FMT_PD << F_FMT_SHIFT, SS = FMT_SS << F_FMT_SHIFT, SD = FMT_SD << F_FMT_SHIFT;

/** The 16 integer/packed forms 0F 60-7F, D0-FF (none = MMX, 66 = XMM); -1 = not an integer op. */
const INT_OPS: Readonly<Record<number, SseOp>> = {
  0x60: SseOp.PUNPCKLBW, 0x61: SseOp.PUNPCKLWD, 0x62: SseOp.PUNPCKLDQ, 0x63: SseOp.PACKSSWB,
  0x64: SseOp.PCMPGTB, 0x65: SseOp.PCMPGTW, 0x66: SseOp.PCMPGTD, 0x67: SseOp.PACKUSWB,
  0x68: SseOp.PUNPCKHBW, 0x69: SseOp.PUNPCKHWD, 0x6a: SseOp.PUNPCKHDQ, 0x6b: SseOp.PACKSSDW,
  0x74: SseOp.PCMPEQB, 0x75: SseOp.PCMPEQW, 0x76: SseOp.PCMPEQD,
  0xd1: SseOp.PSRLW, 0xd2: SseOp.PSRLD, 0xd3: SseOp.PSRLQ, 0xd4: SseOp.PADDQ, 0xd5: SseOp.PMULLW,
  0xd8: SseOp.PSUBUSB, 0xd9: SseOp.PSUBUSW, 0xda: SseOp.PMINUB, 0xdb: SseOp.PAND, 0xdc: SseOp.PADDUSB,
  0xdd: SseOp.PADDUSW, 0xde: SseOp.PMAXUB, 0xdf: SseOp.PANDN,
  0xe0: SseOp.PAVGB, 0xe1: SseOp.PSRAW, 0xe2: SseOp.PSRAD, 0xe3: SseOp.PAVGW, 0xe4: SseOp.PMULHUW,
  0xe5: SseOp.PMULHW, 0xe8: SseOp.PSUBSB, 0xe9: SseOp.PSUBSW, 0xea: SseOp.PMINSW, 0xeb: SseOp.POR,
  0xec: SseOp.PADDSB, 0xed: SseOp.PADDSW, 0xee: SseOp.PMAXSW, 0xef: SseOp.PXOR,
  0xf1: SseOp.PSLLW, 0xf2: SseOp.PSLLD, 0xf3: SseOp.PSLLQ, 0xf4: SseOp.PMULUDQ, 0xf5: SseOp.PMADDWD,
  0xf6: SseOp.PSADBW, 0xf8: SseOp.PSUBB, 0xf9: SseOp.PSUBW, 0xfa: SseOp.PSUBD, 0xfb: SseOp.PSUBQ,
  0xfc: SseOp.PADDB, 0xfd: SseOp.PADDW, 0xfe: SseOp.PADDD,
  /* SSSE3 (0F 38 xx) */
  0x3800: SseOp.PSHUFB, 0x3801: SseOp.PHADDW, 0x3802: SseOp.PHADDD, 0x3803: SseOp.PHADDSW,
  0x3804: SseOp.PMADDUBSW, 0x3805: SseOp.PHSUBW, 0x3806: SseOp.PHSUBD, 0x3807: SseOp.PHSUBSW,
  0x3808: SseOp.PSIGNB, 0x3809: SseOp.PSIGNW, 0x380a: SseOp.PSIGND, 0x380b: SseOp.PMULHRSW,
  0x381c: SseOp.PABSB, 0x381d: SseOp.PABSW, 0x381e: SseOp.PABSD,
};

/** Floating-point arithmetic rows with all four forms (PS, PD, SS, SD). */
const FP_OPS: Readonly<Record<number, SseOp>> = {
  0x51: SseOp.SQRT, 0x58: SseOp.ADD, 0x59: SseOp.MUL, 0x5c: SseOp.SUB, 0x5d: SseOp.MIN, 0x5e: SseOp.DIV,
  0x5f: SseOp.MAX, 0xc2: SseOp.CMP,
};

/** ANDPS/ANDNPS/ORPS/XORPS (and the PD forms) are the integer logic operations. */
const LOGIC_OPS = [SseOp.PAND, SseOp.PANDN, SseOp.POR, SseOp.PXOR];

const FP_FORMS = [PS | X16A, PD | X16A, SS | F_SSE | F_XMM | 4, SD | F_SSE | F_XMM | 8];

export function decodeSse(dec: Decoder, insn: Insn, op: number): void {
  const pfx = insn.rep === 0xf3 ? 2 : insn.rep === 0xf2 ? 3 : dec.opPrefix ? 1 : 0;
  if (op === 0x77) {
    if (pfx !== 0) return dec.ud(insn);
    return set(insn, SseOp.EMMS, F_MMX);
  }
  dec.modrmE(insn, false, false);
  const mem = insn.mod !== 3;
  const w = dec.rexW ? F_W : 0;

  const intOp = INT_OPS[op];
  if (intOp !== undefined) {
    if (pfx === 0) {
      // MMX unpacks of the low halves read only 32 bits of memory.
      const lowUnpack = intOp === SseOp.PUNPCKLBW || intOp === SseOp.PUNPCKLWD || intOp === SseOp.PUNPCKLDQ;
      return set(insn, intOp, lowUnpack ? F_MMX | 4 : MM8);
    }
    if (pfx === 1) return set(insn, intOp, X16A);
    return dec.ud(insn);
  }
  const fpOp = FP_OPS[op];
  if (fpOp !== undefined) {
    set(insn, fpOp, FP_FORMS[pfx]);
    if (op === 0xc2) insn.imm = dec.b();
    return;
  }

  switch (op) {
    case 0x10: case 0x11: {
      const store = op === 0x11;
      if (pfx < 2) return set(insn, store ? SseOp.MOV_STORE : SseOp.MOV_LOAD, X16);
      if (pfx === 2) return set(insn, store ? SseOp.MOVSS_STORE : SseOp.MOVSS_LOAD, F_SSE | F_XMM | 4);
      return set(insn, store ? SseOp.MOVSD_STORE : SseOp.MOVSD_LOAD, F_SSE | F_XMM | 8);
    }
    case 0x12: case 0x16: {
      const low = op === 0x12;
      if (pfx === 0) {
        if (mem) return set(insn, low ? SseOp.MOVLPS_LOAD : SseOp.MOVHPS_LOAD, F_SSE | F_XMM | 8);
        return set(insn, low ? SseOp.MOVHLPS : SseOp.MOVLHPS, F_SSE | F_XMM);
      }
      if (pfx === 1) return mem ? set(insn, low ? SseOp.MOVLPS_LOAD : SseOp.MOVHPS_LOAD, F_SSE | F_XMM | 8) : dec.ud(insn);
      if (pfx === 2) return set(insn, low ? SseOp.MOVSLDUP : SseOp.MOVSHDUP, X16A);
      return low ? set(insn, SseOp.MOVDDUP, F_SSE | F_XMM | 8) : dec.ud(insn);
    }
    case 0x13: case 0x17:
      if (pfx > 1 || !mem) return dec.ud(insn);
      return set(insn, op === 0x13 ? SseOp.MOVLPS_STORE : SseOp.MOVHPS_STORE, F_SSE | F_XMM | 8);
    case 0x14: case 0x15:
      if (pfx > 1) return dec.ud(insn);
      if (op === 0x14) return set(insn, pfx === 0 ? SseOp.PUNPCKLDQ : SseOp.PUNPCKLQDQ, X16A);
      return set(insn, pfx === 0 ? SseOp.PUNPCKHDQ : SseOp.PUNPCKHQDQ, X16A);
    case 0x28: case 0x29:
      if (pfx > 1) return dec.ud(insn);
      return set(insn, op === 0x28 ? SseOp.MOV_LOAD : SseOp.MOV_STORE, X16A);
    case 0x2a:
      if (pfx === 0) return set(insn, SseOp.CVTPI2PS, F_SSE | F_XMM | F_MMX_RM | 8);
      if (pfx === 1) return set(insn, SseOp.CVTPI2PD, F_SSE | F_XMM | F_MMX_RM | 8);
      return set(insn, pfx === 2 ? SseOp.CVTSI2SS : SseOp.CVTSI2SD, F_SSE | F_XMM | w | (w ? 8 : 4));
    case 0x2b:
      if (pfx > 1 || !mem) return dec.ud(insn);
      return set(insn, SseOp.MOV_STORE, X16A); // MOVNTPS, MOVNTPD
    case 0x2c: case 0x2d: {
      const t = op === 0x2c ? F_TRUNC : 0;
      if (pfx === 0) return set(insn, SseOp.CVTPS2PI, F_SSE | F_XMM | F_MMX | t | 8);
      if (pfx === 1) return set(insn, SseOp.CVTPD2PI, F_SSE | F_XMM | F_MMX | F_ALIGN | t | 16);
      return set(insn, pfx === 2 ? SseOp.CVTSS2SI : SseOp.CVTSD2SI, F_SSE | F_XMM | w | t | (pfx === 2 ? 4 : 8));
    }
    case 0x2e: case 0x2f:
      if (pfx > 1) return dec.ud(insn);
      return set(insn, op === 0x2e ? SseOp.UCOMIS : SseOp.COMIS, F_SSE | F_XMM | (pfx === 0 ? SS | 4 : SD | 8));
    case 0x50:
      if (pfx > 1 || mem) return dec.ud(insn);
      return set(insn, pfx === 0 ? SseOp.MOVMSKPS : SseOp.MOVMSKPD, F_SSE | F_XMM);
    case 0x52: case 0x53: {
      const o = op === 0x52 ? SseOp.RSQRT : SseOp.RCP;
      if (pfx === 0) return set(insn, o, PS | X16A);
      if (pfx === 2) return set(insn, o, SS | F_SSE | F_XMM | 4);
      return dec.ud(insn);
    }
    case 0x54: case 0x55: case 0x56: case 0x57:
      if (pfx > 1) return dec.ud(insn);
      return set(insn, LOGIC_OPS[op - 0x54], X16A);
    case 0x5a:
      if (pfx === 0) return set(insn, SseOp.CVTPS2PD, F_SSE | F_XMM | 8);
      if (pfx === 1) return set(insn, SseOp.CVTPD2PS, X16A);
      if (pfx === 2) return set(insn, SseOp.CVTSS2SD, F_SSE | F_XMM | 4);
      return set(insn, SseOp.CVTSD2SS, F_SSE | F_XMM | 8);
    case 0x5b:
      if (pfx === 0) return set(insn, SseOp.CVTDQ2PS, X16A);
      if (pfx === 1) return set(insn, SseOp.CVTPS2DQ, X16A);
      if (pfx === 2) return set(insn, SseOp.CVTPS2DQ, X16A | F_TRUNC);
      return dec.ud(insn);
    case 0x6c: case 0x6d:
      if (pfx !== 1) return dec.ud(insn);
      return set(insn, op === 0x6c ? SseOp.PUNPCKLQDQ : SseOp.PUNPCKHQDQ, X16A);
    case 0x6e: case 0x7e:
      if (pfx === 2 && op === 0x7e) return set(insn, SseOp.MOVQ_XMM_LOAD, F_SSE | F_XMM | 8);
      if (pfx > 1) return dec.ud(insn);
      return set(insn, op === 0x6e ? SseOp.MOVD_TO : SseOp.MOVD_FROM, (pfx === 0 ? F_MMX : F_SSE | F_XMM) | w | (w ? 8 : 4));
    case 0x6f: case 0x7f: {
      const o = op === 0x6f ? SseOp.MOV_LOAD : SseOp.MOV_STORE;
      if (pfx === 0) return set(insn, o, MM8);
      if (pfx === 1) return set(insn, o, X16A);
      if (pfx === 2) return set(insn, o, X16);
      return dec.ud(insn);
    }
    case 0x70:
      insn.imm = dec.b();
      if (pfx === 0) return set(insn, SseOp.PSHUFW, MM8);
      return set(insn, pfx === 1 ? SseOp.PSHUFD : pfx === 2 ? SseOp.PSHUFHW : SseOp.PSHUFLW, X16A);
    case 0x71: case 0x72: case 0x73: {
      insn.imm = dec.b();
      if (pfx > 1 || mem) return dec.ud(insn);
      const o = shiftImmOp(op, insn.ext, pfx === 1);
      if (o < 0) return dec.ud(insn);
      insn.reg = insn.rm;
      return set(insn, o, (pfx === 0 ? F_MMX : F_SSE | F_XMM) | F_IMM);
    }
    case 0x7c: case 0x7d: {
      const o = op === 0x7c ? SseOp.HADD : SseOp.HSUB;
      if (pfx === 1) return set(insn, o, PD | X16A);
      if (pfx === 3) return set(insn, o, PS | X16A);
      return dec.ud(insn);
    }
    case 0xc3:
      if (pfx !== 0 || !mem) return dec.ud(insn);
      return set(insn, SseOp.MOVNTI, w | (w ? 8 : 4));
    case 0xc4:
      insn.imm = dec.b();
      if (pfx > 1) return dec.ud(insn);
      return set(insn, SseOp.PINSRW, (pfx === 0 ? F_MMX : F_SSE | F_XMM) | 2);
    case 0xc5:
      insn.imm = dec.b();
      if (pfx > 1 || mem) return dec.ud(insn);
      return set(insn, SseOp.PEXTRW, pfx === 0 ? F_MMX : F_SSE | F_XMM);
    case 0xc6:
      insn.imm = dec.b();
      if (pfx > 1) return dec.ud(insn);
      return set(insn, pfx === 0 ? SseOp.SHUFPS : SseOp.SHUFPD, X16A);
    case 0xd0:
      if (pfx === 1) return set(insn, SseOp.ADDSUB, PD | X16A);
      if (pfx === 3) return set(insn, SseOp.ADDSUB, PS | X16A);
      return dec.ud(insn);
    case 0xd6:
      if (pfx === 1) return set(insn, SseOp.MOVQ_XMM_STORE, F_SSE | F_XMM | 8);
      if (pfx < 2 || mem) return dec.ud(insn);
      return set(insn, pfx === 2 ? SseOp.MOVQ2DQ : SseOp.MOVDQ2Q, F_SSE | F_XMM | F_MMX | F_MMX_RM);
    case 0xd7:
      if (pfx > 1 || mem) return dec.ud(insn);
      return set(insn, SseOp.PMOVMSKB, pfx === 0 ? F_MMX : F_SSE | F_XMM);
    case 0xe6:
      if (pfx === 1) return set(insn, SseOp.CVTPD2DQ, X16A | F_TRUNC);
      if (pfx === 2) return set(insn, SseOp.CVTDQ2PD, F_SSE | F_XMM | 8);
      if (pfx === 3) return set(insn, SseOp.CVTPD2DQ, X16A);
      return dec.ud(insn);
    case 0xe7:
      if (pfx > 1 || !mem) return dec.ud(insn);
      return set(insn, SseOp.MOV_STORE, pfx === 0 ? MM8 : X16A); // MOVNTQ, MOVNTDQ
    case 0xf0:
      if (pfx !== 3 || !mem) return dec.ud(insn);
      return set(insn, SseOp.MOV_LOAD, X16); // LDDQU
    case 0xf7:
      if (pfx > 1 || mem) return dec.ud(insn);
      return set(insn, SseOp.MASKMOV, pfx === 0 ? F_MMX : F_SSE | F_XMM);
    case 0x3a0f:
      insn.imm = dec.b();
      if (pfx > 1) return dec.ud(insn);
      return set(insn, SseOp.PALIGNR, pfx === 0 ? MM8 : X16A);
  }
  return dec.ud(insn);
}

function set(insn: Insn, sub: SseOp, flags: number): void {
  insn.op = Op.SSE;
  insn.sub = sub;
  insn.imm2 = flags;
}

/** The 0F 71/72/73 groups by ModRM.reg; PSRLDQ/PSLLDQ exist only in the XMM form. */
function shiftImmOp(op: number, ext: number, xmm: boolean): number {
  if (op === 0x71) return ext === 2 ? SseOp.PSRLW : ext === 4 ? SseOp.PSRAW : ext === 6 ? SseOp.PSLLW : -1;
  if (op === 0x72) return ext === 2 ? SseOp.PSRLD : ext === 4 ? SseOp.PSRAD : ext === 6 ? SseOp.PSLLD : -1;
  if (ext === 2) return SseOp.PSRLQ;
  if (ext === 6) return SseOp.PSLLQ;
  if (xmm && ext === 3) return SseOp.PSRLDQ;
  if (xmm && ext === 7) return SseOp.PSLLDQ;
  return -1;
}
