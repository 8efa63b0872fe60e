/* qemu-img create (img_create, block.c bdrv_img_create). */
import { QemuError } from '../util/error.js';
import { bdrvOpen, isKnownFormat, rawCreate, bdrvOpenBacking } from '../block/block.js';
import { DEFAULT_OPEN_FLAGS } from '../block/block-int.js';
import { qcow2Create, type Qcow2CreateOptions } from '../block/qcow2/qcow2-create.js';
import { resolveBackingPath } from '../block/qcow2/qcow2.js';
import { getopt, errorExit, parseSize, invalidSizeError, parseOptionString } from './img-common.js';
import type { Out } from './img-info.js';

const QCOW2_KEYS = ['size', 'compat', 'backing_file', 'backing_fmt', 'cluster_size', 'preallocation', 'lazy_refcounts', 'refcount_bits', 'compression_type', 'extended_l2'];
const RAW_KEYS = ['size', 'preallocation'];

function parseBool(name: string, v: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new QemuError(`Parameter '${name}' expects 'on' or 'off'`);
}

export interface CreateRequest {
  filename: string;
  fmt: string;
  size?: number;
  options: Map<string, string>;
  /** -u: do not open the backing file. */
  unsafe: boolean;
  quiet: boolean;
}

/** Creates an image as bdrv_img_create() does, printing the "Formatting" line. */
export async function imgCreateImage(req: CreateRequest, out: Out): Promise<void> {
  const { filename, fmt, options: o } = req;
  if (!isKnownFormat(fmt) || fmt === 'file') throw new QemuError(`${filename}: Unknown file format '${fmt}'`);
  const keys = fmt === 'qcow2' ? QCOW2_KEYS : RAW_KEYS;
  for (const k of o.keys()) if (!keys.includes(k)) throw new QemuError(`${filename}: Invalid parameter '${k}'`);
  let size = req.size;
  if (o.has('size')) {
    const s = parseSize(o.get('size')!);
    if (s === undefined) throw new QemuError(`Parameter 'size' expects a non-negative number below 2^64`);
    size = s;
  }
  const backingFile = o.get('backing_file');
  const backingFmt = o.get('backing_fmt');
  const fail = (msg: string, hint?: string): QemuError => new QemuError(`${filename}: ${msg}`, hint);
  if (backingFile !== undefined && backingFmt === undefined) throw fail('Backing file specified without backing format');
  if (backingFile !== undefined && (size === undefined || !req.unsafe)) {
    if (resolveBackingPath(filename, backingFile) === filename) throw fail('Error: Trying to create an image with the same filename as the backing file');
    try {
      const { bs } = await bdrvOpen(resolveBackingPath(filename, backingFile), backingFmt, { ...DEFAULT_OPEN_FLAGS, readOnly: true, noBacking: true });
      if (size === undefined) size = bs.getLength();
      await bs.close();
    } catch (e) {
      if (e instanceof QemuError) throw fail(e.message, 'Could not open backing image.');
      throw e;
    }
  }
  if (size === undefined) throw fail('Image creation needs a size parameter');
  const prealloc = o.get('preallocation') ?? 'off';
  if (!['off', 'metadata', 'falloc', 'full'].includes(prealloc) || (fmt === 'raw' && prealloc === 'metadata')) {
    throw fail(`Parameter 'preallocation' does not accept value '${prealloc}'`);
  }
  if (!req.quiet) {
    let line = `Formatting '${filename}', fmt=${fmt}`;
    if (fmt === 'qcow2') {
      line += ` cluster_size=${o.get('cluster_size') ?? 65536} extended_l2=${o.get('extended_l2') ?? 'off'}`;
      if (o.has('preallocation')) line += ` preallocation=${prealloc}`;
      line += ` compression_type=${o.get('compression_type') ?? 'zlib'} size=${size}`;
      if (backingFile !== undefined) line += ` backing_file=${backingFile}`;
      if (backingFmt !== undefined) line += ` backing_fmt=${backingFmt}`;
      if (o.has('compat')) line += ` compat=${o.get('compat')}`;
      line += ` lazy_refcounts=${o.get('lazy_refcounts') ?? 'off'} refcount_bits=${o.get('refcount_bits') ?? 16}`;
    } else {
      line += ` size=${size}`;
      if (o.has('preallocation')) line += ` preallocation=${prealloc}`;
    }
    out(line + '\n');
  }
  try {
    if (fmt === 'raw') {
      await rawCreate(filename, size, prealloc);
      return;
    }
    const compat = o.get('compat') ?? '1.1';
    let version: 2 | 3;
    if (compat === '0.10' || compat === 'v2') version = 2;
    else if (compat === '1.1' || compat === 'v3') version = 3;
    else throw new QemuError(`Parameter 'version' does not accept value '${compat}'`);
    const cs = parseSize(o.get('cluster_size') ?? '65536');
    const rb = parseInt(o.get('refcount_bits') ?? '16', 10);
    if (o.has('extended_l2') && parseBool('extended_l2', o.get('extended_l2')!)) {
      throw new QemuError('Extended L2 entries are not supported by tsqemu');
    }
    if ((o.get('compression_type') ?? 'zlib') !== 'zlib') {
      throw new QemuError(`Parameter 'compression-type' does not accept value '${o.get('compression_type')}'`);
    }
    const opts: Qcow2CreateOptions = {
      size,
      clusterSize: cs ?? -1,
      version,
      lazyRefcounts: parseBool('lazy_refcounts', o.get('lazy_refcounts') ?? 'off'),
      refcountBits: rb,
      backingFile,
      backingFormat: backingFmt,
      preallocation: prealloc as Qcow2CreateOptions['preallocation'],
    };
    await qcow2Create(filename, opts, bdrvOpenBacking);
  } catch (e) {
    if (e instanceof QemuError && !e.message.startsWith(filename + ':')) throw fail(e.message, e.hint);
    throw e;
  }
}

export async function imgCreate(argv: string[], out: Out): Promise<number> {
  const { opts, args } = getopt(argv, ':F:b:f:ho:qu', {
    help: [false, 'h'], object: [true, 'O'],
  });
  let fmt = 'raw';
  let baseFile: string | undefined;
  let baseFmt: string | undefined;
  let optStr = '';
  let quiet = false;
  let unsafe = false;
  for (const [k, v] of opts) {
    if (k === 'f') fmt = v;
    else if (k === 'b') baseFile = v;
    else if (k === 'F') baseFmt = v;
    else if (k === 'o') optStr = optStr ? `${optStr},${v}` : v;
    else if (k === 'q') quiet = true;
    else if (k === 'u') unsafe = true;
  }
  if (args.length < 1) throw errorExit('Expecting image file name');
  const filename = args[0]!;
  let size: number | undefined;
  if (args.length >= 2) {
    size = parseSize(args[1]!);
    if (size === undefined) throw invalidSizeError();
  }
  if (args.length > 2) throw errorExit('Unexpected argument: ' + args[2]);
  const options = parseOptionString(optStr);
  if (baseFile !== undefined) options.set('backing_file', baseFile);
  if (baseFmt !== undefined) options.set('backing_fmt', baseFmt);
  await imgCreateImage({ filename, fmt, size, options, unsafe, quiet }, out);
  return 0;
}
