/*
 * type_init() of the PC's ISA devices: the PIC pair, PIT, speaker port, RTC,
 * 16550 (core and isa-serial), i8042, port 0x92, isa-debug-exit, isa-debugcon.
 */
import { registerI8259Types } from '../intc/i8259.js';
import { registerI8254Types } from '../timer/i8254.js';
import { registerPcspkTypes } from '../audio/pcspk.js';
import { registerMc146818Types } from '../rtc/mc146818rtc.js';
import { registerSerialTypes } from '../char/serial.js';
import { registerSerialIsaTypes } from '../char/serial-isa.js';
import { registerI8042Types } from '../input/i8042.js';
import { registerPort92Types } from './port92.js';
import { registerDebugExitTypes } from '../misc/debugexit.js';
import { registerDebugconTypes } from '../char/debugcon.js';

export function registerPcDeviceTypes(): void {
  registerI8259Types();
  registerI8254Types();
  registerPcspkTypes();
  registerMc146818Types();
  registerSerialTypes();
  registerSerialIsaTypes();
  registerI8042Types();
  registerPort92Types();
  registerDebugExitTypes();
  registerDebugconTypes();
}
