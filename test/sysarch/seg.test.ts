/*
 * Segmentation, protection, exception delivery and task switches: each progs/seg-*.asm runs
 * under QEMU 7.2 and tsqemu; the debug-console output and exit status must be identical.
 * QEMU's output is sanity-checked first (it must contain lines that show the case ran), so a
 * test cannot pass with both sides printing nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth } from './harness.js';

async function same(name: string, qemuMust: string[], status: number): Promise<void> {
  const { qemu, ours } = await runBoth(name);
  for (const line of qemuMust) assert.ok(qemu.output.includes(line), `QEMU output of ${name} lacks ${JSON.stringify(line)}:\n${qemu.output}`);
  assert.equal(qemu.status, status, `QEMU status of ${name}:\n${qemu.output}`);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
}

test('seg-fault: CPL-0 exceptions, interrupt/trap/16-bit gates, gate and segment-load checks', async () => {
  await same('seg-fault', [
    '#0000000d err=00000108', '#0000000b err=00000058', '#0000000c err=00000058', 'handler.eflags=00000046',
    'frame16.size=00000006', '#0000000d err=00000102', 'faults=00000012',
  ], 1);
});

test('seg-ring3: IRET to CPL 3, stack switch through the TSS, call gate, I/O bitmap, conforming code', async () => {
  await same('seg-ring3', [
    'frame.ss=0000003b', 'handler.esp.ok=00000001', '#0000000d err=0000040a', 'gate.p0=22222222',
    'conf.cs=00000073', 'faults=00000007',
  ], 1);
});

test('seg-desc: LAR/LSL/VERR/VERW at CPL 0 and 3, LLDT/SLDT/STR, LDT loads, accessed bit, ARPL', async () => {
  await same('seg-desc', ['sldt=00000078', 'after=00000093', '00000040 lar=00008b00/1 lsl=000000e8/1 r0 w0', 'cpl 3'], 1);
});

test('seg-task: CALL/JMP/INT/#GP task switches, back link, busy bits, NT, IRET to the previous task', async () => {
  await same('seg-task', ['backlink=00000040', 'type.b=00000009', 'tss16.ax=0000120a', 'c.error=00000108', 'back in a after #gp'], 1);
});

test('seg-df: contributory/benign combinations, #DF, and a triple fault (QEMU -no-reboot exits 0)', async () => {
  await same('seg-df', ['#00000008 err=00000000', '#0000000b err=00000032', 'triple fault'], 0);
});

test('seg-v86: virtual-8086 entry, INT to ring 0 with the V86 frame, IOPL-sensitive instructions', async () => {
  await same('seg-v86', ['f.gs=00002222', 'h.ds=00000000', 'gp.err=00000192', 'v86 hlt'], 1);
});

test('seg-pf: delivery through supervisor-only tables and stacks from CPL 3, #PF+#PF -> #DF through a task gate', async () => {
  await same('seg-pf', ['frame.cs=00000033', '#0000000e err=00000005', 'cr2=02fffffc', 'backlink=00000040', 'a.eip.ok=00000001'], 1);
});

test('seg-gate16: 16-bit call gate with word parameters, 16-bit RETF and IRET to the outer level', async () => {
  await same('seg-gate16', ['g.p0=00002222', 'g.p1=00001111', 'g.sp.ok=00000001', 'g.mycs=00000060', 'f.esp=00007000'], 1);
});

test('seg-long: 64-bit gates, IST, INT from CPL 3 with RSP0 and a null SS, IRETQ to CPL 3, 64-bit #GP codes', async () => {
  await same('seg-long', [
    'int 0x83 (ist1)\nh.rsp=00000000_0092ffd8', 'int 0x80 at cpl 3\nh.rsp=00000000_0091ffd8\nh.ss=00000000_00000000',
    'r3.cs=00000000_00000053', 'err1=00000000_00000108', 'err2=00000000_00000812',
  ], 1);
});
