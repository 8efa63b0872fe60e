/*
 * x87 register-stack and status-word plumbing shared by the FPU instructions (QEMU's
 * fpu_helper.c state handling): ST(i) access on the physical registers, push/pop, the
 * stack-fault and exception rules of the SDM (Vol. 1 §8.5), FNINIT, the full tag word, and
 * the #MF / FERR# delivery of pending exceptions.
 *
 * Results follow the hardware (the oracle is the host CPU): an empty operand or a full stack
 * is a stack fault (IE + SF, C1 = overflow); when IE is masked the destination receives the
 * QNaN indefinite, when it is unmasked the instruction changes nothing but the status word.
 * An unmasked IE, DE or ZE likewise leaves registers and TOP untouched; unmasked OE/UE/PE
 * still deliver the (biased / rounded) result.
 */
import type { CPUX86State } from './cpu-state.js';
import type { TcgCpu } from './tcg-cpu.js';
import { FloatStatus, FLAG_INVALID, FLAG_DENORMAL, FLAG_DIVBYZERO } from './softfloat/float-status.js';

export const FPUS_IE = 0x01, FPUS_SF = 0x40, FPUS_SE = 0x80, FPUS_B = 0x8000;
export const FPUS_C0 = 0x100, FPUS_C1 = 0x200, FPUS_C2 = 0x400, FPUS_C3 = 0x4000;
export const FPUS_CC = FPUS_C0 | FPUS_C1 | FPUS_C2 | FPUS_C3;

export const CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_NE = 1 << 5;
export const CR4_OSFXSR = 1 << 9, CR4_OSXSAVE = 1 << 18;
export const EXCP07_PREX = 7, EXCP10_COPR = 16;

/* The QNaN indefinite (the default NaN), as floatx80. */
export const NAN_SE = 0xffff, NAN_HI = 0xc0000000 | 0;

/** One soft-float status for all vCPUs: its controls are reloaded whenever FCW differs. */
const fst = new FloatStatus();
let fstFcw = -1;

/** The x87 FloatStatus loaded from env's control word, with flags and C1 cleared. */
export function fpStatus(env: CPUX86State): FloatStatus {
  if (env.fpuc !== fstFcw) {
    fst.setX87Control(env.fpuc);
    fstFcw = env.fpuc;
  }
  fst.flags = 0;
  fst.c1 = 0;
  return fst;
}

/** Physical register index of ST(i). */
export function stIndex(env: CPUX86State, i: number): number {
  return (env.fpstt + i) & 7;
}

export function stEmpty(env: CPUX86State, i: number): boolean {
  return env.fptags[(env.fpstt + i) & 7] !== 0;
}

/** Writes ST(i) (its tag becomes valid). */
export function setSt(env: CPUX86State, i: number, se: number, hi: number, lo: number): void {
  const p = (env.fpstt + i) & 7;
  const r = env.fpregs;
  r[4 * p] = lo;
  r[4 * p + 1] = hi;
  r[4 * p + 2] = se & 0xffff;
  env.fptags[p] = 0;
}

/** Pushes a value (the caller checked for overflow). */
export function fpush(env: CPUX86State, se: number, hi: number, lo: number): void {
  env.fpstt = (env.fpstt - 1) & 7;
  setSt(env, 0, se, hi, lo);
}

export function fpop(env: CPUX86State): void {
  env.fptags[env.fpstt] = 1;
  env.fpstt = (env.fpstt + 1) & 7;
}

/** Sets exception bits in the status word, with ES and B when one of them is unmasked. */
export function fpuSetException(env: CPUX86State, bits: number): void {
  env.fpus |= bits;
  if ((env.fpus & ~env.fpuc & 0x3f) !== 0) env.fpus |= FPUS_SE | FPUS_B;
}

/**
 * A stack overflow (C1=1) or underflow (C1=0).  Returns true when IE is masked, i.e. the
 * caller applies the masked response (the QNaN indefinite); false: nothing else changes.
 */
export function stackFault(env: CPUX86State, overflow: boolean): boolean {
  env.fpus = (env.fpus & ~FPUS_C1) | (overflow ? FPUS_C1 : 0);
  fpuSetException(env, FPUS_IE | FPUS_SF);
  return (env.fpuc & FPUS_IE) !== 0;
}

/**
 * Merges an operation's soft-float flags into the status word and sets C1 from the rounding.
 * Returns false when an unmasked IE, DE or ZE occurred: the result must then be discarded.
 */
export function fpuMerge(env: CPUX86State, s: FloatStatus): boolean {
  let flags = s.flags;
  if ((flags & (FLAG_INVALID | FLAG_DIVBYZERO)) !== 0) flags &= ~FLAG_DENORMAL;
  const unmasked = flags & ~env.fpuc & 0x3f;
  if ((unmasked & (FLAG_INVALID | FLAG_DENORMAL | FLAG_DIVBYZERO)) !== 0) {
    // The operation does not take place: no result flags (OE, UE, PE), C1 cleared.
    env.fpus &= ~FPUS_C1;
    fpuSetException(env, flags & (FLAG_INVALID | FLAG_DENORMAL | FLAG_DIVBYZERO));
    return false;
  }
  env.fpus = (env.fpus & ~FPUS_C1) | (s.c1 !== 0 ? FPUS_C1 : 0);
  if (flags !== 0) fpuSetException(env, flags);
  return true;
}

/** The status word as FNSTSW/FXSAVE show it (TOP in bits 13-11). */
export function fpuStatusWord(env: CPUX86State): number {
  return (env.fpus & ~0x3800) | ((env.fpstt & 7) << 11);
}

/**
 * Loads a status word (FLDENV, FRSTOR, FXRSTOR, XRSTOR): TOP, and B mirrors ES; with ES clear
 * the processor deasserts FERR# and the chipset IGNNE# (QEMU's cpu_set_fpus).
 */
export function fpuSetStatusWord(env: CPUX86State, fsw: number): void {
  env.fpstt = (fsw >> 11) & 7;
  let s = fsw & ~0x3800 & ~FPUS_B & 0xffff;
  if ((s & FPUS_SE) !== 0) s |= FPUS_B;
  env.fpus = s;
  if ((s & FPUS_SE) === 0) x87Irq(env).ignne = false;
}

/** The full two-bit-per-register tag word, computed from the contents as the x87 does. */
export function fpuTagWord(env: CPUX86State): number {
  let tw = 0;
  for (let i = 7; i >= 0; i--) {
    tw <<= 2;
    if (env.fptags[i] !== 0) {
      tw |= 3;
      continue;
    }
    const exp = env.fpregs[4 * i + 2] & 0x7fff;
    const hi = env.fpregs[4 * i + 1], lo = env.fpregs[4 * i];
    if (exp === 0 && hi === 0 && lo === 0) tw |= 1;
    else if (exp === 0 || exp === 0x7fff || hi >= 0) tw |= 2; // special: denormal, NaN/inf, unnormal
  }
  return tw;
}

/** FNINIT (QEMU's do_fninit, which also clears the last instruction/operand pointers). */
export function fpuInit(env: CPUX86State): void {
  env.fpus = 0;
  env.fpstt = 0;
  env.fpuc = 0x37f;
  env.fpcs = env.fpds = 0;
  env.fpip = env.fpdp = 0;
  env.fpop = 0;
  env.fptags.fill(1);
}

/**
 * FLDCW (and the control word of FLDENV, FRSTOR, FXRSTOR, XRSTOR): bits 7 and 13-15 read as zero as on
 * the host (QEMU keeps them); ES and B follow the new masks, as on the host (QEMU leaves them).
 */
export function fpuSetControlWord(env: CPUX86State, fcw: number): void {
  env.fpuc = fcw & 0x1f7f;
  if ((env.fpus & ~env.fpuc & 0x3f) !== 0) env.fpus |= FPUS_SE | FPUS_B;
  else env.fpus &= ~(FPUS_SE | FPUS_B);
}

/**
 * FERR# plumbing for CR0.NE=0 (QEMU's ferr_irq / IGNNE#).  The PC machine sets `raiseFerr`
 * to raise IRQ13 and clears it again (and sets `ignne`) on a write to port 0xF0.
 */
export class X87Irq {
  /** IGNNE# asserted: pending exceptions are ignored while CR0.NE=0. */
  ignne = false;
  /** Called when a waiting instruction finds a pending exception with CR0.NE=0. */
  raiseFerr: ((env: CPUX86State) => void) | null = null;
  /** Times FERR# was signalled (for tests and the vCPU loop). */
  ferrCount = 0;
}
const irqs = new WeakMap<CPUX86State, X87Irq>();

/** The FERR#/IGNNE# state of a vCPU. */
export function x87Irq(env: CPUX86State): X87Irq {
  let q = irqs.get(env);
  if (q === undefined) {
    q = new X87Irq();
    irqs.set(env, q);
  }
  return q;
}

/**
 * FWAIT (and FNOP) with a pending unmasked exception: #MF when CR0.NE=1, else FERR# unless
 * IGNNE# is asserted (QEMU's helper_fwait / fpu_raise_exception).
 */
export function fpuWait(c: TcgCpu): void {
  const env = c.env;
  if ((env.fpus & FPUS_SE) === 0) return;
  if ((env.cr0 & CR0_NE) !== 0) c.raise(EXCP10_COPR, 0);
  const q = x87Irq(env);
  if (q.ignne) return;
  q.ferrCount++;
  if (q.raiseFerr !== null) q.raiseFerr(env);
}
