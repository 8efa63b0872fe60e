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
  ObjectClass, QObject, objectClassByName, objectNew, objectClassPropertyAdd, objectPropertySet, objectRegisterGlobalProp,
  typeRegisterStatic, objectClassGetList, objectPropertyGet, objectPropertyList, type ObjectProperty, type PropValue,
} from '../../qom/object.js';
import { visitBool, visitStr } from '../../qom/visitor.js';
import { CPUState, TYPE_CPU, cpuListAdd } from '../../hw/core/cpu.js';
import { deviceClass, type DeviceState } from '../../hw/core/qdev.js';
import { QemuError, setStderrWriter, warnReport } from '../../util/error.js';
import {
  FEATURE_WORDS, FeatureWord, featureBitsByName, featureDependencies, featureAssign, featureTest,
  featurePropertyAliases, featureWordDescription, featureWordInfo, newFeatureSet, type FeatureSet,
  CPUID_VENDOR_AMD, CPUID_VENDOR_INTEL, CPUID_VENDOR_ZHAOXIN1, CPUID_VENDOR_ZHAOXIN2,
} from './cpu-features.js';
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

function vendorWords(s: string): [number, number, number] {
  const w = (i: number): number =>
    (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
  return [w(0), w(4), w(8)];
}

function vendorWordsEqual(env: CPUX86State, s: string): boolean {
  const [a, b, c] = vendorWords(s);
  return env.cpuidVendor1 === a && env.cpuidVendor2 === b && env.cpuidVendor3 === c;
}

function vendorString(env: CPUX86State): string {
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

// ---- property helpers ------------------------------------------------------

/** Unsigned values from the string/JSON visitors, with QEMU's two messages (bad syntax, out of range). */
function parseUint(name: string, v: unknown, bits: 8 | 16 | 32 | 64): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = /^\s*(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*$/.exec(v);
    if (m) {
      const b = m[2]!;
      n = /^0[xX]/.test(b) ? parseInt(b.slice(2), 16) : b.length > 1 && b[0] === '0' ? parseInt(b.slice(1), 8) : parseInt(b, 10);
      // strtoull accepts "-1" as 2^64-1: out of any narrower range.
      if (m[1]) n = n === 0 ? 0 : Number.MAX_SAFE_INTEGER + 1;
    }
  } else throw new QemuError(`Invalid parameter type for '${name}', expected: integer`);
  if (n === undefined || !Number.isInteger(n)) throw new QemuError(`Parameter '${name}' expects uint64`);
  if (bits < 64 && (n < 0 || n > 2 ** bits - 1)) throw new QemuError(`Parameter '${name}' expects uint${bits}_t`);
  return n;
}

function parseInt64(name: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*$/.exec(v);
    if (m) {
      const b = m[2]!;
      const n = /^0[xX]/.test(b) ? parseInt(b.slice(2), 16) : b.length > 1 && b[0] === '0' ? parseInt(b.slice(1), 8) : parseInt(b, 10);
      return m[1] === '-' ? -n : n;
    }
  }
  throw new QemuError(`Parameter '${name}' expects int64`);
}

function valueOutOfRange(name: string, value: number, min: number, max: number): QemuError {
  // QEMU passes "" as the object name here, hence "Property .family".
  return new QemuError(`Property .${name} doesn't take value ${value} (minimum: ${min}, maximum: ${max})`);
}

type X86Fields = Record<string, unknown>;

function addProp(oc: ObjectClass, p: ObjectProperty): void {
  objectClassPropertyAdd(oc, p);
}

function boolField(oc: ObjectClass, name: string, field: keyof X86CPU, def: boolean): void {
  addProp(oc, {
    name, type: 'bool', defaultValue: def,
    get: (o) => (o as unknown as X86Fields)[field] as boolean,
    set: (o, v) => { (o as unknown as X86Fields)[field] = visitBool(name, v); },
  });
}

function uintField(oc: ObjectClass, name: string, bits: 8 | 16 | 32 | 64, get: (c: X86CPU) => number,
  set: (c: X86CPU, n: number) => void, def?: number): void {
  addProp(oc, {
    name, type: bits === 64 ? 'uint64' : `uint${bits}`, defaultValue: def,
    get: (o) => get(o as X86CPU),
    set: (o, v) => set(o as X86CPU, parseUint(name, v, bits)),
  });
}

function intField(oc: ObjectClass, name: string, bits: 32 | 64, field: keyof X86CPU, def: number): void {
  addProp(oc, {
    name, type: `int${bits}`, defaultValue: def,
    get: (o) => (o as unknown as X86Fields)[field] as number,
    set: (o, v) => {
      const n = parseInt64(name, v);
      if (bits === 32 && (n < -(2 ** 31) || n > 2 ** 31 - 1)) throw new QemuError(`Parameter '${name}' expects int32_t`);
      (o as unknown as X86Fields)[field] = n;
    },
  });
}

/** x86_cpu_get_bit_prop/x86_cpu_set_bit_prop: one property per name, covering all its bits. */
function featureBitProp(name: string, bits: ReadonlyArray<{ w: FeatureWord; bit: number }>, propName = name): ObjectProperty {
  return {
    name: propName, type: 'bool',
    get: (o) => {
      const env = (o as X86CPU).env;
      return bits.every((b) => featureTest(env.features, b.w, b.bit));
    },
    set: (o, v) => {
      const cpu = o as X86CPU;
      if (cpu.realized) {
        throw new QemuError(`Attempt to set property '${propName}' on device '${cpu.id ?? '<anon>'}' (type '${cpu.typeName}') after it was realized`);
      }
      const on = visitBool(propName, v);
      for (const b of bits) {
        featureAssign(cpu.env.features, b.w, b.bit, on);
        featureAssign(cpu.env.userFeatures, b.w, b.bit, true);
      }
    },
  };
}

function cpuidVersionFamily(env: CPUX86State): number {
  let f = (env.cpuidVersion >>> 8) & 0xf;
  if (f === 0xf) f += (env.cpuidVersion >>> 20) & 0xff;
  return f;
}

function modelIdString(env: CPUX86State): string {
  let s = '';
  for (let i = 0; i < 48; i++) {
    const c = (env.cpuidModel[i >> 2]! >>> (8 * (i & 3))) & 0xff;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function x86CpuClassInit(oc: ObjectClass): void {
  const dc = deviceClass(oc);
  dc.realize = (dev: DeviceState) => x86CpuRealizefn(dev as X86CPU);
  dc.category = 'cpu';

  addProp(oc, {
    name: 'family', type: 'int',
    get: (o) => cpuidVersionFamily((o as X86CPU).env),
    set: (o, v) => {
      const env = (o as X86CPU).env;
      const n = parseInt64('family', v);
      if (n < 0 || n > 0xff + 0xf) throw valueOutOfRange('family', n, 0, 0xff + 0xf);
      env.cpuidVersion &= ~0xff00f00;
      env.cpuidVersion |= n > 0x0f ? 0xf00 | ((n - 0x0f) << 20) : n << 8;
      env.cpuidVersion >>>= 0;
    },
  });
  addProp(oc, {
    name: 'model', type: 'int',
    get: (o) => { const e = (o as X86CPU).env; return ((e.cpuidVersion >>> 4) & 0xf) | (((e.cpuidVersion >>> 16) & 0xf) << 4); },
    set: (o, v) => {
      const env = (o as X86CPU).env;
      const n = parseInt64('model', v);
      if (n < 0 || n > 0xff) throw valueOutOfRange('model', n, 0, 0xff);
      env.cpuidVersion = ((env.cpuidVersion & ~0xf00f0) | ((n & 0xf) << 4) | ((n >> 4) << 16)) >>> 0;
    },
  });
  addProp(oc, {
    name: 'stepping', type: 'int',
    get: (o) => (o as X86CPU).env.cpuidVersion & 0xf,
    set: (o, v) => {
      const env = (o as X86CPU).env;
      const n = parseInt64('stepping', v);
      if (n < 0 || n > 0xf) throw valueOutOfRange('stepping', n, 0, 0xf);
      env.cpuidVersion = ((env.cpuidVersion & ~0xf) | n) >>> 0;
    },
  });
  addProp(oc, {
    name: 'vendor', type: 'str',
    get: (o) => vendorString((o as X86CPU).env),
    set: (o, v) => {
      const s = visitStr('vendor', v);
      if (s.length !== 12) throw new QemuError(`Property '.vendor' doesn't take value '${s}'`);
      const env = (o as X86CPU).env;
      [env.cpuidVendor1, env.cpuidVendor2, env.cpuidVendor3] = vendorWords(s);
    },
  });
  addProp(oc, {
    name: 'model-id', type: 'str',
    get: (o) => modelIdString((o as X86CPU).env),
    set: (o, v) => {
      const s = visitStr('model-id', v);
      const m = (o as X86CPU).env.cpuidModel;
      m.fill(0);
      for (let i = 0; i < 48 && i < s.length; i++) m[i >> 2] = (m[i >> 2]! | ((s.charCodeAt(i) & 0xff) << (8 * (i & 3)))) >>> 0;
    },
  });
  addProp(oc, {
    name: 'tsc-frequency', type: 'int',
    get: (o) => (o as X86CPU).tscFrequency,
    set: (o, v) => {
      const n = parseInt64('tsc-frequency', v);
      if (n < 0) throw valueOutOfRange('tsc-frequency', n, 0, Number.MAX_SAFE_INTEGER);
      (o as X86CPU).tscFrequency = n;
    },
  });
  addProp(oc, {
    name: 'feature-words', type: 'X86CPUFeatureWordInfo',
    get: (o) => featureWordsInfo((o as X86CPU).env.features),
  });
  addProp(oc, {
    name: 'filtered-features', type: 'X86CPUFeatureWordInfo',
    get: (o) => featureWordsInfo((o as X86CPU).filteredFeatures),
  });

  const env = (c: X86CPU): CPUX86State => c.env;
  uintField(oc, 'level', 32, (c) => env(c).cpuidLevel, (c, n) => { env(c).cpuidLevel = n; }, 0xffffffff);
  uintField(oc, 'xlevel', 32, (c) => env(c).cpuidXlevel, (c, n) => { env(c).cpuidXlevel = n; }, 0xffffffff);
  uintField(oc, 'xlevel2', 32, (c) => env(c).cpuidXlevel2, (c, n) => { env(c).cpuidXlevel2 = n; }, 0xffffffff);
  uintField(oc, 'level-func7', 32, (c) => env(c).cpuidLevelFunc7, (c, n) => { env(c).cpuidLevelFunc7 = n; }, 0xffffffff);
  uintField(oc, 'min-level', 32, (c) => env(c).cpuidMinLevel, (c, n) => { env(c).cpuidMinLevel = n; }, 0);
  uintField(oc, 'min-xlevel', 32, (c) => env(c).cpuidMinXlevel, (c, n) => { env(c).cpuidMinXlevel = n; }, 0);
  uintField(oc, 'min-xlevel2', 32, (c) => env(c).cpuidMinXlevel2, (c, n) => { env(c).cpuidMinXlevel2 = n; }, 0);
  uintField(oc, 'apic-id', 32, (c) => c.apicId, (c, n) => {
    if (c.realized) throw new QemuError(`Attempt to set property 'apic-id' on device '${c.id ?? '<anon>'}' (type '${c.typeName}') after it was realized`);
    c.apicId = n;
  }, UNASSIGNED_APIC_ID);
  uintField(oc, 'phys-bits', 32, (c) => c.physBits, (c, n) => { c.physBits = n; }, 0);
  uintField(oc, 'host-phys-bits-limit', 8, (c) => c.hostPhysBitsLimit, (c, n) => { c.hostPhysBitsLimit = n; }, 0);
  uintField(oc, 'ucode-rev', 64, (c) => c.ucodeRev, (c, n) => { c.ucodeRev = n; }, 0);
  intField(oc, 'socket-id', 32, 'socketId', -1);
  intField(oc, 'die-id', 32, 'dieId', -1);
  intField(oc, 'core-id', 32, 'coreId', -1);
  intField(oc, 'thread-id', 32, 'threadId', -1);
  intField(oc, 'node-id', 32, 'nodeId', -1);
  boolField(oc, 'check', 'checkCpuid', true);
  boolField(oc, 'enforce', 'enforceCpuid', false);
  boolField(oc, 'x-force-features', 'forceFeatures', false);
  boolField(oc, 'pmu', 'enablePmu', false);
  boolField(oc, 'host-phys-bits', 'hostPhysBits', false);
  boolField(oc, 'fill-mtrr-mask', 'fillMtrrMask', true);
  boolField(oc, 'l3-cache', 'enableL3Cache', true);
  boolField(oc, 'cpuid-0xb', 'enableCpuid0xb', true);
  boolField(oc, 'legacy-cache', 'legacyCache', true);
  boolField(oc, 'x-vendor-cpuid-only', 'vendorCpuidOnly', true);
  boolField(oc, 'tcg-cpuid', 'exposeTcg', true);
  boolField(oc, 'kvm', 'exposeKvm', true);
  boolField(oc, 'full-cpuid-auto-level', 'fullCpuidAutoLevel', true);
  boolField(oc, 'x-intel-pt-auto-level', 'intelPtAutoLevel', true);
  boolField(oc, 'vmware-cpuid-freq', 'vmwareCpuidFreq', true);
  boolField(oc, 'x-migrate-smi-count', 'migrateSmiCount', true);

  boolField(oc, 'lmce', 'lmce', false);
  boolField(oc, 'start-powered-off', 'startPoweredOff', false);
  boolField(oc, 'kvm-no-smi-migration', 'kvmNoSmiMigration', false);
  boolField(oc, 'kvm-pv-enforce-cpuid', 'kvmPvEnforceCpuid', false);
  for (const [name, def] of Object.entries(HYPERV_DEFAULTS)) addProp(oc, hypervProp(name, def));

  for (const [name, bits] of featureBitsByName) addProp(oc, featureBitProp(name, bits));
  for (const [alias, target] of Object.entries(featurePropertyAliases)) {
    addProp(oc, featureBitProp(target, featureBitsByName.get(target)!, alias));
  }
}

function hypervProp(name: string, def: boolean | number | string): ObjectProperty {
  const set = (c: X86CPU, v: boolean | number | string): void => { c.hyperv[name] = v; };
  if (typeof def === 'boolean') {
    return { name, type: 'bool', defaultValue: def, get: (o) => (o as X86CPU).hyperv[name]!, set: (o, v) => set(o as X86CPU, visitBool(name, v)) };
  }
  if (typeof def === 'number') {
    const signed = def < 0;
    return {
      name, type: signed ? 'int32' : 'uint32', defaultValue: def, get: (o) => (o as X86CPU).hyperv[name]!,
      set: (o, v) => {
        const n = signed ? parseInt64(name, v) : parseUint(name, v, 32);
        if (signed && (n < -(2 ** 31) || n > 2 ** 31 - 1)) throw new QemuError(`Parameter '${name}' expects int32_t`);
        set(o as X86CPU, n);
      },
    };
  }
  if (name === 'hv-no-nonarch-coresharing') {
    return {
      name, type: 'OnOffAuto', defaultValue: def, get: (o) => (o as X86CPU).hyperv[name]!,
      set: (o, v) => {
        const s = visitStr(name, v);
        if (!['on', 'off', 'auto'].includes(s)) throw new QemuError(`Parameter '${name}' does not accept value '${s}'`);
        set(o as X86CPU, s);
      },
    };
  }
  return { name, type: 'str', defaultValue: def, get: (o) => (o as X86CPU).hyperv[name]!, set: (o, v) => set(o as X86CPU, visitStr(name, v)) };
}

/** The X86CPUFeatureWordInfo list of feature-words / filtered-features. */
function featureWordsInfo(fs: FeatureSet): PropValue {
  const out: PropValue[] = [];
  for (let w = 0; w < FEATURE_WORDS; w++) {
    const f = featureWordInfo[w as FeatureWord];
    if (f.type !== 'cpuid') continue;
    const e: { [k: string]: PropValue } = { 'cpuid-input-eax': f.leaf };
    if (f.subleaf !== undefined) e['cpuid-input-ecx'] = f.subleaf;
    e['cpuid-register'] = f.reg;
    e['features'] = fs[2 * w]!;
    out.push(e);
  }
  return out;
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

// ---- -cpu parsing ----------------------------------------------------------------

let plusFeatures: string[] = [];
let minusFeatures: string[] = [];
let cpuGlobalsInitialized = false;

/** Forgets what x86_cpu_parse_featurestr() registered (tests create several configurations). */
export function x86CpuResetState(): void {
  plusFeatures = [];
  minusFeatures = [];
  cpuGlobalsInitialized = false;
  osxsaveWarned = false;
  htWarned = false;
  defaultCpuVersion = 1;
  osxsaveCompat = false;
  smpCpus = 1;
}

/** x86_cpu_class_by_name(). */
export function x86CpuClassByName(model: string): ObjectClass | undefined {
  const oc = objectClassByName(model + X86_CPU_TYPE_SUFFIX);
  if (!oc || oc.abstract || !objectClassDynamicCastX86(oc)) return undefined;
  return oc;
}

function objectClassDynamicCastX86(oc: ObjectClass): boolean {
  for (let c: ObjectClass | undefined = oc; c; c = c.parentClass) if (c.typeName === TYPE_X86_CPU) return true;
  return false;
}

/**
 * parse_cpu_option(): "model[,features]" → the QOM type to instantiate.  The
 * features become global properties of that type (and +/- lists for realize).
 */
export function parseCpuOption(cpuOption: string): string {
  const comma = cpuOption.indexOf(',');
  const model = comma < 0 ? cpuOption : cpuOption.slice(0, comma);
  const oc = x86CpuClassByName(model);
  if (!oc) throw new QemuError(`unable to find CPU model '${model}'`);
  const typename = oc.typeName;
  x86CpuParseFeaturestr(typename, comma < 0 ? undefined : cpuOption.slice(comma + 1));
  return typename;
}

/** feat2prop(): the legacy "_" spelling of property names. */
function feat2prop(s: string): string {
  return s.replace(/_/g, '-');
}

/** x86_cpu_parse_featurestr(). */
export function x86CpuParseFeaturestr(typename: string, features: string | undefined): void {
  // Parsed once per process: -cpu is one option, every CPU shares it.
  if (cpuGlobalsInitialized) return;
  cpuGlobalsInitialized = true;
  if (!features) return;
  let ambiguous = false;
  for (const featurestr of features.split(',')) {
    if (featurestr === '') continue; // strtok skips empty items
    if (featurestr[0] === '+') {
      plusFeatures.push(featurestr.slice(1));
      continue;
    }
    if (featurestr[0] === '-') {
      minusFeatures.push(featurestr.slice(1));
      continue;
    }
    const eq = featurestr.indexOf('=');
    let name = feat2prop(eq < 0 ? featurestr : featurestr.slice(0, eq));
    let val = eq < 0 ? 'on' : featurestr.slice(eq + 1);
    if (plusFeatures.includes(name)) {
      warnReport(`Ambiguous CPU model string. Don't mix both "+${name}" and "${name}=${val}"`);
      ambiguous = true;
    }
    if (minusFeatures.includes(name)) {
      warnReport(`Ambiguous CPU model string. Don't mix both "-${name}" and "${name}=${val}"`);
      ambiguous = true;
    }
    if (name === 'tsc-freq') {
      const hz = qemuStrtoszMetric(val);
      if (hz === undefined) throw new QemuError(`bad numerical value ${val}`);
      val = String(hz);
      name = 'tsc-frequency';
    }
    objectRegisterGlobalProp({ driver: typename, property: name, value: val });
  }
  if (ambiguous) warnReport("Compatibility of ambiguous CPU model strings won't be kept on future QEMU versions");
}

/** qemu_strtosz_metric(): a size with an optional k/M/G/T/P/E suffix, powers of 1000. */
function qemuStrtoszMetric(s: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([bBkKmMgGtTpPeE]?)$/.exec(s);
  if (!m) return undefined;
  const exp = ' kmgtpe'.indexOf(m[2]!.toLowerCase());
  const mul = m[2] === '' || /[bB]/.test(m[2]!) ? 1 : 1000 ** exp;
  if (m[1]!.includes('.') && mul === 1) return undefined; // a fraction needs a suffix
  const n = Math.floor(parseFloat(m[1]!) * mul);
  return n > Number.MAX_SAFE_INTEGER ? undefined : n;
}

// ---- osxsave, as QEMU 2.0 took it ---------------------------------------------

/*
 * QEMU 2.0 still had a property name for CPUID.01H:ECX[27] (OSXSAVE), so
 * libvirt of that era (Ubuntu trusty) wrote "+osxsave".  The bit mirrors
 * CR4.OSXSAVE, which the guest OS sets; 7.2 has no such property and refuses
 * the string.  Machines of that era (pc-*-2.0 and older, pc-i440fx-trusty)
 * turn this on: +osxsave/-osxsave are then ignored with a warning.
 */
let osxsaveCompat = false;
let osxsaveWarned = false;

/** Called by machine types of the QEMU 2.0 era. */
export function x86CpuSetOsxsaveCompat(on: boolean): void {
  osxsaveCompat = on;
}

function osxsaveIgnored(sign: '+' | '-'): boolean {
  if (!osxsaveCompat) return false;
  if (!osxsaveWarned) {
    osxsaveWarned = true;
    warnReport(`CPU feature '${sign}osxsave' ignored: CPUID.01H:ECX.osxsave [bit 27] is set by the guest OS (CR4.OSXSAVE), not by -cpu`);
  }
  return true;
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

function setFeatureByName(cpu: X86CPU, name: string, on: boolean): void {
  objectPropertySet(cpu, name, on);
}

/** x86_cpu_expand_features(). */
export function x86CpuExpandFeatures(cpu: X86CPU): void {
  const env = cpu.env;
  for (const name of plusFeatures) {
    if (name === 'osxsave' && osxsaveIgnored('+')) continue;
    setFeatureByName(cpu, name, true);
  }
  for (const name of minusFeatures) {
    if (name === 'osxsave' && osxsaveIgnored('-')) continue;
    setFeatureByName(cpu, name, false);
  }

  if (cpu.maxFeatures) {
    for (let w = 0; w < FEATURE_WORDS; w++) {
      const fi = featureWordInfo[w as FeatureWord];
      for (const half of [0, 1] as const) {
        let sup = supportedFeatureWord(w, half);
        if (cpu.migratable && accelOps?.usesHostCpuid) sup &= migratableFlags(w, half);
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
function x86CpuRealizefn(cpu: X86CPU): void {
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

/** error_printf(): raw text on stderr (util/error.ts has no export for it yet; reach the current writer). */
function errorPrintf(text: string): void {
  const w = setStderrWriter(() => undefined);
  setStderrWriter(w);
  w(text);
}

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
export function x86CpuSortedClasses(): ObjectClass[] {
  const list = objectClassGetList(TYPE_X86_CPU, false);
  const key = (oc: ObjectClass): number => x86CpuClass(oc).ordering ?? 0;
  return list.sort((a, b) => {
    if (key(a) !== key(b)) return key(a) - key(b);
    const na = x86CpuClassGetModelName(a);
    const nb = x86CpuClassGetModelName(b);
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** One entry of query-cpu-definitions (CpuDefinitionInfo). */
export interface CpuDefinitionInfo {
  name: string;
  typename: string;
  'alias-of'?: string;
  deprecated: boolean;
  static: boolean;
  'migration-safe': boolean;
  'unavailable-features': string[];
}

/**
 * x86_cpu_definition_entry(): unavailable-features are what filtering would
 * drop under the current accelerator (x86_cpu_class_check_missing_features).
 */
export function x86CpuDefinitions(): CpuDefinitionInfo[] {
  return x86CpuSortedClasses().map((oc) => {
    const xcc = x86CpuClass(oc);
    const e: CpuDefinitionInfo = {
      name: x86CpuClassGetModelName(oc),
      typename: oc.typeName,
      deprecated: !!xcc.model?.cpudef.deprecationNote,
      static: !!xcc.staticModel,
      'migration-safe': !!xcc.migrationSafe,
      'unavailable-features': x86CpuClassCheckMissingFeatures(oc),
    };
    const alias = x86CpuClassGetAliasOf(oc);
    if (alias) e['alias-of'] = alias;
    return e;
  });
}

/**
 * x86_cpu_class_check_missing_features(): a throwaway CPU of the class (with the
 * -cpu globals and +/- lists, as QEMU's), expanded and filtered silently.
 */
export function x86CpuClassCheckMissingFeatures(oc: ObjectClass): string[] {
  const xcc = x86CpuClass(oc);
  if (xcc.hostCpuidRequired && !accelOps?.usesHostCpuid) return ['kvm'];
  let cpu: X86CPU;
  try {
    cpu = objectNew(oc.typeName) as X86CPU;
    x86CpuExpandFeatures(cpu);
  } catch (e) {
    // Expansion errors make the model "not runnable at all", reported as "type".
    if (e instanceof QemuError) return ['type'];
    throw e;
  }
  x86CpuFilterFeatures(cpu, false);
  return x86CpuFeatureNames(cpu.filteredFeatures);
}

/** x86_cpu_list_feature_names(): the name of every set bit, word by word (unnamed bits skipped). */
export function x86CpuFeatureNames(fs: FeatureSet): string[] {
  const out: string[] = [];
  for (let w = 0; w < FEATURE_WORDS; w++) {
    const names = featureWordInfo[w as FeatureWord].names;
    for (let i = 0; i < 64; i++) {
      if (!((fs[2 * w + (i >> 5)]! >>> (i & 31)) & 1)) continue;
      const n = names[i];
      if (n) out.push(n);
    }
  }
  return out;
}

// ---- query-cpu-model-expansion -------------------------------------------------

/** x86_cpu_static_props(): what a static expansion (of "base") lists besides the feature names. */
const X86_CPU_STATIC_PROPS = ['model', 'vendor', 'family', 'stepping', 'model-id', 'min-level', 'min-xlevel', 'lmce'];

export type CpuModelExpansionType = 'static' | 'full';

export interface CpuModelInfo {
  name: string;
  props?: Record<string, unknown>;
}

/**
 * qmp_query_cpu_model_expansion() (target/i386/cpu-sysemu.c): the model with
 * `props` applied and its features expanded, as property values.  "static"
 * describes it as "base" plus every feature; "full" lists every settable property.
 */
export function x86CpuModelExpansion(type: CpuModelExpansionType, model: CpuModelInfo): { model: { name: string; props: Record<string, PropValue> } } {
  const oc = x86CpuClassByName(model.name);
  if (!oc) throw new QemuError(`CPU model '${model.name}' not found`);
  const cpu = objectNew(oc.typeName) as X86CPU;
  for (const [k, v] of Object.entries(model.props ?? {})) objectPropertySet(cpu, k, v);
  x86CpuExpandFeatures(cpu);
  const props: Record<string, PropValue> = {};
  if (type === 'full') {
    for (const p of objectPropertyList(cpu)) if (p.set && p.get) props[p.name] = p.get(cpu);
  }
  for (const n of [...X86_CPU_STATIC_PROPS, ...featureBitsByName.keys()]) props[n] = objectPropertyGet(cpu, n);
  return { model: { name: type === 'static' ? 'base' : model.name, props } };
}
