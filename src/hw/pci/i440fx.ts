/*
 * The i440FX host bridge (hw/pci-host/i440fx.c) at the qdev level: the
 * "i440FX-pcihost" sysbus device that owns the root bus pci.0, and the "i440FX"
 * PCI function at 00.0.  PAM, SMRAM and the config-space ports come later.
 */
import { objectClassPropertyAdd, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { TYPE_SYS_BUS_DEVICE } from '../core/sysbus.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { TYPE_PCI_DEVICE, pciDeviceClass, pciRootBusNew, type PCIBus } from './pci.js';

export const TYPE_PCI_HOST_BRIDGE = 'pci-host-bridge';
export const TYPE_I440FX_PCI_HOST_BRIDGE = 'i440FX-pcihost';
export const TYPE_I440FX_PCI_DEVICE = 'i440FX';

const rootBuses = new WeakMap<DeviceState, PCIBus>();

const GiB = 1024 * 1024 * 1024;
/** IO_APIC_DEFAULT_ADDRESS: the 32-bit PCI hole ends below the I/O APIC. */
const IO_APIC_DEFAULT_ADDRESS = 0xfec00000;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** I440FXState fields the board sets (i440fx_init's arguments in 7.2). */
export class I440fxPciHost extends DeviceState {
  belowFourGMemSize = 0;
  /** pc_pci_hole64_start(): where the 64-bit hole starts when no BAR is mapped there yet. */
  pciHole64Start: () => number = () => 0;
}

/**
 * The PCI holes as the host bridge reports them.  With no 64-bit BAR mapped
 * (before the guest's firmware runs) the 64-bit hole comes from the machine's
 * memory layout when x-pci-hole64-fix is on, else it is empty.
 */
function hole64Start(h: I440fxPciHost): number {
  return qdevPropGet(h, 'x-pci-hole64-fix') ? h.pciHole64Start() : 0;
}

function hole64End(h: I440fxPciHost): number {
  if (!qdevPropGet(h, 'x-pci-hole64-fix')) return 0;
  return roundUp(hole64Start(h) + (qdevPropGet(h, 'pci-hole64-size') as number), GiB);
}

/** The host bridge's root bus (PCIHostState.bus). */
export function pciHostRootBus(host: DeviceState): PCIBus | undefined {
  return rootBuses.get(host);
}

export function registerI440fxTypes(): void {
  typeRegisterStatic({
    name: TYPE_PCI_HOST_BRIDGE,
    parent: TYPE_SYS_BUS_DEVICE,
    abstract: true,
    classInit: (oc) => {
      deviceClassSetProps(oc, [
        { name: 'x-config-reg-migration-enabled', kind: 'bool', def: true },
        { name: 'bypass-iommu', kind: 'bool', def: false },
      ]);
    },
  });
  typeRegisterStatic({
    name: TYPE_I440FX_PCI_HOST_BRIDGE,
    parent: TYPE_PCI_HOST_BRIDGE,
    instance: I440fxPciHost,
    classInit: (oc) => {
      const host = (o: unknown): I440fxPciHost => o as I440fxPciHost;
      objectClassPropertyAdd(oc, { name: 'pci-hole-start', type: 'uint32', get: (o) => host(o).belowFourGMemSize });
      objectClassPropertyAdd(oc, { name: 'pci-hole-end', type: 'uint32', get: () => IO_APIC_DEFAULT_ADDRESS });
      objectClassPropertyAdd(oc, { name: 'pci-hole64-start', type: 'uint64', get: (o) => hole64Start(host(o)) });
      objectClassPropertyAdd(oc, { name: 'pci-hole64-end', type: 'uint64', get: (o) => hole64End(host(o)) });
      deviceClassSetProps(oc, [
        { name: 'pci-hole64-size', kind: 'size', def: 2 * 1024 * 1024 * 1024 },
        { name: 'short_root_bus', kind: 'uint32', def: 0 },
        { name: 'x-pci-hole64-fix', kind: 'bool', def: true },
      ]);
      // i440fx_pcihost_initfn/realize: the root bus exists once the bridge does.
      deviceClass(oc).realize = (dev) => {
        rootBuses.set(dev, pciRootBusNew(dev));
      };
    },
  });
  typeRegisterStatic({
    name: TYPE_I440FX_PCI_DEVICE,
    parent: TYPE_PCI_DEVICE,
    classInit: (oc) => {
      deviceClass(oc).desc = 'Host bridge';
      deviceClass(oc).userCreatable = false;
      Object.assign(pciDeviceClass(oc), { vendorId: 0x8086, deviceId: 0x1237, classId: 0x0600 });
    },
  });
}
