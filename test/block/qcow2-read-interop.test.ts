/*
 * Images qemu-img and qemu-io create and write (plain, compressed, snapshotted, backed,
 * v2, small and large clusters) read identically through tsqemu: our raw export is
 * compared with qemu-img's own raw export, byte for byte and with `qemu-img compare`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bdrvOpen } from '../../src/block/block.js';
import { qemuImg, qemuIo, tsqemuImg, tempDir } from './helpers.js';

function mustQemuImg(args: string[], cwd: string): void {
  const r = qemuImg(args, cwd);
  assert.equal(r.status, 0, `qemu-img ${args.join(' ')}: ${r.stderr}`);
}

/** qemu-io commands that leave a varied image: data, zeros, discards, overwrites. */
function pattern(base: number, sizeMiB: number): string[] {
  const c: string[] = [];
  for (let i = 0; i < 12; i++) {
    const off = ((i * 7919 + base * 131) % (sizeMiB * 1024 - 300)) * 1024 + ((i * 512) % 4096);
    c.push('-c', `write -P ${(base + i * 17) & 255} ${off} ${(i + 1) * 13 * 512}`);
  }
  c.push('-c', `write -z ${Math.floor(sizeMiB / 3)}M 128k`, '-c', `discard ${Math.floor(sizeMiB / 2)}M 64k`);
  c.push('-c', `write -P ${base} 0 65536`, '-c', `write -P ${base + 1} 4096 1000`);
  return c;
}

async function ourExport(path: string): Promise<Buffer> {
  const { bs } = await bdrvOpen(path, undefined, { readOnly: true, direct: false, noFlush: false, discardUnmap: false, noBacking: false });
  try {
    const buf = new Uint8Array(bs.getLength());
    await bs.read(0, buf);
    return Buffer.from(buf);
  } finally {
    await bs.close();
  }
}

function assertSameAsQemu(dir: string, image: string, ours: Buffer): void {
  mustQemuImg(['convert', '-O', 'raw', image, 'qemu.raw'], dir);
  assert.ok(readFileSync(join(dir, 'qemu.raw')).equals(ours), `${image}: tsqemu read differs from qemu-img's`);
  const t = tsqemuImg(['convert', '-O', 'raw', image, 'ours.raw'], dir);
  assert.equal(t.status, 0, t.stderr);
  const cmp = qemuImg(['compare', '-f', 'raw', '-F', 'raw', 'qemu.raw', 'ours.raw'], dir);
  assert.equal(cmp.stdout, 'Images are identical.\n');
}

const PLAIN: Array<[string, string[], number]> = [
  ['v3 64k', ['-o', 'cluster_size=65536'], 32],
  ['v3 512', ['-o', 'cluster_size=512'], 4],
  ['v3 2M', ['-o', 'cluster_size=2M'], 32],
  ['v2 4k', ['-o', 'compat=0.10,cluster_size=4096'], 16],
  ['v3 refcount_bits=1', ['-o', 'refcount_bits=1,cluster_size=4096'], 8],
  ['v3 lazy refcounts', ['-o', 'lazy_refcounts=on'], 16],
];

for (const [name, opts, mib] of PLAIN) {
  test(`qemu-written qcow2 reads identically: ${name}`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      mustQemuImg(['create', '-q', '-f', 'qcow2', ...opts, 'a.qcow2', `${mib}M`], dir);
      qemuIo(['-f', 'qcow2', ...pattern(mib, mib), 'a.qcow2'], dir);
      assertSameAsQemu(dir, 'a.qcow2', await ourExport(join(dir, 'a.qcow2')));
    } finally {
      cleanup();
    }
  });
}

test('qemu-img convert -c (compressed clusters, 4k and 64k) reads identically', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mustQemuImg(['create', '-q', '-f', 'qcow2', 'src.qcow2', '16M'], dir);
    qemuIo(['-f', 'qcow2', ...pattern(3, 16), 'src.qcow2'], dir);
    for (const cs of ['4096', '65536']) {
      mustQemuImg(['convert', '-c', '-O', 'qcow2', '-o', `cluster_size=${cs}`, 'src.qcow2', `c${cs}.qcow2`], dir);
      const map = qemuImg(['check', `c${cs}.qcow2`], dir);
      assert.match(map.stdout, /[1-9][0-9.]*% compressed clusters/, 'the oracle did compress');
      assertSameAsQemu(dir, `c${cs}.qcow2`, await ourExport(join(dir, `c${cs}.qcow2`)));
    }
  } finally {
    cleanup();
  }
});

test('qemu snapshots: active image and each snapshot read identically', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mustQemuImg(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', 's.qcow2', '8M'], dir);
    qemuIo(['-f', 'qcow2', '-c', 'write -P 1 0 1M', 's.qcow2'], dir);
    mustQemuImg(['snapshot', '-c', 'one', 's.qcow2'], dir);
    qemuIo(['-f', 'qcow2', '-c', 'write -P 2 512k 1M', '-c', 'write -z 100k 8k', 's.qcow2'], dir);
    mustQemuImg(['snapshot', '-c', 'two', 's.qcow2'], dir);
    qemuIo(['-f', 'qcow2', '-c', 'write -P 3 3M 64k', '-c', 'discard 0 64k', 's.qcow2'], dir);
    assertSameAsQemu(dir, 's.qcow2', await ourExport(join(dir, 's.qcow2')));
    // Our snapshot apply of each snapshot equals qemu-img's view of that snapshot.
    for (const sn of ['one', 'two']) {
      mustQemuImg(['convert', '-O', 'raw', '-l', `snapshot.name=${sn}`, 's.qcow2', `${sn}.raw`], dir);
      mustQemuImg(['convert', '-O', 'qcow2', 's.qcow2', `copy-${sn}.qcow2`], dir);
    }
    const a = tsqemuImg(['snapshot', '-a', 'one', 's.qcow2'], dir);
    assert.equal(a.status, 0, a.stderr);
    assert.ok(readFileSync(join(dir, 'one.raw')).equals(await ourExport(join(dir, 's.qcow2'))));
    const chk = qemuImg(['check', 's.qcow2'], dir);
    assert.equal(chk.status, 0, chk.stdout + chk.stderr);
  } finally {
    cleanup();
  }
});

test('a backing chain of depth 3 with backing_fmt reads identically', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mustQemuImg(['create', '-q', '-f', 'raw', 'base.raw', '8M'], dir);
    qemuIo(['-f', 'raw', '-c', 'write -P 9 0 8M', 'base.raw'], dir);
    mustQemuImg(['create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', '-o', 'cluster_size=4096', 'l1.qcow2'], dir);
    qemuIo(['-f', 'qcow2', ...pattern(5, 8), 'l1.qcow2'], dir);
    mustQemuImg(['create', '-q', '-f', 'qcow2', '-b', 'l1.qcow2', '-F', 'qcow2', '-o', 'compat=0.10', 'l2.qcow2', '12M'], dir);
    qemuIo(['-f', 'qcow2', ...pattern(6, 12), 'l2.qcow2'], dir);
    mustQemuImg(['create', '-q', '-f', 'qcow2', '-b', 'l2.qcow2', '-F', 'qcow2', 'l3.qcow2'], dir);
    qemuIo(['-f', 'qcow2', '-c', 'write -P 77 10M 100k', '-c', 'write -z 0 4096', 'l3.qcow2'], dir);
    assertSameAsQemu(dir, 'l3.qcow2', await ourExport(join(dir, 'l3.qcow2')));
  } finally {
    cleanup();
  }
});

test('tsqemu-img convert -c and -O qcow2 produce images qemu-img checks clean and reads identically', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mustQemuImg(['create', '-q', '-f', 'qcow2', '-o', 'cluster_size=4096', 'src.qcow2', '16M'], dir);
    qemuIo(['-f', 'qcow2', ...pattern(4, 16), 'src.qcow2'], dir);
    mustQemuImg(['convert', '-O', 'raw', 'src.qcow2', 'want.raw'], dir);
    for (const [name, args] of [
      ['c64k.qcow2', ['-c']], ['c4k.qcow2', ['-c', '-o', 'cluster_size=4096']], ['plain.qcow2', []],
      ['v2.qcow2', ['-o', 'compat=0.10,cluster_size=512']],
    ] as Array<[string, string[]]>) {
      const t = tsqemuImg(['convert', ...args, '-O', 'qcow2', 'src.qcow2', name], dir);
      assert.equal(t.status, 0, t.stderr);
      const chk = qemuImg(['check', name], dir);
      assert.equal(chk.status, 0, chk.stdout + chk.stderr);
      if (args[0] === '-c') assert.match(chk.stdout, / 100\.00% compressed clusters/, `${name} is compressed`);
      const cmp = qemuImg(['compare', name, 'want.raw'], dir);
      assert.equal(cmp.stdout, 'Images are identical.\n', name);
    }
  } finally {
    cleanup();
  }
});
