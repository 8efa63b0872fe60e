/*
 * Internal snapshots (block/qcow2-snapshot.c): a snapshot is a copy of the active L1 table
 * plus one more reference on every cluster it reaches.  Clusters shared that way lose
 * their COPIED flag, so the next guest write to them copies them first.
 */
import { QemuError } from '../../util/error.js';
import { writeU64 } from '../block-int.js';
import {
  OFLAG_COPIED_HI, OFFSET_MASK_HI, OFFSET_MASK_LO, QCOW2_MAX_SNAPSHOTS, QCOW_MAX_L1_SIZE,
  serializeSnapshotTable, type QCowSnapshot,
} from './qcow2-format.js';
import { ClusterType, Qcow2BDS } from './qcow2.js';

/**
 * Adds `addend` (+1, -1 or 0) to the refcount of every L2 table and data cluster reached from
 * an L1 table, then sets each COPIED flag to (refcount == 1), writing the tables it changes.
 */
export async function updateSnapshotRefcount(
  s: Qcow2BDS, l1Offset: number, l1Size: number, addend: number, writeL1Back = true,
): Promise<void> {
  const cs = s.clusterSize;
  const active = l1Offset === s.header.l1TableOffset;
  let l1: Float64Array;
  let copied: Uint8Array;
  if (active) {
    l1 = s.l1;
    copied = s.l1Copied;
  } else {
    const raw = new Uint8Array(l1Size * 8);
    await s.file.read(l1Offset, raw);
    const dv = new DataView(raw.buffer);
    l1 = new Float64Array(l1Size);
    copied = new Uint8Array(l1Size);
    for (let i = 0; i < l1Size; i++) {
      const hi = dv.getUint32(i * 8);
      l1[i] = (hi & OFFSET_MASK_HI) * 4294967296 + ((dv.getUint32(i * 8 + 4) & OFFSET_MASK_LO) >>> 0);
      copied[i] = hi & OFLAG_COPIED_HI ? 1 : 0;
    }
  }
  let l1Modified = false;
  const l2Entries = 2 ** s.l2Bits;
  for (let i = 0; i < l1Size; i++) {
    const l2Off = l1[i]!;
    if (l2Off === 0) continue;
    const t = new Uint8Array(cs);
    await s.file.read(l2Off, t);
    const dv = new DataView(t.buffer);
    let l2Modified = false;
    for (let j = 0; j < l2Entries; j++) {
      const hi = dv.getUint32(j * 8);
      const lo = dv.getUint32(j * 8 + 4);
      const type = s.classify(hi, lo);
      if (type === ClusterType.Compressed) {
        if (addend !== 0) {
          const [coff, csize] = s.compressedExtent(hi, lo);
          const first = Math.floor(coff / cs);
          const last = Math.floor((coff + csize - 1) / cs);
          await s.refcounts.updateRefcount(first, last - first + 1, addend);
        }
      } else if (type === ClusterType.Normal || type === ClusterType.ZeroAlloc) {
        const idx = Qcow2BDS.entryOffset(hi, lo) / cs;
        if (addend !== 0) await s.refcounts.updateRefcount(idx, 1, addend);
        const rc = await s.refcounts.getRefcount(idx);
        const want = rc === 1 ? (hi | OFLAG_COPIED_HI) >>> 0 : (hi & ~OFLAG_COPIED_HI) >>> 0;
        if (want !== hi) {
          dv.setUint32(j * 8, want);
          l2Modified = true;
        }
      }
    }
    if (l2Modified) await s.file.write(l2Off, t);
    if (addend !== 0) await s.refcounts.updateRefcount(l2Off / cs, 1, addend);
    const rc = await s.refcounts.getRefcount(l2Off / cs);
    const want = rc === 1 ? 1 : 0;
    if (copied[i] !== want) {
      copied[i] = want;
      l1Modified = true;
    }
  }
  s.dropCaches();
  if (l1Modified && writeL1Back) await writeL1(s, l1Offset, l1, copied);
}

async function writeL1(s: Qcow2BDS, offset: number, l1: Float64Array, copied: Uint8Array): Promise<void> {
  const raw = new Uint8Array(l1.length * 8);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < l1.length; i++) {
    writeU64(dv, i * 8, l1[i]!);
    if (copied[i]) dv.setUint32(i * 8, dv.getUint32(i * 8) | OFLAG_COPIED_HI);
  }
  await s.file.write(offset, raw);
}

/** Writes the snapshot list to new clusters, points the header at it, frees the old table. */
async function writeSnapshots(s: Qcow2BDS, list: QCowSnapshot[]): Promise<void> {
  const cs = s.clusterSize;
  const raw = serializeSnapshotTable(list);
  let off = 0;
  if (raw.length > 0) {
    off = await s.refcounts.allocClusters(Math.ceil(raw.length / cs));
    await s.file.write(off, raw);
  }
  await s.file.flush();
  const hdr = new Uint8Array(12);
  const hv = new DataView(hdr.buffer);
  hv.setUint32(0, list.length);
  writeU64(hv, 4, off);
  await s.file.write(60, hdr);
  await s.file.flush();
  const oldOff = s.header.snapshotsOffset;
  const oldSize = s.snapshotsSize;
  s.header.nbSnapshots = list.length;
  s.header.snapshotsOffset = off;
  s.snapshots = list;
  s.snapshotsSize = raw.length;
  s.invalidateMetadataMap();
  if (oldSize > 0) await s.refcounts.freeRange(oldOff, oldSize);
}

/** find_snapshot_by_id_or_name(): an id match wins over a name match. */
export function findSnapshot(s: Qcow2BDS, idOrName: string): number {
  const byId = s.snapshots.findIndex((sn) => sn.id === idOrName);
  return byId >= 0 ? byId : s.snapshots.findIndex((sn) => sn.name === idOrName);
}

export async function qcow2SnapshotCreate(s: Qcow2BDS, name: string, now = Date.now()): Promise<void> {
  if (s.snapshots.length >= QCOW2_MAX_SNAPSHOTS) throw new QemuError('Too many snapshots');
  let maxId = 0;
  for (const sn of s.snapshots) maxId = Math.max(maxId, parseInt(sn.id, 10) || 0);
  await s.lock.lock();
  try {
    const cs = s.clusterSize;
    const l1Size = s.header.l1Size;
    const l1Off = l1Size > 0 ? await s.refcounts.allocClusters(Math.ceil((l1Size * 8) / cs)) : 0;
    if (l1Size > 0) await writeL1(s, l1Off, s.l1, s.l1Copied);
    await s.file.flush();
    await updateSnapshotRefcount(s, s.header.l1TableOffset, l1Size, 1);
    await s.file.flush();
    const sn: QCowSnapshot = {
      l1TableOffset: l1Off,
      l1Size,
      id: String(maxId + 1),
      name,
      dateSec: Math.floor(now / 1000),
      dateNsec: (now % 1000) * 1000000,
      vmClockNsec: 0,
      vmStateSize: 0,
      diskSize: s.getLength(),
      icount: 0,
      unknownExtra: new Uint8Array(0),
    };
    await writeSnapshots(s, [...s.snapshots, sn]);
  } finally {
    s.lock.unlock();
  }
}

export async function qcow2SnapshotGoto(s: Qcow2BDS, idOrName: string): Promise<void> {
  const i = findSnapshot(s, idOrName);
  if (i < 0) throw new QemuError('Failed to load snapshot: No such file or directory');
  const sn = s.snapshots[i]!;
  if (sn.l1Size > QCOW_MAX_L1_SIZE / 8 || sn.l1TableOffset % s.clusterSize !== 0) {
    throw new QemuError('Snapshot L1 table offset invalid');
  }
  await s.lock.lock();
  try {
    if (sn.l1Size > s.l1.length) await s.growL1(sn.l1Size, true);
    const curSize = s.l1.length;
    const raw = new Uint8Array(curSize * 8);
    await s.file.read(sn.l1TableOffset, raw.subarray(0, sn.l1Size * 8));
    await updateSnapshotRefcount(s, sn.l1TableOffset, sn.l1Size, 1);
    // Before the new table replaces the old one, every entry is shared: clear COPIED.
    const dv = new DataView(raw.buffer);
    for (let k = 0; k < curSize; k++) dv.setUint32(k * 8, dv.getUint32(k * 8) & ~OFLAG_COPIED_HI);
    await s.file.write(s.header.l1TableOffset, raw);
    await s.file.flush();
    // The in-memory table still describes the old active image: drop its references.
    await updateSnapshotRefcount(s, s.header.l1TableOffset, curSize, -1, false);
    for (let k = 0; k < curSize; k++) {
      const hi = dv.getUint32(k * 8);
      s.l1[k] = (hi & OFFSET_MASK_HI) * 4294967296 + ((dv.getUint32(k * 8 + 4) & OFFSET_MASK_LO) >>> 0);
      s.l1Copied[k] = 0;
    }
    await writeL1(s, s.header.l1TableOffset, s.l1, s.l1Copied);
    await updateSnapshotRefcount(s, s.header.l1TableOffset, curSize, 0);
    if (sn.diskSize >= 0 && sn.diskSize !== s.getLength()) {
      const b = new Uint8Array(8);
      writeU64(new DataView(b.buffer), 0, sn.diskSize);
      await s.file.write(24, b);
      s.header.size = sn.diskSize;
    }
    await s.file.flush();
  } finally {
    s.lock.unlock();
  }
}

export async function qcow2SnapshotDelete(s: Qcow2BDS, idOrName: string): Promise<void> {
  const i = findSnapshot(s, idOrName);
  if (i < 0) throw new QemuError('snapshot not found');
  const sn = s.snapshots[i]!;
  await s.lock.lock();
  try {
    await writeSnapshots(s, s.snapshots.filter((_, k) => k !== i));
    await updateSnapshotRefcount(s, sn.l1TableOffset, sn.l1Size, -1);
    if (sn.l1Size > 0) await s.refcounts.freeRange(sn.l1TableOffset, sn.l1Size * 8);
    await updateSnapshotRefcount(s, s.header.l1TableOffset, s.header.l1Size, 0);
    await s.file.flush();
  } finally {
    s.lock.unlock();
  }
}
