/*
 * x86 vCPU registers through KVM (kvm_getput_regs, kvm_get/put_sregs) and
 * QEMU's register dump (target/i386/cpu-dump.c x86_cpu_dump_state with
 * CPU_DUMP_CODE) computed from them, for "KVM internal error" and friends.
 * Register values are cold-path data here, so 64-bit ones are BigInt.
 */
import type { KVMState } from '../../../accel/kvm/kvm-all.js';
import * as K from '../../../accel/kvm/kvm-consts.js';
import { strerrorErrno } from '../../../util/strerror.js';

/** kvm_regs offsets: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags. */
export const REGS_SIZE = 144;
export const REG_RAX = 0, REG_RBX = 8, REG_RCX = 0x10, REG_RDX = 0x18, REG_RSI = 0x20, REG_RDI = 0x28;
export const REG_RSP = 0x30, REG_RBP = 0x38, REG_R8 = 0x40, REG_RIP = 0x80, REG_RFLAGS = 0x88;

/** kvm_sregs offsets. */
export const SREGS_SIZE = 312;
export const SREG_CS = 0, SREG_DS = 0x18, SREG_ES = 0x30, SREG_FS = 0x48, SREG_GS = 0x60, SREG_SS = 0x78;
export const SREG_TR = 0x90, SREG_LDT = 0xa8, SREG_GDT = 0xc0, SREG_IDT = 0xd0;
export const SREG_CR0 = 0xe0, SREG_CR2 = 0xe8, SREG_CR3 = 0xf0, SREG_CR4 = 0xf8, SREG_CR8 = 0x100;
export const SREG_EFER = 0x108, SREG_APIC_BASE = 0x110;

/** kvm_segment field offsets (24 bytes). */
export const SEG_BASE = 0, SEG_LIMIT = 8, SEG_SELECTOR = 0xc, SEG_TYPE = 0xe, SEG_PRESENT = 0xf, SEG_DPL = 0x10;
export const SEG_DB = 0x11, SEG_S = 0x12, SEG_L = 0x13, SEG_G = 0x14, SEG_AVL = 0x15, SEG_UNUSABLE = 0x16;

function getBuf(s: KVMState, fd: number, req: number, size: number, what: string): DataView {
  const b = new DataView(new ArrayBuffer(size));
  const r = s.sys.ioctl(fd, req, b);
  if (r < 0) throw new Error(`${what}: ${strerrorErrno(-r)}`);
  return b;
}

function putBuf(s: KVMState, fd: number, req: number, b: DataView, what: string): void {
  const r = s.sys.ioctl(fd, req, b);
  if (r < 0) throw new Error(`${what}: ${strerrorErrno(-r)}`);
}

export const kvmGetRegs = (s: KVMState, fd: number): DataView => getBuf(s, fd, K.KVM_GET_REGS, REGS_SIZE, 'KVM_GET_REGS');
export const kvmSetRegs = (s: KVMState, fd: number, b: DataView): void => putBuf(s, fd, K.KVM_SET_REGS, b, 'KVM_SET_REGS');
export const kvmGetSregs = (s: KVMState, fd: number): DataView => getBuf(s, fd, K.KVM_GET_SREGS, SREGS_SIZE, 'KVM_GET_SREGS');
export const kvmSetSregs = (s: KVMState, fd: number, b: DataView): void => putBuf(s, fd, K.KVM_SET_SREGS, b, 'KVM_SET_SREGS');

/** Sets a segment register as real mode does: base = selector << 4, 64 KiB limit. */
export function sregsSetRealModeSegment(b: DataView, seg: number, selector: number): void {
  b.setUint16(seg + SEG_SELECTOR, selector, true);
  b.setBigUint64(seg + SEG_BASE, BigInt(selector << 4), true);
  b.setUint32(seg + SEG_LIMIT, 0xffff, true);
}

/** Sets a flat (base 0, 4 GiB) segment for protected or long mode. */
export function sregsSetFlatSegment(b: DataView, seg: number, selector: number, type: number, code64: boolean): void {
  b.setBigUint64(seg + SEG_BASE, 0n, true);
  b.setUint32(seg + SEG_LIMIT, 0xffffffff, true);
  b.setUint16(seg + SEG_SELECTOR, selector, true);
  b.setUint8(seg + SEG_TYPE, type);
  b.setUint8(seg + SEG_PRESENT, 1);
  b.setUint8(seg + SEG_DPL, 0);
  b.setUint8(seg + SEG_DB, code64 ? 0 : 1);
  b.setUint8(seg + SEG_S, 1);
  b.setUint8(seg + SEG_L, code64 ? 1 : 0);
  b.setUint8(seg + SEG_G, 1);
  b.setUint8(seg + SEG_UNUSABLE, 0);
}

/** KVM_GET_MP_STATE. */
export function kvmGetMpState(s: KVMState, fd: number): number {
  return getBuf(s, fd, K.KVM_GET_MP_STATE, 4, 'KVM_GET_MP_STATE').getUint32(0, true);
}

/** A guest-physical byte reader (the memory map), used for the dump's Code= line. */
export type PhysByteReader = (gpa: number) => number | undefined;

const DESC_TYPE_SHIFT = 8, DESC_S_MASK = 1 << 12, DESC_DPL_SHIFT = 13, DESC_P_MASK = 1 << 15;
const DESC_AVL_MASK = 1 << 20, DESC_L_SHIFT = 21, DESC_B_SHIFT = 22, DESC_G_MASK = 1 << 23;
const DESC_CS_MASK = 1 << 11, DESC_C_MASK = 1 << 10, DESC_R_MASK = 1 << 9, DESC_E_MASK = 1 << 10, DESC_W_MASK = 1 << 9, DESC_A_MASK = 1 << 8;

/** get_seg(): QEMU's SegmentCache flags from a kvm_segment. */
function segFlags(b: DataView, seg: number): number {
  const present = b.getUint8(seg + SEG_PRESENT) && !b.getUint8(seg + SEG_UNUSABLE);
  return ((b.getUint8(seg + SEG_TYPE) << DESC_TYPE_SHIFT) | (present ? DESC_P_MASK : 0) | (b.getUint8(seg + SEG_DPL) << DESC_DPL_SHIFT) |
    (b.getUint8(seg + SEG_DB) << DESC_B_SHIFT) | (b.getUint8(seg + SEG_S) ? DESC_S_MASK : 0) | (b.getUint8(seg + SEG_L) << DESC_L_SHIFT) |
    (b.getUint8(seg + SEG_G) ? DESC_G_MASK : 0) | (b.getUint8(seg + SEG_AVL) ? DESC_AVL_MASK : 0)) >>> 0;
}

const hex = (v: number | bigint, w: number): string => v.toString(16).padStart(w, '0');

const sysTypeName = [
  ['Reserved', 'TSS16-avl', 'LDT', 'TSS16-busy', 'CallGate16', 'TaskGate', 'IntGate16', 'TrapGate16',
    'Reserved', 'TSS32-avl', 'Reserved', 'TSS32-busy', 'CallGate32', 'Reserved', 'IntGate32', 'TrapGate32'],
  ['<hiword>', 'Reserved', 'LDT', 'Reserved', 'Reserved', 'Reserved', 'Reserved', 'Reserved', 'Reserved',
    'TSS64-avl', 'Reserved', 'TSS64-busy', 'CallGate64', 'Reserved', 'IntGate64', 'TrapGate64'],
];

/**
 * x86_cpu_dump_state(cpu, f, CPU_DUMP_CODE) from the vCPU's KVM state, as
 * QEMU prints it after a KVM internal error.
 */
export function kvmCpuDumpState(s: KVMState, fd: number, readPhys: PhysByteReader, withCode = true): string {
  const regs = kvmGetRegs(s, fd);
  const sregs = kvmGetSregs(s, fd);
  const events = getBuf(s, fd, K.KVM_GET_VCPU_EVENTS, 64, 'KVM_GET_VCPU_EVENTS');
  const dregs = getBuf(s, fd, K.KVM_GET_DEBUGREGS, 128, 'KVM_GET_DEBUGREGS');
  const halted = kvmGetMpState(s, fd) === K.KVM_MP_STATE_HALTED ? 1 : 0;
  const r = (off: number): bigint => regs.getBigUint64(off, true);
  const cr0 = Number(sregs.getBigUint64(SREG_CR0, true) & 0xffffffffn);
  const efer = sregs.getBigUint64(SREG_EFER, true);
  const lma = (efer & 0x400n) !== 0n;
  const pe = (cr0 & 1) !== 0;
  const cs64 = lma && sregs.getUint8(SREG_CS + SEG_L) !== 0;
  const cpl = (segFlags(sregs, SREG_SS) >> DESC_DPL_SHIFT) & 3;
  const evFlags = events.getUint32(0x14, true);
  const ii = evFlags & 4 ? (events.getUint8(0xb) ? 1 : 0) : 0;
  const smm = evFlags & 8 ? events.getUint8(0x18) : 0;
  const eflags = Number(r(REG_RFLAGS) & 0xffffffffn);
  const fl = (m: number, c: string): string => (eflags & m ? c : '-');
  const flagStr = `[${fl(0x400, 'D')}${fl(0x800, 'O')}${fl(0x80, 'S')}${fl(0x40, 'Z')}${fl(0x10, 'A')}${fl(0x4, 'P')}${fl(0x1, 'C')}]`;
  const tail = `CPL=${cpl} II=${ii} A20=1 SMM=${smm} HLT=${halted}\n`;
  let out = '';
  if (cs64) {
    const n = ['RAX', 'RBX', 'RCX', 'RDX', 'RSI', 'RDI', 'RBP', 'RSP', 'R8 ', 'R9 ', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];
    const off = [REG_RAX, REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI, REG_RBP, REG_RSP, 0x40, 0x48, 0x50, 0x58, 0x60, 0x68, 0x70, 0x78];
    for (let i = 0; i < 16; i++) out += `${n[i]}=${hex(r(off[i]!), 16)}${i % 4 === 3 ? '\n' : ' '}`;
    out += `RIP=${hex(r(REG_RIP), 16)} RFL=${hex(eflags, 8)} ${flagStr} ${tail}`;
  } else {
    const l = (o: number): string => hex(r(o) & 0xffffffffn, 8);
    out += `EAX=${l(REG_RAX)} EBX=${l(REG_RBX)} ECX=${l(REG_RCX)} EDX=${l(REG_RDX)}\n`;
    out += `ESI=${l(REG_RSI)} EDI=${l(REG_RDI)} EBP=${l(REG_RBP)} ESP=${l(REG_RSP)}\n`;
    out += `EIP=${l(REG_RIP)} EFL=${hex(eflags, 8)} ${flagStr} ${tail}`;
  }
  const dumpSeg = (name: string, seg: number): void => {
    const flags = segFlags(sregs, seg);
    const base = sregs.getBigUint64(seg + SEG_BASE, true);
    const limit = sregs.getUint32(seg + SEG_LIMIT, true);
    const sel = sregs.getUint16(seg + SEG_SELECTOR, true);
    out += cs64
      ? `${name.padEnd(3)}=${hex(sel, 4)} ${hex(base, 16)} ${hex(limit, 8)} ${hex(flags & 0x00ffff00, 8)}`
      : `${name.padEnd(3)}=${hex(sel, 4)} ${hex(base & 0xffffffffn, 8)} ${hex(limit, 8)} ${hex(flags & 0x00ffff00, 8)}`;
    if (pe && flags & DESC_P_MASK) {
      out += ` DPL=${(flags >> DESC_DPL_SHIFT) & 3} `;
      if (flags & DESC_S_MASK) {
        if (flags & DESC_CS_MASK) {
          out += flags & (1 << DESC_L_SHIFT) ? 'CS64' : flags & (1 << DESC_B_SHIFT) ? 'CS32' : 'CS16';
          out += ` [${flags & DESC_C_MASK ? 'C' : '-'}${flags & DESC_R_MASK ? 'R' : '-'}`;
        } else {
          out += flags & (1 << DESC_B_SHIFT) || lma ? 'DS  ' : 'DS16';
          out += ` [${flags & DESC_E_MASK ? 'E' : '-'}${flags & DESC_W_MASK ? 'W' : '-'}`;
        }
        out += `${flags & DESC_A_MASK ? 'A' : '-'}]`;
      } else {
        out += sysTypeName[lma ? 1 : 0]![(flags >> DESC_TYPE_SHIFT) & 15];
      }
    }
    out += '\n';
  };
  const segs: Array<[string, number]> = [['ES', SREG_ES], ['CS', SREG_CS], ['SS', SREG_SS], ['DS', SREG_DS], ['FS', SREG_FS], ['GS', SREG_GS], ['LDT', SREG_LDT], ['TR', SREG_TR]];
  for (const [name, off] of segs) dumpSeg(name, off);
  const gdtBase = sregs.getBigUint64(SREG_GDT, true), gdtLimit = sregs.getUint16(SREG_GDT + 8, true);
  const idtBase = sregs.getBigUint64(SREG_IDT, true), idtLimit = sregs.getUint16(SREG_IDT + 8, true);
  const cr = (o: number): bigint => sregs.getBigUint64(o, true);
  const dr = (i: number): bigint => dregs.getBigUint64(i * 8, true);
  if (lma) {
    out += `GDT=     ${hex(gdtBase, 16)} ${hex(gdtLimit, 8)}\n`;
    out += `IDT=     ${hex(idtBase, 16)} ${hex(idtLimit, 8)}\n`;
    out += `CR0=${hex(cr0, 8)} CR2=${hex(cr(SREG_CR2), 16)} CR3=${hex(cr(SREG_CR3), 16)} CR4=${hex(cr(SREG_CR4) & 0xffffffffn, 8)}\n`;
  } else {
    out += `GDT=     ${hex(gdtBase & 0xffffffffn, 8)} ${hex(gdtLimit, 8)}\n`;
    out += `IDT=     ${hex(idtBase & 0xffffffffn, 8)} ${hex(idtLimit, 8)}\n`;
    out += `CR0=${hex(cr0, 8)} CR2=${hex(cr(SREG_CR2) & 0xffffffffn, 8)} CR3=${hex(cr(SREG_CR3) & 0xffffffffn, 8)} CR4=${hex(cr(SREG_CR4) & 0xffffffffn, 8)}\n`;
  }
  // kvm_debugregs: db[0..3], dr6 at 32, dr7 at 40.
  for (let i = 0; i < 4; i++) out += `DR${i}=${hex(dr(i), 16)} `;
  out += `\nDR6=${hex(dr(4), 16)} DR7=${hex(dr(5), 16)}\n`;
  out += `EFER=${hex(efer, 16)}\n`;
  if (!withCode) return out;
  // Code=: 50 bytes around CS.base + EIP, the current one in <>.
  const rip = r(REG_RIP);
  const base = sregs.getBigUint64(SREG_CS + SEG_BASE, true) + rip;
  const offs = rip < 20n ? rip : 20n;
  const paging = (cr0 & 0x80000000) !== 0;
  let code = 'Code=';
  for (let i = 0; i < 50; i++) {
    const lin = (base - offs + BigInt(i)) & 0xffffffffffffffffn;
    const gpa = paging ? kvmTranslate(s, fd, lin) : Number(lin & 0xffffffffn);
    const byte = gpa === undefined ? undefined : readPhys(gpa);
    const str = byte === undefined ? '??' : hex(byte, 2);
    const cur = BigInt(i) === offs;
    code += `${i > 0 ? ' ' : ''}${cur ? '<' : ''}${str}${cur ? '>' : ''}`;
  }
  return out + code + '\n';
}

/** KVM_TRANSLATE: the guest-physical address of a linear one, if mapped. */
export function kvmTranslate(s: KVMState, fd: number, linear: bigint): number | undefined {
  const b = new DataView(new ArrayBuffer(24));
  b.setBigUint64(0, linear, true);
  if (s.sys.ioctl(fd, K.KVM_TRANSLATE, b) < 0 || !b.getUint8(16)) return undefined;
  return Number(b.getBigUint64(8, true));
}
