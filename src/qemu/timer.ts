/*
 * QEMU's clocks and timers (util/qemu-timer.c), for a single-threaded main
 * loop.  QEMU_CLOCK_REALTIME always runs; QEMU_CLOCK_VIRTUAL stops while the
 * VM is stopped (vm_stop) and resumes where it stopped; QEMU_CLOCK_HOST is the
 * host's wall clock (which may jump).  A timer fires from timerlistRun(), which
 * the vCPU loop and the main loop call at the deadline timerlistDeadlineNs()
 * gives them.  Tests replace the time source with qemuClockSetSource().
 */
import { onVmResume, onVmStop } from '../system/runstate.js';

export const enum QEMUClockType {
  REALTIME = 0,
  VIRTUAL = 1,
  HOST = 2,
}
export const QEMU_CLOCK_REALTIME = QEMUClockType.REALTIME;
export const QEMU_CLOCK_VIRTUAL = QEMUClockType.VIRTUAL;
export const QEMU_CLOCK_HOST = QEMUClockType.HOST;

/** Monotonic and wall-clock time sources, in ns. */
export interface ClockSource {
  monotonicNs(): number;
  wallNs(): number;
}

const hrtimeSource: ClockSource = {
  monotonicNs: () => Number(process.hrtime.bigint()),
  wallNs: () => Date.now() * 1e6,
};

let source: ClockSource = hrtimeSource;
/** Virtual time = monotonic - offset while running; frozen at `virtualStopped` while stopped. */
let virtualOffset = 0;
let virtualStopped = -1;

export type TimerCb = (opaque: unknown) => void;

export class QEMUTimer {
  /** Expiry in the clock's ns; -1 when not pending. */
  expireTime = -1;
  constructor(readonly clock: QEMUClockType, readonly cb: TimerCb, readonly opaque: unknown) {}
}

/** Pending timers, kept sorted by expiry per clock (few timers: a sorted array is enough). */
const active: QEMUTimer[][] = [[], [], []];

/** qemu_clock_get_ns(). */
export function qemuClockGetNs(clock: QEMUClockType): number {
  switch (clock) {
    case QEMUClockType.REALTIME: return source.monotonicNs();
    case QEMUClockType.VIRTUAL: return virtualStopped >= 0 ? virtualStopped : source.monotonicNs() - virtualOffset;
    default: return source.wallNs();
  }
}

export function qemuClockGetMs(clock: QEMUClockType): number {
  return Math.floor(qemuClockGetNs(clock) / 1e6);
}

/** timer_new_ns(). */
export function timerNew(clock: QEMUClockType, cb: TimerCb, opaque: unknown = null): QEMUTimer {
  return new QEMUTimer(clock, cb, opaque);
}

/** timer_del(). */
export function timerDel(t: QEMUTimer): void {
  if (t.expireTime < 0) return;
  const list = active[t.clock]!;
  const i = list.indexOf(t);
  if (i >= 0) list.splice(i, 1);
  t.expireTime = -1;
}

/** timer_mod(): (re)arms the timer for `expireNs` on its clock. */
export function timerMod(t: QEMUTimer, expireNs: number): void {
  timerDel(t);
  t.expireTime = Math.max(0, expireNs);
  const list = active[t.clock]!;
  let i = list.length;
  while (i > 0 && list[i - 1]!.expireTime > t.expireTime) i--;
  list.splice(i, 0, t);
}

export function timerPending(t: QEMUTimer): boolean {
  return t.expireTime >= 0;
}

export function timerExpireTime(t: QEMUTimer): number {
  return t.expireTime;
}

/**
 * timerlistg_deadline_ns(): ns from now until the earliest pending timer over
 * all clocks (virtual ones only while the VM runs); 0 if one is due, -1 if none.
 */
export function timerlistDeadlineNs(): number {
  let best = -1;
  for (let c = 0; c < 3; c++) {
    if (c === QEMUClockType.VIRTUAL && virtualStopped >= 0) continue;
    const first = active[c]![0];
    if (!first) continue;
    const d = Math.max(0, first.expireTime - qemuClockGetNs(c));
    if (best < 0 || d < best) best = d;
  }
  return best;
}

/** timerlist_run_timers() for every clock: runs each expired timer once; true if any ran. */
export function timerlistRun(): boolean {
  let ran = false;
  for (let c = 0; c < 3; c++) {
    if (c === QEMUClockType.VIRTUAL && virtualStopped >= 0) continue;
    const list = active[c]!;
    const now = qemuClockGetNs(c);
    // A callback may re-arm its own timer for a time already past: run only what was due on entry.
    let budget = list.length;
    while (budget-- > 0 && list.length && list[0]!.expireTime <= now) {
      const t = list.shift()!;
      t.expireTime = -1;
      t.cb(t.opaque);
      ran = true;
    }
  }
  return ran;
}

/** cpu_disable_ticks(): the virtual clock stops at its current value. */
export function virtualClockStop(): void {
  if (virtualStopped < 0) virtualStopped = qemuClockGetNs(QEMUClockType.VIRTUAL);
}

/** cpu_enable_ticks(): the virtual clock resumes from where it stopped. */
export function virtualClockStart(): void {
  if (virtualStopped < 0) return;
  virtualOffset = source.monotonicNs() - virtualStopped;
  virtualStopped = -1;
}

/** Hooks the virtual clock to vm_stop/vm_start; the VM starts stopped (prelaunch). */
export function qemuClockInit(): void {
  resetTimers();
  virtualStopped = 0;
  onVmStop(virtualClockStop);
  onVmResume(virtualClockStart);
}

/** Tests drive time by hand; null restores the host clocks. */
export function qemuClockSetSource(s: ClockSource | null): void {
  source = s ?? hrtimeSource;
  resetTimers();
}

function resetTimers(): void {
  for (const l of active) {
    for (const t of l) t.expireTime = -1;
    l.length = 0;
  }
  virtualOffset = source.monotonicNs();
  virtualStopped = -1;
}
