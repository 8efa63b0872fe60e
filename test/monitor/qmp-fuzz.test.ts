/*
 * Differential fuzzing of QMP input against QEMU 7.2: seeded random byte
 * strings built from JSON-ish pieces (valid and broken requests, numbers at
 * the int64/uint64/double edges, typed arguments) go to both servers;
 * each is followed by 0xFF (which resets QEMU's JSON lexer and streamer) and a
 * numbered query-name, so the replies of each case can be told apart.  Every
 * reply must be byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RawClient, qmpExchange, spawnQemu, waitForFile } from './raw-client.js';
import { addCompatMonitor, buildFixture } from './fixture.js';

const PIECES = [
  '{', '}', '[', ']', ':', ',', ' ', '\n', '\t', '\r',
  '"execute"', '"query-name"', '"query-status"', '"arguments"', '"id"', '"exec-oob"', '"qom-get"', '"path"',
  '"property"', '"/machine"', '"type"', '"bogus"',
  '0', '1', '-1', '01', '1.5', '1e3', '-', '.', 'e', '1.', '9007199254740991',
  'true', 'false', 'null', 'nul', 'tru', 'x',
  "'sq'", "'it\\'s'", '"\\u00e9"', '"\\ud83d\\ude00"', '"\\x"', '"\\u12"', '"a\\"b"', '"caf\u00e9"', '"\\n"',
  '%', '@', '#', '\\', '"', "'",
  '1e-5', '0.0001', '-0', '-0.0', '12345678901234567890', '123456789012345678901234', '1E400', '-9223372036854775809',
  '2.5e-7', '1.0', '100000000000000000000.5',
  '"human-monitor-command"', '"command-line"', '"cpu-index"', '"info status"', '"qom-list-types"', '"abstract"',
  '"implements"', '"qmp_capabilities"', '"enable"', '["oob"]', '"oob"',
];

/** A small seeded PRNG (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeCases(n: number, seed: number): string[] {
  const r = rng(seed);
  const cases: string[] = [];
  for (let i = 0; i < n; i++) {
    // Half start from a well-formed request, then get pieces inserted.
    const seeds = ['', '{"execute":"query-name","arguments":{},"id":1}',
      '{"execute":"human-monitor-command","arguments":{"command-line":"info name","cpu-index":0},"id":2}',
      '{"execute":"qom-list-types","arguments":{"implements":"container","abstract":false}}'];
    let s = seeds[Math.floor(r() * seeds.length)]!;
    const k = 1 + Math.floor(r() * 8);
    for (let j = 0; j < k; j++) {
      const piece = PIECES[Math.floor(r() * PIECES.length)]!;
      const at = Math.floor(r() * (s.length + 1));
      s = s.slice(0, at) + piece + s.slice(at);
    }
    cases.push(s);
  }
  return cases;
}

const CASES = makeCases(Number(process.env.FUZZ_N ?? 600), Number(process.env.FUZZ_SEED ?? 0x7e51));

async function run(sock: string): Promise<string[]> {
  const c = await RawClient.connect(sock);
  await c.waitFor((d) => d.includes('\n'));
  await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
  c.take();
  const out: string[] = [];
  for (let i = 0; i < CASES.length; i++) {
    const tag = `"sync-${i}"`;
    c.sock.write(Buffer.concat([Buffer.from(CASES[i]!, 'utf8'), Buffer.from([0xff]),
      Buffer.from(`{"execute":"query-name","id":${tag}}\n`)]));
    await c.waitFor((d) => d.includes(`${tag}}\r\n`));
    out.push(c.take());
  }
  c.close();
  return out;
}

test('random QMP input: byte-identical replies to QEMU 7.2', async () => {
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S', '-name', 'vm1',
    '-qmp', 'unix:@DIR@/qmp.sock,server=on,wait=off']);
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
    await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'control');
    const mine = await run(sock);
    for (let i = 0; i < CASES.length; i++) {
      if (mine[i] !== theirs[i]) console.log(JSON.stringify({ input: CASES[i], mine: mine[i], theirs: theirs[i] }, null, 1));
      assert.equal(mine[i], theirs[i], `case ${i}: ${JSON.stringify(CASES[i])}`);
    }
  } finally {
    fx.teardown();
  }
});
