/*
 * qdev buses (hw/core/bus.c, the bus half of hw/core/qdev.c).
 *
 * A bus is a QOM object that is a child of the device providing it
 * (/machine/i440fx/pci.0) and that lists the devices plugged into it.  A device
 * knows its parent bus (DeviceState.parentBus, QEMU's parent_bus link) and the
 * buses it provides (kept here in a WeakMap).
 */
import {
  QObject, TYPE_OBJECT, ObjectClass, objectClassPropertyAdd, objectGetCanonicalPath, objectNew,
  objectPropertyAdd, objectPropertyAddChild, objectDynamicCast, typeRegisterStatic,
} from '../../qom/object.js';
import { DeviceState, qdevRealize, type HotplugHandler } from './qdev.js';

export const TYPE_BUS = 'bus';

/** BusClass fields. */
export interface BusClassFields {
  /** Most devices a bus takes (0: no limit), BusClass.max_dev. */
  maxDev?: number;
  /** bc->print_dev: extra `info qtree` lines for a device on this bus. */
  printDev?: (dev: DeviceState, indent: string) => string;
}

export function busClass(oc: ObjectClass): BusClassFields {
  return oc as unknown as BusClassFields;
}

export class BusState extends QObject {
  name = '';
  parentDev: DeviceState | undefined;
  /** Devices in QEMU's list order: the newest first (bus_add_child inserts at the head). */
  children: DeviceState[] = [];
  /** Running index for the "child[N]" link properties. */
  maxIndex = 0;
  full = false;
  hotplugHandler: HotplugHandler | undefined;
  /** The object behind hotplugHandler (the "hotplug-handler" link), e.g. PIIX4_PM for pci.0. */
  hotplugHandlerObj: QObject | undefined;
  realized = false;
}

/** qbus_set_hotplug_handler(). */
export function qbusSetHotplugHandler(bus: BusState, obj: QObject, handler: HotplugHandler): void {
  bus.hotplugHandler = handler;
  bus.hotplugHandlerObj = obj;
}

const childBuses = new WeakMap<DeviceState, BusState[]>();

export function qdevGetParentBus(dev: DeviceState): BusState | undefined {
  return dev.parentBus as BusState | undefined;
}

/** The buses a device provides, in QEMU's list order (the newest first). */
export function qdevChildBuses(dev: DeviceState): BusState[] {
  return childBuses.get(dev) ?? [];
}

/** BusClass.automatic_ids: one counter per bus type, for buses named after their type. */
const automaticIds = new Map<string, number>();

/** A new machine starts the bus names over ("isa.0", "ide.0"), as a new QEMU process does. */
export function qbusResetAutomaticIds(): void {
  automaticIds.clear();
}

/**
 * qbus_new(): creates a bus of `typename` under `parent` (or, with no parent, a
 * root bus such as main-system-bus).  With no name, a bus is named after its
 * parent's id and the parent's bus count ("net0.0"), or else after its type in
 * lower case with a per-type count ("isa.0", "ide.1").
 */
export function qbusNew(typename: string, parent: DeviceState | undefined, name?: string): BusState {
  const bus = objectNew(typename) as BusState;
  let busName = name;
  if (!busName) {
    if (parent?.id) {
      busName = `${parent.id}.${qdevChildBuses(parent).length}`;
    } else {
      const n = automaticIds.get(typename) ?? 0;
      automaticIds.set(typename, n + 1);
      busName = `${typename}.${n}`.toLowerCase();
    }
  }
  bus.name = busName;
  if (parent) {
    bus.parentDev = parent;
    const list = childBuses.get(parent) ?? [];
    list.unshift(bus);
    childBuses.set(parent, list);
    objectPropertyAddChild(parent, busName, bus);
  }
  return bus;
}

/** The bus's "child[N]" link property naming each device. */
const busLinkName = new WeakMap<DeviceState, string>();

function busAddChild(bus: BusState, dev: DeviceState): void {
  bus.children.unshift(dev);
  const name = `child[${bus.maxIndex++}]`;
  busLinkName.set(dev, name);
  objectPropertyAdd(bus, {
    name,
    type: `link<${dev.typeName}>`,
    get: () => objectGetCanonicalPath(dev),
  });
}

/** Takes a device off its bus again (a failed -device, an unplug). */
export function qdevRemoveFromBus(dev: DeviceState): void {
  const bus = qdevGetParentBus(dev);
  if (!bus) return;
  bus.children = bus.children.filter((d) => d !== dev);
  const link = busLinkName.get(dev);
  if (link) bus.properties.delete(link);
  busLinkName.delete(dev);
  dev.parentBus = undefined;
}

/** qdev_set_parent_bus(): plugs `dev` into `bus` (before realize). */
export function qdevSetParentBus(dev: DeviceState, bus: BusState): void {
  dev.parentBus = bus;
  busAddChild(bus, dev);
  if (!dev.hotplugHandler && bus.hotplugHandler) dev.hotplugHandler = bus.hotplugHandler;
}

export function qbusIsFull(bus: BusState): boolean {
  if (bus.full) return true;
  const max = busClass(bus.klass).maxDev ?? 0;
  return max > 0 && bus.children.length >= max;
}

/**
 * qdev_realize(dev, bus): plugs the device into `bus` (if any) and realizes it.
 * Callers pass a bus of the class's bus type (qdev_device_add checks what users
 * give); anything else is a bug, as QEMU's assertion says.
 */
export function qdevRealizeOnBus(dev: DeviceState, bus: BusState | undefined): void {
  const busType = (dev.klass as unknown as { busType?: string }).busType;
  if (bus ? !busType || !objectDynamicCast(bus, busType) : busType) {
    throw new Error(`${dev.typeName} realized on ${bus ? `a ${bus.typeName}` : 'no'} bus`);
  }
  if (bus) qdevSetParentBus(dev, bus);
  try {
    qdevRealize(dev);
  } catch (e) {
    qdevRemoveFromBus(dev);
    throw e;
  }
}

/** Every bus under `bus`, depth first in QEMU's list order, the root first. */
export function qbusWalk(bus: BusState, fn: (b: BusState) => void): void {
  fn(bus);
  for (const dev of bus.children) for (const child of qdevChildBuses(dev)) qbusWalk(child, fn);
}

export function registerBusTypes(): void {
  typeRegisterStatic({
    name: TYPE_BUS,
    parent: TYPE_OBJECT,
    abstract: true,
    instance: BusState,
    classInit: (oc) => {
      objectClassPropertyAdd(oc, {
        name: 'realized',
        type: 'bool',
        get: (o) => (o as BusState).realized,
      });
      objectClassPropertyAdd(oc, {
        name: 'hotplug-handler',
        type: 'link<hotplug-handler>',
        get: (o) => {
          const h = (o as BusState).hotplugHandlerObj;
          return h ? objectGetCanonicalPath(h) : '';
        },
      });
    },
  });
}
