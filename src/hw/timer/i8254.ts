/*
 * The 8254 programmable interval timer (hw/timer/i8254.c, i8254_common.c):
 * three channels at 0x40-0x43 counting at 1.193182 MHz on the virtual clock.
 * Channel 0 drives ISA IRQ 0 through a timer at each OUT transition; channel
 * 2's gate and OUT are seen through port 0x61 (pcspk.ts).
 */
import { objectNew, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet, qdevPropSetRaw } from '../core/qdev-properties.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaRegisterBytePorts } from '../isa/isa-io.js';
import { qemuSetIrq, type QemuIrq } from '../core/irq.js';
import {
  QEMU_CLOCK_VIRTUAL, qemuClockGetNs, timerDel, timerMod, timerNew, type QEMUTimer,
} from '../../qemu/timer.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_I8254 = 'isa-pit';
export const PIT_FREQ = 1193182;
const NS = 1e9;

// RW_STATE_LSB (1) is the default case of each switch.
const RW_STATE_MSB = 2, RW_STATE_WORD0 = 3, RW_STATE_WORD1 = 4;

/** ns elapsed → PIT ticks, floor(dt * PIT_FREQ / 1e9) exactly in doubles (muldiv64). */
function nsToTicks(dt: number): number {
  const hi = Math.floor(dt / NS), lo = dt - hi * NS;
  return hi * PIT_FREQ + Math.floor((lo * PIT_FREQ) / NS);
}

/** PIT ticks → ns, floor(ticks * 1e9 / PIT_FREQ) exactly (muldiv64). */
function ticksToNs(ticks: number): number {
  const hi = Math.floor(ticks / PIT_FREQ), lo = ticks - hi * PIT_FREQ;
  return hi * NS + Math.floor((lo * NS) / PIT_FREQ);
}

export class PITChannelState {
  count = 0x10000;
  latchedCount = 0;
  countLatched = 0;
  statusLatched = 0;
  status = 0;
  readState = 0;
  writeState = 0;
  writeLatch = 0;
  rwMode = 0;
  mode = 0;
  bcd = 0;
  gate = 0;
  countLoadTime = 0;
  nextTransitionTime = 0;
  irqTimer: QEMUTimer | null = null;
  irq: QemuIrq = null;
}

export class PITCommonState extends DeviceState {
  channels = [new PITChannelState(), new PITChannelState(), new PITChannelState()];
}

function pitGetCount(s: PITChannelState): number {
  const d = nsToTicks(qemuClockGetNs(QEMU_CLOCK_VIRTUAL) - s.countLoadTime);
  switch (s.mode) {
    case 0: case 1: case 4: case 5:
      return (s.count - d) & 0xffff;
    case 3:
      // As QEMU: may be off for odd counts.
      return s.count - ((2 * d) % s.count);
    default:
      return s.count - (d % s.count);
  }
}

/** pit_get_out(): the OUT pin at `now`. */
export function pitGetOut(s: PITChannelState, now: number): number {
  const d = nsToTicks(now - s.countLoadTime);
  switch (s.mode) {
    case 1: return d < s.count ? 1 : 0;
    case 2: return d % s.count === 0 && d !== 0 ? 1 : 0;
    case 3: return d % s.count < (s.count + 1) >> 1 ? 1 : 0;
    case 4: case 5: return d === s.count ? 1 : 0;
    default: return d >= s.count ? 1 : 0;
  }
}

/** The next OUT transition after `now`, in virtual ns, or -1 if none comes. */
function pitGetNextTransitionTime(s: PITChannelState, now: number): number {
  const d = nsToTicks(now - s.countLoadTime);
  let next: number;
  switch (s.mode) {
    case 2: {
      const base = Math.floor(d / s.count) * s.count;
      next = d - base === 0 && d !== 0 ? base + s.count : base + s.count + 1;
      break;
    }
    case 3: {
      const base = Math.floor(d / s.count) * s.count;
      const period2 = (s.count + 1) >> 1;
      next = d - base < period2 ? base + period2 : base + s.count;
      break;
    }
    case 4: case 5:
      if (d < s.count) next = s.count;
      else if (d === s.count) next = s.count + 1;
      else return -1;
      break;
    default:
      if (d < s.count) next = s.count;
      else return -1;
  }
  let t = s.countLoadTime + ticksToNs(next);
  if (t <= now) t = now + 1;
  return t;
}

function pitIrqTimerUpdate(s: PITChannelState, now: number): void {
  if (!s.irqTimer) return;
  const expire = pitGetNextTransitionTime(s, now);
  qemuSetIrq(s.irq, pitGetOut(s, now));
  s.nextTransitionTime = expire;
  if (expire !== -1) timerMod(s.irqTimer, expire);
  else timerDel(s.irqTimer);
}

function pitIrqTimer(opaque: unknown): void {
  const s = opaque as PITChannelState;
  pitIrqTimerUpdate(s, s.nextTransitionTime);
}

/** pit_set_gate(): modes 1, 2, 3 and 5 restart counting on a rising edge. */
export function pitSetGate(pit: PITCommonState, channel: number, val: number): void {
  const s = pit.channels[channel]!;
  if ((s.mode === 1 || s.mode === 5 || s.mode === 2 || s.mode === 3) && s.gate < val) {
    s.countLoadTime = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
    pitIrqTimerUpdate(s, s.countLoadTime);
  }
  s.gate = val;
}

export function pitGetGate(pit: PITCommonState, channel: number): number {
  return pit.channels[channel]!.gate;
}

function pitLoadCount(s: PITChannelState, val: number): void {
  if (val === 0) val = 0x10000;
  s.countLoadTime = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
  s.count = val;
  pitIrqTimerUpdate(s, s.countLoadTime);
}

function pitLatchCount(s: PITChannelState): void {
  if (!s.countLatched) {
    s.latchedCount = pitGetCount(s);
    s.countLatched = s.rwMode;
  }
}

function pitIoportWrite(opaque: unknown, addr: number, val: number): void {
  const pit = opaque as PITCommonState;
  addr &= 3;
  if (addr === 3) {
    let channel = val >> 6;
    if (channel === 3) {
      // Read-back command.
      for (channel = 0; channel < 3; channel++) {
        const s = pit.channels[channel]!;
        if (!(val & (2 << channel))) continue;
        if (!(val & 0x20)) pitLatchCount(s);
        if (!(val & 0x10) && !s.statusLatched) {
          // As QEMU: the null-count bit is never set.
          s.status = (pitGetOut(s, qemuClockGetNs(QEMU_CLOCK_VIRTUAL)) << 7) | (s.rwMode << 4) | (s.mode << 1) | s.bcd;
          s.statusLatched = 1;
        }
      }
      return;
    }
    const s = pit.channels[channel]!;
    const access = (val >> 4) & 3;
    if (access === 0) {
      pitLatchCount(s);
    } else {
      s.rwMode = access;
      s.readState = access;
      s.writeState = access;
      s.mode = (val >> 1) & 7;
      s.bcd = val & 1;
    }
    return;
  }
  const s = pit.channels[addr]!;
  switch (s.writeState) {
    case RW_STATE_MSB:
      pitLoadCount(s, val << 8);
      break;
    case RW_STATE_WORD0:
      s.writeLatch = val;
      s.writeState = RW_STATE_WORD1;
      break;
    case RW_STATE_WORD1:
      pitLoadCount(s, s.writeLatch | (val << 8));
      s.writeState = RW_STATE_WORD0;
      break;
    default:
      pitLoadCount(s, val);
  }
}

function pitIoportRead(opaque: unknown, addr: number): number {
  const pit = opaque as PITCommonState;
  addr &= 3;
  if (addr === 3) return 0; // the mode register is write-only
  const s = pit.channels[addr]!;
  if (s.statusLatched) {
    s.statusLatched = 0;
    return s.status;
  }
  if (s.countLatched) {
    switch (s.countLatched) {
      case RW_STATE_MSB:
        s.countLatched = 0;
        return (s.latchedCount >> 8) & 0xff;
      case RW_STATE_WORD0:
        s.countLatched = RW_STATE_MSB;
        return s.latchedCount & 0xff;
      default:
        s.countLatched = 0;
        return s.latchedCount & 0xff;
    }
  }
  switch (s.readState) {
    case RW_STATE_MSB:
      return (pitGetCount(s) >> 8) & 0xff;
    case RW_STATE_WORD0:
      s.readState = RW_STATE_WORD1;
      return pitGetCount(s) & 0xff;
    case RW_STATE_WORD1:
      s.readState = RW_STATE_WORD0;
      return (pitGetCount(s) >> 8) & 0xff;
    default:
      return pitGetCount(s) & 0xff;
  }
}

const pitOps: IOPortOps = {
  read: (o, addr) => pitIoportRead(o, addr),
  write: (o, addr, v) => pitIoportWrite(o, addr, v),
};

/** pit_reset(): every channel in mode 3 with count 0x10000; gates high but channel 2's. */
export function pitReset(pit: PITCommonState): void {
  const now = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
  pit.channels.forEach((s, i) => {
    s.mode = 3;
    s.gate = i !== 2 ? 1 : 0;
    s.countLoadTime = now;
    s.count = 0x10000;
    if (s.irqTimer) {
      s.nextTransitionTime = pitGetNextTransitionTime(s, s.countLoadTime);
      timerMod(s.irqTimer, s.nextTransitionTime);
    }
  });
}

function pitRealize(dev: DeviceState): void {
  const pit = dev as PITCommonState;
  const ch0 = pit.channels[0]!;
  ch0.irqTimer = timerNew(QEMU_CLOCK_VIRTUAL, pitIrqTimer, ch0);
  isaRegisterBytePorts(dev, qdevPropGet(pit, 'iobase') as number, 4, pitOps, pit);
  pitReset(pit);
}

/** i8254_pit_init(): the PIT at `base`, channel 0's OUT on `irq`. */
export function i8254PitInit(bus: BusState, base: number, irq: QemuIrq): PITCommonState {
  const pit = objectNew(TYPE_I8254) as PITCommonState;
  qdevPropSetRaw(pit, 'iobase', base);
  pit.channels[0]!.irq = irq;
  qdevRealizeOnBus(pit, bus);
  return pit;
}

export function registerI8254Types(): void {
  typeRegisterStatic({
    name: TYPE_I8254,
    parent: TYPE_ISA_DEVICE,
    instance: PITCommonState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.userCreatable = false;
      dc.realize = pitRealize;
      dc.reset = (d) => pitReset(d as PITCommonState);
      deviceClassSetProps(oc, [{ name: 'iobase', kind: 'uint32', def: 0xffffffff }]);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-in "" 1', 'gpio-out "" 1'];
    },
  });
}
