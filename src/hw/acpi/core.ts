/*
 * The ACPI fixed hardware registers (hw/acpi/core.c, QEMU 7.2) shared by the
 * chipsets' power management functions: the PM1a event block (status and
 * enable), the PM1a control block (SCI_EN, SLP_TYP/SLP_EN: S5 powers off),
 * the 24-bit PM timer at 3.579545 MHz on the virtual clock, and GPE0.
 */
import type { IOPortOps } from '../../exec/ioport.js';
import { qemuSetIrq, type QemuIrq } from '../core/irq.js';
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs, timerDel, timerMod, timerNew, type QEMUTimer } from '../../qemu/timer.js';
import { qemuSystemShutdownRequest } from '../../system/runstate.js';

export const PM_TIMER_FREQUENCY = 3579545;
const NANOSECONDS_PER_SECOND = 1e9;

export const ACPI_BITMASK_TIMER_STATUS = 0x0001;
export const ACPI_BITMASK_BUS_MASTER_STATUS = 0x0010;
export const ACPI_BITMASK_GLOBAL_LOCK_STATUS = 0x0020;
export const ACPI_BITMASK_POWER_BUTTON_STATUS = 0x0100;
export const ACPI_BITMASK_RT_CLOCK_STATUS = 0x0400;
export const ACPI_BITMASK_WAKE_STATUS = 0x8000;
export const ACPI_BITMASK_TIMER_ENABLE = 0x0001;
export const ACPI_BITMASK_GLOBAL_LOCK_ENABLE = 0x0020;
export const ACPI_BITMASK_POWER_BUTTON_ENABLE = 0x0100;
export const ACPI_BITMASK_RT_CLOCK_ENABLE = 0x0400;
const ACPI_BITMASK_PM1_COMMON_ENABLED =
  ACPI_BITMASK_RT_CLOCK_ENABLE | ACPI_BITMASK_POWER_BUTTON_ENABLE | ACPI_BITMASK_GLOBAL_LOCK_ENABLE | ACPI_BITMASK_TIMER_ENABLE;
export const ACPI_BITMASK_SCI_ENABLE = 0x0001;
export const ACPI_BITMASK_SLEEP_TYPE = 0x1c00;
export const ACPI_BITMASK_SLEEP_ENABLE = 0x2000;

/** ACPIREGS: the registers, the SCI line and the timer that raises TMR_STS. */
export class ACPIREGS {
  tmrOverflowTime = 0;
  tmrTimer: QEMUTimer;
  evtSts = 0;
  evtEn = 0;
  cnt = 0;
  /** Sleep type values: S4's SLP_TYP (the _S4 package), and whether SCI_EN is fixed on (acpi_only). */
  s4Val = 2;
  acpiOnly = false;
  /** GPE0 status and enable bytes (each half of the block). */
  gpeSts: Uint8Array;
  gpeEn: Uint8Array;
  sci: QemuIrq = null;

  constructor(gpeLen: number, readonly updateSci: (ar: ACPIREGS) => void = acpiUpdateSci) {
    this.gpeSts = new Uint8Array(gpeLen / 2);
    this.gpeEn = new Uint8Array(gpeLen / 2);
    this.tmrTimer = timerNew(QEMU_CLOCK_VIRTUAL, (o) => (o as ACPIREGS).updateSci(o as ACPIREGS), this);
  }
}

/** muldiv64(a, b, c) for a < 2^53 without BigInt: split a by c so no product leaves double precision. */
function muldiv(a: number, b: number, c: number): number {
  const q = Math.floor(a / c);
  return q * b + Math.floor(((a - q * c) * b) / c);
}

/** acpi_pm_tmr_get_clock(): PM timer ticks since the virtual clock's zero. */
function acpiPmTmrGetClock(): number {
  return muldiv(qemuClockGetNs(QEMU_CLOCK_VIRTUAL), PM_TIMER_FREQUENCY, NANOSECONDS_PER_SECOND);
}

/** acpi_pm_tmr_get(): the 24-bit counter. */
export function acpiPmTmrGet(): number {
  return acpiPmTmrGetClock() % 0x1000000;
}

/** acpi_pm_tmr_calc_overflow_time(): the next flip of bit 23 (when TMR_STS sets). */
function acpiPmTmrCalcOverflowTime(ar: ACPIREGS): void {
  const d = acpiPmTmrGetClock();
  ar.tmrOverflowTime = Math.floor((d + 0x800000) / 0x800000) * 0x800000;
}

/** acpi_pm_tmr_update(): arms the timer for the overflow while TMR_EN is on and TMR_STS off. */
function acpiPmTmrUpdate(ar: ACPIREGS, enable: boolean): void {
  if (enable) timerMod(ar.tmrTimer, muldiv(ar.tmrOverflowTime, NANOSECONDS_PER_SECOND, PM_TIMER_FREQUENCY));
  else timerDel(ar.tmrTimer);
}

/** acpi_pm1_evt_get_sts(): TMR_STS is set once the virtual clock passes the overflow time. */
export function acpiPm1EvtGetSts(ar: ACPIREGS): number {
  const d = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
  if (d >= muldiv(ar.tmrOverflowTime, NANOSECONDS_PER_SECOND, PM_TIMER_FREQUENCY)) ar.evtSts |= ACPI_BITMASK_TIMER_STATUS;
  return ar.evtSts;
}

/** acpi_update_sci(): SCI is the OR of enabled PM1 and GPE0 events; the timer follows TMR_EN. */
export function acpiUpdateSci(ar: ACPIREGS): void {
  const sts = acpiPm1EvtGetSts(ar);
  let gpe = 0;
  for (let i = 0; i < ar.gpeSts.length; i++) gpe |= ar.gpeSts[i]! & ar.gpeEn[i]!;
  qemuSetIrq(ar.sci, (sts & ar.evtEn & ACPI_BITMASK_PM1_COMMON_ENABLED) !== 0 || gpe !== 0 ? 1 : 0);
  acpiPmTmrUpdate(ar, (ar.evtEn & ACPI_BITMASK_TIMER_ENABLE) !== 0 && !(sts & ACPI_BITMASK_TIMER_STATUS));
}

function acpiPm1EvtWriteSts(ar: ACPIREGS, val: number): void {
  const sts = acpiPm1EvtGetSts(ar);
  // Clearing TMR_STS starts the wait for the next overflow.
  if (sts & val & ACPI_BITMASK_TIMER_STATUS) acpiPmTmrCalcOverflowTime(ar);
  ar.evtSts &= ~val;
}

/**
 * acpi_pm1_cnt_write(): SLP_EN with SLP_TYP 0 is QEMU's S5 (soft off), with
 * the _S4 value a suspend to disk (also a shutdown); S3 (SLP_TYP 1) needs
 * guest suspend, which tsqemu does not have: the write only updates the register.
 */
function acpiPm1CntWrite(ar: ACPIREGS, val: number): void {
  ar.cnt = val & ~ACPI_BITMASK_SLEEP_ENABLE & 0xffff;
  if (!(val & ACPI_BITMASK_SLEEP_ENABLE)) return;
  const susTyp = (val >> 10) & 7;
  if (susTyp === 0 || susTyp === ar.s4Val) qemuSystemShutdownRequest('guest-shutdown');
}

/** acpi_pm1_cnt_update(): the APM ACPI_ENABLE/ACPI_DISABLE commands switch SCI_EN (unless it is fixed on). */
export function acpiPm1CntUpdate(ar: ACPIREGS, sciEnable: boolean, sciDisable: boolean): void {
  if (ar.acpiOnly) return;
  if (sciEnable) ar.cnt |= ACPI_BITMASK_SCI_ENABLE;
  else if (sciDisable) ar.cnt &= ~ACPI_BITMASK_SCI_ENABLE;
}

/** The reset halves of acpi_pm1_evt_reset / acpi_pm1_cnt_reset / acpi_pm_tmr_reset / acpi_gpe_reset. */
export function acpiRegsReset(ar: ACPIREGS): void {
  ar.evtSts = 0;
  ar.evtEn = 0;
  ar.cnt = ar.acpiOnly ? ACPI_BITMASK_SCI_ENABLE : 0;
  ar.tmrOverflowTime = 0;
  timerDel(ar.tmrTimer);
  ar.gpeSts.fill(0);
  ar.gpeEn.fill(0);
}

/**
 * acpi_pm_evt_ops: 16-bit registers (status at 0, enable at 2); narrower
 * accesses read the 16-bit register and take its low part, wider ones split.
 */
function evtRead16(ar: ACPIREGS, off: number): number {
  if (off === 0) return acpiPm1EvtGetSts(ar);
  if (off === 2) return ar.evtEn;
  return 0;
}

function evtWrite16(ar: ACPIREGS, off: number, val: number): void {
  if (off === 0) acpiPm1EvtWriteSts(ar, val);
  else if (off === 2) ar.evtEn = val;
  else return;
  ar.updateSci(ar);
}

export const acpiPmEvtOps: IOPortOps = {
  read: (o, off, size) => {
    const ar = o as ACPIREGS;
    if (size <= 2) return evtRead16(ar, off) & (size === 1 ? 0xff : 0xffff);
    return (evtRead16(ar, off) | (evtRead16(ar, off + 2) << 16)) >>> 0;
  },
  write: (o, off, val, size) => {
    const ar = o as ACPIREGS;
    if (size <= 2) {
      evtWrite16(ar, off, val & (size === 1 ? 0xff : 0xffff));
      return;
    }
    evtWrite16(ar, off, val & 0xffff);
    evtWrite16(ar, off + 2, val >>> 16);
  },
};

/**
 * acpi_pm_cnt_ops: PM1a_CNT, 16 bits.  QEMU 7.2 ignores the offset: a read
 * at +1 gives the register from its low byte, a write sets the whole register.
 */
export const acpiPmCntOps: IOPortOps = {
  read: (o) => (o as ACPIREGS).cnt,
  write: (o, _off, val) => acpiPm1CntWrite(o as ACPIREGS, val),
};

/** acpi_pm_tmr_ops: any read at any offset gives the counter (truncated to the access size). */
export const acpiPmTmrOps: IOPortOps = {
  read: () => acpiPmTmrGet(),
  write: () => {},
};

/** The GPE0 block (acpi_gpe_ioport_readb/writeb): status bytes (write one to clear), then enable bytes. */
export const acpiGpeOps: IOPortOps = {
  read: (o, off, size) => {
    const ar = o as ACPIREGS;
    let v = 0;
    for (let i = 0; i < size; i++) {
      const a = off + i;
      const half = ar.gpeSts.length;
      v |= (a < half ? ar.gpeSts[a]! : ar.gpeEn[a - half] ?? 0) << (8 * i);
    }
    return v >>> 0;
  },
  write: (o, off, val, size) => {
    const ar = o as ACPIREGS;
    const half = ar.gpeSts.length;
    for (let i = 0; i < size; i++) {
      const a = off + i, b = (val >>> (8 * i)) & 0xff;
      if (a < half) ar.gpeSts[a]! &= ~b;
      else if (a - half < half) ar.gpeEn[a - half] = b;
    }
    ar.updateSci(ar);
  },
};
