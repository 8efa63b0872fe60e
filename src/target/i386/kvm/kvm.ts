/*
 * x86 parts of KVM (target/i386/kvm/kvm.c): kvm_arch_init (identity map, TSS,
 * MSR list), the supported-CPUID query with QEMU's fixups, kvm_arch_init_vcpu
 * (CPUID table, MSRs, LAPIC LINT0/LINT1) and register access for the dump.
 */
import type { KVMState } from '../../../accel/kvm/kvm-all.js';
import * as K from '../../../accel/kvm/kvm-consts.js';
import { errorReport, QemuError } from '../../../util/error.js';
import { strerrorErrno } from '../../../util/strerror.js';
import { constants as osc } from 'node:os';

export type CpuidReg = 'eax' | 'ebx' | 'ecx' | 'edx';

export interface CpuidResult {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** cpu_x86_cpuid() as the CPU model computes it for one vCPU. */
export type CpuidFunction = (leaf: number, subleaf: number) => CpuidResult;

/** QEMU's kvm_arch_required_capabilities. */
export const kvmArchRequiredCapabilities: Array<[string, number]> = [
  ['SET_TSS_ADDR', K.KVM_CAP_SET_TSS_ADDR],
  ['EXT_CPUID', K.KVM_CAP_EXT_CPUID],
  ['MP_STATE', K.KVM_CAP_MP_STATE],
];

/** The EPT identity map + TSS pages below the BIOS (4 pages): the machine reserves them in e820. */
export const KVM_IDENTITY_BASE = 0xfeffc000;
export const KVM_IDENTITY_RESERVED_SIZE = 0x4000;

interface CpuidEntry extends CpuidResult {
  function: number;
  index: number;
  flags: number;
}

let supportedCpuid: CpuidEntry[] = [];
let supportedMsrs = new Set<number>();
let tscDeadlineCap = false;

/** KVM_GET_SUPPORTED_CPUID, growing the table while the kernel says E2BIG (get_supported_cpuid). */
function readSupportedCpuid(s: KVMState): CpuidEntry[] | number {
  for (let max = K.KVM_MAX_CPUID_ENTRIES; ; max *= 2) {
    const buf = new DataView(new ArrayBuffer(8 + 40 * max));
    buf.setUint32(0, max, true);
    const r = s.ioctl(K.KVM_GET_SUPPORTED_CPUID, buf);
    if (r === -osc.errno.E2BIG) continue;
    if (r < 0) return r;
    return readCpuidEntries(buf);
  }
}

function readCpuidEntries(buf: DataView): CpuidEntry[] {
  const n = buf.getUint32(0, true);
  const out: CpuidEntry[] = [];
  for (let i = 0; i < n; i++) {
    const o = 8 + 40 * i;
    out.push({
      function: buf.getUint32(o, true), index: buf.getUint32(o + 4, true), flags: buf.getUint32(o + 8, true),
      eax: buf.getUint32(o + 0xc, true), ebx: buf.getUint32(o + 0x10, true), ecx: buf.getUint32(o + 0x14, true), edx: buf.getUint32(o + 0x18, true),
    });
  }
  return out;
}

/** kvm_get_supported_msrs(): KVM_GET_MSR_INDEX_LIST, first sized with nmsrs = 0. */
function readMsrIndexList(s: KVMState): Set<number> | number {
  const probe = new DataView(new ArrayBuffer(4));
  let r = s.ioctl(K.KVM_GET_MSR_INDEX_LIST, probe);
  if (r < 0 && r !== -osc.errno.E2BIG) return r;
  const n = probe.getUint32(0, true);
  const buf = new DataView(new ArrayBuffer(4 + 4 * n));
  buf.setUint32(0, n, true);
  r = s.ioctl(K.KVM_GET_MSR_INDEX_LIST, buf);
  if (r < 0) return r;
  const set = new Set<number>();
  for (let i = 0; i < buf.getUint32(0, true); i++) set.add(buf.getUint32(4 + 4 * i, true));
  return set;
}

/** kvm_arch_init(): supported CPUID/MSRs, then the identity map and TSS addresses. */
export function kvmArchInit(s: KVMState): number {
  const cpuid = readSupportedCpuid(s);
  if (typeof cpuid === 'number') return cpuid;
  supportedCpuid = cpuid;
  const msrs = readMsrIndexList(s);
  if (typeof msrs === 'number') return msrs;
  supportedMsrs = msrs;
  tscDeadlineCap = s.checkExtension(K.KVM_CAP_TSC_DEADLINE_TIMER) > 0;

  // On older Intel hosts KVM runs 16-bit code in vm86 mode, which needs an EPT
  // identity map and a TSS inside guest-physical space: 4 pages below 16 MiB BIOSes.
  let identityBase = 0xfffbc000;
  if (s.checkExtension(K.KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
    identityBase = KVM_IDENTITY_BASE;
    const b = new DataView(new ArrayBuffer(8));
    b.setUint32(0, identityBase, true);
    const r = s.vmIoctl(K.KVM_SET_IDENTITY_MAP_ADDR, b);
    if (r < 0) return r;
  }
  const r = s.vmIoctl(K.KVM_SET_TSS_ADDR, identityBase + 0x1000);
  if (r < 0) return r;
  return 0;
}

function regOf(e: CpuidResult, reg: CpuidReg): number {
  return e[reg];
}

// Feature bits used by the fixups (target/i386/cpu.h).
const CPUID_MCE = 1 << 7, CPUID_MTRR = 1 << 12, CPUID_MCA = 1 << 14, CPUID_PAT = 1 << 16;
const CPUID_EXT_X2APIC = 1 << 21, CPUID_EXT_TSC_DEADLINE_TIMER = 1 << 24, CPUID_EXT_HYPERVISOR = 1 << 31;
const CPUID_6_EAX_ARAT = 1 << 2;
const CPUID_EXT3_TOPOEXT = 1 << 22;
const CPUID_EXT2_AMD_ALIASES = 0x0183f3ff;
const KVM_CPUID_FEATURES = 0x40000001;
const KVM_FEATURE_PV_UNHALT = 7;
const KVM_HINTS_REALTIME = 0;

/**
 * kvm_arch_get_supported_cpuid(): what KVM can give a guest for one register
 * of one leaf, with QEMU's fixups.  The CPU model filters its feature words
 * with this and warns "host doesn't support requested feature: ..." for the rest.
 */
export function kvmArchGetSupportedCpuid(leaf: number, index: number, register: CpuidReg | Uppercase<CpuidReg>, irqchipInKernel = true): number {
  const reg = register.toLowerCase() as CpuidReg;
  const e = supportedCpuid.find((c) => c.function === leaf && c.index === index);
  let ret = e ? regOf(e, reg) : 0;
  if (leaf === 1 && reg === 'edx') {
    ret |= CPUID_MTRR | CPUID_PAT | CPUID_MCE | CPUID_MCA;
  } else if (leaf === 1 && reg === 'ecx') {
    ret |= CPUID_EXT_HYPERVISOR;
    if (irqchipInKernel && tscDeadlineCap) ret |= CPUID_EXT_TSC_DEADLINE_TIMER;
    if (!irqchipInKernel) ret &= ~CPUID_EXT_X2APIC;
  } else if (leaf === 6 && reg === 'eax') {
    ret |= CPUID_6_EAX_ARAT;
  } else if (leaf === 0x80000001 && reg === 'ecx') {
    ret |= CPUID_EXT3_TOPOEXT;
  } else if (leaf === 0x80000001 && reg === 'edx') {
    ret |= kvmArchGetSupportedCpuid(1, 0, 'edx', irqchipInKernel) & CPUID_EXT2_AMD_ALIASES;
  } else if (leaf === KVM_CPUID_FEATURES && reg === 'eax') {
    if (!irqchipInKernel) ret &= ~(1 << KVM_FEATURE_PV_UNHALT);
  } else if (leaf === KVM_CPUID_FEATURES && reg === 'edx') {
    ret |= 1 << KVM_HINTS_REALTIME;
  }
  return ret >>> 0;
}

/** The name the issue asks for: the feature word KVM supports (leaf, subleaf, register). */
export const supportedFeatureWord = kvmArchGetSupportedCpuid;

/**
 * A CPUID function over KVM_GET_SUPPORTED_CPUID itself, with the APIC id in
 * leaves 1/0xB/0x1F: what a vCPU gets when no CPU model supplies one.
 */
export function kvmSupportedCpuidFunction(apicId: number): CpuidFunction {
  return (leaf, subleaf) => {
    const e = supportedCpuid.find((c) => c.function === leaf && (c.index === subleaf || !(c.flags & K.KVM_CPUID_FLAG_SIGNIFCANT_INDEX)));
    const r = e ? { eax: e.eax, ebx: e.ebx, ecx: e.ecx, edx: e.edx } : { eax: 0, ebx: 0, ecx: 0, edx: 0 };
    if (leaf === 1) r.ebx = ((r.ebx & 0x00ffffff) | (apicId << 24)) >>> 0;
    if (leaf === 0xb || leaf === 0x1f) r.edx = apicId;
    return r;
  };
}

/**
 * The kvm_cpuid2 table QEMU builds in kvm_arch_init_vcpu(): the KVM leaves,
 * 0..level with the subleaf rules of leaves 2/4/7/0xB/0xD/0x12/0x14/0x1D/0x1E/0x1F,
 * 0x80000000..xlevel and 0xC0000000..xlevel2; all-zero plain leaves are left out.
 */
export function kvmBuildCpuidTable(cpuid: CpuidFunction, exposeKvm = true): CpuidEntry[] {
  const t: CpuidEntry[] = [];
  const add = (fn: number, index: number, flags: number): CpuidEntry => {
    if (t.length === K.KVM_MAX_CPUID_ENTRIES) {
      throw new Error(`unsupported level value: 0x${fn.toString(16)}`);
    }
    const r = cpuid(fn, index);
    const e = { function: fn, index, flags, eax: r.eax >>> 0, ebx: r.ebx >>> 0, ecx: r.ecx >>> 0, edx: r.edx >>> 0 };
    t.push(e);
    return e;
  };
  const SIG = K.KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
  if (exposeKvm) {
    // "KVMKVMKVM\0\0\0"; the feature words come from the model's leaf 0x40000001.
    t.push({ function: 0x40000000, index: 0, flags: 0, eax: KVM_CPUID_FEATURES, ebx: 0x4b4d564b, ecx: 0x564b4d56, edx: 0x4d });
    const f = cpuid(KVM_CPUID_FEATURES, 0);
    t.push({ function: KVM_CPUID_FEATURES, index: 0, flags: 0, eax: f.eax >>> 0, ebx: 0, ecx: 0, edx: f.edx >>> 0 });
  }
  const plain = (fn: number): void => {
    const e = add(fn, 0, 0);
    if (!e.eax && !e.ebx && !e.ecx && !e.edx) t.pop();
  };
  const limit = cpuid(0, 0).eax >>> 0;
  for (let i = 0; i <= limit; i++) {
    switch (i) {
      case 2: {
        // Stateful: read again until the count in AL is reached.
        const e = add(2, 0, 0);
        e.flags = 6; // KVM_CPUID_FLAG_STATEFUL_FUNC | KVM_CPUID_FLAG_STATE_READ_NEXT
        const times = e.eax & 0xff;
        for (let j = 1; j < times; j++) add(2, 0, 2);
        break;
      }
      case 4:
      case 0x1f:
      case 0xb:
      case 0xd:
        // 0x1F only with more than one die; the model returns all zero otherwise.
        if (i === 0x1f && cpuid(0x1f, 0).ebx === 0) break;
        for (let j = 0; ; j++) {
          if ((i === 0xd || i === 0x1f) && j === 64) break;
          const e = add(i, j, SIG);
          if (i === 4 && e.eax === 0) break;
          if ((i === 0xb || i === 0x1f) && !(e.ecx & 0xff00)) break;
          if (i === 0xd && e.eax === 0) t.pop();
        }
        break;
      case 0x12:
        for (let j = 0; ; j++) {
          const e = add(i, j, SIG);
          if (j > 1 && (e.eax & 0xf) !== 1) break;
        }
        break;
      case 7:
      case 0x14:
      case 0x1d:
      case 0x1e: {
        const times = add(i, 0, SIG).eax;
        for (let j = 1; j <= times; j++) add(i, j, SIG);
        break;
      }
      default:
        plain(i);
    }
  }
  const xlimit = cpuid(0x80000000, 0).eax >>> 0;
  for (let i = 0x80000000; i <= xlimit; i++) {
    if (i === 0x8000001d) {
      for (let j = 0; ; j++) if (add(i, j, SIG).eax === 0) break;
    } else {
      plain(i);
    }
  }
  const x2limit = cpuid(0xc0000000, 0).eax >>> 0;
  if (x2limit >= 0xc0000000 && x2limit <= 0xc00000ff) for (let i = 0xc0000000; i <= x2limit; i++) plain(i);
  return t;
}

/** KVM_SET_CPUID2 with a table from kvmBuildCpuidTable(). */
export function kvmSetCpuid2(s: KVMState, vcpuFd: number, table: CpuidEntry[]): number {
  const buf = new DataView(new ArrayBuffer(8 + 40 * table.length));
  buf.setUint32(0, table.length, true);
  table.forEach((e, i) => {
    const o = 8 + 40 * i;
    buf.setUint32(o, e.function, true);
    buf.setUint32(o + 4, e.index, true);
    buf.setUint32(o + 8, e.flags, true);
    buf.setUint32(o + 0xc, e.eax, true);
    buf.setUint32(o + 0x10, e.ebx, true);
    buf.setUint32(o + 0x14, e.ecx, true);
    buf.setUint32(o + 0x18, e.edx, true);
  });
  return s.sys.ioctl(vcpuFd, K.KVM_SET_CPUID2, buf);
}

/** KVM_GET_CPUID2: what the vCPU was given (for tests and `info cpuid`-like checks). */
export function kvmGetCpuid2(s: KVMState, vcpuFd: number): CpuidEntry[] {
  const buf = new DataView(new ArrayBuffer(8 + 40 * 256));
  buf.setUint32(0, 256, true);
  const r = s.sys.ioctl(vcpuFd, K.KVM_GET_CPUID2, buf);
  if (r < 0) throw new Error(`KVM_GET_CPUID2: ${strerrorErrno(-r)}`);
  return readCpuidEntries(buf);
}

// MSRs QEMU writes at reset (kvm_put_msrs, KVM_PUT_RESET_STATE), with their reset values.
const MSR_IA32_TSC = 0x10;
const MSR_IA32_SYSENTER_CS = 0x174, MSR_IA32_SYSENTER_ESP = 0x175, MSR_IA32_SYSENTER_EIP = 0x176;
const MSR_PAT = 0x277;
const MSR_IA32_MISC_ENABLE = 0x1a0;
const MSR_MTRRdefType = 0x2ff;
const MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083, MSR_FMASK = 0xc0000084, MSR_KERNELGSBASE = 0xc0000102;

const resetMsrs: Array<[number, number, number]> = [
  // [index, low 32 bits, high 32 bits]
  [MSR_IA32_SYSENTER_CS, 0, 0],
  [MSR_IA32_SYSENTER_ESP, 0, 0],
  [MSR_IA32_SYSENTER_EIP, 0, 0],
  [MSR_PAT, 0x00070406, 0x00070406],
  [MSR_STAR, 0, 0],
  [MSR_CSTAR, 0, 0],
  [MSR_KERNELGSBASE, 0, 0],
  [MSR_FMASK, 0, 0],
  [MSR_LSTAR, 0, 0],
  [MSR_IA32_TSC, 0, 0],
  [MSR_IA32_MISC_ENABLE, 1, 0], // MSR_IA32_MISC_ENABLE_DEFAULT: fast strings
  [MSR_MTRRdefType, 0, 0],
];

/** kvm_put_msrs() at reset: the MSRs above that KVM lists; a short count is fatal, as in QEMU. */
export function kvmPutResetMsrs(s: KVMState, vcpuFd: number): void {
  const list = resetMsrs.filter(([idx]) => supportedMsrs.has(idx));
  const buf = new DataView(new ArrayBuffer(8 + 16 * list.length));
  buf.setUint32(0, list.length, true);
  list.forEach(([idx, lo, hi], i) => {
    buf.setUint32(8 + 16 * i, idx, true);
    buf.setUint32(8 + 16 * i + 8, lo, true);
    buf.setUint32(8 + 16 * i + 12, hi, true);
  });
  const r = s.sys.ioctl(vcpuFd, K.KVM_SET_MSRS, buf);
  if (r < 0) throw new QemuError(`kvm_put_msrs: ${strerrorErrno(-r)}`);
  if (r < list.length) {
    const [idx, lo, hi] = list[r]!;
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    errorReport(`error: failed to set MSR 0x${idx.toString(16)} to 0x${v.toString(16)}`);
    throw new Error('kvm_buf_set_msrs: ret == cpu->kvm_msr_buf->nmsrs');
  }
}

/** Reads one MSR (KVM_GET_MSRS), as two 32-bit halves. */
export function kvmGetMsr(s: KVMState, vcpuFd: number, index: number): [number, number] {
  const buf = new DataView(new ArrayBuffer(8 + 16));
  buf.setUint32(0, 1, true);
  buf.setUint32(8, index, true);
  const r = s.sys.ioctl(vcpuFd, K.KVM_GET_MSRS, buf);
  if (r !== 1) throw new Error(`KVM_GET_MSRS(0x${index.toString(16)}) failed`);
  return [buf.getUint32(16, true), buf.getUint32(20, true)];
}

export const APIC_LVT0 = 0x350;
export const APIC_LVT1 = 0x360;
const APIC_LVT_MASKED = 1 << 16;

/**
 * The LAPIC's LINT0/LINT1 at reset (apic_reset_common): both masked, except
 * that the BSP's LINT0 is ExtINT (0x700) so that PIC interrupts reach it.
 */
export function kvmApicResetLint(s: KVMState, vcpuFd: number, bsp: boolean): void {
  const page = new DataView(new ArrayBuffer(1024));
  let r = s.sys.ioctl(vcpuFd, K.KVM_GET_LAPIC, page);
  if (r < 0) throw new QemuError(`KVM_GET_LAPIC failed: ${strerrorErrno(-r)}`);
  page.setUint32(APIC_LVT0, bsp ? 0x700 : APIC_LVT_MASKED, true);
  page.setUint32(APIC_LVT1, APIC_LVT_MASKED, true);
  r = s.sys.ioctl(vcpuFd, K.KVM_SET_LAPIC, page);
  if (r < 0) throw new QemuError(`KVM_SET_LAPIC failed: ${strerrorErrno(-r)}`);
}

/** KVM_GET_LAPIC: the 1 KiB register page. */
export function kvmGetLapic(s: KVMState, vcpuFd: number): DataView {
  const page = new DataView(new ArrayBuffer(1024));
  const r = s.sys.ioctl(vcpuFd, K.KVM_GET_LAPIC, page);
  if (r < 0) throw new Error(`KVM_GET_LAPIC failed: ${strerrorErrno(-r)}`);
  return page;
}

/**
 * kvm_arch_init_vcpu() for x86: CPUID table, reset MSRs, LAPIC lines.
 * Returns 0 or -errno (KVM_SET_CPUID2's), as QEMU's does.
 */
export function kvmArchInitVcpu(s: KVMState, vcpuFd: number, cpuid: CpuidFunction, bsp: boolean, exposeKvm = true): number {
  const table = kvmBuildCpuidTable(cpuid, exposeKvm);
  const r = kvmSetCpuid2(s, vcpuFd, table);
  if (r < 0) return r;
  kvmPutResetMsrs(s, vcpuFd);
  if (s.kernelIrqchip) kvmApicResetLint(s, vcpuFd, bsp);
  return 0;
}
