/*
 * The SSE/MMX state checks (sse-exec.ts) against QEMU 7.2 TCG: progs/sse-*.asm run under QEMU
 * and under our software CPU; the debug-console output and exit status must match line for
 * line, and QEMU's output must show the expected faults (so an empty run cannot pass).
 * Setting CR4.OSFXSR needs the fxsr feature (FEAT_1_EDX bit 24), which comes with FXSAVE/FXRSTOR
 * from the x87 work: until then MOV to CR4 faults here and this test fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

test('SSE/MMX with CR4.OSFXSR, CR0.TS, CR0.EM and misaligned operands as QEMU 7.2', async () => {
  const { qemu, ours } = await runBoth('sse-state');
  for (const line of ['cr4.osfxsr=0\n', 'pxor mm\n ran\n', 'cr0.ts=1\n', 'movups misaligned\n ran\n']) {
    assert.ok(qemu.output.includes(line), `QEMU's output lacks ${JSON.stringify(line)}:\n${qemu.output}`);
  }
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
});
