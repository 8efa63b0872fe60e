/*
 * query-chardev, info chardev and query-chardev-backends against QEMU 7.2,
 * over the same set of chardevs (file, null, unix and tcp servers, a mux
 * with a monitor, the QMP socket itself), before and after clients connect.
 * QEMU lists chardevs in its hash-table order, so lists are compared as sets;
 * paths and port numbers are masked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { RawClient, qmpExchange, spawnQemu, waitForFile } from './raw-client.js';
import { addCompatMonitor, buildFixture } from './fixture.js';
import { qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { monitorInitOpts } from '../../src/monitor/monitor-init.js';
import { resumeMuxOpen, suspendMuxOpen } from '../../src/chardev/char-mux.js';

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function chardevArgs(dir: string, port: number): string[] {
  return [`file,id=f1,path=${dir}/f1`, 'null,id=n1', `socket,id=s1,path=${dir}/s1.sock,server=on,wait=off`,
    `socket,id=t1,host=127.0.0.1,port=${port},server=on,wait=off`, 'null,id=m1,mux=on'];
}

const CMDS = ['{"execute":"query-chardev"}', '{"execute":"human-monitor-command","arguments":{"command-line":"info chardev"}}'];

async function observe(qmpSock: string, dir: string, port: number): Promise<string[][]> {
  const c = await RawClient.connect(qmpSock);
  await c.waitFor((d) => d.includes('\n'));
  await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
  const mask = (s: string): string => s.replaceAll(dir, 'DIR').replaceAll(`:${port}`, ':PORT').replace(/:\d+$/, ':CLIENT');
  const snapshot = async (): Promise<string[][]> => {
    const q = (await qmpExchange(c, CMDS[0] + '\n'))[0]!.return as Array<Record<string, unknown>>;
    const h = (await qmpExchange(c, CMDS[1] + '\n'))[0]!.return as string;
    return [
      q.map((x) => `${String(x.label)} ${mask(String(x.filename))} ${String(x['frontend-open'])}`).sort(),
      h.split('\r\n').filter((l) => l).map(mask).sort(),
    ];
  };
  const before = await snapshot();
  const u = await RawClient.connect(join(dir, 's1.sock'));
  const t = await new Promise<Socket>((res, rej) => {
    const s = createConnection(port, '127.0.0.1');
    s.once('connect', () => res(s));
    s.once('error', rej);
  });
  await new Promise((r) => setTimeout(r, 200));
  const after = await snapshot();
  const backends = ((await qmpExchange(c, '{"execute":"query-chardev-backends"}\n'))[0]!.return as Array<{ name: string }>)
    .map((b) => b.name);
  u.close();
  t.destroy();
  c.close();
  return [...before, ...after, backends];
}

test('query-chardev, info chardev, query-chardev-backends match QEMU 7.2', async () => {
  const port = await freePort();
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S',
    ...chardevArgs('@DIR@', port).flatMap((a) => ['-chardev', a]), '-mon', 'chardev=m1',
    '-qmp', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
  let theirs: string[][];
  try {
    await waitForFile(join(qemu.dir, 'qmp.sock'));
    theirs = await observe(join(qemu.dir, 'qmp.sock'), qemu.dir, port);
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  try {
    const port2 = await freePort();
    suspendMuxOpen();
    for (const a of chardevArgs(fx.dir, port2)) {
      const o: Record<string, string> = {};
      const [backend, ...rest] = a.split(',');
      o.backend = backend!;
      for (const kv of rest) {
        const [k, v] = kv.split('=');
        o[k!] = v!;
      }
      await qemuChrNewFromOpts(o).ready;
    }
    monitorInitOpts({ chardev: 'm1' });
    await addCompatMonitor(`unix:${join(fx.dir, 'qmp.sock')},server=on,wait=off`, 'control');
    resumeMuxOpen();
    const mine = await observe(join(fx.dir, 'qmp.sock'), fx.dir, port2);
    if (process.env.DUMP) console.log(JSON.stringify(theirs, null, 1));
    for (let i = 0; i < 4; i++) assert.deepEqual(mine[i], theirs[i], `snapshot ${i}`);
    // Our backends, in the order QEMU lists them.
    assert.deepEqual(mine[4], theirs[4]!.filter((n) => mine[4]!.includes(n)));
    assert.deepEqual([...mine[4]!].sort(), ['file', 'mux', 'null', 'socket', 'stdio']);
  } finally {
    fx.teardown();
  }
});

test('chardev-add and chardev-remove: replies and resulting chardevs as QEMU 7.2', async () => {
  const seq = (dir: string): string[] => [
    `{"execute":"chardev-add","arguments":{"id":"f1","backend":{"type":"file","data":{"out":"${dir}/ca1"}}}}`,
    '{"execute":"chardev-add","arguments":{"id":"f1","backend":{"type":"null","data":{}}}}',
    `{"execute":"chardev-add","arguments":{"id":"f2","backend":{"type":"file","data":{"out":"${dir}/nonexist/x"}}}}`,
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"type":"file","data":{}}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"type":"bogus","data":{}}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"type":1,"data":{}}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"data":{}}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"type":"null"}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"type":"null","data":{"bogus":1}}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":{"type":"file","data":{"out":"x","append":"yes"}}}}',
    '{"execute":"chardev-add","arguments":{"id":"f3","backend":"file"}}',
    `{"execute":"chardev-add","arguments":{"id":"s1","backend":{"type":"socket","data":{"addr":{"type":"unix","data":{"path":"${dir}/ca.sock"}},"server":true,"wait":false}}}}`,
    `{"execute":"chardev-add","arguments":{"id":"s3","backend":{"type":"socket","data":{"addr":{"type":"unix","data":{"path":"${dir}/none.sock"}},"server":false}}}}`,
    '{"execute":"chardev-add","arguments":{"id":"s4","backend":{"type":"socket","data":{"addr":{"type":"unix","data":{}}}}}}',
    '{"execute":"chardev-add","arguments":{"id":"s4","backend":{"type":"socket","data":{"addr":{"type":"nope","data":{}}}}}}',
    '{"execute":"chardev-add","arguments":{"id":"1x","backend":{"type":"null","data":{}}}}',
    '{"execute":"chardev-add","arguments":{"id":"m1","backend":{"type":"mux","data":{"chardev":"n1"}}}}',
    '{"execute":"chardev-add","arguments":{"id":"m2","backend":{"type":"mux","data":{"chardev":"zz"}}}}',
    '{"execute":"chardev-add","arguments":{"id":"x2","backend":{"type":"stdio","data":{}}}}',
    '{"execute":"chardev-remove","arguments":{"id":"nope"}}',
    '{"execute":"chardev-remove","arguments":{"id":"n1"}}',
    '{"execute":"chardev-remove","arguments":{"id":"m1"}}',
    '{"execute":"chardev-remove","arguments":{"id":"compat_monitor0"}}',
    '{"execute":"chardev-remove","arguments":{"id":"1x"}}',
    '{"execute":"chardev-remove","arguments":{"id":"1x"}}',
    '{"execute":"chardev-remove","arguments":{}}',
  ];
  const session = async (sock: string, dir: string): Promise<string[]> => {
    const c = await RawClient.connect(sock);
    await c.waitFor((d) => d.includes('\n'));
    await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
    const out: string[] = [];
    for (const cmd of seq(dir)) {
      const raw: string[] = [];
      await qmpExchange(c, cmd + '\n', 1, raw);
      out.push(raw[0]!.replaceAll(dir, 'DIR'));
    }
    const q = (await qmpExchange(c, '{"execute":"query-chardev"}\n'))[0]!.return as Array<Record<string, unknown>>;
    out.push(...q.map((x) => `${String(x.label)} ${String(x.filename).replaceAll(dir, 'DIR')} ${String(x['frontend-open'])}`).sort());
    c.close();
    return out;
  };
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-chardev', 'null,id=n1',
    '-chardev', 'stdio,id=st', '-qmp', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
  let theirs: string[];
  try {
    await waitForFile(join(qemu.dir, 'qmp.sock'));
    theirs = await session(join(qemu.dir, 'qmp.sock'), qemu.dir);
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  try {
    qemuChrNewFromOpts({ backend: 'null', id: 'n1' });
    qemuChrNewFromOpts({ backend: 'stdio', id: 'st' });
    await addCompatMonitor(`unix:${join(fx.dir, 'qmp.sock')},server=on,wait=off`, 'control');
    const mine = await session(join(fx.dir, 'qmp.sock'), fx.dir);
    assert.equal(mine.length, theirs.length);
    for (let i = 0; i < theirs.length; i++) assert.equal(mine[i], theirs[i], `step ${i}`);
  } finally {
    fx.teardown();
  }
});
