/*
 * Fuzzing the command-line layer with fast-check: whatever the input,
 * QemuOpts, keyval, qemu_strtosz, the JSON parser and the argv walk either
 * succeed or throw QemuError / QemuExit with a one-line message (a user
 * error never shows a stack trace).  Round trips check the grammar: what is
 * written with QEMU's escaping parses back to the same keys and values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QemuError, QemuExit, setStderrWriter } from '../../src/util/error.js';
import { qemuOptsParseNoisily, qemuOptsToQdict, setStdoutWriter, qemuOptGet } from '../../src/util/qemu-option.js';
import { keyvalParse, keyvalMerge, keyvalDashify } from '../../src/util/keyval.js';
import { qemuStrtosz, qemuStrtou64, qemuStrtoi, EINVAL, ERANGE } from '../../src/util/cutils.js';
import { qobjectFromJson } from '../../src/util/qjson.js';
import { qemuOptionsWalk } from '../../src/system/qemu-options.js';
import { createVlOptsLists } from '../../src/system/opts-lists.js';
import { parseCommandLineForOracle } from '../oracle/cli-harness.js';

/*
 * Runs fn with stdout/stderr swallowed; checks that it only fails the way a
 * user error may.  QEMU echoes user text in some messages ("Invalid parameter
 * 'a<newline>b'"), so a message may only span lines when the input does.
 */
function onlyUserErrors(fn: () => void, input: string): void {
  const oldErr = setStderrWriter(() => undefined);
  const oldOut = setStdoutWriter(() => undefined);
  try {
    fn();
  } catch (e) {
    if (e instanceof QemuExit) return;
    if (!(e instanceof QemuError)) throw e;
    if (!input.includes('\n')) assert.ok(!e.message.includes('\n'), `multi-line message: ${JSON.stringify(e.message)}`);
    assert.ok(e.message.length > 0);
  } finally {
    setStderrWriter(oldErr);
    setStdoutWriter(oldOut);
  }
}

/* Strings made of the characters the grammars care about, plus some words. */
const piece = fc.oneof(
  fc.constantFrom(',', ',,', '=', '.', '?', 'help', 'no', 'id', 'id=', 'a', 'b', '0', '1', 'x', 'on', 'off', '0x', 'k',
    'G', 'E', '-', ' ', '_', '__', '{', '}', '"', "'", ':', '[', ']', '\\', 'e', '%', 'size', 'base', 'type', 'cpus',
    '\n', '\t', '\u00e9', '\ud83d\ude00', '\u0000'),
  fc.string({ maxLength: 4 }),
);
const fuzzString = fc.array(piece, { maxLength: 16 }).map((a) => a.join(''));

test('QemuOpts: any string parses or fails with a one-line QemuError', () => {
  const names = ['rtc', 'chardev', 'device', 'memory', 'name', 'netdev', 'vnc', 'drive', 'add-fd', 'icount'];
  fc.assert(fc.property(fc.constantFrom(...names), fuzzString, fc.boolean(), (list, s, abbrev) => {
    const lists = createVlOptsLists();
    onlyUserErrors(() => { qemuOptsParseNoisily(lists.get(list)!, s, abbrev && !!lists.get(list)!.impliedOptName); }, s);
  }), { numRuns: 2000 });
});

const key = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const value = fc.string({ maxLength: 12 });

test('QemuOpts round trip: key=value items with ",," escaping parse back in order', () => {
  fc.assert(fc.property(fc.array(fc.tuple(key.filter((k) => k !== 'id'), value), { maxLength: 8 }), (items) => {
    const s = items.map(([k, v]) => `${k}=${v.replace(/,/g, ',,')}`).join(',');
    const opts = qemuOptsParseNoisily(createVlOptsLists().get('device')!, s, false)!;
    assert.deepEqual(opts.head.map((o) => [o.name, o.str]), items);
    for (const [k] of items) assert.equal(qemuOptGet(opts, k), [...items].reverse().find(([kk]) => kk === k)![1]);
    assert.equal(Object.keys(qemuOptsToQdict(opts)).length, new Set(items.map(([k]) => k)).size);
  }), { numRuns: 500 });
});

test('keyval: any string parses or fails with a one-line QemuError; merge and dashify too', () => {
  fc.assert(fc.property(fuzzString, fuzzString, fc.option(fc.constantFrom('type', 'cpus')), (a, b, implied) => {
    onlyUserErrors(() => {
      const x = keyvalParse(a, implied ?? undefined).dict;
      const y = keyvalParse(b).dict;
      keyvalMerge(x, y);
      keyvalDashify(x);
    }, a + b);
  }), { numRuns: 2000 });
});

type Tree = { [k: string]: string | Tree };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, value, tie('t')), { maxKeys: 4 })
    .filter((d) => Object.values(d).every((v) => typeof v === 'string' || Object.keys(v).length > 0)),
})).t;

function flatten(t: Tree, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'string') out.push(`${prefix}${k}=${v.replace(/,/g, ',,')}`);
    else flatten(v, `${prefix}${k}.`, out);
  }
}

test('keyval round trip: a nested dict written as dotted keys parses back', () => {
  fc.assert(fc.property(tree, (t) => {
    const items: string[] = [];
    flatten(t, '', items);
    const { dict, help } = keyvalParse(items.join(','));
    assert.equal(help, false);
    assert.deepEqual(JSON.parse(JSON.stringify(dict)), t);
  }), { numRuns: 500 });
});

test('qemu_strtosz: no throw; value < 2^64; n<suffix> is n * 1024^k', () => {
  const oldErr = setStderrWriter(() => undefined); // the hex+suffix deprecation warning
  try {
    fc.assert(fc.property(fuzzString, (s) => {
      for (const r of [qemuStrtosz(s), qemuStrtou64(s), qemuStrtoi(s)]) {
        assert.ok([0, -EINVAL, -ERANGE].includes(r.err));
      }
      const r = qemuStrtosz(s);
      if (r.err === 0) {
        assert.ok(BigInt(r.text) < 1n << 64n);
        assert.equal(r.value, Number(BigInt(r.text)));
      }
    }), { numRuns: 2000 });
  } finally {
    setStderrWriter(oldErr);
  }
  const suffixes: [string, bigint][] = [['', 0n], ['B', 0n], ['k', 1n], ['K', 1n], ['M', 2n], ['G', 3n], ['T', 4n],
    ['P', 5n], ['E', 6n], ['e', 6n], ['g', 3n]];
  fc.assert(fc.property(fc.bigUintN(64), fc.integer({ min: 0, max: suffixes.length - 1 }), (n, k) => {
    const [suffix, power] = suffixes[k]!;
    const r = qemuStrtosz(`${n}${suffix}`);
    const exp = n * 1024n ** power;
    if (exp < 1n << 64n) assert.deepEqual([r.err, r.text], [0, exp.toString()]);
    else assert.equal(r.err, -ERANGE);
  }), { numRuns: 1000 });
});

test('JSON: any string parses or fails with a one-line QemuError; valid JSON gives JSON.parse\'s value', () => {
  fc.assert(fc.property(fuzzString, (s) => onlyUserErrors(() => { qobjectFromJson(s); }, s)), { numRuns: 2000 });
  fc.assert(fc.property(fc.jsonValue(), (v) => {
    const text = JSON.stringify(v);
    assert.deepEqual(JSON.parse(JSON.stringify(qobjectFromJson(text))), JSON.parse(text));
  }), { numRuns: 1000 });
});

test('argv walk and the whole parse step: only QemuError / QemuExit', () => {
  const word = fc.oneof(
    fc.constantFrom('-m', '--m', '-rtc', '-M', '-smp', '-boot', '-chardev', '-device', '-name', '-g', '-S', '-h', '-foo',
      '-', '--', '-set', '-global', '-accel', '-object', '-netdev', '-version', '-no-user-config', '-drive', '-msg'),
    fuzzString,
  );
  fc.assert(fc.property(fc.array(word, { maxLength: 8 }), (args) => {
    onlyUserErrors(() => { for (const item of qemuOptionsWalk(['tsqemu-system-x86_64', ...args])) void item; }, args.join(' '));
    const r = parseCommandLineForOracle(['tsqemu-system-x86_64', ...args]);
    assert.ok(r.status === undefined || r.status === 0 || r.status === 1);
  }), { numRuns: 1000 });
});
