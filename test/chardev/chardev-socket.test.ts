/*
 * The socket backend against QEMU 7.2, with an HMP monitor as the frontend so
 * that what crosses the socket is visible: servers over unix and TCP (one
 * client at a time, the next waiting), clients (with and without reconnect),
 * wait=on, and the messages on stderr.  Plus flow control and non-blocking
 * writes, which QEMU's chardev API promises its frontends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { RawClient, spawnQemu, waitForFile } from '../monitor/raw-client.js';
import { addCompatMonitor, buildFixture } from '../monitor/fixture.js';
import { qemuChrFind, qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { qemuChrFeInit } from '../../src/chardev/char-fe.js';
import { monitorInitOpts } from '../../src/monitor/monitor-init.js';
import { setStderrWriter, withLoc } from '../../src/util/error.js';

const norm = (s: string): string => s.replace(/QEMU \d+\.\d+\.\d+ monitor/g, 'QEMU x.y.z monitor');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const QEMU = ['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-name', 'vm1'];

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** Two clients: the second hears nothing until the first leaves. Returns what each saw. */
async function twoClients(connect: () => Promise<RawClient>): Promise<string[]> {
  const c1 = await connect();
  await c1.waitFor((d) => d.endsWith('(qemu) '));
  const c2 = await connect();
  await sleep(300);
  const before = c2.take();
  c1.write('info status\r');
  await c1.waitFor((d) => d.endsWith('(qemu) ') && d.includes('VM status'));
  const first = c1.take();
  c1.close();
  await c2.waitFor((d) => d.endsWith('(qemu) '));
  const after = c2.take();
  c2.close();
  return [before, first, after];
}

test('server sockets (unix and tcp): one client at a time, the next waits, as QEMU 7.2', async () => {
  for (const kind of ['unix', 'tcp'] as const) {
    const port = await freePort();
    const qemu = spawnQemu([...QEMU, '-monitor',
      kind === 'unix' ? 'unix:@DIR@/m.sock,server=on,wait=off' : `tcp:127.0.0.1:${port},server=on,wait=off`]);
    let theirs: string[];
    try {
      if (kind === 'unix') await waitForFile(join(qemu.dir, 'm.sock'));
      theirs = await twoClients(() => (kind === 'unix'
        ? RawClient.connect(join(qemu.dir, 'm.sock'))
        : connectTcp(port)));
    } finally {
      await qemu.kill();
    }
    const fx = buildFixture();
    try {
      const port2 = await freePort();
      const path = join(fx.dir, 'm.sock');
      await addCompatMonitor(kind === 'unix' ? `unix:${path},server=on,wait=off` : `tcp:127.0.0.1:${port2},server=on,wait=off`,
        'readline');
      const mine = await twoClients(() => (kind === 'unix' ? RawClient.connect(path) : connectTcp(port2)));
      assert.deepEqual(mine.map(norm), theirs.map(norm), kind);
      assert.equal(theirs[0], '');
    } finally {
      fx.teardown();
    }
  }
});

async function connectTcp(port: number): Promise<RawClient> {
  const { createConnection } = await import('node:net');
  // RawClient speaks to a path; for TCP wrap a connected socket the same way.
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const s = await new Promise<Socket>((res, rej) => {
        const c = createConnection(port, '127.0.0.1');
        c.once('connect', () => res(c));
        c.once('error', rej);
      });
      return RawClient.fromSocket(s);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(25);
    }
  }
}

/** A listening unix server that records what each connection sends; can drop connections. */
function recordingServer(path: string): Promise<{ server: Server; conns: Array<{ sock: Socket; data: string }> }> {
  const conns: Array<{ sock: Socket; data: string }> = [];
  const server = createServer((sock) => {
    const c = { sock, data: '' };
    conns.push(c);
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (c.data += d));
    sock.on('error', () => {});
  });
  return new Promise((res) => server.listen(path, () => res({ server, conns })));
}

async function until(pred: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timeout');
    await sleep(20);
  }
}

test('client sockets with reconnect: messages, connecting later, reconnecting, as QEMU 7.2', async () => {
  const run = async (dir: string, start: (path: string) => Promise<() => string>): Promise<string[]> => {
    const path = join(dir, 'srv.sock');
    const stderr = await start(path);
    // The first attempt must have failed before the server appears (QEMU may be slow to start).
    await until(() => stderr().includes('Unable to connect'), 15000);
    const { server, conns } = await recordingServer(path);
    try {
      await until(() => conns.length === 1 && conns[0]!.data.endsWith('(qemu) '));
      conns[0]!.sock.write('info status\r');
      await until(() => conns[0]!.data.includes('VM status') && conns[0]!.data.endsWith('(qemu) '));
      conns[0]!.sock.destroy();
      await until(() => conns.length === 2 && conns[1]!.data.endsWith('(qemu) '));
      const msgs = stderr().split('\n').filter((l) => l).map((l) => l.replace(/^[^:]+: /, ''));
      return [msgs[0]!.replaceAll(dir, 'DIR'), conns[0]!.data, conns[1]!.data];
    } finally {
      for (const c of conns) c.sock.destroy();
      server.close();
    }
  };
  const qemu = spawnQemu([...QEMU, '-chardev', 'socket,id=c,path=@DIR@/srv.sock,reconnect=1', '-mon', 'chardev=c']);
  let theirs: string[];
  try {
    theirs = await run(qemu.dir, async () => qemu.stderr);
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  let captured = '';
  const old = setStderrWriter((t) => (captured += t));
  try {
    const mine = await run(fx.dir, async (path) => {
      const chr = qemuChrNewFromOpts({ backend: 'socket', id: 'c', path, reconnect: '1' });
      await chr.ready;
      monitorInitOpts({ chardev: 'c' });
      return () => captured;
    });
    assert.equal(theirs[0], "Unable to connect character device c: Failed to connect to 'DIR/srv.sock': No such file or directory");
    assert.deepEqual(mine.map(norm), theirs.map(norm));
  } finally {
    setStderrWriter(old);
    fx.teardown();
  }
});

test('server with wait=on: waits for its client, saying so as QEMU 7.2 does', async () => {
  const qemu = spawnQemu([...QEMU, '-chardev', 'socket,id=c,path=@DIR@/w.sock,server=on', '-mon', 'chardev=c']);
  let theirs: string;
  try {
    await waitForFile(join(qemu.dir, 'w.sock'));
    const c = await RawClient.connect(join(qemu.dir, 'w.sock'));
    await c.waitFor((d) => d.endsWith('(qemu) '));
    c.close();
    theirs = qemu.stderr().split('\n')[0]!.replaceAll(qemu.dir, 'DIR');
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  let captured = '';
  const old = setStderrWriter((t) => (captured += t));
  try {
    const path = join(fx.dir, 'w.sock');
    const opts = `socket,id=c,path=${path},server=on`;
    const chr = withLoc(`-chardev ${opts}`, () => qemuChrNewFromOpts({ backend: 'socket', id: 'c', path, server: 'on' }));
    let connected = false;
    void chr.ready.then(() => (connected = true));
    await waitForFile(path);
    await sleep(200);
    assert.equal(connected, false, 'ready waits for the first client');
    const c = await RawClient.connect(path);
    await chr.ready;
    monitorInitOpts({ chardev: 'c' });
    await c.waitFor((d) => d.endsWith('(qemu) '));
    c.close();
    const mine = captured.split('\n')[0]!.replace(/^tsqemu-system-x86_64: /, 'qemu-system-x86_64: ').replaceAll(fx.dir, 'DIR');
    assert.equal(mine, theirs);
  } finally {
    setStderrWriter(old);
    fx.teardown();
  }
});

test('frontends: input waits while canReceive() is 0; writes never block', async () => {
  const fx = buildFixture();
  try {
    const path = join(fx.dir, 'fc.sock');
    const chr = qemuChrNewFromOpts({ backend: 'socket', id: 'c', path, server: 'on', wait: 'off' });
    await chr.ready;
    let room = 0;
    const got: Buffer[] = [];
    const events: string[] = [];
    const be = qemuChrFeInit(qemuChrFind('c')!, {
      canReceive: () => room,
      receive: (b) => {
        got.push(Buffer.from(b));
        room -= b.length;
      },
      event: (ev) => events.push(ev),
    });
    const c = await RawClient.connect(path);
    await until(() => events.includes('opened'));
    c.write('hello world');
    await sleep(100);
    assert.equal(got.length, 0, 'nothing delivered while the frontend is full');
    room = 5;
    be.acceptInput();
    assert.equal(Buffer.concat(got).toString(), 'hello');
    room = 100;
    be.acceptInput();
    assert.equal(Buffer.concat(got).toString(), 'hello world');
    // 16 MiB to a client that does not read: write() returns at once with everything taken.
    c.sock.pause();
    const big = Buffer.alloc(16 << 20, 0x41);
    const t0 = performance.now();
    assert.equal(be.write(big), big.length);
    assert.ok(performance.now() - t0 < 500, 'write did not wait for the peer');
    c.sock.resume();
    await c.waitFor((d) => d.length >= big.length, 10000);
    c.close();
    await until(() => events.includes('closed'));
    assert.deepEqual(events, ['opened', 'closed']);
  } finally {
    fx.teardown();
  }
});

test('input sent before any frontend attaches waits for it (QEMU reads only with a frontend)', async () => {
  const fx = buildFixture();
  try {
    const path = join(fx.dir, 'early.sock');
    const chr = qemuChrNewFromOpts({ backend: 'socket', id: 'c', path, server: 'on', wait: 'off' });
    await chr.ready;
    const c = await RawClient.connect(path);
    c.write('early bytes');
    await sleep(100);
    const got: Buffer[] = [];
    qemuChrFeInit(qemuChrFind('c')!, { canReceive: () => 64, receive: (b) => got.push(Buffer.from(b)) });
    assert.equal(Buffer.concat(got).toString(), 'early bytes');
    c.close();
  } finally {
    fx.teardown();
  }
});
