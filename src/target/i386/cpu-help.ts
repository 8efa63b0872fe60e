/*
 * `-cpu help` (x86_cpu_list(), QEMU 7.2): every model sorted as
 * x86_cpu_list_compare() sorts them, then every feature name.
 */
import { FEATURE_WORDS, FeatureWord, featureWordInfo } from './cpu-features.js';
import {
  CPU_VERSION_AUTO, x86CpuClass, x86CpuClassGetAliasOf, x86CpuClassGetModelName,
} from './cpu.js';
import { x86CpuSortedClasses } from './cpu-query.js';
import { objectNew, objectPropertyGet, type ObjectClass } from '../../qom/object.js';

/** x86_cpu_class_get_model_id(): the model-id an instance of the class would have. */
function x86CpuClassGetModelId(oc: ObjectClass): string {
  return String(objectPropertyGet(objectNew(oc.typeName), 'model-id'));
}

/** x86_cpu_list_entry(). */
function x86CpuListEntry(oc: ObjectClass): string {
  const xcc = x86CpuClass(oc);
  const name = x86CpuClassGetModelName(oc);
  let desc = xcc.modelDescription;
  const aliasOf = x86CpuClassGetAliasOf(oc);
  if (desc === undefined && aliasOf) {
    desc = xcc.model?.version === CPU_VERSION_AUTO ? '(alias configured by machine type)' : `(alias of ${aliasOf})`;
  }
  if (desc === undefined) {
    const modelId = x86CpuClassGetModelId(oc);
    desc = xcc.model?.note ? `${modelId} [${xcc.model.note}]` : modelId;
  }
  return `x86 ${name.padEnd(20)}  ${desc}\n`;
}

/** listflags(): names wrapped before column 75, two spaces of indent. */
function listflags(names: readonly string[]): string {
  let s = '';
  let len = 0;
  for (const name of names) {
    if (len + name.length + 1 >= 75) {
      s += '\n';
      len = 0;
    }
    s += (len === 0 ? '  ' : ' ') + name;
    len += name.length + 1;
  }
  return s + '\n';
}

/** Every feature name of every word, sorted with strcmp (duplicates kept, as QEMU lists them). */
export function x86CpuFeatureNameList(): string[] {
  const names: string[] = [];
  for (let w = 0; w < FEATURE_WORDS; w++) {
    for (const n of featureWordInfo[w as FeatureWord].names) if (n) names.push(n);
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** x86_cpu_list(): the whole `-cpu help` text. */
export function x86CpuListText(): string {
  let s = 'Available CPUs:\n';
  for (const oc of x86CpuSortedClasses()) s += x86CpuListEntry(oc);
  s += '\nRecognized CPUID flags:\n';
  s += listflags(x86CpuFeatureNameList());
  return s + '\n';
}
