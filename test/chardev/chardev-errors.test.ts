/*
 * -chardev messages against QEMU 7.2's stderr: each option string goes to
 * `qemu-system-x86_64 -chardev <s>` and to qemuChrNewFromOpts (after the
 * QemuOpts split, implied key "backend"); the message after QEMU's
 * "<prog>: -chardev <s>: " prefix must be ours, hint lines included.
 * Failures that happen while connecting or binding surface through `ready`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFixture } from '../monitor/fixture.js';
import { chardevHelpText, qemuChrNewFromOpts, type Chardev } from '../../src/chardev/char.js';
import { parseOptsTail } from '../../src/chardev/chardev-opts.js';
import { monitorInitOpts } from '../../src/monitor/monitor-init.js';
import { QemuError } from '../../src/util/error.js';

const QEMU_BASE = ['-display', 'none', '-nodefaults', '-machine', 'none', '-S'];

/** Runs QEMU with `args`; returns its stderr and exit status (it must exit on its own). */
function runQemu(args: string[]): { stderr: string; status: number | null; stdout: string } {
  const r = spawnSync('qemu-system-x86_64', [...QEMU_BASE, ...args], { encoding: 'utf8', timeout: 10000 });
  if (r.error) throw r.error;
  return { stderr: r.stderr, status: r.status, stdout: r.stdout };
}

function toOpts(s: string): Record<string, string> {
  const o: Record<string, string> = {};
  parseOptsTail(s, o, 'backend');
  return o;
}

/** Our message for one or more -chardev strings: the error of the last one, as text QEMU would print after the prefix. */
async function ours(strings: string[], extra?: () => void): Promise<string> {
  const fx = buildFixture();
  try {
    const made: Chardev[] = [];
    for (const s of strings) {
      const chr = qemuChrNewFromOpts(toOpts(s));
      made.push(chr);
      await chr.ready;
    }
    extra?.();
    return '(no error)';
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    return e.message + '\n' + (e.hint ? e.hint + '\n' : '');
  } finally {
    fx.teardown();
  }
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

test('-chardev errors match QEMU 7.2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-chr-'));
  const closedPort = await freePort();
  const busy: Server = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const busyPort = (busy.address() as { port: number }).port;
  const P = join(dir, 's.sock');
  const cases: string[][] = [
    ['null'],
    ['backend=null'],
    ['id=x'],
    ['file,id=c0'],
    ['foo,id=x'],
    ['null,id=a', 'null,id=a'],
    ['null,id=1a'],
    ['null,id=a,bogus=1'],
    ['null,id=a,mux=maybe'],
    ['stdio,id=s,signal=foo'],
    [`file,id=f,path=${dir}/nonexist/x`],
    [`file,id=f,path=${dir}`],
    ['mux,id=m'],
    ['mux,id=m,chardev=zz'],
    ['socket,id=s'],
    ['socket,id=s,port=1234'],
    ['socket,id=s,host=localhost'],
    [`socket,id=s,path=${P},host=1`],
    ['socket,id=s,host=127.0.0.1,port=abc'],
    [`socket,id=s,path=${P},server=on,wait=off,reconnect=1`],
    [`socket,id=s,path=${P},server=off,wait=off`],
    [`socket,id=s,path=${P},reconnect=x`],
    [`socket,id=s,path=${dir}/nonexist.sock`],
    [`socket,id=s,host=127.0.0.1,port=${closedPort}`],
    [`socket,id=s,host=127.0.0.1,port=${busyPort},server=on,wait=off`],
    ['file,id=f,path=/dev/null,logfile=/nonexistent-dir/log'],
  ];
  try {
    // QEMU runs in parallel; each exits at once on its error.
    const oracle = cases.map((strings) => {
      const r = runQemu(strings.flatMap((s) => ['-chardev', s]));
      assert.equal(r.status, 1, `QEMU rejects ${strings.join(' ')}: ${r.stderr}`);
      const prefix = `qemu-system-x86_64: -chardev ${strings[strings.length - 1]}: `;
      assert.ok(r.stderr.startsWith(prefix), r.stderr);
      return r.stderr.slice(prefix.length);
    });
    for (let i = 0; i < cases.length; i++) {
      assert.equal(await ours(cases[i]!), oracle[i], `-chardev ${cases[i]!.join(' -chardev ')}`);
    }
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mux takes four frontends; the fifth gets QEMU 7.2\'s message', async () => {
  const mons = Array.from({ length: 5 }, () => ['-mon', 'chardev=c']).flat();
  const r = runQemu(['-chardev', 'null,id=c,mux=on', ...mons]);
  const four = spawnSync('qemu-system-x86_64', [...QEMU_BASE, '-chardev', 'null,id=c,mux=on', ...mons.slice(0, 8)],
    { encoding: 'utf8', timeout: 1500 });
  assert.equal(four.stderr.includes('in use'), false, 'four are fine in QEMU');
  assert.equal(await ours(['null,id=c,mux=on'], () => {
    for (let i = 0; i < 4; i++) monitorInitOpts({ chardev: 'c' });
  }), '(no error)');
  assert.equal(r.status, 1);
  const prefix = 'qemu-system-x86_64: -mon chardev=c: ';
  assert.ok(r.stderr.startsWith(prefix), r.stderr);
  const msg = await ours(['null,id=c,mux=on'], () => {
    for (let i = 0; i < 5; i++) monitorInitOpts({ chardev: 'c' });
  });
  assert.equal(msg, r.stderr.slice(prefix.length));
});

test('-mon errors match QEMU 7.2', async () => {
  const cases = [
    ['-mon', 'chardev=nope'],
    ['-chardev', 'null,id=c', '-mon', 'chardev=c,mode=bogus'],
    ['-mon', 'mode=control'],
    ['-chardev', 'null,id=c', '-mon', 'chardev=c,mode=readline,pretty=on'],
    ['-chardev', 'null,id=c', '-mon', 'chardev=c', '-mon', 'chardev=c'],
  ];
  for (const args of cases) {
    const r = runQemu(args);
    assert.equal(r.status, 1);
    const prefix = `qemu-system-x86_64: -mon ${args[args.length - 1]}: `;
    assert.ok(r.stderr.startsWith(prefix), r.stderr);
    const msg = await ours(args.filter((_, i) => args[i - 1] === '-chardev'), () => {
      for (let i = 0; i < args.length; i++) {
        if (args[i] !== '-mon') continue;
        const o: Record<string, string> = {};
        parseOptsTail(args[i + 1]!, o, 'chardev');
        monitorInitOpts(o);
      }
    });
    assert.equal(msg, r.stderr.slice(prefix.length), args.join(' '));
  }
});

test('-chardev help lists our backends in QEMU 7.2\'s order and format', () => {
  buildFixture().teardown();
  const r = runQemu(['-chardev', 'help']);
  assert.equal(r.status, 0);
  const theirs = r.stdout.split('\n');
  const mine = chardevHelpText().split('\n');
  assert.equal(mine[0], theirs[0]);
  const names = mine.slice(1).filter((l) => l);
  assert.deepEqual(names, ['  stdio', '  mux', '  null', '  socket', '  file']);
  // Same relative order as QEMU's list.
  const positions = names.map((n) => theirs.indexOf(n));
  assert.ok(positions.every((p) => p > 0), 'every backend of ours is one of QEMU\'s');
  assert.deepEqual([...positions].sort((a, b) => a - b), positions);
});

test('backends we lack fail plainly instead of pretending', async () => {
  assert.equal(await ours(['pty,id=p']), 'chardev: pty: not supported yet\n');
  assert.equal(await ours(['socket,id=s,path=/tmp/x.sock,server=on,wait=off,telnet=on']),
    'chardev: socket: telnet is not supported yet\n');
  // QEMU has both (its own oracle for "these exist"): pty and telnet sockets start fine there.
  const r = runQemu(['-chardev', 'null,id=x', '-chardev', 'help']);
  assert.match(r.stdout, /\n {2}pty\n/);
});
