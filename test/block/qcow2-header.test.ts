/*
 * Header handling against qemu-img: unsupported versions and incompatible features are
 * refused with QEMU's messages; a dirty image is repaired on a writable open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import { QemuError } from '../../src/util/error.js';
import { join } from 'node:path';
import { bdrvOpen } from '../../src/block/block.js';
import { run, qemuImg, qemuIo, tsqemuImg, tempDir, normalize } from './helpers.js';

function poke64(file: string, off: number, hi: number, lo: number): void {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(hi, 0);
  b.writeUInt32BE(lo, 4);
  const fd = openSync(file, 'r+');
  writeSync(fd, b, 0, 8, off);
  closeSync(fd);
}

test('unsupported versions and incompatible features: the same refusal as qemu-img', () => {
  const { dir, cleanup } = tempDir();
  try {
    const mk = (name: string, hi: number, lo: number): void => {
      qemuImg(['create', '-q', '-f', 'qcow2', join(dir, name), '1M']);
      poke64(join(dir, name), 72, hi, lo);
    };
    mk('bit5.qcow2', 0, 1 << 5);
    mk('bit40.qcow2', 1 << 8, 1 << 6);
    mk('datafile.qcow2', 0, 1 << 2);
    qemuImg(['create', '-q', '-f', 'qcow2', join(dir, 'v4.qcow2'), '1M']);
    const fd = openSync(join(dir, 'v4.qcow2'), 'r+');
    writeSync(fd, Buffer.from([0, 0, 0, 4]), 0, 4, 4);
    closeSync(fd);
    writeFileSync(join(dir, 'junk.img'), Buffer.from([0x51, 0x46, 0x49, 0xfb]));
    writeFileSync(join(dir, 'plain.raw'), Buffer.alloc(4096, 1));
    for (const args of [
      ['info', 'bit5.qcow2'], ['info', 'bit40.qcow2'], ['info', 'v4.qcow2'],
      ['info', '-f', 'qcow2', 'junk.img'], ['info', '-f', 'qcow2', 'plain.raw'], ['check', 'datafile.qcow2'],
    ]) {
      const q = qemuImg(args, dir);
      const t = tsqemuImg(args, dir);
      assert.equal(normalize(t.stderr), q.stderr, args.join(' '));
      assert.equal(t.status, q.status, args.join(' '));
    }
  } finally {
    cleanup();
  }
});

test('a dirty lazy-refcounts image is repaired when opened for writing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const img = join(dir, 'd.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'lazy_refcounts=on,cluster_size=4096', img, '4M']);
    qemuIo(['-c', 'write -P 5 0 64k', img]);
    // Mark it dirty and leak a cluster past the data, as a crashed lazy writer may.
    poke64(img, 72, 0, 1);
    const leakFd = openSync(img, 'r+');
    writeSync(leakFd, Buffer.alloc(4096), 0, 4096, 200 * 4096);
    writeSync(leakFd, Buffer.from([0, 1]), 0, 2, 2 * 4096 + 2 * 150);
    closeSync(leakFd);
    const before = qemuImg(['check', img]);
    assert.equal(before.status, 3, 'the oracle sees the leak');
    const { bs } = await bdrvOpen(img, 'qcow2');
    await bs.close();
    const after = qemuImg(['check', img]);
    assert.equal(after.status, 0, after.stdout + after.stderr);
    assert.match(qemuImg(['info', '--output=json', img]).stdout, /"dirty-flag": false/);
    qemuIo(['-c', 'read -P 5 0 64k', img]);
  } finally {
    cleanup();
  }
});

test('a guest write onto metadata is refused and marks the image corrupt, as QEMU does', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const img = join(dir, 'ov.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', img, '1M']);
    qemuIo(['-c', 'write -P 1 0 4k', img]);
    // Point guest cluster 0 at the refcount block (cluster 2), COPIED set.
    const l2 = readFileSync(img).readUInt32BE(0x3000 + 4);
    poke64(img, l2, 0x80000000, 0x2000);
    const copy = join(dir, 'ov-qemu.qcow2');
    writeFileSync(copy, readFileSync(img));
    const q = run('qemu-io', ['-c', 'write -P 9 0 512', copy]);
    assert.match(q.stdout + q.stderr, /Marking image as corrupt: Preventing invalid write on metadata \(overlaps with refcount block\)/);
    const { bs } = await bdrvOpen(img, 'qcow2');
    await assert.rejects(bs.write(0, new Uint8Array(512).fill(9)), (e: unknown) => e instanceof QemuError);
    await bs.close();
    for (const f of [img, copy]) assert.match(qemuImg(['info', f]).stdout, /corrupt: true/);
    assert.ok(readFileSync(img).subarray(0x2000, 0x3000).equals(readFileSync(copy).subarray(0x2000, 0x3000)), 'refcount block intact');
  } finally {
    cleanup();
  }
});
