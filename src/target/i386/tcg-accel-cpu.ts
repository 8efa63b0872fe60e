/*
 * The TCG side of X86AccelCpuOps (QEMU's target/i386/tcg/tcg-cpu.c): what our
 * software CPU can run comes from TCG_FEATURES, and every model gets vme=off
 * (x86_tcg_default_props).  The TCG accelerator installs this with
 * setX86AccelCpuOps(tcgX86AccelCpuOps(initVcpu)).
 */
import { objectPropertySet } from '../../qom/object.js';
import { FeatureWord, featureWordName } from './cpu-features.js';
import { TCG_FEATURES } from './tcg/tcg-features.js';
import type { X86AccelCpuOps, X86CPU } from './cpu.js';

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
