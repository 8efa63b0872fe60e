/*
 * The benchmark's kernels (bench/cpu-kernels.ts: memcpy, hash, SSE2 memcpy, SSE2 strlen, SSE2
 * dot product, SSE2 FFT) compute in our CPU what they compute on the host CPU (the oracle; for the dot
 * product the bits of a double), their bytes are those of the nasm sources (bench/<name>32.asm),
 * and the architectural instruction count is linear in
 * the pass count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CPU_KERNELS, countKernel } from '../../bench/cpu-kernels.js';
import { runTcg32 } from '../../bench/kernel32.js';
import { runNative32 } from '../../bench/native.js';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench');

for (const k of CPU_KERNELS) {
  test(`bench kernel ${k.name}: bench/${k.name}32.asm assembles (nasm) to the bytes the benchmark runs`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsqemu-kbench-'));
    try {
      const out = join(dir, 'k.bin');
      const r = spawnSync('nasm', ['-f', 'bin', '-o', out, join(BENCH, `${k.name}32.asm`)], { encoding: 'utf8' });
      if (r.error) throw new Error(`nasm is required: ${r.error.message}`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readFileSync(out).toString('hex'), k.code.toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`bench kernel ${k.name}: our CPU computes what the host CPU computes`, () => {
    for (const passes of [1, 3]) {
      const ours = runTcg32(k.code, k.data, passes, 0);
      const host = runNative32(k.code, k.data(passes));
      assert.deepEqual([ours.eax, ours.edx, ours.ebp], [host.eax, host.edx, host.ebp], `${passes} passes`);
      assert.deepEqual(Buffer.from(ours.sorted), Buffer.from(host.sorted));
    }
    const c = countKernel(k);
    assert.ok(c.perPass > 0 && c.fixed > 0, JSON.stringify(c));
  });
}
