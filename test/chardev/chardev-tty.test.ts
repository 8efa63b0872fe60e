/*
 * stdio on a terminal, against QEMU 7.2, through a pseudo-terminal made by
 * util-linux `script`: the terminal mode (no echo by the tty, no line
 * buffering, output post-processing on: \n leaves as \r\n) shows in the bytes.
 * Ctrl-C: with signal=on (-monitor stdio) it stops the process; muxed with
 * mon:stdio (signal=off) it goes to the frontend instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'stdio-child.js');
const norm = (s: string): string => s.replace(/QEMU \d+\.\d+\.\d+ monitor/g, 'QEMU x.y.z monitor');
const QEMU = 'qemu-system-x86_64 -display none -nodefaults -machine none -S -name vm1';

/** Runs `cmd` in a pty; types each step once output settles. Returns the terminal output and whether it ended. */
async function inPty(cmd: string, steps: string[]): Promise<{ out: string; ended: boolean }> {
  const p = spawn('script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.setEncoding('latin1');
  p.stdout.on('data', (d: string) => (out += d));
  p.stderr.resume();
  let ended = false;
  const exited = new Promise<void>((r) => p.once('exit', () => {
    ended = true;
    r();
  }));
  p.once('error', (e) => {
    throw e;
  });
  const settle = async (): Promise<void> => {
    let last = -1;
    while (out.length !== last && !ended) {
      last = out.length;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  // Type nothing before the first prompt: until then the terminal is still in cooked mode.
  const deadline = Date.now() + 10000;
  while (!out.includes('(qemu) ') && !ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  await settle();
  for (const s of steps) {
    p.stdin.write(s);
    await settle();
  }
  const wasEnded = ended;
  if (!ended) p.kill('SIGKILL');
  await exited;
  return { out, ended: wasEnded };
}

test('-monitor stdio on a terminal: same bytes as QEMU 7.2', async () => {
  const steps = ['info status\r', 'info name\r', 'quit\r'];
  const theirs = await inPty(`${QEMU} -monitor stdio`, steps);
  const mine = await inPty(`${process.execPath} ${CHILD} monitor`, steps);
  assert.match(theirs.out, /VM status: paused \(prelaunch\)\r\r\n/);
  assert.ok(theirs.ended && mine.ended);
  assert.equal(norm(mine.out), norm(theirs.out));
});

test('Ctrl-C: stops -monitor stdio (signal=on); goes to the frontend with mon:stdio (signal=off)', async () => {
  const theirs = await inPty(`${QEMU} -monitor stdio`, ['\x03']);
  const mine = await inPty(`${process.execPath} ${CHILD} monitor`, ['\x03']);
  assert.equal(theirs.ended, true);
  assert.equal(mine.ended, true);
  const theirsMux = await inPty(`${QEMU} -serial mon:stdio`, ['\x03', 'info status\r', '\x01x']);
  const mineMux = await inPty(`${process.execPath} ${CHILD} serial-mon`, ['\x03', 'info status\r', '\x01x']);
  assert.match(theirsMux.out, /VM status/);
  assert.equal(norm(mineMux.out), norm(theirsMux.out));
});
