/*
 * The system instructions (misc-helper.ts, msr.ts, breakpoint.ts) against QEMU 7.2 TCG: each
 * progs/sys-*.asm program runs under QEMU (-cpu qemu64, the default) and under our software CPU,
 * and the debug-console output and exit status must match line for line.  Each test also checks
 * a few of QEMU's lines, so a program that printed nothing could not pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

async function same(name: string, mustContain: string[], qemuArgs: string[] = []): Promise<string> {
  const { qemu, ours } = await runBoth(name, qemuArgs);
  for (const line of mustContain) assert.ok(qemu.output.includes(line), `QEMU's output lacks ${JSON.stringify(line)}:\n${qemu.output}`);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
  return qemu.output;
}

test('SGDT/SIDT/LGDT/LIDT, SMSW/LMSW/CLTS, CR0-CR4, DR0-DR7 as QEMU 7.2', async () => {
  await same('sys-dt', ['gdt.base-gdt=00000000\n', 'o16 sidt base=00345678\n', 'dr6=ffff0ff0\n', 'faults=00000000\n']);
});

test('RDMSR/WRMSR of the implemented and of unknown MSRs as QEMU 7.2', async () => {
  await same('sys-msr', ['msr 0000001b=00000000_fee00900\n', 'msr 00000179=00000000_0100010a\n', 'msr 00012345=00000000_00000000\n',
    'msr 00000174=00000000_00005678\n', 'fs:0=600dcafe\n', 'faults=00000000\n']);
});
