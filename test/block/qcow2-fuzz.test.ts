/*
 * Mutation fuzzing of qcow2 metadata: a damaged image may be refused or read as anything,
 * but only with a QemuError (a user-facing message), never an internal exception or a hang.
 * Seeds are fixed; images come from qemu-img/qemu-io so the starting point is valid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QemuError } from '../../src/util/error.js';
import { bdrvOpen } from '../../src/block/block.js';
import { Qcow2BDS } from '../../src/block/qcow2/qcow2.js';
import { qcow2Check } from '../../src/block/qcow2/qcow2-check.js';
import { chainBlockStatus } from '../../src/block/block-status.js';
import { qemuImg, qemuIo, tempDir, prng } from './helpers.js';

const ITERATIONS = Number(process.env.TSQEMU_FUZZ_RUNS ?? 100);

test(`qcow2 metadata mutations fail cleanly (${ITERATIONS} cases)`, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = join(dir, 'src.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', src, '4M']);
    qemuIo(['-c', 'write -P 1 0 300k', '-c', 'write -z 1M 64k', src]);
    qemuImg(['snapshot', '-c', 's', src]);
    qemuImg(['convert', '-c', '-O', 'qcow2', '-o', 'cluster_size=4096', src, join(dir, 'comp.qcow2')]);
    const images = [readFileSync(src), readFileSync(join(dir, 'comp.qcow2'))];
    const rnd = prng(Number(process.env.TSQEMU_FUZZ_SEED ?? 4242));
    const path = join(dir, 'fuzz.qcow2');
    for (let i = 0; i < ITERATIONS; i++) {
      const img = Buffer.from(images[i % 2]!);
      // Metadata lives in the first clusters: header, refcounts, L1, L2 (and compressed data).
      const area = Math.min(img.length, 4096 * 12);
      const flips = 1 + Math.floor(rnd() * 6);
      for (let k = 0; k < flips; k++) {
        const pos = rnd() < 0.3 ? Math.floor(rnd() * 112) : Math.floor(rnd() * area);
        img[pos] = rnd() < 0.5 ? Math.floor(rnd() * 256) : img[pos]! ^ (1 << Math.floor(rnd() * 8));
      }
      writeFileSync(path, img);
      try {
        const { bs } = await bdrvOpen(path, 'qcow2', {
          readOnly: true, direct: false, noFlush: false, discardUnmap: false, noBacking: true,
        });
        try {
          const size = Math.min(bs.getLength(), 64 << 20);
          const buf = new Uint8Array(1 << 20);
          for (let off = 0; off < size; off += buf.length) await bs.read(off, buf.subarray(0, Math.min(buf.length, size - off)));
          for (let off = 0; off < size;) off += (await chainBlockStatus(bs, off, size - off)).len;
          if (bs instanceof Qcow2BDS) await qcow2Check(bs, 0, () => undefined);
        } finally {
          await bs.close();
        }
      } catch (e) {
        assert.ok(e instanceof QemuError, `case ${i}: ${(e as Error).stack}`);
      }
    }
  } finally {
    cleanup();
  }
});
