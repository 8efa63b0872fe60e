/*
 * The x86 CPU device (target/i386/cpu.c, QEMU 7.2): the QOM types
 * `x86_64-cpu` → `<model>-x86_64-cpu`, their properties, `-cpu` parsing,
 * feature expansion and filtering, and realize.
 *
 * What depends on the accelerator (which bits it can run, its default
 * properties, the vCPU context) comes in through X86AccelCpuOps, which the
 * accelerator installs with setX86AccelCpuOps() before CPUs are created.
 */
import {
  ObjectClass, QObject, objectClassByName, objectClassDynamicCast, objectPropertySet, typeRegisterStatic,
} from '../../qom/object.js';
import { CPUState, TYPE_CPU, cpuListAdd } from '../../hw/core/cpu.js';
import { QemuError, errorPrintf, warnReport } from '../../util/error.js';
import {
  FEATURE_WORDS, FeatureWord, featureBitsByName, featureDependencies, featureAssign, featureTest,
  featureWordDescription, featureWordInfo, newFeatureSet, type FeatureSet,
  CPUID_VENDOR_AMD, CPUID_VENDOR_INTEL, CPUID_VENDOR_ZHAOXIN1, CPUID_VENDOR_ZHAOXIN2,
} from './cpu-features.js';
import { cpuMinusFeatures, cpuPlusFeatures, osxsaveIgnored, x86CpuResetFeaturestr } from './cpu-featurestr.js';
import { boolField, x86CpuClassInit } from './cpu-props.js';
import {
  builtinX86Defs, legacyL1dCache, legacyL1dCacheAmd, legacyL1iCache, legacyL1iCacheAmd, legacyL2Cache,
  legacyL2CacheAmd, legacyL2CacheCpuid2, legacyL3Cache, type CPUCaches, type X86CPUDefinition, type FeatureWordKey,
} from './cpu-models.js';

export const TYPE_X86_CPU = 'x86_64-cpu';
export const X86_CPU_TYPE_SUFFIX = '-' + TYPE_X86_CPU;

/** X86CPUVersion specials (cpu.h). */
export const CPU_VERSION_LATEST = -1;
export const CPU_VERSION_AUTO = -2;
export const CPU_VERSION_LEGACY = 0;

export const UNASSIGNED_APIC_ID = 0xffffffff;
/** TCG_PHYS_ADDR_BITS and TARGET_PHYS_ADDR_SPACE_BITS (x86_64). */
export const TCG_PHYS_ADDR_BITS = 40;
export const TARGET_PHYS_ADDR_SPACE_BITS = 52;
/** QEMU_HW_VERSION, part of some model-ids. */
export const QEMU_HW_VERSION = '2.5+';

// ---- the accelerator interface ----------------------------------------------

/** What the accelerator provides to the CPU model (QEMU's AccelCPUClass + kvm/tcg helpers). */
export interface X86AccelCpuOps {
  name: 'tcg' | 'kvm';
  /** KVM and HVF report what the host supports; filtering warnings then say "host". */
  usesHostCpuid: boolean;
  /** x86_cpu_get_supported_feature_word(): the bits this accelerator runs, per 32-bit half of a word. */
  supportedFeatureWord(w: FeatureWord, half?: 0 | 1): number;
  /** accel_cpu_instance_init(): the accelerator's default properties (TCG: vme=off). */
  instanceInit?(cpu: X86CPU): void;
  /** The accelerator's part of realize (kvm_cpu_realizefn: host phys-bits, ...). */
  realize?(cpu: X86CPU): void;
  /** qemu_init_vcpu(): gives the vCPU its execution context. */
  initVcpu?(cpu: X86CPU): void;
}

let accelOps: X86AccelCpuOps | undefined;

export function setX86AccelCpuOps(ops: X86AccelCpuOps | undefined): void {
  accelOps = ops;
}

export function getX86AccelCpuOps(): X86AccelCpuOps | undefined {
  return accelOps;
}

/** The board's part of realize: the local APIC (x86_cpu_apic_create / x86_cpu_apic_realize). */
export interface X86CpuApicHooks {
  create(cpu: X86CPU): void;
  realize(cpu: X86CPU): void;
}

let apicHooks: X86CpuApicHooks | undefined;

export function setX86CpuApicHooks(h: X86CpuApicHooks | undefined): void {
  apicHooks = h;
}

// ---- classes ------------------------------------------------------------------

/** A model type's reference to its definition (X86CPUModel). */
export interface X86CPUModel {
  cpudef: X86CPUDefinition;
  version: number;
  note?: string;
  /** Aliases are shown as "(alias of …)" and resolve through the default version. */
  isAlias: boolean;
}

/** X86CPUClass fields, kept on the QOM class. */
export interface X86CPUClassFields {
  model?: X86CPUModel;
  hostCpuidRequired?: boolean;
  ordering?: number;
  staticModel?: boolean;
  migrationSafe?: boolean;
  /** -cpu help text for models without a definition (base, max, host). */
  modelDescription?: string;
  /** max/host: enable everything the accelerator supports at realize. */
  maxFeatures?: boolean;
}

export function x86CpuClass(oc: ObjectClass): X86CPUClassFields {
  return oc as unknown as X86CPUClassFields;
}

// ---- the default version (machine-dependent) --------------------------------

let defaultCpuVersion = 1;

/** x86_cpu_set_default_version(): the machine decides what an unversioned alias means. */
export function x86CpuSetDefaultVersion(version: number): void {
  // LATEST is not allowed: it would make the alias a moving target.
  if (version === CPU_VERSION_LATEST) throw new Error('x86CpuSetDefaultVersion: LATEST is not a default');
  defaultCpuVersion = version;
}

function x86CpuModelLastVersion(model: X86CPUModel): number {
  const vs = model.cpudef.versions;
  return vs ? vs[vs.length - 1]!.version : 1;
}

/** x86_cpu_model_resolve_version(). */
export function x86CpuModelResolveVersion(model: X86CPUModel): number {
  let v = model.version;
  if (v === CPU_VERSION_AUTO) v = defaultCpuVersion;
  if (v === CPU_VERSION_LATEST) return x86CpuModelLastVersion(model);
  return v;
}

// ---- the instance ------------------------------------------------------------

/** CPUX86State: the parts the model, CPUID and the accelerators share. */
export class CPUX86State {
  features: FeatureSet = newFeatureSet();
  /** Bits set or cleared explicitly by the user (+feat, -feat, feat=on/off). */
  userFeatures: FeatureSet = newFeatureSet();
  /** UINT32_MAX means "automatic": taken from the min-* value at realize. */
  cpuidLevel = 0xffffffff;
  cpuidXlevel = 0xffffffff;
  cpuidXlevel2 = 0xffffffff;
  cpuidLevelFunc7 = 0xffffffff;
  cpuidMinLevel = 0;
  cpuidMinXlevel = 0;
  cpuidMinXlevel2 = 0;
  cpuidMinLevelFunc7 = 0;
  /** CPUID.0:EBX/EDX/ECX. */
  cpuidVendor1 = 0;
  cpuidVendor2 = 0;
  cpuidVendor3 = 0;
  /** CPUID.1:EAX (family/model/stepping). */
  cpuidVersion = 0;
  /** The 48-byte brand string as 12 little-endian words (CPUID.80000002h..4h). */
  cpuidModel = new Uint32Array(12);
  nrDies = 1;
  cacheInfoCpuid2!: CPUCaches;
  cacheInfoCpuid4!: CPUCaches;
  cacheInfoAmd!: CPUCaches;
  /* Guest state CPUID reads (OSXSAVE, OSPKE, the XSAVE area size); the accelerator keeps these current. */
  cr4 = 0;
  xcr0 = 1;
}

export const CR4_OSXSAVE_MASK = 1 << 18;
export const CR4_PKE_MASK = 1 << 22;

export class X86CPU extends CPUState {
  env = new CPUX86State();
  filteredFeatures: FeatureSet = newFeatureSet();
  apicId = UNASSIGNED_APIC_ID;
  socketId = -1;
  dieId = -1;
  coreId = -1;
  threadId = -1;
  nodeId = -1;
  /** cs->nr_cores / cs->nr_threads: set from -smp by the machine before realize. */
  nrCores = 1;
  nrThreads = 1;
  checkCpuid = true;
  enforceCpuid = false;
  forceFeatures = false;
  maxFeatures = false;
  migratable = true;
  /** host-cache-info: CPUID cache leaves from the host (KVM's business). */
  cacheInfoPassthrough = false;
  enablePmu = false;
  physBits = 0;
  hostPhysBits = false;
  hostPhysBitsLimit = 0;
  fillMtrrMask = true;
  enableL3Cache = true;
  enableCpuid0xb = true;
  legacyCache = true;
  vendorCpuidOnly = true;
  exposeTcg = true;
  exposeKvm = true;
  fullCpuidAutoLevel = true;
  intelPtAutoLevel = true;
  vmwareCpuidFreq = true;
  migrateSmiCount = true;
  tscFrequency = 0;
  ucodeRev = 0;
  /** Hyper-V enlightenments (hv-* properties), for the KVM accelerator to apply. */
  hyperv: Record<string, boolean | number | string> = { ...HYPERV_DEFAULTS };
  lmce = false;
  startPoweredOff = false;
  kvmNoSmiMigration = false;
  kvmPvEnforceCpuid = false;
  /** MONITOR/MWAIT leaf (CPUID.5): EMX | IBE; only host passthrough changes it. */
  mwait = { eax: 0, ebx: 0, ecx: 3, edx: 0 };
}

/** The hv-* properties and their defaults (x86_cpu_properties[], 7.2). */
export const HYPERV_DEFAULTS: Readonly<Record<string, boolean | number | string>> = {
  'hv-relaxed': false, 'hv-vapic': false, 'hv-time': false, 'hv-crash': false, 'hv-reset': false, 'hv-vpindex': false,
  'hv-runtime': false, 'hv-synic': false, 'hv-stimer': false, 'hv-frequencies': false, 'hv-reenlightenment': false,
  'hv-tlbflush': false, 'hv-evmcs': false, 'hv-ipi': false, 'hv-stimer-direct': false, 'hv-avic': false,
  'hv-apicv': false, 'hv-emsr-bitmap': false, 'hv-xmm-input': false, 'hv-tlbflush-ext': false,
  'hv-tlbflush-direct': false, 'hv-syndbg': false, 'hv-passthrough': false, 'hv-enforce-cpuid': false,
  'x-hv-synic-kvm-only': false,
  'hv-spinlocks': 0xffffffff, 'hv-version-id-build': 14393, 'hv-version-id-major': 10, 'hv-version-id-minor': 0,
  'hv-version-id-spack': 0, 'hv-version-id-sbranch': 0, 'hv-version-id-snumber': 0,
  'x-hv-max-vps': -1,
  'hv-vendor-id': '',
  'hv-no-nonarch-coresharing': 'off',
};

export function isIntelCpu(env: CPUX86State): boolean {
  return vendorWordsEqual(env, CPUID_VENDOR_INTEL);
}

/** IS_AMD_CPU(): AuthenticAMD only (7.2 treats Hygon as a vendor of its own). */
export function isAmdCpu(env: CPUX86State): boolean {
  return vendorWordsEqual(env, CPUID_VENDOR_AMD);
}

export function isZhaoxinCpu(env: CPUX86State): boolean {
  return vendorWordsEqual(env, CPUID_VENDOR_ZHAOXIN1) || vendorWordsEqual(env, CPUID_VENDOR_ZHAOXIN2);
}

export function vendorWords(s: string): [number, number, number] {
  const w = (i: number): number =>
    (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
  return [w(0), w(4), w(8)];
}

function vendorWordsEqual(env: CPUX86State, s: string): boolean {
  const [a, b, c] = vendorWords(s);
  return env.cpuidVendor1 === a && env.cpuidVendor2 === b && env.cpuidVendor3 === c;
}

export function vendorString(env: CPUX86State): string {
  let s = '';
  for (const w of [env.cpuidVendor1, env.cpuidVendor2, env.cpuidVendor3]) {
    for (let i = 0; i < 4; i++) {
      const c = (w >>> (8 * i)) & 0xff;
      if (c === 0) return s; // a C string
      s += String.fromCharCode(c);
    }
  }
  return s;
}

// ---- model loading (instance init) --------------------------------------------

function x86CpuApplyProps(cpu: X86CPU, props: ReadonlyArray<readonly [string, string]>): void {
  for (const [k, v] of props) objectPropertySet(cpu, k, v);
}

/** The definition's feature words as a FeatureSet. */
export function x86CpuDefFeatures(def: X86CPUDefinition): FeatureSet {
  const fs = newFeatureSet();
  for (const [key, entries] of Object.entries(def.features) as Array<[FeatureWordKey, ReadonlyArray<string | number>]>) {
    const w = FeatureWord[key];
    for (const e of entries) {
      if (typeof e === 'number') {
        featureAssign(fs, w, e, true);
        continue;
      }
      const bits = featureBitsByName.get(e);
      if (!bits || bits[0]!.w !== w) throw new Error(`cpu-models: '${e}' is not a bit of ${key}`);
      for (const b of bits) featureAssign(fs, b.w, b.bit, true);
    }
  }
  return fs;
}

/** x86_cpu_load_model(). */
function x86CpuLoadModel(cpu: X86CPU, model: X86CPUModel): void {
  const def = model.cpudef;
  const env = cpu.env;
  objectPropertySet(cpu, 'min-level', def.level);
  objectPropertySet(cpu, 'min-xlevel', def.xlevel);
  if (def.xlevel2 !== undefined) objectPropertySet(cpu, 'min-xlevel2', def.xlevel2);
  objectPropertySet(cpu, 'family', def.family);
  objectPropertySet(cpu, 'model', def.model);
  objectPropertySet(cpu, 'stepping', def.stepping);
  objectPropertySet(cpu, 'model-id', def.modelId);
  env.features.set(x86CpuDefFeatures(def));
  // A model with its own cache description defaults to it.
  cpu.legacyCache = !def.cacheInfo;
  featureAssign(env.features, FeatureWord.FEAT_1_ECX, 31, true); // hypervisor
  objectPropertySet(cpu, 'vendor', def.vendor);
  x86CpuApplyVersionProps(cpu, model);
  // Version props are not user features; +/-feat are recorded at realize.
  env.userFeatures.fill(0);
}

/** x86_cpu_apply_version_props(): versions are cumulative up to the resolved one. */
function x86CpuApplyVersionProps(cpu: X86CPU, model: X86CPUModel): void {
  const version = x86CpuModelResolveVersion(model);
  if (version === CPU_VERSION_LEGACY) return;
  for (const vdef of model.cpudef.versions ?? [{ version: 1 }]) {
    if (vdef.props) x86CpuApplyProps(cpu, vdef.props);
    if (vdef.version === version) return;
  }
  throw new Error(`CPU model ${model.cpudef.name}: no version ${version}`);
}

function x86CpuInstancePostInit(obj: QObject): void {
  const cpu = obj as X86CPU;
  const xcc = x86CpuClass(cpu.klass);
  if (xcc.model) x86CpuLoadModel(cpu, xcc.model);
  if (xcc.maxFeatures) maxX86CpuInitfn(cpu);
  accelOps?.instanceInit?.(cpu);
}

/** max_x86_cpu_initfn(): the defaults TCG keeps; KVM's instanceInit replaces them with the host's. */
function maxX86CpuInitfn(cpu: X86CPU): void {
  cpu.maxFeatures = true;
  cpu.enablePmu = true;
  objectPropertySet(cpu, 'vendor', CPUID_VENDOR_AMD);
  objectPropertySet(cpu, 'family', 15);
  objectPropertySet(cpu, 'model', 107);
  objectPropertySet(cpu, 'stepping', 1);
  objectPropertySet(cpu, 'model-id', `QEMU TCG CPU version ${QEMU_HW_VERSION}`);
}

/** Forgets the process-wide CPU state: -cpu lists, default version, warnings given (tests). */
export function x86CpuResetState(): void {
  x86CpuResetFeaturestr();
  htWarned = false;
  defaultCpuVersion = 1;
  smpCpus = 1;
}

/** x86_cpu_class_by_name(). */
export function x86CpuClassByName(model: string): ObjectClass | undefined {
  const oc = objectClassByName(model + X86_CPU_TYPE_SUFFIX);
  if (!oc || oc.abstract || !objectClassDynamicCast(oc, TYPE_X86_CPU)) return undefined;
  return oc;
}

// ---- realize ------------------------------------------------------------------------

function supportedFeatureWord(w: FeatureWord, half: 0 | 1): number {
  if (!accelOps) return 0;
  return accelOps.supportedFeatureWord(w, half) >>> 0;
}

/** mark_unavailable_features(). */
function markUnavailableFeatures(cpu: X86CPU, w: FeatureWord, mask: number, maskHi: number, prefix: string | undefined): void {
  const env = cpu.env;
  if (!cpu.forceFeatures) {
    env.features[2 * w] = (env.features[2 * w]! & ~mask) >>> 0;
    env.features[2 * w + 1] = (env.features[2 * w + 1]! & ~maskHi) >>> 0;
  }
  cpu.filteredFeatures[2 * w] = (cpu.filteredFeatures[2 * w]! | mask) >>> 0;
  cpu.filteredFeatures[2 * w + 1] = (cpu.filteredFeatures[2 * w + 1]! | maskHi) >>> 0;
  if (prefix === undefined) return;
  const f = featureWordInfo[w];
  for (let i = 0; i < 64; i++) {
    const m = i < 32 ? mask : maskHi;
    if (!((m >>> (i & 31)) & 1)) continue;
    const name = f.names[i];
    warnReport(`${prefix}: ${featureWordDescription(w)}${name ? '.' + name : ''} [bit ${i}]`);
  }
}

function adjustLevel(cur: number, value: number): number {
  return cur < value ? value : cur;
}

/** x86_cpu_adjust_feat_level(). */
function x86CpuAdjustFeatLevel(cpu: X86CPU, w: FeatureWord): void {
  const env = cpu.env;
  const fi = featureWordInfo[w];
  if (fi.type !== 'cpuid' || (env.features[2 * w] === 0 && env.features[2 * w + 1] === 0)) return;
  const region = (fi.leaf & 0xf0000000) >>> 0;
  if (region === 0) env.cpuidMinLevel = adjustLevel(env.cpuidMinLevel, fi.leaf);
  else if (region === 0x80000000) env.cpuidMinXlevel = adjustLevel(env.cpuidMinXlevel, fi.leaf);
  else if (region === 0xc0000000) env.cpuidMinXlevel2 = adjustLevel(env.cpuidMinXlevel2, fi.leaf);
  if (fi.leaf === 7) env.cpuidMinLevelFunc7 = adjustLevel(env.cpuidMinLevelFunc7, fi.subleaf ?? 0);
}

/* XSAVE state components: which feature bit enables each (x86_ext_save_areas[]). */
export interface ExtSaveArea { w: FeatureWord; bit: number; offset: number; size: number }
export const X86_LEGACY_XSAVE_AREA_SIZE = 512 + 64;
export const x86ExtSaveAreas: ReadonlyArray<ExtSaveArea | undefined> = [
  { w: FeatureWord.FEAT_1_ECX, bit: 26, offset: 0, size: X86_LEGACY_XSAVE_AREA_SIZE }, // x87
  { w: FeatureWord.FEAT_1_ECX, bit: 26, offset: 0, size: X86_LEGACY_XSAVE_AREA_SIZE }, // SSE
  { w: FeatureWord.FEAT_1_ECX, bit: 28, offset: 0x240, size: 0x100 }, // YMM
  { w: FeatureWord.FEAT_7_0_EBX, bit: 14, offset: 0x3c0, size: 0x40 }, // BNDREGS
  { w: FeatureWord.FEAT_7_0_EBX, bit: 14, offset: 0x400, size: 0x40 }, // BNDCSR
  { w: FeatureWord.FEAT_7_0_EBX, bit: 16, offset: 0x440, size: 0x40 }, // opmask
  { w: FeatureWord.FEAT_7_0_EBX, bit: 16, offset: 0x480, size: 0x200 }, // ZMM_Hi256
  { w: FeatureWord.FEAT_7_0_EBX, bit: 16, offset: 0x680, size: 0x400 }, // Hi16_ZMM
  undefined,
  { w: FeatureWord.FEAT_7_0_ECX, bit: 3, offset: 0xa80, size: 0x8 }, // PKRU
  undefined, undefined, undefined, undefined, undefined,
  { w: FeatureWord.FEAT_7_0_EDX, bit: 19, offset: 0, size: 0x328 }, // Arch LBR (supervisor)
  undefined,
  { w: FeatureWord.FEAT_7_0_EDX, bit: 24, offset: 0xac0, size: 0x40 }, // XTILECFG
  { w: FeatureWord.FEAT_7_0_EDX, bit: 24, offset: 0xb00, size: 0x2000 }, // XTILEDATA
];
const XSTATE_ARCH_LBR_BIT = 15;

/** x86_cpu_enable_xsave_components(). */
function x86CpuEnableXsaveComponents(cpu: X86CPU): void {
  const env = cpu.env;
  const f = env.features;
  if (!featureTest(f, FeatureWord.FEAT_1_ECX, 26)) {
    f[2 * FeatureWord.FEAT_XSAVE_COMP_LO] = 0;
    f[2 * FeatureWord.FEAT_XSAVE_COMP_HI] = 0;
    return;
  }
  let mask = 0;
  x86ExtSaveAreas.forEach((esa, i) => {
    if (esa && featureTest(f, esa.w, esa.bit)) mask |= 1 << i;
  });
  const xss = 1 << XSTATE_ARCH_LBR_BIT;
  f[2 * FeatureWord.FEAT_XSAVE_COMP_LO] = (mask & ~xss) >>> 0;
  f[2 * FeatureWord.FEAT_XSAVE_COMP_HI] = 0;
  f[2 * FeatureWord.FEAT_XSAVE_XSS_LO] = (mask & xss) >>> 0;
  f[2 * FeatureWord.FEAT_XSAVE_XSS_HI] = 0;
}

/** x86_cpu_expand_features(). */
export function x86CpuExpandFeatures(cpu: X86CPU): void {
  const env = cpu.env;
  for (const name of cpuPlusFeatures()) {
    if (name === 'osxsave' && osxsaveIgnored('+')) continue;
    objectPropertySet(cpu, name, true);
  }
  for (const name of cpuMinusFeatures()) {
    if (name === 'osxsave' && osxsaveIgnored('-')) continue;
    objectPropertySet(cpu, name, false);
  }

  if (cpu.maxFeatures) {
    for (let w = 0; w < FEATURE_WORDS; w++) {
      const fi = featureWordInfo[w as FeatureWord];
      for (const half of [0, 1] as const) {
        let sup = supportedFeatureWord(w, half);
        // x86_cpu_get_supported_feature_word(w, migratable): only named, migratable bits.
        // (The XSAVE component words have no names; they are recomputed below anyway.)
        if (cpu.migratable) sup &= migratableFlags(w, half);
        const noAuto = half === 0 ? (fi.noAutoenable ?? 0) : 0;
        const i = 2 * w + half;
        env.features[i] = (env.features[i]! | (sup & ~env.userFeatures[i]! & ~noAuto)) >>> 0;
      }
    }
  }

  for (const d of featureDependencies) {
    if (env.features[2 * d.from.w]! & d.from.mask) continue;
    const lo = (env.features[2 * d.to.w]! & d.to.mask) >>> 0;
    const hi = (env.features[2 * d.to.w + 1]! & d.to.maskHi) >>> 0;
    // Not an error unless the dependent feature was asked for explicitly.
    markUnavailableFeatures(cpu, d.to.w, (lo & env.userFeatures[2 * d.to.w]!) >>> 0,
      (hi & env.userFeatures[2 * d.to.w + 1]!) >>> 0, 'This feature depends on other features that were not requested');
    env.features[2 * d.to.w] = (env.features[2 * d.to.w]! & ~lo) >>> 0;
    env.features[2 * d.to.w + 1] = (env.features[2 * d.to.w + 1]! & ~hi) >>> 0;
  }

  if (accelOps?.name !== 'kvm' || !cpu.exposeKvm) env.features[2 * FeatureWord.FEAT_KVM] = 0;

  x86CpuEnableXsaveComponents(cpu);

  // Leaf 7 features always raise the level; the others only with full-cpuid-auto-level.
  x86CpuAdjustFeatLevel(cpu, FeatureWord.FEAT_7_0_EBX);
  if (cpu.fullCpuidAutoLevel) {
    for (const w of [FeatureWord.FEAT_1_EDX, FeatureWord.FEAT_1_ECX, FeatureWord.FEAT_6_EAX, FeatureWord.FEAT_7_0_ECX,
      FeatureWord.FEAT_7_1_EAX, FeatureWord.FEAT_8000_0001_EDX, FeatureWord.FEAT_8000_0001_ECX,
      FeatureWord.FEAT_8000_0007_EDX, FeatureWord.FEAT_8000_0008_EBX, FeatureWord.FEAT_C000_0001_EDX,
      FeatureWord.FEAT_SVM, FeatureWord.FEAT_XSAVE]) {
      x86CpuAdjustFeatLevel(cpu, w);
    }
    if (featureTest(env.features, FeatureWord.FEAT_7_0_EBX, 25)) { // intel-pt needs leaf 0x14
      if (cpu.intelPtAutoLevel) env.cpuidMinLevel = adjustLevel(env.cpuidMinLevel, 0x14);
      else if (env.cpuidMinLevel < 0x14) {
        markUnavailableFeatures(cpu, FeatureWord.FEAT_7_0_EBX, 1 << 25, 0,
          'Intel PT need CPUID leaf 0x14, please set by "-cpu ...,intel-pt=on,min-level=0x14"');
      }
    }
    // Dies need the V2 topology leaf, an Intel leaf (AMD gets it only without x-vendor-cpuid-only).
    if (env.nrDies > 1 && (isIntelCpu(env) || !cpu.vendorCpuidOnly)) env.cpuidMinLevel = adjustLevel(env.cpuidMinLevel, 0x1f);
    if (featureTest(env.features, FeatureWord.FEAT_8000_0001_ECX, 2)) {
      env.cpuidMinXlevel = adjustLevel(env.cpuidMinXlevel, 0x8000000a);
    }
    if (featureTest(env.features, FeatureWord.FEAT_7_0_EBX, 2)) env.cpuidMinLevel = adjustLevel(env.cpuidMinLevel, 0x12);
  }

  if (env.cpuidLevelFunc7 === 0xffffffff) env.cpuidLevelFunc7 = env.cpuidMinLevelFunc7;
  if (env.cpuidLevel === 0xffffffff) env.cpuidLevel = env.cpuidMinLevel;
  if (env.cpuidXlevel === 0xffffffff) env.cpuidXlevel = env.cpuidMinXlevel;
  if (env.cpuidXlevel2 === 0xffffffff) env.cpuidXlevel2 = env.cpuidMinXlevel2;
}

/** x86_cpu_get_migratable_flags(): named bits are migratable unless listed otherwise. */
function migratableFlags(w: FeatureWord, half: 0 | 1): number {
  const fi = featureWordInfo[w];
  let r = 0;
  for (let i = 0; i < 32; i++) {
    if (fi.names[32 * half + i]) r |= 1 << i;
  }
  if (fi.type === 'cpuid' && half === 0) r &= ~(fi.unmigratable ?? 0);
  return r >>> 0;
}

/** x86_cpu_filter_features(): drops what the accelerator cannot run, with one warning per bit. */
export function x86CpuFilterFeatures(cpu: X86CPU, verbose: boolean): void {
  const env = cpu.env;
  const prefix = verbose
    ? accelOps?.usesHostCpuid ? "host doesn't support requested feature" : "TCG doesn't support requested feature"
    : undefined;
  for (let w = 0; w < FEATURE_WORDS; w++) {
    const lo = (env.features[2 * w]! & ~supportedFeatureWord(w, 0)) >>> 0;
    const hi = (env.features[2 * w + 1]! & ~supportedFeatureWord(w, 1)) >>> 0;
    markUnavailableFeatures(cpu, w, lo, hi, prefix);
  }
}

export function x86CpuHaveFilteredFeatures(cpu: X86CPU): boolean {
  return cpu.filteredFeatures.some((x) => x !== 0);
}

/** CPUID_EXT2_AMD_ALIASES: the 01H:EDX bits AMD repeats in 80000001H:EDX. */
export const CPUID_EXT2_AMD_ALIASES = 0x0183f3ff;

/** x86_cpu_realizefn(), in QEMU's order. */
export function x86CpuRealizefn(cpu: X86CPU): void {
  const env = cpu.env;
  const xcc = x86CpuClass(cpu.klass);
  if (xcc.hostCpuidRequired && !accelOps?.usesHostCpuid) {
    throw new QemuError(`CPU model '${x86CpuClassGetModelName(cpu.klass)}' requires KVM or HVF`);
  }
  if (cpu.apicId === UNASSIGNED_APIC_ID) throw new QemuError('apic-id property was not initialized properly');

  // x86_cpu_hyperv_realize(): the Hyper-V identity defaults (the rest is KVM's).
  if (cpu.hyperv['hv-vendor-id'] === '') cpu.hyperv['hv-vendor-id'] = 'Microsoft Hv';

  x86CpuExpandFeatures(cpu);

  x86CpuFilterFeatures(cpu, cpu.checkCpuid || cpu.enforceCpuid);
  if (cpu.enforceCpuid && x86CpuHaveFilteredFeatures(cpu)) {
    throw new QemuError(accelOps?.usesHostCpuid ? "Host doesn't support requested features" : "TCG doesn't support requested features");
  }

  // On AMD CPUs some CPUID[8000_0001].EDX bits must match CPUID[1].EDX.
  if (isAmdCpu(env)) {
    const i = 2 * FeatureWord.FEAT_8000_0001_EDX;
    env.features[i] = ((env.features[i]! & ~CPUID_EXT2_AMD_ALIASES) |
      (env.features[2 * FeatureWord.FEAT_1_EDX]! & CPUID_EXT2_AMD_ALIASES)) >>> 0;
  }

  // The default microcode revision is KVM's.
  if (cpu.ucodeRev === 0) cpu.ucodeRev = isAmdCpu(env) ? 0x01000065 : 0x100000000;

  // cpu_exec_realizefn(): the CPU joins the list, the accelerator does its part.
  cpuListAdd(cpu);
  accelOps?.realize?.(cpu);

  if (featureTest(env.features, FeatureWord.FEAT_8000_0001_EDX, 29)) {
    if (cpu.physBits && (cpu.physBits > TARGET_PHYS_ADDR_SPACE_BITS || cpu.physBits < 32)) {
      throw new QemuError(`phys-bits should be between 32 and ${TARGET_PHYS_ADDR_SPACE_BITS}  (but is ${cpu.physBits})`);
    }
    // 0: not set by the user, a compat property or the accelerator.
    if (cpu.physBits === 0) cpu.physBits = TCG_PHYS_ADDR_BITS;
  } else {
    // 32-bit CPUs report what their paging can address.
    if (cpu.physBits !== 0) throw new QemuError('phys-bits is not user-configurable in 32 bit');
    cpu.physBits = featureTest(env.features, FeatureWord.FEAT_1_EDX, 17) ? 36 : 32;
  }

  // Cache information: the legacy set, or the model's own.
  if (!cpu.legacyCache) {
    const def = xcc.model?.cpudef;
    if (!def?.cacheInfo) {
      throw new QemuError(`CPU model '${x86CpuClassGetModelName(cpu.klass)}' doesn't support legacy-cache=off`);
    }
    env.cacheInfoCpuid2 = env.cacheInfoCpuid4 = env.cacheInfoAmd = def.cacheInfo;
  } else {
    env.cacheInfoCpuid2 = { l1d: legacyL1dCache, l1i: legacyL1iCache, l2: legacyL2CacheCpuid2, l3: legacyL3Cache };
    env.cacheInfoCpuid4 = { l1d: legacyL1dCache, l1i: legacyL1iCache, l2: legacyL2Cache, l3: legacyL3Cache };
    env.cacheInfoAmd = { l1d: legacyL1dCacheAmd, l1i: legacyL1iCacheAmd, l2: legacyL2CacheAmd, l3: legacyL3Cache };
  }

  // The APIC exists when CPUID says so, or with more than one CPU.
  if (featureTest(env.features, FeatureWord.FEAT_1_EDX, 9) || smpCpus > 1) {
    apicHooks?.create(cpu);
  }
  accelOps?.initVcpu?.(cpu);

  // Only TOPOEXT describes SMT on AMD; warned once per process.
  if (isAmdCpu(env) && !featureTest(env.features, FeatureWord.FEAT_8000_0001_ECX, 22) && cpu.nrThreads > 1 && !htWarned) {
    htWarned = true;
    warnReport(`This family of AMD CPU doesn't support hyperthreading(${cpu.nrThreads})`);
    errorPrintf('Please configure -smp options properly or try enabling topoext feature.\n');
  }
  apicHooks?.realize(cpu);
}

let htWarned = false;

let smpCpus = 1;

/** smp.cpus, for "an APIC when there is more than one CPU" (set by the machine). */
export function x86CpuSetSmpCpus(n: number): void {
  smpCpus = n;
}

// ---- names, registration, query data ---------------------------------------

/** x86_cpu_class_get_model_name(): the type name without "-x86_64-cpu". */
export function x86CpuClassGetModelName(oc: ObjectClass): string {
  return oc.typeName.slice(0, -X86_CPU_TYPE_SUFFIX.length);
}

/** x86_cpu_class_get_alias_of(). */
export function x86CpuClassGetAliasOf(oc: ObjectClass): string | undefined {
  const m = x86CpuClass(oc).model;
  if (!m || !m.isAlias) return undefined;
  // Machines without versioned models (pc-*-4.0 and older) show no alias at all (7.2, tested).
  if (defaultCpuVersion === CPU_VERSION_LEGACY) return undefined;
  const v = x86CpuModelResolveVersion(m);
  if (v <= 0) return undefined;
  return `${m.cpudef.name}-v${v}`;
}

function x86RegisterCpuModelType(name: string, model: X86CPUModel): void {
  typeRegisterStatic({
    name: name + X86_CPU_TYPE_SUFFIX,
    parent: TYPE_X86_CPU,
    classInit: (oc) => {
      const xcc = x86CpuClass(oc);
      xcc.model = model;
      xcc.migrationSafe = true;
    },
  });
}

function x86RegisterCpudefTypes(def: X86CPUDefinition): void {
  // The unversioned name follows the machine type's default version.
  x86RegisterCpuModelType(def.name, { cpudef: def, version: CPU_VERSION_AUTO, isAlias: true });
  for (const vdef of def.versions ?? [{ version: 1 }]) {
    const m: X86CPUModel = { cpudef: def, version: vdef.version, note: vdef.note, isAlias: false };
    x86RegisterCpuModelType(`${def.name}-v${vdef.version}`, m);
    if (vdef.alias) {
      x86RegisterCpuModelType(vdef.alias, { cpudef: def, version: vdef.version, note: vdef.note, isAlias: true });
    }
  }
}

let registered = false;

/** type_init(x86_cpu_register_types). */
export function registerX86CpuTypes(): void {
  if (registered) return;
  registered = true;
  typeRegisterStatic({
    name: TYPE_X86_CPU,
    parent: TYPE_CPU,
    abstract: true,
    instance: X86CPU,
    classInit: x86CpuClassInit,
    instancePostInit: x86CpuInstancePostInit,
  });
  for (const def of builtinX86Defs) x86RegisterCpudefTypes(def);
  typeRegisterStatic({
    name: 'max' + X86_CPU_TYPE_SUFFIX, parent: TYPE_X86_CPU,
    classInit: (oc) => {
      const xcc = x86CpuClass(oc);
      xcc.ordering = 9;
      xcc.maxFeatures = true;
      boolField(oc, 'migratable', 'migratable', true);
      boolField(oc, 'host-cache-info', 'cacheInfoPassthrough', false);
      xcc.modelDescription = 'Enables all features supported by the accelerator in the current host';
    },
  });
  typeRegisterStatic({
    name: 'host' + X86_CPU_TYPE_SUFFIX, parent: 'max' + X86_CPU_TYPE_SUFFIX,
    classInit: (oc) => {
      const xcc = x86CpuClass(oc);
      xcc.hostCpuidRequired = true;
      xcc.ordering = 8;
      xcc.modelDescription = 'processor with all supported host features ';
    },
  });
  typeRegisterStatic({
    name: 'base' + X86_CPU_TYPE_SUFFIX, parent: TYPE_X86_CPU,
    classInit: (oc) => {
      const xcc = x86CpuClass(oc);
      xcc.staticModel = true;
      xcc.migrationSafe = true;
      xcc.ordering = 8;
      xcc.modelDescription = 'base CPU model type with no features enabled';
    },
  });
}

/** Every concrete x86 CPU class, in -cpu help order (x86_cpu_list_compare). */