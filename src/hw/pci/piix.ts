/*
 * The PIIX south bridge functions at the qdev level (hw/isa/piix3.c,
 * hw/ide/piix.c, hw/acpi/piix4.c, hw/i2c/smbus_eeprom.c): PIIX3 with its ISA
 * bus at 01.0, the IDE function with ide.0/ide.1 at 01.1, and the PIIX4 power
 * management function with its SMBus at 01.3 and the eight SPD EEPROMs the PC
 * puts on it.  Their registers come later.
 */
import { objectNew, objectPropertyAdd, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, TYPE_DEVICE, deviceClass } from '../core/qdev.js';
import {
  TYPE_BUS, busClass, qbusNew, qbusSetHotplugHandler, qdevGetParentBus, qdevRealizeOnBus, type BusState,
} from '../core/bus.js';
import { deviceClassSetProps, qdevPropSetRaw } from '../core/qdev-properties.js';
import { isaBusNew } from '../isa/isa-bus.js';
import { TYPE_PCI_DEVICE, pciDeviceClass, type PCIDevice } from './pci.js';

export const TYPE_PIIX3_PCI_DEVICE = 'pci-piix3';
export const TYPE_PIIX3_DEVICE = 'PIIX3';
export const TYPE_PIIX3_IDE = 'piix3-ide';
export const TYPE_PIIX4_PM = 'PIIX4_PM';
export const TYPE_IDE_BUS = 'IDE';
export const TYPE_I2C_BUS = 'i2c-bus';
export const TYPE_I2C_SLAVE = 'i2c-slave';
export const TYPE_SMBUS_DEVICE = 'smbus-device';
export const TYPE_SMBUS_EEPROM = 'smbus-eeprom';

const childBus = new WeakMap<DeviceState, BusState>();

/** The bus a bridge function provides: isa.0 for PIIX3, i2c for PIIX4_PM. */
export function piixChildBus(dev: DeviceState): BusState | undefined {
  return childBus.get(dev);
}

/** smbus_eeprom_init(): `n` EEPROMs at SMBus addresses 0x50, 0x51, ... */
export function smbusEepromInit(bus: BusState, n: number): void {
  for (let i = 0; i < n; i++) {
    const dev = objectNew(TYPE_SMBUS_EEPROM) as DeviceState;
    qdevPropSetRaw(dev, 'address', 0x50 + i);
    qdevRealizeOnBus(dev, bus);
  }
}

export function registerPiixTypes(): void {
  typeRegisterStatic({
    name: TYPE_PIIX3_PCI_DEVICE,
    parent: TYPE_PCI_DEVICE,
    abstract: true,
    classInit: (oc) => {
      deviceClass(oc).desc = 'ISA bridge';
      deviceClass(oc).userCreatable = false;
      Object.assign(pciDeviceClass(oc), {
        vendorId: 0x8086, deviceId: 0x7000, classId: 0x0601,
        pciRealize: (d: PCIDevice) => childBus.set(d, isaBusNew(d)),
      });
    },
  });
  typeRegisterStatic({ name: TYPE_PIIX3_DEVICE, parent: TYPE_PIIX3_PCI_DEVICE });

  typeRegisterStatic({ name: TYPE_IDE_BUS, parent: TYPE_BUS, classInit: (oc) => (busClass(oc).maxDev = 2) });
  typeRegisterStatic({
    name: TYPE_PIIX3_IDE,
    parent: TYPE_PCI_DEVICE,
    classInit: (oc) => {
      deviceClass(oc).category = 'storage';
      deviceClass(oc).hotpluggable = false;
      Object.assign(pciDeviceClass(oc), {
        vendorId: 0x8086, deviceId: 0x7010, classId: 0x0101,
        bars: [{ index: 4, io: true, size: 16 }],
        pciRealize: (d: PCIDevice) => {
          qbusNew(TYPE_IDE_BUS, d);
          qbusNew(TYPE_IDE_BUS, d);
        },
      });
    },
  });

  typeRegisterStatic({ name: TYPE_I2C_BUS, parent: TYPE_BUS });
  typeRegisterStatic({
    name: TYPE_I2C_SLAVE,
    parent: TYPE_DEVICE,
    abstract: true,
    classInit: (oc) => {
      deviceClass(oc).busType = TYPE_I2C_BUS;
      deviceClassSetProps(oc, [{ name: 'address', kind: 'uint8', def: 0 }]);
    },
  });
  typeRegisterStatic({ name: TYPE_SMBUS_DEVICE, parent: TYPE_I2C_SLAVE, abstract: true });
  typeRegisterStatic({
    name: TYPE_SMBUS_EEPROM,
    parent: TYPE_SMBUS_DEVICE,
    classInit: (oc) => {
      deviceClass(oc).userCreatable = false;
    },
  });

  typeRegisterStatic({
    name: TYPE_PIIX4_PM,
    parent: TYPE_PCI_DEVICE,
    // The SCI and SMI outputs (qdev gpio-out lines are link<irq> properties); wiring comes with ACPI.
    instanceInit: (obj) => {
      for (const name of ['unnamed-gpio-out[0]', 'smi-irq[0]']) objectPropertyAdd(obj, { name, type: 'link<irq>', get: () => '' });
    },
    classInit: (oc) => {
      deviceClass(oc).desc = 'PM';
      deviceClass(oc).userCreatable = false;
      deviceClassSetProps(oc, [
        { name: 'smb_io_base', kind: 'uint32', def: 0 },
        { name: 'disable_s3', kind: 'uint8', def: 0 },
        { name: 'disable_s4', kind: 'uint8', def: 0 },
        { name: 's4_val', kind: 'uint8', def: 2 },
        { name: 'acpi-pci-hotplug-with-bridge-support', kind: 'bool', def: true },
        { name: 'acpi-root-pci-hotplug', kind: 'bool', def: true },
        { name: 'memory-hotplug-support', kind: 'bool', def: true },
        { name: 'smm-compat', kind: 'bool', def: false },
        { name: 'smm-enabled', kind: 'bool', def: false },
        { name: 'x-not-migrate-acpi-index', kind: 'bool', def: false },
      ]);
      Object.assign(pciDeviceClass(oc), {
        vendorId: 0x8086, deviceId: 0x7113, classId: 0x0680,
        pciRealize: (d: PCIDevice) => {
          childBus.set(d, qbusNew(TYPE_I2C_BUS, d, 'i2c'));
          // ACPI PCI hotplug: PIIX4_PM becomes the hotplug handler of its bus (pci.0).
          const bus = qdevGetParentBus(d);
          if (bus) qbusSetHotplugHandler(bus, d, {});
        },
      });
      // qdev gpio lines as `info qtree` lists them (the SCI and the SMI).
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-out "smi-irq" 1', 'gpio-out "" 1'];
    },
  });
}
