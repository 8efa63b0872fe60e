/*
 * The TCG side of the x86 CPU (QEMU's target/i386/tcg/tcg-cpu.c and x86_cpu_reset()): what our
 * software CPU can run comes from TCG_FEATURES, every model gets vme=off
 * (x86_tcg_default_props), and each realized CPU gets a software-CPU context (X86TcgCpu) on the
 * machine's memory and I/O spaces, answering CPUID from the model.  The TCG accelerator installs
 * this with setX86AccelCpuOps(tcgX86AccelCpuOps(initVcpu)).
 */
import { objectPropertySet } from '../../qom/object.js';
import { FEATURE_WORDS, FeatureWord, featureWordName } from './cpu-features.js';
import { TCG_FEATURES } from './tcg/tcg-features.js';
import { X86TcgCpu } from './tcg/cpu-exec.js';
import { msrReset, tcgCpuApic } from './tcg/msr.js';
import { MSR_IA32_APICBASE_ENABLE } from '../../hw/intc/apic.js';
import { CPUX86State, R_EDX } from './tcg/cpu-state.js';
import { cpuX86Cpuid } from './cpuid.js';
import { qemuClockGetNs, QEMU_CLOCK_VIRTUAL } from '../../qemu/timer.js';
import type { X86AccelCpuOps, X86CPU } from './cpu.js';
import type { AddressSpace } from '../../exec/memory.js';
import type { IOPortSpace } from '../../exec/ioport.js';

/** Supported bits per word from a table keyed by QEMU's word names ('FEAT_1_EDX'; '<name>_HI' for bits 32..63). */
export function supportedFromTable(table: Readonly<Record<string, number>>): (w: FeatureWord, half?: 0 | 1) => number {
  return (w, half = 0) => (table[featureWordName(w) + (half ? '_HI' : '')] ?? 0) >>> 0;
}

export function tcgX86AccelCpuOps(initVcpu?: (cpu: X86CPU) => void): X86AccelCpuOps {
  return {
    name: 'tcg',
    usesHostCpuid: false,
    supportedFeatureWord: supportedFromTable(TCG_FEATURES),
    instanceInit: (cpu) => objectPropertySet(cpu, 'vme', 'off'),
    initVcpu,
  };
}

/** The model's filtered feature words by QEMU name (the low 32 bits; '<name>_HI' for the rest). */
function modelFeatures(cpu: X86CPU): Record<string, number> {
  const f: Record<string, number> = {};
  for (let w = 0; w < FEATURE_WORDS; w++) {
    f[featureWordName(w)] = cpu.env.features[2 * w]! | 0;
    if (cpu.env.features[2 * w + 1]) f[featureWordName(w) + '_HI'] = cpu.env.features[2 * w + 1]! | 0;
  }
  return f;
}

/**
 * A software-CPU context for a realized CPU: CPUID from the model (cpu_x86_cpuid), the features
 * it advertises, and a TSC that counts virtual-clock nanoseconds (a 1 GHz TSC that stops with
 * the VM).  The context starts in the reset state (x86CpuResetTcg).
 */
export function tcgX86CpuCreate(cpu: X86CPU, as: AddressSpace, io: IOPortSpace): X86TcgCpu {
  const regs = new Uint32Array(4);
  let tcg: X86TcgCpu | undefined = undefined;
  tcg = new X86TcgCpu({
    as, io,
    features: modelFeatures(cpu),
    cpuid: (leaf, subleaf, out) => {
      // CPUID.1:ECX.OSXSAVE follows the CPU's CR4.
      cpu.env.cr4 = tcg!.env.cr4;
      cpuX86Cpuid(cpu, leaf, subleaf, regs);
      out[0] = regs[0]! | 0;
      out[1] = regs[1]! | 0;
      out[2] = regs[2]! | 0;
      out[3] = regs[3]! | 0;
      // A hardware-disabled APIC drops CPUID.1:EDX.APIC (apic_set_base's cpu_clear_apic_feature).
      if (leaf === 1) {
        const s = tcgCpuApic(tcg!.c);
        if (s !== undefined && (s.apicbase & MSR_IA32_APICBASE_ENABLE) === 0) out[3] &= ~CPUID_APIC;
      }
    },
    rdtsc: (out) => {
      // The TSC counts virtual nanoseconds, moved by WRMSR IA32_TSC (env.tscOffset).
      const tsc = qemuClockGetNs(QEMU_CLOCK_VIRTUAL) + tcg!.env.tscOffset;
      out[0] = Math.floor(tsc / 2 ** 32) | 0;
      return tsc >>> 0;
    },
  });
  x86CpuResetTcg(tcg, cpu);
  return tcg;
}

const powerOn = new CPUX86State();
const CPUID_APIC = 1 << 9;

/**
 * What INIT keeps (QEMU's start_init_save..end_init_save, SDM Vol. 3 §9.1.1 table 9-1): the
 * x87/SSE state, the system-call MSRs, the TSC and the other MSRs.
 */
const INIT_KEPT: ReadonlyArray<keyof CPUX86State> = [
  'xmm', 'mxcsr', 'fpregs', 'fpstt', 'fpus', 'fpuc', 'fptags', 'fpop', 'fpip', 'fpcs', 'fpdp', 'fpds',
  'sysenterCs', 'sysenterEsp', 'sysenterEip', 'starLo', 'starHi', 'lstar', 'cstar', 'kernelGsBase', 'fmaskLo', 'fmaskHi',
  'tscAux', 'tscAuxHi', 'tscOffset', 'msrs',
];

/** do_cpu_init(): x86_cpu_reset, then the state INIT preserves put back. */
export function x86CpuInitTcg(tcg: X86TcgCpu, cpu: X86CPU): void {
  const env = tcg.env as unknown as Record<string, unknown>;
  const saved = INIT_KEPT.map((k) => {
    const v = env[k];
    return ArrayBuffer.isView(v) ? (v as Int32Array).slice() : v;
  });
  x86CpuResetTcg(tcg, cpu);
  INIT_KEPT.forEach((k, i) => {
    const v = saved[i];
    if (ArrayBuffer.isView(v)) (env[k] as Int32Array).set(v as Int32Array);
    else env[k] = v;
  });
}

/**
 * x86_cpu_reset(): the architectural state of a power-on/RESET (SDM Vol. 3 §9.1.1, the state a
 * fresh CPUX86State has: real mode at F000:FFF0, CS base 0xffff0000), EDX = the CPUID version
 * signature, and the decoded code and TLB dropped.  Every field of the state is reset, so fields
 * other modules add later are covered too.
 */
export function x86CpuResetTcg(tcg: X86TcgCpu, cpu: X86CPU): void {
  const env = tcg.env as unknown as Record<string, unknown>;
  const gen = tcg.env.fetchGen;
  for (const [k, v] of Object.entries(powerOn)) {
    if (ArrayBuffer.isView(v)) (env[k] as Int32Array).set(v as Int32Array);
    else env[k] = v;
  }
  tcg.env.fetchGen = gen + 1;
  tcg.env.regs[R_EDX << 1] = cpu.env.cpuidVersion | 0;
  msrReset(tcg.c);
  tcg.exitRequest = false;
  tcg.flushCode();
}
