/*
 * The system bus (hw/core/sysbus.c): the root of the qdev tree.  Devices with no
 * other bus (host bridges, fw_cfg, the HPET) sit on it; `info qtree` starts here.
 */
import { containerGet, objectGetRoot, objectPropertyAddChild, typeRegisterStatic } from '../../qom/object.js';
import { TYPE_DEVICE, DeviceState, deviceClass } from './qdev.js';
import { BusState, TYPE_BUS, busClass, qbusNew, qdevRealizeOnBus } from './bus.js';
import type { AddressSpace, MemoryRegion } from '../../exec/memory.js';

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

/** A device's MMIO regions (sysbus_init_mmio) and where each is mapped (-1: not mapped). */
const sysbusMmio = new WeakMap<DeviceState, Array<{ mr: MemoryRegion; addr: number }>>();

/** sysbus_init_mmio(): region n of the device is the next one declared. */
export function sysbusInitMmio(dev: DeviceState, mr: MemoryRegion): void {
  const l = sysbusMmio.get(dev) ?? [];
  l.push({ mr, addr: -1 });
  sysbusMmio.set(dev, l);
}

/** sysbus_mmio_map(): maps region n at `addr` in the system address space (when the machine has one). */
export function sysbusMmioMap(dev: DeviceState, n: number, addr: number, as: AddressSpace | undefined): void {
  const m = sysbusMmio.get(dev)?.[n];
  if (!m) throw new RangeError(`${dev.typeName} has no MMIO region ${n}`);
  m.addr = addr;
  as?.addRegion(addr, m.mr);
}

const hex16 = (n: number): string => (n < 0 ? 'ffffffffffffffff' : n.toString(16).padStart(16, '0'));

/** sysbus_dev_print(): `mmio ADDR/SIZE` for each region. */
function sysbusDevPrint(dev: DeviceState, indent: string): string {
  return (sysbusMmio.get(dev) ?? []).map((m) => `${indent}mmio ${hex16(m.addr)}/${hex16(m.mr.size)}\n`).join('');
}

export function registerSysbusTypes(): void {
  typeRegisterStatic({
    name: TYPE_SYSTEM_BUS,
    parent: TYPE_BUS,
    classInit: (oc) => {
      busClass(oc).printDev = sysbusDevPrint;
    },
  });
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
