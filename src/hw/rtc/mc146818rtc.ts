/*
 * The MC146818 RTC and CMOS RAM (hw/rtc/mc146818rtc.c): index port 0x70 (bit 7
 * masks NMI), data port 0x71, 128 bytes of which 0-13 are the clock.  Guest
 * time is base_rtc seconds at last_update on the -rtc clock (host, rt or vm),
 * so it runs without per-second work.  The periodic interrupt follows REG_A's
 * rate; with lost_tick_policy=slew (-rtc driftfix=slew) ticks the guest has not
 * acknowledged (REG_C still pending) are counted and re-injected faster.
 */
import { objectNew, typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet, qdevPropSetRaw } from '../core/qdev-properties.js';
import { qdevRealizeOnBus, type BusState } from '../core/bus.js';
import { TYPE_ISA_DEVICE } from '../isa/isa-bus.js';
import { isaGetIrq, isaRegisterBytePorts } from '../isa/isa-io.js';
import { qemuIrqLower, qemuIrqRaise, type QemuIrq } from '../core/irq.js';
import {
  QEMU_CLOCK_HOST, QEMU_CLOCK_REALTIME, QEMU_CLOCK_VIRTUAL, QEMUClockType, qemuClockGetNs, timerDel, timerMod,
  timerNew, type QEMUTimer,
} from '../../qemu/timer.js';
import { rtcConfig } from '../../system/rtc.js';
import type { IOPortOps } from '../../exec/ioport.js';

export const TYPE_MC146818_RTC = 'mc146818rtc';

export const RTC_SECONDS = 0, RTC_SECONDS_ALARM = 1, RTC_MINUTES = 2, RTC_MINUTES_ALARM = 3, RTC_HOURS = 4,
  RTC_HOURS_ALARM = 5, RTC_DAY_OF_WEEK = 6, RTC_DAY_OF_MONTH = 7, RTC_MONTH = 8, RTC_YEAR = 9;
export const RTC_REG_A = 10, RTC_REG_B = 11, RTC_REG_C = 12, RTC_REG_D = 13, RTC_CENTURY = 0x32;
const REG_A_UIP = 0x80;
const REG_B_SET = 0x80, REG_B_PIE = 0x40, REG_B_AIE = 0x20, REG_B_UIE = 0x10, REG_B_DM = 0x04, REG_B_24H = 0x02;
const REG_C_IRQF = 0x80, REG_C_PF = 0x40, REG_C_AF = 0x20, REG_C_UF = 0x10;
const NS = 1e9;
/** The update cycle takes 244 µs before each second ends (UIP). */
const UIP_HOLD_NS = 244000;
const RTC_CLOCK_RATE = 32768;

export class RTCState extends DeviceState {
  cmosData = new Uint8Array(128);
  cmosIndex = 0;
  /** Port 0x70 bit 7: NMI disabled. */
  nmiMasked = false;
  /** Guest seconds since the epoch at lastUpdate (ns on `clock`). */
  baseRtc = 0;
  lastUpdate = 0;
  clock: QEMUClockType = QEMU_CLOCK_HOST;
  irq: QemuIrq = null;
  baseYear = 0;
  slew = false;
  periodicTimer: QEMUTimer | null = null;
  updateTimer: QEMUTimer | null = null;
  coalescedTimer: QEMUTimer | null = null;
  periodNs = 0;
  nextPeriodicTime = 0;
  irqCoalesced = 0;
}

const toBcd = (s: RTCState, v: number): number => (s.cmosData[RTC_REG_B]! & REG_B_DM ? v : ((v / 10) | 0) * 16 + (v % 10));
const fromBcd = (s: RTCState, v: number): number => (s.cmosData[RTC_REG_B]! & REG_B_DM ? v : (v >> 4) * 10 + (v & 15));

function clockRunning(s: RTCState): boolean {
  return (s.cmosData[RTC_REG_A]! & 0x60) !== 0x60 && !(s.cmosData[RTC_REG_B]! & REG_B_SET);
}

/** Guest time now, in ns since the epoch. */
function getGuestRtcNs(s: RTCState): number {
  return s.baseRtc * NS + (clockRunning(s) ? qemuClockGetNs(s.clock) - s.lastUpdate : 0);
}

function rtcUpdateIrq(s: RTCState): void {
  if (s.cmosData[RTC_REG_C]! & REG_C_IRQF) qemuIrqRaise(s.irq);
}

function setFlags(s: RTCState, flags: number): void {
  s.cmosData[RTC_REG_C]! |= flags;
  const en = s.cmosData[RTC_REG_B]! & (REG_B_PIE | REG_B_AIE | REG_B_UIE);
  // PF/AF/UF map onto PIE/AIE/UIE one to one.
  if (s.cmosData[RTC_REG_C]! & en & 0x70) {
    s.cmosData[RTC_REG_C]! |= REG_C_IRQF;
    rtcUpdateIrq(s);
  }
}

/** Writes the running time into the clock registers (rtc_update_time + rtc_set_cmos). */
function rtcSetCmos(s: RTCState, tsec: number): void {
  const t = new Date(tsec * 1000);
  const d = s.cmosData;
  d[RTC_SECONDS] = toBcd(s, t.getUTCSeconds());
  d[RTC_MINUTES] = toBcd(s, t.getUTCMinutes());
  const h = t.getUTCHours();
  if (d[RTC_REG_B]! & REG_B_24H) {
    d[RTC_HOURS] = toBcd(s, h);
  } else {
    d[RTC_HOURS] = toBcd(s, h % 12 === 0 ? 12 : h % 12) | (h >= 12 ? 0x80 : 0);
  }
  d[RTC_DAY_OF_WEEK] = toBcd(s, t.getUTCDay() + 1);
  d[RTC_DAY_OF_MONTH] = toBcd(s, t.getUTCDate());
  d[RTC_MONTH] = toBcd(s, t.getUTCMonth() + 1);
  const year = t.getUTCFullYear() - s.baseYear;
  d[RTC_YEAR] = toBcd(s, year % 100);
  d[RTC_CENTURY] = toBcd(s, Math.floor(year / 100));
}

/** rtc_set_time(): the guest wrote the clock registers; they become the new base. */
function rtcSetTime(s: RTCState): void {
  const d = s.cmosData;
  let hour = fromBcd(s, d[RTC_HOURS]! & 0x7f);
  if (!(d[RTC_REG_B]! & REG_B_24H)) {
    hour %= 12;
    if (d[RTC_HOURS]! & 0x80) hour += 12;
  }
  const year = fromBcd(s, d[RTC_YEAR]!) + s.baseYear + fromBcd(s, d[RTC_CENTURY]!) * 100;
  const ms = Date.UTC(year, fromBcd(s, d[RTC_MONTH]!) - 1, fromBcd(s, d[RTC_DAY_OF_MONTH]!), hour,
    fromBcd(s, d[RTC_MINUTES]!), fromBcd(s, d[RTC_SECONDS]!));
  s.baseRtc = Math.floor(ms / 1000);
  s.lastUpdate = qemuClockGetNs(s.clock);
}

function updateInProgress(s: RTCState): boolean {
  if (!clockRunning(s)) return false;
  const frac = getGuestRtcNs(s) % NS;
  return frac >= NS - UIP_HOLD_NS;
}

/** periodic_timer_update(): rate from REG_A, enabled by PIE (and SQWE, which we do not model). */
function periodicTimerUpdate(s: RTCState): void {
  const rate = s.cmosData[RTC_REG_A]! & 0x0f;
  if (rate === 0 || !(s.cmosData[RTC_REG_B]! & REG_B_PIE) || !clockRunning(s)) {
    s.periodNs = 0;
    timerDel(s.periodicTimer!);
    return;
  }
  const code = rate <= 2 ? rate + 7 : rate;
  const periodNs = ((1 << (code - 1)) * NS) / RTC_CLOCK_RATE;
  if (periodNs !== s.periodNs) {
    s.periodNs = periodNs;
    s.nextPeriodicTime = qemuClockGetNs(s.clock) + periodNs;
    timerMod(s.periodicTimer!, s.nextPeriodicTime);
  }
}

function rtcPeriodicTimer(opaque: unknown): void {
  const s = opaque as RTCState;
  if (s.slew && s.cmosData[RTC_REG_C]! & REG_C_IRQF) {
    // The previous tick is still unacknowledged: it was lost; re-inject it later.
    s.irqCoalesced++;
    if (s.coalescedTimer!.expireTime < 0) {
      timerMod(s.coalescedTimer!, qemuClockGetNs(s.clock) + s.periodNs / 4);
    }
  }
  setFlags(s, REG_C_PF);
  s.nextPeriodicTime += s.periodNs;
  timerMod(s.periodicTimer!, s.nextPeriodicTime);
}

function rtcCoalescedTimer(opaque: unknown): void {
  const s = opaque as RTCState;
  if (s.irqCoalesced === 0) return;
  if (!(s.cmosData[RTC_REG_C]! & REG_C_IRQF)) {
    s.irqCoalesced--;
    setFlags(s, REG_C_PF);
  }
  if (s.irqCoalesced) timerMod(s.coalescedTimer!, qemuClockGetNs(s.clock) + s.periodNs / 4);
}

/** The update-ended and alarm checks at each second boundary. */
function rtcUpdateTimer(opaque: unknown): void {
  const s = opaque as RTCState;
  if (clockRunning(s)) {
    const now = Math.floor(getGuestRtcNs(s) / NS);
    rtcSetCmos(s, now);
    const d = s.cmosData;
    let flags = REG_C_UF;
    const match = (alarm: number, cur: number): boolean => (alarm & 0xc0) === 0xc0 || alarm === cur;
    if (match(d[RTC_SECONDS_ALARM]!, d[RTC_SECONDS]!) && match(d[RTC_MINUTES_ALARM]!, d[RTC_MINUTES]!) &&
      match(d[RTC_HOURS_ALARM]!, d[RTC_HOURS]!)) flags |= REG_C_AF;
    setFlags(s, flags);
  }
  scheduleUpdate(s);
}

function scheduleUpdate(s: RTCState): void {
  if (!clockRunning(s)) {
    timerDel(s.updateTimer!);
    return;
  }
  const guest = getGuestRtcNs(s);
  timerMod(s.updateTimer!, qemuClockGetNs(s.clock) + (NS - (guest % NS)));
}

function cmosIoportWrite(opaque: unknown, addr: number, data: number): void {
  const s = opaque as RTCState;
  if ((addr & 1) === 0) {
    s.cmosIndex = data & 0x7f;
    s.nmiMasked = (data & 0x80) !== 0;
    return;
  }
  const d = s.cmosData;
  switch (s.cmosIndex) {
    case RTC_SECONDS_ALARM: case RTC_MINUTES_ALARM: case RTC_HOURS_ALARM:
      d[s.cmosIndex] = data;
      break;
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK: case RTC_DAY_OF_MONTH:
    case RTC_MONTH: case RTC_YEAR:
      d[s.cmosIndex] = data;
      // A write outside SET mode takes effect at once.
      if (!(d[RTC_REG_B]! & REG_B_SET)) rtcSetTime(s);
      break;
    case RTC_REG_A: {
      const wasRunning = clockRunning(s);
      const cur = wasRunning ? Math.floor(getGuestRtcNs(s) / NS) : s.baseRtc;
      // UIP is read-only.
      d[RTC_REG_A] = (data & ~REG_A_UIP) | (d[RTC_REG_A]! & REG_A_UIP);
      if (wasRunning !== clockRunning(s)) {
        s.baseRtc = cur;
        s.lastUpdate = qemuClockGetNs(s.clock);
      }
      s.periodNs = -1;
      periodicTimerUpdate(s);
      scheduleUpdate(s);
      break;
    }
    case RTC_REG_B: {
      const old = d[RTC_REG_B]!;
      if (data & REG_B_SET) {
        // Entering SET mode freezes the clock registers at the current time.
        if (!(old & REG_B_SET)) {
          if (clockRunning(s)) rtcSetCmos(s, Math.floor(getGuestRtcNs(s) / NS));
          s.baseRtc = Math.floor(getGuestRtcNs(s) / NS);
        }
        data &= ~REG_B_UIE; // UIE is cleared with SET
      } else if (old & REG_B_SET) {
        d[RTC_REG_B] = data;
        rtcSetTime(s);
      }
      // Enabling an interrupt whose flag is already pending asserts IRQF.
      if (d[RTC_REG_C]! & data & 0x70) {
        d[RTC_REG_C]! |= REG_C_IRQF;
        rtcUpdateIrq(s);
      }
      // DM/24H change how the registers read; re-render them from the running time.
      if (((old ^ data) & (REG_B_DM | REG_B_24H)) && !(data & REG_B_SET)) {
        d[RTC_REG_B] = data;
        rtcSetCmos(s, Math.floor(getGuestRtcNs(s) / NS));
      }
      d[RTC_REG_B] = data;
      s.periodNs = -1;
      periodicTimerUpdate(s);
      scheduleUpdate(s);
      break;
    }
    case RTC_REG_C: case RTC_REG_D:
      break; // read-only
    default:
      d[s.cmosIndex] = data;
  }
}

function cmosIoportRead(opaque: unknown, addr: number): number {
  const s = opaque as RTCState;
  if ((addr & 1) === 0) return 0xff;
  const d = s.cmosData;
  switch (s.cmosIndex) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK: case RTC_DAY_OF_MONTH:
    case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
      if (clockRunning(s)) rtcSetCmos(s, Math.floor(getGuestRtcNs(s) / NS));
      return d[s.cmosIndex]!;
    case RTC_REG_A: {
      const uip = updateInProgress(s) ? REG_A_UIP : 0;
      return (d[RTC_REG_A]! & ~REG_A_UIP) | uip;
    }
    case RTC_REG_C: {
      const ret = d[RTC_REG_C]!;
      qemuIrqLower(s.irq);
      d[RTC_REG_C] = 0;
      return ret;
    }
    default:
      return d[s.cmosIndex]!;
  }
}

const cmosOps: IOPortOps = {
  read: (o, addr) => cmosIoportRead(o, addr),
  write: (o, addr, v) => cmosIoportWrite(o, addr, v),
};

/** rtc_set_memory(): what the board puts in CMOS (memory sizes, boot order). */
export function rtcSetMemory(s: RTCState, addr: number, val: number): void {
  if (addr >= 0 && addr <= 127) s.cmosData[addr] = val;
}

export function rtcGetMemory(s: RTCState, addr: number): number {
  return s.cmosData[addr]!;
}

/** The -rtc base's guest time at start, in seconds (qemu_get_timedate's offset). */
function rtcStartSeconds(): number {
  let t = Math.floor(Date.now() / 1000);
  if (rtcConfig.base === 'localtime') t -= new Date().getTimezoneOffset() * 60;
  else if (rtcConfig.base === 'datetime') t += rtcConfig.hostDatetimeOffset;
  return t;
}

function rtcRealize(dev: DeviceState): void {
  const s = dev as RTCState;
  s.baseYear = qdevPropGet(s, 'base_year') as number;
  s.slew = qdevPropGet(s, 'lost_tick_policy') === 'slew';
  s.clock = rtcConfig.clock === 'rt' ? QEMU_CLOCK_REALTIME : rtcConfig.clock === 'vm' ? QEMU_CLOCK_VIRTUAL : QEMU_CLOCK_HOST;
  const d = s.cmosData;
  d[RTC_REG_A] = 0x26;
  d[RTC_REG_B] = 0x02;
  d[RTC_REG_C] = 0x00;
  d[RTC_REG_D] = 0x80;
  s.baseRtc = rtcStartSeconds();
  s.lastUpdate = qemuClockGetNs(s.clock);
  rtcSetCmos(s, s.baseRtc);
  s.periodicTimer = timerNew(s.clock, rtcPeriodicTimer, s);
  s.updateTimer = timerNew(s.clock, rtcUpdateTimer, s);
  s.coalescedTimer = timerNew(s.clock, rtcCoalescedTimer, s);
  if (s.irq === null) s.irq = isaGetIrq(dev, qdevPropGet(s, 'irq') as number);
  isaRegisterBytePorts(dev, qdevPropGet(s, 'iobase') as number, 2, cmosOps, s);
  scheduleUpdate(s);
}

/** rtc_reset(): interrupts off and flags clear; the time and CMOS RAM stay. */
function rtcReset(s: RTCState): void {
  s.cmosData[RTC_REG_B]! &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE);
  s.cmosData[RTC_REG_C]! &= ~(REG_C_UF | REG_C_IRQF | REG_C_PF | REG_C_AF);
  s.irqCoalesced = 0;
  periodicTimerUpdate(s);
  qemuIrqLower(s.irq);
}

/** mc146818_rtc_init(): the RTC on `bus` with `baseYear`, its interrupt on `irq` (or ISA IRQ 8). */
export function mc146818RtcInit(bus: BusState, baseYear: number, irq: QemuIrq | undefined): RTCState {
  const s = objectNew(TYPE_MC146818_RTC) as RTCState;
  qdevPropSetRaw(s, 'base_year', baseYear);
  // -rtc driftfix=slew is QEMU's global mc146818rtc.lost_tick_policy=slew.
  if (rtcConfig.lostTickPolicy === 'slew') qdevPropSetRaw(s, 'lost_tick_policy', 'slew');
  if (irq !== undefined) s.irq = irq;
  qdevRealizeOnBus(s, bus);
  return s;
}

export function registerMc146818Types(): void {
  typeRegisterStatic({
    name: TYPE_MC146818_RTC,
    parent: TYPE_ISA_DEVICE,
    instance: RTCState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.category = 'misc';
      dc.userCreatable = false;
      dc.realize = rtcRealize;
      dc.reset = (d) => rtcReset(d as RTCState);
      deviceClassSetProps(oc, [
        { name: 'base_year', kind: 'int32', def: 1980 },
        { name: 'iobase', kind: 'uint16', def: 0x70 },
        { name: 'irq', kind: 'uint8', def: 8 },
        { name: 'lost_tick_policy', kind: 'LostTickPolicy', def: 'discard' },
      ]);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-out "" 1'];
    },
  });
}
