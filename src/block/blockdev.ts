/*
 * -drive and -blockdev (blockdev.c drive_new/blockdev_init, qmp_blockdev_add).  Options
 * arrive as a flat key → string dict (already split by the QemuOpts/keyval parser); this
 * module validates them with QEMU's messages and opens the image into a BlockBackend.
 *
 * Validation is synchronous (driveParse) so that command-line errors surface while the
 * options are parsed; opening is asynchronous (driveOpen).
 */
import { mkdtempSync } from 'node:fs';
import { unlink, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QemuError } from '../util/error.js';
import { DEFAULT_OPEN_FLAGS, type BlockDriverState, type OpenFlags } from './block-int.js';
import { bdrvOpen, bdrvOpenBacking, isKnownFormat, RAW_PROBE_WARNING } from './block.js';
import { FileBDS } from './file-posix.js';
import { RawBDS } from './raw-format.js';
import { Qcow2BDS } from './qcow2/qcow2.js';
import { qcow2Create } from './qcow2/qcow2-create.js';
import {
  BlockBackend, blkByName, blkRegister, type BlockBackendOptions, type BlockdevOnError, type DetectZeroes,
} from './block-backend.js';

export type BlockInterfaceType = 'none' | 'ide' | 'scsi' | 'floppy' | 'pflash' | 'mtd' | 'sd' | 'virtio' | 'xen';
const IF_NAMES: BlockInterfaceType[] = ['none', 'ide', 'scsi', 'floppy', 'pflash', 'mtd', 'sd', 'virtio', 'xen'];
/** if_max_devs[]: units per bus. */
const IF_MAX_DEVS: Partial<Record<BlockInterfaceType, number>> = { ide: 2, scsi: 7 };

export interface CacheFlags {
  writeback: boolean;
  direct: boolean;
  noFlush: boolean;
}

/** bdrv_parse_cache_mode(). */
export function parseCacheMode(mode: string): CacheFlags {
  switch (mode) {
    case 'off':
    case 'none': return { writeback: true, direct: true, noFlush: false };
    case 'directsync': return { writeback: false, direct: true, noFlush: false };
    case 'writeback': return { writeback: true, direct: false, noFlush: false };
    case 'unsafe': return { writeback: true, direct: false, noFlush: true };
    case 'writethrough': return { writeback: false, direct: false, noFlush: false };
    default: throw new QemuError('invalid cache option');
  }
}

export interface DriveSpec {
  id: string;
  type: BlockInterfaceType;
  bus: number;
  unit: number;
  media: 'disk' | 'cdrom';
  file: string | undefined;
  format: string | undefined;
  cache: CacheFlags;
  readOnly: boolean;
  snapshot: boolean;
  backend: BlockBackendOptions;
  locking: 'on' | 'off' | 'auto';
}

/** What board code needs to know about a -drive (QEMU's DriveInfo). */
export interface DriveInfo {
  spec: DriveSpec;
  blk: BlockBackend;
}

const drives: DriveInfo[] = [];
/** Specs parsed but not yet opened: unit allocation and id checks must see them. */
const pendingSpecs: DriveSpec[] = [];

function parseBool(opts: Record<string, string>, key: string, def: boolean): boolean {
  const v = opts[key];
  if (v === undefined) return def;
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new QemuError(`Parameter '${key}' expects 'on' or 'off'`);
}

function parseInt10(opts: Record<string, string>, key: string): number | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new QemuError(`Parameter '${key}' expects a number`);
  return parseInt(v, 10);
}

function parseOnError(v: string | undefined, isRead: boolean): BlockdevOnError {
  if (v === undefined) return isRead ? 'report' : 'enospc';
  const ok = isRead ? ['ignore', 'report', 'stop'] : ['ignore', 'report', 'stop', 'enospc'];
  if (!ok.includes(v)) throw new QemuError(`'${v}' invalid ${isRead ? 'read' : 'write'} error action`);
  return v as BlockdevOnError;
}

/** Keys drive_new and blockdev_init consume; anything else goes to the format driver. */
const DRIVE_KEYS = new Set([
  'bus', 'unit', 'index', 'media', 'if', 'file', 'read-only', 'rerror', 'werror', 'copy-on-read', 'snapshot', 'aio',
  'format', 'cache', 'cache.writeback', 'cache.direct', 'cache.no-flush', 'detect-zeroes', 'discard', 'id',
  'stats-account-invalid', 'stats-account-failed', 'stats-intervals', 'serial', 'addr',
]);

function usedUnits(type: BlockInterfaceType, bus: number): Set<number> {
  const s = new Set<number>();
  for (const d of [...drives.map((x) => x.spec), ...pendingSpecs]) if (d.type === type && d.bus === bus) s.add(d.unit);
  return s;
}

/**
 * drive_new() up to the point where the image is opened: key aliases, cache modes,
 * interface and addressing, error policies.  `defaultIf` is the board's block_default_type.
 */
export function driveParse(input: Record<string, string>, defaultIf: BlockInterfaceType = 'ide'): DriveSpec {
  const opts = { ...input };
  if ('readonly' in opts) {
    if ('read-only' in opts) throw new QemuError("'read-only' and its alias 'readonly' can't be used at the same time");
    opts['read-only'] = opts.readonly!;
    delete opts.readonly;
  }
  let cache = parseCacheMode('writeback');
  if (opts.cache !== undefined) cache = parseCacheMode(opts.cache);
  cache = {
    writeback: parseBool(opts, 'cache.writeback', cache.writeback),
    direct: parseBool(opts, 'cache.direct', cache.direct),
    noFlush: parseBool(opts, 'cache.no-flush', cache.noFlush),
  };
  let type = defaultIf;
  if (opts.if !== undefined) {
    if (!IF_NAMES.includes(opts.if as BlockInterfaceType)) throw new QemuError(`unsupported bus type '${opts.if}'`);
    type = opts.if as BlockInterfaceType;
  }
  let media: 'disk' | 'cdrom' = 'disk';
  if (opts.media !== undefined) {
    if (opts.media !== 'disk' && opts.media !== 'cdrom') throw new QemuError(`'${opts.media}' invalid media`);
    media = opts.media;
  }
  let readOnly = parseBool(opts, 'read-only', false);
  if (media === 'cdrom') readOnly = true;
  const snapshot = parseBool(opts, 'snapshot', false);
  parseBool(opts, 'copy-on-read', false);

  // Addressing: index, or bus and unit (blockdev.c).
  const maxDevs = IF_MAX_DEVS[type] ?? 0;
  let bus = parseInt10(opts, 'bus') ?? 0;
  let unit = parseInt10(opts, 'unit');
  const index = parseInt10(opts, 'index');
  if (index !== undefined) {
    if (opts.bus !== undefined || opts.unit !== undefined) throw new QemuError('index cannot be used with bus and unit');
    bus = maxDevs ? Math.floor(index / maxDevs) : 0;
    unit = maxDevs ? index % maxDevs : index;
  }
  if (unit === undefined) {
    // The first free unit, moving on to the next bus when one is full (drive_new).
    unit = 0;
    while (usedUnits(type, bus).has(unit)) {
      unit++;
      if (maxDevs && unit >= maxDevs) {
        unit = 0;
        bus++;
      }
    }
  }
  if (maxDevs && unit >= maxDevs) throw new QemuError(`unit ${unit} too big (max is ${maxDevs - 1})`);
  if (usedUnits(type, bus).has(unit)) {
    throw new QemuError(`drive with bus=${bus}, unit=${unit} (index=${index ?? bus * maxDevs + unit}) exists`);
  }

  const werror = opts.werror;
  const rerror = opts.rerror;
  const errOk = ['ide', 'scsi', 'virtio', 'none'].includes(type);
  if (werror !== undefined && !errOk) throw new QemuError('werror is not supported by this bus type');
  if (rerror !== undefined && !errOk) throw new QemuError('rerror is not supported by this bus type');

  let id = opts.id;
  if (id === undefined) {
    const hdcd = media === 'cdrom' ? 'cd' : 'hd';
    if (type === 'ide' || type === 'scsi') id = `${type}${bus}-${hdcd}${unit}`;
    else if (maxDevs) id = `${type}${bus}${unit}`;
    else id = `${type}${unit}`;
  }
  if (blkByName(id) || pendingSpecs.some((p) => p.id === id)) throw new QemuError(`Duplicate ID '${id}' for drive`);

  const spec = blockdevParseCommon(opts, id, cache, readOnly, werror, rerror);
  const full: DriveSpec = { ...spec, type, bus, unit, media, snapshot };
  pendingSpecs.push(full);
  return full;
}

function blockdevParseCommon(
  opts: Record<string, string>, id: string, cache: CacheFlags, readOnly: boolean,
  werror: string | undefined, rerror: string | undefined,
): Omit<DriveSpec, 'type' | 'bus' | 'unit' | 'media' | 'snapshot'> {
  const format = opts.format;
  if (format !== undefined && !isKnownFormat(format)) throw new QemuError(`Unknown driver '${format}'`);
  let discardUnmap = false;
  if (opts.discard !== undefined) {
    if (opts.discard === 'unmap' || opts.discard === 'on') discardUnmap = true;
    else if (opts.discard !== 'ignore' && opts.discard !== 'off') throw new QemuError('Invalid discard option');
  }
  let detectZeroes: DetectZeroes = 'off';
  if (opts['detect-zeroes'] !== undefined) {
    const v = opts['detect-zeroes'];
    if (v !== 'off' && v !== 'on' && v !== 'unmap') throw new QemuError(`invalid parameter value: ${v}`);
    detectZeroes = v;
  }
  const aio = opts.aio;
  if (aio !== undefined) {
    if (!['threads', 'native', 'io_uring'].includes(aio)) throw new QemuError('invalid aio option');
    if (aio === 'native' && !cache.direct) {
      throw new QemuError('aio=native was specified, but it requires cache.direct=on, which was not specified.');
    }
  }
  for (const k of Object.keys(opts)) {
    if (!DRIVE_KEYS.has(k) && !k.startsWith('file.')) {
      throw new QemuError(`Block format '${format ?? 'raw'}' does not support the option '${k}'`);
    }
  }
  return {
    id,
    file: opts.file,
    format,
    cache,
    readOnly,
    locking: parseLocking(opts['file.locking']),
    backend: {
      writeback: cache.writeback,
      readOnly,
      detectZeroes,
      discardUnmap,
      werror: parseOnError(werror, false),
      rerror: parseOnError(rerror, true),
    },
  };
}

/** The file driver's `locking` option (OnOffAuto). */
function parseLocking(v: string | undefined): 'on' | 'off' | 'auto' {
  if (v === undefined) return 'auto';
  if (v !== 'on' && v !== 'off' && v !== 'auto') throw new QemuError(`invalid parameter value: ${v}`);
  return v;
}

function openFlags(spec: DriveSpec): OpenFlags {
  return {
    ...DEFAULT_OPEN_FLAGS,
    readOnly: spec.readOnly,
    direct: spec.cache.direct,
    noFlush: spec.cache.noFlush,
    discardUnmap: spec.backend.discardUnmap,
    locking: spec.locking,
  };
}

/** blockdev_init(): opens the image (if any) and registers the BlockBackend under spec.id. */
export async function blockdevInit(spec: DriveSpec, warn: (s: string) => void = (s) => process.stderr.write(s)): Promise<BlockBackend> {
  let bs: BlockDriverState | undefined;
  if (spec.file !== undefined && spec.file !== '') {
    const r = await bdrvOpen(spec.file, spec.format, openFlags(spec));
    bs = r.bs;
    if (r.probed && bs.drvName === 'raw' && !spec.readOnly) warn(RAW_PROBE_WARNING(spec.file));
    if (spec.snapshot) bs = await snapshotOverlay(bs, spec);
  }
  const blk = new BlockBackend(spec.id, bs, spec.backend);
  blkRegister(blk);
  return blk;
}

/**
 * snapshot=on: writes go to a temporary qcow2 overlay whose backing file is the image
 * (bdrv_append_temp_snapshot); the overlay is unlinked at once and vanishes at exit.
 */
async function snapshotOverlay(base: BlockDriverState, spec: DriveSpec): Promise<BlockDriverState> {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-'));
  const path = join(dir, 'vl.qcow2');
  const size = base.getLength();
  const fmt = base.drvName;
  await base.close();
  await qcow2Create(path, {
    size, clusterSize: 65536, version: 3, lazyRefcounts: false, refcountBits: 16,
    backingFile: resolve(spec.file!), backingFormat: fmt, preallocation: 'off',
  }, bdrvOpenBacking);
  const file = await FileBDS.open(path, { ...openFlags(spec), readOnly: false });
  const top = await Qcow2BDS.open(file, { ...openFlags(spec), readOnly: false }, bdrvOpenBacking);
  await unlink(path);
  await rmdir(dir);
  return top;
}

/**
 * Opens a drive driveParse() accepted and registers its BlockBackend.  Specs may be parsed
 * for every -drive first (errors then surface in command-line order) and opened later.
 */
export async function driveOpen(spec: DriveSpec): Promise<DriveInfo> {
  try {
    const blk = await blockdevInit(spec);
    const info = { spec, blk };
    drives.push(info);
    return info;
  } finally {
    const i = pendingSpecs.indexOf(spec);
    if (i >= 0) pendingSpecs.splice(i, 1);
  }
}

/** drive_new(): parse, open and register.  Returns the DriveInfo board code attaches. */
export async function driveNew(opts: Record<string, string>, defaultIf: BlockInterfaceType = 'ide'): Promise<DriveInfo> {
  return driveOpen(driveParse(opts, defaultIf));
}

/** Forgets a parsed spec that will not be opened (e.g. start-up failed before). */
export function driveDiscard(spec: DriveSpec): void {
  const i = pendingSpecs.indexOf(spec);
  if (i >= 0) pendingSpecs.splice(i, 1);
}

/** drive_get(): the drive at if/bus/unit, for board code creating default devices. */
export function driveGet(type: BlockInterfaceType, bus: number, unit: number): DriveInfo | undefined {
  return drives.find((d) => d.spec.type === type && d.spec.bus === bus && d.spec.unit === unit);
}

export function driveGetByType(type: BlockInterfaceType): DriveInfo[] {
  return drives.filter((d) => d.spec.type === type);
}

/** QEMU 7.2's BlockdevDriver enum (as built by Debian): what -blockdev driver= may name. */
const BLOCKDEV_DRIVERS = new Set([
  'blkdebug', 'blklogwrites', 'blkreplay', 'blkverify', 'bochs', 'cloop', 'compress', 'copy-before-write',
  'copy-on-read', 'dmg', 'file', 'snapshot-access', 'ftp', 'ftps', 'gluster', 'host_cdrom', 'host_device', 'http',
  'https', 'io_uring', 'iscsi', 'luks', 'nbd', 'nfs', 'null-aio', 'null-co', 'nvme', 'nvme-io_uring', 'parallels',
  'preallocate', 'qcow', 'qcow2', 'qed', 'quorum', 'raw', 'rbd', 'replication', 'sheepdog', 'ssh', 'throttle',
  'vdi', 'vhdx', 'virtio-blk-vfio-pci', 'virtio-blk-vhost-user', 'virtio-blk-vhost-vdpa', 'vmdk', 'vpc', 'vvfat',
]);

/** Nodes created by -blockdev, by node-name. */
const nodes = new Map<string, BlockDriverState>();

/**
 * -blockdev driver=…,node-name=… (qmp_blockdev_add) for the drivers we have: `file`
 * (filename=), and `raw`/`qcow2` over file=<node-name> or file.driver=file,file.filename=….
 * A device's drive=<node-name> gets a BlockBackend from blkByNameOrNode().
 */
export async function blockdevAdd(opts: Record<string, string>): Promise<BlockDriverState> {
  const driver = opts.driver;
  if (driver === undefined) throw new QemuError("Parameter 'driver' is missing");
  if (!BLOCKDEV_DRIVERS.has(driver)) throw new QemuError(`Parameter 'driver' does not accept value '${driver}'`);
  if (!isKnownFormat(driver)) throw new QemuError(`block driver '${driver}' is not supported yet`);
  const name = opts['node-name'];
  if (name === undefined) throw new QemuError("'node-name' must be specified for the root node");
  if (nodes.has(name)) throw new QemuError(`Duplicate nodes with node-name='${name}'`);
  const cache = {
    writeback: true,
    direct: parseBool(opts, 'cache.direct', false),
    noFlush: parseBool(opts, 'cache.no-flush', false),
  };
  const flags: OpenFlags = {
    ...DEFAULT_OPEN_FLAGS,
    readOnly: parseBool(opts, 'read-only', false),
    direct: cache.direct,
    noFlush: cache.noFlush,
    discardUnmap: opts.discard === 'unmap' || opts.discard === 'on',
    locking: parseLocking(opts[driver === 'file' ? 'locking' : 'file.locking']),
  };
  let bs: BlockDriverState;
  if (driver === 'file') {
    if (opts.filename === undefined) throw new QemuError("Parameter 'filename' is missing");
    bs = await FileBDS.open(opts.filename, flags);
  } else {
    let file: BlockDriverState;
    if (opts.file !== undefined) {
      const n = nodes.get(opts.file);
      if (!n) throw new QemuError(`Cannot find device='' nor node-name='${opts.file}'`);
      file = n;
    } else if (opts['file.filename'] !== undefined) {
      file = await FileBDS.open(opts['file.filename'], flags);
    } else {
      throw new QemuError("Parameter 'file' is missing");
    }
    bs = driver === 'qcow2' ? await Qcow2BDS.open(file, flags, bdrvOpenBacking) : new RawBDS(file);
  }
  nodes.set(name, bs);
  return bs;
}

/** What `-device …,drive=<id>` resolves: a -drive id, else a -blockdev node-name. */
export function blkByNameOrNode(id: string): BlockBackend | undefined {
  const blk = blkByName(id);
  if (blk) return blk;
  const bs = nodes.get(id);
  if (!bs) return undefined;
  const anon = new BlockBackend(id, bs, {
    writeback: true, readOnly: bs.readOnly, detectZeroes: 'off', discardUnmap: false, werror: 'enospc', rerror: 'report',
  });
  blkRegister(anon);
  return anon;
}
