/*
 * pc_init1() (hw/i386/pc_piix.c, QEMU 7.2) as far as the QOM/qdev tree goes:
 * the RAM split, the boot CPUs, fw_cfg, the i440FX host bridge with pci.0 and
 * its 00.0 function, PIIX3 (ISA bridge) at 01.0, its IDE function at 01.1, USB
 * at 01.2 with usb=on, and ACPI (PIIX4_PM with the SMBus EEPROMs) at 01.3.
 * Devices still to come (PIC, PIT, RTC, HPET, ...) are added by their issues
 * in pc_init1's order.
 */
import { objectNew, objectPropertyAddChild, objectPropertyAddLink, typeRegisterStatic } from '../../qom/object.js';
import { QemuError, warnReport } from '../../util/error.js';
import { deviceClass, type DeviceState } from '../../hw/core/qdev.js';
import { deviceClassSetProps, qdevPropSetRaw } from '../../hw/core/qdev-properties.js';
import { TYPE_SYS_BUS_DEVICE, sysbusRealize } from '../../hw/core/sysbus.js';
import type { MachineState } from '../../hw/core/machine.js';
import { pciCreateSimple, pciNew, pciRealize, type PCIBus, type PCIDevice } from '../pci/pci.js';
import { I440fxPciHost, TYPE_I440FX_PCI_DEVICE, TYPE_I440FX_PCI_HOST_BRIDGE, pciHostRootBus } from '../pci/i440fx.js';
import { TYPE_PIIX3_DEVICE, TYPE_PIIX3_IDE, TYPE_PIIX4_PM, piixChildBus, smbusEepromInit } from '../pci/piix.js';
import { PCMachineState, pcMachineClass } from './pc.js';
import { x86CpusInit, x86MachineClass, x86SmmEnabled } from './x86.js';

export const TYPE_FW_CFG_IO = 'fw_cfg_io';
export const TYPE_PIIX3_USB_UHCI = 'piix3-usb-uhci';

/** What pc_init1 built, for the modules that wire guest-visible behaviour onto it. */
export interface PcBoard {
  pciBus: PCIBus;
  i440fx: DeviceState;
  piix3: DeviceState;
  ide: DeviceState;
  pm: DeviceState | undefined;
  fwCfg: DeviceState;
}

const boards = new WeakMap<MachineState, PcBoard>();

export function pcBoard(ms: MachineState): PcBoard | undefined {
  return boards.get(ms);
}

/** machine_usb(): usb=on, or -usb. */
function machineUsb(ms: MachineState): boolean {
  return ms.usb === true;
}

const GiB = 1024 * 1024 * 1024;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/**
 * The below/above 4 GiB RAM split of pc_init1: up to max-ram-below-4g (3.5 GiB)
 * below; a machine that must split moves the split down to 3 GiB, for alignment.
 */
function pcRamSplit(pcms: PCMachineState): void {
  if (!pcms.maxRamBelow4g) pcms.maxRamBelow4g = 0xe0000000;
  let lowmem = pcms.maxRamBelow4g;
  if (pcms.ramSize >= pcms.maxRamBelow4g && pcMachineClass(pcms.klass).gigabyteAlign) {
    if (lowmem > 0xc0000000) lowmem = 0xc0000000;
    if (lowmem % GiB) {
      warnReport(`Large machine and max_ram_below_4g (${pcms.maxRamBelow4g}) not a multiple of 1G; possible bad performance.`);
    }
  }
  if (pcms.ramSize >= lowmem) {
    pcms.aboveFourGMemSize = pcms.ramSize - lowmem;
    pcms.belowFourGMemSize = lowmem;
  } else {
    pcms.aboveFourGMemSize = 0;
    pcms.belowFourGMemSize = pcms.ramSize;
  }
}

/** pc_above_4g_end(): RAM above 4 GiB starts at 4 GiB. */
function pcAbove4gEnd(pcms: PCMachineState): number {
  return 4 * GiB + pcms.aboveFourGMemSize;
}

/**
 * pc_pci_hole64_start(): after the hotplug memory region when there is one
 * (machines with broken_reserved_end put it at the region's start), else after
 * RAM; rounded up to 1 GiB.
 */
export function pcPciHole64Start(pcms: PCMachineState): number {
  const pcmc = pcMachineClass(pcms.klass);
  let start: number;
  if (pcmc.hasReservedMemory && pcms.ramSize < pcms.maxramSize) {
    start = roundUp(pcAbove4gEnd(pcms), GiB);
    let size = pcms.maxramSize - pcms.ramSize;
    if (pcmc.enforceAlignedDimm) size += GiB * pcms.ramSlots;
    if (!pcmc.brokenReservedEnd) start += size;
  } else {
    start = pcAbove4gEnd(pcms);
  }
  return roundUp(start, GiB);
}

/** ACPI_MAX_RAM_SLOTS: memory hotplug slots the PC's ACPI tables describe. */
const ACPI_MAX_RAM_SLOTS = 256;
const TARGET_PAGE_SIZE = 4096;

/** pc_memory_init()'s checks of the hotplug memory configuration. */
function pcMemoryChecks(pcms: PCMachineState): void {
  const pcmc = pcMachineClass(pcms.klass);
  if (!pcmc.hasReservedMemory && (pcms.ramSlots || pcms.maxramSize > pcms.ramSize)) {
    throw new QemuError(`"-memory 'slots|maxmem'" is not supported by: ${pcms.mc.name}`);
  }
  if (!pcmc.hasReservedMemory || pcms.ramSize >= pcms.maxramSize) return;
  if (pcms.ramSlots > ACPI_MAX_RAM_SLOTS) {
    throw new QemuError(`unsupported amount of memory slots: ${pcms.ramSlots}`);
  }
  if (pcms.maxramSize % TARGET_PAGE_SIZE) {
    throw new QemuError(`maximum memory size must by aligned to multiple of ${TARGET_PAGE_SIZE} bytes`);
  }
}

/** fw_cfg_arch_create() → fw_cfg_init_io_dma(): /machine/fw_cfg on the system bus. */
function fwCfgArchCreate(pcms: PCMachineState): DeviceState {
  const dev = objectNew(TYPE_FW_CFG_IO) as DeviceState;
  if (!x86MachineClass(pcms.klass).fwcfgDmaEnabled) qdevPropSetRaw(dev, 'dma_enabled', false);
  objectPropertyAddChild(pcms, 'fw_cfg', dev);
  sysbusRealize(dev);
  return dev;
}

/** pc_vga_init() → pci_vga_init(): the chosen adapter in the first free slot (02.0). */
function pcVgaInit(pcms: PCMachineState, bus: PCIBus): void {
  const type = { std: 'VGA', cirrus: 'cirrus-vga' }[pcms.vgaInterfaceType ?? 'none'];
  if (type) pciCreateSimple(bus, -1, type);
}

/** pc_init1(machine, TYPE_I440FX_PCI_HOST_BRIDGE, TYPE_I440FX_PCI_DEVICE). */
export function pcInit1(ms: MachineState): void {
  const pcms = ms as PCMachineState;
  const pcmc = pcMachineClass(pcms.klass);
  pcRamSplit(pcms);
  x86CpusInit(pcms, pcmc.defaultCpuVersion);
  pcMemoryChecks(pcms);

  // The host bridge exists before RAM and fw_cfg are set up, but is realized after them (7.2 order).
  const host = objectNew(TYPE_I440FX_PCI_HOST_BRIDGE) as I440fxPciHost;
  objectPropertyAddChild(pcms, 'i440fx', host);
  host.belowFourGMemSize = pcms.belowFourGMemSize;
  host.pciHole64Start = () => pcPciHole64Start(pcms);

  // pc_memory_init() creates fw_cfg.
  const fwCfg = fwCfgArchCreate(pcms);

  // i440fx_init()
  sysbusRealize(host);
  const pciBus = pciHostRootBus(host)!;
  const i440fx = pciCreateSimple(pciBus, 0, TYPE_I440FX_PCI_DEVICE);

  const piix3 = pciCreateSimple(pciBus, -1, TYPE_PIIX3_DEVICE, true);
  const ide = pciCreateSimple(pciBus, piix3.devfn + 1, TYPE_PIIX3_IDE);
  pcVgaInit(pcms, pciBus);

  // Without Xen, vmport=auto means on (the vmport device itself comes with the ISA devices).
  if (pcms.vmport === 'auto') pcms.vmport = 'on';

  if (machineUsb(pcms)) pciCreateSimple(pciBus, piix3.devfn + 2, TYPE_PIIX3_USB_UHCI);

  let pm: PCIDevice | undefined;
  if (pcms.acpi !== 'off') {
    const acpiDev = pciNew(piix3.devfn + 3, TYPE_PIIX4_PM);
    qdevPropSetRaw(acpiDev, 'smb_io_base', 0xb100);
    qdevPropSetRaw(acpiDev, 'smm-enabled', x86SmmEnabled(pcms));
    pciRealize(acpiDev, pciBus);
    smbusEepromInit(piixChildBus(acpiDev)!, 8);
    objectPropertyAddLink(pcms, 'acpi-device', 'hotplug-handler', () => acpiDev);
    pm = acpiDev;
  }
  boards.set(ms, { pciBus, i440fx, piix3, ide, pm, fwCfg });
}

export function registerPcBoardTypes(): void {
  typeRegisterStatic({
    name: TYPE_FW_CFG_IO,
    parent: TYPE_SYS_BUS_DEVICE,
    classInit: (oc) => {
      deviceClass(oc).desc = 'QEMU fw_cfg';
      deviceClassSetProps(oc, [
        { name: 'dma_enabled', kind: 'bool', def: true },
        { name: 'x-file-slots', kind: 'uint16', def: 32 },
        { name: 'acpi-mr-restore', kind: 'bool', def: true },
      ]);
    },
  });
}
