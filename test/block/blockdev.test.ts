/*
 * -drive validation against qemu-system-x86_64 7.2's own messages, and the BlockBackend
 * I/O API device models use, checked through qemu-img.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QemuError } from '../../src/util/error.js';
import { driveParse, driveNew, blockdevAdd, blkByNameOrNode } from '../../src/block/blockdev.js';
import { blkByName, BlockIOError, EIO, EPERM } from '../../src/block/block-backend.js';
import { run, qemuImg, qemuIo, tempDir } from './helpers.js';

function splitOpts(s: string): Record<string, string> {
  const o: Record<string, string> = {};
  for (const p of s.split(',')) {
    const eq = p.indexOf('=');
    o[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return o;
}

/** The message qemu-system-x86_64 prints for `-drive arg` (it exits at once on these). */
function qemuDriveError(dir: string, arg: string): string {
  const r = run('timeout', ['10', 'qemu-system-x86_64', '-machine', 'none', '-display', 'none', '-S', '-drive', arg], dir);
  assert.equal(r.status, 1, `qemu rejects -drive ${arg}: ${r.stderr}`);
  const prefix = `qemu-system-x86_64: -drive ${arg}: `;
  const line = r.stderr.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `qemu's message for ${arg}: ${r.stderr}`);
  return line!.slice(prefix.length);
}

async function ourDriveError(arg: string): Promise<string> {
  try {
    const info = await driveNew(splitOpts(arg), 'ide');
    await info.blk.close();
  } catch (e) {
    if (e instanceof QemuError) return e.message;
    throw e;
  }
  return '(accepted)';
}

test('-drive errors match qemu-system-x86_64 7.2', async () => {
  const { dir, cleanup } = tempDir();
  try {
    qemuImg(['create', '-q', '-f', 'raw', join(dir, 'r.raw'), '1M']);
    qemuImg(['create', '-q', '-f', 'qcow2', join(dir, 'b.qcow2'), '1M']);
    const r = join(dir, 'r.raw');
    const b = join(dir, 'b.qcow2');
    const cases = [
      `file=${r},if=none,format=foo`,
      `file=${r},if=none,format=raw,cache=bogus`,
      `file=${r},if=none,format=raw,readonly=on,read-only=on`,
      `file=${r},if=none,format=raw,werror=foo`,
      `file=${r},if=none,format=raw,rerror=enospc`,
      `file=${r},if=none,format=raw,discard=foo`,
      `file=${r},if=none,format=raw,detect-zeroes=foo`,
      `file=${r},if=none,format=raw,aio=native`,
      `file=${r},if=none,format=raw,aio=foo`,
      `file=${r},if=none,format=raw,media=foo`,
      `file=${r},if=floppy,format=raw,werror=stop`,
      `file=${r},if=none,format=raw,snapshot=foo`,
      `file=${b},if=none,format=qcow2,cyls=3`,
      `file=${b},if=none,format=raw,foo=bar`,
      `file=${r},if=foo`,
      `file=${r},if=ide,unit=2,format=raw`,
      `file=${r},if=ide,index=1,unit=1,format=raw`,
      `file=${join(dir, 'nonexist')},if=none,format=raw`,
    ];
    for (const c of cases) {
      assert.equal(await ourDriveError(c), qemuDriveError(dir, c), `-drive ${c}`);
    }
  } finally {
    cleanup();
  }
});

test('-drive ids: automatic ids and addressing as QEMU assigns them', () => {
  // From QEMU 7.2 (reference §2.9): two id-less if=none drives are none0 and none1,
  // index=1 on IDE is ide0-hd1, and a cdrom then takes the first free unit, ide0-cd0.
  const none0 = driveParse({ if: 'none' });
  assert.equal(none0.id, 'none0');
  // Parsed but not yet opened drives already hold their unit.
  assert.equal(driveParse({ if: 'none' }).id, 'none1');
  assert.equal(driveParse({ if: 'ide', index: '1' }).id, 'ide0-hd1');
  assert.equal(driveParse({ if: 'ide', media: 'cdrom' }).id, 'ide0-cd0');
  assert.equal(driveParse({ if: 'virtio' }).id, 'virtio0');
  const c = driveParse({ cache: 'none' });
  assert.deepEqual(c.cache, { writeback: true, direct: true, noFlush: false });
  assert.deepEqual(driveParse({ cache: 'directsync' }).cache, { writeback: false, direct: true, noFlush: false });
  assert.deepEqual(driveParse({ cache: 'unsafe' }).cache, { writeback: true, direct: false, noFlush: true });
  assert.deepEqual(driveParse({ cache: 'writethrough' }).cache, { writeback: false, direct: false, noFlush: false });
  assert.deepEqual(driveParse({ cache: 'none', 'cache.direct': 'off' }).cache, { writeback: true, direct: false, noFlush: false });
  assert.equal(driveParse({ media: 'cdrom', if: 'none' }).readOnly, true);
});

test('BlockBackend I/O in every cache mode reaches the image as qemu-img reads it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const cache of ['none', 'writeback', 'writethrough', 'directsync', 'unsafe']) {
      const img = join(dir, `${cache}.qcow2`);
      qemuImg(['create', '-q', '-f', 'qcow2', img, '8M']);
      const id = `disk-${cache}`;
      const info = await driveNew({ file: img, if: 'none', id, format: 'qcow2', cache, 'detect-zeroes': 'on' });
      const blk = blkByName(id)!;
      assert.equal(blk, info.blk);
      assert.equal(blk.getLength(), 8 << 20);
      const data = new Uint8Array(3 * 4096 + 100);
      for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 255;
      await blk.pwrite(12345, data);
      await blk.pwriteSectors(100, new Uint8Array(1024).fill(0x5a));
      await blk.pwrite(1 << 20, new Uint8Array(65536));
      const back = new Uint8Array(data.length);
      await blk.pread(12345, back);
      assert.deepEqual(back, data);
      await assert.rejects(blk.pread((8 << 20) - 10, new Uint8Array(20)), (e: unknown) => e instanceof BlockIOError && e.errno === EIO);
      await blk.flush();
      await blk.close();
      qemuIo(['-f', 'qcow2', '-c', 'read -P 0x5a 51200 1024', img]);
      const raw = join(dir, `${cache}.raw`);
      qemuImg(['convert', '-O', 'raw', img, raw]);
      assert.deepEqual(new Uint8Array(readFileSync(raw).subarray(12345, 12345 + data.length)), data);
    }
  } finally {
    cleanup();
  }
});

test('read-only drives refuse writes; snapshot=on keeps the image unchanged', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const img = join(dir, 'a.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', img, '4M']);
    qemuIo(['-f', 'qcow2', '-c', 'write -P 7 0 64k', img]);
    const ro = await driveNew({ file: img, if: 'none', id: 'ro-disk', format: 'qcow2', 'read-only': 'on' });
    await assert.rejects(ro.blk.pwrite(0, new Uint8Array(512)), (e: unknown) => e instanceof BlockIOError && e.errno === EPERM);
    await ro.blk.close();
    const sn = await driveNew({ file: img, if: 'none', id: 'snap-disk', format: 'qcow2', snapshot: 'on' });
    await sn.blk.pwrite(0, new Uint8Array(4096).fill(9));
    const b = new Uint8Array(4096);
    await sn.blk.pread(0, b);
    assert.equal(b[100], 9);
    await sn.blk.pread(8192, b);
    assert.equal(b[0], 7, 'the overlay reads through to the image');
    await sn.blk.close();
    qemuIo(['-f', 'qcow2', '-c', 'read -P 7 0 64k', img]);
    assert.equal(qemuImg(['check', img]).status, 0);
  } finally {
    cleanup();
  }
});

test('-blockdev nodes: file + qcow2 by node-name, reached by drive=<node-name>', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const img = join(dir, 'n.qcow2');
    qemuImg(['create', '-q', '-f', 'qcow2', img, '4M']);
    qemuIo(['-f', 'qcow2', '-c', 'write -P 3 4096 4096', img]);
    await blockdevAdd({ driver: 'file', filename: img, 'node-name': 'f0' });
    await blockdevAdd({ driver: 'qcow2', file: 'f0', 'node-name': 'q0' });
    const blk = blkByNameOrNode('q0')!;
    const b = new Uint8Array(512);
    await blk.pread(4096, b);
    assert.equal(b[0], 3);
    await blk.close();
  } finally {
    cleanup();
  }
});
