/*
 * What every monitor shares (monitor/monitor.c): the chardev it talks over,
 * the output buffer that waits while a mux has the focus elsewhere, the list
 * of monitors, and the VM name that query-name / info name report.
 */
import type { Chardev } from '../chardev/char.js';
import { CharBackend, type CharFrontendHandlers } from '../chardev/char-fe.js';

let vmName: string | undefined;

/** Set by the start-up code from -name (qemu_name). */
export function setQemuName(name: string | undefined): void {
  vmName = name;
}

export function qemuName(): string | undefined {
  return vmName;
}

export abstract class Monitor {
  /** The chardev frontend; undefined for the monitor behind human-monitor-command. */
  readonly chr: CharBackend | undefined;
  protected outbuf = '';
  /** A mux has the focus on another frontend: output waits (mon->mux_out). */
  muxOut = false;

  constructor(chardev: Chardev | undefined) {
    this.chr = chardev ? new CharBackend(chardev) : undefined;
    monitors.push(this);
  }

  /** Attaches the handlers once the subclass is ready for events. */
  protected attach(h: CharFrontendHandlers): void {
    this.chr?.setHandlers(h);
  }

  /** monitor_puts(): \n goes out as \r\n (QMP too); buffered, flushed unless the focus is elsewhere. */
  puts(s: string): void {
    this.outbuf += s.replace(/\n/g, '\r\n');
    this.flush();
  }

  flush(): void {
    if (!this.chr || this.muxOut || !this.outbuf) return;
    const s = this.outbuf;
    this.outbuf = '';
    this.chr.write(s);
  }

  /** Output collected so far (the monitor of human-monitor-command). */
  takeOutput(): string {
    const s = this.outbuf;
    this.outbuf = '';
    return s;
  }

  destroy(): void {
    this.chr?.deinit();
    const i = monitors.indexOf(this);
    if (i >= 0) monitors.splice(i, 1);
  }
}

const monitors: Monitor[] = [];

export function monitorList(): readonly Monitor[] {
  return monitors;
}

/** monitor_cleanup() (and for tests that start several monitors in one process). */
export function monitorCleanup(): void {
  for (const m of [...monitors]) m.destroy();
}
