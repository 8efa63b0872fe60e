/*
 * The local APIC wired into the TCG vCPUs (hw/intc/apic.ts, the vCPU loop's NMI/INIT/SIPI and
 * interrupt acknowledge, the MSRs and CR8) against QEMU 7.2 TCG: each progs/apic-*.asm program
 * runs under QEMU and under tsqemu with the same command line, and the debug-console output and
 * exit status must match line for line.  Each test also checks a few of QEMU's lines, so a
 * program that printed nothing could not pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram, machineArgs, runBoth, TSQEMU } from './harness.js';

async function same(name: string, mustContain: string[], qemuArgs: string[] = []): Promise<string> {
  const { qemu, ours } = await runBoth(name, qemuArgs);
  for (const line of mustContain) assert.ok(qemu.output.includes(line), `QEMU's output lacks ${JSON.stringify(line)}:\n${qemu.output}`);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
  return qemu.output;
}

test('LAPIC registers as a -kernel program finds them, write masks, APIC base MSR, CPUID APIC bit', async () => {
  await same('apic-regs', ['cpuid.1.edx.apic=00000001\n', 'apicbase.lo=fee00900\n', 'version=00050014\n', 'svr=000001ff\n',
    'lvt.timer=00010000\n', 'lvt.lint0=00008700\n', 'ppr=000000ff\n', 'apicbase<-fed00800=fed00900\n', 'faults=00000000\n']);
});

test('LAPIC timer: one-shot fires once, periodic reloads, masked counts silently, divide configuration', async () => {
  await same('apic-timer', ['one-shot ticks=00000002\n', 'periodic ticks>=5=00000001\n', 'masked ticks=00000000\n',
    'div4 ratio is 3..5=00000001\n', 'div16 ratio/4 is 3..5=00000001\n', 'faults=00000000\n']);
});

test('self and fixed IPIs, priority classes, TPR/PPR masking, TMR, NMI IPI, MSI writes, software-disabled APIC', async () => {
  await same('apic-ipi', ['log=70 65 55 70 \n', 'log=65 55 45 \n', 'ppr=00000050\n', 'tmr in handler=00000020\n', 'log=02 02 \n',
    'log=55 45 \n', 'faults=00000000\n']);
});

test('-smp 2: INIT + SIPI start the AP, an IPI wakes it from HLT, LOCK INC from both CPUs, INIT restarts it', async () => {
  await same('apic-smp', ['cpus=00000002\n', 'ap apic id=00000001\nap cpuid apic id=00000001\nap svr=000000ff\n', 'woken=00000001\n',
    'counter=00004e20\n', 'started=00000002\n', 'faults=00000000\n'], ['-smp', '2']);
});

test('-smp 4: each AP starts with its own APIC ID and is woken by its own IPI; 4 CPUs count together', async () => {
  const out = await same('apic-smp', ['cpus=00000004\n', 'ap apic id=00000003\n', 'woken=00000002\n', 'woken=00000003\n',
    'counter=00009c40\n', 'started=00000004\n', 'faults=00000000\n'], ['-smp', '4']);
  assert.equal(out.split('ap apic id=').length - 1, 4, 'three APs, then AP 1 again');
});

test('the 8259 through LINT0: ExtINT, masked, fixed vector, and straight to the CPU once IA32_APIC_BASE disables the APIC', async () => {
  await same('apic-pic', ['lint0=00008700\n', 'masked ticks=00000000\n', 'fixed>=1=00000001\n', 'apicbase=fee00100\n',
    'cpuid.1.edx.apic=00000000\n', 'disabled APIC: ticks>=3\n', 'apicbase<-fee00900=fee00100\n', 'faults=00000000\n']);
});

test('CR8 in 64-bit mode is TPR bits 7-4: reads MMIO TPR writes, sets TPR/PPR, holds back classes at or below it', async () => {
  await same('apic-cr8', ['cr8 after tpr=70=0000000000000007\n', 'tpr after cr8=5=0000000000000050\n', 'log=00000065 \n',
    'log=00000055 \nlog=00000045 \n', 'cr8 after tpr=a7=000000000000000a\n', 'faults=0000000000000000\n']);
});

/** Runs progs/NAME.asm under QEMU and tsqemu as runBoth does, but without -no-reboot. */
async function sameWithReboot(name: string, args: string[], mustContain: string[]): Promise<void> {
  const { elf, dir } = buildProgram(name);
  try {
    const run = (binary: string, tag: string): Promise<{ output: string; status: number | null }> => new Promise((resolve, reject) => {
      const con = join(dir, `${tag}.txt`);
      const argv = machineArgs(elf, con, args).filter((a) => a !== '-no-reboot');
      const p = spawn(binary, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      const t = setTimeout(() => p.kill('SIGKILL'), 30000);
      p.on('error', reject);
      p.on('close', (status) => {
        clearTimeout(t);
        let output = '';
        try { output = readFileSync(con, 'latin1'); } catch { /* compared below */ }
        resolve({ output, status });
      });
    });
    const [qemu, ours] = await Promise.all([run('qemu-system-x86_64', 'qemu'), run(TSQEMU, 'ours')]);
    for (const line of mustContain) assert.ok(qemu!.output.includes(line), `QEMU's output lacks ${JSON.stringify(line)}:\n${qemu!.output}`);
    assert.equal(ours!.output, qemu!.output);
    assert.equal(ours!.status, qemu!.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a system reset resets the local APICs with the CPUs: the APs wait for INIT/SIPI again (-smp 2)', async () => {
  await sameWithReboot('apic-reset', ['-smp', '2'], ['boot=00000000\n', 'boot=00000001\napicbase=fee00900\nid=00000000\ntpr=00000000\n',
    'lvt.timer=00010000\ntimer.initial=00000000\n', 'faults=00000000\n']);
});
