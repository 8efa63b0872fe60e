/*
 * PCI at the qdev level (hw/pci/pci.c): the PCI bus with its 256 device/function
 * slots, and the PCI device base with QEMU's common properties (addr, romfile,
 * multifunction, ...).  Realizing a PCI device claims its slot exactly as
 * do_pci_register_device() does, with the same messages, and builds its 256-byte
 * configuration space with QEMU's write masks (wmask: bits the guest may change,
 * w1cmask: bits it clears by writing ones); pci_default_write_config() applies
 * them, sizes BARs and maps them where the command register lets it.
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

/** A BAR a device class declares (pci_register_bar); `prefetch`/`mem64` for memory BARs. */
export interface PCIBarInfo {
  index: number;
  io: boolean;
  size: number;
  prefetch?: boolean;
  mem64?: boolean;
}

// Configuration header offsets and bits (include/standard-headers/linux/pci_regs.h).
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION_ID = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_CLASS_DEVICE = 0x0a;
export const PCI_CACHE_LINE_SIZE = 0x0c;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BASE_ADDRESS_0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_ROM_ADDRESS = 0x30;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;
export const PCI_CONFIG_HEADER_SIZE = 0x40;
export const PCI_CONFIG_SPACE_SIZE = 0x100;
export const PCI_COMMAND_IO = 0x1;
export const PCI_COMMAND_MEMORY = 0x2;
export const PCI_COMMAND_MASTER = 0x4;
export const PCI_COMMAND_SERR = 0x100;
export const PCI_COMMAND_INTX_DISABLE = 0x400;
export const PCI_STATUS_INTERRUPT = 0x08;
export const PCI_STATUS_FAST_BACK = 0x80;
export const PCI_STATUS_DEVSEL_MEDIUM = 0x200;
export const PCI_HEADER_TYPE_MULTI_FUNCTION = 0x80;
export const PCI_BASE_ADDRESS_SPACE_IO = 0x01;
export const PCI_BASE_ADDRESS_MEM_TYPE_64 = 0x04;
export const PCI_BASE_ADDRESS_MEM_PREFETCH = 0x08;
export const PCI_ROM_SLOT = 6;
export const PCI_NUM_REGIONS = 7;
/** PCI_BAR_UNMAPPED: where an unmapped BAR sits. */
export const PCI_BAR_UNMAPPED = -1;
/** The status bits a write of ones clears (pci_init_w1cmask). */
const PCI_STATUS_W1C = 0x0100 | 0x0800 | 0x1000 | 0x2000 | 0x4000 | 0x8000;

/**
 * PCIIORegion: a BAR's size, type bits and current address.  `onMap` (set by
 * the device model that decodes the BAR) hears every move, so the model can
 * register its I/O ports or MMIO region at the new place.
 */
export interface PCIIORegion {
  size: number;
  type: number;
  addr: number;
  onMap?: (d: PCIDevice, addr: number) => void;
}

/** PCIDeviceClass fields. */
export interface PCIDeviceClassFields {
  vendorId: number;
  deviceId: number;
  classId: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  revision?: number;
  bars?: PCIBarInfo[];
  /** PCIDeviceClass.realize: runs once the slot is claimed and the config space exists. */
  pciRealize?: (d: PCIDevice) => void;
  /** DeviceClass.reset of the function (before pci_device_reset's generic part). */
  pciReset?: (d: PCIDevice) => void;
  /** PCIDeviceClass.config_read, when the device overrides pci_default_read_config. */
  configRead?: (d: PCIDevice, addr: number, len: number) => number;
  /** PCIDeviceClass.config_write, when the device overrides pci_default_write_config. */
  configWrite?: (d: PCIDevice, addr: number, val: number, len: number) => void;
}

export function pciDeviceClass(oc: ObjectClass): PCIDeviceClassFields {
  return oc as unknown as PCIDeviceClassFields;
}

export class PCIBus extends BusState {
  devices: Array<PCIDevice | undefined> = new Array(256).fill(undefined);
  devfnMin = 0;
  /** pci_bus_irqs(): the bridge's interrupt router, the INTx-to-line swizzle, and the asserted count per line. */
  setIrq: ((opaque: unknown, irq: number, level: number) => void) | undefined;
  mapIrq: (d: PCIDevice, pin: number) => number = (d, pin) => pin;
  irqOpaque: unknown;
  irqCount = new Int32Array(4);
}

/** pci_bus_irqs(). */
export function pciBusIrqs(
  bus: PCIBus, setIrq: (opaque: unknown, irq: number, level: number) => void,
  mapIrq: (d: PCIDevice, pin: number) => number, opaque: unknown, nirq: number,
): void {
  bus.setIrq = setIrq;
  bus.mapIrq = mapIrq;
  bus.irqOpaque = opaque;
  bus.irqCount = new Int32Array(nirq);
}

/** pci_bus_get_irq_level(). */
export function pciBusGetIrqLevel(bus: PCIBus, irq: number): number {
  return bus.irqCount[irq] !== 0 ? 1 : 0;
}

export class PCIDevice extends DeviceState {
  devfn = -1;
  readonly config = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  readonly wmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  readonly w1cmask = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  readonly ioRegions: PCIIORegion[] = Array.from({ length: PCI_NUM_REGIONS }, () => ({ size: 0, type: 0, addr: PCI_BAR_UNMAPPED }));
  /** The four INTx levels the function drives (irq_state). */
  irqState = 0;
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
    const addr = d.ioRegions[bar.index]?.addr ?? PCI_BAR_UNMAPPED;
    const start = addr === PCI_BAR_UNMAPPED ? 0xffffffffffffffffn : BigInt(addr);
    const end = (start + BigInt(bar.size) - 1n) & 0xffffffffffffffffn;
    out += `${indent}bar ${bar.index}: ${bar.io ? 'i/o' : 'mem'} at 0x${start.toString(16)} [0x${end.toString(16)}]\n`;
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

const getWord = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const setWord = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v;
  b[o + 1] = v >>> 8;
};
const getLong = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const setLong = (b: Uint8Array, o: number, v: number): void => {
  for (let i = 0; i < 4; i++) b[o + i] = v >>> (8 * i);
};
export { getWord as pciGetWord, setWord as pciSetWord, getLong as pciGetLong, setLong as pciSetLong };

/** pci_bar(): the config offset of region `n`. */
export function pciBar(n: number): number {
  return n === PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + n * 4;
}

/**
 * The header do_pci_register_device() writes: ids, revision, class, the
 * default subsystem ids; pci_init_wmask / pci_init_w1cmask; the
 * multifunction bit; then the class's BARs (pci_register_bar).
 */
function pciConfigInit(d: PCIDevice): void {
  const pc = pciDeviceClass(d.klass);
  const c = d.config, w = d.wmask;
  setWord(c, PCI_VENDOR_ID, pc.vendorId);
  setWord(c, PCI_DEVICE_ID, pc.deviceId);
  c[PCI_REVISION_ID] = pc.revision ?? 0;
  setWord(c, PCI_CLASS_DEVICE, pc.classId);
  setWord(c, PCI_SUBSYSTEM_VENDOR_ID, pc.subsystemVendorId ?? DEFAULT_SUB_VENDOR);
  setWord(c, PCI_SUBSYSTEM_ID, pc.subsystemId ?? DEFAULT_SUB_DEVICE);
  w[PCI_CACHE_LINE_SIZE] = 0xff;
  w[PCI_INTERRUPT_LINE] = 0xff;
  setWord(w, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_SERR);
  w.fill(0xff, PCI_CONFIG_HEADER_SIZE);
  setWord(d.w1cmask, PCI_STATUS, PCI_STATUS_W1C);
  if (d.multifunction) c[PCI_HEADER_TYPE]! |= PCI_HEADER_TYPE_MULTI_FUNCTION;
  for (const bar of pc.bars ?? []) {
    const type = bar.io ? PCI_BASE_ADDRESS_SPACE_IO
      : (bar.prefetch ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0) | (bar.mem64 ? PCI_BASE_ADDRESS_MEM_TYPE_64 : 0);
    pciRegisterBar(d, bar.index, type, bar.size);
  }
}

/** pci_register_bar(): the BAR's type bits, and a write mask that keeps the size's low bits zero. */
export function pciRegisterBar(d: PCIDevice, n: number, type: number, size: number): void {
  if (size & (size - 1)) throw new RangeError('PCI BAR size must be a power of 2');
  const r = d.ioRegions[n]!;
  r.size = size;
  r.type = type;
  r.addr = PCI_BAR_UNMAPPED;
  const off = pciBar(n);
  // ~(size - 1) as 64 bits: the high dword of a 64-bit BAR is wholly writable below 4 GiB sizes.
  const wlo = (~(size - 1) | (n === PCI_ROM_SLOT ? 1 : 0)) >>> 0;
  setLong(d.config, off, type);
  setLong(d.wmask, off, wlo);
  if (!(type & PCI_BASE_ADDRESS_SPACE_IO) && type & PCI_BASE_ADDRESS_MEM_TYPE_64) setLong(d.wmask, off + 4, 0xffffffff);
}

/** pci_bar_address(): where region `n` decodes now, or PCI_BAR_UNMAPPED. */
function pciBarAddress(d: PCIDevice, n: number): number {
  const r = d.ioRegions[n]!;
  const cmd = getWord(d.config, PCI_COMMAND);
  const off = pciBar(n);
  if (r.type & PCI_BASE_ADDRESS_SPACE_IO) {
    if (!(cmd & PCI_COMMAND_IO)) return PCI_BAR_UNMAPPED;
    const a = (getLong(d.config, off) & ~(r.size - 1)) >>> 0;
    const last = a + r.size - 1;
    // A BAR that wraps, reaches the top, or sits at 0 is not decoded (QEMU's allow_0_address is off on the PC).
    if (last <= a || last >= 0xffffffff || a === 0) return PCI_BAR_UNMAPPED;
    return a;
  }
  if (!(cmd & PCI_COMMAND_MEMORY)) return PCI_BAR_UNMAPPED;
  const lo = getLong(d.config, off);
  // The expansion ROM decodes only with its enable bit.
  if (n === PCI_ROM_SLOT && !(lo & 1)) return PCI_BAR_UNMAPPED;
  const hi = r.type & PCI_BASE_ADDRESS_MEM_TYPE_64 ? getLong(d.config, off + 4) : 0;
  const addr = hi * 2 ** 32 + ((lo & ~(r.size - 1)) >>> 0);
  const last = addr + r.size - 1;
  if (addr === 0) return PCI_BAR_UNMAPPED;
  // A 32-bit BAR must end below 4 GiB (QEMU's wrap-around check).
  if (!(r.type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= 0xffffffff) return PCI_BAR_UNMAPPED;
  return addr;
}

/** pci_update_mappings(): moves every BAR whose decoded address changed. */
function pciUpdateMappings(d: PCIDevice): void {
  for (let n = 0; n < PCI_NUM_REGIONS; n++) {
    const r = d.ioRegions[n]!;
    if (!r.size) continue;
    const addr = pciBarAddress(d, n);
    if (addr === r.addr) continue;
    r.addr = addr;
    r.onMap?.(d, addr);
  }
}

/** pci_default_read_config(): little-endian bytes of the config space. */
export function pciDefaultReadConfig(d: PCIDevice, addr: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v |= d.config[addr + i]! << (8 * i);
  return v >>> 0;
}

/**
 * pci_default_write_config(): each byte takes the writable bits of the value,
 * and the write-one-to-clear bits it sets are cleared; BARs, the ROM BAR and
 * the command register remap the regions.
 */
export function pciDefaultWriteConfig(d: PCIDevice, addr: number, val: number, len: number): void {
  const c = d.config;
  const wasDisabled = pciIrqDisabled(d);
  for (let i = 0; i < len; i++) {
    const a = addr + i;
    const b = (val >>> (8 * i)) & 0xff;
    const wm = d.wmask[a]!, w1c = d.w1cmask[a]!;
    c[a] = (c[a]! & ~wm) | (b & wm);
    c[a]! &= ~(b & w1c);
  }
  const end = addr + len;
  const overlaps = (s: number, l: number): boolean => addr < s + l && s < end;
  if (overlaps(PCI_BASE_ADDRESS_0, 24) || overlaps(PCI_ROM_ADDRESS, 4) || overlaps(PCI_COMMAND, 2)) pciUpdateMappings(d);
  if (overlaps(PCI_COMMAND, 2)) pciUpdateIrqDisabled(d, wasDisabled);
}

const pciIrqDisabled = (d: PCIDevice): boolean => (getWord(d.config, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) !== 0;

/** pci_change_irq_level(): a pin's assertion count on its bus line (root bus only: no bridges yet). */
function pciChangeIrqLevel(d: PCIDevice, pin: number, change: number): void {
  const bus = qdevGetParentBus(d) as PCIBus | undefined;
  if (!bus || !change) return;
  const irq = bus.mapIrq(d, pin);
  bus.irqCount[irq]! += change;
  bus.setIrq?.(bus.irqOpaque, irq, bus.irqCount[irq] !== 0 ? 1 : 0);
}

/** pci_update_irq_disabled(): INTX_DISABLE withdraws (or restores) the asserted pins. */
function pciUpdateIrqDisabled(d: PCIDevice, wasDisabled: boolean): void {
  const disabled = pciIrqDisabled(d);
  if (disabled === wasDisabled) return;
  for (let pin = 0; pin < 4; pin++) {
    const state = (d.irqState >> pin) & 1;
    pciChangeIrqLevel(d, pin, disabled ? -state : state);
  }
}

/** pci_host_config_read_common(): the device's config_read, limited to the config space. */
export function pciConfigRead(d: PCIDevice, addr: number, len: number): number {
  const read = pciDeviceClass(d.klass).configRead;
  return read ? read(d, addr, len) : pciDefaultReadConfig(d, addr, len);
}

export function pciConfigWrite(d: PCIDevice, addr: number, val: number, len: number): void {
  const write = pciDeviceClass(d.klass).configWrite;
  if (write) write(d, addr, val, len);
  else pciDefaultWriteConfig(d, addr, val, len);
}

/**
 * pci_set_irq(): the function's interrupt pin (config 0x3d) at `level`; the
 * status register's interrupt bit follows, and INTX_DISABLE keeps it off the bus.
 */
export function pciSetIrq(d: PCIDevice, level: number): void {
  const pin = d.config[PCI_INTERRUPT_PIN]! - 1;
  if (pin < 0 || pin > 3) return;
  const change = (level ? 1 : 0) - ((d.irqState >> pin) & 1);
  if (!change) return;
  d.irqState ^= 1 << pin;
  const any = d.irqState !== 0;
  d.config[PCI_STATUS] = any ? d.config[PCI_STATUS]! | PCI_STATUS_INTERRUPT : d.config[PCI_STATUS]! & ~PCI_STATUS_INTERRUPT;
  if (pciIrqDisabled(d)) return;
  pciChangeIrqLevel(d, pin, change);
}

/**
 * pci_device_reset(): the device's own reset, then the generic part: INTx
 * lowered, writable command/status/interrupt-line bits cleared, the cache
 * line size zeroed, BARs back to their type bits and unmapped.
 */
export function pciDeviceReset(d: PCIDevice): void {
  pciDeviceClass(d.klass).pciReset?.(d);
  if (!pciIrqDisabled(d)) {
    for (let pin = 0; pin < 4; pin++) pciChangeIrqLevel(d, pin, -((d.irqState >> pin) & 1));
  }
  d.irqState = 0;
  d.config[PCI_STATUS]! &= ~PCI_STATUS_INTERRUPT;
  const c = d.config;
  setWord(c, PCI_COMMAND, getWord(c, PCI_COMMAND) & ~(getWord(d.wmask, PCI_COMMAND) | getWord(d.w1cmask, PCI_COMMAND)));
  setWord(c, PCI_STATUS, getWord(c, PCI_STATUS) & ~(getWord(d.wmask, PCI_STATUS) | getWord(d.w1cmask, PCI_STATUS)));
  c[PCI_INTERRUPT_LINE]! &= ~(d.wmask[PCI_INTERRUPT_LINE]! | d.w1cmask[PCI_INTERRUPT_LINE]!);
  c[PCI_CACHE_LINE_SIZE] = 0;
  for (let n = 0; n < PCI_NUM_REGIONS; n++) {
    const r = d.ioRegions[n]!;
    if (!r.size) continue;
    setLong(c, pciBar(n), r.type);
    if (!(r.type & PCI_BASE_ADDRESS_SPACE_IO) && r.type & PCI_BASE_ADDRESS_MEM_TYPE_64) setLong(c, pciBar(n) + 4, 0);
  }
  pciUpdateMappings(d);
}

/** pcibus_reset(): every function on the bus, in devfn order. */
export function pciBusReset(bus: PCIBus): void {
  for (const d of bus.devices) if (d) pciDeviceReset(d);
}

/** pci_qdev_realize(): claims the slot, then runs the class's realize; a failure frees the slot. */
function pciQdevRealize(dev: DeviceState): void {
  const d = dev as PCIDevice;
  const bus = qdevGetParentBus(d) as PCIBus;
  pciClaimDevfn(bus, d);
  try {
    pciConfigInit(d);
    pciDeviceClass(d.klass).pciRealize?.(d);
    // Our buses are conventional PCI, never PCI Express.
    if (qdevPropGet(d, 'failover_pair_id')) throw new QemuError('failover primary device must be on PCIExpress bus');
  } catch (e) {
    bus.devices[d.devfn] = undefined;
    d.devfn = -1;
    throw e;
  }
  // The machine's system reset runs after creation (qemu_system_reset in qdev_machine_creation_done):
  // a function is seen in its reset state from the start.
  pciDeviceReset(d);
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
