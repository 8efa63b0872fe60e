/*
 * Decoding of the segmentation and protection instructions: the 0F 00 group (SLDT, STR, LLDT,
 * LTR, VERR, VERW), LAR, LSL and ARPL (op 0x163).  They execute in seg-helper.ts as Op.SEG.
 */
import { Op, type Decoder, type Insn } from './decode.js';

export function decodeSeg(dec: Decoder, insn: Insn, op: number): void {
  dec.modrmE(insn, false, false);
  insn.op = Op.UD; // not implemented yet: raises #UD
}
