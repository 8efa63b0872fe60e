/*
 * The frontend side of a chardev (chardev/char-fe.c, QEMU's CharBackend):
 * what a device model or a monitor holds.  It attaches handlers and writes.
 */
import { QemuError } from '../util/error.js';
import type { Chardev, ChrEvent } from './char.js';

/** What a frontend gives its chardev (IOCanReadHandler, IOReadHandler, IOEventHandler). */
export interface CharFrontendHandlers {
  /** How many bytes receive() may be given now; 0 holds input back until acceptInput(). */
  canReceive(): number;
  receive(buf: Buffer): void;
  event?(ev: ChrEvent): void;
}

/** Implemented by the mux chardev: several frontends on one backend. */
export interface CharMultiplexer {
  attachFrontend(be: CharBackend): number;
  detachFrontend(be: CharBackend): void;
  setFocus(tag: number): void;
}

function isMux(chr: Chardev): chr is Chardev & CharMultiplexer {
  return typeof (chr as Partial<CharMultiplexer>).attachFrontend === 'function';
}

export class CharBackend {
  handlers: CharFrontendHandlers | undefined;
  /** Index among a mux's frontends. */
  tag = 0;
  /** The frontend is open (fe_is_open): it has set its handlers. */
  feOpen = false;

  /** qemu_chr_fe_init(): one frontend per chardev, except on a mux. */
  constructor(public chr: Chardev) {
    if (isMux(chr)) this.tag = chr.attachFrontend(this);
    else if (chr.be) throw new QemuError(`Device '${chr.label}' is in use`);
    else chr.be = this;
  }

  /**
   * qemu_chr_fe_set_handlers(): installs the handlers; if the backend is already
   * open the frontend hears 'opened' now, and on a mux it takes the focus.
   * `open` false leaves the frontend marked closed (set_open = false).
   */
  setHandlers(h: CharFrontendHandlers | undefined, open = true): void {
    this.handlers = h;
    this.feOpen = !!h && open;
    if (!h) return;
    if (isMux(this.chr)) this.chr.setFocus(this.tag);
    else if (this.chr.beOpen) h.event?.('opened');
    // Input that arrived before any frontend was there.
    this.chr.acceptInput();
  }

  /** qemu_chr_fe_write(): never blocks; returns the bytes taken. */
  write(data: Buffer | string): number {
    return this.chr.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  /** qemu_chr_fe_accept_input(): call when canReceive() turns non-zero again. */
  acceptInput(): void {
    this.chr.acceptInput();
  }

  /** qemu_chr_fe_deinit(). */
  deinit(): void {
    this.handlers = undefined;
    if (isMux(this.chr)) this.chr.detachFrontend(this);
    else if (this.chr.be === this) this.chr.be = undefined;
  }
}

/** Convenience: init + set handlers. */
export function qemuChrFeInit(chr: Chardev, h?: CharFrontendHandlers): CharBackend {
  const be = new CharBackend(chr);
  if (h) be.setHandlers(h);
  return be;
}
