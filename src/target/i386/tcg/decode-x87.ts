/*
 * Decoding of the x87 escape opcodes D8-DF, FWAIT (9B) and the 0F AE state group (FXSAVE,
 * FXRSTOR, LDMXCSR, STMXCSR, XSAVE, XRSTOR, XSAVEOPT).  They execute in fpu-exec.ts as Op.X87.
 *
 * insn.sub (X87_*): memory forms 0x00-0x3f = ((opcode & 7) << 3) | ModRM.reg, as QEMU's
 * translator numbers them; register forms 0x40 | that, with ST(i) in insn.rm & 7.  Encodings
 * QEMU rejects decode to X87_ILLEGAL rather than Op.UD: CR0.EM/TS is checked first (#NM), as
 * in QEMU.  The state group keeps REX.W in insn.size (8).
 */
import { Op, type Decoder, type Insn } from './decode.js';

export const X87_REG = 0x40;
export const X87_ILLEGAL = 0xff;
export const X87_FWAIT = 0x100;
/** 0F AE /0../6: X87_STATE + ModRM.reg. */
export const X87_STATE = 0x110;

/** Register forms QEMU accepts, indexed by ((opcode & 7) << 3) | reg; rm is checked for the groups. */
function regFormValid(op: number, rm: number): boolean {
  switch (op) {
    case 0x0a: return rm === 0; // FNOP
    case 0x0c: return rm === 0 || rm === 1 || rm === 4 || rm === 5; // FCHS FABS FTST FXAM
    case 0x0d: return rm !== 7; // constants
    case 0x15: return rm === 1; // FUCOMPP
    case 0x1c: return rm <= 4; // FENI FDISI FNCLEX FNINIT FSETPM
    case 0x33: return rm === 1; // FCOMPP
    case 0x3c: return rm === 0; // FNSTSW AX
    case 0x14: case 0x16: case 0x17: case 0x1f: case 0x2e: case 0x2f: case 0x3f:
      return false;
    default: return true;
  }
}

export function decodeX87(dec: Decoder, insn: Insn, op: number): void {
  insn.op = Op.X87;
  if (op === 0x9b) {
    insn.sub = X87_FWAIT;
    return;
  }
  dec.modrmE(insn, false, false);
  const x = ((op & 7) << 3) | insn.ext;
  if (insn.mod !== 3) {
    // D9 /1, DB /4, DB /6, DD /5 have no memory form.
    insn.sub = x === 0x09 || x === 0x1c || x === 0x1e || x === 0x2d ? X87_ILLEGAL : x;
    return;
  }
  insn.rm &= 7; // REX.B does not extend ST(i)
  insn.sub = regFormValid(x, insn.rm) ? X87_REG | x : X87_ILLEGAL;
}

/** 0F AE with ModRM already decoded, other than the fences and CLFLUSH. */
export function decodeX87State(dec: Decoder, insn: Insn): void {
  // Register forms here are F3-prefixed (RDFSBASE..., INCSSP, UMONITOR) or 66-prefixed fences;
  // 66 /6 and /7 memory forms are CLWB/CLFLUSHOPT, F3/F2 forms other extensions: none implemented.
  if (insn.mod === 3 || insn.rep !== 0 || dec.opPrefix || insn.lock || insn.ext === 7) {
    dec.ud(insn);
    return;
  }
  insn.op = Op.X87;
  insn.sub = X87_STATE + insn.ext;
  insn.size = dec.rexW ? 8 : 4;
}
