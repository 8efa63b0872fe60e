/*
 * BlockBackend (block/block-backend.c): what a device model holds.  It owns the root node
 * of a drive's graph, checks request bounds, applies the cache mode (writethrough flushes
 * after each write), detect-zeroes and discard policy, and records the error policy
 * (werror/rerror) for the device to act on.
 */
import type { BlockDriverState } from './block-int.js';
import { isZeroBuffer, BDRV_SECTOR_SIZE } from './block-int.js';

export type BlockdevOnError = 'report' | 'ignore' | 'enospc' | 'stop';
export type BlockErrorAction = 'report' | 'ignore' | 'stop';
export type DetectZeroes = 'off' | 'on' | 'unmap';

/** An I/O failure with the errno QEMU would pass to the device (positive, e.g. 5 = EIO). */
export class BlockIOError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
    this.name = 'BlockIOError';
  }
}

export const EIO = 5;
export const EPERM = 1;
export const ENOMEDIUM = 123;
export const ENOSPC = 28;

export interface BlockBackendOptions {
  writeback: boolean;
  readOnly: boolean;
  detectZeroes: DetectZeroes;
  discardUnmap: boolean;
  werror: BlockdevOnError;
  rerror: BlockdevOnError;
}

const backends = new Map<string, BlockBackend>();

export class BlockBackend {
  /** The device model attached to this backend (QEMU allows one). */
  dev: unknown = undefined;
  private bs: BlockDriverState | undefined;

  constructor(readonly name: string, bs: BlockDriverState | undefined, readonly opts: BlockBackendOptions) {
    this.bs = bs;
  }

  get root(): BlockDriverState | undefined {
    return this.bs;
  }

  isInserted(): boolean {
    return this.bs !== undefined;
  }

  isReadOnly(): boolean {
    return this.opts.readOnly;
  }

  enableWriteCache(): boolean {
    return this.opts.writeback;
  }

  /** Length in bytes (0 without a medium). */
  getLength(): number {
    return this.bs ? this.bs.getLength() : 0;
  }

  getSectors(): number {
    return Math.floor(this.getLength() / BDRV_SECTOR_SIZE);
  }

  private check(offset: number, len: number): BlockDriverState {
    const bs = this.bs;
    if (!bs) throw new BlockIOError(ENOMEDIUM, 'No medium found');
    if (offset < 0 || len < 0 || offset + len > bs.getLength()) throw new BlockIOError(EIO, 'Input/output error');
    return bs;
  }

  async pread(offset: number, buf: Uint8Array): Promise<void> {
    const bs = this.check(offset, buf.length);
    try {
      await bs.read(offset, buf);
    } catch (e) {
      throw toIOError(e);
    }
  }

  async pwrite(offset: number, buf: Uint8Array): Promise<void> {
    const bs = this.check(offset, buf.length);
    if (this.opts.readOnly) throw new BlockIOError(EPERM, 'Operation not permitted');
    try {
      if (this.opts.detectZeroes !== 'off' && isZeroBuffer(buf)) {
        await bs.writeZeroes(offset, buf.length, this.opts.detectZeroes === 'unmap' && this.opts.discardUnmap);
      } else {
        await bs.write(offset, buf);
      }
      // cache.writeback=off: every write is made stable before it completes (FUA emulation).
      if (!this.opts.writeback) await bs.flush();
    } catch (e) {
      throw toIOError(e);
    }
  }

  async preadSectors(sector: number, buf: Uint8Array): Promise<void> {
    return this.pread(sector * BDRV_SECTOR_SIZE, buf);
  }

  async pwriteSectors(sector: number, buf: Uint8Array): Promise<void> {
    return this.pwrite(sector * BDRV_SECTOR_SIZE, buf);
  }

  async pwriteZeroes(offset: number, len: number, mayUnmap: boolean): Promise<void> {
    const bs = this.check(offset, len);
    if (this.opts.readOnly) throw new BlockIOError(EPERM, 'Operation not permitted');
    try {
      await bs.writeZeroes(offset, len, mayUnmap && this.opts.discardUnmap);
      if (!this.opts.writeback) await bs.flush();
    } catch (e) {
      throw toIOError(e);
    }
  }

  /** A guest discard: dropped unless discard=unmap. */
  async pdiscard(offset: number, len: number): Promise<void> {
    const bs = this.check(offset, len);
    if (this.opts.readOnly) throw new BlockIOError(EPERM, 'Operation not permitted');
    if (!this.opts.discardUnmap) return;
    try {
      await bs.discard(offset, len);
    } catch (e) {
      throw toIOError(e);
    }
  }

  async flush(): Promise<void> {
    if (!this.bs) return;
    try {
      await this.bs.flush();
    } catch (e) {
      throw toIOError(e);
    }
  }

  /** blk_get_error_action(): what the device does with a failed request. */
  getErrorAction(isRead: boolean, errno: number): BlockErrorAction {
    const p = isRead ? this.opts.rerror : this.opts.werror;
    if (p === 'enospc') return errno === ENOSPC ? 'stop' : 'report';
    return p;
  }

  attachDev(dev: unknown): boolean {
    if (this.dev !== undefined) return false;
    this.dev = dev;
    return true;
  }

  detachDev(): void {
    this.dev = undefined;
  }

  async close(): Promise<void> {
    const bs = this.bs;
    this.bs = undefined;
    if (bs) await bs.close();
  }
}

function toIOError(e: unknown): BlockIOError {
  if (e instanceof BlockIOError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new BlockIOError(ENOSPC, 'No space left on device');
  return new BlockIOError(EIO, (e as Error).message ?? 'Input/output error');
}

export function blkRegister(blk: BlockBackend): void {
  backends.set(blk.name, blk);
}

/** blk_by_name(). */
export function blkByName(id: string): BlockBackend | undefined {
  return backends.get(id);
}

export function blkAll(): BlockBackend[] {
  return [...backends.values()];
}

export function blkRemove(id: string): void {
  backends.delete(id);
}

/** Flushes and closes every backend, as QEMU does at exit (bdrv_close_all). */
export async function blkCloseAll(): Promise<void> {
  for (const b of backends.values()) {
    await b.flush().catch(() => undefined);
    await b.close();
  }
  backends.clear();
}
