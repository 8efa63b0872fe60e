/*
 * Block I/O throughput: 4 KiB requests through tsqemu's BlockBackend beside `qemu-img bench`
 * on the same image files with the same parameters (count, request size, step, queue depth,
 * cache mode).  qemu-img bench walks the image from offset 0 by `step` bytes, wrapping at the
 * end; step 4096 is sequential, and a step of an odd number of 4 KiB blocks scatters the
 * requests over the whole image (a strided stand-in for random I/O, which qemu-img bench lacks).
 * Knobs: BENCH_BLOCK_MIB=256 (image size), BENCH_BLOCK_COUNT=65536 (requests per run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdrvOpen } from '../src/block/block.js';
import { BlockBackend } from '../src/block/block-backend.js';
import { DEFAULT_OPEN_FLAGS } from '../src/block/block-int.js';

/** qemu-img bench's default queue depth. */
export const BLOCK_DEPTH = 64;
const REQ = 4096;
/** 40503 blocks: odd, so the walk visits every 4 KiB block of a power-of-two image once. */
const SCATTER_STEP = 40503 * REQ;

export interface BlockCase { format: 'raw' | 'qcow2'; pattern: 'sequential' | 'strided'; write: boolean }
export interface BlockResult extends BlockCase { tsqemuIops: number; qemuIops: number; count: number }

function qemuImgBench(img: string, c: BlockCase, count: number, step: number): number {
  const args = ['bench', '-f', c.format, '-c', String(count), '-d', String(BLOCK_DEPTH), '-s', String(REQ),
    '-S', String(step), '-t', 'writeback', ...(c.write ? ['-w'] : []), img];
  const r = spawnSync('qemu-img', args, { encoding: 'utf8' });
  const m = /Run completed in ([\d.]+) seconds/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`qemu-img ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return count / Number(m[1]);
}

async function tsqemuBench(img: string, c: BlockCase, count: number, step: number): Promise<number> {
  const { bs } = await bdrvOpen(img, c.format, { ...DEFAULT_OPEN_FLAGS, noBacking: true });
  const blk = new BlockBackend('bench', bs, {
    writeback: true, readOnly: false, detectZeroes: 'off', discardUnmap: false, werror: 'report', rerror: 'report',
  });
  const size = blk.getLength();
  let next = 0;
  let offset = 0;
  // One worker per queue slot, each with its own buffer, as qemu-img bench keeps `depth` requests in flight.
  async function worker(buf: Uint8Array): Promise<void> {
    while (next < count) {
      next++;
      const off = offset;
      offset = (offset + step) % size;
      if (c.write) await blk.pwrite(off, buf);
      else await blk.pread(off, buf);
    }
  }
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: BLOCK_DEPTH }, (_, i) => worker(new Uint8Array(REQ).fill(i + 1))));
  // Untimed flush/close, as qemu-img bench stops its clock before closing the image.
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await blk.close();
  return count / secs;
}

/** Runs every case on a fresh raw and qcow2 image; writes first, so that reads find data. */
export async function runBlockBench(mib: number, count: number, log: (s: string) => void): Promise<BlockResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-blockbench-'));
  const out: BlockResult[] = [];
  try {
    for (const format of ['raw', 'qcow2'] as const) {
      const img = join(dir, `b.${format}`);
      const cr = spawnSync('qemu-img', ['create', '-q', '-f', format, img, `${mib}M`], { encoding: 'utf8' });
      if (cr.status !== 0) throw new Error(`qemu-img create failed: ${cr.stderr}`);
      for (const write of [true, false]) {
        for (const pattern of ['sequential', 'strided'] as const) {
          const c: BlockCase = { format, pattern, write };
          const step = pattern === 'sequential' ? REQ : SCATTER_STEP;
          log(`  ${format} ${pattern} ${write ? 'write' : 'read'}`);
          const qemuIops = qemuImgBench(img, c, count, step);
          const tsqemuIops = await tsqemuBench(img, c, count, step);
          out.push({ ...c, count, qemuIops, tsqemuIops });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
