/*
 * qemu-img convert (img_convert): copies the guest view of one or more source images,
 * concatenated, into a new image.  Ranges that read as zeros are not written (the new
 * image reads them as zeros already); with -c every cluster is written compressed.
 */
import { QemuError } from '../util/error.js';
import { isZeroBuffer, type BlockDriverState } from '../block/block-int.js';
import { chainBlockStatus } from '../block/block-status.js';
import { Qcow2BDS } from '../block/qcow2/qcow2.js';
import { getopt, imgOpen, parseOptionString } from './img-common.js';
import { isKnownFormat } from '../block/block.js';
import { imgCreateImage } from './img-create.js';
import type { Out } from './img-info.js';

const BUF_SIZE = 2 * 1024 * 1024;
/** -S default: zero runs of at least this many bytes are left unwritten. */
const MIN_SPARSE = 4096;

export async function imgConvert(argv: string[], out: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':hf:O:B:Cco:l:S:pt:T:qnm:WUr:', {
    help: [false, 'h'], object: [true, 'X'], 'image-opts': [false, 'I'], 'target-image-opts': [false, 'J'],
    'force-share': [false, 'U'], 'target-is-zero': [false, 'z'], 'bitmaps': [false, 'b'], 'salvage': [false, 'v'],
  });
  let fmt: string | undefined;
  let outFmt = 'raw';
  let compress = false;
  let optStr = '';
  let skipCreate = false;
  let backing: string | undefined;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'O') outFmt = v;
    else if (k === 'c') compress = true;
    else if (k === 'o') optStr = optStr ? `${optStr},${v}` : v;
    else if (k === 'n') skipCreate = true;
    else if (k === 'B') backing = v;
  }
  if (args.length < 2) throw new QemuError('Must specify image file name');
  if (!isKnownFormat(outFmt) || outFmt === 'file') throw new QemuError(`Unknown file format '${outFmt}'`);
  if (backing !== undefined) throw new QemuError('convert -B is not supported by tsqemu-img');
  const outName = args[args.length - 1]!;
  const srcNames = args.slice(0, -1);
  if (compress && outFmt !== 'qcow2') throw new QemuError('Compression not supported for this file format');
  const srcs: BlockDriverState[] = [];
  let target: BlockDriverState | undefined;
  try {
    for (const n of srcNames) srcs.push(await imgOpen(n, fmt, { readOnly: true }));
    const total = srcs.reduce((n, b) => n + b.getLength(), 0);
    if (!skipCreate) {
      try {
        await imgCreateImage({ filename: outName, fmt: outFmt, size: total, options: parseOptionString(optStr), unsafe: true, quiet: true }, out);
      } catch (e) {
        if (e instanceof QemuError) {
          throw new QemuError(`${outName}: error while converting ${outFmt}: ${e.message.replace(`${outName}: `, '')}`);
        }
        throw e;
      }
    }
    target = await imgOpen(outName, outFmt, { readOnly: false });
    if (skipCreate && target.getLength() < total) throw new QemuError('Target image size is smaller than the source');
    const unit = compress && target instanceof Qcow2BDS ? target.clusterSize : BUF_SIZE;
    const buf = new Uint8Array(Math.max(unit, BUF_SIZE));
    let outOff = 0;
    for (const src of srcs) {
      const size = src.getLength();
      for (let off = 0; off < size;) {
        const chunk = Math.min(unit - ((outOff + off) % unit), size - off);
        const st = await chainBlockStatus(src, off, chunk);
        const n = st.len;
        if (st.zero && !st.data) {
          if (skipCreate) await target.writeZeroes(outOff + off, n, false);
          off += n;
          continue;
        }
        const data = buf.subarray(0, n);
        await src.read(off, data);
        if (compress && target instanceof Qcow2BDS) {
          // Compression works on whole clusters: fill the cluster before writing it.
          const cs = target.clusterSize;
          const cStart = outOff + off - ((outOff + off) % cs);
          const cluster = new Uint8Array(Math.min(cs, total - cStart));
          await readConcat(srcs, cStart, cluster);
          if (!isZeroBuffer(cluster)) await target.writeCompressed(cStart, cluster);
          off = cStart + cs - outOff;
          continue;
        }
        await writeSparse(target, outOff + off, data, skipCreate);
        off += n;
      }
      outOff += size;
    }
    await target.flush();
    return 0;
  } finally {
    for (const s of srcs) await s.close();
    if (target) await target.close();
  }
}

/** Reads [offset, offset+buf.length) of the concatenation of srcs. */
async function readConcat(srcs: BlockDriverState[], offset: number, buf: Uint8Array): Promise<void> {
  let base = 0;
  let pos = 0;
  for (const s of srcs) {
    const len = s.getLength();
    const o = offset + pos;
    if (o < base + len && pos < buf.length) {
      const n = Math.min(buf.length - pos, base + len - o);
      await s.read(o - base, buf.subarray(pos, pos + n));
      pos += n;
    }
    base += len;
  }
  buf.fill(0, pos);
}

/** Writes data, leaving aligned zero runs of MIN_SPARSE bytes or more unwritten. */
async function writeSparse(t: BlockDriverState, off: number, data: Uint8Array, zeroExplicitly: boolean): Promise<void> {
  let i = 0;
  while (i < data.length) {
    const blockEnd = Math.min(data.length, i + MIN_SPARSE - ((off + i) % MIN_SPARSE));
    const zero = isZeroBuffer(data.subarray(i, blockEnd));
    let j = blockEnd;
    while (j < data.length) {
      const e = Math.min(data.length, j + MIN_SPARSE);
      if (isZeroBuffer(data.subarray(j, e)) !== zero) break;
      j = e;
    }
    if (!zero) await t.write(off + i, data.subarray(i, j));
    else if (zeroExplicitly) await t.writeZeroes(off + i, j - i, false);
    i = j;
  }
}
