/*
 * What an ISA device reaches through its bus (hw/isa/isa-bus.c): the I/O port
 * space (isa_address_space_io) and the 16 ISA IRQ lines (isa_bus_irqs /
 * isa_get_irq).  The board sets both on the bus before plugging devices.
 */
import type { IOPortOps, IOPortSpace } from '../../exec/ioport.js';
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

/**
 * A byte-wide device's ports (QEMU's .impl.max_access_size = 1): a wider IN/OUT
 * inside the range becomes byte accesses at consecutive offsets, low byte
 * first, as access_with_adjusted_size does.
 */
class ByteAccessOps implements IOPortOps {
  constructor(private readonly inner: IOPortOps) {}

  read(opaque: unknown, offset: number, size: number): number {
    if (size === 1) return this.inner.read(opaque, offset, 1);
    let v = 0;
    for (let i = 0; i < size; i++) v |= (this.inner.read(opaque, offset + i, 1) & 0xff) << (8 * i);
    return v >>> 0;
  }

  write(opaque: unknown, offset: number, value: number, size: number): void {
    if (size === 1) {
      this.inner.write(opaque, offset, value, 1);
      return;
    }
    for (let i = 0; i < size; i++) this.inner.write(opaque, offset + i, (value >>> (8 * i)) & 0xff, 1);
  }
}

/** isa_register_ioport() for a device whose registers are bytes. */
export function isaRegisterBytePorts(dev: DeviceState, start: number, len: number, ops: IOPortOps, opaque: unknown): void {
  isaBusIo(dev).register(start, len, new ByteAccessOps(ops), opaque);
}
