import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qemuQmp, requireTool } from './helpers.js';
import {
  apicidBitwidthForCount, x86ApicidFromCpuIdx, x86ApicidFromTopoIds, x86TopoIdsFromApicid, x86TopoIdsFromIdx,
} from '../../src/hw/i386/topology.js';

/*
 * Oracle: QEMU 7.2 (-M pc, TCG, -S): query-cpus-fast (cpu-index, topology props),
 * qom-get apic-id of every present CPU, and the APIC ID of a CPU hot-plugged into
 * the last slot (device_add).
 */
const CONFIGS = [
  { smp: '3,sockets=2,dies=1,cores=3,threads=2,maxcpus=12', dies: 1, cores: 3, threads: 2 },
  { smp: '16,sockets=2,dies=2,cores=2,threads=2', dies: 2, cores: 2, threads: 2 },
  { smp: '6,sockets=1,dies=1,cores=3,threads=2', dies: 1, cores: 3, threads: 2 },
  { smp: '5,sockets=2,dies=1,cores=5,threads=1,maxcpus=10', dies: 1, cores: 5, threads: 1 },
  { smp: '12,sockets=1,dies=3,cores=2,threads=2', dies: 3, cores: 2, threads: 2 },
  { smp: '6,sockets=6,dies=1,cores=1,threads=2,maxcpus=12', dies: 1, cores: 1, threads: 2 },
];

interface CpuInfo { 'cpu-index': number; 'qom-path': string; props: Record<string, number> }
interface Slot { props: Record<string, number>; 'qom-path'?: string }

test('apicid_bitwidth_for_count: ceil(log2(n))', () => {
  // Spec: include/hw/i386/topology.h.
  assert.deepEqual([1, 2, 3, 4, 5, 8, 9, 255, 256, 257].map(apicidBitwidthForCount), [0, 1, 2, 2, 3, 3, 4, 8, 8, 9]);
});

test('APIC IDs and topology IDs of every vCPU, and of a hot-plugged one, match QEMU 7.2', () => {
  requireTool('qemu-system-x86_64');
  for (const c of CONFIGS) {
    const t = { diesPerPkg: c.dies, coresPerDie: c.cores, threadsPerCore: c.threads };
    const args = ['-M', 'pc', '-accel', 'tcg', '-smp', c.smp, '-S'];
    const [cpusR, slotsR] = qemuQmp(args, [{ execute: 'query-cpus-fast' }, { execute: 'query-hotpluggable-cpus' }]);
    const cpus = cpusR!.return as CpuInfo[];
    assert.equal(cpus.length, Number(c.smp.split(',')[0]));
    const slots = slotsR!.return as Slot[];
    const apics = qemuQmp(args, cpus.map((p) => ({ execute: 'qom-get', arguments: { path: p['qom-path'], property: 'apic-id' } })))
      .map((r) => r.return as number);
    cpus.forEach((info, k) => {
      const i = info['cpu-index'];
      const ids = x86TopoIdsFromIdx(t, i);
      assert.deepEqual({ s: ids.pkgId, d: ids.dieId, c: ids.coreId, t: ids.smtId },
        { s: info.props['socket-id'], d: info.props['die-id'] ?? 0, c: info.props['core-id'], t: info.props['thread-id'] }, `${c.smp} cpu ${i}`);
      assert.equal(x86ApicidFromCpuIdx(t, i), apics[k], `${c.smp} cpu ${i} apic-id`);
      assert.deepEqual(x86TopoIdsFromApicid(apics[k]!, t), ids);
    });
    // Hot-plug into the last empty slot (query-hotpluggable-cpus lists it first).
    const free = slots.find((s) => !s['qom-path']);
    if (!free) continue;
    const p = free.props;
    const [, got] = qemuQmp(args, [
      { execute: 'device_add', arguments: { driver: 'qemu64-x86_64-cpu', id: 'hp', ...p } },
      { execute: 'qom-get', arguments: { path: '/machine/peripheral/hp', property: 'apic-id' } },
    ]);
    const ids = { pkgId: p['socket-id']!, dieId: p['die-id'] ?? 0, coreId: p['core-id']!, smtId: p['thread-id']! };
    assert.equal(x86ApicidFromTopoIds(t, ids), got!.return, `${c.smp} hot-plugged ${JSON.stringify(p)}`);
  }
});
