/*
 * Consistency check and repair (qcow2_check_refcounts, block/qcow2-refcount.c): rebuild
 * every cluster's reference count from the metadata, compare it with the stored one, and
 * verify the COPIED flags of the active tables.  Messages are QEMU's, on stderr.
 */

import {
  QCOW_MAX_L1_SIZE, OFLAG_COPIED_HI, OFFSET_MASK_HI, OFFSET_MASK_LO, QCOW2_INCOMPAT_DIRTY,
} from './qcow2-format.js';
import { ClusterType, Qcow2BDS } from './qcow2.js';

export interface BdrvCheckResult {
  corruptions: number;
  leaks: number;
  checkErrors: number;
  corruptionsFixed: number;
  leaksFixed: number;
  imageEndOffset: number;
  totalClusters: number;
  allocatedClusters: number;
  fragmentedClusters: number;
  compressedClusters: number;
}

export const BDRV_FIX_LEAKS = 1;
export const BDRV_FIX_ERRORS = 2;

function hex64(hi: number, lo: number): string {
  return hi ? hi.toString(16) + (lo >>> 0).toString(16).padStart(8, '0') : (lo >>> 0).toString(16);
}

export async function qcow2Check(s: Qcow2BDS, fix: number, log: (line: string) => void): Promise<BdrvCheckResult> {
  const res: BdrvCheckResult = {
    corruptions: 0, leaks: 0, checkErrors: 0, corruptionsFixed: 0, leaksFixed: 0, imageEndOffset: 0,
    totalClusters: Math.ceil(s.getLength() / s.clusterSize), allocatedClusters: 0, fragmentedClusters: 0,
    compressedClusters: 0,
  };
  const cs = s.clusterSize;
  const nbClusters = Math.ceil(s.file.getLength() / cs);
  let computed = new Uint32Array(Math.max(nbClusters, 1));
  const inc = (offset: number, size: number): void => {
    if (size <= 0) return;
    const first = Math.floor(offset / cs);
    const last = Math.floor((offset + size - 1) / cs);
    // A reference far past the end of the file is damage, not something to count.
    if (last >= nbClusters + 1024) {
      log(`ERROR: reference to offset 0x${offset.toString(16)} beyond the end of the image`);
      res.corruptions++;
      return;
    }
    if (last >= computed.length) {
      const grown = new Uint32Array(last + 1);
      grown.set(computed);
      computed = grown;
    }
    for (let c = first; c <= last; c++) computed[c]!++;
  };

  inc(0, cs);
  await checkL1(s, res, inc, s.header.l1TableOffset, s.header.l1Size, true, log);
  for (const sn of s.snapshots) {
    await checkL1(s, res, inc, sn.l1TableOffset, sn.l1Size, false, log);
  }
  if (s.header.nbSnapshots > 0) inc(s.header.snapshotsOffset, s.snapshotsSize);
  inc(s.header.refcountTableOffset, s.header.refcountTableClusters * cs);
  const table = s.refcounts.table;
  for (let i = 0; i < table.length; i++) {
    const off = table[i]!;
    if (off === 0) continue;
    if (off % cs !== 0) {
      log(`ERROR refcount block ${i} is not cluster aligned; refcount table entry corrupted`);
      res.corruptions++;
      continue;
    }
    if (off / cs >= nbClusters) {
      log(`ERROR refcount block ${i} is outside image`);
      res.corruptions++;
      continue;
    }
    inc(off, cs);
    if (computed[off / cs] !== 1) {
      log(`ERROR refcount block ${i} refcount=${computed[off / cs]}`);
      res.corruptions++;
    }
  }

  // compare_refcounts(): first report only; then, if asked to, repair what it may.
  const before = { ...res };
  let highest = await compareRefcounts(s, res, 0, computed, nbClusters, log);
  if (fix && (res.leaks || res.corruptions)) {
    Object.assign(res, before);
    highest = await compareRefcounts(s, res, fix, computed, nbClusters, log);
  }
  await checkOflagCopied(s, res, fix, log);
  res.imageEndOffset = (highest + 1) * cs;
  if (fix && s.header.incompatibleFeatures & QCOW2_INCOMPAT_DIRTY && res.corruptions === 0 && res.leaks === 0) {
    await s.markClean();
  }
  return res;
}

async function compareRefcounts(
  s: Qcow2BDS, res: BdrvCheckResult, fix: number, computed: Uint32Array, nbClusters: number, log: (l: string) => void,
): Promise<number> {
  let highest = -1;
  const n = Math.max(nbClusters, computed.length);
  for (let i = 0; i < n; i++) {
    const stored = await s.refcounts.getRefcount(i);
    const ref = i < computed.length ? computed[i]! : 0;
    if (stored > 0 || ref > 0) highest = i;
    if (stored === ref) continue;
    let fixed = false;
    if (stored > ref && fix & BDRV_FIX_LEAKS) fixed = true;
    else if (stored < ref && fix & BDRV_FIX_ERRORS) fixed = true;
    log(`${fixed ? 'Repairing' : stored < ref ? 'ERROR' : 'Leaked'} cluster ${i} refcount=${stored} reference=${ref}`);
    if (fixed) {
      await s.refcounts.updateRefcount(i, 1, ref - stored);
      if (stored > ref) res.leaksFixed++;
      else res.corruptionsFixed++;
      continue;
    }
    if (stored < ref) res.corruptions++;
    else res.leaks++;
  }
  return highest;
}

async function checkL1(
  s: Qcow2BDS, res: BdrvCheckResult, inc: (o: number, n: number) => void,
  l1Offset: number, l1Size: number, active: boolean, log: (l: string) => void,
): Promise<void> {
  const cs = s.clusterSize;
  if (l1Size === 0) return;
  if (l1Size > QCOW_MAX_L1_SIZE / 8 || l1Offset % cs !== 0) {
    log(`ERROR l1_offset=0x${l1Offset.toString(16)} l1_size=0x${l1Size.toString(16)}: L1 table is invalid; snapshot table entry corrupted`);
    res.corruptions++;
    return;
  }
  inc(l1Offset, l1Size * 8);
  const raw = new Uint8Array(l1Size * 8);
  await s.file.read(l1Offset, raw);
  const dv = new DataView(raw.buffer);
  const l2Entries = 2 ** s.l2Bits;
  for (let i = 0; i < l1Size; i++) {
    const l2Off = (dv.getUint32(i * 8) & OFFSET_MASK_HI) * 4294967296 + ((dv.getUint32(i * 8 + 4) & OFFSET_MASK_LO) >>> 0);
    if (l2Off === 0) continue;
    inc(l2Off, cs);
    if (l2Off % cs !== 0) {
      log(`ERROR l2_offset=${l2Off.toString(16)}: Table is not cluster aligned; L1 entry corrupted`);
      res.corruptions++;
      continue;
    }
    const t = new Uint8Array(cs);
    await s.file.read(l2Off, t);
    const lv = new DataView(t.buffer);
    // Fragmentation is counted within each L2 table (check_refcounts_l2).
    let nextContiguous = 0;
    for (let j = 0; j < l2Entries; j++) {
      const hi = lv.getUint32(j * 8);
      const lo = lv.getUint32(j * 8 + 4);
      const type = s.classify(hi, lo);
      if (type === ClusterType.Compressed) {
        if (hi & OFLAG_COPIED_HI) {
          const [coff] = s.compressedExtent(hi, lo);
          log(`ERROR: coffset=0x${coff.toString(16)}: copied flag must never be set for compressed clusters`);
          res.corruptions++;
        }
        const [coff, csize] = s.compressedExtent(hi, lo);
        inc(coff - (coff % 512), csize + (coff % 512));
        if (active) {
          res.allocatedClusters++;
          res.compressedClusters++;
          res.fragmentedClusters++;
        }
      } else if (type === ClusterType.Normal || type === ClusterType.ZeroAlloc) {
        const off = Qcow2BDS.entryOffset(hi, lo);
        if (active) {
          res.allocatedClusters++;
          if (nextContiguous && off !== nextContiguous) res.fragmentedClusters++;
          nextContiguous = off + cs;
        }
        if (off % cs !== 0) {
          log(`ERROR offset=${off.toString(16)}: Cluster is not properly aligned; L2 entry corrupted.`);
          res.corruptions++;
          continue;
        }
        inc(off, cs);
      }
    }
  }
}

/** check_oflag_copied(): COPIED must be set exactly when the refcount is 1. */
async function checkOflagCopied(s: Qcow2BDS, res: BdrvCheckResult, fix: number, log: (l: string) => void): Promise<void> {
  const cs = s.clusterSize;
  const l2Entries = 2 ** s.l2Bits;
  const repair = (fix & BDRV_FIX_ERRORS) !== 0;
  let l1Changed = false;
  for (let i = 0; i < s.l1.length; i++) {
    const l2Off = s.l1[i]!;
    if (l2Off === 0) continue;
    const rc = await s.refcounts.getRefcount(l2Off / cs);
    if ((rc === 1) !== (s.l1Copied[i] === 1)) {
      const hi = (s.l1Copied[i] ? OFLAG_COPIED_HI : 0) + Math.floor(l2Off / 4294967296);
      log(`${repair ? 'Repairing' : 'ERROR'} OFLAG_COPIED L2 cluster: l1_index=${i} l1_entry=${hex64(hi >>> 0, l2Off >>> 0)} refcount=${rc}`);
      if (repair) {
        s.l1Copied[i] = rc === 1 ? 1 : 0;
        l1Changed = true;
        res.corruptionsFixed++;
      } else {
        res.corruptions++;
      }
    }
    const t = new Uint8Array(cs);
    await s.file.read(l2Off, t);
    const dv = new DataView(t.buffer);
    let l2Changed = false;
    for (let j = 0; j < l2Entries; j++) {
      const hi = dv.getUint32(j * 8);
      const lo = dv.getUint32(j * 8 + 4);
      const type = s.classify(hi, lo);
      if (type !== ClusterType.Normal && type !== ClusterType.ZeroAlloc) continue;
      const drc = await s.refcounts.getRefcount(Qcow2BDS.entryOffset(hi, lo) / cs);
      if ((drc === 1) !== ((hi & OFLAG_COPIED_HI) !== 0)) {
        log(`${repair ? 'Repairing' : 'ERROR'} OFLAG_COPIED data cluster: l2_entry=${hex64(hi >>> 0, lo >>> 0)} refcount=${drc}`);
        if (repair) {
          dv.setUint32(j * 8, drc === 1 ? (hi | OFLAG_COPIED_HI) >>> 0 : (hi & ~OFLAG_COPIED_HI) >>> 0);
          l2Changed = true;
          res.corruptionsFixed++;
        } else {
          res.corruptions++;
        }
      }
    }
    if (l2Changed) await s.file.write(l2Off, t);
  }
  if (l1Changed) {
    for (let i = 0; i < s.l1.length; i++) await s.writeL1EntryPublic(i);
  }
  if (repair) s.dropCaches();
}


