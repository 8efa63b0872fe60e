/*
 * Execution of the system instructions (Op.SYS, decoded in decode-sys.ts): descriptor-table
 * registers, control and debug registers, MSR access, fast system calls, cache/TLB control and
 * the small 0F 01 extensions (QEMU's misc_helper.c, sysemu/misc_helper.c, bpt_helper.c and the
 * matching parts of translate.c and seg_helper.c).
 *
 * Facts are from the Intel SDM Vol. 2/3 and QEMU 7.2.  Where QEMU 7.2 under TCG is laxer than
 * the SDM (it never faults on reserved CR0/CR4/EFER bits, for instance), this follows the SDM;
 * docs in test/sysarch/sys.test.ts list the cases.
 */
import type { TcgCpu } from './tcg-cpu.js';
import type { Insn } from './decode.js';
import { SysOp } from './decode-sys.js';
import {
  R_EAX, R_ECX, R_EDX, R_GS, R_CS, R_SS, R_ESP, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, AC_MASK,
  EXCP0D_GPF, RF_MASK, VM_MASK, IF_MASK, DESC_P_MASK, DESC_S_MASK,
  DESC_CS_MASK, DESC_R_MASK, DESC_W_MASK, DESC_G_MASK, DESC_B_MASK, DESC_L_MASK, DESC_DPL_SHIFT,
} from './cpu-state.js';
import { cpl } from './control.js';
import { cpuComputeEflags, cpuLoadEflags } from './flags.js';
import { helperRdmsr, helperWrmsr, tcgCpuApic, EFER_SCE } from './msr.js';
import { apicGetTpr, apicSetTpr } from '../../../hw/intc/apic.js';
import { helperGetDr, helperSetDr } from './breakpoint.js';
import { tcgPhysBits } from './mmu-walk.js';
import { qemuLogMask, LOG_UNIMP } from '../../../util/log.js';

/* CR0 bits */
export const CR0_MP_MASK = 1 << 1, CR0_EM_MASK = 1 << 2, CR0_TS_MASK = 1 << 3, CR0_ET_MASK = 1 << 4;
export const CR0_NE_MASK = 1 << 5, CR0_WP_MASK = 1 << 16, CR0_AM_MASK = 1 << 18, CR0_NW_MASK = 1 << 29;
export const CR0_CD_MASK = 1 << 30;
/** The CR0 bits that exist; the others are reserved (#GP if set). */
const CR0_VALID = CR0_PE_MASK | CR0_MP_MASK | CR0_EM_MASK | CR0_TS_MASK | CR0_ET_MASK | CR0_NE_MASK |
  CR0_WP_MASK | CR0_AM_MASK | CR0_NW_MASK | CR0_CD_MASK | CR0_PG_MASK;

/* CR4 bits */
export const CR4_VME_MASK = 1 << 0, CR4_PVI_MASK = 1 << 1, CR4_TSD_MASK = 1 << 2, CR4_DE_MASK = 1 << 3;
export const CR4_PSE_MASK = 1 << 4, CR4_PAE_MASK = 1 << 5, CR4_MCE_MASK = 1 << 6, CR4_PGE_MASK = 1 << 7;
export const CR4_PCE_MASK = 1 << 8, CR4_OSFXSR_MASK = 1 << 9, CR4_OSXMMEXCPT_MASK = 1 << 10;
export const CR4_UMIP_MASK = 1 << 11, CR4_LA57_MASK = 1 << 12, CR4_VMXE_MASK = 1 << 13, CR4_SMXE_MASK = 1 << 14;
export const CR4_FSGSBASE_MASK = 1 << 16, CR4_PCIDE_MASK = 1 << 17, CR4_OSXSAVE_MASK = 1 << 18;
export const CR4_SMEP_MASK = 1 << 20, CR4_SMAP_MASK = 1 << 21, CR4_PKE_MASK = 1 << 22;

/* CPUID feature bits that gate instructions or CR4 bits here. */
const F1EDX_VME = 1 << 1, F1EDX_DE = 1 << 2, F1EDX_PSE = 1 << 3, F1EDX_TSC = 1 << 4, F1EDX_PAE = 1 << 6;
const F1EDX_MCE = 1 << 7, F1EDX_PGE = 1 << 13, F1EDX_FXSR = 1 << 24, F1EDX_SSE = 1 << 25, F1EDX_SEP = 1 << 11;
const F1ECX_MONITOR = 1 << 3, F1ECX_VMX = 1 << 5, F1ECX_SMX = 1 << 6, F1ECX_PCID = 1 << 17;
const F1ECX_XSAVE = 1 << 26, F1ECX_RDRAND = 1 << 30;
const F7EBX_FSGSBASE = 1 << 0, F7EBX_SMEP = 1 << 7, F7EBX_INVPCID = 1 << 10;
const F7EBX_SMAP = 1 << 20;
const F7ECX_UMIP = 1 << 2, F7ECX_PKU = 1 << 3, F7ECX_LA57 = 1 << 16, F7ECX_RDPID = 1 << 22;
const FE1ECX_CR8LEG = 1 << 4;

function feature(c: TcgCpu, word: string, mask: number): boolean {
  return ((c.features[word] ?? 0) & mask) !== 0;
}

/** The CR4 bits this CPU model lets software set (QEMU's cr4_reserved_bits, by advertised feature). */
export function cr4ValidBits(c: TcgCpu): number {
  let v = CR4_PCE_MASK;
  const e1 = c.features.FEAT_1_EDX ?? 0, c1 = c.features.FEAT_1_ECX ?? 0;
  const b7 = c.features.FEAT_7_0_EBX ?? 0, c7 = c.features.FEAT_7_0_ECX ?? 0;
  if (e1 & F1EDX_VME) v |= CR4_VME_MASK | CR4_PVI_MASK;
  if (e1 & F1EDX_TSC) v |= CR4_TSD_MASK;
  if (e1 & F1EDX_DE) v |= CR4_DE_MASK;
  if (e1 & F1EDX_PSE) v |= CR4_PSE_MASK;
  if (e1 & F1EDX_PAE) v |= CR4_PAE_MASK;
  if (e1 & F1EDX_MCE) v |= CR4_MCE_MASK;
  if (e1 & F1EDX_PGE) v |= CR4_PGE_MASK;
  if (e1 & F1EDX_FXSR) v |= CR4_OSFXSR_MASK;
  if (e1 & F1EDX_SSE) v |= CR4_OSXMMEXCPT_MASK;
  if (c1 & F1ECX_VMX) v |= CR4_VMXE_MASK;
  if (c1 & F1ECX_SMX) v |= CR4_SMXE_MASK;
  if (c1 & F1ECX_PCID) v |= CR4_PCIDE_MASK;
  if (c1 & F1ECX_XSAVE) v |= CR4_OSXSAVE_MASK;
  if (b7 & F7EBX_FSGSBASE) v |= CR4_FSGSBASE_MASK;
  if (b7 & F7EBX_SMEP) v |= CR4_SMEP_MASK;
  if (b7 & F7EBX_SMAP) v |= CR4_SMAP_MASK;
  if (c7 & F7ECX_UMIP) v |= CR4_UMIP_MASK;
  if (c7 & F7ECX_PKU) v |= CR4_PKE_MASK;
  if (c7 & F7ECX_LA57) v |= CR4_LA57_MASK;
  return v;
}

/** check_cpl0: #GP(0) unless at privilege level 0 (real mode is CPL 0, virtual-8086 mode CPL 3). */
function checkCpl0(c: TcgCpu): void {
  if (cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
}

/** UMIP: SGDT, SIDT and SMSW fault above CPL 0 when CR4.UMIP is set. */
function checkUmip(c: TcgCpu): void {
  if ((c.env.cr4 & CR4_UMIP_MASK) !== 0 && cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
}

/** The 64-bit value (lo, hi) as a double, #GP(0) unless canonical (sign-extended from bit 47). */
export function canonicalValue(c: TcgCpu, lo: number, hi: number): number {
  if (((hi >> 15) + 1) >>> 1 !== 0) c.raise(EXCP0D_GPF, 0);
  return hi * 4294967296 + (lo >>> 0);
}

/** Low and high halves of an address held as a double. */
function lo32(v: number): number {
  return (v - Math.floor(v / 4294967296) * 4294967296) | 0;
}
function hi32(v: number): number {
  return Math.floor(v / 4294967296) | 0;
}

/** Executes an Op.SYS instruction; false only for MWAIT (the CPU halts after it). */
export function sysExec(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  switch (insn.sub) {
    case SysOp.SGDT: case SysOp.SIDT: {
      checkUmip(c);
      const addr = c.ea(insn);
      const gdt = insn.sub === SysOp.SGDT;
      c.store(2, addr, gdt ? env.gdtLimit : env.idtLimit, 0);
      const base = gdt ? env.gdtBase : env.idtBase;
      const a = c.addrAdd(addr, 2);
      // A 16-bit operand stores 24 bits of the base (the high byte is zero).
      if (insn.mode === 8) c.store(8, a, insn.size === 2 ? base & 0xffffff : lo32(base), insn.size === 2 ? 0 : hi32(base));
      else c.store(4, a, insn.size === 2 ? base & 0xffffff : base | 0, 0);
      return true;
    }
    case SysOp.LGDT: case SysOp.LIDT: {
      checkCpl0(c);
      const addr = c.ea(insn);
      const limit = c.load(2, addr);
      const a = c.addrAdd(addr, 2);
      let base: number;
      if (insn.mode === 8) {
        const lo = c.load(8, a);
        base = insn.size === 2 ? lo & 0xffffff : canonicalValue(c, lo, c.hi);
      } else {
        const lo = c.load(4, a);
        base = insn.size === 2 ? lo & 0xffffff : lo >>> 0;
      }
      if (insn.sub === SysOp.LGDT) {
        env.gdtBase = base;
        env.gdtLimit = limit;
      } else {
        env.idtBase = base;
        env.idtLimit = limit;
      }
      return true;
    }
    case SysOp.SMSW:
      checkUmip(c);
      // The register form writes the whole of CR0 at 32/64-bit operand size; memory gets 16 bits.
      if (insn.mod === 3) c.setReg(insn.size, insn.rm, env.cr0, 0);
      else c.store(2, c.ea(insn), env.cr0, 0);
      return true;
    case SysOp.LMSW: {
      checkCpl0(c);
      const v = c.readE(insn, 2);
      // Only MP, EM, TS change, and PE can be set but not cleared.
      writeCr0(c, (env.cr0 & ~0xe) | (v & 0xf), 0);
      return true;
    }
    case SysOp.CLTS:
      checkCpl0(c);
      env.cr0 &= ~CR0_TS_MASK;
      return true;
    case SysOp.MOV_FROM_CR: case SysOp.MOV_TO_CR:
      return movCr(c, insn);
    case SysOp.MOV_FROM_DR: {
      checkCpl0(c);
      if (insn.reg >= 8) c.ud();
      const v = helperGetDr(c, insn.reg);
      c.setReg(insn.size, insn.rm, lo32(v), insn.size === 8 ? hi32(v) : 0);
      return true;
    }
    case SysOp.MOV_TO_DR: {
      checkCpl0(c);
      if (insn.reg >= 8) c.ud();
      const lo = c.getReg(insn.size, insn.rm), hi = insn.size === 8 ? c.hi : 0;
      helperSetDr(c, insn.reg, lo, hi);
      return true;
    }
    case SysOp.INVLPG:
      checkCpl0(c);
      c.mmu.tlbFlushPage(c.ea(insn));
      env.fetchGen++;
      return true;
    case SysOp.INVD: case SysOp.WBINVD:
      checkCpl0(c);
      return true;
    case SysOp.RDMSR: {
      checkCpl0(c);
      const lo = helperRdmsr(c, env.regs[R_ECX << 1] >>> 0);
      c.setReg(4, R_EAX, lo, 0);
      c.setReg(4, R_EDX, c.hi, 0);
      return true;
    }
    case SysOp.WRMSR:
      checkCpl0(c);
      helperWrmsr(c, env.regs[R_ECX << 1] >>> 0, env.regs[R_EAX << 1], env.regs[R_EDX << 1]);
      return true;
    case SysOp.RDPMC:
      // No performance counters (QEMU's helper_rdpmc): #GP where CR4.PCE forbids the
      // instruction, otherwise it is logged as unimplemented and raises #UD.
      if ((env.cr4 & CR4_PCE_MASK) === 0 && cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
      qemuLogMask(LOG_UNIMP, 'x86: unimplemented rdpmc\n');
      return c.ud();
    case SysOp.SWAPGS: {
      if (insn.mode !== 8) c.ud();
      checkCpl0(c);
      const t = env.segBase[R_GS];
      env.segBase[R_GS] = env.kernelGsBase;
      env.kernelGsBase = t;
      return true;
    }
    case SysOp.MONITOR:
      if (!feature(c, 'FEAT_1_ECX', F1ECX_MONITOR)) c.ud();
      if (env.regs[R_ECX << 1] !== 0) c.raise(EXCP0D_GPF, 0);
      return true;
    case SysOp.MWAIT:
      if (!feature(c, 'FEAT_1_ECX', F1ECX_MONITOR) || cpl(c) !== 0) c.ud();
      if (env.regs[R_ECX << 1] !== 0) c.raise(EXCP0D_GPF, 0);
      // One vCPU: MWAIT waits like HLT until an interrupt (QEMU's helper_mwait); returning
      // false is the execution loop's signal to halt after the instruction.
      return false;
    case SysOp.CLAC: case SysOp.STAC:
      if (!feature(c, 'FEAT_7_0_EBX', F7EBX_SMAP) || cpl(c) !== 0) c.ud();
      if (insn.sub === SysOp.CLAC) env.eflags &= ~AC_MASK;
      else env.eflags |= AC_MASK;
      return true;
    case SysOp.XGETBV: case SysOp.XSETBV:
      return xcr(c, insn);
    case SysOp.RDPKRU: case SysOp.WRPKRU:
      // CR4.PKE can only be set where PKU is advertised, which it is not here.
      if ((env.cr4 & CR4_PKE_MASK) === 0) c.ud();
      return c.raise(EXCP0D_GPF, 0);
    case SysOp.SYSCALL:
      return syscall(c);
    case SysOp.SYSRET:
      return sysret(c, insn.size);
    case SysOp.SYSENTER:
      return sysenter(c);
    case SysOp.SYSEXIT:
      return sysexit(c, insn.size);
    case SysOp.INVPCID:
      return invpcid(c, insn);
    case SysOp.RDPID:
      if (!feature(c, 'FEAT_7_0_ECX', F7ECX_RDPID)) c.ud();
      c.setReg(insn.size, insn.rm, env.tscAux, 0);
      return true;
    case SysOp.RDRAND: case SysOp.RDSEED:
      // QEMU 7.2 decodes RDSEED as RDRAND and gates both on the RDRAND feature.
      if (!feature(c, 'FEAT_1_ECX', F1ECX_RDRAND)) c.ud();
      return rdrand(c, insn);
    default:
      return c.ud(); // VMX/SVM
  }
}

/* ---- control registers ---- */

function movCr(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  checkCpl0(c);
  let reg = insn.reg;
  if (insn.imm === 1) { // LOCK MOV CR0 = CR8 where the model has CR8LEG
    if (reg !== 0 || !feature(c, 'FEAT_8000_0001_ECX', FE1ECX_CR8LEG)) c.ud();
    reg = 8;
  }
  if (reg !== 0 && reg !== 2 && reg !== 3 && reg !== 4 && reg !== 8) c.ud();
  const size = insn.size;
  if (insn.sub === SysOp.MOV_FROM_CR) {
    let v: number;
    switch (reg) {
      case 0: v = env.cr0 >>> 0; break;
      case 2: v = env.cr2; break;
      case 3: v = env.cr3; break;
      case 4: v = env.cr4 >>> 0; break;
      default: v = crReadTpr(c); break;
    }
    c.setReg(size, insn.rm, lo32(v), size === 8 ? hi32(v) : 0);
    return true;
  }
  const lo = c.getReg(size, insn.rm), hi = size === 8 ? c.hi : 0;
  switch (reg) {
    case 0: writeCr0(c, lo, hi); break;
    case 2: env.cr2 = size === 8 ? hi * 4294967296 + (lo >>> 0) : lo >>> 0; break;
    case 3: writeCr3(c, lo, hi); break;
    case 4: writeCr4(c, lo, hi); break;
    default:
      if ((lo & ~0xf) !== 0 || hi !== 0) c.raise(EXCP0D_GPF, 0);
      crWriteTpr(c, lo);
  }
  return true;
}

/** CR8 reads the APIC's TPR bits 7-4 (cpu_get_apic_tpr); 0 without an APIC, as in QEMU. */
function crReadTpr(c: TcgCpu): number {
  const s = tcgCpuApic(c);
  return s !== undefined ? apicGetTpr(s) : 0;
}

/** CR8 writes set TPR bits 7-4 (cpu_set_apic_tpr); dropped without an APIC. */
function crWriteTpr(c: TcgCpu, v: number): void {
  const s = tcgCpuApic(c);
  if (s !== undefined) apicSetTpr(s, v);
}

/** MOV to CR0 and LMSW (QEMU's cpu_x86_update_cr0, with the SDM's #GP conditions). */
export function writeCr0(c: TcgCpu, v: number, hi: number): void {
  const env = c.env;
  const old = env.cr0;
  if (hi !== 0 || (v & ~CR0_VALID) !== 0) c.raise(EXCP0D_GPF, 0);
  if ((v & CR0_PG_MASK) !== 0 && (v & CR0_PE_MASK) === 0) c.raise(EXCP0D_GPF, 0);
  if ((v & CR0_NW_MASK) !== 0 && (v & CR0_CD_MASK) === 0) c.raise(EXCP0D_GPF, 0);
  const pgOn = (old & CR0_PG_MASK) === 0 && (v & CR0_PG_MASK) !== 0;
  const pgOff = (old & CR0_PG_MASK) !== 0 && (v & CR0_PG_MASK) === 0;
  if (pgOn && (env.efer & EFER_LME) !== 0 && (env.cr4 & CR4_PAE_MASK) === 0) c.raise(EXCP0D_GPF, 0);
  if (pgOff && env.codeSize === 8) c.raise(EXCP0D_GPF, 0);
  if (pgOff && (env.cr4 & CR4_PCIDE_MASK) !== 0) c.raise(EXCP0D_GPF, 0);
  if (((v ^ old) & (CR0_PG_MASK | CR0_WP_MASK | CR0_PE_MASK)) !== 0) {
    c.mmu.tlbFlush();
    env.fetchGen++;
  }
  if (pgOn && (env.efer & EFER_LME) !== 0) {
    env.efer |= EFER_LMA; // entering IA-32e mode (compatibility mode until a 64-bit CS is loaded)
  } else if (pgOff && (env.efer & EFER_LMA) !== 0) {
    env.efer &= ~EFER_LMA;
    c.nextRip = c.nextRip >>> 0;
  }
  env.cr0 = v | CR0_ET_MASK;
  env.updateMode();
}

/** MOV to CR3: reserved bits fault in IA-32e mode; PCIDE bit 63 asks not to flush. */
function writeCr3(c: TcgCpu, lo: number, hi: number): void {
  const env = c.env;
  let noFlush = false;
  if ((env.efer & EFER_LMA) !== 0) {
    if ((env.cr4 & CR4_PCIDE_MASK) !== 0 && hi < 0) {
      noFlush = true;
      hi &= 0x7fffffff;
    }
    if ((hi >>> 0) >= 2 ** (tcgPhysBits(c.features) - 32)) c.raise(EXCP0D_GPF, 0); // above MAXPHYADDR
    env.cr3 = hi * 4294967296 + (lo >>> 0);
  } else {
    env.cr3 = lo >>> 0;
  }
  if (!noFlush) c.mmu.tlbFlushNonGlobal();
  env.fetchGen++;
}

/** MOV to CR4: bits of features the model lacks are reserved; QEMU's cpu_x86_update_cr4. */
function writeCr4(c: TcgCpu, v: number, hi: number): void {
  const env = c.env;
  const old = env.cr4;
  if (hi !== 0 || (v & ~cr4ValidBits(c)) !== 0) c.raise(EXCP0D_GPF, 0);
  if ((v & CR4_PAE_MASK) === 0 && (env.efer & EFER_LMA) !== 0) c.raise(EXCP0D_GPF, 0);
  if (((v ^ old) & CR4_LA57_MASK) !== 0 && (env.efer & EFER_LMA) !== 0) c.raise(EXCP0D_GPF, 0);
  if ((v & CR4_PCIDE_MASK) !== 0 && (old & CR4_PCIDE_MASK) === 0 &&
    ((env.efer & EFER_LMA) === 0 || (env.cr3 % 4096) !== 0)) c.raise(EXCP0D_GPF, 0);
  if (((v ^ old) & (CR4_PGE_MASK | CR4_PAE_MASK | CR4_PSE_MASK | CR4_SMEP_MASK | CR4_SMAP_MASK |
    CR4_LA57_MASK | CR4_PCIDE_MASK)) !== 0) {
    c.mmu.tlbFlush();
    env.fetchGen++;
  }
  env.cr4 = v;
}

/* ---- XCR0 ---- */

function xcr(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  if (!feature(c, 'FEAT_1_ECX', F1ECX_XSAVE)) c.ud();
  const ecx = env.regs[R_ECX << 1];
  if (insn.sub === SysOp.XGETBV) {
    if ((env.cr4 & CR4_OSXSAVE_MASK) === 0) c.ud();
    let v = env.xcr0;
    // ECX=1 reads XINUSE & XCR0 where XGETBV1 is offered; like QEMU we report every enabled
    // component in use except the MPX bounds registers.
    if (ecx === 1 && feature(c, 'FEAT_XSAVE', 1 << 2)) v &= ~8;
    else if (ecx !== 0) c.raise(EXCP0D_GPF, 0);
    c.setReg(4, R_EAX, v, 0);
    c.setReg(4, R_EDX, 0, 0);
    return true;
  }
  checkCpl0(c);
  if ((env.cr4 & CR4_OSXSAVE_MASK) === 0) c.ud();
  const lo = env.regs[R_EAX << 1], hi = env.regs[R_EDX << 1];
  if (ecx !== 0 || (lo & 1) === 0) c.raise(EXCP0D_GPF, 0);
  // The state components the model supports are CPUID.(EAX=0DH,ECX=0):EDX:EAX.
  const out = c.scratch;
  c.cpuidFn(0xd, 0, out);
  if ((lo & ~out[0]) !== 0 || (hi & ~out[3]) !== 0) c.raise(EXCP0D_GPF, 0);
  if ((lo & 6) === 4) c.raise(EXCP0D_GPF, 0); // AVX state without SSE state
  if (((lo >> 3) & 1) !== ((lo >> 4) & 1)) c.raise(EXCP0D_GPF, 0); // half of MPX
  env.xcr0 = lo;
  return true;
}

/* ---- fast system calls (QEMU's helper_syscall/sysret/sysenter/sysexit in seg_helper.c) ---- */

/* The flat segments these instructions load, with QEMU's descriptor flags (accessed set). */
const DESC_A_MASK = 0x100;
const FLAT_CODE = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_R_MASK | DESC_A_MASK;
const FLAT_DATA = DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK;
const DPL3 = 3 << DESC_DPL_SHIFT;
/** The RFLAGS bits SYSRET loads from R11 (SDM: R11 & 3C7FD7H, RF and VM stay clear). */
const SYSRET_FLAGS = 0x3c7fd7;

function syscall(c: TcgCpu): boolean {
  const env = c.env;
  if ((env.efer & EFER_SCE) === 0) c.ud();
  const sel = env.starHi & 0xffff;
  const next = c.nextRip;
  if ((env.efer & EFER_LMA) !== 0) {
    const code64 = env.codeSize === 8;
    c.setReg(8, R_ECX, lo32(next), hi32(next));
    const fl = cpuComputeEflags(env) & ~RF_MASK;
    c.setReg(8, 11, fl, 0);
    cpuLoadEflags(env, fl & ~env.fmaskLo, -1);
    env.loadSegCache(R_CS, sel & 0xfffc, 0, 0xffffffff, FLAT_CODE | DESC_L_MASK);
    env.loadSegCache(R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff, FLAT_DATA);
    c.nextRip = code64 ? env.lstar : env.cstar;
  } else {
    // The legacy (AMD) form: QEMU's default CPU models are AMD's.
    c.setReg(4, R_ECX, next, 0);
    env.eflags &= ~(IF_MASK | RF_MASK | VM_MASK);
    env.loadSegCache(R_CS, sel & 0xfffc, 0, 0xffffffff, FLAT_CODE);
    env.loadSegCache(R_SS, (sel + 8) & 0xfffc, 0, 0xffffffff, FLAT_DATA);
    c.nextRip = env.starLo >>> 0;
  }
  return true;
}

function sysret(c: TcgCpu, size: number): boolean {
  const env = c.env;
  if ((env.efer & EFER_SCE) === 0) c.ud();
  if ((env.cr0 & CR0_PE_MASK) === 0 || cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
  const sel = (env.starHi >>> 16) & 0xffff;
  if ((env.efer & EFER_LMA) !== 0) {
    const rcx = env.regs[R_ECX << 1], rcxHi = env.regs[(R_ECX << 1) + 1];
    // A non-canonical RCX faults at CPL 0 before anything changes (SDM).
    const target = size === 8 ? canonicalValue(c, rcx, rcxHi) : rcx >>> 0;
    cpuLoadEflags(env, env.regs[11 << 1], SYSRET_FLAGS);
    env.eflags &= ~RF_MASK;
    if (size === 8) env.loadSegCache(R_CS, ((sel + 16) & 0xffff) | 3, 0, 0xffffffff, FLAT_CODE | DPL3 | DESC_L_MASK);
    else env.loadSegCache(R_CS, sel | 3, 0, 0xffffffff, FLAT_CODE | DPL3);
    env.loadSegCache(R_SS, ((sel + 8) & 0xffff) | 3, 0, 0xffffffff, FLAT_DATA | DPL3);
    c.nextRip = target;
  } else {
    env.eflags |= IF_MASK;
    env.loadSegCache(R_CS, sel | 3, 0, 0xffffffff, FLAT_CODE | DPL3);
    env.loadSegCache(R_SS, ((sel + 8) & 0xffff) | 3, 0, 0xffffffff, FLAT_DATA | DPL3);
    c.nextRip = env.regs[R_ECX << 1] >>> 0;
  }
  return true;
}

/** SYSENTER/SYSEXIT are Intel's in 64-bit mode only: QEMU's AMD models (qemu64) #UD there. */
function sysenterMode(c: TcgCpu): void {
  if (!feature(c, 'FEAT_1_EDX', F1EDX_SEP)) c.ud();
  if (c.env.codeSize === 8) {
    const out = c.scratch;
    c.cpuidFn(0, 0, out);
    if (out[1] !== 0x756e6547) c.ud(); // "Genu"ineIntel
  }
  if ((c.env.cr0 & CR0_PE_MASK) === 0) c.raise(EXCP0D_GPF, 0);
}

function sysenter(c: TcgCpu): boolean {
  const env = c.env;
  sysenterMode(c);
  const cs = env.sysenterCs & 0xfffc;
  if (cs === 0) c.raise(EXCP0D_GPF, 0);
  env.eflags &= ~(VM_MASK | IF_MASK | RF_MASK);
  const lma = (env.efer & EFER_LMA) !== 0;
  env.loadSegCache(R_CS, cs, 0, 0xffffffff, FLAT_CODE | (lma ? DESC_L_MASK : 0));
  env.loadSegCache(R_SS, (cs + 8) & 0xfffc, 0, 0xffffffff, FLAT_DATA);
  const esp = env.sysenterEsp, eip = env.sysenterEip;
  if (lma) {
    c.setReg(8, R_ESP, lo32(esp), hi32(esp));
    c.nextRip = eip;
  } else {
    c.setReg(4, R_ESP, lo32(esp), 0);
    c.nextRip = eip >>> 0;
  }
  return true;
}

function sysexit(c: TcgCpu, size: number): boolean {
  const env = c.env;
  sysenterMode(c);
  const cs = env.sysenterCs & 0xfffc;
  if (cs === 0 || cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
  const rcx = env.regs[R_ECX << 1], rcxHi = env.regs[(R_ECX << 1) + 1];
  const rdx = env.regs[R_EDX << 1], rdxHi = env.regs[(R_EDX << 1) + 1];
  if (size === 8) {
    const sp = canonicalValue(c, rcx, rcxHi), ip = canonicalValue(c, rdx, rdxHi);
    env.loadSegCache(R_CS, ((cs + 32) & 0xfffc) | 3, 0, 0xffffffff, FLAT_CODE | DPL3 | DESC_L_MASK);
    env.loadSegCache(R_SS, ((cs + 40) & 0xfffc) | 3, 0, 0xffffffff, FLAT_DATA | DPL3);
    c.setReg(8, R_ESP, lo32(sp), hi32(sp));
    c.nextRip = ip;
  } else {
    env.loadSegCache(R_CS, ((cs + 16) & 0xfffc) | 3, 0, 0xffffffff, FLAT_CODE | DPL3);
    env.loadSegCache(R_SS, ((cs + 24) & 0xfffc) | 3, 0, 0xffffffff, FLAT_DATA | DPL3);
    c.setReg(4, R_ESP, rcx, 0);
    c.nextRip = rdx >>> 0;
  }
  return true;
}

/* ---- the rest ---- */

function invpcid(c: TcgCpu, insn: Insn): boolean {
  const env = c.env;
  if (!feature(c, 'FEAT_7_0_EBX', F7EBX_INVPCID)) c.ud();
  checkCpl0(c);
  const type = c.getReg(insn.size, insn.reg), typeHi = insn.size === 8 ? c.hi : 0;
  const addr = c.ea(insn);
  const pcid = c.load(8, addr) & 0xfff, pcidHi = c.hi;
  const lin = c.load(8, c.addrAdd(addr, 8)), linHi = c.hi;
  if (typeHi !== 0 || (type >>> 0) > 3) c.raise(EXCP0D_GPF, 0);
  const descLo = c.load(4, addr);
  if ((descLo & ~0xfff) !== 0 || pcidHi !== 0) c.raise(EXCP0D_GPF, 0);
  switch (type) {
    case 0: // one address
      canonicalValue(c, lin, linHi);
      if (pcid !== 0 && (env.cr4 & CR4_PCIDE_MASK) === 0) c.raise(EXCP0D_GPF, 0);
      c.mmu.tlbFlushPage(linHi * 4294967296 + (lin >>> 0));
      break;
    case 1: // one context
      if (pcid !== 0 && (env.cr4 & CR4_PCIDE_MASK) === 0) c.raise(EXCP0D_GPF, 0);
      c.mmu.tlbFlushNonGlobal();
      break;
    case 2: // everything, globals included
      c.mmu.tlbFlush();
      break;
    default: // everything but globals
      c.mmu.tlbFlushNonGlobal();
  }
  env.fetchGen++;
  return true;
}

const rdrandBuf = new Int32Array(2);

/** RDRAND/RDSEED: random bits from the host; CF=1 (success), other flags clear. */
function rdrand(c: TcgCpu, insn: Insn): boolean {
  globalThis.crypto.getRandomValues(rdrandBuf);
  c.setReg(insn.size, insn.rm, insn.size === 2 ? rdrandBuf[0] & 0xffff : rdrandBuf[0], rdrandBuf[1]);
  c.setFlags(1);
  return true;
}

