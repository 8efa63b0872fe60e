/*
 * tsqemu-img against qemu-img 7.2, command by command: the same stdout, stderr (up to the
 * program name) and exit status on the same images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, copyFileSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { qemuImg, qemuIo, tsqemuImg, tempDir, normalize } from './helpers.js';

/** Runs the same command with both tools, in the same directory, on copies where it writes. */
function same(dir: string, args: string[], opts: { writes?: string } = {}): void {
  let qargs = args;
  let targs = args;
  if (opts.writes) {
    copyFileSync(join(dir, opts.writes), join(dir, 'q-' + opts.writes));
    copyFileSync(join(dir, opts.writes), join(dir, 't-' + opts.writes));
    qargs = args.map((a) => (a === opts.writes ? 'q-' + a : a));
    targs = args.map((a) => (a === opts.writes ? 't-' + a : a));
  }
  const q = qemuImg(qargs, dir);
  const t = tsqemuImg(targs, dir);
  const unprefix = (s: string): string => (opts.writes ? s.replace(/\b[qt]-/g, '') : s);
  assert.equal(normalize(unprefix(t.stdout)), unprefix(q.stdout), `stdout of ${args.join(' ')}`);
  assert.equal(normalize(unprefix(t.stderr)), unprefix(q.stderr), `stderr of ${args.join(' ')}`);
  assert.equal(t.status, q.status, `exit status of ${args.join(' ')}`);
}

test('create: same bytes and the same "Formatting" line as qemu-img', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: string[][] = [
      ['-f', 'qcow2', 'X', '1G'],
      ['-f', 'qcow2', '-o', 'compat=0.10', 'X', '100M'],
      ['-f', 'qcow2', '-o', 'cluster_size=512', 'X', '3M'],
      ['-f', 'qcow2', '-o', 'cluster_size=2097152,lazy_refcounts=on', 'X', '10G'],
      ['-f', 'qcow2', '-o', 'refcount_bits=64', 'X', '64M'],
      ['-f', 'qcow2', '-o', 'preallocation=metadata', 'X', '5M'],
      ['-f', 'raw', 'X', '1M'],
    ];
    for (const c of cases) {
      const q = qemuImg(['create', ...c.map((a) => (a === 'X' ? 'q.img' : a))], dir);
      const t = tsqemuImg(['create', ...c.map((a) => (a === 'X' ? 't.img' : a))], dir);
      assert.equal(q.status, 0, q.stderr);
      assert.equal(t.status, 0, t.stderr);
      assert.equal(t.stdout.replace("'t.img'", "'q.img'"), q.stdout);
      assert.ok(readFileSync(join(dir, 't.img')).equals(readFileSync(join(dir, 'q.img'))), `image bytes for ${c.join(' ')}`);
    }
    // Backing file: header with backing format extension and name.
    qemuImg(['create', '-q', '-f', 'qcow2', 'base.qcow2', '64M'], dir);
    const q = qemuImg(['create', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'q.img'], dir);
    const t = tsqemuImg(['create', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 't.img'], dir);
    assert.equal(t.stdout.replace("'t.img'", "'q.img'"), q.stdout);
    assert.ok(readFileSync(join(dir, 't.img')).equals(readFileSync(join(dir, 'q.img'))));
  } finally {
    cleanup();
  }
});

test('create errors: messages and exit codes', () => {
  const { dir, cleanup } = tempDir();
  try {
    same(dir, ['create', '-f', 'qcow2', '-o', 'cluster_size=100', 'z.qcow2', '1M']);
    same(dir, ['create', '-f', 'qcow2', '-o', 'compat=0.10,lazy_refcounts=on', 'z.qcow2', '1M']);
    same(dir, ['create', '-f', 'qcow2', 'n.qcow2']);
    same(dir, ['create', '-f', 'qcow2', 'n.qcow2', '1Q']);
    same(dir, ['create', '-f', 'qcow2', '-b', 'nonexist', '-F', 'qcow2', 'x.qcow2', '1M']);
    same(dir, ['create', '-f', 'foo', 'x.img', '1M']);
    same(dir, ['create', '-f', 'qcow2', '-o', 'bogus=1', 'x.img', '1M']);
  } finally {
    cleanup();
  }
});

test('generic errors: no command, unknown command, bad option, missing file', () => {
  const { dir, cleanup } = tempDir();
  try {
    same(dir, []);
    same(dir, ['foo']);
    same(dir, ['info', '-z', 'x']);
    same(dir, ['info', '-f']);
    same(dir, ['info', 'nonexist.qcow2']);
    same(dir, ['check', 'nonexist.qcow2']);
  } finally {
    cleanup();
  }
});

function buildImages(dir: string): void {
  qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', 'b.qcow2', '64M'], dir);
  qemuIo(['-c', 'write -P 0xab 0 100k', '-c', 'write -z 200k 8k', '-c', 'write -P 3 1M 64k', 'b.qcow2'], dir);
  qemuImg(['snapshot', '-c', 's1', 'b.qcow2'], dir);
  qemuImg(['create', '-q', '-f', 'qcow2', '-b', 'b.qcow2', '-F', 'qcow2', 'o.qcow2'], dir);
  qemuIo(['-c', 'write -P 0x11 64k 64k', 'o.qcow2'], dir);
  qemuImg(['create', '-q', '-f', 'raw', 'r.raw', '64M'], dir);
  qemuImg(['convert', '-c', '-O', 'qcow2', 'b.qcow2', 'c.qcow2'], dir);
  qemuImg(['create', '-q', '-f', 'qcow2', '-o', 'compat=0.10', 'v2.qcow2', '1M'], dir);
}

test('info: human and JSON, with snapshots, backing files, raw, v2, --backing-chain', () => {
  const { dir, cleanup } = tempDir();
  try {
    buildImages(dir);
    for (const img of ['b.qcow2', 'o.qcow2', 'r.raw', 'c.qcow2', 'v2.qcow2', join(dir, 'o.qcow2')]) {
      same(dir, ['info', img]);
      same(dir, ['info', '--output=json', img]);
    }
    same(dir, ['info', '--backing-chain', 'o.qcow2']);
    same(dir, ['info', '--backing-chain', '--output=json', 'o.qcow2']);
    same(dir, ['info', '--output=xml', 'o.qcow2']);
    same(dir, ['snapshot', '-l', 'b.qcow2']);
    same(dir, ['snapshot', '-l', 'o.qcow2']);
  } finally {
    cleanup();
  }
});

test('map: human and JSON through a backing chain; compressed clusters refuse the human form', () => {
  const { dir, cleanup } = tempDir();
  try {
    buildImages(dir);
    // Raw files are left out: QEMU maps their holes with SEEK_DATA, which Node cannot call.
    for (const img of ['b.qcow2', 'o.qcow2', 'c.qcow2']) {
      same(dir, ['map', '--output=json', img]);
    }
    same(dir, ['map', 'b.qcow2']);
    same(dir, ['map', 'o.qcow2']);
    same(dir, ['map', 'c.qcow2']);
  } finally {
    cleanup();
  }
});

test('compare: identical, content mismatch, size mismatch, strict mode', () => {
  const { dir, cleanup } = tempDir();
  try {
    buildImages(dir);
    qemuImg(['convert', '-O', 'raw', 'o.qcow2', 'o.raw'], dir);
    qemuImg(['create', '-q', '-f', 'qcow2', 'big.qcow2', '128M'], dir);
    qemuIo(['-c', 'write -P 1 70M 1k', 'big.qcow2'], dir);
    qemuImg(['create', '-q', '-f', 'raw', 's1.raw', '1M'], dir);
    qemuImg(['create', '-q', '-f', 'raw', 's2.raw', '2M'], dir);
    same(dir, ['compare', 'o.qcow2', 'o.raw']);
    same(dir, ['compare', 'b.qcow2', 'o.qcow2']);
    same(dir, ['compare', 'c.qcow2', 'b.qcow2']);
    same(dir, ['compare', 'r.raw', 'big.qcow2']);
    same(dir, ['compare', 's1.raw', 's2.raw']);
    same(dir, ['compare', '-s', 's1.raw', 's2.raw']);
    same(dir, ['compare', '-f', 'raw', 'b.qcow2', 'r.raw']);
    same(dir, ['compare', 'o.qcow2', 'nonexist']);
    same(dir, ['compare', 'o.qcow2']);
  } finally {
    cleanup();
  }
});

test('check: clean, leaked, corrupted, JSON, -r leaks, -r all, raw', () => {
  const { dir, cleanup } = tempDir();
  try {
    buildImages(dir);
    same(dir, ['check', 'b.qcow2']);
    same(dir, ['check', 'c.qcow2']);
    same(dir, ['check', '--output=json', 'b.qcow2']);
    same(dir, ['check', 'r.raw']);
    same(dir, ['check', '-r', 'bogus', 'b.qcow2']);
    // A leak: refcount 1 on cluster 7, which nothing references.
    qemuImg(['create', '-q', '-f', 'qcow2', 'lk.qcow2', '64M'], dir);
    qemuIo(['-c', 'write 0 128k', 'lk.qcow2'], dir);
    const setRefcount = (file: string, cluster: number, v: number): void => {
      const fd = openSync(join(dir, file), 'r+');
      writeSync(fd, Buffer.from([v >> 8, v & 255]), 0, 2, 0x20000 + 2 * cluster);
      closeSync(fd);
    };
    const fd = openSync(join(dir, 'lk.qcow2'), 'r+');
    ftruncateSync(fd, 524288);
    closeSync(fd);
    setRefcount('lk.qcow2', 7, 1);
    same(dir, ['check', 'lk.qcow2']);
    same(dir, ['check', '--output=json', 'lk.qcow2']);
    same(dir, ['check', '-r', 'leaks', 'lk.qcow2'], { writes: 'lk.qcow2' });
    // Corruption: a referenced L2 table with refcount 2 (and the leak).
    copyFileSync(join(dir, 'lk.qcow2'), join(dir, 'bad.qcow2'));
    setRefcount('bad.qcow2', 4, 2);
    same(dir, ['check', 'bad.qcow2']);
    same(dir, ['check', '--output=json', 'bad.qcow2']);
    same(dir, ['check', '-r', 'all', 'bad.qcow2'], { writes: 'bad.qcow2' });
  } finally {
    cleanup();
  }
});

test('resize, snapshot and rebase/commit errors match', () => {
  const { dir, cleanup } = tempDir();
  try {
    buildImages(dir);
    qemuImg(['create', '-q', '-f', 'qcow2', 'rs.qcow2', '1M'], dir);
    same(dir, ['resize', 'rs.qcow2', '+1M'], { writes: 'rs.qcow2' });
    same(dir, ['resize', 'rs.qcow2', '512K'], { writes: 'rs.qcow2' });
    same(dir, ['resize', '--shrink', 'rs.qcow2', '512K'], { writes: 'rs.qcow2' });
    same(dir, ['resize', 'rs.qcow2', 'abc'], { writes: 'rs.qcow2' });
    same(dir, ['resize', 'rs.qcow2', '--', '-1M'], { writes: 'rs.qcow2' });
    same(dir, ['snapshot', '-a', 'nosuch', 'b.qcow2'], { writes: 'b.qcow2' });
    same(dir, ['snapshot', '-d', 'nosuch', 'b.qcow2'], { writes: 'b.qcow2' });
    same(dir, ['snapshot', '-c', 'x', 'r.raw'], { writes: 'r.raw' });
    same(dir, ['commit', 'b.qcow2'], { writes: 'b.qcow2' });
    same(dir, ['resize', 'rs.qcow2']);
    same(dir, ['snapshot', 'b.qcow2']);
    same(dir, ['convert', '-O', 'foo', 'b.qcow2', 'x1']);
    same(dir, ['convert', 'b.qcow2']);
    same(dir, ['convert', '-c', '-O', 'raw', 'b.qcow2', 'x2']);
    same(dir, ['convert', '-O', 'qcow2', '-o', 'cluster_size=3', 'b.qcow2', 'x3']);
    same(dir, ['rebase', '-b', 'r.raw', 'o.qcow2'], { writes: 'o.qcow2' });
  } finally {
    cleanup();
  }
});
