/*
 * The X86CPU properties (x86_cpu_properties[], the custom getters/setters of
 * target/i386/cpu.c, and one bool property per feature name and alias), with
 * the messages QEMU 7.2's visitors give for bad values.
 */
import { ObjectClass, objectClassPropertyAdd, type ObjectProperty, type PropValue } from '../../qom/object.js';
import { visitBool, visitInt, visitStr, visitUint } from '../../qom/visitor.js';
import { checkNotRealized, deviceClass, type DeviceState } from '../../hw/core/qdev.js';
import { QemuError } from '../../util/error.js';
import {
  FEATURE_WORDS, FeatureWord, featureAssign, featureBitsByName, featurePropertyAliases, featureTest, featureWordInfo,
  type FeatureSet,
} from './cpu-features.js';
import {
  HYPERV_DEFAULTS, UNASSIGNED_APIC_ID, vendorString, vendorWords, x86CpuRealizefn, type CPUX86State, type X86CPU,
} from './cpu.js';

function valueOutOfRange(name: string, value: number, min: number, max: number): QemuError {
  // QEMU passes "" as the object name here, hence "Property .family".
  return new QemuError(`Property .${name} doesn't take value ${value} (minimum: ${min}, maximum: ${max})`);
}

type X86Fields = Record<string, unknown>;

function addProp(oc: ObjectClass, p: ObjectProperty): void {
  objectClassPropertyAdd(oc, p);
}

export function boolField(oc: ObjectClass, name: string, field: keyof X86CPU, def: boolean): void {
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
    set: (o, v) => set(o as X86CPU, visitUint(name, v, bits)),
  });
}

function intField(oc: ObjectClass, name: string, bits: 32 | 64, field: keyof X86CPU, def: number): void {
  addProp(oc, {
    name, type: `int${bits}`, defaultValue: def,
    get: (o) => (o as unknown as X86Fields)[field] as number,
    set: (o, v) => {
      (o as unknown as X86Fields)[field] = visitInt(name, v, bits);
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
      checkNotRealized(cpu, propName);
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

export function x86CpuClassInit(oc: ObjectClass): void {
  const dc = deviceClass(oc);
  dc.realize = (dev: DeviceState) => x86CpuRealizefn(dev as X86CPU);
  dc.category = 'cpu';

  addProp(oc, {
    name: 'family', type: 'int',
    get: (o) => cpuidVersionFamily((o as X86CPU).env),
    set: (o, v) => {
      const env = (o as X86CPU).env;
      const n = visitInt('family', v, 64);
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
      const n = visitInt('model', v, 64);
      if (n < 0 || n > 0xff) throw valueOutOfRange('model', n, 0, 0xff);
      env.cpuidVersion = ((env.cpuidVersion & ~0xf00f0) | ((n & 0xf) << 4) | ((n >> 4) << 16)) >>> 0;
    },
  });
  addProp(oc, {
    name: 'stepping', type: 'int',
    get: (o) => (o as X86CPU).env.cpuidVersion & 0xf,
    set: (o, v) => {
      const env = (o as X86CPU).env;
      const n = visitInt('stepping', v, 64);
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
      const n = visitInt('tsc-frequency', v, 64);
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
    checkNotRealized(c, 'apic-id');
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
        set(o as X86CPU, signed ? visitInt(name, v, 32) : visitUint(name, v, 32));
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
