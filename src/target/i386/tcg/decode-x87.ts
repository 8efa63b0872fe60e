/*
 * Decoding of the x87 escape opcodes D8-DF, FWAIT (9B) and the 0F AE state group (FXSAVE,
 * FXRSTOR, LDMXCSR, STMXCSR, XSAVE, XRSTOR, XSAVEOPT).  They execute in fpu-exec.ts as Op.X87.
 */
import { Op, type Decoder, type Insn } from './decode.js';

export function decodeX87(dec: Decoder, insn: Insn, op: number): void {
  if (op === 0x9b) {
    insn.op = Op.NOP; // FWAIT: no FPU state to check yet
    return;
  }
  dec.modrmE(insn, false, false);
  insn.op = Op.UD; // no FPU yet: raises #UD
}

/** 0F AE with ModRM already decoded, other than the fences and CLFLUSH. */
export function decodeX87State(dec: Decoder, insn: Insn): void {
  dec.ud(insn);
}
