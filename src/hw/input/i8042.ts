/*
 * The i8042 keyboard controller (hw/input/pckbd.c) with the PS/2 keyboard's
 * command replies (hw/input/ps2.c): data port 0x60, status/command 0x64, the
 * controller's output port (bit 0 resets the CPU, bit 1 is A20), IRQ 1 for the
 * keyboard and IRQ 12 for the aux port, and the PS/2 mouse's command set
 * (status, rate, resolution, wrap mode, IntelliMouse detection).  Key and
 * mouse input from a host UI are not modelled yet.
 */
import { objectNew, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaGetIrq, isaRegisterBytePorts } from '../isa/isa-io.js';
import { qemuSetIrq, type QemuIrq } from '../core/irq.js';
import { qemuSystemResetRequest } from '../core/reset-request.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_I8042 = 'i8042';

const KBD_STAT_OBF = 0x01, KBD_STAT_SELFTEST = 0x04, KBD_STAT_CMD = 0x08, KBD_STAT_UNLOCKED = 0x10,
  KBD_STAT_MOUSE_OBF = 0x20;
const KBD_MODE_KBD_INT = 0x01, KBD_MODE_MOUSE_INT = 0x02, KBD_MODE_DISABLE_KBD = 0x10, KBD_MODE_DISABLE_MOUSE = 0x20,
  KBD_MODE_KCC = 0x40;
const KBD_OUT_RESET = 0x01, KBD_OUT_A20 = 0x02, KBD_OUT_OBF = 0x10, KBD_OUT_MOUSE_OBF = 0x20, KBD_OUT_ONES = 0xcc;

/** Sources of the output buffer byte, in the controller's priority order. */
const SRC_CTRL_KBD = 0, SRC_CTRL_AUX = 1, SRC_KBD = 2, SRC_AUX = 3;

export class KBDState extends DeviceState {
  writeCmd = 0;
  status = 0;
  mode = 0;
  outport = 0;
  obdata = 0;
  obsrc = -1;
  /** Bytes waiting per source (controller replies, keyboard, aux). */
  queues: number[][] = [[], [], [], []];
  kbdWriteCmd = -1;
  scancodeSet = 2;
  translate = false;
  scanEnabled = true;
  mouseWriteCmd = -1;
  mouseStatus = 0;
  mouseResolution = 2;
  mouseSampleRate = 100;
  mouseWrap = false;
  mouseType = 0;
  mouseDetectState = 0;
  irqKbd: QemuIrq = null;
  irqMouse: QemuIrq = null;
  a20Out: QemuIrq = null;
}

function kbdUpdateIrqLines(s: KBDState): void {
  const kbd = s.status & KBD_STAT_OBF && !(s.status & KBD_STAT_MOUSE_OBF) && s.mode & KBD_MODE_KBD_INT ? 1 : 0;
  const mouse = s.status & KBD_STAT_MOUSE_OBF && s.mode & KBD_MODE_MOUSE_INT ? 1 : 0;
  qemuSetIrq(s.irqKbd, kbd);
  qemuSetIrq(s.irqMouse, mouse);
}

/** Loads the next pending byte into the output buffer if it is free (kbd_safe_update_irq). */
function kbdUpdateIrq(s: KBDState): void {
  if (!(s.status & KBD_STAT_OBF)) {
    for (let src = 0; src < 4; src++) {
      if (src === SRC_KBD && s.mode & KBD_MODE_DISABLE_KBD) continue;
      if (src === SRC_AUX && s.mode & KBD_MODE_DISABLE_MOUSE) continue;
      const q = s.queues[src]!;
      if (!q.length) continue;
      s.obdata = q.shift()!;
      s.obsrc = src;
      s.status |= KBD_STAT_OBF;
      s.outport |= KBD_OUT_OBF;
      if (src === SRC_CTRL_AUX || src === SRC_AUX) {
        s.status |= KBD_STAT_MOUSE_OBF;
        s.outport |= KBD_OUT_MOUSE_OBF;
      }
      break;
    }
  }
  kbdUpdateIrqLines(s);
}

function kbdQueue(s: KBDState, b: number, aux: boolean): void {
  s.queues[aux ? SRC_CTRL_AUX : SRC_CTRL_KBD]!.push(b);
  kbdUpdateIrq(s);
}

function ps2Queue(s: KBDState, ...bytes: number[]): void {
  s.queues[SRC_KBD]!.push(...bytes);
}

/** ps2_write_keyboard(): the keyboard's command set (ACK 0xfa, RESEND 0xfe). */
function ps2WriteKeyboard(s: KBDState, val: number): void {
  if (s.kbdWriteCmd === -1) {
    switch (val) {
      case 0x00: ps2Queue(s, 0xfa); break;
      case 0x05: ps2Queue(s, 0xfe); break;
      case 0xf2: ps2Queue(s, 0xfa, 0xab, s.translate ? 0x41 : 0x83); break; // MF2 keyboard id
      case 0xee: ps2Queue(s, 0xee); break; // echo
      case 0xf4: s.scanEnabled = true; ps2Queue(s, 0xfa); break;
      case 0xf0: case 0xed: case 0xf3: case 0xfc:
        s.kbdWriteCmd = val;
        ps2Queue(s, 0xfa);
        break;
      case 0xf5: s.scancodeSet = 2; s.scanEnabled = false; ps2Queue(s, 0xfa); break;
      case 0xf6: s.scancodeSet = 2; s.scanEnabled = true; ps2Queue(s, 0xfa); break;
      case 0xff: s.scancodeSet = 2; s.scanEnabled = true; ps2Queue(s, 0xfa, 0xaa); break; // reset, self-test passed
      case 0xfa: ps2Queue(s, 0xfa); break;
      default: ps2Queue(s, 0xfe);
    }
    return;
  }
  if (s.kbdWriteCmd === 0xf0) {
    if (val === 0) ps2Queue(s, 0xfa, s.translate ? [0, 0x43, 0x41, 0x3f][s.scancodeSet]! : s.scancodeSet);
    else if (val >= 1 && val <= 3) {
      s.scancodeSet = val;
      ps2Queue(s, 0xfa);
    } else ps2Queue(s, 0xfe);
  } else {
    ps2Queue(s, 0xfa);
  }
  s.kbdWriteCmd = -1;
}

const AUX_ACK = 0xfa;
const MOUSE_STATUS_REMOTE = 0x40, MOUSE_STATUS_ENABLED = 0x20, MOUSE_STATUS_SCALE21 = 0x10;

function auxQueue(s: KBDState, ...bytes: number[]): void {
  s.queues[SRC_AUX]!.push(...bytes);
}

function ps2MouseDefaults(s: KBDState): void {
  s.mouseSampleRate = 100;
  s.mouseResolution = 2;
  s.mouseStatus = 0;
}

/** ps2_write_mouse(): the PS/2 mouse's command set; replies go to the aux queue. */
function ps2WriteMouse(s: KBDState, val: number): void {
  if (s.mouseWriteCmd === -1) {
    if (s.mouseWrap) {
      // Wrap mode echoes everything but "reset wrap" and "reset".
      if (val === 0xec) {
        s.mouseWrap = false;
        auxQueue(s, AUX_ACK);
        return;
      }
      if (val !== 0xff) {
        auxQueue(s, val);
        return;
      }
    }
    switch (val) {
      case 0xe6: s.mouseStatus &= ~MOUSE_STATUS_SCALE21; auxQueue(s, AUX_ACK); break;
      case 0xe7: s.mouseStatus |= MOUSE_STATUS_SCALE21; auxQueue(s, AUX_ACK); break;
      case 0xea: s.mouseStatus &= ~MOUSE_STATUS_REMOTE; auxQueue(s, AUX_ACK); break;
      case 0xee: s.mouseWrap = true; auxQueue(s, AUX_ACK); break;
      case 0xf0: s.mouseStatus |= MOUSE_STATUS_REMOTE; auxQueue(s, AUX_ACK); break;
      case 0xf2: auxQueue(s, AUX_ACK, s.mouseType); break;
      case 0xe8: case 0xf3: s.mouseWriteCmd = val; auxQueue(s, AUX_ACK); break;
      case 0xe9: auxQueue(s, AUX_ACK, s.mouseStatus, s.mouseResolution, s.mouseSampleRate); break;
      case 0xeb: // read data: an empty movement packet
        auxQueue(s, AUX_ACK, 0x08, 0, 0);
        if (s.mouseType === 3 || s.mouseType === 4) auxQueue(s, 0);
        break;
      case 0xf4: s.mouseStatus |= MOUSE_STATUS_ENABLED; auxQueue(s, AUX_ACK); break;
      case 0xf5: s.mouseStatus &= ~MOUSE_STATUS_ENABLED; auxQueue(s, AUX_ACK); break;
      case 0xf6: ps2MouseDefaults(s); auxQueue(s, AUX_ACK); break;
      case 0xff:
        ps2MouseDefaults(s);
        s.mouseType = 0;
        s.mouseWrap = false;
        auxQueue(s, AUX_ACK, 0xaa, s.mouseType);
        break;
      default: break;
    }
    return;
  }
  if (s.mouseWriteCmd === 0xf3) {
    s.mouseSampleRate = val;
    // IntelliMouse detection: rates 200, 100, 80 give type 3; 200, 200, 80 give type 4.
    switch (s.mouseDetectState) {
      case 1: s.mouseDetectState = val === 100 ? 2 : val === 200 ? 3 : 0; break;
      case 2: if (val === 80) s.mouseType = 3; s.mouseDetectState = 0; break;
      case 3: if (val === 80) s.mouseType = 4; s.mouseDetectState = 0; break;
      default: if (val === 200) s.mouseDetectState = 1;
    }
  } else {
    s.mouseResolution = val;
  }
  auxQueue(s, AUX_ACK);
  s.mouseWriteCmd = -1;
}

function outportWrite(s: KBDState, val: number): void {
  s.outport = val;
  qemuSetIrq(s.a20Out, (val >> 1) & 1);
  if (!(val & 1)) qemuSystemResetRequest();
}

function kbdWriteCommand(s: KBDState, val: number): void {
  // Pulse commands: pulsing bit 0 low resets the CPU; the rest do nothing.
  if ((val & 0xf0) === 0xf0) val = val & 1 ? 0xff : 0xfe;
  switch (val) {
    case 0x20: kbdQueue(s, s.mode, false); break;
    case 0x60: case 0xd1: case 0xd2: case 0xd3: case 0xd4: s.writeCmd = val; break;
    case 0xa7: s.mode |= KBD_MODE_DISABLE_MOUSE; break;
    case 0xa8: s.mode &= ~KBD_MODE_DISABLE_MOUSE; kbdUpdateIrq(s); break;
    case 0xa9: kbdQueue(s, 0x00, false); break; // aux interface test passed
    case 0xaa: s.status |= KBD_STAT_SELFTEST; kbdQueue(s, 0x55, false); break;
    case 0xab: kbdQueue(s, 0x00, false); break; // keyboard interface test passed
    case 0xad: s.mode |= KBD_MODE_DISABLE_KBD; break;
    case 0xae: s.mode &= ~KBD_MODE_DISABLE_KBD; kbdUpdateIrq(s); break;
    case 0xc0: kbdQueue(s, 0x80, false); break; // input port
    case 0xd0: kbdQueue(s, s.outport, false); break;
    case 0xdd: qemuSetIrq(s.a20Out, 0); s.outport &= ~KBD_OUT_A20; break;
    case 0xdf: qemuSetIrq(s.a20Out, 1); s.outport |= KBD_OUT_A20; break;
    case 0xfe: qemuSystemResetRequest(); break;
    default: break;
  }
}

function kbdReadData(s: KBDState): number {
  // An empty buffer reads the last byte again.
  const val = s.obdata;
  if (s.status & KBD_STAT_OBF) {
    s.status &= ~(KBD_STAT_OBF | KBD_STAT_MOUSE_OBF);
    s.outport &= ~(KBD_OUT_OBF | KBD_OUT_MOUSE_OBF);
    kbdUpdateIrq(s);
  }
  return val;
}

function kbdWriteData(s: KBDState, val: number): void {
  switch (s.writeCmd) {
    case 0:
      ps2WriteKeyboard(s, val);
      // Writing to the keyboard re-enables its interface.
      s.mode &= ~KBD_MODE_DISABLE_KBD;
      kbdUpdateIrq(s);
      break;
    case 0x60:
      s.mode = val;
      s.translate = (val & KBD_MODE_KCC) !== 0;
      kbdUpdateIrq(s);
      break;
    case 0xd2: kbdQueue(s, val, false); break;
    case 0xd3: kbdQueue(s, val, true); break;
    case 0xd1: outportWrite(s, val); break;
    case 0xd4:
      ps2WriteMouse(s, val);
      s.mode &= ~KBD_MODE_DISABLE_MOUSE;
      kbdUpdateIrq(s);
      break;
    default: break;
  }
  s.writeCmd = 0;
}

const dataOps: IOPortOps = {
  read: (o) => kbdReadData(o as KBDState),
  write: (o, _a, v) => kbdWriteData(o as KBDState, v),
};

const cmdOps: IOPortOps = {
  read: (o) => (o as KBDState).status,
  write: (o, _a, v) => kbdWriteCommand(o as KBDState, v),
};

/** kbd_reset(). */
export function kbdReset(s: KBDState): void {
  s.mode = KBD_MODE_KBD_INT | KBD_MODE_MOUSE_INT;
  s.status = KBD_STAT_CMD | KBD_STAT_UNLOCKED;
  s.outport = KBD_OUT_RESET | KBD_OUT_A20 | KBD_OUT_ONES;
  s.writeCmd = 0;
  s.obdata = 0;
  for (const q of s.queues) q.length = 0;
  s.kbdWriteCmd = -1;
  s.scancodeSet = 2;
  s.translate = false;
  s.scanEnabled = true;
  s.mouseWriteCmd = -1;
  ps2MouseDefaults(s);
  s.mouseWrap = false;
  s.mouseType = 0;
  s.mouseDetectState = 0;
  kbdUpdateIrqLines(s);
}

function i8042Realize(dev: DeviceState): void {
  const s = dev as KBDState;
  s.irqKbd = isaGetIrq(dev, qdevPropGet(s, 'kbd-irq') as number);
  s.irqMouse = isaGetIrq(dev, qdevPropGet(s, 'mouse-irq') as number);
  isaRegisterBytePorts(dev, 0x60, 1, dataOps, s);
  isaRegisterBytePorts(dev, 0x64, 1, cmdOps, s);
  kbdReset(s);
}

/** i8042 on `bus`, its A20 output on `a20`. */
export function i8042Init(bus: BusState, a20: QemuIrq): KBDState {
  const s = objectNew(TYPE_I8042) as KBDState;
  s.a20Out = a20;
  qdevRealizeOnBus(s, bus);
  return s;
}

export function registerI8042Types(): void {
  typeRegisterStatic({
    name: TYPE_I8042,
    parent: TYPE_ISA_DEVICE,
    instance: KBDState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.category = 'input';
      dc.realize = i8042Realize;
      dc.reset = (d) => kbdReset(d as KBDState);
      deviceClassSetProps(oc, [
        { name: 'extended-state', kind: 'bool', def: true },
        { name: 'kbd-throttle', kind: 'bool', def: false },
        { name: 'kbd-irq', kind: 'uint8', def: 1 },
        { name: 'mouse-irq', kind: 'uint8', def: 12 },
      ]);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = [
        'gpio-in "ps2-mouse-input-irq" 1', 'gpio-in "ps2-kbd-input-irq" 1', 'gpio-out "" 2', 'gpio-out "a20" 1',
      ];
    },
  });
}
