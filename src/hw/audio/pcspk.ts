/*
 * The PC speaker port 0x61 (hw/audio/pcspk.c) without sound: bit 0 is PIT
 * channel 2's gate, bit 1 the speaker data enable; reads add channel 2's OUT
 * (bit 5) and the refresh toggle (bit 4) that delay loops poll.
 */
import { objectNew, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaRegisterBytePorts } from '../isa/isa-io.js';
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs } from '../../qemu/timer.js';
import { pitGetGate, pitGetOut, pitSetGate, type PITCommonState } from '../timer/i8254.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_PC_SPEAKER = 'isa-pcspk';

export class PCSpkState extends DeviceState {
  pit: PITCommonState | undefined;
  dataOn = 0;
  dummyRefreshClock = 0;
}

const pcspkOps: IOPortOps = {
  read: (o) => {
    const s = o as PCSpkState;
    s.dummyRefreshClock ^= 1 << 4;
    const out = pitGetOut(s.pit!.channels[2]!, qemuClockGetNs(QEMU_CLOCK_VIRTUAL)) << 5;
    return pitGetGate(s.pit!, 2) | (s.dataOn << 1) | s.dummyRefreshClock | out;
  },
  write: (o, _a, v) => {
    const s = o as PCSpkState;
    s.dataOn = (v >> 1) & 1;
    pitSetGate(s.pit!, 2, v & 1);
  },
};

/** pcspk_init() as pc_basic_device_init does it: next to the PIT. */
export function pcspkInit(bus: BusState, pit: PITCommonState): PCSpkState {
  const s = objectNew(TYPE_PC_SPEAKER) as PCSpkState;
  s.pit = pit;
  qdevRealizeOnBus(s, bus);
  return s;
}

export function registerPcspkTypes(): void {
  typeRegisterStatic({
    name: TYPE_PC_SPEAKER,
    parent: TYPE_ISA_DEVICE,
    instance: PCSpkState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.category = 'sound';
      dc.userCreatable = false;
      dc.realize = (d) => {
        const s = d as PCSpkState;
        isaRegisterBytePorts(d, qdevPropGet(s, 'iobase') as number, 1, pcspkOps, s);
      };
      deviceClassSetProps(oc, [
        { name: 'audiodev', kind: 'audiodev' },
        { name: 'iobase', kind: 'uint32', def: 0x61 },
        { name: 'migrate', kind: 'bool', def: true },
      ]);
    },
  });
}
