/* qemu-img resize, rebase and commit (img_resize, img_rebase, img_commit). */
import { QemuError, getProgName } from '../util/error.js';
import type { BlockDriverState } from '../block/block-int.js';
import { bdrvOpen } from '../block/block.js';
import { chainBlockStatus } from '../block/block-status.js';
import { Qcow2BDS, resolveBackingPath } from '../block/qcow2/qcow2.js';
import { getopt, errorExit, imgOpen, parseSize } from './img-common.js';
import type { Out } from './img-info.js';

const BUF_SIZE = 2 * 1024 * 1024;

export async function imgResize(argv: string[], out: Out): Promise<number> {
  if (argv.length < 2) throw errorExit('Not enough arguments');
  // The size may be negative: take it off before option parsing, as qemu-img does.
  const sizeArg = argv[argv.length - 1]!;
  const { opts, args } = getopt(argv.slice(0, -1), ':f:hq', {
    help: [false, 'h'], object: [true, 'O'], 'image-opts': [false, 'I'], preallocation: [true, 'p'], shrink: [false, 's'],
  });
  let fmt: string | undefined;
  let shrink = false;
  let quiet = false;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 's') shrink = true;
    else if (k === 'q') quiet = true;
  }
  if (args.length !== 1) throw errorExit('Expecting image file name and size');
  const rel = sizeArg[0] === '+' ? 1 : sizeArg[0] === '-' ? -1 : 0;
  const n = parseSize(rel ? sizeArg.slice(1) : sizeArg);
  if (n === undefined) {
    throw new QemuError("Parameter 'size' expects a non-negative number below 2^64",
      'Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.');
  }
  const bs = await imgOpen(args[0]!, fmt, { readOnly: false });
  try {
    const cur = bs.getLength();
    const total = rel ? cur + rel * n : n;
    if (total <= 0) throw new QemuError('New image size must be positive');
    if (total < cur && !shrink) {
      const e = new QemuError('Use the --shrink option to perform a shrink operation.',
        `${getProgName()}: warning: Shrinking an image will delete all data beyond the shrunken image's end. Before performing such an operation, make sure there is no important data there.`);
      throw e;
    }
    await bs.truncate(total);
    if (!quiet) out('Image resized.\n');
    return 0;
  } finally {
    await bs.close();
  }
}

export async function imgCommit(argv: string[], out: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':f:ht:b:dpqr:', {
    help: [false, 'h'], object: [true, 'O'], 'image-opts': [false, 'I'],
  });
  let fmt: string | undefined;
  let baseName: string | undefined;
  let keep = false;
  let quiet = false;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'b') baseName = v;
    else if (k === 'd') keep = true;
    else if (k === 'q') quiet = true;
  }
  if (args.length !== 1) throw errorExit('Expecting one image file name');
  const top = await imgOpen(args[0]!, fmt, { readOnly: false });
  try {
    if (!top.backing) throw new QemuError('Image does not have a backing file');
    // The base is the direct backing file unless -b names a deeper one.
    let base: BlockDriverState = top.backing;
    if (baseName !== undefined) {
      let b: BlockDriverState | undefined = top.backing;
      while (b && b.filename !== baseName && b.filename !== resolveBackingPath(top.filename, baseName)) b = b.backing;
      if (!b) throw new QemuError(`Did not find '${baseName}' in the backing chain of '${top.filename}'`);
      base = b;
    }
    await reopenWritable(base, top);
    base = findWritable(top, base);
    // A larger top grows its base first, as QEMU's commit job does.
    if (base.getLength() < top.getLength()) await base.truncate(top.getLength());
    const size = top.getLength();
    const buf = new Uint8Array(BUF_SIZE);
    for (let off = 0; off < size;) {
      const st = await chainBlockStatus(top, off, Math.min(BUF_SIZE, size - off), base);
      if (st.present) {
        if (st.zero && !st.data) await base.writeZeroes(off, st.len, false);
        else {
          await top.read(off, buf.subarray(0, st.len));
          await base.write(off, buf.subarray(0, st.len));
        }
      }
      off += st.len;
    }
    await base.flush();
    if (!keep && top instanceof Qcow2BDS) await top.deallocate(0, top.getLength());
    if (!quiet) out('Image committed.\n');
    return 0;
  } finally {
    await top.close();
  }
}

/** Backing files are opened read-only; commit replaces its base by a writable node. */
async function reopenWritable(base: BlockDriverState, top: BlockDriverState): Promise<void> {
  let parent: BlockDriverState = top;
  while (parent.backing !== base) parent = parent.backing!;
  const fmt = base.drvName;
  const below = base.backing;
  base.backing = undefined;
  await base.close();
  const { bs } = await bdrvOpen(base.filename, fmt, { readOnly: false, direct: false, noFlush: false, discardUnmap: false, noBacking: true });
  bs.backing = below;
  parent.backing = bs;
}

function findWritable(top: BlockDriverState, old: BlockDriverState): BlockDriverState {
  for (let b = top.backing; b; b = b.backing) if (b.filename === old.filename) return b;
  return old;
}

export async function imgRebase(argv: string[]): Promise<number> {
  const { opts, args } = getopt(argv, ':hf:F:b:upt:T:qUc', {
    help: [false, 'h'], object: [true, 'O'], 'image-opts': [false, 'I'], 'force-share': [false, 'U'],
  });
  let fmt: string | undefined;
  let newBacking: string | undefined;
  let newFmt: string | undefined;
  let unsafe = false;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'b') newBacking = v;
    else if (k === 'F') newFmt = v;
    else if (k === 'u') unsafe = true;
  }
  if (args.length !== 1) throw errorExit('Expecting one image file name');
  if (newBacking === undefined) throw errorExit('Must specify backing file (-b) or use unsafe mode (-u)');
  const filename = args[0]!;
  const top = await imgOpen(filename, fmt, { readOnly: false, noBacking: unsafe });
  let newBs: BlockDriverState | undefined;
  try {
    if (!(top instanceof Qcow2BDS)) throw new QemuError(`Could not change the backing file to '${newBacking}': Operation not supported`);
    if (newBacking !== '' && newFmt === undefined) {
      throw new QemuError(`Could not change the backing file to '${newBacking}': backing format must be specified`);
    }
    if (!unsafe) {
      if (newBacking !== '') {
        const path = resolveBackingPath(filename, newBacking);
        try {
          newBs = (await bdrvOpen(path, newFmt, { readOnly: true, direct: false, noFlush: false, discardUnmap: false, noBacking: false })).bs;
        } catch (e) {
          if (e instanceof QemuError) throw new QemuError(`Could not open new backing file '${path}': ${e.message}`);
          throw e;
        }
      }
      await copyDifferences(top, newBs);
    }
    top.backingFile = newBacking === '' ? undefined : newBacking;
    top.backingFormat = newBacking === '' ? undefined : newFmt;
    await top.rewriteHeader();
    return 0;
  } finally {
    await top.close();
    await newBs?.close();
  }
}

/**
 * Safe rebase: wherever the image does not allocate data itself, the old backing chain's
 * content must survive the switch; sectors where the old and new backing differ are
 * written into the image.
 */
async function copyDifferences(top: Qcow2BDS, newBs: BlockDriverState | undefined): Promise<void> {
  const size = top.getLength();
  const oldBuf = new Uint8Array(BUF_SIZE);
  const newBuf = new Uint8Array(BUF_SIZE);
  const SECTOR = 512;
  for (let off = 0; off < size;) {
    const st = await top.blockStatus(off, Math.min(BUF_SIZE, size - off));
    const n = st.len;
    if (!st.allocated) {
      const o = oldBuf.subarray(0, n);
      const nb = newBuf.subarray(0, n);
      await top.read(off, o);
      nb.fill(0);
      if (newBs) {
        const m = Math.max(0, Math.min(n, newBs.getLength() - off));
        if (m > 0) await newBs.read(off, nb.subarray(0, m));
      }
      for (let i = 0; i < n;) {
        const e = Math.min(n, i + SECTOR);
        const same = o.subarray(i, e).every((v, k) => v === nb[i + k]);
        if (same) {
          i = e;
          continue;
        }
        let j = e;
        while (j < n) {
          const f = Math.min(n, j + SECTOR);
          if (o.subarray(j, f).every((v, k) => v === nb[j + k])) break;
          j = f;
        }
        await top.write(off + i, o.subarray(i, j));
        i = j;
      }
    }
    off += n;
  }
}
