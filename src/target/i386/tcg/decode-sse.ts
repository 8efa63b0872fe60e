/*
 * Decoding of SSE, SSE2, SSE3, SSSE3 and MMX: the 0F 10-17, 28-2F, 50-7F, C2-C6 and D0-FF rows,
 * and the 0F 38 (op 0x38xx) and 0F 3A (op 0x3axx) maps.  They execute in sse-exec.ts as Op.SSE.
 */
import { Op, type Decoder, type Insn } from './decode.js';

export function decodeSse(_dec: Decoder, insn: Insn, _op: number): void {
  insn.op = Op.UD; // not implemented yet: raises #UD
}
