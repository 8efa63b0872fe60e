/*
 * Image locking against real QEMU 7.2: QEMU and tsqemu use the same OFD lock bytes, so each
 * refuses an image the other holds for writing, with QEMU's messages.  The oracle for every
 * message is QEMU itself: a second qemu-system-x86_64 (or qemu-img info) run against the same
 * holder prints the text tsqemu must print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileBDS } from '../../src/block/file-posix.js';
import { QemuError } from '../../src/util/error.js';
import { nativeAddon } from '../../src/accel/kvm/kvm-native.js';
import { qemuImg, run, tempDir } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSQEMU = join(root, 'bin', 'tsqemu-system-x86_64');
const drive = (path: string, extra = ''): string[] => ['-S', '-display', 'none', '-drive', `file=${path},if=none,id=d0,format=qcow2${extra}`];

/** Starts a holder and waits until qemu-img info is refused (the lock is taken). */
async function hold(cmd: string, args: string[], image: string): Promise<ChildProcess> {
  const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (p.exitCode !== null) throw new Error(`${cmd} exited early: ${err}`);
    if (qemuImg(['info', image]).status !== 0) return p;
  }
  p.kill();
  throw new Error(`${cmd} did not take the image lock within 10 s`);
}

async function stop(p: ChildProcess): Promise<void> {
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await done;
}

const withProg = (s: string, prog: string): string => s.replace(/^qemu-system-x86_64:/, `${prog}:`);

test('the native addon provides OFD locks (locking=auto is active)', () => {
  const a = nativeAddon() as unknown as { ofdLock?: unknown } | undefined;
  assert.equal(typeof a?.ofdLock, 'function', 'native addon not built: run `node native/build.mjs --force`');
});

test('QEMU holds an image: tsqemu refuses it with QEMU\'s message; locking=off opens it', async () => {
  const { dir, cleanup } = tempDir();
  const img = join(dir, 'x.qcow2');
  assert.equal(qemuImg(['create', '-q', '-f', 'qcow2', img, '16M']).status, 0);
  const holder = await hold('qemu-system-x86_64', drive(img), img);
  try {
    for (const extra of ['', ',readonly=on']) {
      const want = run('qemu-system-x86_64', drive(img, extra));
      assert.notEqual(want.status, 0);
      const got = run(process.execPath, [TSQEMU, ...drive(img, extra)]);
      assert.equal(got.status, 1);
      assert.equal(got.stderr, withProg(want.stderr, 'tsqemu-system-x86_64'));
    }
    const flags = { readOnly: false, direct: false, noFlush: false, discardUnmap: false, noBacking: true };
    await assert.rejects(FileBDS.open(img, flags), (e: unknown) => e instanceof QemuError && e.message === 'Failed to get "write" lock');
    const f = await FileBDS.open(img, { ...flags, locking: 'off' });
    await f.close();
  } finally {
    await stop(holder);
    cleanup();
  }
});

test('tsqemu holds an image: qemu-img info and a second QEMU refuse it as when QEMU holds it', async () => {
  const { dir, cleanup } = tempDir();
  const img = join(dir, 'x.qcow2');
  assert.equal(qemuImg(['create', '-q', '-f', 'qcow2', img, '16M']).status, 0);
  const expected: string[] = [];
  const q = await hold('qemu-system-x86_64', drive(img), img);
  try {
    expected.push(qemuImg(['info', img]).stderr, run('qemu-system-x86_64', drive(img)).stderr);
  } finally {
    await stop(q);
  }
  const t = await hold(process.execPath, [TSQEMU, ...drive(img)], img);
  try {
    const info = qemuImg(['info', img]);
    assert.notEqual(info.status, 0);
    assert.equal(info.stderr, expected[0]);
    assert.match(info.stderr, /Failed to get shared "write" lock\nIs another process using the image/);
    const second = run('qemu-system-x86_64', drive(img));
    assert.equal(second.status, 1);
    assert.equal(second.stderr, expected[1]);
    // QEMU's own file.locking=off opens beside tsqemu (it does not even check).
    const off = run('timeout', ['2', 'qemu-system-x86_64', ...drive(img, ',file.locking=off')]);
    assert.equal(off.status, 124, off.stderr);
  } finally {
    await stop(t);
    cleanup();
  }
});
