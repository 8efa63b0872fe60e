/*
 * The stdio backend against QEMU 7.2, through pipes: `-monitor stdio` and
 * `-serial mon:stdio` (a mux with the monitor in focus, C-a escapes) must
 * print the same bytes for the same keystrokes; two stdio chardevs are refused
 * with QEMU's message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'stdio-child.js');
const norm = (s: string): string => s.replace(/QEMU \d+\.\d+\.\d+ monitor/g, 'QEMU x.y.z monitor');

/** Types `steps` one at a time, each once the output has settled; returns stdout, stderr and the exit code. */
async function drive(cmd: string, args: string[], steps: string[]): Promise<{ out: string; err: string; code: number | null }> {
  const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.setEncoding('latin1');
  p.stderr.setEncoding('utf8');
  p.stdout.on('data', (d: string) => (out += d));
  p.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
  const settle = async (): Promise<void> => {
    let last = -1;
    while (out.length !== last && p.exitCode === null) {
      last = out.length;
      await new Promise((r) => setTimeout(r, 150));
    }
  };
  // Wait for the first output (the banner) before typing.
  const deadline = Date.now() + 10000;
  while (!out && p.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await settle();
  for (const s of steps) {
    p.stdin.write(s);
    await settle();
  }
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  const code = await exited;
  clearTimeout(t);
  return { out, err, code };
}

const QEMU = ['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-name', 'vm1'];

test('-monitor stdio: same bytes as QEMU 7.2', async () => {
  const steps = ['info status\r', 'info name\r', 'quit\r'];
  const theirs = await drive('qemu-system-x86_64', [...QEMU, '-monitor', 'stdio'], steps);
  const mine = await drive(process.execPath, [CHILD, 'monitor'], steps);
  assert.equal(theirs.code, 0);
  assert.equal(mine.code, 0, mine.err);
  assert.match(theirs.out, /VM status: paused \(prelaunch\)/);
  assert.equal(norm(mine.out), norm(theirs.out));
});

test('-serial mon:stdio: the muxed monitor and C-a h / C-a x as QEMU 7.2', async () => {
  const steps = ['\x01h', 'info status\r', '\x01x'];
  const theirs = await drive('qemu-system-x86_64', [...QEMU, '-serial', 'mon:stdio'], steps);
  const mine = await drive(process.execPath, [CHILD, 'serial-mon'], steps);
  assert.equal(theirs.code, 0);
  assert.equal(mine.code, 0, mine.err);
  assert.match(theirs.out, /QEMU: Terminated/);
  assert.equal(norm(mine.out), norm(theirs.out));
});

test('a second stdio chardev is refused with QEMU 7.2\'s message', async () => {
  const theirs = await drive('qemu-system-x86_64', [...QEMU, '-monitor', 'stdio', '-serial', 'stdio'], []);
  const mine = await drive(process.execPath, [CHILD, 'two-stdio'], []);
  assert.equal(theirs.code, 1);
  assert.equal(mine.code, 1);
  const msg = theirs.err.split('\n')[0]!.replace(/^qemu-system-x86_64: -serial stdio: /, '');
  assert.equal(msg, 'cannot use stdio by multiple character devices');
  assert.match(mine.err, /: cannot use stdio by multiple character devices\n/);
});
