/*
 * QemuOpts.  Where QEMU shows the effect of a parse, the expected value is
 * read from qemu-system-x86_64 7.2 run here; the rest follows
 * util/qemu-option.c (named in each test).  Messages and help texts are
 * covered line by line in test/oracle/cli-oracle.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  qemuOptsParseNoisily, qemuOptsParse, qemuOptGet, qemuOptGetBool, qemuOptGetNumber, qemuOptGetSize, qemuOptsFind,
  qemuOptsForeach, qemuOptForeach, qemuOptsToQdict, qemuOptsValidate, qemuOptsSetDefaults, qemuOptSet, qemuOptUnset,
  qemuOptGetDel, qemuFindOptsSingleton, hasHelpOption, qemuOptsHelpText, setStdoutWriter, QemuOptType,
  qemuOptsListNew, type QemuOpts,
} from '../../src/util/qemu-option.js';
import { QemuError, setStderrWriter, withLoc, errorInit } from '../../src/util/error.js';
import { createVlOptsLists, qemuFindOpts } from '../../src/system/opts-lists.js';

const QEMU = 'qemu-system-x86_64';
const BASE = ['-M', 'none', '-S', '-display', 'none', '-nodefaults'];

function qemuStderr(args: string[]): string {
  const r = spawnSync(QEMU, [...BASE, ...args], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 1, `${QEMU} must be installed and fail on ${args.join(' ')}`);
  return r.stderr;
}

function captureStderr<T>(fn: () => T): { value: T; stderr: string } {
  let stderr = '';
  const old = setStderrWriter((t) => { stderr += t; });
  try {
    return { value: fn(), stderr };
  } finally {
    setStderrWriter(old);
  }
}

test('merge_lists: every -m joins one QemuOpts and the last value of a key wins', () => {
  // QEMU prints the maxmem it kept: 0x800.
  const q = qemuStderr(['-m', '15E,maxmem=1K,maxmem=3K', '-m', 'maxmem=2K']);
  const kept = BigInt('0x' + /maximum memory size \(0x([0-9a-f]+)\)/.exec(q)![1]);
  const lists = createVlOptsLists();
  const mem = qemuFindOpts(lists, 'memory');
  const a = qemuOptsParseNoisily(mem, '15E,maxmem=1K,maxmem=3K', true)!;
  const b = qemuOptsParseNoisily(mem, 'maxmem=2K', true)!;
  assert.equal(a, b);
  assert.equal(mem.head.length, 1);
  assert.equal(BigInt(qemuOptGetSize(a, 'maxmem', 0)), kept);
  assert.equal(qemuOptGet(a, 'size'), '15E');
  // The options stay in the order given.
  assert.deepEqual(a.head.map((o) => [o.name, o.str]),
    [['size', '15E'], ['maxmem', '1K'], ['maxmem', '3K'], ['maxmem', '2K']]);
});

test('",," is a comma inside a value: -chardev file,path=a,,b creates "a,b"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-opts-'));
  const arg = `file,id=c0,path=${dir}/a,,b`;
  const child = spawn(QEMU, [...BASE, '-chardev', arg], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 10000;
    while (!existsSync(join(dir, 'a,b')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(join(dir, 'a,b')), 'QEMU created the file named with a comma');
  } finally {
    child.kill('SIGKILL');
  }
  const opts = qemuOptsParseNoisily(qemuFindOpts(createVlOptsLists(), 'chardev'), arg, true)!;
  assert.equal(qemuOptGet(opts, 'path'), `${dir}/a,b`);
  assert.equal(qemuOptGet(opts, 'backend'), 'file');
  assert.equal(opts.id, 'c0');
});

test('qemuOptsForeach runs each QemuOpts at the location where it was given', () => {
  errorInit(QEMU);
  // QEMU reports a chardev that fails to open with the -chardev option as location.
  const q = qemuStderr(['-chardev', 'file,id=c,path=/nonexistent/x']);
  const lists = createVlOptsLists();
  const chardev = qemuFindOpts(lists, 'chardev');
  const arg = 'file,id=c,path=/nonexistent/x';
  withLoc(`-chardev ${arg}`, () => qemuOptsParseNoisily(chardev, arg, true));
  let err: QemuError | undefined;
  qemuOptsForeach(chardev, (opts: QemuOpts) => {
    err = new QemuError(`Could not open '${qemuOptGet(opts, 'path')}': No such file or directory`);
    return 1;
  });
  assert.equal(err!.format(), q);
});

test('qemuOptsForeach stops at the first non-zero return', () => {
  const list = qemuFindOpts(createVlOptsLists(), 'device');
  for (const d of ['a', 'b', 'c']) qemuOptsParseNoisily(list, d, true);
  const seen: string[] = [];
  const r = qemuOptsForeach(list, (o) => { seen.push(qemuOptGet(o, 'driver')!); return seen.length === 2 ? 7 : 0; });
  assert.equal(r, 7);
  assert.deepEqual(seen, ['a', 'b']);
});

test('ids: kept, looked up, and unique per list (Duplicate ID as in 7.2)', () => {
  const lists = createVlOptsLists();
  const nd = qemuFindOpts(lists, 'netdev');
  const o = qemuOptsParseNoisily(nd, 'user,id=n0,hostfwd=tcp::1-:22', true)!;
  assert.equal(qemuOptsFind(nd, 'n0'), o);
  assert.equal(qemuOptsFind(nd, 'n1'), undefined);
  assert.throws(() => qemuOptsParseNoisily(nd, 'tap,id=n0', true), { message: "Duplicate ID 'n0' for netdev" });
  assert.deepEqual(qemuOptsToQdict(o), { id: 'n0', type: 'user', hostfwd: 'tcp::1-:22' });
  // opts_parse_id() takes the first id=; the rest are ignored by opts_do_parse().
  const o2 = qemuOptsParseNoisily(nd, 'user,id=n2,id=n3', true)!;
  assert.equal(o2.id, 'n2');
  assert.deepEqual(qemuOptsToQdict(o2), { id: 'n2', type: 'user' });
});

test('typed values: bool spellings, numbers with base 0, sizes', () => {
  const lists = createVlOptsLists();
  const o = qemuOptsParseNoisily(qemuFindOpts(lists, 'chardev'),
    'socket,id=s,server=yes,wait=n,reconnect=0x10,cols=010,size=1.5K', true)!;
  assert.equal(qemuOptGetBool(o, 'server', false), true);
  assert.equal(qemuOptGetBool(o, 'wait', true), false);
  assert.equal(qemuOptGetBool(o, 'telnet', true), true); // absent: the default
  assert.equal(qemuOptGetNumber(o, 'reconnect', 0), 16);
  assert.equal(qemuOptGetNumber(o, 'cols', 0), 8);
  assert.equal(qemuOptGetSize(o, 'size', 0), 1536);
});

test('short-form booleans: value on/off, the two-line warning, no warning from qemuOptsParse', () => {
  errorInit(QEMU);
  const q = qemuStderr(['-chardev', 'null,id=x,nomux,foo']);
  const lists = createVlOptsLists();
  const arg = 'null,id=x,nomux,foo';
  const { value: error, stderr } = captureStderr(() => withLoc(`-chardev ${arg}`, () => {
    try {
      qemuOptsParseNoisily(qemuFindOpts(lists, 'chardev'), arg, true);
    } catch (e) {
      return (e as QemuError).format();
    }
    return '';
  }));
  // The warnings go to stderr at once; the error is printed by the top level.
  assert.equal(stderr + error, q);
  // qemu_opts_parse() (warn_on_flag false) is silent.
  const mon = qemuOptsListNew({ name: 't', desc: [{ name: 'mux', type: QemuOptType.BOOL }] });
  const silent = captureStderr(() => qemuOptsParse(mon, 'nomux', false));
  assert.equal(silent.stderr, '');
  assert.equal(qemuOptGetBool(silent.value, 'mux', true), false);
});

test('help: printed on stdout for a list with keys; a plain key for an "accept any" list', () => {
  let out = '';
  const old = setStdoutWriter((t) => { out += t; });
  try {
    const lists = createVlOptsLists();
    const rtc = qemuFindOpts(lists, 'rtc');
    assert.equal(qemuOptsParseNoisily(rtc, 'base=utc,help', false), undefined);
    assert.equal(out, qemuOptsHelpText(rtc, true));
    assert.equal(rtc.head.length, 0);
    const dev = qemuOptsParseNoisily(qemuFindOpts(lists, 'device'), 'e1000,help', true)!;
    assert.equal(qemuOptGet(dev, 'help'), 'on');
    assert.equal(hasHelpOption('e1000,help'), true);
    assert.equal(hasHelpOption('e1000,x=help'), false);
    assert.equal(hasHelpOption('?'), true);
  } finally {
    setStdoutWriter(old);
  }
});

test('qemuOptsHelpText: no keys, padding (qemu_opts_print_help)', () => {
  // The padding rule as 7.2 prints it: "  file=<str>             - Sets..." (-fw_cfg help)
  // and "  debug-threads=<bool (on/off)> - When..." (-name help): pad to 24, then " - ".
  assert.equal(qemuOptsHelpText({ name: 'x', desc: [] }, true), 'There are no options for x.\n');
  const t = qemuOptsHelpText({
    name: 'y', desc: [
      { name: 'b', type: QemuOptType.SIZE, help: 'bee' },
      { name: 'a-very-long-name', type: QemuOptType.BOOL, help: 'long' },
      { name: 'c', type: QemuOptType.NUMBER },
    ],
  }, false);
  assert.equal(t, '  a-very-long-name=<bool (on/off)> - long\n  b=<size>               - bee\n  c=<num>\n');
});

test('set, unset, get_del, singleton, set_defaults, validate', () => {
  const lists = createVlOptsLists();
  const name = qemuFindOpts(lists, 'name');
  const s = qemuFindOptsSingleton(name);
  assert.equal(qemuFindOptsSingleton(name), s);
  qemuOptSet(s, 'guest', 'g1');
  assert.throws(() => qemuOptSet(s, 'debug-threads', 'maybe'), { message: "Parameter 'debug-threads' expects 'on' or 'off'" });
  assert.throws(() => qemuOptSet(s, 'nope', '1'), { message: "Invalid parameter 'nope'" });
  qemuOptsSetDefaults(name, 'guest=dflt,process=p', false);
  assert.equal(qemuOptGet(s, 'guest'), 'g1'); // defaults are prepended: given values win
  assert.equal(qemuOptGet(s, 'process'), 'p');
  assert.equal(qemuOptGetDel(s, 'guest'), 'g1');
  assert.equal(qemuOptGet(s, 'guest'), undefined);
  assert.equal(qemuOptUnset(s, 'process'), true);
  assert.equal(qemuOptUnset(s, 'process'), false);
  const names: string[] = [];
  qemuOptForeach(s, (n) => { names.push(n); });
  assert.deepEqual(names, []);

  const nd = qemuOptsParseNoisily(qemuFindOpts(lists, 'netdev'), 'user,id=u,ipv4=maybe', true)!;
  assert.throws(() => qemuOptsValidate(nd, [{ name: 'type', type: QemuOptType.STRING },
    { name: 'ipv4', type: QemuOptType.BOOL }]), { message: "Parameter 'ipv4' expects 'on' or 'off'" });
  assert.throws(() => qemuOptsValidate(nd, [{ name: 'type', type: QemuOptType.STRING }]), { message: "Invalid parameter 'ipv4'" });
});
