/*
 * What QMP and -cpu help ask about CPU models (target/i386/cpu-sysemu.c,
 * QEMU 7.2): the sorted model list, query-cpu-definitions entries with the
 * features the accelerator would filter, query-cpu-model-expansion.
 */
import {
  ObjectClass, objectClassGetList, objectNew, objectPropertyGet, objectPropertyList, objectPropertySet, type PropValue,
} from '../../qom/object.js';
import { QemuError } from '../../util/error.js';
import { FEATURE_WORDS, FeatureWord, featureBitsByName, featureWordInfo, type FeatureSet } from './cpu-features.js';
import {
  TYPE_X86_CPU, getX86AccelCpuOps, x86CpuClass, x86CpuClassByName, x86CpuClassGetAliasOf, x86CpuClassGetModelName,
  x86CpuExpandFeatures, x86CpuFilterFeatures, type X86CPU,
} from './cpu.js';

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
  if (xcc.hostCpuidRequired && !getX86AccelCpuOps()?.usesHostCpuid) return ['kvm'];
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
