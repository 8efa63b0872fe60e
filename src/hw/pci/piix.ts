/*
 * The PIIX south bridge functions at the qdev level (hw/isa/piix3.c,
 * hw/ide/piix.c, hw/acpi/piix4.c, hw/i2c/smbus_eeprom.c): PIIX3 with its ISA
 * bus at 01.0, the IDE function with ide.0/ide.1 at 01.1, and the PIIX4 power
 * management function with its SMBus at 01.3 and the eight SPD EEPROMs the PC
 * puts on it.  PIIX3 routes PCI INTA-D to ISA IRQs through PIRQRC[A:D]
 * (0x60-0x63) and holds the reset control register at 0xcf9; the IDE function
 * has its bus master BAR 4; the PIIX4 PM registers are in hw/acpi/piix4.ts.
 */
import { objectNew, objectPropertyAdd, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, TYPE_DEVICE, deviceClass } from '../core/qdev.js';
import {
  TYPE_BUS, busClass, qbusNew, qbusSetHotplugHandler, qdevGetParentBus, qdevRealizeOnBus, type BusState,
} from '../core/bus.js';
import { deviceClassSetProps, qdevPropSetRaw } from '../core/qdev-properties.js';
import { isaBusNew } from '../isa/isa-bus.js';
import {
  PCIDevice, PCI_COMMAND, PCI_CLASS_PROG, PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM, PCI_STATUS_FAST_BACK, PCI_SLOT,
  TYPE_PCI_DEVICE, pciBusGetIrqLevel, pciBusIrqs, pciDefaultWriteConfig, pciDeviceClass, pciSetWord, type PCIBus,
} from './pci.js';
import { qemuSetIrq, type QemuIrq } from '../core/irq.js';
import type { IOPortSpace } from '../../exec/ioport.js';
import { qemuSystemResetRequest } from '../core/reset-request.js';
import { piix4PmClassInit } from '../acpi/piix4.js';

const PIIX_NUM_PIRQS = 4;
const PIIX_NUM_PIC_IRQS = 16;
const PIIX_PIRQCA = 0x60;
const PIIX_RCR_IOPORT = 0xcf9;

/** PIIX3State: the PIRQ router's view of the PIC inputs (pic_levels), and RCR. */
export class PIIX3State extends PCIDevice {
  /** pic_levels, per ISA IRQ: bit `pirq` set while PIRQ `pirq` is asserted and routed there. */
  readonly picLevels = new Uint8Array(PIIX_NUM_PIC_IRQS);
  pic: QemuIrq[] = [];
  rcr = 0;
}

/** piix3_set_irq_pic(): an ISA IRQ is high while any PIRQ routed to it is. */
function piix3SetIrqPic(s: PIIX3State, picIrq: number): void {
  qemuSetIrq(s.pic[picIrq] ?? null, s.picLevels[picIrq] ? 1 : 0);
}

function piix3SetIrqLevelInternal(s: PIIX3State, pirq: number, level: number): void {
  const picIrq = s.config[PIIX_PIRQCA + pirq]!;
  if (picIrq >= PIIX_NUM_PIC_IRQS) return;
  s.picLevels[picIrq] = level ? s.picLevels[picIrq]! | (1 << pirq) : s.picLevels[picIrq]! & ~(1 << pirq);
}

/** piix3_set_irq(): PIRQ `pirq` changed; a disabled route (bit 7 set, or >= 16) goes nowhere. */
function piix3SetIrq(opaque: unknown, pirq: number, level: number): void {
  const s = opaque as PIIX3State;
  const picIrq = s.config[PIIX_PIRQCA + pirq]!;
  if (picIrq >= PIIX_NUM_PIC_IRQS) return;
  piix3SetIrqLevelInternal(s, pirq, level);
  piix3SetIrqPic(s, picIrq);
}

/** pci_slot_get_pirq(): INTx of slot N reaches PIRQ (x + N - 1) mod 4. */
function pciSlotGetPirq(d: PCIDevice, pin: number): number {
  return (pin + PCI_SLOT(d.devfn) - 1) & (PIIX_NUM_PIRQS - 1);
}

/** piix3_write_config(): a routing change rebuilds pic_levels and drives every ISA IRQ again. */
function piix3WriteConfig(d: PCIDevice, addr: number, val: number, len: number): void {
  pciDefaultWriteConfig(d, addr, val, len);
  if (addr < PIIX_PIRQCA + 4 && PIIX_PIRQCA < addr + len) {
    const s = d as PIIX3State;
    const bus = qdevGetParentBus(d) as PCIBus;
    s.picLevels.fill(0);
    for (let pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) piix3SetIrqLevelInternal(s, pirq, pciBusGetIrqLevel(bus, pirq));
    for (let irq = 0; irq < PIIX_NUM_PIC_IRQS; irq++) piix3SetIrqPic(s, irq);
  }
}

/** piix3_reset(): the power-on values of the PIIX3 function's registers (82371SB datasheet). */
function piix3Reset(d: PCIDevice): void {
  const s = d as PIIX3State;
  const c = d.config;
  const set = (values: Record<number, number>): void => {
    for (const [off, v] of Object.entries(values)) c[Number(off)] = v;
  };
  set({
    0x04: 0x07, 0x05: 0x00, 0x06: 0x00, 0x07: 0x02, 0x4c: 0x4d, 0x4e: 0x03, 0x4f: 0x00,
    0x60: 0x80, 0x61: 0x80, 0x62: 0x80, 0x63: 0x80, 0x69: 0x02, 0x70: 0x80, 0x76: 0x0c, 0x77: 0x0c,
    0x78: 0x02, 0x79: 0x00, 0x80: 0x00, 0x82: 0x00, 0xa0: 0x08, 0xa2: 0x00, 0xa3: 0x00, 0xa4: 0x00,
    0xa5: 0x00, 0xa6: 0x00, 0xa7: 0x00, 0xa8: 0x0f, 0xaa: 0x00, 0xab: 0x00, 0xac: 0x00, 0xae: 0x00,
  });
  s.picLevels.fill(0);
  s.rcr = 0;
}

/**
 * The reset control register (rcr_ops): bit 2 requests a system reset; bit 1
 * (hard/soft reset type) is kept and read back.
 */
const rcrOps = {
  read: (o: unknown): number => (o as PIIX3State).rcr,
  write: (o: unknown, _off: number, val: number): void => {
    if (val & 4) {
      qemuSystemResetRequest();
      return;
    }
    (o as PIIX3State).rcr = val & 2;
  },
};

/**
 * The board's part of PIIX3 (pc_init1 / piix3_create): PCI INTx of the bus
 * routed to the gsi lines 0-15, and RCR on the I/O space over the
 * CONFIG_DATA port range.
 */
export function piix3Wire(d: PCIDevice, bus: PCIBus, pic: QemuIrq[], io: IOPortSpace): void {
  const s = d as PIIX3State;
  s.pic = pic;
  pciBusIrqs(bus, piix3SetIrq, pciSlotGetPirq, s, PIIX_NUM_PIRQS);
  io.register(PIIX_RCR_IOPORT, 1, rcrOps, s);
}

/** pci_piix_ide_reset(): bus master off, status medium DEVSEL + fast back-to-back, BMIBA back to I/O. */
function piixIdeReset(d: PCIDevice): void {
  const c = d.config;
  pciSetWord(c, PCI_COMMAND, 0);
  pciSetWord(c, PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM | PCI_STATUS_FAST_BACK);
  c[0x20] = 0x01;
  c[0x21] = c[0x22] = c[0x23] = 0;
}

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
    instance: PIIX3State,
    classInit: (oc) => {
      deviceClass(oc).desc = 'ISA bridge';
      deviceClass(oc).userCreatable = false;
      Object.assign(pciDeviceClass(oc), {
        vendorId: 0x8086, deviceId: 0x7000, classId: 0x0601,
        pciRealize: (d: PCIDevice) => childBus.set(d, isaBusNew(d)),
        pciReset: piix3Reset,
        configWrite: piix3WriteConfig,
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
        pciReset: piixIdeReset,
        pciRealize: (d: PCIDevice) => {
          d.config[PCI_CLASS_PROG] = 0x80; // legacy ATA mode, bus master capable
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
        vendorId: 0x8086, deviceId: 0x7113, classId: 0x0680, revision: 0x03,
        pciRealize: (d: PCIDevice) => {
          childBus.set(d, qbusNew(TYPE_I2C_BUS, d, 'i2c'));
          // ACPI PCI hotplug: PIIX4_PM becomes the hotplug handler of its bus (pci.0).
          const bus = qdevGetParentBus(d);
          if (bus) qbusSetHotplugHandler(bus, d, {});
        },
      });
      piix4PmClassInit(pciDeviceClass(oc));
      // qdev gpio lines as `info qtree` lists them (the SCI and the SMI).
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-out "smi-irq" 1', 'gpio-out "" 1'];
    },
  });
}
