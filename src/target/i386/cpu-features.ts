/*
 * x86 CPUID feature words (target/i386/cpu.h `enum FeatureWord`, cpu.c
 * `feature_word_info[]`, `feature_dependencies[]`), as QEMU 7.2 has them.
 *
 * A feature word is 32 bits of one CPUID leaf/subleaf register, or up to 64
 * bits of one MSR.  The enum order is QEMU's: the filtering warnings are
 * printed in this order, word by word, bit by bit.  Names are the QOM
 * property names; a name of `undefined` means the bit has no property
 * (reserved, or dynamic like OSXSAVE/OSPKE).
 */

export enum FeatureWord {
  FEAT_1_EDX,
  FEAT_1_ECX,
  FEAT_7_0_EBX,
  FEAT_7_0_ECX,
  FEAT_7_0_EDX,
  FEAT_7_1_EAX,
  FEAT_8000_0001_EDX,
  FEAT_8000_0001_ECX,
  FEAT_8000_0007_EDX,
  FEAT_8000_0008_EBX,
  FEAT_C000_0001_EDX,
  FEAT_KVM,
  FEAT_KVM_HINTS,
  FEAT_SVM,
  FEAT_XSAVE,
  FEAT_6_EAX,
  FEAT_XSAVE_COMP_LO,
  FEAT_XSAVE_COMP_HI,
  FEAT_ARCH_CAPABILITIES,
  FEAT_CORE_CAPABILITY,
  FEAT_PERF_CAPABILITIES,
  FEAT_VMX_PROCBASED_CTLS,
  FEAT_VMX_SECONDARY_CTLS,
  FEAT_VMX_PINBASED_CTLS,
  FEAT_VMX_EXIT_CTLS,
  FEAT_VMX_ENTRY_CTLS,
  FEAT_VMX_MISC,
  FEAT_VMX_EPT_VPID_CAPS,
  FEAT_VMX_BASIC,
  FEAT_VMX_VMFUNC,
  FEAT_14_0_ECX,
  FEAT_SGX_12_0_EAX,
  FEAT_SGX_12_0_EBX,
  FEAT_SGX_12_1_EAX,
  FEAT_XSAVE_XSS_LO,
  FEAT_XSAVE_XSS_HI,
}

export const FEATURE_WORDS = FeatureWord.FEAT_XSAVE_XSS_HI + 1;

export type CpuidReg = 'EAX' | 'EBX' | 'ECX' | 'EDX';

export interface CpuidFeatureWordInfo {
  type: 'cpuid';
  /** 32 names, bit 0 first. */
  names: ReadonlyArray<string | undefined>;
  leaf: number;
  /** Subleaf, for leaves that take ECX (`needs_ecx`). */
  subleaf?: number;
  reg: CpuidReg;
  /** Bits `-cpu max`/`host` never turn on by themselves. */
  noAutoenable?: number;
  /** Bits a migratable `-cpu host` leaves off. */
  unmigratable?: number;
}

export interface MsrFeatureWordInfo {
  type: 'msr';
  /** Up to 64 names, bit 0 first. */
  names: ReadonlyArray<string | undefined>;
  msr: number;
  noAutoenable?: number;
}

export type FeatureWordInfo = CpuidFeatureWordInfo | MsrFeatureWordInfo;

const u = undefined;

/** Spreads sparse [bit, name] pairs into a name array of `n` bits. */
function sparse(n: number, entries: Array<[number, string]>): Array<string | undefined> {
  const a: Array<string | undefined> = new Array(n).fill(u);
  for (const [bit, name] of entries) a[bit] = name;
  return a;
}

export const featureWordInfo: Readonly<Record<FeatureWord, FeatureWordInfo>> = {
  [FeatureWord.FEAT_1_EDX]: {
    type: 'cpuid', leaf: 1, reg: 'EDX', noAutoenable: 1 << 28 /* ht */,
    names: [
      'fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce',
      'cx8', 'apic', u, 'sep', 'mtrr', 'pge', 'mca', 'cmov',
      'pat', 'pse36', 'pn', 'clflush', u, 'ds', 'acpi', 'mmx',
      'fxsr', 'sse', 'sse2', 'ss', 'ht', 'tm', 'ia64', 'pbe',
    ],
  },
  [FeatureWord.FEAT_1_ECX]: {
    type: 'cpuid', leaf: 1, reg: 'ECX',
    names: [
      'pni', 'pclmulqdq', 'dtes64', 'monitor', 'ds-cpl', 'vmx', 'smx', 'est',
      'tm2', 'ssse3', 'cid', u, 'fma', 'cx16', 'xtpr', 'pdcm',
      u, 'pcid', 'dca', 'sse4.1', 'sse4.2', 'x2apic', 'movbe', 'popcnt',
      'tsc-deadline', 'aes', 'xsave', u /* osxsave: dynamic */, 'avx', 'f16c', 'rdrand', 'hypervisor',
    ],
  },
  [FeatureWord.FEAT_7_0_EBX]: {
    type: 'cpuid', leaf: 7, subleaf: 0, reg: 'EBX',
    names: [
      'fsgsbase', 'tsc-adjust', 'sgx', 'bmi1', 'hle', 'avx2', u, 'smep',
      'bmi2', 'erms', 'invpcid', 'rtm', u, u, 'mpx', u,
      'avx512f', 'avx512dq', 'rdseed', 'adx', 'smap', 'avx512ifma', 'pcommit', 'clflushopt',
      'clwb', 'intel-pt', 'avx512pf', 'avx512er', 'avx512cd', 'sha-ni', 'avx512bw', 'avx512vl',
    ],
  },
  [FeatureWord.FEAT_7_0_ECX]: {
    type: 'cpuid', leaf: 7, subleaf: 0, reg: 'ECX',
    names: [
      u, 'avx512vbmi', 'umip', 'pku', u /* ospke: dynamic */, 'waitpkg', 'avx512vbmi2', u,
      'gfni', 'vaes', 'vpclmulqdq', 'avx512vnni', 'avx512bitalg', u, 'avx512-vpopcntdq', u,
      'la57', u, u, u, u, u, 'rdpid', u,
      'bus-lock-detect', 'cldemote', u, 'movdiri', 'movdir64b', u, 'sgxlc', 'pks',
    ],
  },
  [FeatureWord.FEAT_7_0_EDX]: {
    type: 'cpuid', leaf: 7, subleaf: 0, reg: 'EDX',
    names: [
      u, u, 'avx512-4vnniw', 'avx512-4fmaps', 'fsrm', u, u, u,
      'avx512-vp2intersect', u, 'md-clear', u, u, u, 'serialize', u,
      'tsx-ldtrk', u, u, 'arch-lbr', u, u, 'amx-bf16', 'avx512-fp16',
      'amx-tile', 'amx-int8', 'spec-ctrl', 'stibp', u, 'arch-capabilities', 'core-capability', 'ssbd',
    ],
  },
  [FeatureWord.FEAT_7_1_EAX]: {
    type: 'cpuid', leaf: 7, subleaf: 1, reg: 'EAX',
    names: sparse(32, [[4, 'avx-vnni'], [5, 'avx512-bf16']]),
  },
  [FeatureWord.FEAT_8000_0001_EDX]: {
    // The 01H:EDX bits AMD repeats here have no names of their own: they are copied at realize.
    type: 'cpuid', leaf: 0x80000001, reg: 'EDX',
    names: sparse(32, [
      [11, 'syscall'], [20, 'nx'], [22, 'mmxext'], [25, 'fxsr-opt'], [26, 'pdpe1gb'], [27, 'rdtscp'],
      [29, 'lm'], [30, '3dnowext'], [31, '3dnow'],
    ]),
  },
  [FeatureWord.FEAT_8000_0001_ECX]: {
    type: 'cpuid', leaf: 0x80000001, reg: 'ECX', noAutoenable: 1 << 22 /* topoext */,
    names: [
      'lahf-lm', 'cmp-legacy', 'svm', 'extapic', 'cr8legacy', 'abm', 'sse4a', 'misalignsse',
      '3dnowprefetch', 'osvw', 'ibs', 'xop', 'skinit', 'wdt', u, 'lwp',
      'fma4', 'tce', u, 'nodeid-msr', u, 'tbm', 'topoext', 'perfctr-core',
      'perfctr-nb', u, u, u, u, u, u, u,
    ],
  },
  [FeatureWord.FEAT_8000_0007_EDX]: {
    type: 'cpuid', leaf: 0x80000007, reg: 'EDX', unmigratable: 1 << 8 /* invtsc */,
    names: sparse(32, [[8, 'invtsc']]),
  },
  [FeatureWord.FEAT_8000_0008_EBX]: {
    type: 'cpuid', leaf: 0x80000008, reg: 'EBX',
    names: sparse(32, [
      [0, 'clzero'], [2, 'xsaveerptr'], [9, 'wbnoinvd'], [12, 'ibpb'], [14, 'ibrs'], [15, 'amd-stibp'],
      [24, 'amd-ssbd'], [25, 'virt-ssbd'], [26, 'amd-no-ssb'],
    ]),
  },
  [FeatureWord.FEAT_C000_0001_EDX]: {
    type: 'cpuid', leaf: 0xC0000001, reg: 'EDX',
    names: sparse(32, [
      [2, 'xstore'], [3, 'xstore-en'], [6, 'xcrypt'], [7, 'xcrypt-en'], [8, 'ace2'], [9, 'ace2-en'],
      [10, 'phe'], [11, 'phe-en'], [12, 'pmm'], [13, 'pmm-en'],
    ]),
  },
  [FeatureWord.FEAT_KVM]: {
    type: 'cpuid', leaf: 0x40000001, reg: 'EAX',
    names: sparse(32, [
      [0, 'kvmclock'], [1, 'kvm-nopiodelay'], [2, 'kvm-mmu'], [3, 'kvmclock'], [4, 'kvm-asyncpf'],
      [5, 'kvm-steal-time'], [6, 'kvm-pv-eoi'], [7, 'kvm-pv-unhalt'], [9, 'kvm-pv-tlb-flush'],
      [11, 'kvm-pv-ipi'], [12, 'kvm-poll-control'], [13, 'kvm-pv-sched-yield'],
      [14, 'kvm-asyncpf-int'], [15, 'kvm-msi-ext-dest-id'], [24, 'kvmclock-stable-bit'],
    ]),
  },
  [FeatureWord.FEAT_KVM_HINTS]: {
    type: 'cpuid', leaf: 0x40000001, reg: 'EDX', noAutoenable: 0xffffffff,
    names: sparse(32, [[0, 'kvm-hint-dedicated']]),
  },
  [FeatureWord.FEAT_SVM]: {
    type: 'cpuid', leaf: 0x8000000A, reg: 'EDX',
    names: sparse(32, [
      [0, 'npt'], [1, 'lbrv'], [2, 'svm-lock'], [3, 'nrip-save'], [4, 'tsc-scale'], [5, 'vmcb-clean'],
      [6, 'flushbyasid'], [7, 'decodeassists'], [10, 'pause-filter'], [12, 'pfthreshold'], [13, 'avic'],
      [15, 'v-vmsave-vmload'], [16, 'vgif'], [28, 'svme-addr-chk'],
    ]),
  },
  [FeatureWord.FEAT_XSAVE]: {
    type: 'cpuid', leaf: 0xD, subleaf: 1, reg: 'EAX',
    names: sparse(32, [[0, 'xsaveopt'], [1, 'xsavec'], [2, 'xgetbv1'], [3, 'xsaves'], [4, 'xfd']]),
  },
  [FeatureWord.FEAT_6_EAX]: {
    type: 'cpuid', leaf: 6, reg: 'EAX',
    names: sparse(32, [[2, 'arat']]),
  },
  [FeatureWord.FEAT_XSAVE_COMP_LO]: { type: 'cpuid', leaf: 0xD, subleaf: 0, reg: 'EAX', names: sparse(32, []) },
  [FeatureWord.FEAT_XSAVE_COMP_HI]: { type: 'cpuid', leaf: 0xD, subleaf: 0, reg: 'EDX', names: sparse(32, []) },
  [FeatureWord.FEAT_ARCH_CAPABILITIES]: {
    type: 'msr', msr: 0x10A,
    names: sparse(32, [
      [0, 'rdctl-no'], [1, 'ibrs-all'], [2, 'rsba'], [3, 'skip-l1dfl-vmentry'], [4, 'ssb-no'],
      [5, 'mds-no'], [6, 'pschange-mc-no'], [7, 'tsx-ctrl'], [8, 'taa-no'],
    ]),
  },
  [FeatureWord.FEAT_CORE_CAPABILITY]: { type: 'msr', msr: 0xCF, names: sparse(32, [[5, 'split-lock-detect']]) },
  [FeatureWord.FEAT_PERF_CAPABILITIES]: { type: 'msr', msr: 0x345, names: sparse(32, [[13, 'full-width-write']]) },
  [FeatureWord.FEAT_VMX_PROCBASED_CTLS]: {
    type: 'msr', msr: 0x48E,
    names: [
      u, u, 'vmx-vintr-pending', 'vmx-tsc-offset', u, u, u, 'vmx-hlt-exit',
      u, 'vmx-invlpg-exit', 'vmx-mwait-exit', 'vmx-rdpmc-exit', 'vmx-rdtsc-exit', u, u, 'vmx-cr3-load-noexit',
      'vmx-cr3-store-noexit', u, u, 'vmx-cr8-load-exit', 'vmx-cr8-store-exit', 'vmx-flexpriority', 'vmx-vnmi-pending', 'vmx-movdr-exit',
      'vmx-io-exit', 'vmx-io-bitmap', u, 'vmx-mtf', 'vmx-msr-bitmap', 'vmx-monitor-exit', 'vmx-pause-exit', 'vmx-secondary-ctls',
    ],
  },
  [FeatureWord.FEAT_VMX_SECONDARY_CTLS]: {
    type: 'msr', msr: 0x48B,
    names: [
      'vmx-apicv-xapic', 'vmx-ept', 'vmx-desc-exit', 'vmx-rdtscp-exit', 'vmx-apicv-x2apic', 'vmx-vpid', 'vmx-wbinvd-exit', 'vmx-unrestricted-guest',
      'vmx-apicv-register', 'vmx-apicv-vid', 'vmx-ple', 'vmx-rdrand-exit', 'vmx-invpcid-exit', 'vmx-vmfunc', 'vmx-shadow-vmcs', 'vmx-encls-exit',
      'vmx-rdseed-exit', 'vmx-pml', u, u, 'vmx-xsaves', u, u, u,
      u, 'vmx-tsc-scaling', u, u, u, u, u, u,
    ],
  },
  [FeatureWord.FEAT_VMX_PINBASED_CTLS]: {
    type: 'msr', msr: 0x48D,
    names: sparse(32, [[0, 'vmx-intr-exit'], [3, 'vmx-nmi-exit'], [5, 'vmx-vnmi'], [6, 'vmx-preemption-timer'], [7, 'vmx-posted-intr']]),
  },
  [FeatureWord.FEAT_VMX_EXIT_CTLS]: {
    // Bit 9 (host address-space size) has no name: it is copied from LM.
    type: 'msr', msr: 0x48F,
    names: sparse(32, [
      [2, 'vmx-exit-nosave-debugctl'], [12, 'vmx-exit-load-perf-global-ctrl'], [15, 'vmx-exit-ack-intr'],
      [18, 'vmx-exit-save-pat'], [19, 'vmx-exit-load-pat'], [20, 'vmx-exit-save-efer'], [21, 'vmx-exit-load-efer'],
      [22, 'vmx-exit-save-preemption-timer'], [23, 'vmx-exit-clear-bndcfgs'], [25, 'vmx-exit-clear-rtit-ctl'],
      [29, 'vmx-exit-load-pkrs'],
    ]),
  },
  [FeatureWord.FEAT_VMX_ENTRY_CTLS]: {
    type: 'msr', msr: 0x490,
    names: sparse(32, [
      [2, 'vmx-entry-noload-debugctl'], [9, 'vmx-entry-ia32e-mode'], [13, 'vmx-entry-load-perf-global-ctrl'],
      [14, 'vmx-entry-load-pat'], [15, 'vmx-entry-load-efer'], [16, 'vmx-entry-load-bndcfgs'],
      [18, 'vmx-entry-load-rtit-ctl'], [22, 'vmx-entry-load-pkrs'],
    ]),
  },
  [FeatureWord.FEAT_VMX_MISC]: {
    type: 'msr', msr: 0x485,
    names: sparse(32, [
      [5, 'vmx-store-lma'], [6, 'vmx-activity-hlt'], [7, 'vmx-activity-shutdown'], [8, 'vmx-activity-wait-sipi'],
      [29, 'vmx-vmwrite-vmexit-fields'], [30, 'vmx-zero-len-inject'],
    ]),
  },
  [FeatureWord.FEAT_VMX_EPT_VPID_CAPS]: {
    // QEMU names bit 41 like bit 25 (a slip it keeps); -cpu help lists the name twice.
    type: 'msr', msr: 0x48C,
    names: sparse(64, [
      [0, 'vmx-ept-execonly'], [6, 'vmx-page-walk-4'], [7, 'vmx-page-walk-5'], [16, 'vmx-ept-2mb'],
      [17, 'vmx-ept-1gb'], [20, 'vmx-invept'], [21, 'vmx-eptad'], [22, 'vmx-ept-advanced-exitinfo'],
      [25, 'vmx-invept-single-context'], [26, 'vmx-invept-all-context'], [32, 'vmx-invvpid'],
      [40, 'vmx-invvpid-single-addr'], [41, 'vmx-invept-single-context'], [42, 'vmx-invvpid-all-context'],
      [43, 'vmx-invept-single-context-noglobals'],
    ]),
  },
  [FeatureWord.FEAT_VMX_BASIC]: {
    type: 'msr', msr: 0x480, noAutoenable: 0 /* dual-monitor (bit 49) is in the high half */,
    names: sparse(64, [[54, 'vmx-ins-outs'], [55, 'vmx-true-ctls']]),
  },
  [FeatureWord.FEAT_VMX_VMFUNC]: { type: 'msr', msr: 0x491, names: sparse(64, [[0, 'vmx-eptp-switching']]) },
  [FeatureWord.FEAT_14_0_ECX]: { type: 'cpuid', leaf: 0x14, subleaf: 0, reg: 'ECX', names: sparse(32, [[31, 'intel-pt-lip']]) },
  [FeatureWord.FEAT_SGX_12_0_EAX]: { type: 'cpuid', leaf: 0x12, subleaf: 0, reg: 'EAX', names: sparse(32, [[0, 'sgx1'], [1, 'sgx2']]) },
  [FeatureWord.FEAT_SGX_12_0_EBX]: { type: 'cpuid', leaf: 0x12, subleaf: 0, reg: 'EBX', names: sparse(32, [[0, 'sgx-exinfo']]) },
  [FeatureWord.FEAT_SGX_12_1_EAX]: {
    type: 'cpuid', leaf: 0x12, subleaf: 1, reg: 'EAX',
    names: sparse(32, [[1, 'sgx-debug'], [2, 'sgx-mode64'], [4, 'sgx-provisionkey'], [5, 'sgx-tokenkey'], [7, 'sgx-kss']]),
  },
  [FeatureWord.FEAT_XSAVE_XSS_LO]: { type: 'cpuid', leaf: 0xD, subleaf: 1, reg: 'ECX', names: sparse(32, []) },
  [FeatureWord.FEAT_XSAVE_XSS_HI]: { type: 'cpuid', leaf: 0xD, subleaf: 1, reg: 'EDX', names: sparse(32, []) },
};

/** QEMU's enum spelling of a word ('FEAT_1_EDX'), the key of TCG_FEATURES. */
export function featureWordName(w: FeatureWord): string {
  return FeatureWord[w]!;
}

/** feature_word_description(): "CPUID.01H:ECX" or "MSR(48CH)" (the subleaf is not shown). */
export function featureWordDescription(w: FeatureWord): string {
  const f = featureWordInfo[w];
  if (f.type === 'cpuid') return `CPUID.${hex2(f.leaf)}H:${f.reg}`;
  return `MSR(${hex2(f.msr)}H)`;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

/** Where a property name lives: word and bit (0..63). */
export interface FeatureBit {
  w: FeatureWord;
  bit: number;
}

/**
 * Every named bit, in word order then bit order.  A name used twice in one word
 * (kvmclock, vmx-invept-single-context) is one property covering both bits, as
 * x86_cpu_register_feature_bit_props() merges them.
 */
export const featureBitsByName: ReadonlyMap<string, readonly FeatureBit[]> = (() => {
  const m = new Map<string, FeatureBit[]>();
  for (let w = 0; w < FEATURE_WORDS; w++) {
    featureWordInfo[w as FeatureWord].names.forEach((name, bit) => {
      if (!name) return;
      let l = m.get(name);
      if (!l) m.set(name, (l = []));
      l.push({ w, bit });
    });
  }
  return m;
})();

/** Legacy spellings kept as property aliases (x86_cpu_initfn). */
export const featurePropertyAliases: Readonly<Record<string, string>> = {
  'sse3': 'pni',
  'pclmuldq': 'pclmulqdq',
  'sse4-1': 'sse4.1',
  'sse4-2': 'sse4.2',
  'xd': 'nx',
  'ffxsr': 'fxsr-opt',
  'i64': 'lm',
  'ds_cpl': 'ds-cpl',
  'tsc_adjust': 'tsc-adjust',
  'fxsr_opt': 'fxsr-opt',
  'lahf_lm': 'lahf-lm',
  'cmp_legacy': 'cmp-legacy',
  'nodeid_msr': 'nodeid-msr',
  'perfctr_core': 'perfctr-core',
  'perfctr_nb': 'perfctr-nb',
  'kvm_nopiodelay': 'kvm-nopiodelay',
  'kvm_mmu': 'kvm-mmu',
  'kvm_asyncpf': 'kvm-asyncpf',
  'kvm_asyncpf_int': 'kvm-asyncpf-int',
  'kvm_steal_time': 'kvm-steal-time',
  'kvm_pv_eoi': 'kvm-pv-eoi',
  'kvm_pv_unhalt': 'kvm-pv-unhalt',
  'kvm_poll_control': 'kvm-poll-control',
  'svm_lock': 'svm-lock',
  'nrip_save': 'nrip-save',
  'tsc_scale': 'tsc-scale',
  'vmcb_clean': 'vmcb-clean',
  'pause_filter': 'pause-filter',
  'sse4_1': 'sse4.1',
  'sse4_2': 'sse4.2',
};

/** feature_dependencies[]: `to` bits are cleared when no `from` bit is set. `hi` masks cover bits 32..63. */
export interface FeatureDep {
  from: { w: FeatureWord; mask: number };
  to: { w: FeatureWord; mask: number; maskHi: number };
}

const ALL = 0xffffffff;
const F = FeatureWord;
export const featureDependencies: readonly FeatureDep[] = [
  { from: { w: F.FEAT_7_0_EDX, mask: 1 << 29 }, to: { w: F.FEAT_ARCH_CAPABILITIES, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_7_0_EDX, mask: 1 << 30 }, to: { w: F.FEAT_CORE_CAPABILITY, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 15 }, to: { w: F.FEAT_PERF_CAPABILITIES, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 5 }, to: { w: F.FEAT_VMX_PROCBASED_CTLS, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 5 }, to: { w: F.FEAT_VMX_PINBASED_CTLS, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 5 }, to: { w: F.FEAT_VMX_EXIT_CTLS, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 5 }, to: { w: F.FEAT_VMX_ENTRY_CTLS, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 5 }, to: { w: F.FEAT_VMX_MISC, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 5 }, to: { w: F.FEAT_VMX_BASIC, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_8000_0001_EDX, mask: 1 << 29 }, to: { w: F.FEAT_VMX_ENTRY_CTLS, mask: 1 << 9, maskHi: 0 } },
  { from: { w: F.FEAT_VMX_PROCBASED_CTLS, mask: 1 << 31 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_XSAVE, mask: 1 << 3 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 20, maskHi: 0 } },
  { from: { w: F.FEAT_1_ECX, mask: 1 << 30 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 11, maskHi: 0 } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 10 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 12, maskHi: 0 } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 14 }, to: { w: F.FEAT_VMX_EXIT_CTLS, mask: 1 << 23, maskHi: 0 } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 14 }, to: { w: F.FEAT_VMX_ENTRY_CTLS, mask: 1 << 16, maskHi: 0 } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 18 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 16, maskHi: 0 } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 25 }, to: { w: F.FEAT_14_0_ECX, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_8000_0001_EDX, mask: 1 << 27 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 3, maskHi: 0 } },
  { from: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 1 }, to: { w: F.FEAT_VMX_EPT_VPID_CAPS, mask: ALL, maskHi: 0 } },
  { from: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 1 }, to: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 7, maskHi: 0 } },
  { from: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 5 }, to: { w: F.FEAT_VMX_EPT_VPID_CAPS, mask: 0, maskHi: ALL } },
  { from: { w: F.FEAT_VMX_SECONDARY_CTLS, mask: 1 << 13 }, to: { w: F.FEAT_VMX_VMFUNC, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_8000_0001_ECX, mask: 1 << 2 }, to: { w: F.FEAT_SVM, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 2 }, to: { w: F.FEAT_7_0_ECX, mask: 1 << 30, maskHi: 0 } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 2 }, to: { w: F.FEAT_SGX_12_0_EAX, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 2 }, to: { w: F.FEAT_SGX_12_0_EBX, mask: ALL, maskHi: ALL } },
  { from: { w: F.FEAT_7_0_EBX, mask: 1 << 2 }, to: { w: F.FEAT_SGX_12_1_EAX, mask: ALL, maskHi: ALL } },
];

/**
 * Feature sets: two 32-bit halves per word (bits 0..31 at [2w], 32..63 at [2w+1]),
 * since MSR words are 64 bits wide and we keep BigInt out of the CPU.
 */
export type FeatureSet = Uint32Array;

export function newFeatureSet(): FeatureSet {
  return new Uint32Array(FEATURE_WORDS * 2);
}

export function featureTest(fs: FeatureSet, w: FeatureWord, bit: number): boolean {
  return ((fs[2 * w + (bit >> 5)]! >>> (bit & 31)) & 1) !== 0;
}

export function featureAssign(fs: FeatureSet, w: FeatureWord, bit: number, on: boolean): void {
  const i = 2 * w + (bit >> 5);
  const m = (1 << (bit & 31)) >>> 0;
  fs[i] = on ? (fs[i]! | m) >>> 0 : (fs[i]! & ~m) >>> 0;
}

/** CPUID vendor strings. */
export const CPUID_VENDOR_INTEL = 'GenuineIntel';
export const CPUID_VENDOR_AMD = 'AuthenticAMD';
export const CPUID_VENDOR_HYGON = 'HygonGenuine';
export const CPUID_VENDOR_ZHAOXIN1 = 'CentaurHauls';
export const CPUID_VENDOR_ZHAOXIN2 = '  Shanghai  ';
