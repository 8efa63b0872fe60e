/*
 * The whole pc machine under accel=kvm, against QEMU 7.2 under accel=kvm: a -bios program
 * (test/kvm/progs) runs from the reset vector through our memory slots (pc.bios and its
 * isa-bios alias, RAM) and our device models (debugcon, isa-debug-exit); the debug-console
 * bytes and the exit status must match. Both start the guest at once (no -S).
 *
 * This host's /dev/kvm is kvm_pvm, which emulates unpaged protected mode and real mode slowly;
 * the programs here stay small for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KVM_SKIP } from './kvm-helpers.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const progs = join(repo, 'test', 'kvm', 'progs');

interface Run { output: string; status: number | null }

function build(name: string, dir: string): string {
  const out = join(dir, `${name}.bin`);
  const r = spawnSync('nasm', ['-f', 'bin', '-I', `${progs}/`, '-o', out, join(progs, `${name}.asm`)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`nasm ${name}: ${r.error?.message ?? r.stderr}`);
  return out;
}

/** Runs one emulator to its exit (its output goes to the debugcon file). */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ status: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === null) return reject(new Error(`${cmd} timed out: ${stderr}`));
      resolve({ status: code });
    });
  });
}

async function runBothKvm(name: string): Promise<{ qemu: Run; ours: Run }> {
  const dir = mkdtempSync(join(tmpdir(), `kvm-machine-${name}-`));
  try {
    const bin = build(name, dir);
    const common = (out: string): string[] => ['-M', 'pc', '-accel', 'kvm', '-nodefaults', '-display', 'none', '-no-reboot',
      '-bios', bin, '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'];
    const qOut = join(dir, 'qemu.txt'), oOut = join(dir, 'ours.txt');
    const q = await run('qemu-system-x86_64', common(qOut), 60000);
    const o = await run(join(repo, 'bin', 'tsqemu-system-x86_64'), common(oOut), 60000);
    return {
      qemu: { output: readFileSync(qOut, 'latin1'), status: q.status },
      ours: { output: readFileSync(oOut, 'latin1'), status: o.status },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('accel=kvm: a real-mode -bios program (REP OUTSB, RAM, isa-debug-exit) as under QEMU 7.2', { skip: KVM_SKIP }, async () => {
  const { qemu, ours } = await runBothKvm('kvm-real');
  assert.equal(qemu.output, 'real mode\nrep outsb reached the debug console\nmul ok\n00\nBE\n', 'QEMU ran the program');
  assert.equal(qemu.status, 3);
  assert.equal(ours.output, qemu.output);
  assert.equal(ours.status, qemu.status);
});
