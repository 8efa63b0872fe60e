/*
 * The file backend (chardev/char-file.c): output goes to `path`, truncated
 * unless append=on.  Opening is synchronous so that errors are reported at
 * start-up, like QEMU's.  Writes are batched per tick and written synchronously,
 * as QEMU's blocking writes are, and what is pending is written when the process
 * exits, so output before an isa-debug-exit or a signal is never lost.
 */
import { openSync, closeSync, writeSync, constants as fsc } from 'node:fs';
import { typeRegisterStatic } from '../qom/object.js';
import { QemuError } from '../util/error.js';
import { strerror } from '../util/strerror.js';
import { Chardev, OutputBatcher, TYPE_CHARDEV, type ChardevOpts } from './char.js';
import { optBool } from './chardev-opts.js';

export const TYPE_CHARDEV_FD = 'chardev-fd';

/** An output stream with a drain() that waits for what was queued (chardev-fd's output side). */
export class FdChardev extends Chardev {
  protected out: NodeJS.WritableStream | undefined;
  protected batch = new OutputBatcher((data) => this.out?.write(data));

  protected override chrWrite(buf: Buffer): number {
    if (this.out) this.batch.push(buf);
    return buf.length;
  }

  /** An empty write's callback runs once everything queued before it is written. */
  override drain(): Promise<void> {
    void super.drain();
    this.batch.flush();
    const out = this.out;
    if (!out) return Promise.resolve();
    return new Promise((res) => out.write(Buffer.alloc(0), () => res()));
  }
}

export class FileChardev extends Chardev {
  private fd = -1;
  private readonly fileBatch = new OutputBatcher((data) => this.writeAll(data));
  private readonly onExit = (): void => this.fileBatch.flush();

  private writeAll(data: Buffer): void {
    for (let off = 0; off < data.length && this.fd >= 0; ) {
      try {
        off += writeSync(this.fd, data, off);
      } catch {
        return; // a full disk or a closed file: output is dropped, as QEMU's file chardev does
      }
    }
  }

  protected override chrWrite(buf: Buffer): number {
    if (this.fd >= 0) this.fileBatch.push(buf);
    return buf.length;
  }

  override drain(): Promise<void> {
    void super.drain();
    this.fileBatch.flush();
    return Promise.resolve();
  }

  override open(opts: ChardevOpts): boolean {
    const path = opts.path;
    if (path === undefined) throw new QemuError('chardev: file: no filename given');
    const append = optBool(opts, 'append', false);
    let fd: number;
    try {
      fd = openSync(path, fsc.O_WRONLY | fsc.O_CREAT | (append ? fsc.O_APPEND : fsc.O_TRUNC), 0o666);
    } catch (e) {
      throw new QemuError(`Could not open '${path}': ${strerror(e as NodeJS.ErrnoException)}`);
    }
    this.fd = fd;
    process.on('exit', this.onExit);
    return true;
  }

  override close(): void {
    this.fileBatch.flush();
    process.off('exit', this.onExit);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    super.close();
  }
}

export function registerFileChardev(): void {
  typeRegisterStatic({ name: TYPE_CHARDEV_FD, parent: TYPE_CHARDEV, abstract: true, instance: FdChardev });
  typeRegisterStatic({ name: 'chardev-file', parent: TYPE_CHARDEV_FD, instance: FileChardev });
}
