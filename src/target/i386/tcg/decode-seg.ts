/*
 * Decoding of the segmentation and protection instructions: the 0F 00 group (SLDT, STR, LLDT,
 * LTR, VERR, VERW), LAR, LSL and ARPL (op 0x163).  They execute in seg-exec.ts as Op.SEG.
 */
import { Op, type Decoder, type Insn } from './decode.js';

/** Op.SEG sub-operations (insn.sub). */
export const enum SegOp { SLDT, STR, LLDT, LTR, VERR, VERW, LAR, LSL, ARPL }

export function decodeSeg(dec: Decoder, insn: Insn, op: number): void {
  dec.modrmE(insn, false, false);
  insn.op = Op.SEG;
  if (op === 0x00) {
    if (insn.ext > 5) return dec.ud(insn);
    insn.sub = insn.ext; // SegOp.SLDT .. SegOp.VERW follow the ModRM.reg encoding
  } else if (op === 0x02) insn.sub = SegOp.LAR;
  else if (op === 0x03) insn.sub = SegOp.LSL;
  else insn.sub = SegOp.ARPL;
}
