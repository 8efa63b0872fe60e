/*
 * Opening and creating images (block.c): the protocol node, format probing, the format
 * node on top, and its backing chain.
 */
import { promises as fsp } from 'node:fs';
import { QemuError } from '../util/error.js';
import { DEFAULT_OPEN_FLAGS, type BlockDriverState, type OpenFlags } from './block-int.js';
import { FileBDS, errnoText } from './file-posix.js';
import { RawBDS } from './raw-format.js';
import { Qcow2BDS } from './qcow2/qcow2.js';
import { QCOW_MAGIC } from './qcow2/qcow2-format.js';
import { qcow2Check, BDRV_FIX_LEAKS, BDRV_FIX_ERRORS } from './qcow2/qcow2-check.js';

/** Format drivers tsqemu has, as `format=help` lists them. */
export const FORMAT_DRIVERS = ['qcow2', 'raw'] as const;
/** Every driver name QEMU 7.2 knows; one we lack gets a different message from an unknown one. */
const PROTOCOL_DRIVERS = ['file'];

export function isKnownFormat(name: string): boolean {
  return (FORMAT_DRIVERS as readonly string[]).includes(name) || PROTOCOL_DRIVERS.includes(name);
}

/** bdrv_probe_all(): qcow2 by its magic, anything else is raw. */
export async function probeFormat(file: BlockDriverState): Promise<string> {
  const b = new Uint8Array(4);
  if (file.getLength() >= 4) await file.read(0, b);
  const magic = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return magic === QCOW_MAGIC ? 'qcow2' : 'raw';
}

/** Printed (without a program prefix, as QEMU does) when a writable image was probed as raw. */
export const RAW_PROBE_WARNING = (f: string): string =>
  `WARNING: Image format was not specified for '${f}' and probing guessed raw.\n` +
  '         Automatically detecting the format is dangerous for raw images, write operations on block 0 will be restricted.\n' +
  "         Specify the 'raw' format explicitly to remove the restrictions.\n";

export interface OpenResult {
  bs: BlockDriverState;
  /** The format was probed, not given (QEMU warns about probed raw images). */
  probed: boolean;
}

/**
 * Opens `filename` with the given format (undefined: probe), and its backing chain.
 * Errors are QEMU's, without the "Could not open" wrapper a caller may add.
 */
export async function bdrvOpen(filename: string, format: string | undefined, flags: OpenFlags = DEFAULT_OPEN_FLAGS): Promise<OpenResult> {
  if (format !== undefined && !isKnownFormat(format)) throw new QemuError(`Unknown driver '${format}'`);
  const file = await FileBDS.open(filename, flags);
  try {
    const fmt = format ?? (await probeFormat(file));
    let bs: BlockDriverState;
    if (fmt === 'qcow2') {
      const q = await Qcow2BDS.open(file, flags, openBacking);
      bs = q;
      // An image left dirty (lazy refcounts) is repaired when opened for writing, as QEMU does.
      if (q.dirty && !flags.readOnly && !flags.noRepair) {
        await qcow2Check(q, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS, () => undefined);
        q.refcounts.invalidate();
        q.dropCaches();
        await q.markClean();
      }
      if (q.header.autoclearFeatures !== 0 && !flags.readOnly) await q.clearAutoclear();
    }
    else if (fmt === 'raw') bs = new RawBDS(file);
    else bs = file;
    return { bs, probed: format === undefined };
  } catch (e) {
    await file.close();
    throw e;
  }
}

async function openBacking(filename: string, format: string | undefined, flags: OpenFlags): Promise<BlockDriverState> {
  try {
    return (await bdrvOpen(filename, format, flags)).bs;
  } catch (e) {
    if (e instanceof QemuError) throw new QemuError(`Could not open backing file: ${e.message}`);
    throw e;
  }
}

export { openBacking as bdrvOpenBacking };

/** The chain below bs, top first: [bs, backing, backing's backing, ...]. */
export function backingChain(bs: BlockDriverState): BlockDriverState[] {
  const out: BlockDriverState[] = [];
  for (let b: BlockDriverState | undefined = bs; b; b = b.backing) out.push(b);
  return out;
}

/** Creates a raw image file of `size` bytes (sparse). */
export async function rawCreate(filename: string, size: number, preallocation: string): Promise<void> {
  let fh;
  try {
    fh = await fsp.open(filename, 'w');
  } catch (e) {
    throw new QemuError(`Could not create '${filename}': ${errnoText(e)}`);
  }
  try {
    if (preallocation === 'full') {
      const chunk = new Uint8Array(Math.min(size, 1 << 20));
      for (let pos = 0; pos < size; pos += chunk.length) {
        await fh.write(chunk, 0, Math.min(chunk.length, size - pos), pos);
      }
    } else {
      await fh.truncate(size);
    }
  } finally {
    await fh.close();
  }
}
