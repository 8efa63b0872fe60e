/*
 * A QMP monitor on a chardev (monitor/qmp.c).  When a client connects it gets
 * the greeting; until qmp_capabilities only that command exists, and every
 * other gets "Expecting capabilities negotiation".  Requests are answered one
 * at a time, in order.  Events reach monitors that have finished negotiation.
 */
import type { Chardev, ChrEvent } from '../chardev/char.js';
import { onQmpEvent, type QmpEvent } from '../system/runstate.js';
import { Monitor } from './monitor.js';
import { JsonMessageParser, qjsonToString, type QJson } from './qjson.js';
import { qmpDispatch, qmpErrorResponse, qmpFindCommand, type QmpCommand } from './qmp-dispatch.js';
import { QemuError } from '../util/error.js';
import { qmpVersionInfo } from './qmp-cmds.js';

export class MonitorQMP extends Monitor {
  /** True after qmp_capabilities (mon->commands == &qmp_commands). */
  commandMode = false;
  /** Out-of-band enabled by qmp_capabilities. */
  oobEnabled = false;
  private parser: JsonMessageParser;
  private queue: Array<{ req: QJson } | { err: string }> = [];
  private busy = false;
  private unsubscribe: () => void;

  constructor(chardev: Chardev, readonly pretty = false) {
    super(chardev);
    this.parser = new JsonMessageParser((v, err) => this.onMessage(v, err));
    this.unsubscribe = onQmpEvent((ev) => this.onEvent(ev));
    this.attach({
      canReceive: () => 4096,
      receive: (buf) => this.parser.feed(buf),
      event: (ev) => this.onChrEvent(ev),
    });
  }

  private onChrEvent(ev: ChrEvent): void {
    if (ev === 'opened') {
      this.commandMode = false;
      this.oobEnabled = false;
      this.send({ QMP: { version: qmpVersionInfo(), capabilities: ['oob'] } });
    } else if (ev === 'closed') {
      this.parser.reset();
      this.queue = [];
      this.commandMode = false;
    } else if (ev === 'mux-in') {
      this.muxOut = false;
      this.flush();
    } else if (ev === 'mux-out') {
      this.muxOut = true;
    }
  }

  send(msg: { [k: string]: QJson }): void {
    this.puts(qjsonToString(msg, this.pretty) + '\n');
  }

  private onMessage(v: QJson | undefined, err: string | undefined): void {
    this.queue.push(err !== undefined ? { err } : { req: v! });
    void this.runQueue();
  }

  /** Resolves once every request received so far has been answered. */
  idle(): Promise<void> {
    if (!this.busy && !this.queue.length) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }

  private idleWaiters: Array<() => void> = [];

  private async runQueue(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        const item = this.queue.shift()!;
        if ('err' in item) {
          this.send(qmpErrorResponse(new QemuError(item.err)));
          continue;
        }
        const rsp = await qmpDispatch(item.req, (n) => this.lookup(n), this.oobEnabled, { monitor: this });
        // Still negotiating after the command: say what is expected (monitor_qmp_dispatch).
        const e = rsp.error as { class?: string; desc?: string } | undefined;
        if (!this.commandMode && e?.class === 'CommandNotFound') {
          e.desc = "Expecting capabilities negotiation with 'qmp_capabilities'";
        }
        this.send(rsp);
      }
    } finally {
      this.busy = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** In negotiation mode only qmp_capabilities exists. */
  private lookup(name: string): QmpCommand | undefined {
    if (!this.commandMode && name !== 'qmp_capabilities') return undefined;
    return qmpFindCommand(name);
  }

  /** qmp_capabilities: enters command mode (called by the command handler). */
  negotiate(enableOob: boolean): void {
    this.oobEnabled = enableOob;
    this.commandMode = true;
  }

  private onEvent(ev: QmpEvent): void {
    if (!this.commandMode) return;
    const now = performance.timeOrigin + performance.now();
    const seconds = Math.floor(now / 1000);
    const microseconds = Math.floor((now - seconds * 1000) * 1000);
    const msg: { [k: string]: QJson } = { timestamp: { seconds, microseconds }, event: ev.event };
    if (ev.data) msg.data = ev.data as QJson;
    this.send(msg);
  }

  override destroy(): void {
    this.unsubscribe();
    super.destroy();
  }
}
