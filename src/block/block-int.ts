/*
 * The driver interface every node of a block graph implements (QEMU's BlockDriverState
 * plus the BlockDriver callbacks, block/block_int.h), reduced to what tsqemu needs.
 * Offsets and lengths are byte counts held in plain numbers: images stay below 2^53 bytes.
 */

/** One extent as bdrv_block_status() reports it. */
export interface BlockStatus {
  /** Bytes from the queried offset that share this status. */
  len: number;
  /** The range is allocated in this layer (it does not fall through to a backing file). */
  allocated: boolean;
  /** The range reads as data (false: reads as zeros or falls through). */
  data: boolean;
  /** The range reads as zeros. */
  zero: boolean;
  /** Host offset in `file` when the data is stored there uncompressed. */
  offset?: number;
  /** Set when the range is stored compressed (qcow2). */
  compressed?: boolean;
}

export interface BlockDriverState {
  /** Driver name as QEMU prints it: 'file', 'raw', 'qcow2'. */
  readonly drvName: string;
  readonly filename: string;
  readonly readOnly: boolean;
  /** The protocol node under a format node (bs->file), if any. */
  readonly file: BlockDriverState | undefined;
  /** The backing node of a format with backing files (bs->backing), if open. */
  backing: BlockDriverState | undefined;
  /** Virtual size in bytes. */
  getLength(): number;
  /** Reads buf.length bytes at offset; beyond the end reads zeros. */
  read(offset: number, buf: Uint8Array): Promise<void>;
  write(offset: number, buf: Uint8Array): Promise<void>;
  /** Makes a range read as zeros; `unmap` allows deallocating it. */
  writeZeroes(offset: number, len: number, unmap: boolean): Promise<void>;
  discard(offset: number, len: number): Promise<void>;
  flush(): Promise<void>;
  truncate(size: number): Promise<void>;
  blockStatus(offset: number, len: number): Promise<BlockStatus>;
  close(): Promise<void>;
}

/** Options a BlockBackend or qemu-img passes when it opens an image. */
export interface OpenFlags {
  readOnly: boolean;
  /** cache.direct: O_DIRECT on the host file. */
  direct: boolean;
  /** cache.no-flush: flush requests are dropped (cache=unsafe). */
  noFlush: boolean;
  /** discard=unmap: guest discards reach the image. */
  discardUnmap: boolean;
  /** Do not open backing files (qemu-img info, rebase -u). */
  noBacking: boolean;
  /** Leave a dirty image as it is (qemu-img check inspects it first). */
  noRepair?: boolean;
  /** file.locking: QEMU's image locking (default auto). */
  locking?: 'on' | 'off' | 'auto';
}

export const DEFAULT_OPEN_FLAGS: OpenFlags = {
  readOnly: false,
  direct: false,
  noFlush: false,
  discardUnmap: false,
  noBacking: false,
};

export const BDRV_SECTOR_SIZE = 512;

export function readU64(dv: DataView, off: number): number {
  return dv.getUint32(off) * 4294967296 + dv.getUint32(off + 4);
}

export function writeU64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, Math.floor(v / 4294967296));
  dv.setUint32(off + 4, v >>> 0);
}

export function isZeroBuffer(b: Uint8Array): boolean {
  const n = b.length;
  let i = 0;
  if ((b.byteOffset & 3) === 0 && n >= 4) {
    const w = new Uint32Array(b.buffer, b.byteOffset, n >>> 2);
    for (let j = 0; j < w.length; j++) if (w[j] !== 0) return false;
    i = w.length << 2;
  }
  for (; i < n; i++) if (b[i] !== 0) return false;
  return true;
}
