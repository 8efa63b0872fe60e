/*
 * System tables at high canonical (kernel-half) bases in long mode, against QEMU 7.2 TCG:
 * progs/sys-highbase64.asm loads a GDT, IDT, 64-bit TSS (at 0xfffffe0000003008) and an LDT
 * (at 0xfffffe0000004010) there, then takes #PF, INT n, IST and #GP deliveries from CPL 3 and
 * loads LDT segments.  A 64-bit system-descriptor base built from an unsigned upper dword is
 * >= 2^63 as a double and inexact (Linux triple-faulted on its first user-mode exception): the
 * LDT loads then fail and exceptions from CPL 3 land on a wrong stack.  Our output and exit
 * status must equal QEMU's; the listed lines (taken from QEMU's output) make sure QEMU ran
 * every part, so two equally broken runs cannot pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

test('long mode: GDT/IDT/TSS/LDT at 0xfffffe00_0000xxxx, RSP0 and IST stacks from CPL 3, LDT segments, as QEMU 7.2', async () => {
  const { qemu, ours } = await runBoth('sys-highbase64');
  assert.equal(qemu.status, (11 << 1) | 1, `QEMU ran the program to its end:\n${qemu.output}`);
  for (const line of [
    'gdt.base=fffffe0000001000\nidt.base=fffffe0000002000\n', 'tss desc+4=0000000000008b00\n', 'lsl 04=000000000000cccc\n',
    'fs.base=0000000000823000\ngs.base=0000000000822000\nfs:0=000000001d700001\ngs:0=000000001d700000\n',
    'ldt0+4=0000000000409382\nldt1+4=000000000040f382\n',
    'cpl0 ud2\n#UD\nrsp=fffffe0000008fd8\n',
    'user read 0x40000000\n#PF\nrsp=fffffe0000006fd0\nerr=0000000000000004\n', 'cr2=0000000040000000\n',
    'user read TSS page\n#PF\nrsp=fffffe0000006fd0\nerr=0000000000000005\n', 'cr2=fffffe0000003008\n',
    'user int 0x80\nint 0x80\nrsp=fffffe0000006fd8\n', 'rax=000000000005ca11\n',
    'user ud2\n#UD\nrsp=fffffe0000008fd8\n', 'user int3\n#BP\nrsp=fffffe000000afd8\n',
    'user int 0x81\n#GP\nrsp=fffffe0000006fd0\nerr=0000000000000812\n',
    'user lsl 0f=000000000000dddd\nuser fs:0=000000001d700001\n#GP\nrsp=fffffe0000006fd0\nerr=0000000000000004\n',
    'handled=000000000000000b\nfaults=0000000000000000\n',
  ]) assert.ok(qemu.output.includes(line), `QEMU's output has ${JSON.stringify(line)}:\n${qemu.output}`);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
});
