/* qemu-img info and snapshot listing (qemu-img.c img_info, block/qapi.c bdrv_image_info_dump). */
import { QemuError } from '../util/error.js';
import type { BlockDriverState } from '../block/block-int.js';
import { FileBDS } from '../block/file-posix.js';
import { Qcow2BDS, resolveBackingPath } from '../block/qcow2/qcow2.js';
import type { QCowSnapshot } from '../block/qcow2/qcow2-format.js';
import { getopt, errorExit, imgOpen } from './img-common.js';
import { qdictKeys, sizeToStr, toJsonPretty } from './qdict-json.js';

export type Out = (s: string) => void;

/** The ImageInfo QAPI object, with keys in the order QEMU inserts them. */
export async function imageInfo(bs: BlockDriverState, filename: string): Promise<Record<string, unknown>> {
  const file = bs.file ?? bs;
  const info: Record<string, unknown> = {
    filename,
    format: bs.drvName,
    'dirty-flag': bs instanceof Qcow2BDS ? bs.dirty : false,
    'actual-size': file instanceof FileBDS ? await file.allocatedSize() : undefined,
    'virtual-size': bs.getLength(),
  };
  if (bs instanceof Qcow2BDS) {
    info['cluster-size'] = bs.clusterSize;
    if (bs.backingFile !== undefined) {
      info['backing-filename'] = bs.backingFile;
      info['full-backing-filename'] = resolveBackingPath(filename, bs.backingFile);
      if (bs.backingFormat) info['backing-filename-format'] = bs.backingFormat;
    }
    if (bs.snapshots.length > 0) info.snapshots = bs.snapshots.map(snapshotInfo);
    const data: Record<string, unknown> = { compat: bs.header.version >= 3 ? '1.1' : '0.10' };
    if (bs.header.version >= 3) {
      data['lazy-refcounts'] = bs.lazyRefcounts;
      data.corrupt = bs.corrupt;
    }
    data['refcount-bits'] = 2 ** bs.header.refcountOrder;
    if (bs.header.version >= 3) data['extended-l2'] = false;
    data['compression-type'] = 'zlib';
    info['format-specific'] = { type: 'qcow2', data };
  }
  return info;
}

export function snapshotInfo(sn: QCowSnapshot): Record<string, unknown> {
  return {
    id: sn.id,
    name: sn.name,
    'vm-state-size': sn.vmStateSize,
    'date-sec': sn.dateSec,
    'date-nsec': sn.dateNsec,
    'vm-clock-sec': Math.floor(sn.vmClockNsec / 1e9),
    'vm-clock-nsec': sn.vmClockNsec % 1e9,
    icount: sn.icount >= 0 ? sn.icount : undefined,
  };
}

function pad(s: string, w: number, left: boolean): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

/** bdrv_snapshot_dump(): the header line (sn undefined) or one snapshot. */
export function snapshotLine(sn?: QCowSnapshot): string {
  if (!sn) {
    return pad('ID', 10, true) + pad('TAG', 17, true) + pad('VM SIZE', 8, false) + pad('DATE', 20, false) +
      pad('VM CLOCK', 13, false) + pad('ICOUNT', 11, false);
  }
  const d = new Date(sn.dateSec * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  const secs = Math.floor(sn.vmClockNsec / 1e9);
  const clock = `${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)}.${String(Math.floor(sn.vmClockNsec / 1e6) % 1000).padStart(3, '0')}`;
  const icount = sn.icount >= 0 ? String(sn.icount) : '';
  return pad(sn.id, 9, true) + ' ' + pad(sn.name, 16, true) + ' ' + pad(sizeToStr(sn.vmStateSize), 8, false) +
    pad(date, 20, false) + pad(clock, 13, false) + pad(icount, 11, false);
}

function dumpQdict(o: Record<string, unknown>, indent: number, out: Out): void {
  for (const k of qdictKeys(o)) {
    const v = o[k];
    const key = k.replace(/-/g, ' ');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out(`${' '.repeat(indent * 4)}${key}:\n`);
      dumpQdict(v as Record<string, unknown>, indent + 1, out);
    } else {
      out(`${' '.repeat(indent * 4)}${key}: ${String(v)}\n`);
    }
  }
}

export function dumpImageInfoHuman(info: Record<string, unknown>, snapshots: QCowSnapshot[], out: Out): void {
  const vs = info['virtual-size'] as number;
  out(`image: ${info.filename}\n`);
  out(`file format: ${info.format}\n`);
  out(`virtual size: ${sizeToStr(vs)} (${vs} bytes)\n`);
  const actual = info['actual-size'];
  out(`disk size: ${actual === undefined ? 'unavailable' : sizeToStr(actual as number)}\n`);
  if (info['cluster-size'] !== undefined) out(`cluster_size: ${info['cluster-size']}\n`);
  if (info['dirty-flag']) out('cleanly shut down: no\n');
  if (info['backing-filename'] !== undefined) {
    const b = info['backing-filename'] as string;
    const full = info['full-backing-filename'] as string;
    out(`backing file: ${b}${full !== b ? ` (actual path: ${full})` : ''}\n`);
    if (info['backing-filename-format']) out(`backing file format: ${info['backing-filename-format']}\n`);
  }
  if (snapshots.length > 0) {
    out('Snapshot list:\n');
    out(snapshotLine() + '\n');
    for (const sn of snapshots) out(snapshotLine(sn) + '\n');
  }
  const spec = info['format-specific'] as { data: Record<string, unknown> } | undefined;
  if (spec) {
    out('Format specific information:\n');
    dumpQdict(spec.data, 1, out);
  }
}

export async function imgInfo(argv: string[], out: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':f:hU', {
    help: [false, 'h'], format: [true, 'f'], output: [true, 'o'], 'backing-chain': [false, 'b'],
    'force-share': [false, 'U'], 'image-opts': [false, 'I'], object: [true, 'O'],
  });
  let fmt: string | undefined;
  let output = 'human';
  let chain = false;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'o') output = v;
    else if (k === 'b') chain = true;
  }
  if (args.length !== 1) throw errorExit('Expecting one image file name');
  if (output !== 'human' && output !== 'json') throw new QemuError('--output must be used with human or json as argument.');
  const infos: Array<[Record<string, unknown>, QCowSnapshot[]]> = [];
  let filename: string | undefined = args[0]!;
  let format = fmt;
  while (filename !== undefined) {
    const bs = await imgOpen(filename, format, { readOnly: true, noBacking: true });
    try {
      const info = await imageInfo(bs, filename);
      infos.push([info, bs instanceof Qcow2BDS ? bs.snapshots : []]);
      filename = undefined;
      if (chain && bs instanceof Qcow2BDS && bs.backingFile !== undefined) {
        filename = info['full-backing-filename'] as string;
        format = bs.backingFormat;
      }
    } finally {
      await bs.close();
    }
  }
  if (output === 'json') {
    out(toJsonPretty(chain ? infos.map((i) => i[0]) : infos[0]![0]) + '\n');
  } else {
    infos.forEach(([info, sns], i) => {
      if (i > 0) out('\n');
      dumpImageInfoHuman(info, sns, out);
    });
  }
  return 0;
}
