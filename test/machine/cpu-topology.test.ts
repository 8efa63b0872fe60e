/*
 * CPU slots, APIC IDs and CPU hotplug on the PC against QEMU 7.2: the slots of
 * query-hotpluggable-cpus (topology ids), the apic-id and cpu-index of the boot
 * CPUs, and device_add of CPUs with socket/die/core/thread-id (results and
 * messages).  QEMU runs -cpu kvm64; ours a stand-in CPU type with the same
 * topology properties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectPropertyGet, objectResolvePath } from '../../src/qom/object.js';
import { qmpQueryHotpluggableCpus } from '../../src/hw/core/machine.js';
import { QemuError } from '../../src/util/error.js';
import { cpus, type CPUState } from '../../src/hw/core/cpu.js';
import { qdevDeviceAdd } from '../../src/hw/core/qdev-monitor.js';
import { x86PossibleCpuArchIds } from '../../src/hw/i386/x86.js';
import { setupMachineTypes, TEST_CPU } from './setup.js';
import { requireQemu, runQemu, simpleKeyval, pool } from './oracle.js';
import { runOurs } from './run-machine.js';

setupMachineTypes();

type Slot = { props: Record<string, number>; 'qom-path'?: string; type: string; 'vcpus-count': number };

const topologies = [
  '1', '4,sockets=2,cores=2,threads=1', '3,sockets=2,cores=3,threads=2,maxcpus=12', '8,sockets=2,dies=2,threads=2',
  '2,maxcpus=6,sockets=1,cores=3,threads=2', '5,sockets=5', '6,sockets=1,dies=3,cores=1,threads=2', '7',
];

test('possible CPU slots and boot CPUs: topology ids, APIC IDs and cpu-index as QEMU 7.2 has them', async () => {
  requireQemu();
  await pool(topologies, 4, async (smp) => {
    const q = await runQemu(['-M', 'pc', '-cpu', 'kvm64', '-smp', smp, '-nodefaults', '-accel', 'tcg'],
      [['query-hotpluggable-cpus'], ['query-cpus-fast']]);
    assert.equal(q.code, 0, q.stderr);
    const slots = (q.replies[0] as Slot[]).slice().reverse();
    const fast = q.replies[1] as Array<{ 'cpu-index': number; 'qom-path': string; props: Record<string, number> }>;
    const apic = await runQemu(['-M', 'pc', '-cpu', 'kvm64', '-smp', smp, '-nodefaults', '-accel', 'tcg'],
      fast.map((c) => ['qom-get', { path: c['qom-path'], property: 'apic-id' }]));
    const ms = runOurs('pc', { smp: simpleKeyval(smp, 'cpus') }).machine!;
    const ours = x86PossibleCpuArchIds(ms);
    assert.equal(ours.length, slots.length, smp);
    ours.forEach((s, i) => {
      const p: Record<string, number> = { 'socket-id': s.props.socketId!, 'core-id': s.props.coreId!, 'thread-id': s.props.threadId! };
      if (s.props.dieId !== undefined) p['die-id'] = s.props.dieId;
      assert.deepEqual(p, slots[i]!.props, `${smp}: slot ${i}`);
      assert.equal(s.vcpusCount, slots[i]!['vcpus-count']);
    });
    assert.equal(cpus.length, fast.length, smp);
    fast.forEach((c, i) => {
      const cpu = cpus[i]!;
      assert.equal(cpu.cpuIndex, c['cpu-index'], `${smp}: cpu-index`);
      assert.equal(objectPropertyGet(cpu, 'apic-id'), apic.replies[i], `${smp}: apic-id of cpu ${i}`);
      for (const [k, v] of Object.entries(c.props)) assert.equal(objectPropertyGet(cpu, k), v, `${smp}: ${k} of cpu ${i}`);
    });
  });
});

/** device_add arguments without the driver, run in order on one machine. */
const hotplug: Array<[smp: string, adds: string[]]> = [
  ['1,maxcpus=4,sockets=2,cores=2', [
    'socket-id=1,core-id=1,thread-id=0', 'socket-id=1,core-id=1,thread-id=0', 'socket-id=2,core-id=0,thread-id=0',
    'socket-id=0,core-id=2,thread-id=0', 'socket-id=0,thread-id=0', 'core-id=0,thread-id=0',
    'socket-id=0,core-id=0,thread-id=1', 'socket-id=0,core-id=0,thread-id=0', 'apic-id=2', 'apic-id=9',
    'apic-id=1,core-id=0', 'apic-id=1,socket-id=1', 'socket-id=0,core-id=1,thread-id=0,die-id=0',
  ]],
  ['2,maxcpus=8,sockets=1,dies=2,cores=2,threads=2', [
    'socket-id=0,core-id=1,thread-id=1', 'socket-id=0,die-id=1,core-id=1,thread-id=1',
    'socket-id=0,die-id=2,core-id=0,thread-id=0', 'apic-id=5', 'apic-id=6,die-id=0',
  ]],
];

test('CPU hotplug (device_add): ids and APIC IDs checked and filled in as QEMU 7.2 does', async () => {
  requireQemu();
  for (const [smp, adds] of hotplug) {
    const cmds: Array<[string, Record<string, unknown>?]> = [];
    adds.forEach((a, i) => {
      const args: Record<string, unknown> = { driver: 'kvm64-x86_64-cpu', id: `c${i}` };
      for (const [k, v] of Object.entries(simpleKeyval(a, ''))) args[k] = Number(v);
      cmds.push(['device_add', args]);
      for (const p of ['apic-id', 'socket-id', 'die-id', 'core-id', 'thread-id']) {
        cmds.push(['qom-get', { path: `/machine/peripheral/c${i}`, property: p }]);
      }
    });
    const q = await runQemu(['-M', 'pc', '-cpu', 'kvm64', '-smp', smp, '-nodefaults', '-accel', 'tcg'], cmds);
    runOurs('pc', { smp: simpleKeyval(smp, 'cpus') });
    adds.forEach((a, i) => {
      const reply = q.replies[i * 6] as { error?: { desc: string } };
      let err: string | undefined;
      let dev: CPUState | undefined;
      try {
        dev = qdevDeviceAdd({ driver: TEST_CPU, id: `c${i}`, ...simpleKeyval(a, '') }) as CPUState;
      } catch (e) {
        if (!(e instanceof QemuError)) throw e;
        err = e.message;
      }
      assert.equal(err, reply.error?.desc, `-smp ${smp}: device_add ${a}`);
      if (dev) {
        ['apic-id', 'socket-id', 'die-id', 'core-id', 'thread-id'].forEach((p, k) => {
          assert.equal(objectPropertyGet(dev!, p), q.replies[i * 6 + 1 + k], `-smp ${smp}: ${a}: ${p}`);
        });
      }
    });
  }
});

test('query-hotpluggable-cpus: QEMU 7.2\'s slots, with the paths of the plugged CPUs', async () => {
  requireQemu();
  for (const smp of ['2,maxcpus=8,sockets=2,dies=2,cores=1,threads=2', '3,sockets=2,cores=3,threads=2,maxcpus=12']) {
    const q = await runQemu(['-M', 'pc', '-cpu', 'kvm64', '-smp', smp, '-nodefaults', '-accel', 'tcg'], [['query-hotpluggable-cpus']]);
    const ms = runOurs('pc', { smp: simpleKeyval(smp, 'cpus') }).machine!;
    const ours = qmpQueryHotpluggableCpus(ms);
    const theirs = q.replies[0] as Slot[];
    assert.equal(ours.length, theirs.length);
    ours.forEach((o, i) => {
      const t = theirs[i]!;
      assert.deepEqual(o.props, t.props, `${smp}: slot ${i}`);
      assert.equal(o['vcpus-count'], t['vcpus-count']);
      assert.equal(o.type, TEST_CPU);
      // The paths name /machine/unattached/device[N]; N counts devices we do not have yet.
      assert.equal('qom-path' in o, 'qom-path' in t, `${smp}: slot ${i} plugged`);
      if (o['qom-path']) assert.equal(objectResolvePath(o['qom-path'] as string)?.typeName, TEST_CPU);
    });
  }
});
