/*
 * QMP, message by message, against QEMU 7.2: the same bytes go to
 * `qemu-system-x86_64 -machine none -S -name vm1 -qmp unix:...` and to our
 * server (in-process, on a unix socket, over the fixture tree), and the
 * replies must be equal: error classes and descriptions exactly, ids echoed,
 * events in the same order with a well-formed timestamp.  Only values that
 * name the build (version micro, package) are compared by shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RawClient, qmpExchange, spawnQemu, waitForFile } from './raw-client.js';
import { addCompatMonitor, buildFixture } from './fixture.js';
import { TSQEMU_VERSION } from '../../src/system/version.js';
import { qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { monitorInitOpts, monitorParse } from '../../src/monitor/monitor-init.js';

type Msg = Record<string, unknown>;

/** [bytes to send, number of replies (non-event lines) to wait for] */
const CONVERSATION: Array<[string, number]> = [
  ['{"execute":"query-status"}\n', 1],
  ['{"execute":"no-such-command"}\n', 1],
  ['{"execute":"qmp_capabilities","arguments":{"enable":["foo"]}}\n', 1],
  ['{"execute":"qmp_capabilities","id":1}\n', 1],
  ['{"execute":"qmp_capabilities"}\n', 1],
  ['{"execute":"query-status","id":{"a":[1,"two",null,true]}}\n', 1],
  ['{"execute":"no-such-command","id":"x"}\n', 1],
  // malformed JSON and bad requests
  ['{"foo\n', 1],
  ['}\n', 1],
  ['[1,2]\n', 1],
  ['"str"\n', 1],
  ['42\n', 1],
  ['{}\n', 1],
  ['{"execute":1}\n', 1],
  ['{"execute":1,"id":7}\n', 1],
  ['{"execute":"query-status","bogus":1}\n', 1],
  ['{"execute":"query-status","arguments":[]}\n', 1],
  ['{"exec-oob":"query-status"}\n', 1],
  ["{'execute':'query-name'}\n", 1],
  ['{"execute":"query-name"} {"execute":"query-name","id":2}\n', 2],
  ['{"execute": foo}\n', 1],
  ['{"execute" "x"}\n', 1],
  ['{"execute":"x",}\n', 1],
  ['{"a":1 "b":2}\n', 1],
  ['{1:2}\n', 1],
  ['{"a":1,"a":2}\n', 1],
  ['[1 2]\n', 1],
  ['@abc}\n', 2],
  ['%d\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"caf\\u00e9 \\ud83d\\ude00 \\t\\"q\\" \\/ \\u007f"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"caf\u00e9"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"\\ud800x"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"\\x"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"\\u12"}}\n', 1],
  ["{'execute':'qom-get','arguments':{'path':'/machine','property':'it\\'s \"x\"'}}\n", 1],
  ['{"execute":"query-name","id":-0.5e3}\n', 1],
  ['{"execute":"query-name","id":01}\n', 2],
  ['{"execute":"query-name","id":1.}\n', 1],
  ['{"execute":"query-name","id":9007199254740991}\n', 1],
  ['{"execute":"query-name","id":nul}\n', 1],
  ['{"execute":"query-name","id":[[[[[[[[[[1]]]]]]]]]]}\n', 1],
  ['\t{"execute":\r"query-name"}\n', 1],
  ['{"execute":"query-name","arguments":{"x":1}}\n', 1],
  ['{"execute":"query-version","arguments":{"x":1},"id":"v"}\n', 1],
  // argument checking
  ['{"execute":"qom-get","arguments":{"path":1,"property":"x"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"type","extra":1}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/nonexist","property":"x"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"nope"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"type"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/machine","property":"unattached"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/chardevs","property":"type"}}\n', 1],
  ['{"execute":"qom-list","arguments":{}}\n', 1],
  ['{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}\n', 1],
  ['{"execute":"qom-list","arguments":{"path":"/chardevs/compat_monitor0"}}\n', 1],
  ['{"execute":"qom-get","arguments":{"path":"/chardevs/compat_monitor0","property":"connected"}}\n', 1],
  ['{"execute":"qom-set","arguments":{"path":"/machine","property":"type","value":"x"}}\n', 1],
  ['{"execute":"qom-set","arguments":{"path":"/machine","property":"type"}}\n', 1],
  ['{"execute":"qom-list-types","arguments":{"abstract":"yes"}}\n', 1],
  ['{"execute":"qom-list-types","arguments":{"implements":"nonexist"}}\n', 1],
  ['{"execute":"query-name"}\n', 1],
  // HMP through QMP
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info status"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info name"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"foo"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info foo"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"stop extra"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info name extra"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"help cont"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"help foo"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":""}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info cpus"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info status","cpu-index":"x"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info status","cpu-index":1.5}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info status","cpu-index":99}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{}}\n', 1],
  // run state and events
  ['{"execute":"stop"}\n', 1],
  ['{"execute":"query-status"}\n', 1],
  ['{"execute":"cont","id":"c1"}\n', 1],
  ['{"execute":"cont"}\n', 1],
  ['{"execute":"query-status"}\n', 1],
  ['{"execute":"stop"}\n', 1],
  ['{"execute":"stop"}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info status"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"c"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"info status"}}\n', 1],
  ['{"execute":"human-monitor-command","arguments":{"command-line":"s"}}\n', 1],
  ['{"execute":"quit","id":"bye"}\n', 1],
];

function checkTimestamp(m: Msg): void {
  const ts = m.timestamp as { seconds: number; microseconds: number };
  assert.ok(Number.isInteger(ts.seconds) && Math.abs(ts.seconds - Date.now() / 1000) < 60, 'seconds');
  assert.ok(Number.isInteger(ts.microseconds) && ts.microseconds >= 0 && ts.microseconds < 1e6, 'microseconds');
  assert.deepEqual(Object.keys(m).slice(0, 2), ['timestamp', 'event']);
}

function normalize(msgs: Msg[]): Msg[] {
  return msgs.map((m) => {
    if (!('event' in m)) return m;
    checkTimestamp(m);
    const { timestamp: _t, ...rest } = m;
    return rest;
  });
}

/** The build-specific parts of VersionInfo: the micro version and the package. */
function maskVersion(raw: string): string {
  return raw.replace(/"micro": \d+/, '"micro": 0').replace(/"package": "[^"]*"/, '"package": "P"');
}

/** The bytes of replies, with event timestamps masked (their values are checked in normalize). */
function maskTimestamps(raw: string): string {
  return raw.replace(/"timestamp": \{"seconds": \d+, "microseconds": \d+\}/g, '"timestamp": T');
}

/** Runs CONVERSATION; `bytewise` sends each request one byte per write (QMP is a byte stream). */
async function converse(sockPath: string, bytewise = false): Promise<{ greeting: Msg; greetingRaw: string; replies: Msg[][]; raw: string[]; client: RawClient }> {
  const c = await RawClient.connect(sockPath);
  await c.waitFor((d) => d.includes('\n'));
  const first = c.take();
  const greeting = JSON.parse(first.trim()) as Msg;
  const greetingRaw = maskVersion(first);
  const replies: Msg[][] = [];
  const raw: string[] = [];
  for (const [text, n] of CONVERSATION) {
    if (bytewise) for (const ch of text.slice(0, -1)) c.write(ch);
    const msgs = await qmpExchange(c, bytewise ? text.slice(-1) : text, n, raw);
    replies.push(normalize(msgs));
  }
  return { greeting, greetingRaw, replies, raw: raw.map(maskTimestamps), client: c };
}

test('QMP conversation matches QEMU 7.2 message for message', async () => {
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-name', 'vm1',
    '-qmp', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
  let oracle;
  try {
    await waitForFile(join(qemu.dir, 'qmp.sock'));
    oracle = await converse(join(qemu.dir, 'qmp.sock'));
    assert.equal(await qemu.exited, 0, 'QEMU exits 0 after quit');
    oracle.client.close();
  } finally {
    await qemu.kill();
  }

  const fx = buildFixture();
  try {
    const sock = join(fx.dir, 'qmp.sock');
    await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'control');
    const ours = await converse(sock);
    ours.client.close();
    // A new client starts over in negotiation mode; the same bytes, split into single bytes, give the same replies.
    const { runstateSet } = await import('../../src/system/runstate.js');
    runstateSet('prelaunch');
    fx.shutdowns.length = 0;
    const bytewise = await converse(sock, true);
    bytewise.client.close();
    assert.deepEqual(bytewise.replies, ours.replies);

    // Greeting: same shape; the version is 7.2.x, the package names us.
    const g = ours.greeting.QMP as { version: { qemu: Record<string, number>; package: string }; capabilities: string[] };
    const og = oracle.greeting.QMP as typeof g;
    assert.deepEqual(Object.keys(ours.greeting), Object.keys(oracle.greeting));
    assert.deepEqual(Object.keys(g), Object.keys(og));
    assert.deepEqual(g.capabilities, og.capabilities);
    assert.deepEqual(Object.keys(g.version.qemu), Object.keys(og.version.qemu));
    assert.equal(g.version.qemu.major, og.version.qemu.major);
    assert.equal(g.version.qemu.minor, og.version.qemu.minor);
    assert.equal(g.version.package, `tsqemu-${TSQEMU_VERSION}`);
    assert.equal(ours.greetingRaw, oracle.greetingRaw);

    for (let i = 0; i < CONVERSATION.length; i++) {
      assert.deepEqual(ours.replies[i], oracle.replies[i], `request ${JSON.stringify(CONVERSATION[i]![0])}`);
      // Byte for byte too: key order, spacing, \r\n line ends.
      assert.equal(ours.raw[i], oracle.raw[i], `bytes of the reply to ${JSON.stringify(CONVERSATION[i]![0])}`);
    }
    assert.deepEqual(fx.shutdowns, ['host-qmp-quit']);
  } finally {
    fx.teardown();
  }
});

test('query-version and query-commands: ours are a subset of QEMU 7.2\'s, with its shapes', async () => {
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S',
    '-qmp', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
  let qemuCmds: string[];
  let qemuVersion: Msg;
  try {
    await waitForFile(join(qemu.dir, 'qmp.sock'));
    const c = await RawClient.connect(join(qemu.dir, 'qmp.sock'));
    await c.waitFor((d) => d.includes('\n'));
    await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
    qemuCmds = ((await qmpExchange(c, '{"execute":"query-commands"}\n'))[0]!.return as Array<{ name: string }>).map((x) => x.name);
    qemuVersion = (await qmpExchange(c, '{"execute":"query-version"}\n'))[0]!;
    c.close();
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  try {
    const sock = join(fx.dir, 'qmp.sock');
    await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'control');
    const c = await RawClient.connect(sock);
    await c.waitFor((d) => d.includes('\n'));
    await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
    const ours = ((await qmpExchange(c, '{"execute":"query-commands"}\n'))[0]!.return as Array<{ name: string }>).map((x) => x.name);
    const version = (await qmpExchange(c, '{"execute":"query-version"}\n'))[0]!;
    c.close();
    for (const n of ['qmp_capabilities', 'query-version', 'query-status', 'query-name', 'query-commands', 'qom-list',
      'qom-get', 'qom-set', 'qom-list-types', 'cont', 'stop', 'quit', 'human-monitor-command', 'query-cpus-fast']) {
      assert.ok(ours.includes(n), n);
    }
    for (const n of ours) assert.ok(qemuCmds.includes(n), `${n} is a QEMU 7.2 command`);
    const v = version.return as { qemu: Msg; package: string };
    const qv = qemuVersion.return as typeof v;
    assert.deepEqual(Object.keys(v), Object.keys(qv));
    assert.deepEqual(Object.keys(v.qemu), Object.keys(qv.qemu));
    assert.deepEqual([v.qemu.major, v.qemu.minor], [qv.qemu.major, qv.qemu.minor]);
  } finally {
    fx.teardown();
  }
});

test('-qmp-pretty: the same bytes as QEMU 7.2', async () => {
  const requests = [
    '{"execute":"qmp_capabilities"}\n',
    '{"execute":"query-status","id":[1,{}]}\n',
    '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}\n',
    '{"execute":"query-name"}\n',
    '{"execute":"cont"}\n',
    '{"foo\n',
  ];
  const run = async (sock: string): Promise<string[]> => {
    const c = await RawClient.connect(sock);
    await c.waitFor((d) => /\n}\r\n$/.test(d));
    const out = [maskVersion(c.take())];
    for (const r of requests) {
      c.write(r);
      await c.waitFor((d) => /\n}\r\n$/.test(d) && !/"event"[^}]*\r\n}\r\n$/.test(d));
      out.push(maskTimestamps(c.take().replace(/"seconds": \d+,\r\n\s+"microseconds": \d+/g, 'T')));
    }
    c.close();
    return out;
  };
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-name', 'vm1',
    '-qmp-pretty', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
  let theirs: string[];
  try {
    await waitForFile(join(qemu.dir, 'qmp.sock'));
    theirs = await run(join(qemu.dir, 'qmp.sock'));
  } finally {
    await qemu.kill();
  }
  const fx = buildFixture();
  try {
    const sock = join(fx.dir, 'qmp.sock');
    const p = monitorParse(`unix:${sock},server=on,wait=off`, 'control', true)!;
    await qemuChrNewFromOpts(p.chardev!).ready;
    monitorInitOpts(p.mon);
    assert.deepEqual(await run(sock), theirs);
  } finally {
    fx.teardown();
  }
});

test('quit: SHUTDOWN, then the return, then the connection closes as the process exits (as QEMU 7.2)', async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const { dirname, join: pjoin } = await import('node:path');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const quitSeq = async (sock: string): Promise<string[]> => {
    const c = await RawClient.connect(sock);
    await c.waitFor((d) => d.includes('\n'));
    await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
    c.take();
    c.write('{"execute":"quit","id":1}\n');
    await c.waitFor(() => c.closed, 10000);
    return c.take().split('\r\n').filter((l) => l).map((l) => JSON.stringify(normalize([JSON.parse(l) as Msg])[0]));
  };
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S',
    '-qmp', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
  let theirs: string[];
  try {
    await waitForFile(join(qemu.dir, 'qmp.sock'));
    theirs = await quitSeq(join(qemu.dir, 'qmp.sock'));
    assert.equal(await qemu.exited, 0);
  } finally {
    await qemu.kill();
  }
  const dir = mkdtempSync(pjoin(tmpdir(), 'tsqemu-quit-'));
  try {
    const child = pjoin(dirname(fileURLToPath(import.meta.url)), '..', 'chardev', 'stdio-child.js');
    const p = spawn(process.execPath, [child, 'qmp', pjoin(dir, 'q.sock')], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
    await waitForFile(pjoin(dir, 'q.sock'));
    const mine = await quitSeq(pjoin(dir, 'q.sock'));
    assert.equal(await exited, 0);
    assert.deepEqual(mine, theirs);
    assert.equal(theirs.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
