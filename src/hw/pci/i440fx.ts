/*
 * The i440FX host bridge (hw/pci-host/i440fx.c) at the qdev level: the
 * "i440FX-pcihost" sysbus device that owns the root bus pci.0, and the "i440FX"
 * PCI function at 00.0.  PAM, SMRAM and the config-space ports come later.
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { deviceClass, type DeviceState } from '../core/qdev.js';
import { TYPE_SYS_BUS_DEVICE } from '../core/sysbus.js';
import { deviceClassSetProps } from '../core/qdev-properties.js';
import { TYPE_PCI_DEVICE, pciDeviceClass, pciRootBusNew, type PCIBus } from './pci.js';

export const TYPE_PCI_HOST_BRIDGE = 'pci-host-bridge';
export const TYPE_I440FX_PCI_HOST_BRIDGE = 'i440FX-pcihost';
export const TYPE_I440FX_PCI_DEVICE = 'i440FX';

const rootBuses = new WeakMap<DeviceState, PCIBus>();

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
    classInit: (oc) => {
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
