/*
 * HMP on a chardev, byte for byte against QEMU 7.2: the banner, the
 * "(qemu) " prompt, readline's echo and redraw sequences, command output.
 * Only the version in the banner differs (QEMU's own build vs our 7.2.0).
 * Also the mux: Ctrl-A escapes, focus switching between a serial frontend and
 * the monitor, and C-a x.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RawClient, spawnQemu, waitForFile } from './raw-client.js';
import { addCompatMonitor, buildFixture } from './fixture.js';
import { qemuChrFind, qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { qemuChrFeInit } from '../../src/chardev/char-fe.js';
import { monitorInitOpts } from '../../src/monitor/monitor-init.js';
import { resumeMuxOpen, suspendMuxOpen } from '../../src/chardev/char-mux.js';

const BANNER_VERSION = /QEMU \d+\.\d+\.\d+ monitor/g;

function norm(s: string): string {
  return s.replace(BANNER_VERSION, 'QEMU x.y.z monitor');
}

const LINES = [
  'info status\r',
  'infx\x7fo name\r',
  'foo\r',
  'info name extra\r',
  'help stop\r',
  'help info status\r',
  'stop\r',
  'info status\r',
  'c\r',
  'info status\r',
  'info sttus\x1b[D\x1b[D\x1b[Da\r',
  '\x1b[A\r',
  'nfo status\x01i\x05\r',
  'info nam\x1b[Ce\r',
  'xx\x17info name\r',
  '\r',
  '   \r',
  'stop\r',
];

async function hmpSession(sock: string, oracle: boolean): Promise<{ transcript: string[]; client: RawClient }> {
  const c = await RawClient.connect(sock);
  const transcript: string[] = [];
  await c.waitFor((d) => d.endsWith('(qemu) '));
  transcript.push(c.take());
  for (const line of LINES) {
    c.write(line);
    await c.waitFor((d) => d.endsWith('(qemu) '));
    transcript.push(c.take());
  }
  c.write('quit\r');
  // QEMU exits; ours reports the shutdown request and must print nothing more (no prompt).
  if (oracle) await c.waitFor(() => c.closed, 3000);
  else {
    await c.waitFor((d) => d.endsWith('\r\n'));
    await new Promise((r) => setTimeout(r, 100));
  }
  transcript.push(c.take());
  return { transcript, client: c };
}

test('HMP over a socket: banner, prompt, line editing and output match QEMU 7.2 byte for byte', async () => {
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-name', 'vm1',
    '-monitor', 'unix:@DIR@/hmp.sock,server=on,wait=off']);
  let oracle: string[];
  try {
    await waitForFile(join(qemu.dir, 'hmp.sock'));
    const s = await hmpSession(join(qemu.dir, 'hmp.sock'), true);
    oracle = s.transcript;
    s.client.close();
    assert.equal(await qemu.exited, 0);
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  try {
    const sock = join(fx.dir, 'hmp.sock');
    await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'readline');
    const s = await hmpSession(sock, false);
    s.client.close();
    assert.match(s.transcript[0]!, /^QEMU 7\.2\.0 monitor - type 'help' for more information\r\n\(qemu\) $/);
    assert.equal(oracle.length, s.transcript.length);
    for (let i = 0; i < oracle.length; i++) {
      assert.equal(norm(s.transcript[i]!), norm(oracle[i]!), `step ${i}: ${JSON.stringify(LINES[i - 1] ?? 'banner')}`);
    }
    assert.deepEqual(fx.shutdowns, ['host-qmp-quit']);
  } finally {
    fx.teardown();
  }
});

/** Sends `input` and waits until the output has been quiet for a moment. */
async function step(c: RawClient, input: string, settle = 120): Promise<string> {
  c.write(input);
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, settle));
    if (c.data.length === last || c.closed) break;
    last = c.data.length;
  }
  return c.take();
}

const MUX_STEPS = [
  '\x01c', // monitor takes focus: banner and prompt appear
  'info status\r',
  '\x01h',
  '\x01c', // back to the serial port
  'abc',
  '\x01\x01', // a literal C-a for the serial port
  '\x01c',
  'info name\r',
  '\x01t', // timestamps on then off: no visible change with no output in between
  '\x01t',
  '\x01x',
];

test('mux: C-a escapes and focus switching match QEMU 7.2', async () => {
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'pc,accel=tcg', '-S', '-name', 'vm1',
    '-chardev', 'socket,id=c,path=@DIR@/mux.sock,server=on,wait=off,mux=on', '-mon', 'chardev=c,mode=readline',
    '-serial', 'chardev:c']);
  const oracle: string[] = [];
  try {
    await waitForFile(join(qemu.dir, 'mux.sock'));
    const c = await RawClient.connect(join(qemu.dir, 'mux.sock'));
    oracle.push(await step(c, ''));
    for (const s of MUX_STEPS) oracle.push(await step(c, s));
    if (process.env.DUMP_MUX) console.log(JSON.stringify(oracle, null, 1));
    await c.waitFor(() => c.closed, 3000).catch(() => {});
    c.close();
    assert.equal(await qemu.exited, 0);
  } finally {
    await qemu.kill();
  }

  const fx = buildFixture();
  try {
    const path = join(fx.dir, 'mux.sock');
    suspendMuxOpen();
    const chr = qemuChrNewFromOpts({ backend: 'socket', id: 'c', path, server: 'on', wait: 'off', mux: 'on' });
    await chr.ready;
    monitorInitOpts({ chardev: 'c', mode: 'readline' });
    // The serial port: attached after the monitor, as machine init does; the guest is stopped (-S).
    const serialIn: number[] = [];
    qemuChrFeInit(qemuChrFind('c')!, { canReceive: () => 16, receive: (b) => serialIn.push(...b) });
    resumeMuxOpen();
    const c = await RawClient.connect(path);
    const ours: string[] = [await step(c, '')];
    for (const s of MUX_STEPS) ours.push(await step(c, s));
    c.close();
    for (let i = 0; i < oracle.length; i++) {
      assert.equal(norm(ours[i]!), norm(oracle[i]!), `step ${i}: ${JSON.stringify(MUX_STEPS[i - 1] ?? 'connect')}`);
    }
    // What the serial port received while it had the focus.
    assert.deepEqual(Buffer.from(serialIn).toString('latin1'), 'abc\x01');
    assert.deepEqual(fx.shutdowns, ['host-qmp-quit']);
  } finally {
    fx.teardown();
  }
});
