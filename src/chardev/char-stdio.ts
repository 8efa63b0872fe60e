/*
 * The stdio backend (chardev/char-stdio.c).  On a terminal, stdin goes to raw
 * mode for as long as the process runs.  QEMU leaves ISIG on when signal=on
 * (the default), so Ctrl-C still stops it; Node's raw mode turns ISIG off, so
 * the 0x03 byte is turned back into SIGINT here.
 */
import { typeRegisterStatic } from '../qom/object.js';
import { QemuError } from '../util/error.js';
import type { ChardevOpts } from './char.js';
import { optBool } from './chardev-opts.js';
import { FdChardev, TYPE_CHARDEV_FD } from './char-file.js';

let stdioInUse = false;

export class StdioChardev extends FdChardev {
  private signal = true;
  private onData = (d: Buffer): void => this.stdinData(d);
  private onEnd = (): void => this.beEvent('closed');
  private rawSet = false;
  /** This instance holds stdin (a refused second one must not release it on close). */
  private owner = false;

  override open(opts: ChardevOpts): boolean {
    if (stdioInUse) throw new QemuError('cannot use stdio by multiple character devices');
    this.signal = optBool(opts, 'signal', true);
    stdioInUse = true;
    this.owner = true;
    this.out = process.stdout;
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      this.rawSet = true;
      process.once('exit', restoreTty);
    }
    stdin.on('data', this.onData);
    stdin.on('end', this.onEnd);
    stdin.resume();
    return true;
  }

  private stdinData(d: Buffer): void {
    if (this.rawSet && this.signal && d.includes(0x03)) {
      process.kill(process.pid, 'SIGINT');
      return;
    }
    this.beWrite(d);
  }

  protected override pauseInput(): void {
    process.stdin.pause();
  }

  protected override resumeInput(): void {
    process.stdin.resume();
  }

  override close(): void {
    if (!this.owner) return super.close();
    this.owner = false;
    process.stdin.off('data', this.onData);
    process.stdin.off('end', this.onEnd);
    process.stdin.pause();
    if (this.rawSet) restoreTty();
    this.batch.flush();
    this.out = undefined;
    stdioInUse = false;
    super.close();
  }
}

function restoreTty(): void {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
}

export function registerStdioChardev(): void {
  typeRegisterStatic({ name: 'chardev-stdio', parent: TYPE_CHARDEV_FD, instance: StdioChardev });
}
