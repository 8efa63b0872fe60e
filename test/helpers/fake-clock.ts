/*
 * A fake clock source for device tests: time moves only when a test moves it, and runUntil()
 * fires every timer at its exact deadline in order (src/qemu/timer.ts's timer lists).
 */
import { timerlistDeadlineNs, timerlistRun } from '../../src/qemu/timer.js';

export class FakeClock {
  now = 0;
  /** What the timer module reads: monotonic ns, and a wall clock `wallBase` ns ahead. */
  readonly source: { monotonicNs: () => number; wallNs: () => number };

  constructor(wallBase = 0) {
    this.source = { monotonicNs: () => this.now, wallNs: () => wallBase + this.now };
  }

  /** Advances to `t`, firing timers at their deadlines in order. */
  runUntil(t: number): void {
    for (;;) {
      const d = timerlistDeadlineNs();
      if (d < 0 || this.now + d > t) break;
      this.now += d;
      timerlistRun();
    }
    this.now = t;
    timerlistRun();
  }
}
