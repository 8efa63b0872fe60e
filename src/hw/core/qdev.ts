/*
 * qdev: devices (hw/core/qdev.c).  A device is a QOM object with a `realized`
 * property; setting it runs the class's realize hook once all properties are set.
 * Buses and hotplug handlers hang off this base.
 */
import {
  ObjectClass, QObject, TYPE_OBJECT, objectClassPropertyAdd, objectPropertyAddChild, typeRegisterStatic,
  containerGet, objectGetRoot, objectGetCanonicalPath,
} from '../../qom/object.js';
import { visitBool } from '../../qom/visitor.js';
import { QemuError } from '../../util/error.js';

export const TYPE_DEVICE = 'device';

/** DeviceClass fields, stored on the QOM class. */
export interface DeviceClassFields {
  desc?: string;
  /** -device help groups by category (QEMU's DEVICE_CATEGORY_*). */
  category?: DeviceCategory;
  userCreatable?: boolean;
  busType?: string;
  /** DeviceClass.hotpluggable: true unless the class says otherwise. */
  hotpluggable?: boolean;
  realize?: (dev: DeviceState) => void;
  unrealize?: (dev: DeviceState) => void;
  reset?: (dev: DeviceState) => void;
}

export type DeviceCategory = 'bridge' | 'usb' | 'storage' | 'network' | 'input' | 'display' | 'sound' | 'misc' | 'cpu' | 'watchdog' | 'uncategorized';

export function deviceClass(oc: ObjectClass): DeviceClassFields {
  return oc as unknown as DeviceClassFields;
}

export class DeviceState extends QObject {
  id: string | undefined;
  realized = false;
  /** Created by device_add once the machine was ready (DeviceState.hotplugged). */
  hotplugged = false;
  /** The bus the device is plugged into (a BusState; set by qdev_set_parent_bus in bus.ts). */
  parentBus: (QObject & { hotplugHandler?: unknown }) | undefined;
  /** A hotplug handler's pre_plug/plug run around realize (x86_cpu_pre_plug, pc_machine_device_plug_cb). */
  hotplugHandler: HotplugHandler | undefined;
}

export interface HotplugHandler {
  prePlug?(dev: DeviceState): void;
  plug?(dev: DeviceState): void;
}

function deviceSetRealized(dev: DeviceState, value: boolean): void {
  if (value === dev.realized) return;
  const dc = deviceClass(dev.klass);
  if (value) {
    if (!dev.parent) {
      // qdev_realize() on an unparented device parents it in /machine/unattached.
      objectPropertyAddChild(containerGet(objectGetRoot(), '/machine/unattached'), 'device[*]', dev);
    }
    dev.hotplugHandler?.prePlug?.(dev);
    dc.realize?.(dev);
    dev.realized = true;
    dev.hotplugHandler?.plug?.(dev);
  } else {
    dc.unrealize?.(dev);
    dev.realized = false;
  }
}

/** qdev_realize(). */
export function qdevRealize(dev: DeviceState): void {
  deviceSetRealized(dev, true);
}

export function registerQdevTypes(): void {
  typeRegisterStatic({
    name: TYPE_DEVICE,
    parent: TYPE_OBJECT,
    abstract: true,
    instance: DeviceState,
    classInit: (oc) => {
      objectClassPropertyAdd(oc, {
        name: 'realized',
        type: 'bool',
        get: (o) => (o as DeviceState).realized,
        set: (o, v) => deviceSetRealized(o as DeviceState, visitBool('realized', v)),
      });
      // device_get_hotpluggable(): the class allows it and so does the bus, if any (qbus_is_hotpluggable).
      objectClassPropertyAdd(oc, {
        name: 'hotpluggable',
        type: 'bool',
        get: (o) => {
          const dev = o as DeviceState;
          return deviceClass(dev.klass).hotpluggable !== false && (!dev.parentBus || !!dev.parentBus.hotplugHandler);
        },
      });
      objectClassPropertyAdd(oc, { name: 'hotplugged', type: 'bool', get: (o) => (o as DeviceState).hotplugged });
      objectClassPropertyAdd(oc, {
        name: 'parent_bus',
        type: 'link<bus>',
        get: (o) => {
          const bus = (o as DeviceState).parentBus;
          return bus ? objectGetCanonicalPath(bus) : '';
        },
      });
    },
  });
}

/** Properties may only change before realize (qdev_prop_set_after_realize). */
export function checkNotRealized(obj: QObject, name: string): void {
  if ((obj as DeviceState).realized) {
    throw new QemuError(`Attempt to set property '${name}' on device '${(obj as DeviceState).id ?? '<anon>'}' (type '${obj.typeName}') after it was realized`);
  }
}
