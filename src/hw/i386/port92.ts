/*
 * Port 0x92, "system control port A" (hw/i386/port92.c): bit 1 drives A20,
 * writing bit 0 set resets the machine.
 */
import { objectNew, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaRegisterBytePorts } from '../isa/isa-io.js';
import { qemuSetIrq, type QemuIrq } from '../core/irq.js';
import { qemuSystemResetRequest } from '../core/reset-request.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_PORT92 = 'port92';

export class Port92State extends DeviceState {
  outport = 0;
  a20Out: QemuIrq = null;
}

const port92Ops: IOPortOps = {
  read: (o) => (o as Port92State).outport,
  write: (o, _a, val) => {
    const s = o as Port92State;
    const old = s.outport;
    s.outport = val & ~1;
    qemuSetIrq(s.a20Out, (val >> 1) & 1);
    if (val & 1 && !(old & 1)) qemuSystemResetRequest();
  },
};

export function port92Init(bus: BusState, a20: QemuIrq): Port92State {
  const s = objectNew(TYPE_PORT92) as Port92State;
  s.a20Out = a20;
  qdevRealizeOnBus(s, bus);
  return s;
}

export function registerPort92Types(): void {
  typeRegisterStatic({
    name: TYPE_PORT92,
    parent: TYPE_ISA_DEVICE,
    instance: Port92State,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.userCreatable = false;
      dc.realize = (d) => {
        isaRegisterBytePorts(d, 0x92, 1, port92Ops, d);
        (d as Port92State).outport = 0;
      };
      dc.reset = (d) => ((d as Port92State).outport &= ~1);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-out "a20" 1'];
    },
  });
}
