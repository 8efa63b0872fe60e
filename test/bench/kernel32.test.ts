/*
 * The benchmark's 32-bit kernel computes the same thing in our CPU as on the host CPU (the oracle):
 * checksum (EAX/EDX), LCG state (EBP) and the sorted array, so that `npm run bench` compares equal
 * work.  Also checks that the bytes are those of the nasm source (bench/kernel32.asm), and that
 * the exact instruction count is linear in the pass count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKernel32Tcg, countKernel32, KERNEL32 } from '../../bench/kernel32.js';
import { runKernel32Native } from '../../bench/native.js';

/* Compiled to dist/test/bench/; the source stays in bench/. */
const ASM = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'kernel32.asm');

test('32-bit bench kernel: bench/kernel32.asm assembles (nasm) to the bytes the benchmark runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-bench-test-'));
  try {
    const out = join(dir, 'kernel32.bin');
    const r = spawnSync('nasm', ['-f', 'bin', '-o', out, ASM], { encoding: 'utf8' });
    assert.ifError(r.error);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(out), KERNEL32);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('32-bit bench kernel: our CPU computes what the host CPU computes', () => {
  const native = runKernel32Native(1);
  const ours = runKernel32Tcg(1, 0);
  assert.equal(ours.eax, native.eax, 'checksum EAX');
  assert.equal(ours.edx, native.edx, 'checksum EDX');
  assert.equal(ours.ebp, native.ebp, 'LCG state EBP');
  assert.deepEqual(Buffer.from(ours.sorted), Buffer.from(native.sorted), 'sorted array');
  // The sort really sorted (unsigned ascending), so the comparison above is not of two zero arrays.
  const dv = new DataView(ours.sorted.buffer, ours.sorted.byteOffset, ours.sorted.byteLength);
  for (let i = 1; i < 256; i++) assert.ok(dv.getUint32(4 * (i - 1), true) <= dv.getUint32(4 * i, true));
  assert.notEqual(dv.getUint32(0, true), dv.getUint32(1020, true));
});

test('32-bit bench kernel: the instruction count is fixed + perPass * passes', () => {
  const c = countKernel32();
  // From the listing in bench/kernel32.ts: the last `sub; jb` and `mov; mov` before the exit, plus hlt.
  assert.equal(c.fixed, 5);
  assert.ok(c.perPass > 5_000_000, `perPass ${c.perPass}`);
  assert.equal(runKernel32Tcg(3, 0).instructions, c.fixed + 3 * c.perPass);
});
