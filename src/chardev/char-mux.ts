/*
 * The mux chardev (chardev/char-mux.c): several frontends (a serial port and
 * the monitor, typically) share one backend.  Output from every frontend goes
 * out; input goes to the frontend in focus.  Ctrl-A is an escape:
 *   C-a h/?  help            C-a x  quit (SHUTDOWN host-qmp-quit)
 *   C-a c    next frontend   C-a b  break to the frontend in focus
 *   C-a t    timestamps      C-a s  commit disks (no block layer hook: nothing)
 *   C-a C-a  a literal C-a
 */
import { typeRegisterStatic } from '../qom/object.js';
import { QemuError } from '../util/error.js';
import { qemuSystemShutdownRequest } from '../system/runstate.js';
import { Chardev, TYPE_CHARDEV, qemuChrFind, qemuChrList, type ChardevOpts, type ChrEvent } from './char.js';
import { CharBackend, type CharMultiplexer } from './char-fe.js';

export const TYPE_CHARDEV_MUX = 'chardev-mux';
const MAX_MUX = 4;
const TERM_ESCAPE_CHAR = 0x01;

const MUX_HELP = [
  '% h    print this help\n\r',
  '% x    exit emulator\n\r',
  '% s    save disk data back to file (if -snapshot)\n\r',
  '% t    toggle console timestamps\n\r',
  '% b    send break (magic sysrq)\n\r',
  '% c    switch between console and monitor\n\r',
  '% %  sends %\n\r',
];

/** Off while the command line is processed: OPENED reaches mux frontends only afterwards (suspend_mux_open). */
let muxesOpened = true;

export class MuxChardev extends Chardev implements CharMultiplexer {
  private drv!: CharBackend;
  private frontends: Array<CharBackend | undefined> = [];
  focus = -1;
  private gotEscape = false;
  private timestamps = false;
  private timestampsStart = -1;
  private linestart = false;
  private blocked = false;

  override open(opts: ChardevOpts): boolean {
    const id = opts.chardev;
    if (id === undefined) throw new QemuError('chardev: mux: no chardev given');
    const base = qemuChrFind(id);
    if (!base) throw new QemuError(`mux: base chardev ${id} not found`);
    this.drv = new CharBackend(base);
    // The backend's frontend counts as open once a frontend of the mux sets its handlers (setFocus).
    this.drv.setHandlers({
      canReceive: () => (this.blocked ? 0 : 4096),
      receive: (buf) => this.muxRead(buf),
      event: (ev) => this.sendAllEvent(ev),
    }, false);
    return muxesOpened;
  }

  attachFrontend(be: CharBackend): number {
    let tag = this.frontends.findIndex((f) => f === undefined);
    if (tag < 0) tag = this.frontends.length;
    // QEMU 7.2 says the device is in use (later versions name the limit).
    if (tag >= MAX_MUX) throw new QemuError(`Device '${this.label}' is in use`);
    this.frontends[tag] = be;
    return tag;
  }

  detachFrontend(be: CharBackend): void {
    const i = this.frontends.indexOf(be);
    if (i >= 0) this.frontends[i] = undefined;
    if (this.be === be) this.be = undefined;
  }

  /** mux_set_focus(): MUX_OUT to the old frontend, MUX_IN to the new. */
  setFocus(tag: number): void {
    this.drv.feOpen = true;
    if (this.focus !== -1) this.sendEvent(this.focus, 'mux-out');
    this.focus = tag;
    this.be = this.frontends[tag];
    this.sendEvent(tag, 'mux-in');
  }

  private sendEvent(tag: number, ev: ChrEvent): void {
    this.frontends[tag]?.handlers?.event?.(ev);
  }

  /** Events of the underlying backend go to every frontend (mux_chr_event); the mux's own state stays. */
  private sendAllEvent(ev: ChrEvent): void {
    if (!muxesOpened) return;
    for (let i = 0; i < this.frontends.length; i++) this.sendEvent(i, ev);
  }

  /** The mux's own events go to the frontend in focus (mux_chr_be_event). */
  override beEvent(ev: ChrEvent): void {
    if (ev === 'opened') this.beOpen = true;
    else if (ev === 'closed') this.beOpen = false;
    if (this.focus !== -1) this.sendEvent(this.focus, ev);
  }

  /** open_muxes(): deferred OPENED to every attached frontend. */
  openMuxes(): void {
    for (let i = 0; i < this.frontends.length; i++) this.sendEvent(i, 'opened');
    this.beOpen = true;
  }

  private muxRead(buf: Buffer): void {
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      if (this.procByte(buf[i]!)) continue;
      // An escape sequence byte: pass on what came before it.
      if (i > start) this.beWrite(buf.subarray(start, i));
      start = i + 1;
    }
    if (start < buf.length) this.beWrite(buf.subarray(start));
  }

  /** mux_proc_byte(): true if the byte is data for the frontend. */
  private procByte(ch: number): boolean {
    if (this.gotEscape) {
      this.gotEscape = false;
      // "C-a C-a": the second one is data.
      if (ch === TERM_ESCAPE_CHAR) return true;
      switch (ch) {
        case 0x3f: // '?'
        case 0x68: // 'h'
          this.printHelp();
          break;
        case 0x78: // 'x'
          this.drv.write('QEMU: Terminated\n\r');
          qemuSystemShutdownRequest('host-qmp-quit');
          break;
        case 0x62: // 'b'
          this.beEvent('break');
          break;
        case 0x63: { // 'c'
          const tags = this.frontends.flatMap((f, i) => (f ? [i] : []));
          if (tags.length === 0) break;
          const next = tags.find((t) => t > this.focus) ?? tags[0]!;
          this.setFocus(next);
          break;
        }
        case 0x74: // 't'
          this.timestamps = !this.timestamps;
          this.timestampsStart = -1;
          this.linestart = false;
          break;
      }
      return false;
    }
    if (ch === TERM_ESCAPE_CHAR) {
      this.gotEscape = true;
      return false;
    }
    return true;
  }

  private printHelp(): void {
    const ebuf = `C-${String.fromCharCode(TERM_ESCAPE_CHAR - 1 + 0x61)}`;
    let s = '\n\r';
    for (const line of MUX_HELP) s += line.replace(/%/g, ebuf);
    this.drv.write(s);
  }

  protected override chrWrite(buf: Buffer): number {
    if (!this.timestamps) return this.drv.write(buf);
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      if (this.linestart) {
        if (i > start) this.drv.write(buf.subarray(start, i));
        start = i;
        this.drv.write(this.timestampText());
        this.linestart = false;
      }
      if (buf[i] === 0x0a) this.linestart = true;
    }
    this.drv.write(buf.subarray(start));
    return buf.length;
  }

  private timestampText(): string {
    const now = Date.now();
    if (this.timestampsStart === -1) this.timestampsStart = now;
    const ti = now - this.timestampsStart;
    const secs = Math.floor(ti / 1000);
    const p2 = (n: number): string => String(n).padStart(2, '0');
    return `[${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)}.${String(ti % 1000).padStart(3, '0')}] `;
  }

  protected override pauseInput(): void {
    this.blocked = true;
  }

  protected override resumeInput(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.drv.acceptInput();
  }

  override drain(): Promise<void> {
    void super.drain();
    return this.drv.chr.drain();
  }

  override close(): void {
    this.drv?.deinit();
    super.close();
  }
}

/** suspend_mux_open(): called before the command line is processed. */
export function suspendMuxOpen(): void {
  muxesOpened = false;
}

/** resume_mux_open(): afterwards, every mux's frontends hear OPENED. */
export function resumeMuxOpen(): void {
  muxesOpened = true;
  for (const chr of qemuChrList()) {
    if (chr instanceof MuxChardev && !chr.beOpen) chr.openMuxes();
  }
}

export function registerMuxChardev(): void {
  typeRegisterStatic({ name: TYPE_CHARDEV_MUX, parent: TYPE_CHARDEV, instance: MuxChardev });
}
