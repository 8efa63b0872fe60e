/*
 * Paging on bare metal (issue 5, part 2): each progs/mmu-*.asm program enables a paging mode,
 * makes accesses and deliberate page faults, and prints results (values read through the
 * mappings, page-table entries with their accessed/dirty bits, #PF vector/error code/EIP/CR2).
 * QEMU 7.2 TCG is the oracle: our output and exit status must equal its.  Each test also checks
 * a few lines of QEMU's output so it cannot pass on two equally broken runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

async function same(name: string, status: number, expect: string[]): Promise<void> {
  const { qemu, ours } = await runBoth(name);
  assert.equal(qemu.status, (status << 1) | 1, `QEMU ran ${name} to its end:\n${qemu.output}`);
  for (const line of expect) assert.ok(qemu.output.includes(line), `QEMU's output has "${line}":\n${qemu.output}`);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
}

test('32-bit paging: 4 KiB/4 MiB pages, A/D, WP, reserved bit, INVLPG, crossing accesses, aliased code', async () => {
  await same('mmu-paging32', 5, [
    'pte0 after write=00840063', 'read 4m=bbbb0002', 'err=00000003 eip=', 'err=00000008 eip=',
    'after invlpg=cccc0003', 'crossing store=11223344', 'eip=40007ffd cr2=40008000', 'code after patch=00000002',
  ]);
});

test('PAE paging: PDPTEs, 2 MiB pages, NX, reserved bits, WP', async () => {
  await same('mmu-pae', 6, ['pdpte1=00000000_00802021', 'err=00000011 eip=40001000', 'executed', 'err=0000000a']);
});
