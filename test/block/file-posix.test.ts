/*
 * The file protocol with cache.direct=on (O_DIRECT): many concurrent unaligned writes that
 * share 4 KiB blocks must all land (no lost read-modify-write), as plain buffered I/O does.
 * The oracle is the host file itself, read back with fs after the driver closed it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileBDS } from '../../src/block/file-posix.js';
import { tempDir } from './helpers.js';

for (const direct of [true, false]) {
  test(`file protocol, direct=${direct}: concurrent unaligned writes sharing blocks, growing the file`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'd.img');
      writeFileSync(path, Buffer.alloc(1 << 20));
      const f = await FileBDS.open(path, { readOnly: false, direct, noFlush: false, discardUnmap: false, noBacking: true });
      const model = Buffer.alloc(3 << 20);
      const reqs: Array<Promise<void>> = [];
      let end = 1 << 20;
      for (let i = 0; i < 400; i++) {
        // Disjoint ranges (a permutation of slots) whose edges share 4 KiB blocks.
        const off = ((i * 7) % 400) * 7000 + (i % 5) * 10;
        const b = Buffer.alloc(6000 + (i % 7) * 100, 1 + (i % 255));
        b.copy(model, off);
        end = Math.max(end, off + b.length);
        reqs.push(f.write(off, b));
      }
      await Promise.all(reqs);
      const back = new Uint8Array(f.getLength());
      await f.read(0, back);
      await f.flush();
      await f.close();
      const disk = readFileSync(path);
      assert.equal(disk.length, end, 'the file ends where the last write ends');
      assert.ok(disk.equals(Buffer.from(back)), 'reads through the driver match the file');
      assert.ok(disk.equals(model.subarray(0, disk.length)), 'every write landed');
    } finally {
      cleanup();
    }
  });
}
