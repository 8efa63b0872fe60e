/*
 * Images tsqemu creates and writes must pass `qemu-img check` with no errors or leaks,
 * and read back through qemu-img exactly as our in-memory model of the writes says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bdrvOpen, bdrvOpenBacking } from '../../src/block/block.js';
import { qcow2Create, type Qcow2CreateOptions } from '../../src/block/qcow2/qcow2-create.js';
import { qemuImg, tsqemuImg, tempDir, prng } from './helpers.js';

interface Config {
  name: string;
  opts: Partial<Qcow2CreateOptions>;
  size: number;
}

const CONFIGS: Config[] = [
  { name: 'v3 64k clusters', opts: {}, size: 64 << 20 },
  { name: 'v3 512-byte clusters (refcount table grows)', opts: { clusterSize: 512 }, size: 8 << 20 },
  { name: 'v2 4k clusters', opts: { version: 2, clusterSize: 4096 }, size: 16 << 20 },
  { name: 'v3 2M clusters', opts: { clusterSize: 2 << 20 }, size: 64 << 20 },
  { name: 'v3 1-bit refcounts', opts: { refcountBits: 1, clusterSize: 4096 }, size: 8 << 20 },
  { name: 'v3 64-bit refcounts, lazy refcounts', opts: { refcountBits: 64, lazyRefcounts: true }, size: 32 << 20 },
  { name: 'v3 odd size', opts: { clusterSize: 65536 }, size: (5 << 20) + 512 * 3 },
];

async function exercise(cfg: Config, seed: number): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'img.qcow2');
    const o: Qcow2CreateOptions = {
      size: cfg.size, clusterSize: 65536, version: 3, lazyRefcounts: false, refcountBits: 16, preallocation: 'off',
      ...cfg.opts,
    };
    await qcow2Create(path, o, bdrvOpenBacking);
    const model = new Uint8Array(cfg.size);
    const { bs } = await bdrvOpen(path, 'qcow2');
    const rnd = prng(seed);
    for (let i = 0; i < 60; i++) {
      const len = 1 + Math.floor(rnd() * (rnd() < 0.3 ? 300000 : 9000));
      const off = Math.floor(rnd() * (cfg.size - len));
      const kind = rnd();
      if (kind < 0.7) {
        const buf = new Uint8Array(len);
        const v = 1 + Math.floor(rnd() * 255);
        for (let k = 0; k < len; k++) buf[k] = (v + k) & 255;
        await bs.write(off, buf);
        model.set(buf, off);
      } else if (kind < 0.85) {
        await bs.writeZeroes(off, len, rnd() < 0.5);
        model.fill(0, off, off + len);
      } else {
        // A discard may leave partial clusters alone: the model learns what it reads back.
        await bs.discard(off, len);
        const back = new Uint8Array(len);
        await bs.read(off, back);
        for (let k = 0; k < len; k++) assert.ok(back[k] === 0 || back[k] === model[off + k], 'discard exposed foreign data');
        model.set(back, off);
      }
    }
    // Our own read path agrees with the model before the image is closed.
    const all = new Uint8Array(cfg.size);
    await bs.read(0, all);
    assert.ok(Buffer.from(all).equals(Buffer.from(model)), 'tsqemu reads back what it wrote');
    await bs.close();

    const chk = qemuImg(['check', path]);
    assert.equal(chk.status, 0, `qemu-img check: ${chk.stdout}${chk.stderr}`);
    assert.match(chk.stdout, /No errors were found on the image\./);
    const ours = tsqemuImg(['check', path]);
    assert.equal(ours.stdout, chk.stdout, 'tsqemu-img check prints what qemu-img check prints');

    const raw = join(dir, 'export.raw');
    const cv = qemuImg(['convert', '-O', 'raw', path, raw]);
    assert.equal(cv.status, 0, cv.stderr);
    assert.ok(readFileSync(raw).equals(Buffer.from(model)), 'qemu-img reads what tsqemu wrote');
  } finally {
    cleanup();
  }
}

for (const [i, cfg] of CONFIGS.entries()) {
  test(`qcow2 written by tsqemu passes qemu-img check and reads back in QEMU: ${cfg.name}`, async () => {
    await exercise(cfg, 0x1234 + i * 77);
  });
}

test('concurrent reads and writes with a two-table L2 cache stay consistent', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'c.qcow2');
    const size = 32 << 20;
    await qcow2Create(path, {
      size, clusterSize: 4096, version: 3, lazyRefcounts: false, refcountBits: 16, preallocation: 'off',
    }, bdrvOpenBacking);
    const { bs } = await bdrvOpen(path, 'qcow2');
    (bs as import('../../src/block/qcow2/qcow2.js').Qcow2BDS).setL2CacheTables(2);
    const model = new Uint8Array(size);
    const rnd = prng(99);
    for (let round = 0; round < 40; round++) {
      // Non-overlapping writes in flight together, with reads of other areas between them.
      const reqs: Array<Promise<void>> = [];
      const slot = size / 8;
      for (let k = 0; k < 8; k++) {
        const len = 1 + Math.floor(rnd() * 20000);
        const off = k * slot + Math.floor(rnd() * (slot - len));
        const buf = new Uint8Array(len).fill(1 + ((round * 8 + k) % 250));
        model.set(buf, off);
        reqs.push(bs.write(off, buf));
        reqs.push(bs.read(Math.floor(rnd() * (size - 4096)), new Uint8Array(4096)));
      }
      await Promise.all(reqs);
    }
    const all = new Uint8Array(size);
    await bs.read(0, all);
    assert.ok(Buffer.from(all).equals(Buffer.from(model)));
    await bs.close();
    const chk = qemuImg(['check', path]);
    assert.equal(chk.status, 0, chk.stdout + chk.stderr);
    const raw = join(dir, 'c.raw');
    assert.equal(qemuImg(['convert', '-O', 'raw', path, raw]).status, 0);
    assert.ok(readFileSync(raw).equals(Buffer.from(model)));
  } finally {
    cleanup();
  }
});
