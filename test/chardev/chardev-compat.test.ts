/*
 * The legacy chardev strings of -qmp/-monitor/-serial (qemu_chr_parse_compat,
 * vl.c monitor_parse) against QEMU 7.2: the messages for bad strings, and
 * working strings giving working monitors (unix with short-form booleans,
 * tcp with an empty host, mon: muxing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildFixture, addCompatMonitor } from '../monitor/fixture.js';
import { RawClient, spawnQemu, waitForFile } from '../monitor/raw-client.js';
import { monitorParse, qemuChrNewMuxMon } from '../../src/monitor/monitor-init.js';
import { qemuChrNewFromOpts, qemuChrParseCompat } from '../../src/chardev/char.js';
import { QemuError, setStderrWriter, withLoc } from '../../src/util/error.js';

const QEMU = ['-display', 'none', '-nodefaults', '-machine', 'none', '-S'];

/** Our stderr for the option, as QEMU prints it (program name replaced). */
function ours(opt: string, arg: string): string {
  const fx = buildFixture();
  let err = '';
  const old = setStderrWriter((t) => (err += t));
  try {
    withLoc(`${opt} ${arg}`, () => {
      if (opt === '-serial') {
        if (!qemuChrNewMuxMon('serial0', arg)) throw new QemuError(`could not connect serial device to character backend '${arg}'`);
        return;
      }
      const p = monitorParse(arg, opt === '-qmp' ? 'control' : 'readline');
      if (p?.chardev) qemuChrNewFromOpts(p.chardev);
    });
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    err += e.format();
  } finally {
    setStderrWriter(old);
    fx.teardown();
  }
  return err.replace(/^tsqemu-system-x86_64:/gm, 'qemu-system-x86_64:');
}

test('bad legacy chardev strings: the same messages as QEMU 7.2', () => {
  const cases: Array<[string, string]> = [
    ['-qmp', 'foo:bar'],
    ['-qmp', 'none'],
    ['-qmp', 'tcp:'],
    ['-qmp', 'tcp:localhost'],
    ['-qmp', 'mon:foo'],
    ['-qmp', 'unix:/tmp/x.sock,server=on,wait=off,bogus=1'],
    ['-qmp', 'unix:/tmp/x.sock,server=yes,wait=0'],
    ['-qmp', 'tcp:localhost:4444,server=on,reconnect=z'],
    ['-monitor', 'file:/nonexistent-dir/x'],
    ['-serial', 'foo'],
    ['-serial', 'mon:bar'],
  ];
  for (const [opt, arg] of cases) {
    const r = spawnSync('qemu-system-x86_64', [...QEMU, opt, arg], { encoding: 'utf8', timeout: 5000 });
    assert.equal(r.status, 1, `${opt} ${arg}: ${r.stderr}`);
    assert.equal(ours(opt, arg), r.stderr, `${opt} ${arg}`);
  }
});

// The dicts follow qemu_chr_parse_compat() in QEMU 7.2's chardev/char.c (its qemu_opt_set calls).
test('-monitor none: no monitor; the compat parse of each form', () => {
  assert.equal(monitorParse('none', 'readline'), undefined);
  const fx = buildFixture();
  try {
    assert.deepEqual(qemuChrParseCompat('l', 'mon:stdio', true), { id: 'l', mux: 'on', signal: 'off', backend: 'stdio' });
    assert.deepEqual(qemuChrParseCompat('l', 'unix:/p,,q,server,nowait'),
      { id: 'l', backend: 'socket', path: '/p,q', server: 'on', wait: 'off' });
    assert.deepEqual(qemuChrParseCompat('l', 'tcp::4444,server=on'), { id: 'l', backend: 'socket', host: '', port: '4444', server: 'on' });
    assert.deepEqual(qemuChrParseCompat('l', 'file:/a,b'), { id: 'l', backend: 'file', path: '/a,b' });
  } finally {
    fx.teardown();
  }
});

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

test('working legacy strings: short-form booleans and an empty tcp host, as QEMU 7.2 accepts them', async () => {
  const banner = async (connect: () => Promise<RawClient>): Promise<string> => {
    const c = await connect();
    await c.waitFor((d) => d.endsWith('(qemu) '));
    const d = c.take().replace(/QEMU \d+\.\d+\.\d+ monitor/, 'QEMU x monitor');
    c.close();
    return d;
  };
  const tcp = (port: number) => async (): Promise<RawClient> => {
    const { createConnection } = await import('node:net');
    for (let i = 0; ; i++) {
      try {
        return RawClient.fromSocket(await new Promise((res, rej) => {
          const s = createConnection(port, '127.0.0.1');
          s.once('connect', () => res(s));
          s.once('error', rej);
        }));
      } catch (e) {
        if (i > 200) throw e;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  };
  const port = await freePort();
  const qemu = spawnQemu([...QEMU, '-monitor', 'unix:@DIR@/a.sock,server,nowait', '-monitor', `tcp::${port},server,nowait`]);
  let theirs: string[];
  try {
    await waitForFile(join(qemu.dir, 'a.sock'));
    theirs = [await banner(() => RawClient.connect(join(qemu.dir, 'a.sock'))), await banner(tcp(port))];
    assert.equal(qemu.stderr(), '', 'no warnings from QEMU');
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  let err = '';
  const old = setStderrWriter((t) => (err += t));
  try {
    const port2 = await freePort();
    await addCompatMonitor(`unix:${fx.dir}/a.sock,server,nowait`, 'readline');
    await addCompatMonitor(`tcp::${port2},server,nowait`, 'readline');
    const mine = [await banner(() => RawClient.connect(join(fx.dir, 'a.sock'))), await banner(tcp(port2))];
    assert.deepEqual(mine, theirs);
    assert.equal(err, '');
  } finally {
    setStderrWriter(old);
    fx.teardown();
  }
});
