/*
 * -smp against QEMU 7.2: each input is run on the real QEMU (qom-get /machine
 * smp, or its error and exit code) and through our machine_parse_smp_config()
 * + board init; the topology, the messages and the exit codes must be equal.
 * (-cpu kvm64: an Intel model, so that CPU warnings about AMD hyperthreading stay
 * out of the comparison.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectPropertyGet } from '../../src/qom/object.js';
import { setupMachineTypes } from './setup.js';
import { asTsqemu, pool, requireQemu, runQemu, simpleKeyval } from './oracle.js';
import { runOurs } from './run-machine.js';

setupMachineTypes();

const cases: Array<[machine: string, smp: string]> = [
  // valid, prefer-cores machines
  ['pc', '1'], ['pc', '2'], ['pc', '8'], ['pc', '1,sockets=1,cores=1,threads=1'],
  ['pc', '8,sockets=2,dies=2,threads=2'], ['pc', '4,sockets=2'], ['pc', '4,cores=2'], ['pc', '4,threads=2'],
  ['pc', '6,sockets=2,cores=3'], ['pc', '4,maxcpus=8'], ['pc', 'maxcpus=8'], ['pc', '2,maxcpus=8,sockets=2'],
  ['pc', 'sockets=2,cores=2,threads=2'], ['pc', 'sockets=2'], ['pc', 'cores=4'], ['pc', 'threads=2'],
  ['pc', '8,dies=2'], ['pc', '16,sockets=2,dies=2,cores=2,threads=2'], ['pc', '3,sockets=2,cores=3,threads=2,maxcpus=12'],
  ['pc', '4,clusters=1'], ['pc', '4,dies=1'], ['pc', '1,maxcpus=255'], ['pc', 'cpus=2,maxcpus=4,cores=2'],
  ['pc', '4294967296'], ['pc-i440fx-7.2', '6'], ['pc-i440fx-6.2', '4'], ['pc-i440fx-6.2', '8,sockets=2'],
  // prefer-sockets machines (6.1 and older)
  ['pc-i440fx-6.1', '4'], ['pc-i440fx-6.1', '4,cores=2'], ['pc-i440fx-6.1', '4,threads=2'],
  ['pc-i440fx-6.1', '8,sockets=2'], ['pc-i440fx-6.1', 'maxcpus=8'], ['pc-i440fx-6.1', '6,dies=2'],
  ['pc-i440fx-5.0', '4,maxcpus=8,threads=2'], ['pc-i440fx-2.0', '4'], ['pc-i440fx-2.12', '12,cores=3'],
  // explicit zeros: a warning only, in 7.2
  ['pc', '0'], ['pc', '4,dies=0'], ['pc', '4,sockets=0'], ['pc', '4,cores=0,threads=2'], ['pc', '4,maxcpus=0'],
  ['pc', '0,maxcpus=4'], ['pc-i440fx-6.1', '4,sockets=0,cores=2'],
  // invalid
  ['pc', '7,sockets=2'], ['pc', '4,sockets=2,dies=3'], ['pc', '8,sockets=2,cores=2,threads=2,maxcpus=16'],
  ['pc', '300'], ['pc', '256'], ['pc', '2,maxcpus=256'], ['pc', '4,clusters=2'], ['pc', 'foo'], ['pc', '4,foo=1'],
  ['pc', 'foo,bar=1'], ['pc', '-1'], ['pc', '4,maxcpus=2'], ['pc', '5,sockets=2,cores=2'], ['pc', '3,threads=2'],
  ['pc', '4,sockets=3'], ['pc', 'sockets=2,cores=2,maxcpus=3'], ['pc', '4,dies=2,clusters=2'],
  ['pc', '200,sockets=2,cores=100'], ['pc', '1,maxcpus=255,threads=3'], ['pc-i440fx-6.1', '7,cores=2'],
  ['pc-i440fx-6.1', '4,sockets=8'],
  // the empty machine: one CPU, no dies
  ['none', '1'], ['none', 'maxcpus=1'], ['none', '2'], ['none', '4,maxcpus=2'], ['none', '1,dies=2'],
  ['none', '1,dies=2,clusters=2'], ['none', '1,clusters=2'],
];

test(`-smp: ${cases.length} inputs give QEMU 7.2's topology, messages and exit codes`, async () => {
  requireQemu();
  assert.ok(cases.length >= 50);
  const oracle = await pool(cases, 4, ([m, smp]) =>
    runQemu(['-M', m, '-smp', smp, ...(m === 'none' ? [] : ['-cpu', 'kvm64']), '-nodefaults', '-accel', 'tcg'], [['qom-get', { path: '/machine', property: 'smp' }]]));
  cases.forEach(([m, smp], i) => {
    const q = oracle[i]!;
    const ours = runOurs(m, { smp: simpleKeyval(smp, 'cpus') });
    const what = `-M ${m} -smp ${smp}`;
    assert.equal(ours.stderr, asTsqemu(q.stderr), `${what}: stderr`);
    assert.equal(ours.code, q.code, `${what}: exit code`);
    if (q.code === 0) assert.deepEqual(objectPropertyGet(ours.machine!, 'smp'), q.replies[0], `${what}: smp`);
  });
});
