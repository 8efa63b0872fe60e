/*
 * The built-in x86 CPU models (target/i386/cpu.c `builtin_x86_defs[]`), as
 * QEMU 7.2 defines them: one base definition per model plus its versions.
 * A version applies its props on top of the previous versions' (cumulative,
 * as x86_cpu_apply_version_props() does); an unversioned name is an alias
 * whose version the machine type decides (x86CpuSetDefaultVersion).
 *
 * The table was transcribed from QEMU 7.2 itself: query-cpu-model-expansion of
 * every versioned model (test/cpu/tools/qmp_expand.py), cross-checked with
 * cpu.c; test/cpu/models.test.ts compares every model's expansion with live
 * QEMU 7.2.  Unnamed bits a model sets (EPT write-back, bit 14 of
 * MSR_IA32_VMX_EPT_VPID_CAP) are given as bit numbers.
 */
import type { FeatureWord } from './cpu-features.js';

export type FeatureWordKey = keyof typeof FeatureWord;

export type CacheType = 'data' | 'instruction' | 'unified';

/** CPUCacheInfo (7.2 has no share_level: leaf 4/0x8000001D derive sharing from the topology). */
export interface CPUCacheInfo {
  type: CacheType;
  level: number;
  size: number;
  lineSize: number;
  associativity: number;
  partitions: number;
  sets: number;
  linesPerTag: number;
  selfInit: boolean;
  noInvdSharing: boolean;
  inclusive: boolean;
  complexIndexing: boolean;
}

export interface CPUCaches {
  l1d: CPUCacheInfo;
  l1i: CPUCacheInfo;
  l2: CPUCacheInfo;
  l3: CPUCacheInfo;
}

const KiB = 1024;
const MiB = 1024 * KiB;

function cache(type: CacheType, level: number, size: number, associativity: number, sets: number,
  o: Partial<CPUCacheInfo> = {}): CPUCacheInfo {
  return {
    type, level, size, lineSize: 64, associativity, partitions: 1, sets, linesPerTag: 0,
    selfInit: false, noInvdSharing: false, inclusive: false, complexIndexing: false, ...o,
  };
}

const l1 = { linesPerTag: 1, selfInit: true, noInvdSharing: true };
const l3 = { linesPerTag: 1, selfInit: true, inclusive: true, complexIndexing: true };

/* The legacy caches: what every model without its own cache_info reports. */
export const legacyL1dCache = cache('data', 1, 32 * KiB, 8, 64, { selfInit: true, noInvdSharing: true });
export const legacyL1dCacheAmd = cache('data', 1, 64 * KiB, 2, 512, l1);
export const legacyL1iCache = cache('instruction', 1, 32 * KiB, 8, 64, { selfInit: true, noInvdSharing: true });
export const legacyL1iCacheAmd = cache('instruction', 1, 64 * KiB, 2, 512, l1);
export const legacyL2Cache = cache('unified', 2, 4 * MiB, 16, 4096, { selfInit: true, noInvdSharing: true });
/** Leaf 2 describes L2 with a descriptor that exists (2 MiB, 8-way). */
export const legacyL2CacheCpuid2 = cache('unified', 2, 2 * MiB, 8, 4096);
export const legacyL2CacheAmd = cache('unified', 2, 512 * KiB, 16, 512, { linesPerTag: 1 });
export const legacyL3Cache = cache('unified', 3, 16 * MiB, 16, 16384, l3);

const epycCacheInfo: CPUCaches = {
  l1d: cache('data', 1, 32 * KiB, 8, 64, l1),
  l1i: cache('instruction', 1, 64 * KiB, 4, 256, l1),
  l2: cache('unified', 2, 512 * KiB, 8, 1024, { linesPerTag: 1 }),
  l3: cache('unified', 3, 8 * MiB, 16, 8192, l3),
};

const epycRomeCacheInfo: CPUCaches = {
  l1d: cache('data', 1, 32 * KiB, 8, 64, l1),
  l1i: cache('instruction', 1, 32 * KiB, 8, 64, l1),
  l2: cache('unified', 2, 512 * KiB, 8, 1024, { linesPerTag: 1 }),
  l3: cache('unified', 3, 16 * MiB, 16, 16384, l3),
};

const epycMilanCacheInfo: CPUCaches = {
  l1d: cache('data', 1, 32 * KiB, 8, 64, l1),
  l1i: cache('instruction', 1, 32 * KiB, 8, 64, l1),
  l2: cache('unified', 2, 512 * KiB, 8, 1024, { linesPerTag: 1 }),
  l3: cache('unified', 3, 32 * MiB, 16, 32768, l3),
};

/** X86CPUVersionDefinition; props are QEMU's PropValue pairs, parsed like -cpu values. */
export interface X86CPUVersionDefinition {
  version: number;
  alias?: string;
  /** Shown in -cpu help after the model-id, in brackets. */
  note?: string;
  props?: ReadonlyArray<readonly [string, string]>;
}

/** X86CPUDefinition.  Feature entries are property names, or bit numbers for unnamed bits. */
export interface X86CPUDefinition {
  name: string;
  level: number;
  xlevel: number;
  xlevel2?: number;
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  features: Partial<Record<FeatureWordKey, ReadonlyArray<string | number>>>;
  modelId: string;
  cacheInfo?: CPUCaches;
  /** Absent: only version 1. */
  versions?: readonly X86CPUVersionDefinition[];
  deprecationNote?: string;
}

export const builtinX86Defs: readonly X86CPUDefinition[] = [
  {
    name: "486",
    level: 1, xlevel: 0,
    vendor: "GenuineIntel", family: 4, model: 8, stepping: 0,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "pse"],
    },
    modelId: "",
  },
  {
    name: "Broadwell",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 61, stepping: 2,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm", "rdseed", "adx", "smap"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
      FEAT_VMX_VMFUNC: ["vmx-eptp-switching"],
    },
    modelId: "Intel Core Processor (Broadwell)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Broadwell-noTSX", props: [["hle", "off"], ["rtm", "off"], ["model-id", "Intel Core Processor (Broadwell, no TSX)"]] },
      { version: 3, alias: "Broadwell-IBRS", props: [["hle", "on"], ["rtm", "on"], ["spec-ctrl", "on"], ["model-id", "Intel Core Processor (Broadwell, IBRS)"]] },
      { version: 4, alias: "Broadwell-noTSX-IBRS", props: [["hle", "off"], ["rtm", "off"], ["model-id", "Intel Core Processor (Broadwell, no TSX, IBRS)"]] },
    ],
  },
  {
    name: "Cascadelake-Server",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 85, stepping: 6,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm", "avx512f", "avx512dq", "rdseed", "adx", "smap", "clflushopt", "clwb", "avx512cd", "avx512bw", "avx512vl"],
      FEAT_7_0_ECX: ["pku", "avx512vnni"],
      FEAT_7_0_EDX: ["spec-ctrl", "ssbd"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Intel Xeon Processor (Cascadelake)",
    versions: [
      { version: 1 },
      { version: 2, note: "ARCH_CAPABILITIES", props: [["arch-capabilities", "on"], ["ibrs-all", "on"], ["mds-no", "on"], ["rdctl-no", "on"], ["skip-l1dfl-vmentry", "on"]] },
      { version: 3, alias: "Cascadelake-Server-noTSX", note: "ARCH_CAPABILITIES, no TSX", props: [["hle", "off"], ["rtm", "off"]] },
      { version: 4, note: "ARCH_CAPABILITIES, EPT switching, no TSX", props: [["vmx-eptp-switching", "on"]] },
      { version: 5, note: "ARCH_CAPABILITIES, EPT switching, XSAVES, no TSX", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
    ],
  },
  {
    name: "Conroe",
    level: 0xa, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 15, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "ssse3"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-ack-intr"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-ia32e-mode"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
      FEAT_VMX_BASIC: ["vmx-ins-outs"],
    },
    modelId: "Intel Celeron_4x0 (Conroe/Merom Class Core 2)",
  },
  {
    name: "Cooperlake",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 85, stepping: 10,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm", "avx512f", "avx512dq", "rdseed", "adx", "smap", "clflushopt", "clwb", "avx512cd", "avx512bw", "avx512vl"],
      FEAT_7_0_ECX: ["pku", "avx512vnni"],
      FEAT_7_0_EDX: ["spec-ctrl", "stibp", "arch-capabilities", "ssbd"],
      FEAT_7_1_EAX: ["avx512-bf16"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_ARCH_CAPABILITIES: ["rdctl-no", "ibrs-all", "skip-l1dfl-vmentry", "mds-no", "pschange-mc-no", "taa-no"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
      FEAT_VMX_VMFUNC: ["vmx-eptp-switching"],
    },
    modelId: "Intel Xeon Processor (Cooperlake)",
    versions: [
      { version: 1 },
      { version: 2, note: "XSAVES", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
    ],
  },
  {
    name: "Denverton",
    level: 0x15, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 95, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "monitor", "ssse3", "cx16", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "smep", "erms", "mpx", "rdseed", "smap", "clflushopt", "sha-ni"],
      FEAT_7_0_EDX: ["spec-ctrl", "arch-capabilities", "ssbd"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_ARCH_CAPABILITIES: ["rdctl-no", "skip-l1dfl-vmentry"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
      FEAT_VMX_VMFUNC: ["vmx-eptp-switching"],
    },
    modelId: "Intel Atom Processor (Denverton)",
    versions: [
      { version: 1 },
      { version: 2, note: "no MPX, no MONITOR", props: [["monitor", "off"], ["mpx", "off"]] },
      { version: 3, note: "XSAVES, no MPX, no MONITOR", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
    ],
  },
  {
    name: "Dhyana",
    level: 0xd, xlevel: 0x8000001e,
    vendor: "HygonGenuine", family: 24, model: 0, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "monitor", "ssse3", "fma", "cx16", "sse4.1", "sse4.2", "movbe", "popcnt", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "avx2", "smep", "bmi2", "rdseed", "adx", "smap", "clflushopt"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "mmxext", "fxsr-opt", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "cr8legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "topoext"],
      FEAT_8000_0008_EBX: ["ibpb"],
      FEAT_SVM: ["npt", "nrip-save"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
    },
    modelId: "Hygon Dhyana Processor",
    cacheInfo: epycCacheInfo,
    versions: [
      { version: 1 },
      { version: 2, note: "XSAVES", props: [["xsaves", "on"]] },
    ],
  },
  {
    name: "EPYC",
    level: 0xd, xlevel: 0x8000001e,
    vendor: "AuthenticAMD", family: 23, model: 1, stepping: 2,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "monitor", "ssse3", "fma", "cx16", "sse4.1", "sse4.2", "movbe", "popcnt", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "avx2", "smep", "bmi2", "rdseed", "adx", "smap", "clflushopt", "sha-ni"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "mmxext", "fxsr-opt", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "cr8legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "topoext"],
      FEAT_SVM: ["npt", "nrip-save"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
    },
    modelId: "AMD EPYC Processor",
    cacheInfo: epycCacheInfo,
    versions: [
      { version: 1 },
      { version: 2, alias: "EPYC-IBPB", props: [["ibpb", "on"], ["model-id", "AMD EPYC Processor (with IBPB)"]] },
      { version: 3, props: [["clzero", "on"], ["perfctr-core", "on"], ["xsaveerptr", "on"], ["xsaves", "on"], ["model-id", "AMD EPYC Processor"]] },
    ],
  },
  {
    name: "EPYC-Milan",
    level: 0xd, xlevel: 0x8000001e,
    vendor: "AuthenticAMD", family: 25, model: 1, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "monitor", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "movbe", "popcnt", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "avx2", "smep", "bmi2", "erms", "invpcid", "rdseed", "adx", "smap", "clflushopt", "clwb", "sha-ni"],
      FEAT_7_0_ECX: ["umip", "pku", "rdpid"],
      FEAT_7_0_EDX: ["fsrm"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "mmxext", "fxsr-opt", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "cr8legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "topoext", "perfctr-core"],
      FEAT_8000_0008_EBX: ["clzero", "xsaveerptr", "wbnoinvd", "ibpb", "ibrs", "amd-stibp", "amd-ssbd"],
      FEAT_SVM: ["npt", "nrip-save", "svme-addr-chk"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1", "xsaves"],
      FEAT_6_EAX: ["arat"],
    },
    modelId: "AMD EPYC-Milan Processor",
    cacheInfo: epycMilanCacheInfo,
  },
  {
    name: "EPYC-Rome",
    level: 0xd, xlevel: 0x8000001e,
    vendor: "AuthenticAMD", family: 23, model: 49, stepping: 0,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "monitor", "ssse3", "fma", "cx16", "sse4.1", "sse4.2", "movbe", "popcnt", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "avx2", "smep", "bmi2", "rdseed", "adx", "smap", "clflushopt", "clwb", "sha-ni"],
      FEAT_7_0_ECX: ["umip", "rdpid"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "mmxext", "fxsr-opt", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "cr8legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "topoext", "perfctr-core"],
      FEAT_8000_0008_EBX: ["clzero", "xsaveerptr", "wbnoinvd", "ibpb", "amd-stibp"],
      FEAT_SVM: ["npt", "nrip-save"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1", "xsaves"],
      FEAT_6_EAX: ["arat"],
    },
    modelId: "AMD EPYC-Rome Processor",
    cacheInfo: epycRomeCacheInfo,
    versions: [
      { version: 1 },
      { version: 2, props: [["amd-ssbd", "on"], ["ibrs", "on"]] },
    ],
  },
  {
    name: "Haswell",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 60, stepping: 4,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm"],
      FEAT_XSAVE: ["xsaveopt"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
      FEAT_VMX_VMFUNC: ["vmx-eptp-switching"],
    },
    modelId: "Intel Core Processor (Haswell)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Haswell-noTSX", props: [["hle", "off"], ["rtm", "off"], ["stepping", "1"], ["model-id", "Intel Core Processor (Haswell, no TSX)"]] },
      { version: 3, alias: "Haswell-IBRS", props: [["hle", "on"], ["rtm", "on"], ["spec-ctrl", "on"], ["stepping", "4"], ["model-id", "Intel Core Processor (Haswell, IBRS)"]] },
      { version: 4, alias: "Haswell-noTSX-IBRS", props: [["hle", "off"], ["rtm", "off"], ["stepping", "1"], ["model-id", "Intel Core Processor (Haswell, no TSX, IBRS)"]] },
    ],
  },
  {
    name: "Icelake-Server",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 134, stepping: 0,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm", "avx512f", "avx512dq", "rdseed", "adx", "smap", "clflushopt", "clwb", "avx512cd", "avx512bw", "avx512vl"],
      FEAT_7_0_ECX: ["avx512vbmi", "umip", "pku", "avx512vbmi2", "gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg", "avx512-vpopcntdq", "la57"],
      FEAT_7_0_EDX: ["spec-ctrl", "ssbd"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_8000_0008_EBX: ["wbnoinvd"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Intel Xeon Processor (Icelake)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Icelake-Server-noTSX", note: "no TSX", props: [["hle", "off"], ["rtm", "off"]] },
      { version: 3, props: [["arch-capabilities", "on"], ["ibrs-all", "on"], ["mds-no", "on"], ["pschange-mc-no", "on"], ["rdctl-no", "on"], ["skip-l1dfl-vmentry", "on"], ["taa-no", "on"]] },
      { version: 4, props: [["avx512ifma", "on"], ["fsrm", "on"], ["rdpid", "on"], ["sha-ni", "on"], ["vmx-eptp-switching", "on"], ["vmx-pml", "on"], ["vmx-rdseed-exit", "on"], ["model", "106"]] },
      { version: 5, note: "XSAVES", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
      { version: 6, note: "5-level EPT", props: [["vmx-page-walk-5", "on"]] },
    ],
  },
  {
    name: "IvyBridge",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 58, stepping: 9,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "cx16", "sse4.1", "sse4.2", "x2apic", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "smep", "erms"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_XSAVE: ["xsaveopt"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Intel Xeon E3-12xx v2 (Ivy Bridge)",
    versions: [
      { version: 1 },
      { version: 2, alias: "IvyBridge-IBRS", props: [["spec-ctrl", "on"], ["model-id", "Intel Xeon E3-12xx v2 (Ivy Bridge, IBRS)"]] },
    ],
  },
  {
    name: "KnightsMill",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 133, stepping: 0,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "ss"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "avx2", "smep", "bmi2", "erms", "avx512f", "rdseed", "adx", "avx512pf", "avx512er", "avx512cd"],
      FEAT_7_0_ECX: ["avx512-vpopcntdq"],
      FEAT_7_0_EDX: ["avx512-4vnniw", "avx512-4fmaps"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt"],
      FEAT_6_EAX: ["arat"],
    },
    modelId: "Intel Xeon Phi Processor (Knights Mill)",
  },
  {
    name: "Nehalem",
    level: 0xb, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 26, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "ssse3", "cx16", "sse4.1", "sse4.2", "popcnt"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Intel Core i7 9xx (Nehalem Class Core i7)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Nehalem-IBRS", props: [["spec-ctrl", "on"], ["model-id", "Intel Core i7 9xx (Nehalem Core i7, IBRS update)"]] },
    ],
  },
  {
    name: "Opteron_G1",
    level: 5, xlevel: 0x80000008,
    vendor: "AuthenticAMD", family: 15, model: 6, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
    },
    modelId: "AMD Opteron 240 (Gen 1 Class Opteron)",
  },
  {
    name: "Opteron_G2",
    level: 5, xlevel: 0x80000008,
    vendor: "AuthenticAMD", family: 15, model: 6, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "cx16"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm"],
    },
    modelId: "AMD Opteron 22xx (Gen 2 Class Opteron)",
  },
  {
    name: "Opteron_G3",
    level: 5, xlevel: 0x80000008,
    vendor: "AuthenticAMD", family: 16, model: 2, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "monitor", "cx16", "popcnt"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "abm", "sse4a", "misalignsse"],
    },
    modelId: "AMD Opteron 23xx (Gen 3 Class Opteron)",
  },
  {
    name: "Opteron_G4",
    level: 0xd, xlevel: 0x8000001a,
    vendor: "AuthenticAMD", family: 21, model: 1, stepping: 2,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "cx16", "sse4.1", "sse4.2", "popcnt", "aes", "xsave", "avx"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "abm", "sse4a", "misalignsse", "3dnowprefetch", "xop", "fma4"],
      FEAT_SVM: ["npt", "nrip-save"],
    },
    modelId: "AMD Opteron 62xx class CPU",
  },
  {
    name: "Opteron_G5",
    level: 0xd, xlevel: 0x8000001a,
    vendor: "AuthenticAMD", family: 21, model: 2, stepping: 0,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "sse4.1", "sse4.2", "popcnt", "aes", "xsave", "avx", "f16c"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "abm", "sse4a", "misalignsse", "3dnowprefetch", "xop", "fma4", "tbm"],
      FEAT_SVM: ["npt", "nrip-save"],
    },
    modelId: "AMD Opteron 63xx class CPU",
  },
  {
    name: "Penryn",
    level: 0xa, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 23, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "ssse3", "cx16", "sse4.1"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-wbinvd-exit"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
      FEAT_VMX_BASIC: ["vmx-ins-outs"],
    },
    modelId: "Intel Core 2 Duo P9xxx (Penryn Class Core 2)",
  },
  {
    name: "SandyBridge",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 42, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "cx16", "sse4.1", "sse4.2", "x2apic", "popcnt", "tsc-deadline", "aes", "xsave", "avx"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_XSAVE: ["xsaveopt"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Intel Xeon E312xx (Sandy Bridge)",
    versions: [
      { version: 1 },
      { version: 2, alias: "SandyBridge-IBRS", props: [["spec-ctrl", "on"], ["model-id", "Intel Xeon E312xx (Sandy Bridge, IBRS update)"]] },
    ],
  },
  {
    name: "Skylake-Client",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 94, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm", "rdseed", "adx", "smap"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
      FEAT_VMX_VMFUNC: ["vmx-eptp-switching"],
    },
    modelId: "Intel Core Processor (Skylake)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Skylake-Client-IBRS", props: [["spec-ctrl", "on"], ["model-id", "Intel Core Processor (Skylake, IBRS)"]] },
      { version: 3, alias: "Skylake-Client-noTSX-IBRS", props: [["hle", "off"], ["rtm", "off"], ["model-id", "Intel Core Processor (Skylake, IBRS, no TSX)"]] },
      { version: 4, note: "IBRS, XSAVES, no TSX", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
    ],
  },
  {
    name: "Skylake-Server",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 85, stepping: 4,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "avx", "f16c", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "bmi1", "hle", "avx2", "smep", "bmi2", "erms", "invpcid", "rtm", "avx512f", "avx512dq", "rdseed", "adx", "smap", "clflushopt", "clwb", "avx512cd", "avx512bw", "avx512vl"],
      FEAT_7_0_ECX: ["pku"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "abm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-invpcid-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Intel Xeon Processor (Skylake)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Skylake-Server-IBRS", props: [["spec-ctrl", "on"], ["clflushopt", "off"], ["model-id", "Intel Xeon Processor (Skylake, IBRS)"]] },
      { version: 3, alias: "Skylake-Server-noTSX-IBRS", props: [["hle", "off"], ["rtm", "off"], ["model-id", "Intel Xeon Processor (Skylake, IBRS, no TSX)"]] },
      { version: 4, note: "IBRS, EPT switching, no TSX", props: [["vmx-eptp-switching", "on"]] },
      { version: 5, note: "IBRS, XSAVES, EPT switching, no TSX", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
    ],
  },
  {
    name: "Snowridge",
    level: 0x1b, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 134, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "monitor", "ssse3", "cx16", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt", "tsc-deadline", "aes", "xsave", "rdrand"],
      FEAT_7_0_EBX: ["fsgsbase", "smep", "erms", "mpx", "rdseed", "smap", "clflushopt", "clwb", "sha-ni"],
      FEAT_7_0_ECX: ["umip", "gfni", "cldemote", "movdiri", "movdir64b"],
      FEAT_7_0_EDX: ["spec-ctrl", "arch-capabilities", "core-capability", "ssbd"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "pdpe1gb", "rdtscp", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "3dnowprefetch"],
      FEAT_XSAVE: ["xsaveopt", "xsavec", "xgetbv1"],
      FEAT_6_EAX: ["arat"],
      FEAT_CORE_CAPABILITY: ["split-lock-detect"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-rdtscp-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest", "vmx-apicv-register", "vmx-apicv-vid", "vmx-rdrand-exit", "vmx-vmfunc", "vmx-shadow-vmcs", "vmx-rdseed-exit", "vmx-pml"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer", "vmx-posted-intr"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt", "vmx-vmwrite-vmexit-fields"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-eptad", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
      FEAT_VMX_VMFUNC: ["vmx-eptp-switching"],
    },
    modelId: "Intel Atom Processor (SnowRidge)",
    versions: [
      { version: 1 },
      { version: 2, props: [["mpx", "off"], ["model-id", "Intel Atom Processor (Snowridge, no MPX)"]] },
      { version: 3, note: "XSAVES, no MPX", props: [["vmx-xsaves", "on"], ["xsaves", "on"]] },
      { version: 4, note: "no split lock detect, no core-capability", props: [["core-capability", "off"], ["split-lock-detect", "off"]] },
    ],
  },
  {
    name: "Westmere",
    level: 0xb, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 44, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "pclmulqdq", "ssse3", "cx16", "sse4.1", "sse4.2", "popcnt", "aes"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_6_EAX: ["arat"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr3-load-noexit", "vmx-cr3-store-noexit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-mtf", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic", "vmx-ept", "vmx-desc-exit", "vmx-apicv-x2apic", "vmx-vpid", "vmx-wbinvd-exit", "vmx-unrestricted-guest"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi", "vmx-preemption-timer"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-nosave-debugctl", "vmx-exit-load-perf-global-ctrl", "vmx-exit-ack-intr", "vmx-exit-save-pat", "vmx-exit-load-pat", "vmx-exit-save-efer", "vmx-exit-load-efer", "vmx-exit-save-preemption-timer"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-noload-debugctl", "vmx-entry-ia32e-mode", "vmx-entry-load-perf-global-ctrl", "vmx-entry-load-pat", "vmx-entry-load-efer"],
      FEAT_VMX_MISC: ["vmx-store-lma", "vmx-activity-hlt"],
      FEAT_VMX_EPT_VPID_CAPS: ["vmx-ept-execonly", "vmx-page-walk-4", "vmx-ept-2mb", "vmx-ept-1gb", "vmx-invept", "vmx-invept-single-context", "vmx-invept-all-context", "vmx-invvpid", "vmx-invvpid-single-addr", "vmx-invvpid-all-context", "vmx-invept-single-context-noglobals", 14 /* EPT write-back, unnamed */],
      FEAT_VMX_BASIC: ["vmx-ins-outs", "vmx-true-ctls"],
    },
    modelId: "Westmere E56xx/L56xx/X56xx (Nehalem-C)",
    versions: [
      { version: 1 },
      { version: 2, alias: "Westmere-IBRS", props: [["spec-ctrl", "on"], ["model-id", "Westmere E56xx/L56xx/X56xx (IBRS update)"]] },
    ],
  },
  {
    name: "athlon",
    level: 2, xlevel: 0x80000008,
    vendor: "AuthenticAMD", family: 6, model: 2, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "mmx", "fxsr", "sse", "sse2"],
      FEAT_8000_0001_EDX: ["mmxext", "3dnowext", "3dnow"],
    },
    modelId: "QEMU Virtual CPU version 2.5+",
  },
  {
    name: "core2duo",
    level: 0xa, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 15, stepping: 11,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "acpi", "mmx", "fxsr", "sse", "sse2", "ss"],
      FEAT_1_ECX: ["pni", "monitor", "ssse3", "cx16"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-vnmi-pending", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit", "vmx-secondary-ctls"],
      FEAT_VMX_SECONDARY_CTLS: ["vmx-apicv-xapic"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit", "vmx-vnmi"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-ack-intr"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-ia32e-mode"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
      FEAT_VMX_BASIC: ["vmx-ins-outs"],
    },
    modelId: "Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz",
  },
  {
    name: "coreduo",
    level: 0xa, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 14, stepping: 8,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "clflush", "acpi", "mmx", "fxsr", "sse", "sse2", "ss"],
      FEAT_1_ECX: ["pni", "monitor"],
      FEAT_8000_0001_EDX: ["nx"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-ack-intr"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
    },
    modelId: "Genuine Intel(R) CPU           T2600  @ 2.16GHz",
  },
  {
    name: "kvm32",
    level: 5, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 15, model: 6, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-msr-bitmap", "vmx-monitor-exit", "vmx-pause-exit"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-ack-intr"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
    },
    modelId: "Common 32-bit KVM processor",
  },
  {
    name: "kvm64",
    level: 0xd, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 15, model: 6, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "cx16"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_VMX_PROCBASED_CTLS: ["vmx-vintr-pending", "vmx-tsc-offset", "vmx-hlt-exit", "vmx-invlpg-exit", "vmx-mwait-exit", "vmx-rdpmc-exit", "vmx-rdtsc-exit", "vmx-cr8-load-exit", "vmx-cr8-store-exit", "vmx-flexpriority", "vmx-movdr-exit", "vmx-io-exit", "vmx-io-bitmap", "vmx-monitor-exit", "vmx-pause-exit"],
      FEAT_VMX_PINBASED_CTLS: ["vmx-intr-exit", "vmx-nmi-exit"],
      FEAT_VMX_EXIT_CTLS: ["vmx-exit-ack-intr"],
      FEAT_VMX_ENTRY_CTLS: ["vmx-entry-ia32e-mode"],
      FEAT_VMX_MISC: ["vmx-activity-hlt"],
    },
    modelId: "Common KVM processor",
  },
  {
    name: "n270",
    level: 0xa, xlevel: 0x80000008,
    vendor: "GenuineIntel", family: 6, model: 28, stepping: 2,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "clflush", "acpi", "mmx", "fxsr", "sse", "sse2", "ss"],
      FEAT_1_ECX: ["pni", "monitor", "ssse3", "movbe"],
      FEAT_8000_0001_EDX: ["nx"],
      FEAT_8000_0001_ECX: ["lahf-lm"],
    },
    modelId: "Intel(R) Atom(TM) CPU N270   @ 1.60GHz",
  },
  {
    name: "pentium",
    level: 1, xlevel: 0,
    vendor: "GenuineIntel", family: 5, model: 4, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "mce", "cx8", "apic", "mmx"],
    },
    modelId: "",
  },
  {
    name: "pentium2",
    level: 2, xlevel: 0,
    vendor: "GenuineIntel", family: 6, model: 5, stepping: 2,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "mmx", "fxsr"],
    },
    modelId: "",
  },
  {
    name: "pentium3",
    level: 3, xlevel: 0,
    vendor: "GenuineIntel", family: 6, model: 7, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "mmx", "fxsr", "sse"],
    },
    modelId: "",
  },
  {
    name: "phenom",
    level: 5, xlevel: 0x8000001a,
    vendor: "AuthenticAMD", family: 16, model: 2, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "monitor", "cx16", "popcnt"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "mmxext", "fxsr-opt", "pdpe1gb", "rdtscp", "lm", "3dnowext", "3dnow"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm", "abm", "sse4a"],
      FEAT_SVM: ["npt"],
    },
    modelId: "AMD Phenom(tm) 9550 Quad-Core Processor",
  },
  {
    name: "qemu32",
    level: 4, xlevel: 0x80000004,
    vendor: "GenuineIntel", family: 6, model: 6, stepping: 3,
    features: {
      FEAT_1_EDX: ["fpu", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "pge", "cmov", "pat", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni"],
    },
    modelId: "QEMU Virtual CPU version 2.5+",
  },
  {
    name: "qemu64",
    level: 0xd, xlevel: 0x8000000a,
    vendor: "AuthenticAMD", family: 15, model: 107, stepping: 1,
    features: {
      FEAT_1_EDX: ["fpu", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2"],
      FEAT_1_ECX: ["pni", "cx16"],
      FEAT_8000_0001_EDX: ["syscall", "nx", "lm"],
      FEAT_8000_0001_ECX: ["lahf-lm", "svm"],
    },
    modelId: "QEMU Virtual CPU version 2.5+",
  },
];
