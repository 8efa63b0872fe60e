/*
 * The system bus (hw/core/sysbus.c): the root of the qdev tree.  Devices with no
 * other bus (host bridges, fw_cfg, the HPET) sit on it; `info qtree` starts here.
 */
import { containerGet, objectGetRoot, objectPropertyAddChild, typeRegisterStatic } from '../../qom/object.js';
import { TYPE_DEVICE, DeviceState, deviceClass } from './qdev.js';
import { BusState, TYPE_BUS, qbusNew, qdevRealizeOnBus } from './bus.js';

export const TYPE_SYSTEM_BUS = 'System';
export const TYPE_SYS_BUS_DEVICE = 'sys-bus-device';

let mainSystemBus: BusState | undefined;

/** sysbus_get_default(): created on first use at /machine/unattached/sysbus. */
export function sysbusGetDefault(): BusState {
  if (!mainSystemBus || mainSystemBus.parent === undefined) {
    mainSystemBus = qbusNew(TYPE_SYSTEM_BUS, undefined, 'main-system-bus');
    mainSystemBus.realized = true;
    objectPropertyAddChild(containerGet(objectGetRoot(), '/machine/unattached'), 'sysbus', mainSystemBus);
  }
  return mainSystemBus;
}

/** Forgets the bus of a previous machine (tests build several machines in one process). */
export function sysbusReset(): void {
  mainSystemBus = undefined;
}

/** sysbus_realize(). */
export function sysbusRealize(dev: DeviceState): void {
  qdevRealizeOnBus(dev, sysbusGetDefault());
}

export function registerSysbusTypes(): void {
  typeRegisterStatic({ name: TYPE_SYSTEM_BUS, parent: TYPE_BUS });
  typeRegisterStatic({
    name: TYPE_SYS_BUS_DEVICE,
    parent: TYPE_DEVICE,
    abstract: true,
    classInit: (oc) => {
      deviceClass(oc).busType = TYPE_SYSTEM_BUS;
      // Sysbus devices are wired by board code; the few -device can create opt in.
      deviceClass(oc).userCreatable = false;
    },
  });
}
