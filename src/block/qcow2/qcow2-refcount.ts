/*
 * qcow2 reference counts (block/qcow2-refcount.c): the refcount table, refcount blocks,
 * and cluster allocation.
 *
 * Every change is written through to the file at once, in an order that keeps the image
 * consistent whatever point a writer dies at: a cluster's refcount is raised before any
 * table points to it, and lowered only after the last pointer is gone.  A crash can
 * leave leaked clusters (refcount too high), never a used cluster with refcount 0.
 */
import { QemuError } from '../../util/error.js';
import { readU64, writeU64, type BlockDriverState } from '../block-int.js';
import type { QCowHeader } from './qcow2-format.js';

export interface RefcountHost {
  readonly file: BlockDriverState;
  readonly clusterBits: number;
  readonly clusterSize: number;
  readonly header: QCowHeader;
  /** Called when refcount structures move, so that the overlap map is rebuilt. */
  invalidateMetadataMap(): void;
}

export class Qcow2Refcounts {
  /** Host offsets of the refcount blocks, by refcount block index. */
  table: Float64Array = new Float64Array(0);
  private readonly blocks = new Map<number, Uint8Array>();
  /** log2 of the number of refcounts in one refcount block. */
  readonly blockBits: number;
  readonly maxRefcount: number;
  private freeClusterIndex = 0;
  private freeByteOffset = 0;

  constructor(private readonly s: RefcountHost) {
    this.blockBits = s.clusterBits + 3 - s.header.refcountOrder;
    this.maxRefcount = 2 ** (1 << s.header.refcountOrder) - 1;
  }

  async load(): Promise<void> {
    const h = this.s.header;
    const n = (h.refcountTableClusters * this.s.clusterSize) / 8;
    const raw = new Uint8Array(n * 8);
    await this.s.file.read(h.refcountTableOffset, raw);
    const dv = new DataView(raw.buffer);
    this.table = new Float64Array(n);
    // Bits 0-8 are reserved; QEMU masks them (REFT_OFFSET_MASK).
    for (let i = 0; i < n; i++) this.table[i] = readU64(dv, i * 8) - (dv.getUint32(i * 8 + 4) & 0x1ff);
  }

  /** Drops cached blocks, e.g. after check repaired the refcounts behind our back. */
  invalidate(): void {
    this.blocks.clear();
    this.freeClusterIndex = 0;
    this.freeByteOffset = 0;
  }

  private async block(rbi: number): Promise<Uint8Array | undefined> {
    let b = this.blocks.get(rbi);
    if (b) return b;
    const off = rbi < this.table.length ? this.table[rbi]! : 0;
    if (off === 0) return undefined;
    b = new Uint8Array(this.s.clusterSize);
    await this.s.file.read(off, b);
    this.blocks.set(rbi, b);
    return b;
  }

  async getRefcount(clusterIndex: number): Promise<number> {
    const b = await this.block(Math.floor(clusterIndex / 2 ** this.blockBits));
    if (!b) return 0;
    return getEntry(b, this.s.header.refcountOrder, clusterIndex % 2 ** this.blockBits);
  }

  /**
   * Adds `addend` to the refcount of each cluster in [first, first + count), writing each
   * changed refcount block range through.  Refcount blocks are created as needed.
   */
  async updateRefcount(first: number, count: number, addend: number): Promise<void> {
    const per = 2 ** this.blockBits;
    const order = this.s.header.refcountOrder;
    let idx = first;
    const end = first + count;
    while (idx < end) {
      const rbi = Math.floor(idx / per);
      const b = (await this.block(rbi)) ?? (await this.allocRefcountBlock(rbi));
      const startEntry = idx % per;
      const n = Math.min(end - idx, per - startEntry);
      for (let i = 0; i < n; i++) {
        const v = getEntry(b, order, startEntry + i) + addend;
        if (v < 0 || v > this.maxRefcount) {
          throw new QemuError(`qcow2: refcount of cluster ${idx + i} would become ${v}`);
        }
        setEntry(b, order, startEntry + i, v);
        if (v === 0) {
          if (idx + i < this.freeClusterIndex) this.freeClusterIndex = idx + i;
          // The cluster compressed data was being packed into is gone: start a new one.
          if (Math.floor(this.freeByteOffset / this.s.clusterSize) === idx + i) this.freeByteOffset = 0;
        }
      }
      const bitStart = startEntry << order;
      const bitEnd = (startEntry + n) << order;
      const byteStart = bitStart >>> 3;
      const byteEnd = (bitEnd + 7) >>> 3;
      await this.s.file.write(this.table[rbi]! + byteStart, b.subarray(byteStart, byteEnd));
      idx += n;
    }
  }

  /**
   * Creates refcount block `rbi`.  It is placed at the first cluster it covers, which is
   * free because no refcount block covered it before, and so describes itself.  A refcount
   * table too small for it is replaced by a larger one placed right after it.
   */
  private async allocRefcountBlock(rbi: number): Promise<Uint8Array> {
    const cs = this.s.clusterSize;
    const per = 2 ** this.blockBits;
    const order = this.s.header.refcountOrder;
    const blockIndex = rbi * per;
    const b = new Uint8Array(cs);
    setEntry(b, order, 0, 1);
    const h = this.s.header;
    if (rbi < this.table.length) {
      await this.s.file.write(blockIndex * cs, b);
      this.blocks.set(rbi, b);
      this.table[rbi] = blockIndex * cs;
      this.s.invalidateMetadataMap();
      const e = new Uint8Array(8);
      writeU64(new DataView(e.buffer), 0, blockIndex * cs);
      await this.s.file.write(h.refcountTableOffset + rbi * 8, e);
      return b;
    }
    // Grow the table: new size with headroom, in whole clusters.
    const entries = Math.max(rbi + 1, Math.ceil((this.table.length * 3) / 2));
    const tableClusters = Math.ceil((entries * 8) / cs);
    if (1 + tableClusters > per) throw new QemuError('qcow2: refcount table too large for one refcount block');
    const tableIndex = blockIndex + 1;
    for (let i = 0; i < tableClusters; i++) setEntry(b, order, 1 + i, 1);
    const newTable = new Float64Array((tableClusters * cs) / 8);
    newTable.set(this.table);
    newTable[rbi] = blockIndex * cs;
    const raw = new Uint8Array(tableClusters * cs);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < newTable.length; i++) writeU64(dv, i * 8, newTable[i]!);
    await this.s.file.write(blockIndex * cs, b);
    await this.s.file.write(tableIndex * cs, raw);
    await this.s.file.flush();
    const oldOffset = h.refcountTableOffset;
    const oldClusters = h.refcountTableClusters;
    const hdr = new Uint8Array(12);
    const hv = new DataView(hdr.buffer);
    writeU64(hv, 0, tableIndex * cs);
    hv.setUint32(8, tableClusters);
    await this.s.file.write(48, hdr);
    await this.s.file.flush();
    h.refcountTableOffset = tableIndex * cs;
    h.refcountTableClusters = tableClusters;
    this.table = newTable;
    this.blocks.set(rbi, b);
    this.s.invalidateMetadataMap();
    await this.updateRefcount(oldOffset / cs, oldClusters, -1);
    return b;
  }

  /** Finds `n` contiguous free clusters; refcount blocks that do not exist count as free. */
  private async findFreeClusters(n: number): Promise<number> {
    let start = this.freeClusterIndex;
    let run = 0;
    for (let i = start; ; i++) {
      if ((await this.getRefcount(i)) === 0) {
        if (run === 0) start = i;
        if (++run === n) return start;
      } else {
        run = 0;
        if (i === this.freeClusterIndex) this.freeClusterIndex = i + 1;
      }
    }
  }

  /** Allocates `n` contiguous clusters with refcount 1 and returns the host offset. */
  async allocClusters(n: number): Promise<number> {
    for (;;) {
      const idx = await this.findFreeClusters(n);
      const per = 2 ** this.blockBits;
      // Creating a missing refcount block may take a cluster of the range: then look again.
      let created = false;
      for (let rbi = Math.floor(idx / per); rbi <= Math.floor((idx + n - 1) / per); rbi++) {
        if (!(await this.block(rbi))) {
          await this.allocRefcountBlock(rbi);
          created = true;
        }
      }
      if (created) continue;
      await this.updateRefcount(idx, n, 1);
      if (idx === this.freeClusterIndex) this.freeClusterIndex = idx + n;
      return idx * this.s.clusterSize;
    }
  }

  /**
   * Allocates `size` bytes (< one cluster) for a compressed cluster, packing them after the
   * previous ones (qcow2_alloc_bytes).  Each host cluster the bytes touch gains one reference.
   */
  async allocBytes(size: number): Promise<number> {
    const cs = this.s.clusterSize;
    const used = this.freeByteOffset % cs;
    if (this.freeByteOffset !== 0 && used !== 0 && size <= cs - used) {
      const off = this.freeByteOffset;
      await this.updateRefcount(Math.floor(off / cs), 1, 1);
      this.freeByteOffset += size;
      return off;
    }
    const off = await this.allocClusters(1);
    this.freeByteOffset = off + size;
    return off;
  }

  /** Drops one reference from every cluster in the byte range [offset, offset + len). */
  async freeRange(offset: number, len: number): Promise<void> {
    const cs = this.s.clusterSize;
    const first = Math.floor(offset / cs);
    const last = Math.floor((offset + len - 1) / cs);
    await this.updateRefcount(first, last - first + 1, -1);
  }

  /** Index one past the highest cluster with a non-zero refcount. */
  async highestUsedCluster(): Promise<number> {
    const per = 2 ** this.blockBits;
    for (let rbi = this.table.length - 1; rbi >= 0; rbi--) {
      const b = await this.block(rbi);
      if (!b) continue;
      for (let i = per - 1; i >= 0; i--) {
        if (getEntry(b, this.s.header.refcountOrder, i) !== 0) return rbi * per + i + 1;
      }
    }
    return 0;
  }
}

/** Refcount entry `i` of a block with 2^order-bit entries (sub-byte entries: LSB first). */
export function getEntry(b: Uint8Array, order: number, i: number): number {
  switch (order) {
    case 0: return (b[i >>> 3]! >>> (i & 7)) & 1;
    case 1: return (b[i >>> 2]! >>> (2 * (i & 3))) & 3;
    case 2: return (b[i >>> 1]! >>> (4 * (i & 1))) & 15;
    case 3: return b[i]!;
    case 4: return (b[2 * i]! << 8) | b[2 * i + 1]!;
    case 5: return ((b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!) >>> 0;
    default: return readU64(new DataView(b.buffer, b.byteOffset), 8 * i);
  }
}

export function setEntry(b: Uint8Array, order: number, i: number, v: number): void {
  switch (order) {
    case 0: b[i >>> 3] = (b[i >>> 3]! & ~(1 << (i & 7))) | (v << (i & 7)); break;
    case 1: b[i >>> 2] = (b[i >>> 2]! & ~(3 << (2 * (i & 3)))) | (v << (2 * (i & 3))); break;
    case 2: b[i >>> 1] = (b[i >>> 1]! & ~(15 << (4 * (i & 1)))) | (v << (4 * (i & 1))); break;
    case 3: b[i] = v; break;
    case 4: b[2 * i] = v >>> 8; b[2 * i + 1] = v & 0xff; break;
    case 5: new DataView(b.buffer, b.byteOffset).setUint32(4 * i, v); break;
    default: writeU64(new DataView(b.buffer, b.byteOffset), 8 * i, v);
  }
}
