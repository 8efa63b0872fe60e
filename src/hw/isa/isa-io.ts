/*
 * What an ISA device reaches through its bus (hw/isa/isa-bus.c): the I/O port
 * space (isa_address_space_io) and the 16 ISA IRQ lines (isa_bus_irqs /
 * isa_get_irq).  The board sets both on the bus before plugging devices.
 */
import type { IOPortSpace } from '../../exec/ioport.js';
import type { QemuIrq } from '../core/irq.js';
import { qdevGetParentBus, type BusState } from '../core/bus.js';
import type { DeviceState } from '../core/qdev.js';

interface IsaBusResources {
  io: IOPortSpace;
  irqs: QemuIrq[];
}

const resources = new WeakMap<BusState, IsaBusResources>();

/** isa_bus_new()'s address space plus isa_bus_irqs(). */
export function isaBusSetResources(bus: BusState, io: IOPortSpace, irqs: QemuIrq[]): void {
  resources.set(bus, { io, irqs });
}

export function isaBusIrqs(bus: BusState, irqs: QemuIrq[]): void {
  const r = resources.get(bus);
  if (r) r.irqs = irqs;
}

function busResources(dev: DeviceState): IsaBusResources {
  const bus = qdevGetParentBus(dev);
  const r = bus && resources.get(bus);
  if (!r) throw new Error(`${dev.typeName}: ISA bus without I/O space`);
  return r;
}

/** isa_address_space_io(). */
export function isaBusIo(dev: DeviceState): IOPortSpace {
  return busResources(dev).io;
}

/** isa_get_irq(): ISA IRQ `n` (0-15) of the device's bus. */
export function isaGetIrq(dev: DeviceState, n: number): QemuIrq {
  return busResources(dev).irqs[n] ?? null;
}
