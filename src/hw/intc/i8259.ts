/*
 * The 8259A programmable interrupt controller pair (hw/intc/i8259.c,
 * i8259_common.c): master at 0x20 with ELCR 0x4d0, slave at 0xa0 with ELCR
 * 0x4d1, the slave's INT on the master's IR2.  The master's INT output goes to
 * the CPU; the CPU's interrupt acknowledge is picReadIrq().
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { QemuError } from '../../util/error.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet, qdevPropSetRaw } from '../core/qdev-properties.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { objectNew } from '../../qom/object.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaRegisterBytePorts } from '../isa/isa-io.js';
import { qemuAllocateIrqs, qemuSetIrq, type IRQState, type QemuIrq } from '../core/irq.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_ISA_I8259 = 'isa-i8259';

export class PICCommonState extends DeviceState {
  lastIrr = 0;
  irr = 0;
  imr = 0;
  isr = 0;
  priorityAdd = 0;
  irqBase = 0;
  readRegSelect = 0;
  poll = 0;
  specialMask = 0;
  initState = 0;
  autoEoi = 0;
  rotateOnAutoEoi = 0;
  specialFullyNestedMode = 0;
  init4 = 0;
  singleMode = 0;
  ltim = 0;
  elcr = 0;
  elcrMask = 0;
  master = false;
  /** The INT output: the CPU for the master, the master's IR2 for the slave. */
  intOut: QemuIrq = null;
  /** The eight IR inputs (qdev gpio-in). */
  irqIn: IRQState[] = qemuAllocateIrqs(picSetIrqHandler, this, 8);
}

/** The priority of the highest-priority bit in `mask` (8: none), relative to the rotation. */
function getPriority(s: PICCommonState, mask: number): number {
  if (mask === 0) return 8;
  let priority = 0;
  while ((mask & (1 << ((priority + s.priorityAdd) & 7))) === 0) priority++;
  return priority;
}

/** The IRQ to deliver now, or -1. */
function picGetIrq(s: PICCommonState): number {
  let mask = s.irr & ~s.imr;
  const priority = getPriority(s, mask);
  if (priority === 8) return -1;
  // The slave's interrupts are still seen in special fully nested mode while its IR2 is in service.
  mask = s.isr;
  if (s.specialMask) mask &= ~s.imr;
  if (s.specialFullyNestedMode && s.master) mask &= ~(1 << 2);
  const curPriority = getPriority(s, mask);
  return priority < curPriority ? (priority + s.priorityAdd) & 7 : -1;
}

function picUpdateIrq(s: PICCommonState): void {
  qemuSetIrq(s.intOut, picGetIrq(s) >= 0 ? 1 : 0);
}

function picSetIrqHandler(opaque: unknown, irq: number, level: number): void {
  const s = opaque as PICCommonState;
  const mask = 1 << irq;
  if (s.ltim || s.elcr & mask) {
    // Level triggered.
    if (level) {
      s.irr |= mask;
      s.lastIrr |= mask;
    } else {
      s.irr &= ~mask;
      s.lastIrr &= ~mask;
    }
  } else if (level) {
    // Edge triggered: a rising edge.
    if ((s.lastIrr & mask) === 0) s.irr |= mask;
    s.lastIrr |= mask;
  } else {
    s.lastIrr &= ~mask;
  }
  picUpdateIrq(s);
}

function picIntack(s: PICCommonState, irq: number): void {
  if (s.autoEoi) {
    if (s.rotateOnAutoEoi) s.priorityAdd = (irq + 1) & 7;
  } else {
    s.isr |= 1 << irq;
  }
  // A level-sensitive request stays in IRR.
  if (!s.ltim && !(s.elcr & (1 << irq))) s.irr &= ~(1 << irq);
  picUpdateIrq(s);
}

/**
 * pic_read_irq(): the CPU's INTA cycle on the master (and through IR2 the
 * slave).  Returns the vector; a spurious request gives IRQ 7's vector.
 */
export function picReadIrq(master: PICCommonState, slave: PICCommonState): number {
  let irq = picGetIrq(master);
  let intno: number;
  if (irq >= 0) {
    if (irq === 2) {
      let irq2 = picGetIrq(slave);
      if (irq2 >= 0) picIntack(slave, irq2);
      else irq2 = 7; // spurious IRQ on the slave
      intno = slave.irqBase + irq2;
    } else {
      intno = master.irqBase + irq;
    }
    picIntack(master, irq);
  } else {
    irq = 7; // spurious IRQ on the master
    intno = master.irqBase + irq;
  }
  return intno;
}

/** Whether the master's INT output is asserted (the CPU polls this after an unmask). */
export function picGetOutput(s: PICCommonState): boolean {
  return picGetIrq(s) >= 0;
}

function picInitReset(s: PICCommonState): void {
  s.lastIrr = 0;
  s.irr &= s.elcr;
  s.imr = 0;
  s.isr = 0;
  s.priorityAdd = 0;
  s.irqBase = 0;
  s.readRegSelect = 0;
  s.poll = 0;
  s.specialMask = 0;
  s.initState = 0;
  s.autoEoi = 0;
  s.rotateOnAutoEoi = 0;
  s.specialFullyNestedMode = 0;
  s.init4 = 0;
  s.singleMode = 0;
  s.ltim = 0;
  picUpdateIrq(s);
}

export function picReset(s: PICCommonState): void {
  picInitReset(s);
  s.elcr = 0;
}

function picIoportWrite(opaque: unknown, addr: number, val: number): void {
  const s = opaque as PICCommonState;
  if ((addr & 1) === 0) {
    if (val & 0x10) {
      // ICW1
      picInitReset(s);
      s.initState = 1;
      s.init4 = val & 1;
      s.singleMode = val & 2;
      s.ltim = val & 8;
    } else if (val & 0x08) {
      // OCW3
      if (val & 0x04) s.poll = 1;
      if (val & 0x02) s.readRegSelect = val & 1;
      if (val & 0x40) s.specialMask = (val >> 5) & 1;
    } else {
      // OCW2
      const cmd = val >> 5;
      switch (cmd) {
        case 0: case 4:
          s.rotateOnAutoEoi = cmd >> 2;
          break;
        case 1: case 5: { // non-specific EOI (with rotation)
          const priority = getPriority(s, s.isr);
          if (priority !== 8) {
            const irq = (priority + s.priorityAdd) & 7;
            s.isr &= ~(1 << irq);
            if (cmd === 5) s.priorityAdd = (irq + 1) & 7;
            picUpdateIrq(s);
          }
          break;
        }
        case 3: // specific EOI
          s.isr &= ~(1 << (val & 7));
          picUpdateIrq(s);
          break;
        case 6: // set priority
          s.priorityAdd = (val + 1) & 7;
          picUpdateIrq(s);
          break;
        case 7: { // specific EOI with rotation
          const irq = val & 7;
          s.isr &= ~(1 << irq);
          s.priorityAdd = (irq + 1) & 7;
          picUpdateIrq(s);
          break;
        }
        default:
          break;
      }
    }
    return;
  }
  switch (s.initState) {
    case 0: // OCW1
      s.imr = val;
      picUpdateIrq(s);
      break;
    case 1: // ICW2
      s.irqBase = val & 0xf8;
      s.initState = s.singleMode ? (s.init4 ? 3 : 0) : 2;
      break;
    case 2: // ICW3
      s.initState = s.init4 ? 3 : 0;
      break;
    case 3: // ICW4
      s.specialFullyNestedMode = (val >> 4) & 1;
      s.autoEoi = (val >> 1) & 1;
      s.initState = 0;
      break;
  }
}

function picIoportRead(opaque: unknown, addr: number): number {
  const s = opaque as PICCommonState;
  if (s.poll) {
    let ret = picGetIrq(s);
    if (ret >= 0) {
      picIntack(s, ret);
      ret |= 0x80;
    } else {
      ret = 0;
    }
    s.poll = 0;
    return ret;
  }
  if ((addr & 1) === 0) return s.readRegSelect ? s.isr : s.irr;
  return s.imr;
}

const picOps: IOPortOps = {
  read: (o, addr) => picIoportRead(o, addr),
  write: (o, addr, v) => picIoportWrite(o, addr, v),
};

const elcrOps: IOPortOps = {
  read: (o) => (o as PICCommonState).elcr,
  write: (o, _a, v) => {
    const s = o as PICCommonState;
    s.elcr = v & s.elcrMask;
  },
};

function picRealize(dev: DeviceState): void {
  const s = dev as PICCommonState;
  const iobase = qdevPropGet(s, 'iobase') as number;
  const elcrAddr = qdevPropGet(s, 'elcr_addr') as number;
  if (iobase === 0xffffffff || elcrAddr === 0xffffffff) throw new QemuError('isa-i8259 needs iobase and elcr_addr');
  s.elcrMask = qdevPropGet(s, 'elcr_mask') as number;
  s.master = qdevPropGet(s, 'master') as boolean;
  isaRegisterBytePorts(dev, iobase, 2, picOps, s);
  isaRegisterBytePorts(dev, elcrAddr, 1, elcrOps, s);
  picReset(s);
}

function i8259InitChip(bus: BusState, master: boolean): PICCommonState {
  const s = objectNew(TYPE_ISA_I8259) as PICCommonState;
  qdevPropSetRaw(s, 'iobase', master ? 0x20 : 0xa0);
  qdevPropSetRaw(s, 'elcr_addr', master ? 0x4d0 : 0x4d1);
  qdevPropSetRaw(s, 'elcr_mask', master ? 0xf8 : 0xde);
  qdevPropSetRaw(s, 'master', master);
  qdevRealizeOnBus(s, bus);
  return s;
}

/**
 * i8259_init(): the master and slave on `bus`, cascaded through IR2; the
 * master's INT drives `parentIrq`.  Returns the 16 ISA IRQ inputs and both chips.
 */
export function i8259Init(bus: BusState, parentIrq: QemuIrq): { irqs: IRQState[]; master: PICCommonState; slave: PICCommonState } {
  const master = i8259InitChip(bus, true);
  master.intOut = parentIrq;
  const slave = i8259InitChip(bus, false);
  slave.intOut = master.irqIn[2]!;
  return { irqs: [...master.irqIn, ...slave.irqIn], master, slave };
}

export function registerI8259Types(): void {
  typeRegisterStatic({
    name: TYPE_ISA_I8259,
    parent: TYPE_ISA_DEVICE,
    instance: PICCommonState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.userCreatable = false;
      dc.realize = picRealize;
      dc.reset = (d) => picReset(d as PICCommonState);
      deviceClassSetProps(oc, [
        { name: 'iobase', kind: 'uint32', def: 0xffffffff },
        { name: 'elcr_addr', kind: 'uint32', def: 0xffffffff },
        { name: 'elcr_mask', kind: 'uint8', def: 0xff },
        { name: 'master', kind: 'bit', def: false },
      ]);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-in "" 8', 'gpio-out "" 1'];
    },
  });
}
