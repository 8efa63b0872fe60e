/*
 * What TCG tells the x86 CPU model (target/i386/tcg/tcg-cpu.c): the features
 * our software CPU implements (TCG_FEATURES, declared next to the
 * instructions) and TCG's default properties.
 */
import { FeatureWord, featureWordName } from '../../target/i386/cpu-features.js';
import type { X86AccelCpuOps, X86CPU } from '../../target/i386/cpu.js';
import { objectPropertySet } from '../../qom/object.js';
import { TCG_FEATURES } from '../../target/i386/tcg/tcg-features.js';
import { qemuInitVcpu } from '../../system/cpus.js';

export const tcgX86CpuOps: X86AccelCpuOps = {
  name: 'tcg',
  usesHostCpuid: false,
  supportedFeatureWord(w: FeatureWord, half: 0 | 1 = 0): number {
    // TCG_FEATURES holds the low 32 bits of each word; no 64-bit MSR word has TCG bits.
    return half === 0 ? (TCG_FEATURES[featureWordName(w)] ?? 0) : 0;
  },
  instanceInit(cpu: X86CPU): void {
    // x86_tcg_default_props: TCG does not offer VME by default.
    objectPropertySet(cpu, 'vme', false);
  },
  initVcpu(cpu: X86CPU): void {
    qemuInitVcpu(cpu);
  },
};
