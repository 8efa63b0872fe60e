/*
 * The I/O APIC (hw/intc/ioapic.c, ioapic_common.c, QEMU 7.2): 24 input pins,
 * an indirect register window (IOREGSEL at 0x00, IOWIN at 0x10, and on
 * version 0x20 the EOI register at 0x40), the ID, version and arbitration
 * registers, and one 64-bit redirection entry per pin.  An unmasked pin is
 * delivered as QEMU's ioapic_service does it: the entry becomes an MSI message
 * (address 0xfee00000 | destination << 12 | destination mode << 2, data =
 * vector | delivery mode << 8 | trigger mode << 15) written as one 32-bit store
 * into the system address space, where the local APICs' MSI region takes it.
 * Level-triggered pins hold remote IRR until the LAPIC's EOI of their vector
 * comes back through ioapicEoiBroadcast().
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { QemuError } from '../../util/error.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { TYPE_SYS_BUS_DEVICE, sysbusGetDefault, sysbusInitMmio } from '../core/sysbus.js';
import { qdevGetParentBus } from '../core/bus.js';
import { qemuAllocateIrqs, type IRQState } from '../core/irq.js';
import { MemoryRegion, type AddressSpace, type MemoryRegionOps } from '../../exec/memory.js';
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs, timerMod, timerNew, timerPending, timerExpireTime, type QEMUTimer } from '../../qemu/timer.js';

export const TYPE_IOAPIC_COMMON = 'ioapic-common';
export const TYPE_IOAPIC = 'ioapic';
export const IO_APIC_DEFAULT_ADDRESS = 0xfec00000;
export const IOAPIC_NUM_PINS = 24;
const MAX_IOAPICS = 2;

// Redirection entry, low dword.
const IOAPIC_LVT_MASKED = 1 << 16;
const IOAPIC_LVT_TRIGGER_MODE = 1 << 15;
const IOAPIC_LVT_REMOTE_IRR = 1 << 14;
const IOAPIC_LVT_DELIV_STATUS = 1 << 12;
const IOAPIC_LVT_DEST_MODE_SHIFT = 11;
const IOAPIC_LVT_DELIV_MODE_SHIFT = 8;
/** Remote IRR and delivery status are read-only. */
const IOAPIC_RO_BITS = IOAPIC_LVT_REMOTE_IRR | IOAPIC_LVT_DELIV_STATUS;
const IOAPIC_DM_EXTINT = 7;
const IOAPIC_VECTOR_MASK = 0xff;

const IOAPIC_IOREGSEL = 0x00;
const IOAPIC_IOWIN = 0x10;
const IOAPIC_EOI = 0x40;
const IOAPIC_REG_ID = 0x00;
const IOAPIC_REG_VER = 0x01;
const IOAPIC_REG_ARB = 0x02;
const IOAPIC_REG_REDTBL_BASE = 0x10;
const IOAPIC_ID_SHIFT = 24;
const IOAPIC_ID_MASK = 0xf;
const IOAPIC_VER_ENTRIES_SHIFT = 16;

/** hw/i386/apic-msidef.h: where the MSI address and data fields sit. */
export const APIC_DEFAULT_ADDRESS = 0xfee00000;
const MSI_ADDR_DEST_IDX_SHIFT = 4;
const MSI_ADDR_DEST_MODE_SHIFT = 2;
const MSI_DATA_DELIVERY_MODE_SHIFT = 8;
const MSI_DATA_TRIGGER_SHIFT = 15;

/** A guest that EOIs a still-asserted level interrupt this often in a row gets it 10 ms later (storm damping). */
const SUCCESSIVE_IRQ_MAX_COUNT = 10000;

export class IOAPICCommonState extends DeviceState {
  /** The IOAPIC ID register (bits 24-27). */
  ioapicId = 0;
  /** IOREGSEL is a byte register. */
  ioregsel = 0;
  /** Pins whose request waits for delivery (level: asserted; edge: latched). */
  irr = 0;
  /** Redirection entries: bits 0-31 and 32-63. */
  readonly redLo = new Uint32Array(IOAPIC_NUM_PINS);
  readonly redHi = new Uint32Array(IOAPIC_NUM_PINS);
  /** Successive EOIs that found the level pin still asserted. */
  readonly irqEoi = new Uint32Array(IOAPIC_NUM_PINS);
  version = 0x20;
  /** The 24 input pins (qdev gpio-in). */
  readonly irqIn: IRQState[] = qemuAllocateIrqs(ioapicSetIrq, this, IOAPIC_NUM_PINS);
  readonly iomem = MemoryRegion.mmio('ioapic', 0x1000, ioapicIoOps, this);
  delayedServiceTimer: QEMUTimer | null = null;
  /** The address space the MSI messages are written to (X86MachineState.ioapic_as). */
  as: AddressSpace | undefined;
  /** An ExtINT pin takes its vector from the 8259's interrupt acknowledge (pic_read_irq(isa_pic)). */
  picReadIrq: (() => number) | undefined;
}

/** The IOAPICs of the current machine (ioapics[] of ioapic.c), for the EOI broadcast. */
let ioapics: IOAPICCommonState[] = [];

/**
 * ioapic_service(): every requested, unmasked pin becomes an MSI write; a
 * level pin sets remote IRR and is skipped while remote IRR was already set.
 * An ExtINT pin acknowledges the 8259 as its entry is parsed, masked or not.
 */
function ioapicService(s: IOAPICCommonState): void {
  for (let i = 0; i < IOAPIC_NUM_PINS; i++) {
    const mask = 1 << i;
    if (!(s.irr & mask)) continue;
    const lo = s.redLo[i]!;
    const vector = ((lo >>> IOAPIC_LVT_DELIV_MODE_SHIFT) & 7) === IOAPIC_DM_EXTINT ? (s.picReadIrq?.() ?? 0) & 0xff : lo & IOAPIC_VECTOR_MASK;
    if (lo & IOAPIC_LVT_MASKED) continue;
    const level = (lo & IOAPIC_LVT_TRIGGER_MODE) !== 0;
    if (!level) {
      s.irr &= ~mask;
    } else {
      const coalesce = lo & IOAPIC_LVT_REMOTE_IRR;
      s.redLo[i] = lo | IOAPIC_LVT_REMOTE_IRR;
      // The guest still handles the previous interrupt of this pin.
      if (coalesce) continue;
    }
    ioapicDeliver(s, lo, s.redHi[i]!, vector);
  }
}

/** ioapic_entry_parse() + stl_le_phys(): the entry's MSI message into the address space. */
function ioapicDeliver(s: IOAPICCommonState, lo: number, hi: number, vector: number): void {
  const deliveryMode = (lo >>> IOAPIC_LVT_DELIV_MODE_SHIFT) & 7;
  const addr = ioapicMsiAddress(lo, hi);
  const data = vector | (deliveryMode << MSI_DATA_DELIVERY_MODE_SHIFT) | (((lo >>> 15) & 1) << MSI_DATA_TRIGGER_SHIFT);
  s.as?.writeSlow(addr, data, 4);
}

/**
 * The MSI address of an entry: bits 48-63 (destination ID and the reserved
 * byte, which interrupt remapping would use) at bit 4, the destination mode at bit 2.
 */
export function ioapicMsiAddress(lo: number, hi: number): number {
  const destIdx = hi >>> 16;
  const destMode = (lo >>> IOAPIC_LVT_DEST_MODE_SHIFT) & 1;
  return (APIC_DEFAULT_ADDRESS | (destIdx << MSI_ADDR_DEST_IDX_SHIFT) | (destMode << MSI_ADDR_DEST_MODE_SHIFT)) >>> 0;
}

/**
 * ioapic_set_irq(): ISA IRQ 0 arrives on pin 2 (the MADT's interrupt source
 * override), every other input on its own pin.  Edge requests on a masked pin are lost.
 */
function ioapicSetIrq(opaque: unknown, n: number, level: number): void {
  const s = opaque as IOAPICCommonState;
  const pin = n === 0 ? 2 : n;
  if (pin >= IOAPIC_NUM_PINS) return;
  const mask = 1 << pin;
  const lo = s.redLo[pin]!;
  if (lo & IOAPIC_LVT_TRIGGER_MODE) {
    if (level) {
      s.irr |= mask;
      if (!(lo & IOAPIC_LVT_REMOTE_IRR)) ioapicService(s);
    } else {
      s.irr &= ~mask;
    }
  } else if (level && !(lo & IOAPIC_LVT_MASKED)) {
    s.irr |= mask;
    ioapicService(s);
  }
}

/**
 * ioapic_eoi_broadcast(): the local APIC's EOI of `vector` clears remote IRR on
 * every level-triggered pin with that vector; a pin still asserted and unmasked
 * is delivered again.
 */
export function ioapicEoiBroadcast(vector: number): void {
  for (const s of ioapics) {
    for (let n = 0; n < IOAPIC_NUM_PINS; n++) {
      const lo = s.redLo[n]!;
      if ((lo & IOAPIC_VECTOR_MASK) !== vector || !(lo & IOAPIC_LVT_TRIGGER_MODE)) continue;
      if (!(lo & IOAPIC_LVT_REMOTE_IRR)) continue;
      s.redLo[n] = lo & ~IOAPIC_LVT_REMOTE_IRR;
      if (!(lo & IOAPIC_LVT_MASKED) && (s.irr & (1 << n))) {
        if (++s.irqEoi[n]! >= SUCCESSIVE_IRQ_MAX_COUNT) {
          // Real hardware does not redeliver during the EOI: a guest stuck on the line still progresses.
          s.irqEoi[n] = 0;
          const t = s.delayedServiceTimer!;
          const when = qemuClockGetNs(QEMU_CLOCK_VIRTUAL) + 1e9 / 100;
          if (!timerPending(t) || timerExpireTime(t) > when) timerMod(t, when);
        } else {
          ioapicService(s);
        }
      } else {
        s.irqEoi[n] = 0;
      }
    }
  }
}

function ioapicMemRead(opaque: unknown, offset: number, size: number): number {
  const s = opaque as IOAPICCommonState;
  let val = 0;
  switch (offset & 0xff) {
    case IOAPIC_IOREGSEL:
      val = s.ioregsel;
      break;
    case IOAPIC_IOWIN:
      if (size !== 4) break;
      switch (s.ioregsel) {
        case IOAPIC_REG_ID:
        case IOAPIC_REG_ARB:
          val = (s.ioapicId << IOAPIC_ID_SHIFT) >>> 0;
          break;
        case IOAPIC_REG_VER:
          val = s.version | ((IOAPIC_NUM_PINS - 1) << IOAPIC_VER_ENTRIES_SHIFT);
          break;
        default: {
          const index = (s.ioregsel - IOAPIC_REG_REDTBL_BASE) >> 1;
          if (index >= 0 && index < IOAPIC_NUM_PINS) val = s.ioregsel & 1 ? s.redHi[index]! : s.redLo[index]!;
        }
      }
      break;
  }
  // The memory core keeps the bytes of the access.
  return size === 4 ? val : val & ((1 << (size * 8)) - 1);
}

function ioapicMemWrite(opaque: unknown, offset: number, val: number, size: number): void {
  const s = opaque as IOAPICCommonState;
  switch (offset & 0xff) {
    case IOAPIC_IOREGSEL:
      s.ioregsel = val & 0xff;
      break;
    case IOAPIC_IOWIN: {
      if (size !== 4) break;
      switch (s.ioregsel) {
        case IOAPIC_REG_ID:
          s.ioapicId = (val >>> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
          break;
        case IOAPIC_REG_VER:
        case IOAPIC_REG_ARB:
          break;
        default: {
          const index = (s.ioregsel - IOAPIC_REG_REDTBL_BASE) >> 1;
          if (index < 0 || index >= IOAPIC_NUM_PINS) break;
          const ro = s.redLo[index]! & IOAPIC_RO_BITS;
          if (s.ioregsel & 1) s.redHi[index] = val;
          else s.redLo[index] = (val & ~IOAPIC_RO_BITS) | ro;
          s.irqEoi[index] = 0;
          // Linux EOIs a pin by switching it to edge and back: an edge entry has no remote IRR.
          if (!(s.redLo[index]! & IOAPIC_LVT_TRIGGER_MODE)) s.redLo[index] = s.redLo[index]! & ~IOAPIC_LVT_REMOTE_IRR;
          ioapicService(s);
        }
      }
      break;
    }
    case IOAPIC_EOI:
      // The directed EOI register exists on version 0x20 only.
      if (size !== 4 || s.version !== 0x20) break;
      // The whole value is the vector: 0x131 matches no entry.
      ioapicEoiBroadcast(val);
      break;
  }
}

const ioapicIoOps: MemoryRegionOps = { read: ioapicMemRead, write: ioapicMemWrite };

/** ioapic_reset_common(): ID 0, every pin masked edge-triggered with vector 0. */
export function ioapicReset(s: IOAPICCommonState): void {
  s.ioapicId = 0;
  s.ioregsel = 0;
  s.irr = 0;
  s.redLo.fill(IOAPIC_LVT_MASKED);
  s.redHi.fill(0);
}

function ioapicRealize(dev: DeviceState): void {
  const s = dev as IOAPICCommonState;
  // Only the IOAPICs of the machine being built count (tests build several machines in one process).
  ioapics = ioapics.filter((o) => qdevGetParentBus(o) === sysbusGetDefault());
  if (ioapics.length >= MAX_IOAPICS) throw new QemuError(`Only ${MAX_IOAPICS} ioapics allowed`);
  s.version = qdevPropGet(s, 'version') as number;
  if (s.version !== 0x11 && s.version !== 0x20) {
    throw new QemuError('IOAPIC only supports version 0x11 or 0x20 (default: 0x20).');
  }
  sysbusInitMmio(s, s.iomem);
  s.delayedServiceTimer = timerNew(QEMU_CLOCK_VIRTUAL, (o) => ioapicService(o as IOAPICCommonState), s);
  ioapics.push(s);
  ioapicReset(s);
}

export function registerIoapicTypes(): void {
  typeRegisterStatic({ name: TYPE_IOAPIC_COMMON, parent: TYPE_SYS_BUS_DEVICE, abstract: true, instance: IOAPICCommonState });
  typeRegisterStatic({
    name: TYPE_IOAPIC,
    parent: TYPE_IOAPIC_COMMON,
    instance: IOAPICCommonState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.realize = ioapicRealize;
      dc.reset = (d) => ioapicReset(d as IOAPICCommonState);
      deviceClassSetProps(oc, [{ name: 'version', kind: 'uint8', def: 0x20 }]);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-in "" 24'];
    },
  });
}
