/*
 * info qtree (softmmu/qdev-monitor.c: qbus_print / qdev_print), over the QOM
 * tree as the machine builds it:
 *   - a bus is an object whose type derives from "bus"; its name is its `name`
 *     field or its child name under its device ("pci.0"); its devices are its
 *     `children` array or, as in QEMU, its "child[N]" link properties;
 *   - the buses of a device are its QOM children that are buses;
 *   - a device's properties are the class properties each class from the
 *     device's own type up to (not including) "device" defines.
 * Root buses are buses that do not hang off a device (main-system-bus).
 * Bus-specific lines (sysbus mmio, PCI addr/class) are not printed.
 */
import {
  objectChildren, objectClassDynamicCast, objectGetRoot, objectPropertyFind, objectResolvePath, type QObject,
  type ObjectClass, type PropValue,
} from '../qom/object.js';
import { TYPE_DEVICE, type DeviceState } from '../hw/core/qdev.js';

export const TYPE_BUS = 'bus';

function isBus(o: QObject): boolean {
  return objectClassDynamicCast(o.klass, TYPE_BUS);
}

function isDevice(o: QObject): boolean {
  return objectClassDynamicCast(o.klass, TYPE_DEVICE);
}

function busName(bus: QObject): string {
  return (bus as { name?: string }).name ?? bus.parentName ?? '';
}

function busChildren(bus: QObject): QObject[] {
  const listed = (bus as { children?: QObject[] }).children;
  if (Array.isArray(listed)) return listed;
  const out: QObject[] = [];
  for (const p of bus.properties.values()) {
    if (!/^child\[\d+\]$/.test(p.name) || !p.type.startsWith('link<') || !p.get) continue;
    const path = p.get(bus);
    const dev = typeof path === 'string' && path ? objectResolvePath(path) : undefined;
    if (dev) out.push(dev);
  }
  return out;
}

function formatValue(v: PropValue): string {
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function deviceProps(dev: QObject): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let oc: ObjectClass | undefined = dev.klass; oc && oc.typeName !== TYPE_DEVICE; oc = oc.parentClass) {
    for (const p of oc.properties.values()) {
      if (oc.parentClass?.properties.has(p.name) || !p.get) continue;
      const own = objectPropertyFind(dev, p.name);
      if (!own?.get) continue;
      out.push([p.name, formatValue(own.get(dev))]);
    }
  }
  return out;
}

function qbusPrint(bus: QObject, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  out.push(`${pad}bus: ${busName(bus)}\n`);
  out.push(`${pad}  type ${bus.typeName}\n`);
  for (const dev of busChildren(bus)) qdevPrint(dev, indent + 2, out);
}

function qdevPrint(dev: QObject, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  out.push(`${pad}dev: ${dev.typeName}, id "${(dev as DeviceState).id ?? ''}"\n`);
  for (const [name, value] of deviceProps(dev)) out.push(`${pad}  ${name} = ${value}\n`);
  for (const [, child] of objectChildren(dev)) if (isBus(child)) qbusPrint(child, indent + 2, out);
}

export function hmpInfoQtree(): string {
  const out: string[] = [];
  const walk = (o: QObject): void => {
    for (const [, c] of objectChildren(o)) {
      if (isBus(c) && !(c.parent && isDevice(c.parent))) qbusPrint(c, 0, out);
      else walk(c);
    }
  };
  walk(objectGetRoot());
  return out.join('');
}
