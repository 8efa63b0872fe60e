/*
 * The qcow2 on-disk layout (docs/interop/qcow2.txt): the header, its extensions, the
 * snapshot table, and the bits of L1/L2 entries.  Everything is big-endian.
 */
import { readU64, writeU64 } from '../block-int.js';

export const QCOW_MAGIC = 0x514649fb;
export const QCOW2_V2_HEADER_LENGTH = 72;
/** QEMU 7.2 writes v3 headers with the compression type byte, padded to 112 bytes. */
export const QCOW2_V3_HEADER_LENGTH = 112;
export const MIN_CLUSTER_BITS = 9;
export const MAX_CLUSTER_BITS = 21;
export const QCOW_MAX_L1_SIZE = 0x2000000;
export const QCOW_MAX_REFTABLE_SIZE = 0x800000;
export const QCOW2_MAX_SNAPSHOTS = 65536;

export const QCOW2_INCOMPAT_DIRTY = 1;
export const QCOW2_INCOMPAT_CORRUPT = 2;
export const QCOW2_INCOMPAT_DATA_FILE = 4;
export const QCOW2_INCOMPAT_COMPRESSION = 8;
export const QCOW2_INCOMPAT_EXTL2 = 16;
export const QCOW2_COMPAT_LAZY_REFCOUNTS = 1;
export const QCOW2_AUTOCLEAR_BITMAPS = 1;
export const QCOW2_AUTOCLEAR_DATA_FILE_RAW = 2;

export const QCOW2_EXT_MAGIC_END = 0;
export const QCOW2_EXT_MAGIC_BACKING_FORMAT = 0xe2792aca;
export const QCOW2_EXT_MAGIC_FEATURE_TABLE = 0x6803f857;
export const QCOW2_EXT_MAGIC_CRYPTO_HEADER = 0x0537be77;
export const QCOW2_EXT_MAGIC_BITMAPS = 0x23852875;
export const QCOW2_EXT_MAGIC_DATA_FILE = 0x44415441;

/** L1/L2 entry flags live in the high word (bits 63 and 62); the zero flag is bit 0. */
export const OFLAG_COPIED_HI = 0x80000000;
export const OFLAG_COMPRESSED_HI = 0x40000000;
export const OFLAG_ZERO_LO = 1;
/** Bits 9-55 of an entry: the high word keeps bits 32-55, the low word bits 9-31. */
export const OFFSET_MASK_HI = 0x00ffffff;
export const OFFSET_MASK_LO = 0xfffffe00;

export const FEATURE_TYPE_INCOMPAT = 0;
export const FEATURE_TYPE_COMPAT = 1;
export const FEATURE_TYPE_AUTOCLEAR = 2;

/** The feature name table QEMU 7.2 writes into every v3 image, in its order. */
export const QEMU_FEATURE_TABLE: ReadonlyArray<[number, number, string]> = [
  [FEATURE_TYPE_INCOMPAT, 0, 'dirty bit'],
  [FEATURE_TYPE_INCOMPAT, 1, 'corrupt bit'],
  [FEATURE_TYPE_INCOMPAT, 2, 'external data file'],
  [FEATURE_TYPE_INCOMPAT, 3, 'compression type'],
  [FEATURE_TYPE_INCOMPAT, 4, 'extended L2 entries'],
  [FEATURE_TYPE_COMPAT, 0, 'lazy refcounts'],
  [FEATURE_TYPE_AUTOCLEAR, 0, 'bitmaps'],
  [FEATURE_TYPE_AUTOCLEAR, 1, 'raw external data'],
];

export interface HeaderExtension {
  magic: number;
  data: Uint8Array;
}

export interface QCowHeader {
  version: number;
  backingFileOffset: number;
  backingFileSize: number;
  clusterBits: number;
  size: number;
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  nbSnapshots: number;
  snapshotsOffset: number;
  incompatibleFeatures: number;
  compatibleFeatures: number;
  autoclearFeatures: number;
  refcountOrder: number;
  headerLength: number;
  compressionType: number;
}

/** Feature bits above bit 31 are read as the high word; we only ever test the low 32 bits. */
function readFeatureBits(dv: DataView, off: number): number {
  return readU64(dv, off);
}

export function parseHeader(buf: Uint8Array): QCowHeader {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = dv.getUint32(4);
  const h: QCowHeader = {
    version,
    backingFileOffset: readU64(dv, 8),
    backingFileSize: dv.getUint32(16),
    clusterBits: dv.getUint32(20),
    size: readU64(dv, 24),
    cryptMethod: dv.getUint32(32),
    l1Size: dv.getUint32(36),
    l1TableOffset: readU64(dv, 40),
    refcountTableOffset: readU64(dv, 48),
    refcountTableClusters: dv.getUint32(56),
    nbSnapshots: dv.getUint32(60),
    snapshotsOffset: readU64(dv, 64),
    incompatibleFeatures: 0,
    compatibleFeatures: 0,
    autoclearFeatures: 0,
    refcountOrder: 4,
    headerLength: QCOW2_V2_HEADER_LENGTH,
    compressionType: 0,
  };
  if (version >= 3) {
    h.incompatibleFeatures = readFeatureBits(dv, 72);
    h.compatibleFeatures = readFeatureBits(dv, 80);
    h.autoclearFeatures = readFeatureBits(dv, 88);
    h.refcountOrder = dv.getUint32(96);
    h.headerLength = dv.getUint32(100);
    if (h.headerLength > 104) h.compressionType = dv.getUint8(104);
  }
  return h;
}

/** Serialises the fixed header (72 bytes for v2, headerLength for v3). */
export function serializeHeader(h: QCowHeader): Uint8Array {
  const len = h.version >= 3 ? h.headerLength : QCOW2_V2_HEADER_LENGTH;
  const buf = new Uint8Array(len);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, QCOW_MAGIC);
  dv.setUint32(4, h.version);
  writeU64(dv, 8, h.backingFileOffset);
  dv.setUint32(16, h.backingFileSize);
  dv.setUint32(20, h.clusterBits);
  writeU64(dv, 24, h.size);
  dv.setUint32(32, h.cryptMethod);
  dv.setUint32(36, h.l1Size);
  writeU64(dv, 40, h.l1TableOffset);
  writeU64(dv, 48, h.refcountTableOffset);
  dv.setUint32(56, h.refcountTableClusters);
  dv.setUint32(60, h.nbSnapshots);
  writeU64(dv, 64, h.snapshotsOffset);
  if (h.version >= 3) {
    writeU64(dv, 72, h.incompatibleFeatures);
    writeU64(dv, 80, h.compatibleFeatures);
    writeU64(dv, 88, h.autoclearFeatures);
    dv.setUint32(96, h.refcountOrder);
    dv.setUint32(100, h.headerLength);
    if (h.headerLength > 104) dv.setUint8(104, h.compressionType);
  }
  return buf;
}

export function parseExtensions(buf: Uint8Array, start: number, end: number): HeaderExtension[] | string {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const exts: HeaderExtension[] = [];
  let off = start;
  while (off + 8 <= end) {
    const magic = dv.getUint32(off);
    const len = dv.getUint32(off + 4);
    off += 8;
    if (magic === QCOW2_EXT_MAGIC_END) return exts;
    if (len > end - off) return 'Header extension too large';
    exts.push({ magic, data: buf.slice(off, off + len) });
    off += (len + 7) & ~7;
  }
  return exts;
}

export function featureTableExtension(): HeaderExtension {
  const data = new Uint8Array(QEMU_FEATURE_TABLE.length * 48);
  QEMU_FEATURE_TABLE.forEach(([type, bit, name], i) => {
    data[i * 48] = type;
    data[i * 48 + 1] = bit;
    data.set(new TextEncoder().encode(name), i * 48 + 2);
  });
  return { magic: QCOW2_EXT_MAGIC_FEATURE_TABLE, data };
}

/** Looks a feature bit's name up in an image's feature name table. */
export function featureName(table: Uint8Array | undefined, type: number, bit: number): string | undefined {
  if (!table) return undefined;
  for (let i = 0; i + 48 <= table.length; i += 48) {
    if (table[i] === type && table[i + 1] === bit) {
      const raw = table.subarray(i + 2, i + 48);
      const z = raw.indexOf(0);
      return new TextDecoder().decode(z < 0 ? raw : raw.subarray(0, z));
    }
  }
  return undefined;
}

/**
 * The header area as qcow2_update_header() lays it out: fixed header, extensions (padded
 * to 8 bytes), the end marker, then the backing file name.  Returns the bytes and the
 * backing file name's offset.
 */
export function buildHeaderArea(
  h: QCowHeader,
  backingFile: string | undefined,
  backingFormat: string | undefined,
  otherExts: HeaderExtension[],
  clusterSize: number,
): Uint8Array {
  const enc = new TextEncoder();
  const exts: HeaderExtension[] = [];
  if (backingFile !== undefined && backingFormat) {
    exts.push({ magic: QCOW2_EXT_MAGIC_BACKING_FORMAT, data: enc.encode(backingFormat) });
  }
  exts.push(...otherExts);
  const fixedLen = h.version >= 3 ? h.headerLength : QCOW2_V2_HEADER_LENGTH;
  const name = backingFile !== undefined ? enc.encode(backingFile) : new Uint8Array(0);
  const areaLength = (list: HeaderExtension[]): number =>
    list.reduce((n, e) => n + 8 + ((e.data.length + 7) & ~7), fixedLen) + 8 + name.length;
  // QEMU leaves the feature name table out when it does not fit in the header cluster.
  if (h.version >= 3) {
    const withTable = [...exts.slice(0, backingFile !== undefined && backingFormat ? 1 : 0), featureTableExtension(), ...otherExts];
    if (areaLength(withTable) < clusterSize) exts.splice(0, exts.length, ...withTable);
  }
  const len = areaLength(exts) - name.length;
  const out = new Uint8Array(len + name.length);
  const dv = new DataView(out.buffer);
  h.backingFileOffset = backingFile !== undefined ? len : 0;
  h.backingFileSize = name.length;
  out.set(serializeHeader(h), 0);
  let off = fixedLen;
  for (const e of exts) {
    dv.setUint32(off, e.magic);
    dv.setUint32(off + 4, e.data.length);
    out.set(e.data, off + 8);
    off += 8 + ((e.data.length + 7) & ~7);
  }
  off += 8;
  out.set(name, off);
  return out;
}

export interface QCowSnapshot {
  l1TableOffset: number;
  l1Size: number;
  id: string;
  name: string;
  dateSec: number;
  dateNsec: number;
  vmClockNsec: number;
  vmStateSize: number;
  /** Virtual disk size when the snapshot was taken (extra data; -1 when absent). */
  diskSize: number;
  icount: number;
  /** Extra data beyond what we know, kept as it was. */
  unknownExtra: Uint8Array;
}

/** QEMU 7.2 writes 24 bytes of extra data: vm_state_size_large, disk_size, icount. */
const SNAPSHOT_EXTRA_SIZE = 24;

/** Parses `count` snapshot entries; returns them with the table's size in bytes. */
export function parseSnapshotTable(buf: Uint8Array, count: number): { list: QCowSnapshot[]; size: number } | string {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dec = new TextDecoder();
  const out: QCowSnapshot[] = [];
  let off = 0;
  for (let i = 0; i < count; i++) {
    if (off + 40 > buf.length) return 'Snapshot table is truncated';
    const idLen = dv.getUint16(off + 12);
    const nameLen = dv.getUint16(off + 14);
    const extraLen = dv.getUint32(off + 36);
    const sn: QCowSnapshot = {
      l1TableOffset: readU64(dv, off),
      l1Size: dv.getUint32(off + 8),
      dateSec: dv.getUint32(off + 16),
      dateNsec: dv.getUint32(off + 20),
      vmClockNsec: readU64(dv, off + 24),
      vmStateSize: dv.getUint32(off + 32),
      diskSize: -1,
      icount: -1,
      id: '',
      name: '',
      unknownExtra: new Uint8Array(0),
    };
    let p = off + 40;
    if (p + extraLen + idLen + nameLen > buf.length) return 'Snapshot table is truncated';
    if (extraLen >= 8) sn.vmStateSize = readU64(dv, p);
    if (extraLen >= 16) sn.diskSize = readU64(dv, p + 8);
    if (extraLen >= 24) {
      const hi = dv.getUint32(p + 16);
      sn.icount = hi === 0xffffffff && dv.getUint32(p + 20) === 0xffffffff ? -1 : readU64(dv, p + 16);
    }
    if (extraLen > SNAPSHOT_EXTRA_SIZE) sn.unknownExtra = buf.slice(p + SNAPSHOT_EXTRA_SIZE, p + extraLen);
    p += extraLen;
    sn.id = dec.decode(buf.subarray(p, p + idLen));
    p += idLen;
    sn.name = dec.decode(buf.subarray(p, p + nameLen));
    p += nameLen;
    off = (p + 7) & ~7;
    out.push(sn);
  }
  return { list: out, size: off };
}

export function serializeSnapshotTable(list: QCowSnapshot[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = list.map((sn) => ({ sn, id: enc.encode(sn.id), name: enc.encode(sn.name) }));
  let len = 0;
  for (const p of parts) {
    len += (40 + SNAPSHOT_EXTRA_SIZE + p.sn.unknownExtra.length + p.id.length + p.name.length + 7) & ~7;
  }
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const { sn, id, name } of parts) {
    writeU64(dv, off, sn.l1TableOffset);
    dv.setUint32(off + 8, sn.l1Size);
    dv.setUint16(off + 12, id.length);
    dv.setUint16(off + 14, name.length);
    dv.setUint32(off + 16, sn.dateSec);
    dv.setUint32(off + 20, sn.dateNsec);
    writeU64(dv, off + 24, sn.vmClockNsec);
    dv.setUint32(off + 32, Math.min(sn.vmStateSize, 0xffffffff));
    dv.setUint32(off + 36, SNAPSHOT_EXTRA_SIZE + sn.unknownExtra.length);
    let p = off + 40;
    writeU64(dv, p, sn.vmStateSize);
    writeU64(dv, p + 8, sn.diskSize);
    if (sn.icount < 0) {
      dv.setUint32(p + 16, 0xffffffff);
      dv.setUint32(p + 20, 0xffffffff);
    } else {
      writeU64(dv, p + 16, sn.icount);
    }
    out.set(sn.unknownExtra, p + SNAPSHOT_EXTRA_SIZE);
    p += SNAPSHOT_EXTRA_SIZE + sn.unknownExtra.length;
    out.set(id, p);
    p += id.length;
    out.set(name, p);
    p += name.length;
    off = (p + 7) & ~7;
  }
  return out;
}
