/*
 * Creating a qcow2 image (qcow2_co_create): header in cluster 0, a one-cluster refcount
 * table in cluster 1, the first refcount block in cluster 2; then the image is opened and
 * the L1 table grown to cover the virtual size, as QEMU does it, so that the layout (and
 * `qemu-img info`'s disk size) matches QEMU's.
 */
import { promises as fsp } from 'node:fs';
import { QemuError } from '../../util/error.js';
import { writeU64, DEFAULT_OPEN_FLAGS, type BlockDriverState } from '../block-int.js';
import { FileBDS, errnoText } from '../file-posix.js';
import {
  QCOW2_V3_HEADER_LENGTH, QCOW2_COMPAT_LAZY_REFCOUNTS, buildHeaderArea, type QCowHeader,
} from './qcow2-format.js';
import { setEntry } from './qcow2-refcount.js';
import { Qcow2BDS, type BackingOpener } from './qcow2.js';

export interface Qcow2CreateOptions {
  size: number;
  clusterSize: number;
  version: 2 | 3;
  lazyRefcounts: boolean;
  refcountBits: number;
  backingFile?: string;
  backingFormat?: string;
  preallocation: 'off' | 'metadata' | 'falloc' | 'full';
}

export function validateQcow2Options(o: Qcow2CreateOptions): void {
  const cs = o.clusterSize;
  if (!(cs >= 512 && cs <= 2 * 1024 * 1024 && (cs & (cs - 1)) === 0)) {
    throw new QemuError('Cluster size must be a power of two between 512 and 2048k');
  }
  if (o.lazyRefcounts && o.version < 3) {
    throw new QemuError('Lazy refcounts only supported with compatibility level 1.1 and above (use version=v3 or greater)');
  }
  const rb = o.refcountBits;
  if (!(rb >= 1 && rb <= 64 && (rb & (rb - 1)) === 0)) {
    throw new QemuError('Refcount width must be a power of two and may not exceed 64 bits');
  }
  if (o.version < 3 && rb !== 16) {
    throw new QemuError('Different refcount widths than 16 bits require compatibility level 1.1 or above (use version=v3 or greater)');
  }
  if (o.backingFile !== undefined && o.preallocation !== 'off') {
    throw new QemuError('Backing file and preallocation can only be used at the same time if extended_l2 is on');
  }
}

export async function qcow2Create(filename: string, o: Qcow2CreateOptions, openBacking: BackingOpener): Promise<void> {
  validateQcow2Options(o);
  const cs = o.clusterSize;
  const clusterBits = Math.log2(cs);
  const refcountOrder = Math.log2(o.refcountBits);
  const h: QCowHeader = {
    version: o.version,
    backingFileOffset: 0,
    backingFileSize: 0,
    clusterBits,
    size: 0,
    cryptMethod: 0,
    l1Size: 0,
    l1TableOffset: 0,
    refcountTableOffset: cs,
    refcountTableClusters: 1,
    nbSnapshots: 0,
    snapshotsOffset: 0,
    incompatibleFeatures: 0,
    compatibleFeatures: o.lazyRefcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0,
    autoclearFeatures: 0,
    refcountOrder,
    headerLength: QCOW2_V3_HEADER_LENGTH,
    compressionType: 0,
  };
  const area = buildHeaderArea(h, undefined, undefined, [], cs);
  const img = new Uint8Array(3 * cs);
  img.set(area);
  writeU64(new DataView(img.buffer), cs, 2 * cs);
  const rb = img.subarray(2 * cs);
  for (let i = 0; i < 3; i++) setEntry(rb, refcountOrder, i, 1);
  try {
    await fsp.writeFile(filename, img);
  } catch (e) {
    throw new QemuError(`Could not create '${filename}': ${errnoText(e)}`);
  }
  const file = await FileBDS.open(filename, DEFAULT_OPEN_FLAGS);
  const s = await Qcow2BDS.open(file, { ...DEFAULT_OPEN_FLAGS, noBacking: true }, openBacking);
  try {
    await s.truncate(o.size);
    if (o.backingFile !== undefined) {
      s.backingFile = o.backingFile;
      s.backingFormat = o.backingFormat;
      await s.rewriteHeader();
    }
    if (o.preallocation !== 'off') await preallocate(s, o.preallocation);
  } finally {
    await s.close();
  }
}

/**
 * preallocation=metadata: every guest cluster gets an L2 entry and a host cluster.
 * falloc/full also make the file cover the data (Node has no fallocate, so both write
 * zeros; the result reads the same).
 */
async function preallocate(s: Qcow2BDS, mode: 'metadata' | 'falloc' | 'full'): Promise<void> {
  const cs = s.clusterSize;
  const l2Entries = 2 ** s.l2Bits;
  const nClusters = Math.ceil(s.getLength() / cs);
  for (let c = 0; c < nClusters; c += l2Entries) {
    const n = Math.min(l2Entries, nClusters - c);
    await s.preallocateRun(c, n);
  }
  const end = (await s.refcounts.highestUsedCluster()) * cs;
  const file: BlockDriverState = s.file;
  const len = file.getLength();
  if (len >= end) return;
  // metadata and falloc leave the data area sparse; full writes it.
  if (mode === 'full') await file.writeZeroes(len, end - len, false);
  else await file.truncate(end);
}
