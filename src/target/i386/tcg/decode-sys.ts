/*
 * Decoding of the system instructions: the 0F 01 group (descriptor tables, SMSW/LMSW, INVLPG,
 * SWAPGS, RDTSCP, XGETBV/XSETBV, ...), CLTS, INVD/WBINVD, MOV to/from CR and DR, RDMSR/WRMSR,
 * RDPMC, SYSCALL/SYSRET/SYSENTER/SYSEXIT, INVPCID (0x38xx) and the 0F C7 register forms.
 * They execute in misc-helper.ts as Op.SYS with insn.sub one of the SYS_* operations below.
 *
 * As in QEMU's translate.c, the decoder only rejects encodings that are invalid whatever the
 * CPU state; privilege, mode and feature checks happen at execution time, because decoded
 * instructions are cached and reused.
 */
import { Op, type Decoder, type Insn } from './decode.js';

export const enum SysOp {
  SGDT = 1, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG, SWAPGS, MONITOR, MWAIT, CLAC, STAC, XGETBV,
  XSETBV, RDPKRU, WRPKRU, CLTS, INVD, WBINVD, MOV_FROM_CR, MOV_TO_CR, MOV_FROM_DR, MOV_TO_DR,
  RDMSR, WRMSR, RDPMC, SYSCALL, SYSRET, SYSENTER, SYSEXIT, INVPCID, RDPID, RDRAND, RDSEED,
  /** A VMX/SVM instruction: #UD (neither extension is offered under TCG here). */
  VIRT,
}

export function decodeSys(dec: Decoder, insn: Insn, op: number): void {
  insn.op = Op.SYS;
  switch (op) {
    case 0x01: return decodeGroup7(dec, insn);
    case 0x05: insn.sub = SysOp.SYSCALL; return;
    case 0x06: insn.sub = SysOp.CLTS; return;
    case 0x07: insn.sub = SysOp.SYSRET; insn.size = dec.rexW ? 8 : 4; return;
    case 0x08: insn.sub = SysOp.INVD; return;
    case 0x09: insn.sub = SysOp.WBINVD; return;
    case 0x20: case 0x21: case 0x22: case 0x23: {
      // The mod bits are ignored (taken as 11b), as QEMU and real processors do.
      const m = dec.b();
      insn.mod = 3;
      insn.ext = (m >> 3) & 7;
      insn.reg = insn.ext | dec.rexR;
      insn.rm = (m & 7) | dec.rexB;
      insn.size = insn.mode === 8 ? 8 : 4;
      insn.sub = op === 0x20 ? SysOp.MOV_FROM_CR : op === 0x22 ? SysOp.MOV_TO_CR : op === 0x21 ? SysOp.MOV_FROM_DR : SysOp.MOV_TO_DR;
      if (insn.lock && op <= 0x22 && op !== 0x21) {
        // LOCK MOV CR0 is AMD's alternative encoding of CR8 (CR8LEG): checked at execution.
        insn.lock = false;
        insn.imm = 1;
      }
      return;
    }
    case 0x30: insn.sub = SysOp.WRMSR; return;
    case 0x32: insn.sub = SysOp.RDMSR; return;
    case 0x33: insn.sub = SysOp.RDPMC; return;
    case 0x34: insn.sub = SysOp.SYSENTER; return;
    case 0x35: insn.sub = SysOp.SYSEXIT; insn.size = dec.rexW ? 8 : 4; return;
    case 0x3880: case 0x3881:
      dec.modrmE(insn, false, false);
      insn.sub = SysOp.VIRT;
      return;
    case 0x3882:
      // INVPCID: 66 prefix, memory operand; the register is 64-bit in 64-bit mode.
      dec.modrmE(insn, false, false);
      if (!dec.opPrefix || insn.mod === 3 || insn.rep !== 0) return dec.ud(insn);
      insn.sub = SysOp.INVPCID;
      insn.size = insn.mode === 8 ? 8 : 4;
      return;
  }
  dec.ud(insn);
}

/** 0F 01 (SDM Vol. 2 table A-6, group 7). */
function decodeGroup7(dec: Decoder, insn: Insn): void {
  dec.modrmE(insn, false, false);
  const ext = insn.ext;
  if (insn.mod !== 3) {
    switch (ext) {
      case 0: insn.sub = SysOp.SGDT; return;
      case 1: insn.sub = SysOp.SIDT; return;
      case 2: insn.sub = SysOp.LGDT; return;
      case 3: insn.sub = SysOp.LIDT; return;
      case 4: insn.sub = SysOp.SMSW; return;
      case 6: insn.sub = SysOp.LMSW; return;
      case 7: insn.sub = SysOp.INVLPG; return;
      default: return dec.ud(insn);
    }
  }
  const rm = insn.rm & 7;
  switch (ext) {
    case 0: insn.sub = SysOp.VIRT; return; // VMCALL, VMLAUNCH, VMRESUME, VMXOFF
    case 1:
      switch (rm) {
        case 0: insn.sub = SysOp.MONITOR; return;
        case 1: insn.sub = SysOp.MWAIT; return;
        case 2: insn.sub = SysOp.CLAC; return;
        case 3: insn.sub = SysOp.STAC; return;
        default: return dec.ud(insn);
      }
    case 2:
      switch (rm) {
        case 0: insn.sub = SysOp.XGETBV; return;
        case 1: insn.sub = SysOp.XSETBV; return;
        case 4: insn.sub = SysOp.VIRT; return; // VMFUNC
        default: return dec.ud(insn);
      }
    case 3: insn.sub = SysOp.VIRT; return; // the SVM instructions
    case 4: insn.sub = SysOp.SMSW; return;
    case 5:
      if (rm === 6) { insn.sub = SysOp.RDPKRU; return; }
      if (rm === 7) { insn.sub = SysOp.WRPKRU; return; }
      return dec.ud(insn);
    case 6: insn.sub = SysOp.LMSW; return;
    default:
      if (rm === 0) { insn.sub = SysOp.SWAPGS; return; }
      if (rm === 1) { insn.op = Op.RDTSCP; return; }
      return dec.ud(insn);
  }
}

/** 0F C7 with ModRM already decoded (its memory /1 form is CMPXCHG8B/16B). */
export function decodeSysC7(dec: Decoder, insn: Insn): void {
  if (insn.mod !== 3 || insn.lock || insn.rep === 0xf2) return dec.ud(insn);
  insn.op = Op.SYS;
  if (insn.ext === 6 && insn.rep === 0) insn.sub = SysOp.RDRAND;
  else if (insn.ext === 7) {
    insn.sub = insn.rep === 0xf3 ? SysOp.RDPID : SysOp.RDSEED;
    if (insn.sub === SysOp.RDPID) insn.size = insn.mode === 8 ? 8 : 4;
  } else dec.ud(insn);
}
