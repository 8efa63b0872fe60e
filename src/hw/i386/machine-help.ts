/*
 * `-machine help` and `-machine <type>,help` (machine_help_func() and
 * type_print_class_properties() in QEMU 7.2's vl.c / qom/object_interfaces.c).
 */
import { ObjectClass } from '../../qom/object.js';
import { findMachine, machineClass, machineClassList } from '../../hw/core/machine.js';
import { objectPropertyHelp, strcmpSort } from '../../hw/core/qdev-monitor.js';

const strcmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * machine_class_cmp(): families first, alphabetically, each from the newest type
 * name down (by strcmp, so 2.9 sorts above 2.12); then the machines without a
 * family, ascending.
 */
function machineClassCmp(a: ObjectClass, b: ObjectClass): number {
  const fa = machineClass(a).family;
  const fb = machineClass(b).family;
  if (fa === undefined) return fb === undefined ? strcmp(a.typeName, b.typeName) : 1;
  if (fb === undefined) return -1;
  return strcmp(fa, fb) || strcmp(b.typeName, a.typeName);
}

const pad20 = (s: string): string => s.padEnd(20);

/** The machine list, as `-machine help` prints it. */
export function machineListHelp(): string {
  let out = 'Supported machines are:\n';
  for (const oc of machineClassList().sort(machineClassCmp)) {
    const mc = machineClass(oc);
    if (mc.alias) out += `${pad20(mc.alias)} ${mc.desc} (alias of ${mc.name})\n`;
    out += `${pad20(mc.name)} ${mc.desc}${mc.isDefault ? ' (default)' : ''}${mc.deprecationReason ? ' (deprecated)' : ''}\n`;
  }
  return out;
}

/** type_print_class_properties(): the settable class properties, sorted. */
export function machinePropsHelp(oc: ObjectClass): string {
  const lines = [...oc.properties.values()]
    .filter((p) => p.set)
    .map((p) => objectPropertyHelp(p.name, p.type, p.defaultValue, p.description));
  if (lines.length === 0) return `There are no options for ${oc.typeName}.\n`;
  return `${oc.typeName} options:\n` + strcmpSort(lines).map((l) => l + '\n').join('');
}

/**
 * machine_help_func(): `-machine help` (type "help" or "?"), or `-machine
 * <type>,help`, which lists the type's options, or the machine list when the
 * type is unknown.
 */
export function machineHelp(type: string | undefined): string {
  if (type !== undefined && type !== 'help' && type !== '?') {
    const oc = findMachine(type);
    if (oc) return machinePropsHelp(oc);
  }
  return machineListHelp();
}
