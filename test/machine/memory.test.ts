/*
 * -m against QEMU 7.2: the MemorySizeConfiguration the machine ends up with
 * (qom-get /machine memory), or the error and exit code.  The -m text is turned
 * into the property dict as vl.c's parse_memory_options() does (a suffix-less
 * size is MiB), which is the start-up sequence's job, not this module's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectPropertyGet } from '../../src/qom/object.js';
import { qemuStrtosz } from '../../src/hw/core/qdev-properties.js';
import { setupMachineTypes } from './setup.js';
import { asTsqemu, pool, requireQemu, runQemu, simpleKeyval } from './oracle.js';
import { runOurs } from './run-machine.js';

setupMachineTypes();

function memoryDict(text: string): Record<string, unknown> {
  const kv = simpleKeyval(text, 'size');
  const out: Record<string, unknown> = {};
  if (kv.size !== undefined) out.size = qemuStrtosz(kv.size, /\d$/.test(kv.size) ? 'M' : 'B');
  if (kv.maxmem !== undefined) out['max-size'] = qemuStrtosz(kv.maxmem);
  if (kv.slots !== undefined) out.slots = Number(kv.slots);
  return out;
}

const cases: Array<[machine: string, m: string]> = [
  ['pc', '256'], ['pc', '2048'], ['pc', '1G'], ['pc', '4096k'], ['pc', '1023'], ['pc', '1025k'], ['pc', '100000k'],
  ['pc', '1.5G'], ['pc', '100M,slots=2,maxmem=1G'], ['pc', '1G,maxmem=512M'], ['pc', '1G,slots=2,maxmem=1G'],
  ['pc', '4,slots=2'], ['pc', '128M,maxmem=128M'], ['pc', '1G,slots=0,maxmem=1G'], ['pc', '1G,slots=0,maxmem=2G'],
  ['pc', '512M,slots=300,maxmem=2G'], ['pc', '1M,slots=2,maxmem=1025k'], ['pc', '256M,slots=256,maxmem=1G'],
  ['pc-i440fx-2.0', '1M,slots=2,maxmem=1025k'], ['pc', 'maxmem=1G'], ['none', '64M'], ['none', '1G,maxmem=512M'],
];

test(`-m: ${cases.length} inputs give QEMU 7.2's memory configuration, messages and exit codes`, async () => {
  requireQemu();
  const oracle = await pool(cases, 4, ([machine, m]) =>
    runQemu(['-M', machine, '-m', m, ...(machine === 'none' ? [] : ['-cpu', 'kvm64']), '-nodefaults', '-accel', 'tcg'],
      [['qom-get', { path: '/machine', property: 'memory' }]]));
  cases.forEach(([machine, m], i) => {
    const q = oracle[i]!;
    const ours = runOurs(machine, { memory: memoryDict(m) });
    const what = `-M ${machine} -m ${m}`;
    assert.equal(ours.stderr, asTsqemu(q.stderr), `${what}: stderr`);
    assert.equal(ours.code, q.code, `${what}: exit code`);
    if (q.code === 0) assert.deepEqual(objectPropertyGet(ours.machine!, 'memory'), q.replies[0], `${what}: memory`);
  });
});

test('the default RAM size is the class\'s: 128 MiB for the PC, none for the empty machine', async () => {
  requireQemu();
  for (const machine of ['pc', 'none']) {
    const q = await runQemu(['-M', machine, '-nodefaults', '-accel', 'tcg'], [['qom-get', { path: '/machine', property: 'memory' }]]);
    const ours = runOurs(machine, {}, false);
    assert.deepEqual(objectPropertyGet(ours.machine!, 'memory'), q.replies[0], machine);
  }
});
