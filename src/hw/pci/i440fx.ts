/*
 * The i440FX host bridge (hw/pci-host/i440fx.c) at the qdev level: the
 * "i440FX-pcihost" sysbus device that owns the root bus pci.0, and the "i440FX"
 * PCI function at 00.0.  The host bridge decodes PCI configuration mechanism
 * #1 (CONFIG_ADDRESS at 0xcf8, CONFIG_DATA at 0xcfc-0xcff, pci_host.c); the
 * 00.0 function holds the PAM registers (0x59-0x5f) and SMRAM (0x72).
 */
import { objectClassPropertyAdd, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { TYPE_SYS_BUS_DEVICE } from '../core/sysbus.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import {
  PCIDevice, TYPE_PCI_DEVICE, pciConfigRead, pciConfigWrite, pciDefaultWriteConfig, pciDeviceClass, pciRootBusNew, type PCIBus,
} from './pci.js';
import type { IOPortSpace } from '../../exec/ioport.js';
import type { AddressSpace, MemoryRegion } from '../../exec/memory.js';
import { initPams, pamUpdate, type PAMMemoryRegion } from './pam.js';

const I440FX_PAM = 0x59;
const I440FX_PAM_SIZE = 7;
const I440FX_SMRAM = 0x72;
const I440FX_COREBOOT_RAM_SIZE = 0x57;

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
  /** PCIHostState.config_reg: the last dword written to CONFIG_ADDRESS. */
  configReg = 0;
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

/** PCII440FXState: the 00.0 function with the PAM segments it switches. */
export class PCII440FXState extends PCIDevice {
  pams: PAMMemoryRegion[] = [];
  systemMemory: AddressSpace | undefined;
}

/** i440fx_update_memory_mappings(): each PAM segment from its register nibble. */
function i440fxUpdateMemoryMappings(d: PCII440FXState): void {
  const as = d.systemMemory;
  if (!as) return;
  d.pams.forEach((pam, i) => pamUpdate(as, pam, i, d.config[I440FX_PAM + Math.ceil(i / 2)]!));
}

/** i440fx_write_config(): PAM and SMRAM writes remap memory (SMRAM's D_LCK is not implemented, as in QEMU). */
function i440fxWriteConfig(dev: PCIDevice, addr: number, val: number, len: number): void {
  pciDefaultWriteConfig(dev, addr, val, len);
  if ((addr < I440FX_PAM + I440FX_PAM_SIZE && I440FX_PAM < addr + len) || (addr <= I440FX_SMRAM && I440FX_SMRAM < addr + len)) {
    i440fxUpdateMemoryMappings(dev as PCII440FXState);
  }
}

/**
 * The part of i440fx_init() that needs the machine's memory: the PAM
 * segments over RAM, and the RAM size in 8 MiB units at 0x57 (for coreboot).
 */
export function i440fxInitMemory(d: PCIDevice, systemMemory: AddressSpace | undefined, ram: MemoryRegion | undefined, ramSize: number): void {
  const f = d as PCII440FXState;
  if (systemMemory && ram) {
    f.systemMemory = systemMemory;
    f.pams = initPams(ram);
  }
  f.config[I440FX_COREBOOT_RAM_SIZE] = Math.min(Math.floor(ramSize / 8 / 1024 / 1024), 255);
  i440fxUpdateMemoryMappings(f);
}

/** pci_data_read/pci_data_write's target: bus 0's function at CONFIG_ADDRESS's devfn. */
function configTarget(h: I440fxPciHost): PCIDevice | undefined {
  const reg = h.configReg;
  if ((reg >>> 16) & 0xff) return undefined;
  return rootBuses.get(h)?.devices[(reg >>> 8) & 0xff];
}

/**
 * pci_host_conf_le_ops: CONFIG_ADDRESS takes dword writes only; a read of any
 * size returns the register (the access size truncates it).
 */
const pciHostConfOps = {
  read: (o: unknown): number => (o as I440fxPciHost).configReg,
  write: (o: unknown, off: number, val: number, size: number): void => {
    if (off === 0 && size === 4) (o as I440fxPciHost).configReg = val >>> 0;
  },
};

/**
 * pci_host_data_le_ops: with the enable bit set, the access goes to the
 * selected function's config space at (register | port offset) & 0xff,
 * clipped at its end; an absent function reads all ones.
 */
const pciHostDataOps = {
  read: (o: unknown, off: number, size: number): number => {
    const h = o as I440fxPciHost;
    if (!(h.configReg & 0x80000000)) return 0xffffffff;
    const d = configTarget(h);
    if (!d) return 0xffffffff;
    const addr = (h.configReg | off) & 0xff;
    return pciConfigRead(d, addr, Math.min(size, 256 - addr));
  },
  write: (o: unknown, off: number, val: number, size: number): void => {
    const h = o as I440fxPciHost;
    if (!(h.configReg & 0x80000000)) return;
    const d = configTarget(h);
    if (!d) return;
    const addr = (h.configReg | off) & 0xff;
    pciConfigWrite(d, addr, val, Math.min(size, 256 - addr));
  },
};

/** i440fx_pcihost_realize()'s I/O ports: "pci-conf-idx" at 0xcf8 and "pci-conf-data" at 0xcfc. */
export function i440fxPcihostInitIo(host: DeviceState, io: IOPortSpace): void {
  io.register(0xcf8, 4, pciHostConfOps, host);
  io.register(0xcfc, 4, pciHostDataOps, host);
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
    instance: PCII440FXState,
    classInit: (oc) => {
      deviceClass(oc).desc = 'Host bridge';
      deviceClass(oc).userCreatable = false;
      Object.assign(pciDeviceClass(oc), {
        vendorId: 0x8086, deviceId: 0x1237, classId: 0x0600, revision: 0x02,
        // i440fx_realize(): SMRAM starts with C_BASE_SEG = 010 (0xa0000), closed.
        pciRealize: (d: PCIDevice) => (d.config[I440FX_SMRAM] = 0x02),
        configWrite: i440fxWriteConfig,
      });
    },
  });
}
