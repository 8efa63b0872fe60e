/*
 * PCI at the qdev level (hw/pci/pci.c): the PCI bus with its 256 device/function
 * slots, and the PCI device base with QEMU's common properties (addr, romfile,
 * multifunction, ...).  Realizing a PCI device claims its slot exactly as
 * do_pci_register_device() does, with the same messages.  Config space and BARs
 * as the guest sees them come later; the identity registers kept here are what
 * `info qtree` prints.
 */
import { ObjectClass, objectNew, typeRegisterStatic } from '../../qom/object.js';
import { QemuError } from '../../util/error.js';
import { DeviceState, TYPE_DEVICE, deviceClass } from '../core/qdev.js';
import { BusState, TYPE_BUS, busClass, qbusNew, qdevGetParentBus, qdevRealizeOnBus } from '../core/bus.js';
import { deviceClassSetProps, qdevPropGet, qdevPropSetRaw } from '../core/qdev-properties.js';

export const TYPE_PCI_BUS = 'PCI';
export const TYPE_PCI_DEVICE = 'pci-device';

export const PCI_SLOT = (devfn: number): number => (devfn >> 3) & 0x1f;
export const PCI_FUNC = (devfn: number): number => devfn & 7;
export const PCI_DEVFN = (slot: number, fn: number): number => ((slot & 0x1f) << 3) | (fn & 7);

/** PCI_VENDOR_ID_REDHAT_QUMRANET / PCI_SUBDEVICE_ID_QEMU: every QEMU device's subsystem ids. */
const DEFAULT_SUB_VENDOR = 0x1af4;
const DEFAULT_SUB_DEVICE = 0x1100;

/** A BAR as `info qtree` shows it (unmapped until the guest programs it). */
export interface PCIBarInfo {
  index: number;
  io: boolean;
  size: number;
}

/** PCIDeviceClass fields. */
export interface PCIDeviceClassFields {
  vendorId: number;
  deviceId: number;
  classId: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  bars?: PCIBarInfo[];
  /** PCIDeviceClass.realize: runs once the slot is claimed. */
  pciRealize?: (d: PCIDevice) => void;
}

export function pciDeviceClass(oc: ObjectClass): PCIDeviceClassFields {
  return oc as unknown as PCIDeviceClassFields;
}

export class PCIBus extends BusState {
  devices: Array<PCIDevice | undefined> = new Array(256).fill(undefined);
  devfnMin = 0;
}

export class PCIDevice extends DeviceState {
  devfn = -1;
  /** pci_new_multifunction(): the board sets the bit for PIIX3 (QEMU_PCI_CAP_MULTIFUNCTION). */
  get multifunction(): boolean {
    return qdevPropGet(this, 'multifunction') === true;
  }
}

/** pci_class_descriptions[] entries for the classes our devices have. */
const classDescriptions: Record<number, string> = {
  0x0100: 'SCSI controller', 0x0101: 'IDE controller', 0x0106: 'SATA controller', 0x0180: 'Storage controller',
  0x0200: 'Ethernet controller', 0x0300: 'VGA controller', 0x0380: 'Display controller',
  0x0600: 'Host bridge', 0x0601: 'ISA bridge', 0x0604: 'PCI bridge', 0x0680: 'Bridge',
  0x0c03: 'USB controller', 0x0780: 'Communication controller', 0x00ff: 'Unclassified device',
};

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

/** pcibus_dev_print(): the class, address, ids and BARs of a PCI device. */
function pcibusDevPrint(dev: DeviceState, indent: string): string {
  const d = dev as PCIDevice;
  const pc = pciDeviceClass(d.klass);
  const desc = classDescriptions[pc.classId] ?? `Class ${hex(pc.classId, 4)}`;
  let out = `${indent}class ${desc}, addr 00:${hex(PCI_SLOT(d.devfn), 2)}.${PCI_FUNC(d.devfn).toString(16)}, ` +
    `pci id ${hex(pc.vendorId, 4)}:${hex(pc.deviceId, 4)} ` +
    `(sub ${hex(pc.subsystemVendorId ?? DEFAULT_SUB_VENDOR, 4)}:${hex(pc.subsystemId ?? DEFAULT_SUB_DEVICE, 4)})\n`;
  for (const bar of pc.bars ?? []) {
    // An unmapped BAR sits at PCI_BAR_UNMAPPED (all ones); the end wraps around, as QEMU prints it.
    const end = (BigInt(bar.size) - 2n) & 0xffffffffffffffffn;
    out += `${indent}bar ${bar.index}: ${bar.io ? 'i/o' : 'mem'} at 0xffffffffffffffff [0x${end.toString(16)}]\n`;
  }
  return out;
}

/**
 * do_pci_register_device()'s slot choice: the first free function 0 slot for
 * addr=-1, else the given devfn if it is free; then pci_init_multifunction()'s
 * checks.
 */
function pciClaimDevfn(bus: PCIBus, d: PCIDevice): void {
  const name = d.typeName;
  let devfn = qdevPropGet(d, 'addr') as number | undefined ?? -1;
  if (devfn < 0) {
    for (devfn = bus.devfnMin; devfn < 256; devfn += 8) if (!bus.devices[devfn]) break;
    if (devfn >= 256) throw new QemuError(`PCI: no slot/function available for ${name}, all in use or reserved`);
  } else if (bus.devices[devfn]) {
    const other = bus.devices[devfn]!;
    throw new QemuError(`PCI: slot ${PCI_SLOT(devfn)} function ${PCI_FUNC(devfn)} not available for ${name}, ` +
      `in use by ${other.typeName},id=${other.id ?? '(null)'}`);
  }
  const slot = PCI_SLOT(devfn);
  if (PCI_FUNC(devfn)) {
    const f0 = bus.devices[PCI_DEVFN(slot, 0)];
    if (f0 && !f0.multifunction) {
      throw new QemuError(`PCI: single function device can't be populated in function ${slot.toString(16)}.${PCI_FUNC(devfn).toString(16)}`);
    }
  } else if (!d.multifunction) {
    for (let fn = 1; fn < 8; fn++) {
      if (bus.devices[PCI_DEVFN(slot, fn)]) {
        throw new QemuError(`PCI: ${slot.toString(16)}.0 indicates single function, but ${slot.toString(16)}.${fn.toString(16)} is already populated.`);
      }
    }
  }
  d.devfn = devfn;
  qdevPropSetRaw(d, 'addr', devfn);
  bus.devices[devfn] = d;
}

/** pci_qdev_realize(): claims the slot, then runs the class's realize; a failure frees the slot. */
function pciQdevRealize(dev: DeviceState): void {
  const d = dev as PCIDevice;
  const bus = qdevGetParentBus(d) as PCIBus;
  pciClaimDevfn(bus, d);
  try {
    pciDeviceClass(d.klass).pciRealize?.(d);
    // Our buses are conventional PCI, never PCI Express.
    if (qdevPropGet(d, 'failover_pair_id')) throw new QemuError('failover primary device must be on PCIExpress bus');
  } catch (e) {
    bus.devices[d.devfn] = undefined;
    d.devfn = -1;
    throw e;
  }
}

/** pci_new() / pci_new_multifunction(): an unrealized device for `devfn` (-1: the first free slot). */
export function pciNew(devfn: number, typename: string, multifunction = false): PCIDevice {
  const d = objectNew(typename) as PCIDevice;
  qdevPropSetRaw(d, 'addr', devfn);
  if (multifunction) qdevPropSetRaw(d, 'multifunction', true);
  return d;
}

/** pci_realize_and_unref(). */
export function pciRealize(d: PCIDevice, bus: PCIBus): void {
  qdevRealizeOnBus(d, bus);
}

/** pci_create_simple() / pci_create_simple_multifunction(). */
export function pciCreateSimple(bus: PCIBus, devfn: number, typename: string, multifunction = false): PCIDevice {
  const d = pciNew(devfn, typename, multifunction);
  pciRealize(d, bus);
  return d;
}

/** pci_root_bus_new(): the host bridge's bus; unnamed, it becomes "pci.0". */
export function pciRootBusNew(host: DeviceState, name?: string): PCIBus {
  return qbusNew(TYPE_PCI_BUS, host, name) as PCIBus;
}

export function registerPciTypes(): void {
  typeRegisterStatic({
    name: TYPE_PCI_BUS,
    parent: TYPE_BUS,
    instance: PCIBus,
    classInit: (oc) => {
      busClass(oc).printDev = pcibusDevPrint;
    },
  });
  typeRegisterStatic({
    name: TYPE_PCI_DEVICE,
    parent: TYPE_DEVICE,
    abstract: true,
    instance: PCIDevice,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.busType = TYPE_PCI_BUS;
      dc.realize = pciQdevRealize;
      deviceClassSetProps(oc, [
        { name: 'addr', kind: 'pci-devfn', def: -1 },
        { name: 'romfile', kind: 'str' },
        { name: 'romsize', kind: 'uint32', def: 0xffffffff },
        { name: 'rombar', kind: 'uint32', def: 1 },
        { name: 'multifunction', kind: 'bit', def: false },
        { name: 'x-pcie-lnksta-dllla', kind: 'bit', def: true },
        { name: 'x-pcie-extcap-init', kind: 'bit', def: true },
        { name: 'failover_pair_id', kind: 'str' },
        { name: 'acpi-index', kind: 'uint32', def: 0 },
      ]);
    },
  });
}
