/*
 * What decode-sse.ts hands to sse-exec.ts: the operation (insn.sub, SseOp) and its operand
 * attributes packed into insn.imm2 (F_* bits), plus the scratch vectors the executors share.
 */

/** Operations of the SSE/MMX group (insn.sub). */
export const enum SseOp {
  /* moves */
  MOV_LOAD, MOV_STORE, MOVSS_LOAD, MOVSS_STORE, MOVSD_LOAD, MOVSD_STORE, MOVLPS_LOAD, MOVHLPS,
  MOVLPS_STORE, MOVHPS_LOAD, MOVLHPS, MOVHPS_STORE, MOVSLDUP, MOVSHDUP, MOVDDUP, MOVMSKPS, MOVMSKPD,
  MOVD_TO, MOVD_FROM, MOVQ_XMM_LOAD, MOVQ_XMM_STORE, MOVQ2DQ, MOVDQ2Q, MASKMOV, MOVNTI, PMOVMSKB,
  PEXTRW, PINSRW, EMMS,
  /* floating point */
  ADD, SUB, MUL, DIV, MIN, MAX, SQRT, RCP, RSQRT, CMP, COMIS, UCOMIS, ADDSUB, HADD, HSUB,
  CVTPI2PS, CVTPI2PD, CVTSI2SS, CVTSI2SD, CVTPS2PI, CVTPD2PI, CVTSS2SI, CVTSD2SI, CVTPS2PD, CVTPD2PS,
  CVTSS2SD, CVTSD2SS, CVTDQ2PS, CVTPS2DQ, CVTPD2DQ, CVTDQ2PD,
  /* shuffles, packs, unpacks */
  SHUFPS, SHUFPD, PSHUFW, PSHUFD, PSHUFHW, PSHUFLW, PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PUNPCKLQDQ,
  PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ, PUNPCKHQDQ, PACKSSWB, PACKUSWB, PACKSSDW,
  /* integer */
  PADDB, PADDW, PADDD, PADDQ, PSUBB, PSUBW, PSUBD, PSUBQ, PADDSB, PADDSW, PADDUSB, PADDUSW, PSUBSB,
  PSUBSW, PSUBUSB, PSUBUSW, PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD, PSADBW, PAVGB, PAVGW, PMINUB,
  PMAXUB, PMINSW, PMAXSW, PCMPEQB, PCMPEQW, PCMPEQD, PCMPGTB, PCMPGTW, PCMPGTD, PAND, PANDN, POR, PXOR,
  PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD, PSLLW, PSLLD, PSLLQ, PSRLDQ, PSLLDQ,
  /* SSSE3 */
  PSHUFB, PHADDW, PHADDD, PHADDSW, PMADDUBSW, PHSUBW, PHSUBD, PHSUBSW, PSIGNB, PSIGNW, PSIGND, PMULHRSW,
  PABSB, PABSW, PABSD, PALIGNR,
}

/* insn.imm2: bits 0-4 the memory operand size in bytes (2, 4, 8, 16). */
export const F_MEMSIZE = 0x1f;
/** The 16-byte memory operand must be 16-byte aligned (#GP(0) otherwise). */
export const F_ALIGN = 0x20;
/** XMM width (16-byte vectors); without it the vector operands are MMX registers (8 bytes). */
export const F_XMM = 0x40;
/** Touches MMX registers: MMX checks (#UD, #NM, #MF) and the switch to MMX mode. */
export const F_MMX = 0x80;
/** SSE checks (#UD on CR0.EM or !CR4.OSFXSR, #NM on CR0.TS). */
export const F_SSE = 0x100;
/** Shift count from imm8 (the 0F 71-73 groups) instead of the source operand. */
export const F_IMM = 0x200;
/** Floating-point format: packed single, packed double, scalar single, scalar double. */
export const F_FMT_SHIFT = 10;
export const FMT_PS = 0, FMT_PD = 1, FMT_SS = 2, FMT_SD = 3;
/** Conversions: truncate (CVTT*). */
export const F_TRUNC = 0x1000;
/** The r/m operand is an MMX register (CVTPI2PS, MOVQ2DQ) or the reg operand is (CVTPS2PI, MOVDQ2Q). */
export const F_MMX_RM = 0x2000;
/** MOVD/MOVQ, CVTSI2S*, CVT*2SI, MOVNTI: a 64-bit general register operand (REX.W). */
export const F_W = 0x4000;

/*
 * Scratch vectors: A = the destination operand, B = the source, R = a separate result, as
 * bytes/words/dwords (little-endian host, as the soft-float fast paths also assume).
 */
export const A32 = new Int32Array(4), B32 = new Int32Array(4), R32 = new Int32Array(4);
export const A8 = new Uint8Array(A32.buffer), B8 = new Uint8Array(B32.buffer), R8 = new Uint8Array(R32.buffer);
export const A8s = new Int8Array(A32.buffer), B8s = new Int8Array(B32.buffer), R8s = new Int8Array(R32.buffer);
export const A16 = new Uint16Array(A32.buffer), B16 = new Uint16Array(B32.buffer), R16 = new Uint16Array(R32.buffer);
export const A16s = new Int16Array(A32.buffer), B16s = new Int16Array(B32.buffer), R16s = new Int16Array(R32.buffer);
