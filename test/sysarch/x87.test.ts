/*
 * The x87 faults (fpu-exec.ts, fpu-xsave.ts) against QEMU 7.2 TCG: progs/x87-*.asm runs under
 * QEMU and under our software CPU; the debug-console output and exit status must match.  The
 * test also checks some of QEMU's lines, so a program that printed nothing could not pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

test('#NM (CR0.EM/TS/MP), #MF at FWAIT/FNOP with CR0.NE=1, state-instruction faults as QEMU 7.2', async () => {
  const { qemu, ours } = await runBoth('x87-fault');
  for (const line of ['CR0.EM: x87 #NM, FWAIT runs\n#00000007', 'fadd done\n#00000010', 'sw pending=']) {
    assert.ok(qemu.output.includes(line), `QEMU's output lacks ${JSON.stringify(line)}:\n${qemu.output}`);
  }
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
});
