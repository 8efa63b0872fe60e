/*
 * Exception and interrupt delivery (QEMU's do_interrupt_all and friends, seg_helper.c).
 *
 * The vCPU loop calls x86CpuDoInterrupt() after the CPU stopped on an exception or a software
 * interrupt, and x86CpuExecHardwareInterrupt() for an interrupt a device raised.
 */
import type { TcgCpu } from './tcg-cpu.js';
import { R_CS, R_ESP, R_SS, CR0_PE_MASK, IF_MASK, TF_MASK, AC_MASK, RF_MASK, EXCP0D_GPF } from './cpu-state.js';
import { cpuComputeEflags } from './flags.js';

/** Delivers env.exception_index (a fault, trap or software interrupt).  Returns false on a triple fault. */
export function x86CpuDoInterrupt(c: TcgCpu): boolean {
  const env = c.env;
  const intno = env.exception_index;
  const isInt = env.exception_is_int;
  env.exception_index = -1;
  env.exception_is_int = false;
  doInterrupt(c, intno, isInt, env.error_code, isInt ? env.exception_next_rip : env.rip, false);
  return true;
}

/** Delivers external interrupt `vector` (from the PIC or the LAPIC) at the current RIP. */
export function x86CpuExecHardwareInterrupt(c: TcgCpu, vector: number): void {
  c.env.halted = false;
  doInterrupt(c, vector, false, 0, c.env.rip, true);
}

/** do_interrupt_all: `nextRip` is the RIP pushed (the return address). */
export function doInterrupt(c: TcgCpu, intno: number, isInt: boolean, errorCode: number, nextRip: number, isHw: boolean): void {
  if ((c.env.cr0 & CR0_PE_MASK) === 0) {
    doInterruptReal(c, intno, nextRip);
    return;
  }
  void isInt; void errorCode; void isHw;
  throw new Error(`interrupt ${intno} in protected mode: delivery not implemented yet`);
}

/** Real-mode delivery through the interrupt vector table (SDM Vol. 3 §20.1.4). */
function doInterruptReal(c: TcgCpu, intno: number, nextRip: number): void {
  const env = c.env;
  if (intno * 4 + 3 > env.idtLimit) c.raise(EXCP0D_GPF, intno * 8 + 2);
  const vec = env.idtBase + intno * 4;
  const ip = c.mmu.ld16(vec), cs = c.mmu.ld16(vec + 2);
  const ssBase = env.segBase[R_SS];
  let sp = env.regs[R_ESP << 1] & 0xffff;
  sp = (sp - 2) & 0xffff;
  c.mmu.st16((ssBase + sp) >>> 0, cpuComputeEflags(env));
  sp = (sp - 2) & 0xffff;
  c.mmu.st16((ssBase + sp) >>> 0, env.segSelector[R_CS]);
  sp = (sp - 2) & 0xffff;
  c.mmu.st16((ssBase + sp) >>> 0, nextRip);
  env.regs[R_ESP << 1] = (env.regs[R_ESP << 1] & ~0xffff) | sp;
  env.rip = ip;
  env.loadSegCache(R_CS, cs, cs << 4, env.segLimit[R_CS], env.segFlags[R_CS]);
  env.eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
}
