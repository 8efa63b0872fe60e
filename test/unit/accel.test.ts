import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moduleCallInit } from '../../src/system/modules.js';
import { accelHelpText, accelReset, configureAccelerators } from '../../src/accel/accel.js';
import { QemuError, QemuExit, setStderrWriter, errorInit } from '../../src/util/error.js';

// Expected texts are QEMU 7.2's, observed with qemu-system-x86_64 7.2 on this machine
// (-accel help; -accel foo; -M none,accel=foo; thread=bogus; -accel + -machine accel=).
moduleCallInit('qom');
errorInit('tsqemu-system-x86_64');

function capture(fn: () => unknown): { out: string; err: unknown } {
  let out = '';
  const old = setStderrWriter((t) => (out += t));
  let err: unknown;
  try { fn(); } catch (e) { err = e; } finally { setStderrWriter(old); }
  accelReset();
  return { out, err };
}

test('-accel help lists tcg then kvm, as 7.2 does', () => {
  assert.equal(accelHelpText(), 'Accelerators supported in QEMU binary:\ntcg\nkvm\n');
});

test('the default is TCG', () => {
  const r = capture(() => configureAccelerators(undefined, []));
  assert.equal(r.err, undefined);
  assert.equal(r.out, '');
});

test('unknown accelerator names', () => {
  const a = capture(() => configureAccelerators(undefined, [{ loc: '-accel foo', props: { accel: 'foo' } }]));
  assert.ok(a.err instanceof QemuError);
  assert.equal((a.err as QemuError).format(), 'tsqemu-system-x86_64: -accel foo: invalid accelerator foo\n');
  const m = capture(() => configureAccelerators('foo', []));
  assert.equal(m.out, 'tsqemu-system-x86_64: invalid accelerator foo\n');
  assert.ok(m.err instanceof QemuExit && m.err.status === 1);
});

test('accel properties are validated with QEMU\'s messages', () => {
  const t = capture(() => configureAccelerators(undefined, [{ loc: '-accel tcg,thread=bogus', props: { accel: 'tcg', thread: 'bogus' } }]));
  assert.equal((t.err as QemuError).format(), "tsqemu-system-x86_64: -accel tcg,thread=bogus: Invalid 'thread' setting bogus\n");
  const p = capture(() => configureAccelerators(undefined, [{ loc: '-accel tcg,foo=bar', props: { accel: 'tcg', foo: 'bar' } }]));
  assert.equal((p.err as QemuError).format(), "tsqemu-system-x86_64: -accel tcg,foo=bar: Property 'tcg-accel.foo' not found\n");
  const k = capture(() => configureAccelerators(undefined, [{ loc: '-accel kvm,kernel-irqchip=bogus', props: { accel: 'kvm', 'kernel-irqchip': 'bogus' } }]));
  assert.equal((k.err as QemuError).format(), "tsqemu-system-x86_64: -accel kvm,kernel-irqchip=bogus: Parameter 'kernel-irqchip' does not accept value 'bogus'\n");
  const both = capture(() => configureAccelerators('tcg', [{ loc: '-accel tcg', props: { accel: 'tcg' } }]));
  assert.equal((both.err as QemuError).message, 'The -accel and "-machine accel=" options are incompatible');
});
// kvm:tcg selection and its fallback lines are compared with QEMU 7.2 in test/kvm/kvm-accel-select.test.ts.
