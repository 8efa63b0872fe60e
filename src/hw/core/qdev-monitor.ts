/*
 * Creating devices from -device / device_add, and describing them
 * (softmmu/qdev-monitor.c, QEMU 7.2): qdev_device_add() with its bus search
 * and messages, `-device help`, `-device <type>,help`, and `info qtree`.
 */
import {
  ObjectClass, containerGet, objectClassByName, objectClassDynamicCast, objectClassGetList, objectNew,
  objectPropertyAddChild, objectPropertyFind, objectPropertyList, objectPropertySet, objectUnparent,
  type PropValue,
} from '../../qom/object.js';
import { QemuError, errorReport } from '../../util/error.js';
import { isHelpOption } from '../../util/cutils.js';
import { DeviceState, TYPE_DEVICE, deviceClass, type DeviceCategory } from './qdev.js';
import {
  BusState, busClass, qbusIsFull, qdevChildBuses, qdevGetParentBus, qdevRealizeOnBus, qdevRemoveFromBus,
} from './bus.js';
import { TYPE_SYS_BUS_DEVICE, sysbusGetDefault } from './sysbus.js';
import { qdevGetMachine } from './machine.js';
import { qdevClassOwnProps, qdevPropPrint } from './qdev-properties.js';

/** qdev_alias_table[] entries that apply to x86 (virtio over PCI). */
const qdevAliasTable: Array<[typename: string, alias: string]> = [
  ['AC97', 'ac97'], ['e1000', 'e1000-82540em'], ['ES1370', 'es1370'], ['ich9-ahci', 'ahci'],
  ['lsi53c895a', 'lsi'], ['virtio-9p-pci', 'virtio-9p'], ['virtio-balloon-pci', 'virtio-balloon'],
  ['virtio-blk-pci', 'virtio-blk'], ['virtio-gpu-pci', 'virtio-gpu'],
  ['virtio-input-host-pci', 'virtio-input-host'], ['virtio-iommu-pci', 'virtio-iommu'],
  ['virtio-keyboard-pci', 'virtio-keyboard'], ['virtio-mouse-pci', 'virtio-mouse'],
  ['virtio-net-pci', 'virtio-net'], ['virtio-rng-pci', 'virtio-rng'], ['virtio-scsi-pci', 'virtio-scsi'],
  ['virtio-serial-pci', 'virtio-serial'], ['virtio-tablet-pci', 'virtio-tablet'],
];

function qdevClassGetAlias(typename: string): string | undefined {
  return qdevAliasTable.find(([t]) => t === typename)?.[1];
}

function findTypenameByAlias(alias: string): string | undefined {
  return qdevAliasTable.find(([, a]) => a === alias)?.[0];
}

// ---- -device help ---------------------------------------------------------

const categoryOrder: Array<[DeviceCategory, string]> = [
  ['bridge', 'Controller/Bridge/Hub'], ['usb', 'USB'], ['storage', 'Storage'], ['network', 'Network'],
  ['input', 'Input'], ['display', 'Display'], ['sound', 'Sound'], ['misc', 'Misc'], ['cpu', 'CPU'],
  ['watchdog', 'Watchdog'],
];

/** object_class_get_list_sorted(): by type name, ignoring case. */
function classesSorted(implementsType: string): ObjectClass[] {
  return objectClassGetList(implementsType, false).sort((a, b) => {
    const x = a.typeName.toLowerCase();
    const y = b.typeName.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function qdevPrintDevinfo(oc: ObjectClass): string {
  const dc = deviceClass(oc);
  let s = `name "${oc.typeName}"`;
  if (dc.busType) s += `, bus ${dc.busType}`;
  const alias = qdevClassGetAlias(oc.typeName);
  if (alias) s += `, alias "${alias}"`;
  if (dc.desc) s += `, desc "${dc.desc}"`;
  if (dc.userCreatable === false) s += ', no-user';
  return s + '\n';
}

/** qdev_print_devinfos(): `-device help` (showNoUser false) and `info qdm` (true). */
export function deviceListHelp(showNoUser = false): string {
  const list = classesSorted(TYPE_DEVICE);
  let out = '';
  const groups: Array<[DeviceCategory | undefined, string]> = [...categoryOrder, [undefined, 'Uncategorized']];
  groups.forEach(([cat, title], i) => {
    let printed = false;
    for (const oc of list) {
      const dc = deviceClass(oc);
      const c = dc.category === 'uncategorized' ? undefined : dc.category;
      if (c !== cat || (!showNoUser && dc.userCreatable === false)) continue;
      if (!printed) {
        out += `${i ? '\n' : ''}${title} devices:\n`;
        printed = true;
      }
      out += qdevPrintDevinfo(oc);
    }
  });
  return out;
}

/** object_property_help(): one line of `-device x,help` / `-M x,help`. */
export function objectPropertyHelp(name: string, type: string, defval: PropValue | undefined, description: string | undefined): string {
  let s = `  ${name}=<${type}>`;
  if (description !== undefined || defval !== undefined) {
    s = s.padEnd(24) + ' - ';
  }
  if (description !== undefined) s += description;
  if (defval !== undefined) s += ` (default: ${JSON.stringify(defval)})`;
  return s;
}

/** C's strcmp order on ASCII lines. */
export function strcmpSort(lines: string[]): string[] {
  return lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** ObjectPropertyInfo as device-list-properties returns it. */
export interface ObjectPropertyInfo {
  name: string;
  type: string;
  description?: string;
  'default-value'?: PropValue;
}

/**
 * qmp_device_list_properties(): the properties of a new instance of a device
 * type, without the QOM/qdev bookkeeping ones and the legacy-* printers.
 * Errors: "Device '%s' not found" (QMP class DeviceNotFound) and the abstract-type refusal.
 */
export function qmpDeviceListProperties(typename: string): ObjectPropertyInfo[] {
  const oc = objectClassByName(typename);
  if (!oc) throw new QemuError(`Device '${typename}' not found`);
  if (!objectClassDynamicCast(oc, TYPE_DEVICE) || oc.abstract) {
    throw new QemuError("Parameter 'typename' expects a non-abstract device type");
  }
  const obj = objectNew(typename);
  const skip = new Set(['type', 'realized', 'hotpluggable', 'hotplugged', 'parent_bus']);
  return objectPropertyList(obj)
    .filter((p) => !skip.has(p.name) && !p.name.startsWith('legacy-'))
    .map((p) => {
      const info: ObjectPropertyInfo = { name: p.name, type: p.type };
      if (p.description !== undefined) info.description = p.description;
      if (p.defaultValue !== undefined) info['default-value'] = p.defaultValue;
      return info;
    });
}

/** qdev_device_help()'s property list: `-device <type>,help` (an alias names its type). */
export function devicePropsHelp(driverName: string): string {
  let driver = driverName;
  if (!objectClassByName(driver)) driver = findTypenameByAlias(driver) ?? driver;
  const lines = qmpDeviceListProperties(driver)
    .map((p) => objectPropertyHelp(p.name, p.type, p['default-value'], p.description));
  if (lines.length === 0) return `There are no options for ${driver}.\n`;
  return `${driver} options:\n` + strcmpSort(lines).map((l) => l + '\n').join('');
}

/**
 * qdev_device_help(): handles `-device help` and `-device <type>,help`; returns
 * false when `opts` asks for no help.  Help goes to stdout; an unknown type is
 * reported as an error, and QEMU still exits 0 after it.
 */
export function qdevDeviceHelp(opts: Record<string, unknown>, write: (s: string) => void = (s) => process.stdout.write(s)): boolean {
  const driver = opts.driver;
  if (typeof driver === 'string' && isHelpOption(driver)) {
    write(deviceListHelp(false));
    return true;
  }
  if (typeof driver !== 'string' || !('help' in opts || '?' in opts)) return false;
  try {
    write(devicePropsHelp(driver));
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    errorReport(e.message);
  }
  return true;
}

// ---- qdev_device_add ------------------------------------------------------

/** qbus_find_recursive(): a bus by name, or by type preferring one with room. */
function qbusFindRecursive(bus: BusState, name: string | undefined, busType: string | undefined): BusState | undefined {
  const match = name !== undefined ? bus.name === name : objectClassDynamicCast(bus.klass, busType!);
  if (match && !qbusIsFull(bus)) return bus;
  let pick = match ? bus : undefined;
  for (const dev of bus.children) {
    for (const child of qdevChildBuses(dev)) {
      const ret = qbusFindRecursive(child, name, busType);
      if (ret && !qbusIsFull(ret)) return ret;
      if (ret && !pick) pick = ret;
    }
  }
  return pick;
}

function devListHint(bus: BusState): string {
  const items = bus.children.map((d) => `"${d.typeName}"${d.id ? `/"${d.id}"` : ''}`);
  return `devices at "${bus.name}": ${items.join(', ')}`.replace(/: $/, ':') + '\n';
}

function busListHint(dev: DeviceState): string {
  const items = qdevChildBuses(dev).map((b) => `"${b.name}"`);
  return `child buses at "${dev.id ?? dev.typeName}": ${items.join(', ')}`.replace(/: $/, ':') + '\n';
}

/** qbus_find_dev(): by id, then by type name, then by alias. */
function qbusFindDev(bus: BusState, elem: string): DeviceState | undefined {
  return bus.children.find((d) => d.id === elem) ??
    bus.children.find((d) => d.typeName === elem) ??
    bus.children.find((d) => qdevClassGetAlias(d.typeName) === elem);
}

/** qbus_find(): "pci.0", "/i440FX-pcihost/pci.0", "isa.0/..." paths. */
function qbusFind(path: string): BusState {
  const parts = path.split('/');
  let bus: BusState;
  let i: number;
  if (path.startsWith('/')) {
    bus = sysbusGetDefault();
    i = 1;
  } else {
    const elem = parts[0]!;
    const found = qbusFindRecursive(sysbusGetDefault(), elem, undefined);
    if (!found) throw new QemuError(`Bus '${elem}' not found`);
    bus = found;
    i = 1;
  }
  const rest = parts.slice(i).filter((p) => p !== '');
  for (let k = 0; k < rest.length; k++) {
    const elem = rest[k]!;
    const dev = qbusFindDev(bus, elem);
    if (!dev) throw new QemuError(`Device '${elem}' not found`, devListHint(bus));
    const buses = qdevChildBuses(dev);
    if (k === rest.length - 1) {
      if (buses.length === 1) {
        bus = buses[0]!;
        break;
      }
      if (buses.length) throw new QemuError(`Device '${elem}' has multiple child buses`, busListHint(dev));
      throw new QemuError(`Device '${elem}' has no child bus`);
    }
    const busName = rest[++k]!;
    const child = buses.find((b) => b.name === busName);
    if (!child) throw new QemuError(`Bus '${busName}' not found`, busListHint(dev));
    bus = child;
  }
  if (qbusIsFull(bus)) throw new QemuError(`Bus '${path}' is full`);
  return bus;
}

/** DeviceClass.hotpluggable: true unless the class says otherwise. */
export function deviceClassHotpluggable(oc: ObjectClass): boolean {
  return deviceClass(oc).hotpluggable !== false;
}

/** qdev_get_device_class(): the class for a driver name or alias, with QEMU's refusals. */
function qdevGetDeviceClass(driverName: string, hotplug: boolean): ObjectClass {
  let driver = driverName;
  let oc = objectClassByName(driver);
  if (!oc) {
    const t = findTypenameByAlias(driver);
    if (t) {
      driver = t;
      oc = objectClassByName(driver);
    }
  }
  if (!oc || !objectClassDynamicCast(oc, TYPE_DEVICE)) {
    if (driver !== driverName) throw new QemuError(`'${driverName}' (alias '${driver}') is not a valid device model name`);
    throw new QemuError(`'${driver}' is not a valid device model name`);
  }
  if (oc.abstract) throw new QemuError("Parameter 'driver' expects a non-abstract device type");
  if (deviceClass(oc).userCreatable === false || (hotplug && !deviceClassHotpluggable(oc))) {
    throw new QemuError("Parameter 'driver' expects a pluggable device type");
  }
  if (objectClassDynamicCast(oc, TYPE_SYS_BUS_DEVICE)) {
    throw new QemuError("Parameter 'driver' expects a dynamic sysbus device type for the machine");
  }
  return oc;
}

let anonCount = 0;

/** A new machine numbers anonymous devices from 0 again (peripheral-anon/device[N]). */
export function qdevMonitorReset(): void {
  anonCount = 0;
}

/** qdev_set_id(): /machine/peripheral/<id>, or /machine/peripheral-anon/device[N]. */
function qdevSetId(dev: DeviceState, id: string | undefined): void {
  const machine = qdevGetMachine();
  if (id !== undefined) {
    const peripheral = containerGet(machine, '/peripheral');
    if (objectPropertyFind(peripheral, id)) throw new QemuError(`Duplicate device ID '${id}'`);
    objectPropertyAddChild(peripheral, id, dev);
    dev.id = id;
  } else {
    objectPropertyAddChild(containerGet(machine, '/peripheral-anon'), `device[${anonCount++}]`, dev);
  }
}

/**
 * qdev_device_add_from_qdict(): `opts` holds driver, optional bus and id, and
 * the device's properties (strings from the command line, typed values from
 * JSON).  Returns the realized device; on any error the device is removed again.
 * `hotplug` is QEMU's PHASE_MACHINE_READY: device_add once the machine is built,
 * where the device and its bus must support hotplug.
 */
export function qdevDeviceAdd(opts: Record<string, unknown>, hotplug = false): DeviceState {
  const driverOpt = opts.driver;
  if (typeof driverOpt !== 'string') throw new QemuError("Parameter 'driver' is missing");
  const oc = qdevGetDeviceClass(driverOpt, hotplug);
  const driver = oc.typeName;
  const dc = deviceClass(oc);

  let bus: BusState | undefined;
  const path = opts.bus;
  if (typeof path === 'string') {
    bus = qbusFind(path);
    if (!dc.busType || !objectClassDynamicCast(bus.klass, dc.busType)) {
      throw new QemuError(`Device '${driver}' can't go on ${bus.typeName} bus`);
    }
  } else if (dc.busType) {
    bus = qbusFindRecursive(sysbusGetDefault(), undefined, dc.busType);
    if (!bus || qbusIsFull(bus)) throw new QemuError(`No '${dc.busType}' bus found for device '${driver}'`);
  }

  if (hotplug && bus && !bus.hotplugHandler) throw new QemuError(`Bus '${bus.name}' does not support hotplugging`);

  const dev = objectNew(driver) as DeviceState;
  dev.hotplugged = hotplug;
  const machine = qdevGetMachine();
  const handler = machine.mc.getHotplugHandler?.(machine, dev);
  if (hotplug && !bus && !handler) {
    objectUnparent(dev);
    throw new QemuError(`Device '${driver}' can not be hotplugged on this machine`);
  }
  if (handler) dev.hotplugHandler = handler;
  try {
    qdevSetId(dev, typeof opts.id === 'string' ? opts.id : undefined);
    for (const [k, v] of Object.entries(opts)) {
      if (k === 'driver' || k === 'bus' || k === 'id') continue;
      objectPropertySet(dev, k, v);
    }
    qdevRealizeOnBus(dev, bus);
  } catch (e) {
    qdevRemoveFromBus(dev);
    objectUnparent(dev);
    throw e;
  }
  return dev;
}

// ---- info qtree -----------------------------------------------------------

function qdevPrint(dev: DeviceState, indent: number): string {
  const pad = ' '.repeat(indent);
  const inner = ' '.repeat(indent + 2);
  let out = `${pad}dev: ${dev.typeName}, id "${dev.id ?? ''}"\n`;
  for (const g of (dev.klass as { qtreeGpios?: string[] }).qtreeGpios ?? []) out += `${inner}${g}\n`;
  for (let c: ObjectClass | undefined = dev.klass; c && c.typeName !== TYPE_DEVICE; c = c.parentClass) {
    for (const p of qdevClassOwnProps(c)) {
      const legacy = objectPropertyFind(dev, `legacy-${p.name}`);
      const value = legacy?.get ? String(legacy.get(dev)) : qdevPropPrint(p, objectPropertyFind(dev, p.name)!.get!(dev));
      if (value === undefined) continue;
      out += `${inner}${p.name} = ${value || '<null>'}\n`;
    }
  }
  const parentBus = qdevGetParentBus(dev);
  const printDev = parentBus && busClass(parentBus.klass).printDev;
  if (printDev) out += printDev(dev, inner);
  for (const child of qdevChildBuses(dev)) out += qbusPrint(child, indent + 2);
  return out;
}

function qbusPrint(bus: BusState, indent: number): string {
  const pad = ' '.repeat(indent);
  let out = `${pad}bus: ${bus.name}\n${pad}  type ${bus.typeName}\n`;
  for (const dev of bus.children) out += qdevPrint(dev, indent + 2);
  return out;
}

/** hmp_info_qtree(). */
export function hmpInfoQtree(): string {
  return qbusPrint(sysbusGetDefault(), 0);
}
