/*
 * isa-debugcon (hw/char/debugcon.c): bytes written to port 0xe9 go to the
 * chardev; a read returns `readback` (0xe9), which is how guests detect it.
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaBusIo } from '../isa/isa-io.js';
import { qemuChrFind } from '../../chardev/char.js';
import { qemuChrFeInit, type CharBackend } from '../../chardev/char-fe.js';
import { QemuError } from '../../util/error.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_ISA_DEBUGCON = 'isa-debugcon';

export class DebugconState extends DeviceState {
  chr: CharBackend | undefined;
  readback = 0xe9;
  readonly byte = Buffer.alloc(1);
}

const debugconOps: IOPortOps = {
  read: (o) => (o as DebugconState).readback,
  write: (o, _a, v) => {
    const s = o as DebugconState;
    s.byte[0] = v;
    s.chr?.write(s.byte);
  },
};

export function registerDebugconTypes(): void {
  typeRegisterStatic({
    name: TYPE_ISA_DEBUGCON,
    parent: TYPE_ISA_DEVICE,
    instance: DebugconState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.category = 'misc';
      dc.realize = (d) => {
        const s = d as DebugconState;
        const id = qdevPropGet(s, 'chardev') as string;
        if (!id) throw new QemuError("Can't create debugcon device, empty char device");
        s.chr = qemuChrFeInit(qemuChrFind(id)!, { canReceive: () => 0, receive: () => {} });
        s.readback = qdevPropGet(s, 'readback') as number;
        isaBusIo(d).register(qdevPropGet(s, 'iobase') as number, 1, debugconOps, s);
      };
      deviceClassSetProps(oc, [
        { name: 'chardev', kind: 'chr' },
        { name: 'iobase', kind: 'uint32', def: 0xe9 },
        { name: 'readback', kind: 'uint32', def: 0xe9 },
      ]);
    },
  });
}
