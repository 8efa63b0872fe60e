/*
 * The qcow2 format driver (block/qcow2.c, qcow2-cluster.c): open, the guest-offset to
 * host-offset mapping through L1 and L2 tables, reads (with backing files and compressed
 * clusters), allocating writes with copy-on-write, zero writes and discards.
 *
 * Metadata is written through (see qcow2-refcount.ts for the ordering rule); L2 tables
 * are kept in an LRU cache of clean copies.  Writers are serialised by one CoMutex,
 * readers are not: a reader copies the entries it needs before it awaits.
 */
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { QemuError } from '../../util/error.js';
import { CoMutex } from '../co-mutex.js';
import { writeU64, type BlockDriverState, type BlockStatus, type OpenFlags } from '../block-int.js';
import {
  QCOW_MAGIC, MIN_CLUSTER_BITS, MAX_CLUSTER_BITS, QCOW_MAX_L1_SIZE, QCOW_MAX_REFTABLE_SIZE,
  QCOW2_INCOMPAT_DIRTY, QCOW2_INCOMPAT_CORRUPT, QCOW2_INCOMPAT_COMPRESSION, QCOW2_INCOMPAT_DATA_FILE,
  QCOW2_COMPAT_LAZY_REFCOUNTS,
  QCOW2_EXT_MAGIC_BACKING_FORMAT, QCOW2_EXT_MAGIC_FEATURE_TABLE, QCOW2_EXT_MAGIC_CRYPTO_HEADER,
  QCOW2_EXT_MAGIC_DATA_FILE, FEATURE_TYPE_INCOMPAT,
  OFLAG_COPIED_HI, OFLAG_COMPRESSED_HI, OFLAG_ZERO_LO, OFFSET_MASK_HI, OFFSET_MASK_LO,
  parseHeader, parseExtensions, parseSnapshotTable, buildHeaderArea, featureName,
  type QCowHeader, type QCowSnapshot, type HeaderExtension,
} from './qcow2-format.js';
import { Qcow2Refcounts } from './qcow2-refcount.js';

export const enum ClusterType {
  Unallocated,
  ZeroPlain,
  ZeroAlloc,
  Normal,
  Compressed,
}

/** Opens a backing file named in an image header; supplied by block.ts to avoid a cycle. */
export type BackingOpener = (filename: string, format: string | undefined, flags: OpenFlags) => Promise<BlockDriverState>;

/** QEMU's default l2-cache-size limit on Linux (DEFAULT_L2_CACHE_MAX_SIZE). */
const L2_CACHE_MAX_BYTES = 32 * 1024 * 1024;

export class Qcow2BDS implements BlockDriverState {
  readonly drvName = 'qcow2';
  backing: BlockDriverState | undefined = undefined;
  header!: QCowHeader;
  clusterBits = 16;
  clusterSize = 65536;
  /** log2 of entries per L2 table. */
  l2Bits = 13;
  l1: Float64Array = new Float64Array(0);
  l1Copied: Uint8Array = new Uint8Array(0);
  refcounts!: Qcow2Refcounts;
  snapshots: QCowSnapshot[] = [];
  /** Bytes the snapshot table occupies on disk. */
  snapshotsSize = 0;
  backingFile: string | undefined;
  backingFormat: string | undefined;
  /** Header extensions we do not interpret, kept when the header is rewritten. */
  otherExts: HeaderExtension[] = [];
  /** Offset of the compressed size field in a compressed L2 entry (csize_shift). */
  csizeShift = 0;
  readonly lock = new CoMutex();
  private readonly l2Cache = new Map<number, Uint8Array>();
  private l2CacheMax = 16;
  private lastCompressedOffset = -1;
  private lastCompressed = new Uint8Array(0);
  private markedDirty = false;
  /** Metadata clusters by kind, for the overlap check; rebuilt after metadata moves. */
  private metaClusters: Map<number, string> | undefined;

  private constructor(
    readonly file: BlockDriverState,
    readonly readOnly: boolean,
    readonly flags: OpenFlags,
  ) {}

  get filename(): string {
    return this.file.filename;
  }

  static async open(file: BlockDriverState, flags: OpenFlags, openBacking: BackingOpener): Promise<Qcow2BDS> {
    const s = new Qcow2BDS(file, flags.readOnly, flags);
    await s.openImage(openBacking);
    s.lastCompressed = new Uint8Array(s.clusterSize);
    return s;
  }

  private async openImage(openBacking: BackingOpener): Promise<void> {
    // Bytes past the end of a short file read as zeros, as they do for QEMU.
    const first = new Uint8Array(Math.max(4096, Math.min(this.file.getLength(), 2 * 1024 * 1024)));
    await this.file.read(0, first);
    const dv = new DataView(first.buffer);
    if (dv.getUint32(0) !== QCOW_MAGIC) throw new QemuError('Image is not in qcow2 format');
    const h = parseHeader(first);
    if (h.version < 2 || h.version > 3) throw new QemuError(`Unsupported qcow2 version ${h.version}`);
    if (h.clusterBits < MIN_CLUSTER_BITS || h.clusterBits > MAX_CLUSTER_BITS) {
      throw new QemuError(`Unsupported cluster size: 2^${h.clusterBits}`);
    }
    this.header = h;
    this.clusterBits = h.clusterBits;
    this.clusterSize = 2 ** h.clusterBits;
    this.l2Bits = h.clusterBits - 3;
    this.csizeShift = 62 - (h.clusterBits - 8);
    if (h.version >= 3) {
      if (h.headerLength < 104) throw new QemuError('qcow2 header too short');
      if (h.headerLength > this.clusterSize) throw new QemuError('qcow2 header exceeds cluster size');
    }
    const extEnd = h.backingFileOffset && h.backingFileOffset < this.clusterSize ? h.backingFileOffset : this.clusterSize;
    const exts = parseExtensions(first, h.version >= 3 ? h.headerLength : 72, Math.min(extEnd, first.length));
    if (typeof exts === 'string') throw new QemuError(exts);
    let featureTable: Uint8Array | undefined;
    for (const e of exts) {
      if (e.magic === QCOW2_EXT_MAGIC_BACKING_FORMAT) this.backingFormat = new TextDecoder().decode(e.data);
      else if (e.magic === QCOW2_EXT_MAGIC_FEATURE_TABLE) featureTable = e.data;
      else this.otherExts.push(e);
    }
    // Unsupported incompatible features (report_unsupported_feature): names from the
    // image's feature table, then the remaining bits as one hex mask.
    const known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_COMPRESSION | QCOW2_INCOMPAT_DATA_FILE;
    const incompat = h.incompatibleFeatures;
    let hiBits = Math.floor(incompat / 4294967296);
    let loBits = (incompat >>> 0) & ~known;
    if (loBits !== 0 || hiBits !== 0) {
      const names: string[] = [];
      for (let i = 0; featureTable && i + 48 <= featureTable.length; i += 48) {
        const bit = featureTable[i + 1]!;
        if (featureTable[i] !== FEATURE_TYPE_INCOMPAT) continue;
        const set = bit < 32 ? (loBits >>> bit) & 1 : (hiBits >>> (bit - 32)) & 1;
        if (!set) continue;
        names.push(featureName(featureTable, FEATURE_TYPE_INCOMPAT, bit)!);
        if (bit < 32) loBits &= ~(1 << bit);
        else hiBits &= ~(1 << (bit - 32));
      }
      if (loBits !== 0 || hiBits !== 0) {
        const hex = hiBits ? hiBits.toString(16) + (loBits >>> 0).toString(16).padStart(8, '0') : (loBits >>> 0).toString(16);
        names.push(`Unknown incompatible feature: ${hex}`);
      }
      throw new QemuError(`Unsupported qcow2 feature(s): ${names.join(', ')}`);
    }
    const lo = incompat >>> 0;
    if (lo & QCOW2_INCOMPAT_DATA_FILE) throw new QemuError("'data-file' is required for this image");
    if (lo & QCOW2_INCOMPAT_COMPRESSION && h.compressionType !== 0) {
      throw new QemuError(`Unknown compression type ${h.compressionType}`);
    }
    if (lo & QCOW2_INCOMPAT_CORRUPT && !this.readOnly) {
      throw new QemuError('qcow2: Image is corrupt; cannot be opened read/write');
    }
    if (h.cryptMethod !== 0 || exts.some((e) => e.magic === QCOW2_EXT_MAGIC_CRYPTO_HEADER)) {
      throw new QemuError('Use of AES-CBC encrypted qcow2 images is no longer supported in system emulators');
    }
    if (exts.some((e) => e.magic === QCOW2_EXT_MAGIC_DATA_FILE)) {
      throw new QemuError("'data-file' is required for this image");
    }
    if (h.refcountOrder > 6) throw new QemuError('Reference count entry width too large; may not exceed 64 bits');
    if (h.l1Size > QCOW_MAX_L1_SIZE / 8) throw new QemuError('Active L1 table too large');
    if (h.refcountTableClusters > QCOW_MAX_REFTABLE_SIZE / this.clusterSize) {
      throw new QemuError('Reference count table too large');
    }
    if (h.l1TableOffset % this.clusterSize !== 0) throw new QemuError('Active L1 table offset invalid');
    if (h.refcountTableOffset % this.clusterSize !== 0) throw new QemuError('Reference count table offset invalid');

    const l2Coverage = 2 ** (this.l2Bits + this.clusterBits);
    if (h.l1Size < Math.ceil(h.size / l2Coverage)) throw new QemuError('L1 table is too small');
    await this.loadL1();
    // Enough tables to map the whole disk, up to QEMU's default cache limit.
    this.l2CacheMax = Math.max(2, Math.min(Math.ceil(L2_CACHE_MAX_BYTES / this.clusterSize), h.l1Size));
    this.refcounts = new Qcow2Refcounts(this);
    await this.refcounts.load();

    if (h.nbSnapshots > 0) {
      const raw = new Uint8Array(Math.min(h.nbSnapshots * 1024 + 65536, 64 * 1024 * 1024));
      await this.file.read(h.snapshotsOffset, raw);
      const list = parseSnapshotTable(raw, h.nbSnapshots);
      if (typeof list === 'string') throw new QemuError(list);
      this.snapshots = list.list;
      this.snapshotsSize = list.size;
    }

    if (h.backingFileOffset !== 0) {
      if (h.backingFileSize > 1023 || h.backingFileOffset > this.clusterSize) {
        throw new QemuError('Backing file name too long');
      }
      const nameBuf = new Uint8Array(h.backingFileSize);
      await this.file.read(h.backingFileOffset, nameBuf);
      this.backingFile = new TextDecoder().decode(nameBuf);
      if (!this.flags.noBacking) {
        this.backing = await openBacking(resolveBackingPath(this.filename, this.backingFile), this.backingFormat, {
          ...this.flags,
          readOnly: true,
        });
      }
    }
  }

  private async loadL1(): Promise<void> {
    const h = this.header;
    const raw = new Uint8Array(h.l1Size * 8);
    await this.file.read(h.l1TableOffset, raw);
    const dv = new DataView(raw.buffer);
    this.l1 = new Float64Array(h.l1Size);
    this.l1Copied = new Uint8Array(h.l1Size);
    for (let i = 0; i < h.l1Size; i++) {
      const hi = dv.getUint32(i * 8);
      const lo = dv.getUint32(i * 8 + 4);
      this.l1[i] = (hi & OFFSET_MASK_HI) * 4294967296 + ((lo & OFFSET_MASK_LO) >>> 0);
      this.l1Copied[i] = hi & OFLAG_COPIED_HI ? 1 : 0;
    }
  }

  getLength(): number {
    return this.header.size;
  }

  /** Whether the image has the lazy refcounts compatible feature. */
  get lazyRefcounts(): boolean {
    return (this.header.compatibleFeatures & QCOW2_COMPAT_LAZY_REFCOUNTS) !== 0;
  }

  get dirty(): boolean {
    return (this.header.incompatibleFeatures & QCOW2_INCOMPAT_DIRTY) !== 0;
  }

  get corrupt(): boolean {
    return (this.header.incompatibleFeatures & QCOW2_INCOMPAT_CORRUPT) !== 0;
  }

  // ---- L2 tables ----

  async getL2(l2Offset: number): Promise<Uint8Array> {
    let t = this.l2Cache.get(l2Offset);
    if (t) {
      this.l2Cache.delete(l2Offset);
      this.l2Cache.set(l2Offset, t);
      return t;
    }
    t = new Uint8Array(this.clusterSize);
    await this.file.read(l2Offset, t);
    const again = this.l2Cache.get(l2Offset);
    if (again) return again;
    this.l2Cache.set(l2Offset, t);
    if (this.l2Cache.size > this.l2CacheMax) {
      const oldest = this.l2Cache.keys().next().value as number;
      this.l2Cache.delete(oldest);
    }
    return t;
  }

  /**
   * Writes entries [from, to) of an L2 table a writer changed, and makes that copy the
   * cached one: a reader may have re-read and cached an older copy after an eviction.
   */
  private async commitL2(l2Off: number, t: Uint8Array, from: number, to: number): Promise<void> {
    await this.file.write(l2Off + from * 8, t.subarray(from * 8, to * 8));
    if (this.l2Cache.get(l2Off) !== t) {
      this.l2Cache.delete(l2Off);
      this.l2Cache.set(l2Off, t);
    }
  }

  setL2CacheTables(n: number): void {
    this.l2CacheMax = Math.max(2, n);
  }

  /** Forgets cached L2 tables (after snapshot apply or repair rewrote them). */
  dropCaches(): void {
    this.l2Cache.clear();
    this.lastCompressedOffset = -1;
    this.metaClusters = undefined;
  }

  /** Metadata moved (tables grown, snapshots changed): rebuild the overlap map on demand. */
  invalidateMetadataMap(): void {
    this.metaClusters = undefined;
  }

  /**
   * QEMU's "cached" overlap check: the header, active L1 and L2 tables, refcount table and
   * blocks, snapshot table and inactive L1 tables, from the tables in memory.
   */
  private metadataMap(): Map<number, string> {
    if (this.metaClusters) return this.metaClusters;
    const cs = this.clusterSize;
    const m = new Map<number, string>();
    const range = (off: number, len: number, what: string): void => {
      if (len <= 0) return;
      for (let c = Math.floor(off / cs); c <= Math.floor((off + len - 1) / cs); c++) m.set(c, what);
    };
    range(0, cs, 'qcow2_header');
    range(this.header.l1TableOffset, this.header.l1Size * 8, 'active L1 table');
    range(this.header.refcountTableOffset, this.header.refcountTableClusters * cs, 'refcount table');
    const rt = this.refcounts.table;
    for (let i = 0; i < rt.length; i++) if (rt[i]) m.set(rt[i]! / cs, 'refcount block');
    range(this.header.snapshotsOffset, this.snapshotsSize, 'snapshot table');
    for (const sn of this.snapshots) range(sn.l1TableOffset, sn.l1Size * 8, 'inactive L1 table');
    for (let i = 0; i < this.l1.length; i++) if (this.l1[i]) m.set(Math.floor(this.l1[i]! / cs), 'active L2 table');
    this.metaClusters = m;
    return m;
  }

  /**
   * Refuses a guest data write onto metadata (qcow2_pre_write_overlap_check): the image is
   * marked corrupt, as QEMU does, and the request fails with EIO.
   */
  private async overlapCheck(host: number, len: number): Promise<void> {
    const m = this.metadataMap();
    const cs = this.clusterSize;
    for (let c = Math.floor(host / cs); c <= Math.floor((host + len - 1) / cs); c++) {
      const what = m.get(c);
      if (what === undefined) continue;
      if (!this.corrupt) {
        process.stderr.write(`qcow2: Marking image as corrupt: Preventing invalid write on metadata (overlaps with ${what}); further corruption events will be suppressed\n`);
        this.header.incompatibleFeatures += QCOW2_INCOMPAT_CORRUPT;
        await this.writeFeatureBits();
        await this.file.flush();
      }
      throw new QemuError('Input/output error');
    }
  }

  classify(hi: number, lo: number): ClusterType {
    if (hi & OFLAG_COMPRESSED_HI) return ClusterType.Compressed;
    const off = (hi & OFFSET_MASK_HI) * 4294967296 + ((lo & OFFSET_MASK_LO) >>> 0);
    if (lo & OFLAG_ZERO_LO) return off ? ClusterType.ZeroAlloc : ClusterType.ZeroPlain;
    return off ? ClusterType.Normal : ClusterType.Unallocated;
  }

  static entryOffset(hi: number, lo: number): number {
    return (hi & OFFSET_MASK_HI) * 4294967296 + ((lo & OFFSET_MASK_LO) >>> 0);
  }

  /** Host byte offset and length of a compressed cluster's data. */
  compressedExtent(hi: number, lo: number): [number, number] {
    const shiftHi = this.csizeShift - 32;
    const off = (hi & ((1 << shiftHi) - 1)) * 4294967296 + (lo >>> 0);
    const nbSectors = ((hi & 0x3fffffff) >>> shiftHi) + 1;
    return [off, nbSectors * 512 - (off % 512)];
  }

  // ---- reads ----

  async read(offset: number, buf: Uint8Array): Promise<void> {
    const cs = this.clusterSize;
    const l2Entries = 2 ** this.l2Bits;
    let pos = 0;
    while (pos < buf.length) {
      const off = offset + pos;
      const cluster = Math.floor(off / cs);
      const inCluster = off - cluster * cs;
      const l1i = Math.floor(cluster / l2Entries);
      let l2i = cluster % l2Entries;
      const remaining = buf.length - pos;
      const l2Off = l1i < this.l1.length ? this.l1[l1i]! : 0;
      if (l2Off === 0) {
        const n = Math.min(remaining, (l2Entries - l2i) * cs - inCluster);
        await this.readUnallocated(off, buf.subarray(pos, pos + n));
        pos += n;
        continue;
      }
      const t = await this.getL2(l2Off);
      const dv = new DataView(t.buffer);
      const hi = dv.getUint32(l2i * 8);
      const lo = dv.getUint32(l2i * 8 + 4);
      const type = this.classify(hi, lo);
      let n = Math.min(remaining, cs - inCluster);
      if (type === ClusterType.Compressed) {
        await this.readCompressed(hi, lo, buf.subarray(pos, pos + n), inCluster);
        pos += n;
        continue;
      }
      // Extend over following clusters of the same kind (and, for data, contiguous on the host).
      const host = Qcow2BDS.entryOffset(hi, lo);
      let expect = host + cs;
      while (n < remaining && ++l2i < l2Entries) {
        const h2 = dv.getUint32(l2i * 8);
        const l2 = dv.getUint32(l2i * 8 + 4);
        const t2 = this.classify(h2, l2);
        if (type === ClusterType.Normal) {
          if (t2 !== ClusterType.Normal || Qcow2BDS.entryOffset(h2, l2) !== expect) break;
          expect += cs;
        } else if (t2 !== type && !(isZero(type) && isZero(t2))) {
          break;
        }
        n = Math.min(remaining, n + cs);
      }
      const sub = buf.subarray(pos, pos + n);
      if (type === ClusterType.Normal) await this.file.read(host + inCluster, sub);
      else if (type === ClusterType.Unallocated) await this.readUnallocated(off, sub);
      else sub.fill(0);
      pos += n;
    }
  }

  private async readUnallocated(off: number, sub: Uint8Array): Promise<void> {
    const b = this.backing;
    if (!b) {
      sub.fill(0);
      return;
    }
    const blen = b.getLength();
    if (off >= blen) {
      sub.fill(0);
      return;
    }
    const n = Math.min(sub.length, blen - off);
    await b.read(off, sub.subarray(0, n));
    if (n < sub.length) sub.fill(0, n);
  }

  private async readCompressed(hi: number, lo: number, dst: Uint8Array, inCluster: number): Promise<void> {
    const [coff, csize] = this.compressedExtent(hi, lo);
    if (this.lastCompressedOffset !== coff) {
      const cbuf = new Uint8Array(csize);
      await this.file.read(coff, cbuf);
      let out: Buffer;
      try {
        out = inflateRawSync(cbuf, { windowBits: 12, finishFlush: 2 /* Z_SYNC_FLUSH */ });
      } catch {
        throw new QemuError('Input/output error');
      }
      if (out.length < this.clusterSize) throw new QemuError('Input/output error');
      this.lastCompressed.set(out.subarray(0, this.clusterSize));
      this.lastCompressedOffset = coff;
    }
    dst.set(this.lastCompressed.subarray(inCluster, inCluster + dst.length));
  }

  // ---- writes ----

  private async markDirty(): Promise<void> {
    if (this.markedDirty || !this.lazyRefcounts || this.header.version < 3) return;
    this.header.incompatibleFeatures |= QCOW2_INCOMPAT_DIRTY;
    await this.writeFeatureBits();
    await this.file.flush();
    this.markedDirty = true;
  }

  async markClean(): Promise<void> {
    if (!this.dirty || this.readOnly) return;
    await this.file.flush();
    this.header.incompatibleFeatures -= QCOW2_INCOMPAT_DIRTY;
    await this.writeFeatureBits();
    await this.file.flush();
    this.markedDirty = false;
  }

  /**
   * Autoclear features we do not maintain (bitmaps) must be cleared by a writer that does
   * not update them, which marks their extensions stale for QEMU.
   */
  async clearAutoclear(): Promise<void> {
    this.header.autoclearFeatures = 0;
    await this.file.write(88, new Uint8Array(8));
    await this.file.flush();
  }

  async writeFeatureBits(): Promise<void> {
    const b = new Uint8Array(8);
    writeU64(new DataView(b.buffer), 0, this.header.incompatibleFeatures);
    await this.file.write(72, b);
  }

  /** Writes L1 entry l1i from memory (used by check's repair). */
  writeL1EntryPublic(l1i: number): Promise<void> {
    return this.writeL1Entry(l1i);
  }

  private async writeL1Entry(l1i: number): Promise<void> {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    writeU64(dv, 0, this.l1[l1i]!);
    if (this.l1Copied[l1i]) dv.setUint32(0, dv.getUint32(0) | OFLAG_COPIED_HI);
    await this.file.write(this.header.l1TableOffset + l1i * 8, b);
  }

  /** The L2 table for L1 index l1i, allocated or copied so that the active image owns it. */
  private async l2ForWrite(l1i: number): Promise<[number, Uint8Array]> {
    if (l1i >= this.l1.length) await this.growL1(l1i + 1);
    const old = this.l1[l1i]!;
    if (old !== 0 && this.l1Copied[l1i]) return [old, await this.getL2(old)];
    const t = new Uint8Array(this.clusterSize);
    if (old !== 0) t.set(await this.getL2(old));
    const off = await this.refcounts.allocClusters(1);
    await this.file.write(off, t);
    this.l1[l1i] = off;
    this.l1Copied[l1i] = 1;
    this.l2Cache.set(off, t);
    this.metaClusters?.set(off / this.clusterSize, 'active L2 table');
    await this.writeL1Entry(l1i);
    if (old !== 0) {
      this.l2Cache.delete(old);
      await this.refcounts.freeRange(old, this.clusterSize);
    }
    return [off, t];
  }

  /** Replaces the L1 table by one with at least minSize entries (qcow2_grow_l1_table). */
  async growL1(minSize: number, exact = false): Promise<void> {
    const cs = this.clusterSize;
    let newSize = minSize;
    if (!exact) {
      newSize = Math.max(minSize, this.l1.length);
      while (newSize < minSize) newSize = Math.ceil((newSize * 3) / 2);
    }
    if (newSize > QCOW_MAX_L1_SIZE / 8) throw new QemuError('File too large');
    const bytes = Math.ceil((newSize * 8) / cs) * cs;
    const raw = new Uint8Array(bytes);
    const dv = new DataView(raw.buffer);
    const l1 = new Float64Array(newSize);
    const copied = new Uint8Array(newSize);
    l1.set(this.l1.subarray(0, Math.min(newSize, this.l1.length)));
    copied.set(this.l1Copied.subarray(0, Math.min(newSize, this.l1.length)));
    for (let i = 0; i < newSize; i++) {
      writeU64(dv, i * 8, l1[i]!);
      if (copied[i]) dv.setUint32(i * 8, dv.getUint32(i * 8) | OFLAG_COPIED_HI);
    }
    const newOffset = await this.refcounts.allocClusters(bytes / cs);
    await this.file.write(newOffset, raw.subarray(0, newSize * 8));
    await this.file.flush();
    const hdr = new Uint8Array(12);
    const hv = new DataView(hdr.buffer);
    hv.setUint32(0, newSize);
    writeU64(hv, 4, newOffset);
    await this.file.write(36, hdr);
    await this.file.flush();
    const oldOffset = this.header.l1TableOffset;
    const oldSize = this.header.l1Size;
    this.header.l1TableOffset = newOffset;
    this.header.l1Size = newSize;
    this.l1 = l1;
    this.l1Copied = copied;
    this.metaClusters = undefined;
    if (oldSize > 0) await this.refcounts.freeRange(oldOffset, oldSize * 8);
  }

  async write(offset: number, buf: Uint8Array): Promise<void> {
    await this.lock.lock();
    try {
      await this.markDirty();
      await this.writeLocked(offset, buf);
    } finally {
      this.lock.unlock();
    }
  }

  private async writeLocked(offset: number, buf: Uint8Array): Promise<void> {
    const cs = this.clusterSize;
    const l2Entries = 2 ** this.l2Bits;
    let pos = 0;
    while (pos < buf.length) {
      const off = offset + pos;
      const cluster = Math.floor(off / cs);
      const inCluster = off - cluster * cs;
      const l1i = Math.floor(cluster / l2Entries);
      const l2i0 = cluster % l2Entries;
      const [l2Off, t] = await this.l2ForWrite(l1i);
      const dv = new DataView(t.buffer);
      const remaining = buf.length - pos;
      let hi = dv.getUint32(l2i0 * 8);
      let lo = dv.getUint32(l2i0 * 8 + 4);
      if (this.classify(hi, lo) === ClusterType.Normal && hi & OFLAG_COPIED_HI) {
        // In place: extend over clusters we own that follow on the host.
        const host = Qcow2BDS.entryOffset(hi, lo);
        let n = Math.min(remaining, cs - inCluster);
        let l2i = l2i0;
        while (n < remaining && ++l2i < l2Entries) {
          hi = dv.getUint32(l2i * 8);
          lo = dv.getUint32(l2i * 8 + 4);
          if (!(hi & OFLAG_COPIED_HI) || this.classify(hi, lo) !== ClusterType.Normal) break;
          if (Qcow2BDS.entryOffset(hi, lo) !== host + (l2i - l2i0) * cs) break;
          n = Math.min(remaining, n + cs);
        }
        await this.overlapCheck(host + inCluster, n);
        await this.file.write(host + inCluster, buf.subarray(pos, pos + n));
        pos += n;
        continue;
      }
      // Allocate a run of clusters that need new space, within this L2 table.
      const endOff = offset + buf.length;
      let k = 1;
      while (l2i0 + k < l2Entries && (cluster + k) * cs < endOff) {
        const h2 = dv.getUint32((l2i0 + k) * 8);
        const l2 = dv.getUint32((l2i0 + k) * 8 + 4);
        if (h2 & OFLAG_COPIED_HI && this.classify(h2, l2) === ClusterType.Normal) break;
        k++;
      }
      const runStart = cluster * cs;
      const runEnd = Math.min(runStart + k * cs, endOff);
      const data = new Uint8Array(k * cs);
      // Copy-on-write of the parts of the first and last cluster that the request leaves alone.
      if (inCluster > 0) await this.read(runStart, data.subarray(0, cs));
      const lastStart = runStart + (k - 1) * cs;
      if (runEnd < lastStart + cs && !(k === 1 && inCluster > 0)) {
        await this.read(lastStart, data.subarray((k - 1) * cs, k * cs));
      }
      const n = runEnd - off;
      data.set(buf.subarray(pos, pos + n), inCluster);
      // Trailing bytes past the virtual end need not be stored, but a whole cluster keeps
      // the file layout simple; they read as zeros because `data` starts zeroed.
      const host = await this.refcounts.allocClusters(k);
      await this.overlapCheck(host, data.length);
      await this.file.write(host, data);
      const old: Array<[number, number]> = [];
      for (let j = 0; j < k; j++) {
        const e = (l2i0 + j) * 8;
        old.push([dv.getUint32(e), dv.getUint32(e + 4)]);
        writeU64(dv, e, host + j * cs);
        dv.setUint32(e, dv.getUint32(e) | OFLAG_COPIED_HI);
      }
      await this.commitL2(l2Off, t, l2i0, l2i0 + k);
      for (const [oh, ol] of old) await this.freeEntry(oh, ol);
      pos += n;
    }
  }

  /** Drops the reference an overwritten L2 entry held (qcow2_free_any_cluster). */
  private async freeEntry(hi: number, lo: number): Promise<void> {
    const type = this.classify(hi, lo);
    if (type === ClusterType.Compressed) {
      const [coff, csize] = this.compressedExtent(hi, lo);
      await this.refcounts.freeRange(coff - (coff % 512), csize + (coff % 512));
      if (this.lastCompressedOffset === coff) this.lastCompressedOffset = -1;
    } else if (type === ClusterType.Normal || type === ClusterType.ZeroAlloc) {
      await this.refcounts.freeRange(Qcow2BDS.entryOffset(hi, lo), this.clusterSize);
    }
  }

  /**
   * Writes one cluster compressed (convert -c).  offset is cluster aligned; data is at most
   * one cluster and is padded with zeros.  Falls back to a normal write when deflate does
   * not save at least one byte, as QEMU does.
   */
  async writeCompressed(offset: number, data: Uint8Array): Promise<void> {
    const cs = this.clusterSize;
    const full = new Uint8Array(cs);
    full.set(data);
    const c = deflateRawSync(full, { windowBits: 12 });
    if (c.length > cs - 1) return this.write(offset, data);
    await this.lock.lock();
    try {
      await this.markDirty();
      const cluster = Math.floor(offset / cs);
      const l2Entries = 2 ** this.l2Bits;
      const l1i = Math.floor(cluster / l2Entries);
      const l2i = cluster % l2Entries;
      const [l2Off, t] = await this.l2ForWrite(l1i);
      const dv = new DataView(t.buffer);
      const oh = dv.getUint32(l2i * 8);
      const ol = dv.getUint32(l2i * 8 + 4);
      const coff = await this.refcounts.allocBytes(c.length);
      await this.overlapCheck(coff, c.length);
      await this.file.write(coff, c);
      const nbCsectors = Math.floor((coff + c.length - 1) / 512) - Math.floor(coff / 512);
      const shiftHi = this.csizeShift - 32;
      const hi = OFLAG_COMPRESSED_HI | (nbCsectors << shiftHi) | Math.floor(coff / 4294967296);
      dv.setUint32(l2i * 8, hi >>> 0);
      dv.setUint32(l2i * 8 + 4, coff >>> 0);
      await this.commitL2(l2Off, t, l2i, l2i + 1);
      await this.freeEntry(oh, ol);
    } finally {
      this.lock.unlock();
    }
  }

  /** Gives guest clusters [first, first + n) (one L2 table's worth) host clusters. */
  async preallocateRun(first: number, n: number): Promise<void> {
    const l2Entries = 2 ** this.l2Bits;
    const [l2Off, t] = await this.l2ForWrite(Math.floor(first / l2Entries));
    const l2i0 = first % l2Entries;
    const host = await this.refcounts.allocClusters(n);
    const dv = new DataView(t.buffer);
    for (let j = 0; j < n; j++) {
      writeU64(dv, (l2i0 + j) * 8, host + j * this.clusterSize);
      dv.setUint32((l2i0 + j) * 8, dv.getUint32((l2i0 + j) * 8) | OFLAG_COPIED_HI);
    }
    await this.commitL2(l2Off, t, l2i0, l2i0 + n);
  }

  async writeZeroes(offset: number, len: number, unmap: boolean): Promise<void> {
    await this.zeroOrDiscard(offset, len, unmap, false);
  }

  async discard(offset: number, len: number): Promise<void> {
    await this.zeroOrDiscard(offset, len, true, true);
  }

  /**
   * Deallocates whole clusters so that they fall through to the backing file again
   * (a full discard: used by commit's make-empty and by shrinking).
   */
  async deallocate(offset: number, len: number): Promise<void> {
    await this.zeroOrDiscard(offset, len, true, true, true);
  }

  /**
   * Whole clusters become zero clusters (v3) or unallocated; partial clusters are written
   * with zeros, or left alone for a discard.  A discard on v3 with a backing file leaves
   * zero clusters, so that the backing data does not show through.
   */
  private async zeroOrDiscard(offset: number, len: number, unmap: boolean, isDiscard: boolean, full = false): Promise<void> {
    const cs = this.clusterSize;
    const l2Entries = 2 ** this.l2Bits;
    const end = Math.min(offset + len, this.header.size);
    const alignedEnd = this.header.size % cs !== 0 && end === this.header.size ? Math.ceil(end / cs) * cs : end;
    let pos = offset;
    while (pos < end) {
      const cluster = Math.floor(pos / cs);
      const cStart = cluster * cs;
      const cEnd = cStart + cs;
      if (pos !== cStart || cEnd > alignedEnd) {
        const n = Math.min(cEnd, end) - pos;
        if (!isDiscard) await this.write(pos, new Uint8Array(n));
        pos += n;
        continue;
      }
      const l1i = Math.floor(cluster / l2Entries);
      const l2i0 = cluster % l2Entries;
      const k = Math.min(l2Entries - l2i0, Math.floor((alignedEnd - cStart) / cs));
      const v3 = this.header.version >= 3;
      const useZeroFlag = isDiscard ? v3 && this.backing !== undefined && !full : v3;
      if (!isDiscard && !v3) {
        // v2 cannot express zero clusters: write zeros.
        await this.write(cStart, new Uint8Array(k * cs));
        pos = cStart + k * cs;
        continue;
      }
      await this.lock.lock();
      try {
        await this.markDirty();
        if ((l1i >= this.l1.length || this.l1[l1i] === 0) && !useZeroFlag) {
          pos = cStart + k * cs;
          continue;
        }
        const [l2Off, t] = await this.l2ForWrite(l1i);
        const dv = new DataView(t.buffer);
        const old: Array<[number, number]> = [];
        for (let j = 0; j < k; j++) {
          const e = (l2i0 + j) * 8;
          const hi = dv.getUint32(e);
          const lo = dv.getUint32(e + 4);
          const type = this.classify(hi, lo);
          const keep = !unmap && !isDiscard && type === ClusterType.Normal && hi & OFLAG_COPIED_HI;
          if (keep) {
            dv.setUint32(e + 4, (lo | OFLAG_ZERO_LO) >>> 0);
          } else {
            old.push([hi, lo]);
            dv.setUint32(e, 0);
            dv.setUint32(e + 4, useZeroFlag ? OFLAG_ZERO_LO : 0);
          }
        }
        await this.commitL2(l2Off, t, l2i0, l2i0 + k);
        for (const [oh, ol] of old) await this.freeEntry(oh, ol);
        pos = cStart + k * cs;
      } finally {
        this.lock.unlock();
      }
    }
  }

  async flush(): Promise<void> {
    await this.file.flush();
  }

  // ---- block status ----

  async blockStatus(offset: number, len: number): Promise<BlockStatus> {
    const cs = this.clusterSize;
    const l2Entries = 2 ** this.l2Bits;
    const end = Math.min(offset + len, this.header.size);
    const cluster = Math.floor(offset / cs);
    const inCluster = offset - cluster * cs;
    const l1i = Math.floor(cluster / l2Entries);
    let l2i = cluster % l2Entries;
    const l2Off = l1i < this.l1.length ? this.l1[l1i]! : 0;
    if (l2Off === 0) {
      const n = Math.min(end - offset, (l2Entries - l2i) * cs - inCluster);
      return { len: n, allocated: false, data: false, zero: false };
    }
    const t = await this.getL2(l2Off);
    const dv = new DataView(t.buffer);
    const hi = dv.getUint32(l2i * 8);
    const lo = dv.getUint32(l2i * 8 + 4);
    const type = this.classify(hi, lo);
    const host = Qcow2BDS.entryOffset(hi, lo);
    let n = Math.min(end - offset, cs - inCluster);
    let expect = host + cs;
    while (offset + n < end && ++l2i < l2Entries) {
      const h2 = dv.getUint32(l2i * 8);
      const l2 = dv.getUint32(l2i * 8 + 4);
      const t2 = this.classify(h2, l2);
      if (t2 !== type) break;
      if (type === ClusterType.Normal || type === ClusterType.ZeroAlloc) {
        if (Qcow2BDS.entryOffset(h2, l2) !== expect) break;
        expect += cs;
      }
      n = Math.min(end - offset, n + cs);
    }
    switch (type) {
      case ClusterType.Unallocated: return { len: n, allocated: false, data: false, zero: false };
      case ClusterType.ZeroPlain: return { len: n, allocated: true, data: false, zero: true };
      case ClusterType.ZeroAlloc: return { len: n, allocated: true, data: false, zero: true, offset: host + inCluster };
      case ClusterType.Compressed: return { len: n, allocated: true, data: true, zero: false, compressed: true };
      default: return { len: n, allocated: true, data: true, zero: false, offset: host + inCluster };
    }
  }

  // ---- size changes ----

  async truncate(size: number): Promise<void> {
    if (size % 512 !== 0) throw new QemuError('The new size must be a multiple of 512');
    if (size < this.header.size) {
      if (this.snapshots.length > 0) throw new QemuError("Can't shrink an image with internal snapshots");
      const cs = this.clusterSize;
      const from = Math.ceil(size / cs) * cs;
      const old = this.header.size;
      // Clear the tail of a partial last cluster, then drop every whole cluster past the end.
      if (from > size) await this.write(size, new Uint8Array(Math.min(from, old) - size));
      if (old > from) await this.deallocate(from, Math.ceil(old / cs) * cs - from);
    }
    const l2Coverage = 2 ** (this.l2Bits + this.clusterBits);
    const need = Math.ceil(size / l2Coverage);
    if (need > this.l1.length) await this.growL1(need, true);
    const b = new Uint8Array(8);
    writeU64(new DataView(b.buffer), 0, size);
    await this.file.write(24, b);
    await this.file.flush();
    this.header.size = size;
  }

  /** Rewrites the header cluster (fixed part, extensions, backing file name). */
  async rewriteHeader(): Promise<void> {
    const area = buildHeaderArea(this.header, this.backingFile, this.backingFormat, this.otherExts, this.clusterSize);
    if (area.length > this.clusterSize) throw new QemuError('Cannot fit the header in the first cluster');
    const padded = new Uint8Array(this.clusterSize);
    padded.set(area);
    await this.file.write(0, padded);
    await this.file.flush();
  }

  async close(): Promise<void> {
    if (!this.readOnly) {
      await this.markClean();
    }
    await this.file.close();
    if (this.backing) await this.backing.close();
  }

}

function isZero(t: ClusterType): boolean {
  return t === ClusterType.ZeroPlain || t === ClusterType.ZeroAlloc;
}

/** bdrv_get_full_backing_filename(): a relative name is relative to the image's directory. */
export function resolveBackingPath(imageFilename: string, backing: string): string {
  if (backing.startsWith('/') || /^[a-z0-9+.-]+:/i.test(backing)) return backing;
  const slash = imageFilename.lastIndexOf('/');
  return slash < 0 ? backing : imageFilename.slice(0, slash + 1) + backing;
}
