/*
 * The system instructions (misc-helper.ts, msr.ts, breakpoint.ts) against QEMU 7.2 TCG: each
 * progs/sys-*.asm program runs under QEMU (-cpu qemu64, the default) and under our software CPU,
 * and the debug-console output and exit status must match line for line.  Each test also checks
 * a few of QEMU's lines, so a program that printed nothing could not pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBoth, buildProgram, runOnTsqemu, type RunResult } from './harness.js';
import { rmSync } from 'node:fs';

/** Runs progs/NAME.asm on our CPU only. */
async function runOne(name: string): Promise<{ ours: RunResult }> {
  const { elf, dir } = buildProgram(name);
  try {
    return { ours: await runOnTsqemu(elf) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

test('SYSENTER/SYSEXIT and legacy SYSCALL/SYSRET between CPL 0 and CPL 3 as QEMU 7.2', async () => {
  await same('sys-user', ['CPL 3 after SYSEXIT\ncs=00000033\nss=0000003b\n', 'CPL 0 after SYSENTER\ncs=00000020\nss=00000028\n',
    'CPL 3 after SYSRET\ncs=00000033\n', 'CPL 0 after SYSCALL\ncs=00000008\n', 'faults=00000000\n']);
});

test('RDTSCP, MONITOR, RDRAND/RDSEED, RDPID, RDPMC on -cpu qemu64,+monitor,+rdtscp,+rdrand as QEMU 7.2', async () => {
  await same('sys-feat', ['rdtscp ecx=5a5aa5a5\n', 'monitor ok\n', 'rdrand cf=00000001\n', 'faults=00000003\n'],
    ['-cpu', 'qemu64,+monitor,+rdtscp,+rdrand']);
});

test('the system instructions at CPL 3: #GP for the privileged ones, as QEMU 7.2', async () => {
  await same('sys-ring3', ['cs=00000033\n', 'rdmsr\n#0000000d err=00000000', 'sgdt base-gdt=00000000\n', 'faults=00000012\n']);
});

/*
 * Where QEMU 7.2's TCG does not follow the SDM it cannot be the oracle: it stores reserved CR0
 * bits and PG without PE (then crashes on the page walk), hangs on reserved CR4 bits (an SVM
 * exit outside a guest), masks reserved EFER bits, accepts reserved PAT types and non-canonical
 * MSR addresses, and ignores DR7.GD.  These cases follow the SDM (Vol. 3 §2.5, §4.1.3, §11.12.2,
 * §17.2.4, Vol. 4 for the MSRs): each fault the program expects must be reported at the address
 * it printed, and the registers must be unchanged.
 */
test('SDM #GP and #DB rules where QEMU 7.2 is lax (CR0, CR4, EFER, PAT, canonical MSRs, DR7.GD)', async () => {
  const { ours } = await runOne('sys-sdm');
  const lines = ours.output.split('\n');
  let expects = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^expect #([0-9a-f]{8}) at=([0-9a-f]{8})$/.exec(lines[i]);
    if (!m) continue;
    expects++;
    assert.match(lines[i + 1], new RegExp(`^#${m[1]} err=00000000 eip=${m[2]} `), `after ${lines[i]}`);
  }
  assert.equal(expects, 16);
  assert.ok(ours.output.includes('\ncr0=00000011\n'), ours.output);
  assert.ok(ours.output.includes('\ncr4=00000000\n'), ours.output);
  assert.ok(ours.output.includes('\npat=00070406_00070406\n'), ours.output);
  // DR6.BD (bit 13) set, DR7.GD (bit 13) cleared by the #DB.
  assert.ok(ours.output.includes('\ndr6=ffff2ff0\ndr7=00000400\n'), ours.output);
  assert.ok(ours.output.endsWith('faults=00000010\n'), ours.output);
  assert.equal(ours.status, 1);
});

test('#UD/#GP of the system instructions at CPL 0 and DR0-DR3 breakpoints (fault and trap) as QEMU 7.2', async () => {
  await same('sys-fault', ['mov cr1/cr5/cr6/cr7: #UD\n#00000006', 'ecx=00000005\n', 'dr6=ffff0ff1\n', 'watched=00001234\ndr6=ffff0ff2\n',
    'ebx=56001234\ndr6=ffff0ff2\n', 'SYSENTER with SYSENTER_CS=0: #GP\n#0000000d', 'faults=00000015\n']);
});
