/*
 * isa-serial (hw/char/serial-isa.c): the 16550 core as child "serial", at
 * COM1-COM4's port and IRQ for its index.  chardev/baudbase/wakeup are
 * aliases of the core's properties, as qdev_alias_all_properties makes them.
 */
import {
  objectClassPropertyAdd, objectNew, objectPropertyAddChild, objectPropertyFind, typeRegisterStatic,
} from '../../qom/object.js';
import { QemuError } from '../../util/error.js';
import { DeviceState, deviceClass, qdevRealize } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet, qdevPropSetRaw } from '../core/qdev-properties.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaGetIrq, isaRegisterBytePorts } from '../isa/isa-io.js';
import type { Chardev } from '../../chardev/char.js';
import { TYPE_SERIAL, SerialState, serialIoportRead, serialIoportWrite, serialReset } from './serial.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_ISA_SERIAL = 'isa-serial';
export const MAX_ISA_SERIAL_PORTS = 4;
const isaSerialIo = [0x3f8, 0x2f8, 0x3e8, 0x2e8];
const isaSerialIrq = [4, 3, 4, 3];

export class ISASerialState extends DeviceState {
  state!: SerialState;
}

/** Realized isa-serial devices take the next index when none is given (QEMU's static counter). */
let nextIndex = 0;

export function serialIsaResetIndex(): void {
  nextIndex = 0;
}

const serialOps: IOPortOps = {
  read: (o, addr) => serialIoportRead(o as SerialState, addr),
  write: (o, addr, v) => serialIoportWrite(o as SerialState, addr, v),
};

function serialIsaRealize(dev: DeviceState): void {
  const isa = dev as ISASerialState;
  let index = qdevPropGet(isa, 'index') as number;
  if (index === 0xffffffff) index = nextIndex;
  if (index >= MAX_ISA_SERIAL_PORTS) throw new QemuError(`Max. supported number of ISA serial ports is ${MAX_ISA_SERIAL_PORTS}.`);
  let iobase = qdevPropGet(isa, 'iobase') as number;
  if (iobase === 0xffffffff) iobase = isaSerialIo[index]!;
  let irq = qdevPropGet(isa, 'irq') as number;
  if (irq === 0xffffffff) irq = isaSerialIrq[index]!;
  if (irq >= 16) throw new QemuError(`Maximum value for "irq" is: 15`);
  nextIndex++;
  qdevPropSetRaw(isa, 'index', index);
  qdevPropSetRaw(isa, 'iobase', iobase);
  qdevPropSetRaw(isa, 'irq', irq);
  isa.state.irq = isaGetIrq(dev, irq);
  qdevRealize(isa.state);
  isaRegisterBytePorts(dev, iobase, 8, serialOps, isa.state);
}

/** serial_isa_init(): COM<index+1> on `chr`. */
export function serialIsaInit(bus: BusState, index: number, chr: Chardev): ISASerialState {
  const dev = objectNew(TYPE_ISA_SERIAL) as ISASerialState;
  qdevPropSetRaw(dev, 'index', index);
  qdevPropSetRaw(dev.state, 'chardev', chr.label);
  qdevRealizeOnBus(dev, bus);
  return dev;
}

/** serial_hds_isa_init(): one isa-serial per -serial chardev (COM1-COM4). */
export function serialHdsIsaInit(bus: BusState, serialHds: ReadonlyArray<Chardev | undefined>): ISASerialState[] {
  const out: ISASerialState[] = [];
  for (let i = 0; i < MAX_ISA_SERIAL_PORTS; i++) {
    const chr = serialHds[i];
    if (chr) out.push(serialIsaInit(bus, i, chr));
  }
  return out;
}

export function registerSerialIsaTypes(): void {
  typeRegisterStatic({
    name: TYPE_ISA_SERIAL,
    parent: TYPE_ISA_DEVICE,
    instance: ISASerialState,
    instanceInit: (obj) => {
      const isa = obj as ISASerialState;
      isa.state = objectNew(TYPE_SERIAL) as SerialState;
      objectPropertyAddChild(isa, 'serial', isa.state);
    },
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.category = 'input';
      dc.realize = serialIsaRealize;
      dc.reset = (d) => serialReset((d as ISASerialState).state);
      deviceClassSetProps(oc, [
        { name: 'index', kind: 'uint32', def: 0xffffffff },
        { name: 'iobase', kind: 'uint32', def: 0xffffffff },
        { name: 'irq', kind: 'uint32', def: 0xffffffff },
      ]);
      for (const name of ['chardev', 'baudbase', 'wakeup']) {
        const target = objectPropertyFind(objectNew(TYPE_SERIAL), name)!;
        objectClassPropertyAdd(oc, {
          name, type: target.type, description: target.description, defaultValue: target.defaultValue,
          get: (o) => target.get!((o as ISASerialState).state),
          set: (o, v) => target.set!((o as ISASerialState).state, v),
        });
      }
    },
  });
}
