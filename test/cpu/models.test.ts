import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshCpuWorld, qemuQmp, requireTool, QEMU72_TCG_FEATURES, captureStderr } from './helpers.js';
import { objectNew, objectPropertyGet, objectPropertySet } from '../../src/qom/object.js';
import {
  x86CpuExpandFeatures, x86CpuSetDefaultVersion, CPU_VERSION_LEGACY, type X86CPU,
} from '../../src/target/i386/cpu.js';
import { x86CpuDefinitions, x86CpuModelExpansion } from '../../src/target/i386/cpu-query.js';
import { featureBitsByName, featurePropertyAliases } from '../../src/target/i386/cpu-features.js';
import { QemuError } from '../../src/util/error.js';

// Oracle: QEMU 7.2's query-cpu-definitions and query-cpu-model-expansion (type=full) under TCG, -M none.
type Props = Record<string, unknown>;
interface Def { name: string; typename: string; 'alias-of'?: string; static: boolean; deprecated: boolean;
  'migration-safe': boolean; 'unavailable-features': string[] }

requireTool('qemu-system-x86_64');
const defs = qemuQmp(['-M', 'none', '-accel', 'tcg'], [{ execute: 'query-cpu-definitions' }])[0]!.return as Def[];
const versioned = defs.filter((d) => !d['alias-of'] && d.name !== 'host').map((d) => d.name);
const expand = (props?: Props) => versioned.map((name) => ({
  execute: 'query-cpu-model-expansion', arguments: { type: 'full', model: props ? { name, props } : { name } },
}));
const plain = qemuQmp(['-M', 'none', '-accel', 'tcg'], expand());
const withVmxSvm = qemuQmp(['-M', 'none', '-accel', 'tcg'], expand({ vmx: true, svm: true }));

const SCALARS = ['family', 'model', 'stepping', 'vendor', 'model-id', 'level', 'xlevel', 'xlevel2', 'min-level',
  'min-xlevel', 'min-xlevel2', 'level-func7', 'legacy-cache'];
const FEATURES = [...featureBitsByName.keys(), ...Object.keys(featurePropertyAliases)];

function compareExpansion(name: string, qemu: Props, props?: Props): void {
  const cpu = objectNew(`${name}-x86_64-cpu`) as X86CPU;
  for (const [k, v] of Object.entries(props ?? {})) objectPropertySet(cpu, k, v);
  captureStderr(() => x86CpuExpandFeatures(cpu));
  for (const k of [...SCALARS, ...FEATURES]) {
    assert.ok(k in qemu, `QEMU 7.2 has property ${k}`);
    assert.deepEqual(objectPropertyGet(cpu, k), qemu[k], `${name}${props ? ' +vmx +svm' : ''}: ${k}`);
  }
}

test('every versioned model expands as in QEMU 7.2 (TCG), with and without vmx/svm', () => {
  freshCpuWorld();
  assert.ok(versioned.length > 70);
  versioned.forEach((name, i) => {
    compareExpansion(name, (plain[i]!.return as { model: { props: Props } }).model.props);
    compareExpansion(name, (withVmxSvm[i]!.return as { model: { props: Props } }).model.props, { vmx: true, svm: true });
  });
});

test('the test\'s TCG mask table is QEMU 7.2\'s: "max" expands to the same features', () => {
  // max turns on everything the accelerator supports (minus no-autoenable bits); this
  // checks QEMU72_TCG_FEATURES, which the CPUID and filtering tests rely on.
  assert.ok(Object.keys(QEMU72_TCG_FEATURES).length > 5);
  freshCpuWorld();
  compareExpansion('max', (plain[versioned.indexOf('max')]!.return as { model: { props: Props } }).model.props);
});

test('query-cpu-definitions matches QEMU 7.2 (names, aliases, flags, TCG unavailable-features)', () => {
  freshCpuWorld();
  const ours = captureStderr(() => x86CpuDefinitions()).value!;
  const byName = new Map(ours.map((d) => [d.name, d]));
  assert.deepEqual([...byName.keys()].sort(), defs.map((d) => d.name).sort());
  for (const q of defs) {
    const o = byName.get(q.name)!;
    assert.equal(o.typename, q.typename, q.name);
    assert.equal(o['alias-of'], q['alias-of'], `${q.name} alias-of`);
    assert.equal(o.static, q.static, `${q.name} static`);
    assert.equal(o.deprecated, q.deprecated, `${q.name} deprecated`);
    assert.equal(o['migration-safe'], q['migration-safe'], `${q.name} migration-safe`);
    assert.deepEqual(o['unavailable-features'], q['unavailable-features'], `${q.name} unavailable-features`);
  }
});

test('machine-type default version: legacy drops the alias (pc-4.0 and older)', () => {
  // Oracle: QEMU 7.2 with -M pc-i440fx-4.0 reports "SandyBridge" with no alias-of.
  const q = qemuQmp(['-M', 'pc-i440fx-4.0', '-accel', 'tcg', '-S'], [{ execute: 'query-cpu-definitions' }])[0]!.return as Def[];
  freshCpuWorld();
  x86CpuSetDefaultVersion(CPU_VERSION_LEGACY);
  const ours = captureStderr(() => x86CpuDefinitions()).value!;
  for (const name of ['SandyBridge', 'SandyBridge-IBRS', 'Haswell', 'EPYC']) {
    assert.equal(ours.find((d) => d.name === name)!['alias-of'], q.find((d) => d.name === name)!['alias-of'], name);
  }
});

test('query-cpu-model-expansion (static and full, with props, and errors) matches QEMU 7.2', () => {
  const cases: Array<{ type: 'static' | 'full'; model: { name: string; props?: Props } }> = [
    { type: 'static', model: { name: 'SandyBridge', props: { vme: true, sse3: false } } },
    { type: 'full', model: { name: 'EPYC-Rome', props: { 'model-id': 'x', svm: false } } },
    { type: 'full', model: { name: 'host' } },
    { type: 'static', model: { name: 'base' } },
    { type: 'full', model: { name: 'Skylake-Server-IBRS', props: { vmx: true } } },
    { type: 'full', model: { name: 'nope' } },
    { type: 'full', model: { name: 'SandyBridge', props: { bogus: true } } },
    { type: 'static', model: { name: 'SandyBridge', props: { family: 300 } } },
  ];
  const q = qemuQmp(['-M', 'pc', '-accel', 'tcg', '-S'], cases.map((c) => ({ execute: 'query-cpu-model-expansion', arguments: c })));
  cases.forEach((c, i) => {
    freshCpuWorld();
    const r = captureStderr(() => x86CpuModelExpansion(c.type, c.model));
    const qr = q[i]!;
    if (qr.error) {
      assert.ok(r.error instanceof QemuError, `${c.model.name}: an error`);
      assert.equal((r.error as QemuError).message, qr.error.desc);
      return;
    }
    const want = (qr.return as { model: { name: string; props: Props } }).model;
    // QEMU's link to the address space and its lbr-fmt (a uint64 above 2^53) are not ours.
    for (const k of ['memory', 'lbr-fmt', 'lbr_fmt']) delete want.props[k];
    assert.equal(r.value!.model.name, want.name);
    assert.deepEqual(r.value!.model.props, want.props, `${c.type} ${c.model.name}`);
  });
});
