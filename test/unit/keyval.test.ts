/*
 * keyval.  The shape of the result follows the grammar documented at the
 * top of QEMU's util/keyval.c (dotted keys nest, all-index keys make lists,
 * the implied key only for the first item); what QEMU does with repeated
 * keys is read from qemu-system-x86_64 7.2 (-smp, whose value QEMU reports).
 * Every error message is also compared live in test/oracle/cli-oracle.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { keyvalParse, keyvalParseInto, keyvalMerge, keyvalDashify, keyvalDictNew, parseQapiName } from '../../src/util/keyval.js';

const QEMU = 'qemu-system-x86_64';

/* The CPU count QEMU ends up with, read from its "max CPUs" error on -M none. */
function qemuSmpCpus(args: string[]): string {
  const r = spawnSync(QEMU, ['-M', 'none', '-S', '-display', 'none', '-nodefaults', ...args], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 1, `${QEMU} must be installed`);
  return /Invalid SMP CPUs (\d+)\./.exec(r.stderr)![1]!;
}

const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

test('a repeated key: the last value wins, within one option and across merged options', () => {
  assert.equal(qemuSmpCpus(['-smp', 'cpus=3,cpus=2']), '2');
  assert.equal(qemuSmpCpus(['-smp', 'cpus=2,cpus=3']), '3');
  assert.equal(qemuSmpCpus(['-smp', '3', '-smp', '2']), '2');
  assert.equal(qemuSmpCpus(['-M', 'none,smp.cpus=4', '-smp', '3']), '3');

  assert.equal(keyvalParse('cpus=3,cpus=2', 'cpus').dict.cpus, '2');
  const machine = keyvalDictNew();
  keyvalParseInto(machine, 'none,smp.cpus=4', 'type');
  const smp = keyvalDictNew();
  smp.smp = keyvalParse('3', 'cpus').dict;
  keyvalMerge(machine, smp);
  assert.deepEqual(plain(machine), { type: 'none', smp: { cpus: '3' } });
});

test('dotted keys nest, index keys make lists, the implied key applies to the first item only', () => {
  const { dict, help } = keyvalParse('pc,memory.size=1G,a.b.c=1,a.b.d=2,l.0=x,l.1.k=y,type2=q', 'type');
  assert.equal(help, false);
  assert.deepEqual(plain(dict), {
    type: 'pc', memory: { size: '1G' }, a: { b: { c: '1', d: '2' } }, l: ['x', { k: 'y' }], type2: 'q',
  });
  // ",," escapes a comma in a value, but not in the implied value (7.2: -M pc,,x is an error).
  assert.deepEqual(plain(keyvalParse('k=a,,b,j=c').dict), { k: 'a,b', j: 'c' });
  assert.throws(() => keyvalParse('pc,,x', 'type'), { message: "Invalid parameter ''" });
  // Keys like "constructor" are plain keys.
  assert.deepEqual(plain(keyvalParse('constructor=1,__proto_x=2').dict), { constructor: '1', __proto_x: '2' });
  // A trailing comma is allowed; an empty string is an empty dict.
  assert.deepEqual(plain(keyvalParse('a=1,').dict), { a: '1' });
  assert.deepEqual(plain(keyvalParse('').dict), {});
  // Lists keep index order, whatever the order given.
  assert.deepEqual(plain(keyvalParse('l.1=b,l.0=a,l.2=c').dict), { l: ['a', 'b', 'c'] });
});

test('help: "help" or "?" as a whole item', () => {
  assert.equal(keyvalParse('help', 'type').help, true);
  assert.equal(keyvalParse('pc,help', 'type').help, true);
  assert.equal(keyvalParse('cpus=2,?', 'cpus').help, true);
  assert.deepEqual(plain(keyvalParse('help=1').dict), { help: '1' });
  assert.equal(keyvalParse('helpx=1').help, false);
  assert.throws(() => keyvalParse('a=1,help', undefined, false), { message: 'Help is not available for this option' });
});

test('errors, with the messages 7.2 prints (see cli-oracle)', () => {
  const cases: [string, string | undefined, string][] = [
    ['pc,usb', 'type', "Expected '=' after parameter 'usb'"],
    ['2,cpus', 'cpus', "Expected '=' after parameter 'cpus'"],
    ['none,a.b', 'type', "Expected '=' after parameter 'a.b'"],
    ['none,foo.1=a', 'type', "Parameter 'foo.0' missing"],
    ['none,a.1=x,a.0=y,a.3=z', 'type', "Parameter 'a.2' missing"],
    ['none,foo.a=1,foo=2', 'type', "Parameters 'foo.*' used inconsistently"],
    ['none,foo=2,foo.a=1', 'type', "Parameters 'foo.*' used inconsistently"],
    ['none,a.0=x,a.b=y', 'type', "Parameters 'a.*' used inconsistently"],
    ['none,1a=b', 'type', "Invalid parameter '1a'"],
    ['none,=x', 'type', "Invalid parameter ''"],
    ['none,a..b=1', 'type', "Invalid parameter 'a..b'"],
    ['none,' + 'x'.repeat(130) + '=1', 'type', `Parameter '${'x'.repeat(130)}' is too long`],
    ['none,a.' + 'x'.repeat(130) + '=1', 'type', `Parameter fragment '${'x'.repeat(130)}' is too long`],
  ];
  for (const [params, implied, msg] of cases) {
    assert.throws(() => keyvalParse(params, implied), { name: 'QemuError', message: msg }, params);
  }
});

test('keyvalMerge: dicts merge, lists append, a type clash is an error', () => {
  const dest = keyvalParse('a.x=1,l.0=p,s=old').dict;
  keyvalMerge(dest, keyvalParse('a.y=2,l.0=q,s=new').dict);
  assert.deepEqual(plain(dest), { a: { x: '1', y: '2' }, l: ['p', 'q'], s: 'new' });
  assert.throws(() => keyvalMerge(dest, keyvalParse('a=3').dict), { message: "Parameter 'a' used inconsistently" });
  assert.throws(() => keyvalMerge(dest, keyvalParse('a.x.z=3').dict), { message: "Parameter 'a.x' used inconsistently" });
});

test('keyvalDashify: "_" becomes "-" in top-level keys; both spellings conflict', () => {
  const d = keyvalParse('kernel_irqchip=on,kvm_shadow_mem=1,usb=off,smp.max_cpus=2').dict;
  keyvalDashify(d);
  assert.deepEqual(plain(d), { usb: 'off', smp: { max_cpus: '2' }, 'kernel-irqchip': 'on', 'kvm-shadow-mem': '1' });
  const c = keyvalParse('none,kernel_irqchip=on,kernel-irqchip=off', 'type').dict;
  assert.throws(() => keyvalDashify(c), { message: "Conflict between 'kernel_irqchip' and 'kernel-irqchip'" });
});

test('parseQapiName (qapi/qapi-util.c)', () => {
  assert.equal(parseQapiName('abc-d_e=1', 0), 7);
  assert.equal(parseQapiName('1abc', 0), -1);
  assert.equal(parseQapiName('__com.redhat_foo', 0), 16);
  assert.equal(parseQapiName('__com.redhat', 0), -1);
  assert.equal(parseQapiName('_x', 0), -1);
  assert.equal(parseQapiName('ab.c', 0, true), -1);
});
