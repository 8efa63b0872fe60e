/*
 * Decoding of the system instructions: the 0F 01 group (descriptor tables, SMSW/LMSW, INVLPG,
 * SWAPGS, RDTSCP, XGETBV/XSETBV, ...), CLTS, INVD/WBINVD, MOV to/from CR and DR, RDMSR/WRMSR,
 * RDPMC, SYSCALL/SYSRET/SYSENTER/SYSEXIT, INVPCID (0x38xx) and the 0F C7 register forms.
 * They execute in misc-helper.ts as Op.SYS.
 */
import { Op, type Decoder, type Insn } from './decode.js';

export function decodeSys(dec: Decoder, insn: Insn, op: number): void {
  if (op === 0x01) {
    dec.modrmE(insn, false, false);
    if (insn.mod === 3 && insn.ext === 7 && insn.rm === 1) {
      insn.op = Op.RDTSCP;
      return;
    }
  }
  insn.op = Op.UD; // the rest is not implemented yet: raises #UD
}

/** 0F C7 with ModRM already decoded (its memory /1 form is CMPXCHG8B/16B). */
export function decodeSysC7(dec: Decoder, insn: Insn): void {
  dec.ud(insn);
}
