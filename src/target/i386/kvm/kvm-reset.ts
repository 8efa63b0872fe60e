/*
 * A vCPU's architectural reset put into KVM: what x86_cpu_reset() computes
 * (SDM Vol. 3 Table 9-1 "IA-32 and Intel 64 Processor States Following
 * Power-up, Reset, or INIT") and kvm_arch_put_registers(KVM_PUT_RESET_STATE)
 * writes, with kvm_arch_reset_vcpu()'s MP state and the LAPIC's reset.
 * Only while the vCPU is stopped (a vCPU inside KVM_RUN holds its mutex).
 */
import type { KVMState } from '../../../accel/kvm/kvm-all.js';
import * as K from '../../../accel/kvm/kvm-consts.js';
import { strerrorErrno } from '../../../util/strerror.js';
import { APIC_LVT0, kvmPutResetMsrs } from './kvm.js';
import {
  REG_RDX, REG_RFLAGS, REG_RIP, REGS_SIZE, SEG_BASE, SEG_LIMIT, SEG_PRESENT, SEG_S, SEG_SELECTOR, SEG_TYPE, SREG_APIC_BASE,
  SREG_CR0, SREG_CS, SREG_DS, SREG_ES, SREG_FS, SREG_GDT, SREG_GS, SREG_IDT, SREG_LDT, SREG_SS, SREG_TR, SREGS_SIZE,
} from './kvm-regs.js';

const KVM_SET_VCPU_EVENTS = 0x4040aea0;
const KVM_SET_DEBUGREGS = 0x4080aea2;

export interface X86ResetInfo {
  bsp: boolean;
  apicId: number;
  /** CPUID.1:EAX, which the processor leaves in EDX after reset. */
  cpuidVersion: number;
}

function put(s: KVMState, fd: number, req: number, b: DataView, what: string): void {
  const r = s.sys.ioctl(fd, req, b);
  if (r < 0) throw new Error(`${what}: ${strerrorErrno(-r)}`);
}

function seg(b: DataView, off: number, selector: number, base: number, type: number, s: boolean): void {
  b.setUint16(off + SEG_SELECTOR, selector, true);
  b.setBigUint64(off + SEG_BASE, BigInt(base), true);
  b.setUint32(off + SEG_LIMIT, 0xffff, true);
  b.setUint8(off + SEG_TYPE, type);
  b.setUint8(off + SEG_PRESENT, 1);
  b.setUint8(off + SEG_S, s ? 1 : 0);
}

/** The LAPIC's reset (apic_reset_common + apic_init_reset): IDs kept, everything else cleared, LVTs masked. */
function lapicReset(s: KVMState, fd: number, info: X86ResetInfo): void {
  const page = new DataView(new ArrayBuffer(1024));
  put(s, fd, K.KVM_GET_LAPIC, page, 'KVM_GET_LAPIC');
  page.setUint32(0x20, info.apicId << 24, true); // ID
  page.setUint32(0x80, 0, true); // TPR
  page.setUint32(0xd0, 0, true); // LDR
  page.setUint32(0xe0, 0xffffffff, true); // DFR: flat
  page.setUint32(0xf0, 0xff, true); // SVR: software-disabled, vector 0xff
  for (let r = 0x100; r < 0x280; r += 0x10) page.setUint32(r, 0, true); // ISR, TMR, IRR
  for (const r of [0x280, 0x300, 0x310, 0x380, 0x3e0]) page.setUint32(r, 0, true); // ESR, ICR, timer count, divide
  for (let r = 0x320; r <= 0x370; r += 0x10) page.setUint32(r, 1 << 16, true); // LVTs masked
  if (info.bsp) page.setUint32(APIC_LVT0, 0x700, true); // ExtINT, so the PIC reaches the BSP
  put(s, fd, K.KVM_SET_LAPIC, page, 'KVM_SET_LAPIC');
}

/** Puts the reset state into one vCPU. */
export function kvmX86ResetVcpu(s: KVMState, fd: number, info: X86ResetInfo): void {
  const regs = new DataView(new ArrayBuffer(REGS_SIZE));
  regs.setBigUint64(REG_RDX, BigInt(info.cpuidVersion >>> 0), true);
  regs.setBigUint64(REG_RIP, 0xfff0n, true);
  regs.setBigUint64(REG_RFLAGS, 2n, true);
  put(s, fd, K.KVM_SET_REGS, regs, 'KVM_SET_REGS');

  const fpu = new DataView(new ArrayBuffer(0x1a0));
  fpu.setUint16(0x80, 0x37f, true); // FCW
  fpu.setUint32(0x198, 0x1f80, true); // MXCSR
  put(s, fd, K.KVM_SET_FPU, fpu, 'KVM_SET_FPU');

  // From the current values, so that fields the reset does not define (the
  // pending-interrupt bitmap) stay consistent with the in-kernel LAPIC.
  const sregs = new DataView(new ArrayBuffer(SREGS_SIZE));
  put(s, fd, K.KVM_GET_SREGS, sregs, 'KVM_GET_SREGS');
  for (let o = 0; o < 0xe0; o++) sregs.setUint8(o, 0); // segments and descriptor tables
  for (let o = SREG_CR0; o < SREG_APIC_BASE; o++) sregs.setUint8(o, 0); // CRs and EFER
  seg(sregs, SREG_CS, 0xf000, 0xffff0000, 0xb, true);
  for (const o of [SREG_DS, SREG_ES, SREG_FS, SREG_GS, SREG_SS]) seg(sregs, o, 0, 0, 3, true);
  seg(sregs, SREG_LDT, 0, 0, 2, false);
  seg(sregs, SREG_TR, 0, 0, 0xb, false);
  sregs.setUint16(SREG_GDT + 8, 0xffff, true);
  sregs.setUint16(SREG_IDT + 8, 0xffff, true);
  sregs.setBigUint64(SREG_CR0, 0x60000010n, true); // CD | NW | ET
  sregs.setBigUint64(SREG_APIC_BASE, BigInt((0xfee00000 | 0x800 | (info.bsp ? 0x100 : 0)) >>> 0), true);
  put(s, fd, K.KVM_SET_SREGS, sregs, 'KVM_SET_SREGS');

  kvmPutResetMsrs(s, fd);
  if (s.kernelIrqchip) lapicReset(s, fd, info);

  const mp = new DataView(new ArrayBuffer(4));
  mp.setUint32(0, info.bsp ? K.KVM_MP_STATE_RUNNABLE : K.KVM_MP_STATE_UNINITIALIZED, true);
  put(s, fd, K.KVM_SET_MP_STATE, mp, 'KVM_SET_MP_STATE');

  // No pending exception, interrupt or NMI; no interrupt shadow.
  put(s, fd, KVM_SET_VCPU_EVENTS, new DataView(new ArrayBuffer(64)), 'KVM_SET_VCPU_EVENTS');

  const dr = new DataView(new ArrayBuffer(128));
  dr.setBigUint64(32, 0xffff0ff0n, true); // DR6
  dr.setBigUint64(40, 0x400n, true); // DR7
  put(s, fd, KVM_SET_DEBUGREGS, dr, 'KVM_SET_DEBUGREGS');
}
