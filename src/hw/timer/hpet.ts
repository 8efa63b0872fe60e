/*
 * The High Precision Event Timer (hw/timer/hpet.c, QEMU 7.2): a 64-bit main
 * counter at 100 MHz (10 ns per tick) on the virtual clock, and `timers`
 * comparators (3 by default), each one-shot or periodic, 64- or 32-bit, edge
 * or level, routed to a gsi line (Tn_INT_ROUTE_CNF, among the lines its
 * intcap advertises), or written as an FSB (MSI) message.  With
 * LegacyReplacementRoute on, timer 0 takes ISA IRQ 0 and timer 1 IRQ 8; the
 * PIT's and the RTC's interrupt lines pass through the HPET (gpio-in 0 and 1),
 * which cuts them off then, and its gpio-out stops the PIT.
 *
 * Registers are 32 bits wide (wider or narrower accesses read 0 and are
 * dropped, as QEMU's valid access sizes make them).  64-bit quantities are
 * kept as hi/lo uint32 pairs: the counter is read on the guest's clock path.
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { warnReport } from '../../util/error.js';
import { DeviceState, deviceClass } from '../core/qdev.js';
import { deviceClassSetProps, qdevPropGet } from '../core/qdev-properties.js';
import { TYPE_SYS_BUS_DEVICE, sysbusInitMmio } from '../core/sysbus.js';
import { qemuAllocateIrqs, qemuIrqLower, qemuIrqPulse, qemuIrqRaise, qemuSetIrq, type IRQState, type QemuIrq } from '../core/irq.js';
import { MemoryRegion, type AddressSpace, type MemoryRegionOps } from '../../exec/memory.js';
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs, timerDel, timerMod, timerNew, type QEMUTimer } from '../../qemu/timer.js';

export const TYPE_HPET = 'hpet';
export const HPET_BASE = 0xfed00000;
const HPET_LEN = 0x400;
/** 10 ns per tick, in femtoseconds (the period field of the capabilities register). */
const HPET_CLK_PERIOD_FS = 10000000;
const HPET_MIN_TIMERS = 3;
const HPET_MAX_TIMERS = 32;
export const HPET_NUM_IRQ_ROUTES = 32;
export const HPET_LEGACY_PIT_INT = 0;
export const HPET_LEGACY_RTC_INT = 1;
const RTC_ISA_IRQ = 8;

const HPET_CFG_ENABLE = 0x001;
const HPET_CFG_LEGACY = 0x002;
const HPET_CFG_WRITE_MASK = 0x3;

const HPET_ID = 0x000;
const HPET_PERIOD = 0x004;
const HPET_CFG = 0x010;
const HPET_STATUS = 0x020;
const HPET_COUNTER = 0x0f0;
const HPET_TN_CFG = 0x000;
const HPET_TN_CMP = 0x008;
const HPET_TN_ROUTE = 0x010;

const HPET_TN_TYPE_LEVEL = 0x002;
const HPET_TN_ENABLE = 0x004;
const HPET_TN_PERIODIC = 0x008;
const HPET_TN_PERIODIC_CAP = 0x010;
const HPET_TN_SIZE_CAP = 0x020;
const HPET_TN_SETVAL = 0x040;
const HPET_TN_32BIT = 0x100;
const HPET_TN_INT_ROUTE_MASK = 0x3e00;
const HPET_TN_INT_ROUTE_SHIFT = 9;
const HPET_TN_FSB_ENABLE = 0x4000;
const HPET_TN_FSB_CAP = 0x8000;
const HPET_TN_CFG_WRITE_MASK = 0x7f4e;

/** The capabilities register's low half: vendor 8086, 64-bit counter, LegacyReplacementRoute, timers - 1. */
export function hpetCapabilityId(numTimers: number): number {
  return (0x8086a001 | ((numTimers - 1) << 8)) >>> 0;
}

// ---- 64-bit arithmetic on hi/lo uint32 pairs; results in rHi/rLo ----------

const TWO32 = 4294967296;
let rHi = 0;
let rLo = 0;

function add64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo;
  rLo = lo >>> 0;
  rHi = (aHi + bHi + (lo >= TWO32 ? 1 : 0)) >>> 0;
}

function sub64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo - bLo;
  rLo = lo >>> 0;
  rHi = (aHi - bHi - (lo < 0 ? 1 : 0)) >>> 0;
}

/** ticks_to_ns(): ticks * 10, modulo 2^64. */
function ticksToNs(hi: number, lo: number): void {
  const l = lo * 10;
  rLo = l % TWO32;
  rHi = ((hi * 10 + Math.floor(l / TWO32)) % TWO32) >>> 0;
}

/** ns_to_ticks(): ns / 10, unsigned. */
function nsToTicks(hi: number, lo: number): void {
  const r = hi % 10;
  rHi = Math.floor(hi / 10);
  rLo = Math.floor((r * TWO32 + lo) / 10);
}

/** A 64-bit pair read as int64, as a double (exact up to 2^53). */
function asInt64(hi: number, lo: number): number {
  return (hi >= 0x80000000 ? hi - TWO32 : hi) * TWO32 + lo;
}

export class HPETTimer {
  qemuTimer: QEMUTimer | null = null;
  /** Tn_CONFIG: the low half is the configuration, the high half Tn_INT_ROUTE_CAP. */
  configLo = 0;
  configHi = 0;
  cmpHi = 0;
  cmpLo = 0;
  fsbHi = 0;
  fsbLo = 0;
  /** The last value written to the comparator in periodic mode. */
  periodHi = 0;
  periodLo = 0;
  /** A 32-bit one-shot timer first fires at the counter's wrap, then at the match. */
  wrapFlag = 0;
  constructor(readonly tn: number, readonly state: HPETState) {}
}

export class HPETState extends DeviceState {
  readonly iomem = MemoryRegion.mmio('hpet', HPET_LEN, hpetRamOps, this);
  /** Guest time in ns = virtual clock + offset (a uint64). */
  offsetHi = 0;
  offsetLo = 0;
  /** The sysbus IRQ outputs: gsi lines 0-23 on a PC, the rest unconnected. */
  readonly irqs: QemuIrq[] = new Array<QemuIrq>(HPET_NUM_IRQ_ROUTES).fill(null);
  /** msi=on: the timers advertise FSB delivery. */
  msi = false;
  rtcIrqLevel = 0;
  /** gpio-out 0: the PIT's interrupt timer runs while this is high. */
  pitEnabled: QemuIrq = null;
  /** gpio-in: the PIT's (0) and the RTC's (1) interrupt lines. */
  readonly legacyIn: IRQState[] = qemuAllocateIrqs(hpetHandleLegacyIrq, this, 2);
  numTimers = HPET_MIN_TIMERS;
  intcap = 0;
  /**
   * The timers the registers reach: QEMU checks `timer_id > num_timers`, so the
   * block after the last timer is one more timer that no reset touches.
   */
  timers: HPETTimer[] = [];
  capabilityLo = 0;
  readonly capabilityHi = HPET_CLK_PERIOD_FS;
  config = 0;
  isr = 0;
  counterHi = 0;
  counterLo = 0;
  /** Where FSB (MSI) writes go (address_space_memory). */
  as: AddressSpace | undefined;
}

const hpetEnabled = (s: HPETState): boolean => (s.config & HPET_CFG_ENABLE) !== 0;
const hpetInLegacyMode = (s: HPETState): boolean => (s.config & HPET_CFG_LEGACY) !== 0;
const timerIsPeriodic = (t: HPETTimer): boolean => (t.configLo & HPET_TN_PERIODIC) !== 0;
const timerEnabled = (t: HPETTimer): boolean => (t.configLo & HPET_TN_ENABLE) !== 0;
const timerFsbRoute = (t: HPETTimer): boolean => (t.configLo & HPET_TN_FSB_ENABLE) !== 0;
const is32 = (t: HPETTimer): boolean => (t.configLo & HPET_TN_32BIT) !== 0;

/** hpet_get_ticks(): the running main counter (into rHi/rLo). */
function hpetGetTicks(s: HPETState): void {
  const now = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
  add64(Math.floor(now / TWO32), now % TWO32, s.offsetHi, s.offsetLo);
  nsToTicks(rHi, rLo);
}

/** The counter as the guest reads it: running while enabled, else the held value. */
function hpetReadCounter(s: HPETState): void {
  if (hpetEnabled(s)) {
    hpetGetTicks(s);
  } else {
    rHi = s.counterHi;
    rLo = s.counterLo;
  }
}

/** hpet_calculate_diff(): ticks from `cur` to the comparator, at least 1 (into rHi/rLo). */
function hpetCalculateDiff(t: HPETTimer, curHi: number, curLo: number): void {
  if (is32(t)) {
    const diff = (t.cmpLo - curLo) | 0;
    rHi = 0;
    rLo = diff > 0 ? diff : 1;
  } else {
    sub64(t.cmpHi, t.cmpLo, curHi, curLo);
    if (rHi >= 0x80000000 || (rHi === 0 && rLo === 0)) {
      rHi = 0;
      rLo = 1;
    }
  }
}

/** Arms the timer `diffHi:diffLo` ticks from now (the ns count is an int64, as QEMU casts it). */
function hpetArm(t: HPETTimer, diffHi: number, diffLo: number): void {
  ticksToNs(diffHi, diffLo);
  timerMod(t.qemuTimer!, qemuClockGetNs(QEMU_CLOCK_VIRTUAL) + asInt64(rHi, rLo));
}

/**
 * update_irq(): a timer's interrupt set or cleared on its route (timers 0 and
 * 1 on IRQ 0 and 8 in legacy mode).  A level interrupt sets the timer's ISR
 * bit; an edge one is a pulse and leaves it clear; FSB delivery is a 32-bit write.
 */
function updateIrq(t: HPETTimer, set: boolean): void {
  const s = t.state;
  const route = t.tn <= 1 && hpetInLegacyMode(s) ? (t.tn === 0 ? 0 : RTC_ISA_IRQ)
    : (t.configLo & HPET_TN_INT_ROUTE_MASK) >>> HPET_TN_INT_ROUTE_SHIFT;
  const mask = (1 << t.tn) >>> 0;
  if (!set || !timerEnabled(t) || !hpetEnabled(s)) {
    s.isr = (s.isr & ~mask) >>> 0;
    if (!timerFsbRoute(t)) qemuIrqLower(s.irqs[route] ?? null);
  } else if (timerFsbRoute(t)) {
    s.as?.writeSlow(t.fsbHi, t.fsbLo, 4);
  } else if (t.configLo & HPET_TN_TYPE_LEVEL) {
    s.isr = (s.isr | mask) >>> 0;
    qemuIrqRaise(s.irqs[route] ?? null);
  } else {
    s.isr = (s.isr & ~mask) >>> 0;
    qemuIrqPulse(s.irqs[route] ?? null);
  }
}

/** hpet_timer(): the comparator matched; a periodic timer moves on by whole periods past the counter. */
function hpetTimerExpired(opaque: unknown): void {
  const t = opaque as HPETTimer;
  hpetGetTicks(t.state);
  const curHi = rHi, curLo = rLo;
  if (timerIsPeriodic(t) && (t.periodHi !== 0 || t.periodLo !== 0)) {
    if (is32(t)) {
      // (A period whose low half is 0 would never move the comparator: QEMU spins there for good.)
      while (((t.cmpLo - curLo) | 0) < 0 && t.periodLo !== 0) {
        t.cmpLo = (t.cmpLo + t.periodLo) >>> 0;
        t.cmpHi = 0;
      }
    } else {
      for (;;) {
        sub64(t.cmpHi, t.cmpLo, curHi, curLo);
        if (rHi < 0x80000000) break;
        add64(t.cmpHi, t.cmpLo, t.periodHi, t.periodLo);
        t.cmpHi = rHi;
        t.cmpLo = rLo;
      }
    }
    hpetCalculateDiff(t, curHi, curLo);
    hpetArm(t, rHi, rLo);
  } else if (is32(t) && !timerIsPeriodic(t) && t.wrapFlag) {
    hpetCalculateDiff(t, curHi, curLo);
    hpetArm(t, rHi, rLo);
    t.wrapFlag = 0;
  }
  updateIrq(t, true);
}

/** hpet_set_timer(): arms the timer for its comparator (a 32-bit one-shot stops at the wrap first). */
function hpetSetTimer(t: HPETTimer): void {
  hpetGetTicks(t.state);
  const curLo = rLo;
  t.wrapFlag = 0;
  hpetCalculateDiff(t, rHi, rLo);
  if (is32(t) && !timerIsPeriodic(t)) {
    const wrapDiff = (0xffffffff - curLo) >>> 0;
    if (wrapDiff < rLo) {
      rLo = wrapDiff;
      t.wrapFlag = 1;
    }
  }
  hpetArm(t, rHi, rLo);
}

function hpetDelTimer(t: HPETTimer): void {
  timerDel(t.qemuTimer!);
  updateIrq(t, false);
}

function hpetRamRead(opaque: unknown, addr: number, size: number): number {
  // Only aligned 32-bit accesses reach the device.
  if (size !== 4 || (addr & 3)) return 0;
  return hpetReadReg(opaque as HPETState, addr);
}

function hpetReadReg(s: HPETState, addr: number): number {
  if (addr >= 0x100 && addr <= 0x3ff) {
    const t = s.timers[(addr - 0x100) >> 5];
    if (!t) return 0;
    switch ((addr - 0x100) & 0x1f) {
      case HPET_TN_CFG: return t.configLo;
      case HPET_TN_CFG + 4: return t.configHi;
      case HPET_TN_CMP: return t.cmpLo;
      case HPET_TN_CMP + 4: return t.cmpHi;
      case HPET_TN_ROUTE: return t.fsbLo;
      case HPET_TN_ROUTE + 4: return t.fsbHi;
      default: return 0;
    }
  }
  switch (addr) {
    case HPET_ID: return s.capabilityLo;
    case HPET_PERIOD: return s.capabilityHi;
    case HPET_CFG: return s.config;
    case HPET_COUNTER:
      hpetReadCounter(s);
      return rLo;
    case HPET_COUNTER + 4:
      hpetReadCounter(s);
      return rHi;
    case HPET_STATUS: return s.isr;
    default: return 0;
  }
}

const activating = (old: number, val: number, mask: number): boolean => !(old & mask) && (val & mask) !== 0;
const deactivating = (old: number, val: number, mask: number): boolean => (old & mask) !== 0 && !(val & mask);

function hpetRamWrite(opaque: unknown, addr: number, value: number, size: number): void {
  if (size !== 4 || (addr & 3)) return;
  const s = opaque as HPETState;
  const oldVal = hpetReadReg(s, addr);
  let newVal = value >>> 0;
  if (addr >= 0x100 && addr <= 0x3ff) {
    const t = s.timers[(addr - 0x100) >> 5];
    if (!t) return;
    switch ((addr - 0x100) & 0x1f) {
      case HPET_TN_CFG:
        if (activating(oldVal, newVal, HPET_TN_FSB_ENABLE)) updateIrq(t, false);
        t.configLo = ((newVal & HPET_TN_CFG_WRITE_MASK) | (oldVal & ~HPET_TN_CFG_WRITE_MASK)) >>> 0;
        if (newVal & HPET_TN_32BIT) {
          t.cmpHi = 0;
          t.periodHi = 0;
        }
        if (activating(oldVal, newVal, HPET_TN_ENABLE) && hpetEnabled(s)) hpetSetTimer(t);
        else if (deactivating(oldVal, newVal, HPET_TN_ENABLE)) hpetDelTimer(t);
        break;
      case HPET_TN_CMP:
        if (!timerIsPeriodic(t) || (t.configLo & HPET_TN_SETVAL)) t.cmpLo = newVal;
        if (timerIsPeriodic(t)) {
          // The period keeps below half the counter's range.
          if (is32(t)) newVal &= 0x7fffffff;
          t.periodLo = newVal >>> 0;
        }
        t.configLo &= ~HPET_TN_SETVAL;
        if (hpetEnabled(s)) hpetSetTimer(t);
        break;
      case HPET_TN_CMP + 4:
        if (!timerIsPeriodic(t) || (t.configLo & HPET_TN_SETVAL)) {
          t.cmpHi = newVal;
        } else {
          if (is32(t)) newVal &= 0x7fffffff;
          t.periodHi = newVal >>> 0;
        }
        t.configLo &= ~HPET_TN_SETVAL;
        if (hpetEnabled(s)) hpetSetTimer(t);
        break;
      case HPET_TN_ROUTE:
        t.fsbLo = newVal;
        break;
      case HPET_TN_ROUTE + 4:
        t.fsbHi = newVal;
        break;
    }
    return;
  }
  switch (addr) {
    case HPET_CFG:
      s.config = ((newVal & HPET_CFG_WRITE_MASK) | (oldVal & ~HPET_CFG_WRITE_MASK)) >>> 0;
      if (activating(oldVal, newVal, HPET_CFG_ENABLE)) {
        // The counter runs on from the value it holds.
        ticksToNs(s.counterHi, s.counterLo);
        const now = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
        sub64(rHi, rLo, Math.floor(now / TWO32), now % TWO32);
        s.offsetHi = rHi;
        s.offsetLo = rLo;
        for (let i = 0; i < s.numTimers; i++) {
          const t = s.timers[i]!;
          if (t.cmpHi !== 0xffffffff || t.cmpLo !== 0xffffffff) hpetSetTimer(t);
        }
      } else if (deactivating(oldVal, newVal, HPET_CFG_ENABLE)) {
        hpetGetTicks(s);
        s.counterHi = rHi;
        s.counterLo = rLo;
        for (let i = 0; i < s.numTimers; i++) hpetDelTimer(s.timers[i]!);
      }
      // In legacy mode the PIT's and the RTC's own lines are cut off.
      if (activating(oldVal, newVal, HPET_CFG_LEGACY)) {
        qemuSetIrq(s.pitEnabled, 0);
        qemuIrqLower(s.irqs[0]!);
        qemuIrqLower(s.irqs[RTC_ISA_IRQ]!);
      } else if (deactivating(oldVal, newVal, HPET_CFG_LEGACY)) {
        qemuIrqLower(s.irqs[0]!);
        qemuSetIrq(s.pitEnabled, 1);
        qemuSetIrq(s.irqs[RTC_ISA_IRQ]!, s.rtcIrqLevel);
      }
      break;
    case HPET_STATUS: {
      // Writing 1 clears a level interrupt's status bit and line.
      const val = newVal & s.isr;
      for (let i = 0; i < s.numTimers; i++) if (val & (1 << i)) updateIrq(s.timers[i]!, false);
      break;
    }
    case HPET_COUNTER:
      s.counterLo = newVal;
      break;
    case HPET_COUNTER + 4:
      s.counterHi = newVal;
      break;
  }
}

const hpetRamOps: MemoryRegionOps = { read: hpetRamRead, write: hpetRamWrite };

/** hpet_handle_legacy_irq(): the PIT's and the RTC's lines reach IRQ 0 and 8 unless in legacy mode. */
function hpetHandleLegacyIrq(opaque: unknown, n: number, level: number): void {
  const s = opaque as HPETState;
  if (n === HPET_LEGACY_PIT_INT) {
    if (!hpetInLegacyMode(s)) qemuSetIrq(s.irqs[0]!, level);
  } else {
    s.rtcIrqLevel = level;
    if (!hpetInLegacyMode(s)) qemuSetIrq(s.irqs[RTC_ISA_IRQ]!, level);
  }
}

/** hpet_reset(): the counter stopped at 0, comparators all ones, intcap in each Tn_INT_ROUTE_CAP. */
export function hpetReset(s: HPETState): void {
  for (let i = 0; i < s.numTimers; i++) {
    const t = s.timers[i]!;
    hpetDelTimer(t);
    t.cmpHi = t.cmpLo = 0xffffffff;
    t.configLo = HPET_TN_PERIODIC_CAP | HPET_TN_SIZE_CAP | (s.msi ? HPET_TN_FSB_CAP : 0);
    t.configHi = s.intcap >>> 0;
    t.periodHi = t.periodLo = 0;
    t.wrapFlag = 0;
  }
  qemuSetIrq(s.pitEnabled, 1);
  s.counterHi = s.counterLo = 0;
  s.offsetHi = s.offsetLo = 0;
  s.config = 0;
  // The RTC lowers its output on reset as well.
  s.rtcIrqLevel = 0;
}

function hpetRealize(dev: DeviceState): void {
  const s = dev as HPETState;
  s.intcap = qdevPropGet(s, 'hpet-intcap') as number;
  s.msi = qdevPropGet(s, 'msi') === true;
  if (!s.intcap) warnReport("Hpet's intcap not initialized");
  s.numTimers = Math.min(Math.max(qdevPropGet(s, 'timers') as number, HPET_MIN_TIMERS), HPET_MAX_TIMERS);
  const reachable = Math.min(s.numTimers + 1, HPET_MAX_TIMERS);
  s.timers = [];
  for (let i = 0; i < reachable; i++) {
    const t = new HPETTimer(i, s);
    t.qemuTimer = timerNew(QEMU_CLOCK_VIRTUAL, hpetTimerExpired, t);
    s.timers.push(t);
  }
  s.capabilityLo = hpetCapabilityId(s.numTimers);
  sysbusInitMmio(s, s.iomem);
  hpetReset(s);
}

export function registerHpetTypes(): void {
  typeRegisterStatic({
    name: TYPE_HPET,
    parent: TYPE_SYS_BUS_DEVICE,
    instance: HPETState,
    classInit: (oc) => {
      const dc = deviceClass(oc);
      dc.realize = hpetRealize;
      dc.reset = (d) => hpetReset(d as HPETState);
      deviceClassSetProps(oc, [
        { name: 'timers', kind: 'uint8', def: HPET_MIN_TIMERS },
        { name: 'msi', kind: 'bit', def: false },
        { name: 'hpet-intcap', kind: 'uint32', def: 0 },
        { name: 'hpet-offset-saved', kind: 'bool', def: true },
      ]);
      (oc as { qtreeGpios?: string[] }).qtreeGpios = ['gpio-in "" 2', 'gpio-out "" 1', 'gpio-out "sysbus-irq" 32'];
    },
  });
}
