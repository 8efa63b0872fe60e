/*
 * The KVM side of X86AccelCpuOps (target/i386/kvm/kvm-cpu.c): features are
 * filtered by what the host's KVM supports (KVM_GET_SUPPORTED_CPUID), every
 * model gets kvm_default_props, and each vCPU's CPUID table comes from the
 * model (cpu_x86_cpuid), as kvm_arch_init_vcpu() builds it.
 */
import { objectPropertyFind, objectPropertySet } from '../../../qom/object.js';
import { featureWordInfo } from '../cpu-features.js';
import type { X86AccelCpuOps, X86CPU } from '../cpu.js';
import { cpuX86Cpuid } from '../cpuid.js';
import { kvmArchGetSupportedCpuid } from './kvm.js';

/* kvm_default_props (7.2), those our models have as properties. */
const KVM_DEFAULT_PROPS: ReadonlyArray<[string, string]> = [
  ['kvmclock', 'on'], ['kvm-nopiodelay', 'on'], ['kvm-asyncpf', 'on'], ['kvm-steal-time', 'on'],
  ['kvm-pv-eoi', 'on'], ['kvmclock-stable-bit', 'on'], ['x2apic', 'on'], ['acpi', 'off'],
  ['monitor', 'off'], ['svm', 'off'],
];

export function kvmX86AccelCpuOps(initVcpu: (cpu: X86CPU) => void): X86AccelCpuOps {
  return {
    name: 'kvm',
    usesHostCpuid: true,
    supportedFeatureWord: (w, half = 0) => {
      const d = featureWordInfo[w];
      return d.type === 'cpuid' && half === 0 ? kvmArchGetSupportedCpuid(d.leaf, d.subleaf ?? 0, d.reg) >>> 0 : 0;
    },
    instanceInit: (cpu) => {
      for (const [name, value] of KVM_DEFAULT_PROPS) {
        if (objectPropertyFind(cpu, name)) objectPropertySet(cpu, name, value);
      }
    },
    initVcpu,
  };
}

/** What the vCPU thread needs to set a vCPU up: its APIC ID and CPUID from the model. */
export function kvmX86CpuInfo(cpu: X86CPU): { apicId: number; cpuid: (leaf: number, subleaf: number) => { eax: number; ebx: number; ecx: number; edx: number } } {
  const out = new Uint32Array(4);
  return {
    apicId: cpu.apicId,
    cpuid: (leaf, subleaf) => {
      cpuX86Cpuid(cpu, leaf, subleaf, out);
      return { eax: out[0]!, ebx: out[1]!, ecx: out[2]!, edx: out[3]! };
    },
  };
}
