/*
 * isa-debug-exit (hw/misc/debugexit.c): a write of `val` ends the emulator
 * with exit code (val << 1) | 1, so tests can tell it from a normal exit.
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaBusIo } from '../isa/isa-io.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_ISA_DEBUG_EXIT = 'isa-debug-exit';

/** What a write does: by default the process exits; tests and the start-up code may replace it. */
export type DebugExitHandler = (code: number) => void;
let exitHandler: DebugExitHandler = (code) => process.exit(code);

export function debugExitSetHandler(h: DebugExitHandler): void {
  exitHandler = h;
}

const debugExitOps: IOPortOps = {
  read: () => 0,
  write: (_o, _a, val) => exitHandler(((val << 1) | 1) & 0xff),
};

export function registerDebugExitTypes(): void {
  typeRegisterStatic({
    name: TYPE_ISA_DEBUG_EXIT,
    parent: TYPE_ISA_DEVICE,
    instance: DeviceState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.category = 'misc';
      dc.realize = (d) => {
        isaBusIo(d).register(qdevPropGet(d, 'iobase') as number, qdevPropGet(d, 'iosize') as number, debugExitOps, d);
      };
      deviceClassSetProps(oc, [
        { name: 'iobase', kind: 'uint32', def: 0x501 },
        { name: 'iosize', kind: 'uint32', def: 2 },
      ]);
    },
  });
}
