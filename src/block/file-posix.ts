/*
 * The `file` protocol driver (block/file-posix.c): a host file read and written with
 * positional I/O through Node's fs promises, which run on libuv's thread pool and so
 * never block the main loop.
 *
 * cache.direct=on opens the file with O_DIRECT.  The kernel then wants the buffer
 * address, the offset and the length aligned to the logical block size; Node gives no
 * control over buffer addresses, so direct I/O goes through bounce buffers whose
 * alignment is found by probing (the kernel answers EINVAL on a misaligned buffer).
 * Requests run in parallel (one bounce buffer each) unless their aligned spans overlap:
 * those are serialised, so that two read-modify-writes of one block cannot race.
 */
import { promises as fsp, constants as fsc, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { QemuError } from '../util/error.js';
import { CoMutex } from './co-mutex.js';
import {
  rawHandlePermLock, BLK_PERM_CONSISTENT_READ, BLK_PERM_WRITE, BLK_PERM_WRITE_UNCHANGED, BLK_PERM_RESIZE,
} from './file-lock.js';
import type { BlockDriverState, BlockStatus, OpenFlags } from './block-int.js';

/** Alignment used for O_DIRECT requests: covers 512- and 4096-byte logical blocks. */
const DIRECT_ALIGN = 4096;
const BOUNCE_SIZE = 1 << 20;
/** As many as libuv has threads by default: more would only queue there. */
const MAX_BOUNCE_BUFFERS = 4;

export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    case 'EINVAL': return 'Invalid argument';
    case 'EROFS': return 'Read-only file system';
    case 'ENOSPC': return 'No space left on device';
    case 'EEXIST': return 'File exists';
    case 'EPERM': return 'Operation not permitted';
    case 'ENOTDIR': return 'Not a directory';
    case 'EIO': return 'Input/output error';
    default: return (e as Error).message;
  }
}

export class FileBDS implements BlockDriverState {
  readonly drvName = 'file';
  readonly file = undefined;
  backing: BlockDriverState | undefined = undefined;
  private size: number;
  /** Idle bounce buffers, and requests waiting for one. */
  private readonly bouncePool: Uint8Array[] = [];
  private bounceCount = 0;
  private readonly bounceWaiters: Array<(b: Uint8Array) => void> = [];
  /** Aligned [start, end) spans of direct requests in flight. */
  private readonly inflight: Array<[number, number, CoMutex]> = [];

  private constructor(
    readonly filename: string,
    private readonly fh: FileHandle,
    readonly readOnly: boolean,
    private readonly direct: boolean,
    private readonly noFlush: boolean,
    size: number,
  ) {
    this.size = size;
  }

  static async open(filename: string, flags: OpenFlags): Promise<FileBDS> {
    let mode = flags.readOnly ? fsc.O_RDONLY : fsc.O_RDWR;
    if (flags.direct) mode |= fsc.O_DIRECT;
    let fh: FileHandle;
    try {
      fh = await fsp.open(filename, mode);
    } catch (e) {
      throw new QemuError(`Could not open '${filename}': ${errnoText(e)}`);
    }
    // The permissions QEMU's qcow2/raw nodes take on their file child: a writer refuses to
    // share write and resize, a reader refuses to share write.
    const perm = flags.readOnly ? BLK_PERM_CONSISTENT_READ : BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE | BLK_PERM_RESIZE;
    const shared = flags.readOnly
      ? BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED | BLK_PERM_RESIZE
      : BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
    try {
      rawHandlePermLock(fh.fd, filename, flags.locking ?? 'auto', perm, shared);
    } catch (e) {
      await fh.close();
      throw e;
    }
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw new QemuError(`'${filename}' is a directory`);
    }
    const bds = new FileBDS(filename, fh, flags.readOnly, flags.direct, flags.noFlush, st.size);
    if (flags.direct) {
      bds.bouncePool.push(probeAlignedBuffer(filename));
      bds.bounceCount = 1;
    }
    return bds;
  }

  getLength(): number {
    return this.size;
  }

  /** Bytes the file occupies on the host (st_blocks * 512), as qemu-img info's "disk size". */
  async allocatedSize(): Promise<number> {
    const st = await this.fh.stat();
    return st.blocks * 512;
  }

  async read(offset: number, buf: Uint8Array): Promise<void> {
    if (this.direct) return this.directIo(offset, buf, false);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.fh.read(buf, done, buf.length - done, offset + done);
      if (bytesRead === 0) {
        buf.fill(0, done);
        return;
      }
      done += bytesRead;
    }
  }

  async write(offset: number, buf: Uint8Array): Promise<void> {
    if (this.readOnly) throw new QemuError('Permission denied');
    if (this.direct) {
      await this.directIo(offset, buf, true);
    } else {
      let done = 0;
      while (done < buf.length) {
        const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, offset + done);
        done += bytesWritten;
      }
    }
    if (offset + buf.length > this.size) this.size = offset + buf.length;
  }

  private async getBounce(): Promise<Uint8Array> {
    const b = this.bouncePool.pop();
    if (b) return b;
    if (this.bounceCount < MAX_BOUNCE_BUFFERS) {
      this.bounceCount++;
      return probeAlignedBuffer(this.filename);
    }
    return new Promise((resolve) => this.bounceWaiters.push(resolve));
  }

  private putBounce(b: Uint8Array): void {
    const w = this.bounceWaiters.shift();
    if (w) w(b);
    else this.bouncePool.push(b);
  }

  /** Waits until no in-flight request overlaps [start, end), then claims the span. */
  private async claimSpan(start: number, end: number): Promise<CoMutex> {
    for (;;) {
      const other = this.inflight.find(([s, e]) => s < end && start < e);
      if (!other) break;
      await other[2].lock();
      other[2].unlock();
    }
    // Claimed with no await between the check above and the push: lock() on a free
    // mutex takes it synchronously.
    const m = new CoMutex();
    void m.lock();
    this.inflight.push([start, end, m]);
    return m;
  }

  private releaseSpan(m: CoMutex): void {
    this.inflight.splice(this.inflight.findIndex((x) => x[2] === m), 1);
    m.unlock();
  }

  /** O_DIRECT transfer through an aligned bounce buffer, read-modify-write at the edges. */
  private async directIo(offset: number, buf: Uint8Array, isWrite: boolean): Promise<void> {
    const spanStart = offset - (offset % DIRECT_ALIGN);
    // A write that grows the file also truncates it back: it must not overlap anything after it.
    const grows = isWrite && offset + buf.length > this.size;
    const spanEnd = grows ? Infinity : Math.ceil((offset + buf.length) / DIRECT_ALIGN) * DIRECT_ALIGN;
    const claim = await this.claimSpan(spanStart, spanEnd);
    const bounce = await this.getBounce();
    try {
      let pos = 0;
      while (pos < buf.length) {
        const off = offset + pos;
        const start = off - (off % DIRECT_ALIGN);
        const head = off - start;
        const n = Math.min(buf.length - pos, BOUNCE_SIZE - head);
        const span = Math.ceil((head + n) / DIRECT_ALIGN) * DIRECT_ALIGN;
        const chunk = bounce.subarray(0, span);
        if (!isWrite || head !== 0 || n !== span) {
          chunk.fill(0);
          await this.fh.read(chunk, 0, span, start);
        }
        if (isWrite) {
          chunk.set(buf.subarray(pos, pos + n), head);
          let done = 0;
          while (done < span) {
            const { bytesWritten } = await this.fh.write(chunk, done, span - done, start + done);
            done += bytesWritten;
          }
        } else {
          buf.set(chunk.subarray(head, head + n), pos);
        }
        pos += n;
      }
      // The aligned write may have run past the real end: cut the file back.
      if (isWrite && offset + buf.length > this.size) {
        this.size = offset + buf.length;
        await this.fh.truncate(this.size);
      }
    } finally {
      this.putBounce(bounce);
      this.releaseSpan(claim);
    }
  }

  async writeZeroes(offset: number, len: number, _unmap: boolean): Promise<void> {
    const chunk = new Uint8Array(Math.min(len, 1 << 20));
    for (let pos = 0; pos < len; pos += chunk.length) {
      await this.write(offset + pos, chunk.subarray(0, Math.min(chunk.length, len - pos)));
    }
  }

  /** Node has no fallocate(PUNCH_HOLE); a discard is advisory, so it is dropped. */
  async discard(_offset: number, _len: number): Promise<void> {}

  async flush(): Promise<void> {
    if (this.noFlush || this.readOnly) return;
    await this.fh.datasync();
  }

  async truncate(size: number): Promise<void> {
    await this.fh.truncate(size);
    this.size = size;
  }

  async blockStatus(offset: number, len: number): Promise<BlockStatus> {
    const end = Math.min(offset + len, this.size);
    return { len: Math.max(end - offset, 0), allocated: true, data: true, zero: false, offset };
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Finds an offset into a fresh buffer that satisfies O_DIRECT's address alignment, by reading
 * a block of a file that has data (the image itself, else the node binary) from each offset.
 */
function probeAlignedBuffer(filename: string): Uint8Array {
  const raw = new Uint8Array(BOUNCE_SIZE + DIRECT_ALIGN);
  for (const probeFile of [filename, process.execPath]) {
    let fd: number;
    try {
      fd = openSync(probeFile, fsc.O_RDONLY | fsc.O_DIRECT);
    } catch {
      continue;
    }
    try {
      if (fstatSync(fd).size < DIRECT_ALIGN) continue;
      for (let k = 0; k < DIRECT_ALIGN; k += 16) {
        try {
          if (readSync(fd, raw, k, DIRECT_ALIGN, 0) === DIRECT_ALIGN) return raw.subarray(k, k + BOUNCE_SIZE);
        } catch {
          // EINVAL: misaligned, try the next offset
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  throw new QemuError(`Could not open '${filename}': Invalid argument`);
}
