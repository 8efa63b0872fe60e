/*
 * Internal snapshots made by tsqemu: qemu-img lists them, checks the image clean after each
 * step, and reads every snapshot's content as we expect; our writes after a snapshot copy
 * shared clusters instead of changing the snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bdrvOpen } from '../../src/block/block.js';
import { qemuImg, qemuIo, tsqemuImg, tempDir } from './helpers.js';

async function writeWithUs(path: string, off: number, len: number, v: number): Promise<void> {
  const { bs } = await bdrvOpen(path, 'qcow2');
  await bs.write(off, new Uint8Array(len).fill(v));
  await bs.close();
}

function snapshotRaw(dir: string, img: string, name: string): Buffer {
  const out = join(dir, `${name}.raw`);
  const r = qemuImg(['convert', '-O', 'raw', '-l', `snapshot.name=${name}`, img, out]);
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

function activeRaw(dir: string, img: string): Buffer {
  const out = join(dir, 'active.raw');
  assert.equal(qemuImg(['convert', '-O', 'raw', img, out]).status, 0);
  return readFileSync(out);
}

function checkClean(img: string): void {
  const r = qemuImg(['check', img]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

for (const opts of ['cluster_size=4096', 'cluster_size=65536,compat=0.10']) {
  test(`tsqemu snapshots create/apply/delete, checked by qemu-img (${opts})`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const img = join(dir, 's.qcow2');
      qemuImg(['create', '-q', '-f', 'qcow2', '-o', opts, img, '8M']);
      qemuIo(['-c', 'write -P 1 0 1M', '-c', 'write -P 2 6M 300k', img]);
      const v0 = activeRaw(dir, img);
      assert.equal(tsqemuImg(['snapshot', '-c', 'a', img]).status, 0);
      checkClean(img);
      await writeWithUs(img, 4096 * 3 + 100, 70000, 9);
      await writeWithUs(img, 7 << 20, 4096, 8);
      checkClean(img);
      const v1 = activeRaw(dir, img);
      assert.ok(snapshotRaw(dir, img, 'a').equals(v0), 'snapshot a kept the old content');
      assert.equal(tsqemuImg(['snapshot', '-c', 'b', img]).status, 0);
      await writeWithUs(img, 0, 8192, 7);
      checkClean(img);
      const list = qemuImg(['snapshot', '-l', img]).stdout;
      assert.match(list, /^1 +a /m);
      assert.match(list, /^2 +b /m);
      assert.equal(tsqemuImg(['snapshot', '-a', 'a', img]).status, 0);
      checkClean(img);
      assert.ok(activeRaw(dir, img).equals(v0));
      assert.equal(tsqemuImg(['snapshot', '-d', 'a', img]).status, 0);
      checkClean(img);
      assert.ok(snapshotRaw(dir, img, 'b').equals(v1));
      assert.equal(tsqemuImg(['snapshot', '-a', '2', img]).status, 0);
      assert.equal(tsqemuImg(['snapshot', '-d', 'b', img]).status, 0);
      checkClean(img);
      assert.ok(activeRaw(dir, img).equals(v1));
      assert.equal(qemuImg(['snapshot', '-l', img]).stdout, '');
    } finally {
      cleanup();
    }
  });
}

test('commit, rebase (safe and -b "") and resize keep the guest view', async () => {
  const { dir, cleanup } = tempDir();
  try {
    qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', 'base.qcow2', '8M'], dir);
    qemuIo(['-c', 'write -P 1 0 8M', 'base.qcow2'], dir);
    qemuImg(['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'mid.qcow2'], dir);
    qemuIo(['-c', 'write -P 2 1M 1M', 'mid.qcow2'], dir);
    qemuImg(['create', '-q', '-f', 'qcow2', '-b', 'mid.qcow2', '-F', 'qcow2', 'top.qcow2', '10M'], dir);
    qemuIo(['-c', 'write -P 3 1536k 1M', '-c', 'write -P 4 9M 64k', 'top.qcow2'], dir);
    const view = (img: string): Buffer => activeRaw(dir, join(dir, img));
    const want = view('top.qcow2');
    // Safe rebase onto base: the image takes over mid's data where it differs.
    assert.equal(tsqemuImg(['rebase', '-b', 'base.qcow2', '-F', 'qcow2', 'top.qcow2'], dir).status, 0);
    checkClean(join(dir, 'top.qcow2'));
    assert.ok(view('top.qcow2').equals(want));
    assert.match(qemuImg(['info', 'top.qcow2'], dir).stdout, /^backing file: base\.qcow2$/m);
    // Commit into base (which grows to 10M), then the top reads the same through it.
    assert.equal(tsqemuImg(['commit', 'top.qcow2'], dir).stdout, 'Image committed.\n');
    checkClean(join(dir, 'base.qcow2'));
    checkClean(join(dir, 'top.qcow2'));
    assert.ok(view('base.qcow2').equals(want));
    assert.ok(view('top.qcow2').equals(want));
    // Rebase onto nothing: the top becomes standalone.
    assert.equal(tsqemuImg(['rebase', '-b', '', 'top.qcow2'], dir).status, 0);
    checkClean(join(dir, 'top.qcow2'));
    assert.doesNotMatch(qemuImg(['info', 'top.qcow2'], dir).stdout, /backing file/);
    assert.ok(view('top.qcow2').equals(want));
    // Grow and shrink.
    assert.equal(tsqemuImg(['resize', 'top.qcow2', '+1G'], dir).status, 0);
    checkClean(join(dir, 'top.qcow2'));
    assert.equal(tsqemuImg(['resize', '--shrink', 'top.qcow2', '2M'], dir).status, 0);
    checkClean(join(dir, 'top.qcow2'));
    assert.ok(view('top.qcow2').equals(want.subarray(0, 2 << 20)));
  } finally {
    cleanup();
  }
});
