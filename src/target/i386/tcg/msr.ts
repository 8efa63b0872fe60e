/*
 * Model-specific registers under the software CPU: RDMSR/WRMSR (QEMU 7.2's helper_rdmsr and
 * helper_wrmsr in target/i386/tcg/sysemu/misc_helper.c, plus the SDM's #GP rules).
 *
 * Values travel as (lo, hi) int32 pairs: helperRdmsr returns the low half and leaves the high
 * half in c.hi.  Address-valued MSRs (FS/GS/KERNEL_GS base, LSTAR, CSTAR, SYSENTER_ESP/EIP) are
 * kept as doubles and must be canonical (#GP otherwise, as on hardware; QEMU 7.2 stores any
 * value).  Like QEMU 7.2 under TCG, an MSR this CPU does not know reads as 0 and ignores
 * writes; it is logged under -d unimp.
 */
import type { TcgCpu } from './tcg-cpu.js';
import {
  R_FS, R_GS, EXCP0D_GPF, EFER_LMA, EFER_LME, MSRV_PAT, MSRV_MISC_ENABLE, MSRV_MTRR_DEF_TYPE, MSRV_MCG_STATUS, MSRV_MCG_CTL, MSRV_SPEC_CTRL,
  MSRV_MTRR_FIXED, MSRV_MTRR_VAR, MSRV_MC_BANKS, CR0_PG_MASK,
} from './cpu-state.js';
import { qemuLogMask, LOG_UNIMP } from '../../../util/log.js';
import {
  apicGetTscDeadline, apicSetBase, apicSetTscDeadline, type APICCommonState,
} from '../../../hw/intc/apic.js';

/** Each vCPU's local APIC (X86CPU.apic_state), for IA32_APIC_BASE, TSC_DEADLINE and CR8. */
const apicStates = new WeakMap<TcgCpu, APICCommonState>();

/** Gives a vCPU its local APIC (x86_cpu_apic_create). */
export function tcgCpuSetApic(c: TcgCpu, s: APICCommonState): void {
  apicStates.set(c, s);
}

/** The vCPU's local APIC, undefined without one. */
export function tcgCpuApic(c: TcgCpu): APICCommonState | undefined {
  return apicStates.get(c);
}

export const MSR_IA32_TSC = 0x10, MSR_IA32_APICBASE = 0x1b;
export const MSR_IA32_SPEC_CTRL = 0x48, MSR_IA32_PRED_CMD = 0x49, MSR_IA32_UCODE_REV = 0x8b;
export const MSR_IA32_ARCH_CAPABILITIES = 0x10a, MSR_PLATFORM_INFO = 0xce, MSR_MTRRcap = 0xfe;
export const MSR_SMI_COUNT = 0x34;
export const MSR_IA32_SYSENTER_CS = 0x174, MSR_IA32_SYSENTER_ESP = 0x175, MSR_IA32_SYSENTER_EIP = 0x176;
export const MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17a, MSR_MCG_CTL = 0x17b;
export const MSR_IA32_PERF_STATUS = 0x198, MSR_IA32_MISC_ENABLE = 0x1a0;
export const MSR_MTRRphysBase0 = 0x200, MSR_MTRRfix64K_00000 = 0x250, MSR_MTRRfix16K_80000 = 0x258;
export const MSR_MTRRfix16K_A0000 = 0x259, MSR_MTRRfix4K_C0000 = 0x268, MSR_MTRRfix4K_F8000 = 0x26f;
export const MSR_PAT = 0x277, MSR_MTRRdefType = 0x2ff, MSR_MC0_CTL = 0x400;
export const MSR_IA32_TSC_DEADLINE = 0x6e0;
export const MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083;
export const MSR_FMASK = 0xc0000084, MSR_FSBASE = 0xc0000100, MSR_GSBASE = 0xc0000101;
export const MSR_KERNELGSBASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103;

export const EFER_SCE = 1 << 0, EFER_NXE = 1 << 11, EFER_SVME = 1 << 12, EFER_FFXSR = 1 << 14;

/* MCG_CAP as QEMU sets it where the model has MCE and MCA: 10 banks, MCG_CTL_P, MCG_SER_P. */
const MCE_BANKS = 10;
const MCG_CTL_P = 1 << 8;
const MCG_CAP_DEF = MCG_CTL_P | (1 << 24) | MCE_BANKS;
/** MTRRcap: 8 variable ranges, fixed ranges, write-combining. */
const MTRR_CAP = 8 | (1 << 8) | (1 << 10);
/** IA32_PERF_STATUS as QEMU answers it: TSC increment 1000, multiplier 4. */
const PERF_STATUS_LO = 1000, PERF_STATUS_HI = 4 << 8;

function has(c: TcgCpu, word: string, bit: number): boolean {
  return ((c.features[word] ?? 0) & (1 << bit)) !== 0;
}

function hasMca(c: TcgCpu): boolean {
  return has(c, 'FEAT_1_EDX', 7) && has(c, 'FEAT_1_EDX', 14);
}

/** The EFER bits WRMSR may change: by advertised feature (QEMU's update_mask). */
function eferWritable(c: TcgCpu): number {
  let m = 0;
  if (has(c, 'FEAT_8000_0001_EDX', 11)) m |= EFER_SCE;
  if (has(c, 'FEAT_8000_0001_EDX', 29)) m |= EFER_LME;
  if (has(c, 'FEAT_8000_0001_EDX', 20)) m |= EFER_NXE;
  if (has(c, 'FEAT_8000_0001_ECX', 2)) m |= EFER_SVME;
  if (has(c, 'FEAT_8000_0001_EDX', 25)) m |= EFER_FFXSR;
  return m;
}

/** Power-on MSR state that depends on the model (QEMU's mce_init): MCA control registers all ones. */
export function msrReset(c: TcgCpu): void {
  const env = c.env;
  env.resetMsrs();
  if (hasMca(c)) {
    env.msrs[2 * MSRV_MCG_CTL] = env.msrs[2 * MSRV_MCG_CTL + 1] = -1;
    for (let b = 0; b < MCE_BANKS; b++) env.msrs[2 * (MSRV_MC_BANKS + 4 * b)] = env.msrs[2 * (MSRV_MC_BANKS + 4 * b) + 1] = -1;
  }
}

/** The slot in env.msrs of a storage-only MSR, or -1. */
function msrSlot(c: TcgCpu, msr: number): number {
  if (msr >= MSR_MTRRphysBase0 && msr < MSR_MTRRphysBase0 + 16) return MSRV_MTRR_VAR + (msr - MSR_MTRRphysBase0);
  if (msr === MSR_MTRRfix64K_00000) return MSRV_MTRR_FIXED;
  if (msr === MSR_MTRRfix16K_80000 || msr === MSR_MTRRfix16K_A0000) return MSRV_MTRR_FIXED + 1 + msr - MSR_MTRRfix16K_80000;
  if (msr >= MSR_MTRRfix4K_C0000 && msr <= MSR_MTRRfix4K_F8000) return MSRV_MTRR_FIXED + 3 + msr - MSR_MTRRfix4K_C0000;
  if (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * MCE_BANKS && hasMca(c)) return MSRV_MC_BANKS + msr - MSR_MC0_CTL;
  switch (msr) {
    case MSR_PAT: return MSRV_PAT;
    case MSR_MTRRdefType: return MSRV_MTRR_DEF_TYPE;
    case MSR_IA32_MISC_ENABLE: return MSRV_MISC_ENABLE;
    case MSR_MCG_STATUS: return MSRV_MCG_STATUS;
    case MSR_IA32_SPEC_CTRL: return has(c, 'FEAT_7_0_EDX', 26) ? MSRV_SPEC_CTRL : -1;
    default: return -1;
  }
}

function lo32(v: number): number {
  return (v - Math.floor(v / 4294967296) * 4294967296) | 0;
}

/** RDMSR of `msr` (ECX): returns EAX, leaves EDX in c.hi. */
export function helperRdmsr(c: TcgCpu, msr: number): number {
  const env = c.env;
  let hiV = 0, lo = 0, addr = NaN;
  switch (msr) {
    case MSR_IA32_TSC: lo = c.tscFn(c.scratch); hiV = c.scratch[0]; break;
    case MSR_IA32_SYSENTER_CS: lo = env.sysenterCs; break;
    case MSR_IA32_SYSENTER_ESP: addr = env.sysenterEsp; break;
    case MSR_IA32_SYSENTER_EIP: addr = env.sysenterEip; break;
    case MSR_EFER: lo = env.efer; break;
    case MSR_STAR: lo = env.starLo; hiV = env.starHi; break;
    case MSR_LSTAR: addr = env.lstar; break;
    case MSR_CSTAR: addr = env.cstar; break;
    case MSR_FMASK: lo = env.fmaskLo; hiV = env.fmaskHi; break;
    case MSR_FSBASE: addr = env.segBase[R_FS]; break;
    case MSR_GSBASE: addr = env.segBase[R_GS]; break;
    case MSR_KERNELGSBASE: addr = env.kernelGsBase; break;
    case MSR_TSC_AUX: lo = env.tscAux; hiV = env.tscAuxHi; break;
    case MSR_SMI_COUNT: break;
    case MSR_IA32_PERF_STATUS: lo = PERF_STATUS_LO; hiV = PERF_STATUS_HI; break;
    case MSR_MTRRcap: lo = has(c, 'FEAT_1_EDX', 12) ? MTRR_CAP : 0; break;
    case MSR_MCG_CAP: lo = hasMca(c) ? MCG_CAP_DEF : 0; break;
    case MSR_MCG_CTL:
      if (hasMca(c)) { lo = env.msrs[2 * MSRV_MCG_CTL]; hiV = env.msrs[2 * MSRV_MCG_CTL + 1]; }
      break;
    case MSR_IA32_UCODE_REV: lo = ucodeRev(c); hiV = c.hi; break;
    case MSR_IA32_ARCH_CAPABILITIES:
      if (!has(c, 'FEAT_7_0_EDX', 29)) return unknownMsr(c, 'rdmsr', msr);
      break; // no ARCH_CAPABILITIES bits under TCG
    case MSR_PLATFORM_INFO:
      return unknownMsr(c, 'rdmsr', msr); // only KVM offers it
    case MSR_IA32_APICBASE: {
      // cpu_get_apic_base(): 0 without an APIC
      const s = apicStates.get(c);
      lo = s !== undefined ? s.apicbase | 0 : 0;
      break;
    }
    case MSR_IA32_TSC_DEADLINE: {
      const s = apicStates.get(c);
      if (s === undefined || !has(c, 'FEAT_1_ECX', 24)) return unknownMsr(c, 'rdmsr', msr);
      addr = apicGetTscDeadline(s);
      break;
    }
    default: {
      const slot = msrSlot(c, msr);
      if (slot < 0) return unknownMsr(c, 'rdmsr', msr);
      lo = env.msrs[2 * slot];
      hiV = env.msrs[2 * slot + 1];
    }
  }
  if (addr === addr) { // an address MSR (a double)
    lo = lo32(addr);
    hiV = Math.floor(addr / 4294967296) | 0;
  }
  c.hi = hiV;
  return lo;
}

/** WRMSR of (lo, hi) = EDX:EAX to `msr`. */
export function helperWrmsr(c: TcgCpu, msr: number, lo: number, hi: number): void {
  const env = c.env;
  switch (msr) {
    case MSR_IA32_TSC: {
      // The guest sets the TSC: keep the difference from the host-derived count as an offset.
      const cur = c.tscFn(c.scratch);
      const curV = (c.scratch[0] >>> 0) * 4294967296 + (cur >>> 0) - env.tscOffset;
      env.tscOffset = (hi >>> 0) * 4294967296 + (lo >>> 0) - curV;
      return;
    }
    case MSR_IA32_SYSENTER_CS: env.sysenterCs = lo & 0xffff; return;
    case MSR_IA32_SYSENTER_ESP: env.sysenterEsp = canonical(c, lo, hi); return;
    case MSR_IA32_SYSENTER_EIP: env.sysenterEip = canonical(c, lo, hi); return;
    case MSR_EFER: return writeEfer(c, lo, hi);
    case MSR_STAR: env.starLo = lo; env.starHi = hi; return;
    case MSR_LSTAR: env.lstar = canonical(c, lo, hi); return;
    case MSR_CSTAR: env.cstar = canonical(c, lo, hi); return;
    case MSR_FMASK: env.fmaskLo = lo; env.fmaskHi = hi; return;
    case MSR_FSBASE: env.segBase[R_FS] = canonical(c, lo, hi); return;
    case MSR_GSBASE: env.segBase[R_GS] = canonical(c, lo, hi); return;
    case MSR_KERNELGSBASE: env.kernelGsBase = canonical(c, lo, hi); return;
    case MSR_TSC_AUX: env.tscAux = lo; env.tscAuxHi = hi; return; // all 64 bits kept, as QEMU does
    case MSR_PAT:
      // Each byte must be a memory type: 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB) or 7 (UC-).
      for (let i = 0; i < 8; i++) {
        const t = ((i < 4 ? lo : hi) >>> ((i & 3) * 8)) & 0xff;
        if (t > 7 || t === 2 || t === 3) c.raise(EXCP0D_GPF, 0);
      }
      break;
    case MSR_MCG_CTL:
      // Only all-zeros or all-ones, and only where MCG_CTL_P is set.
      if (!hasMca(c) || !((lo === 0 && hi === 0) || (lo === -1 && hi === -1))) return;
      env.msrs[2 * MSRV_MCG_CTL] = lo;
      env.msrs[2 * MSRV_MCG_CTL + 1] = hi;
      return;
    case MSR_IA32_PRED_CMD:
      if (!has(c, 'FEAT_7_0_EDX', 26)) return unknownWrite(c, msr);
      if ((lo & ~1) !== 0 || hi !== 0) c.raise(EXCP0D_GPF, 0);
      return; // IBPB: nothing to flush here
    case MSR_IA32_SPEC_CTRL:
      if (has(c, 'FEAT_7_0_EDX', 26) && ((lo & ~7) !== 0 || hi !== 0)) c.raise(EXCP0D_GPF, 0);
      break;
    case MSR_IA32_APICBASE: {
      // cpu_set_apic_base() → apic_set_base(): a new base; BSP is read-only; once disabled, it
      // stays disabled.  Without an APIC the write is dropped.
      const s = apicStates.get(c);
      if (s !== undefined) apicSetBase(s, lo);
      return;
    }
    case MSR_IA32_TSC_DEADLINE: {
      // Not in QEMU 7.2's TCG: the LAPIC timer's TSC-deadline mode (SDM 10.5.4.1)
      const s = apicStates.get(c);
      if (s === undefined || !has(c, 'FEAT_1_ECX', 24)) return unknownWrite(c, msr);
      apicSetTscDeadline(s, (hi >>> 0) * 4294967296 + (lo >>> 0), env.tscOffset);
      return;
    }
    default:
      if (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * MCE_BANKS && hasMca(c)) {
        // MCi_CTL takes only all-zeros or all-ones (QEMU's rule); STATUS/ADDR/MISC anything.
        if ((msr & 3) === 0 && !((lo === 0 && hi === 0) || (lo === -1 && hi === -1))) return;
      }
  }
  const slot = msrSlot(c, msr);
  if (slot < 0) return unknownWrite(c, msr);
  env.msrs[2 * slot] = lo;
  env.msrs[2 * slot + 1] = hi;
}

/** EFER: only the bits of advertised features change; LMA is read-only; reserved bits #GP. */
function writeEfer(c: TcgCpu, lo: number, hi: number): void {
  const env = c.env;
  const mask = eferWritable(c);
  if (hi !== 0 || (lo & ~(mask | EFER_LMA)) !== 0) c.raise(EXCP0D_GPF, 0);
  // LME cannot change while paging is on.
  if (((lo ^ env.efer) & EFER_LME) !== 0 && (env.cr0 & CR0_PG_MASK) !== 0) c.raise(EXCP0D_GPF, 0);
  env.efer = (env.efer & ~mask) | (lo & mask);
  env.updateMode();
}

function canonical(c: TcgCpu, lo: number, hi: number): number {
  if (((hi >> 15) + 1) >>> 1 !== 0) c.raise(EXCP0D_GPF, 0);
  return hi * 4294967296 + (lo >>> 0);
}

/** The microcode revision QEMU reports: KVM's default per vendor (AMD 0x01000065, else 1 << 32). */
function ucodeRev(c: TcgCpu): number {
  c.cpuidFn(0, 0, c.scratch);
  const amd = c.scratch[1] === 0x68747541; // "Auth"enticAMD
  c.hi = amd ? 0 : 1;
  return amd ? 0x01000065 : 0;
}

/** An MSR this CPU does not implement: 0, as QEMU 7.2's TCG answers, logged under -d unimp. */
function unknownMsr(c: TcgCpu, what: string, msr: number): number {
  qemuLogMask(LOG_UNIMP, `${what}: unknown MSR 0x${msr.toString(16)}\n`);
  c.hi = 0;
  return 0;
}

function unknownWrite(c: TcgCpu, msr: number): void {
  unknownMsr(c, 'wrmsr', msr);
}
