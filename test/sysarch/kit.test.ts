/* The bare-metal kit itself against QEMU 7.2: output and exit status. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

test('hello: the kit prints and exits with code 3, as under QEMU 7.2', async () => {
  const { qemu, ours } = await runBoth('hello');
  assert.equal(qemu.output, 'hello from protected mode\ncr0.pe=00000001\nfaults=00000000\n');
  assert.equal(qemu.status, 7);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
});
