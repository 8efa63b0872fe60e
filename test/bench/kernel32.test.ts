/*
 * The benchmark's 32-bit kernel computes the same thing in our CPU as on the host CPU (the oracle):
 * checksum (EAX/EDX), LCG state (EBP) and the sorted array, so that `npm run bench` compares equal
 * work.  Also checks the exact instruction count's linearity in the pass count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKernel32Tcg, countKernel32 } from '../../bench/kernel32.js';
import { runKernel32Native } from '../../bench/native.js';

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
