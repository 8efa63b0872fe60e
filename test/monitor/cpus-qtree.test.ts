/*
 * query-cpus-fast, info cpus and info qtree against QEMU 7.2.  Our side has
 * CPU objects with the topology properties x86 CPUs carry (socket-id, die-id,
 * core-id, thread-id) and the sysbus container of `-machine none`; QEMU runs
 * `-machine pc` with the same -smp.  Thread ids and the qom-path numbering
 * (which interleaves other devices in QEMU) are environment facts: ids are
 * compared by position, paths must resolve to the CPU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RawClient, qmpExchange, spawnQemu, waitForFile } from './raw-client.js';
import { addCompatMonitor, buildFixture } from './fixture.js';
import {
  containerGet, objectGetRoot, objectNew, objectPropertyAddChild, objectResolvePath, typeExists, typeRegisterStatic,
} from '../../src/qom/object.js';
import { defineIntProp } from '../../src/qom/field-props.js';
import { qdevRealize } from '../../src/hw/core/qdev.js';
import { cpuListAdd, type CPUState } from '../../src/hw/core/cpu.js';

type Msg = Record<string, unknown>;

function registerFixtureTypes(): void {
  if (typeExists('fixture-x86_64-cpu')) return;
  typeRegisterStatic({
    name: 'fixture-x86_64-cpu',
    parent: 'cpu',
    classInit: (oc) => {
      for (const n of ['socket-id', 'die-id', 'core-id', 'thread-id']) defineIntProp(oc, 32, { name: n, defaultValue: 0 });
    },
  });
  typeRegisterStatic({ name: 'bus', parent: 'object', abstract: true });
  typeRegisterStatic({ name: 'System', parent: 'bus' });
}

/** x86 topology ids for cpu-index i (x86_topo_ids_from_idx). */
function topo(i: number, dies: number, cores: number): Record<string, number> {
  return { 'socket-id': Math.floor(i / (dies * cores)), 'die-id': Math.floor(i / cores) % dies, 'core-id': i % cores, 'thread-id': 0 };
}

async function qemuSide(smp: string, cmds: string[]): Promise<Msg[]> {
  const qemu = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'pc,accel=tcg', '-S', '-smp', smp,
    '-qmp', 'unix:@DIR@/q.sock,server=on,wait=off']);
  try {
    await waitForFile(join(qemu.dir, 'q.sock'));
    return await session(join(qemu.dir, 'q.sock'), cmds);
  } finally {
    await qemu.kill();
  }
}

async function session(sock: string, cmds: string[]): Promise<Msg[]> {
  const c = await RawClient.connect(sock);
  await c.waitFor((d) => d.includes('\n'));
  await qmpExchange(c, '{"execute":"qmp_capabilities"}\n');
  const out: Msg[] = [];
  for (const cmd of cmds) out.push((await qmpExchange(c, cmd + '\n'))[0]!);
  c.close();
  return out;
}

const CMDS = [
  '{"execute":"query-cpus-fast"}',
  '{"execute":"human-monitor-command","arguments":{"command-line":"info cpus"}}',
  '{"execute":"human-monitor-command","arguments":{"command-line":"info cpus","cpu-index":2}}',
  '{"execute":"human-monitor-command","arguments":{"command-line":"info status","cpu-index":4}}',
];

for (const [smp, dies, cores] of [['4,sockets=2,cores=2', 1, 2], ['4,sockets=1,dies=2,cores=2', 2, 2]] as const) {
  test(`query-cpus-fast and info cpus (-smp ${smp}) match QEMU 7.2`, async () => {
    const theirs = await qemuSide(smp, CMDS);
    const fx = buildFixture();
    registerFixtureTypes();
    try {
      const unattached = containerGet(objectGetRoot(), '/machine/unattached');
      for (let i = 0; i < 4; i++) {
        const cpu = objectNew('fixture-x86_64-cpu') as CPUState;
        for (const [k, v] of Object.entries(topo(i, dies, cores))) (cpu as unknown as Record<string, number>)[k] = v;
        objectPropertyAddChild(unattached, 'device[*]', cpu);
        qdevRealize(cpu);
        cpu.vcpu = { threadId: 1000 + i, threadName: `CPU ${i}/TCG` };
        cpuListAdd(cpu);
      }
      const sock = join(fx.dir, 'q.sock');
      await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'control');
      const mine = await session(sock, CMDS);

      const t = theirs[0]!.return as Msg[];
      const m = mine[0]!.return as Msg[];
      assert.equal(m.length, t.length);
      for (let i = 0; i < t.length; i++) {
        assert.deepEqual(Object.keys(m[i]!).sort(), Object.keys(t[i]!).sort());
        assert.deepEqual(m[i]!.props, t[i]!.props, `cpu ${i} props`);
        assert.equal(m[i]!['cpu-index'], t[i]!['cpu-index']);
        assert.equal(m[i]!.target, t[i]!.target);
        assert.equal(m[i]!['thread-id'], 1000 + i);
        assert.equal(typeof t[i]!['thread-id'], 'number');
        const obj = objectResolvePath(m[i]!['qom-path'] as string) as CPUState;
        assert.equal(obj.cpuIndex, i);
      }
      // info cpus: the same text once thread ids are replaced by their positions.
      const byPos = (s: string, ids: number[]): string => ids.reduce((acc, id, i) => acc.replace(`=${id}\r`, `=T${i}\r`), s);
      const tIds = t.map((x) => x['thread-id'] as number);
      for (const k of [1, 2]) {
        assert.equal(byPos(mine[k]!.return as string, [1000, 1001, 1002, 1003]), byPos(theirs[k]!.return as string, tIds));
      }
      assert.deepEqual(mine[3], theirs[3]);
    } finally {
      fx.teardown();
    }
  });
}

const hmc = (c: string): string => `{"execute":"human-monitor-command","arguments":{"command-line":"${c}"}}`;

/** The replies of `binary -M none -nodefaults -S` (QEMU 7.2 by default) to HMP commands over QMP. */
async function hmpOnMachineNone(cmds: string[], binary = 'qemu-system-x86_64'): Promise<Msg[]> {
  const vm = spawnQemu(['-display', 'none', '-nodefaults', '-machine', 'none', '-S',
    '-qmp', 'unix:@DIR@/q.sock,server=on,wait=off'], binary);
  try {
    await waitForFile(join(vm.dir, 'q.sock'));
    return await session(join(vm.dir, 'q.sock'), cmds.map(hmc));
  } finally {
    await vm.kill();
  }
}

test('info qtree of the machine none tree matches QEMU 7.2 (our binary)', async () => {
  const theirs = await hmpOnMachineNone(['info qtree']);
  assert.deepEqual(await hmpOnMachineNone(['info qtree'], 'bin/tsqemu-system-x86_64'), theirs);
});

test('info qom-tree matches QEMU 7.2 (children sorted by name)', async () => {
  const cmds = ['info qom-tree', 'info qom-tree /chardevs', 'info qom-tree /machine/peripheral', 'info qom-tree /nonexist',
    'info qom-tree a b', 'help info qom-tree', 'info qom-tree unattached'];
  const theirs = await hmpOnMachineNone(cmds);
  const fx = buildFixture();
  registerFixtureTypes();
  try {
    const sysbus = objectNew('System');
    objectPropertyAddChild(containerGet(objectGetRoot(), '/machine/unattached'), 'sysbus', sysbus);
    const sock = join(fx.dir, 'q.sock');
    await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'control');
    const mine = await session(sock, cmds.map(hmc));
    // Our fixture has no memory regions (the memory API's); everything else must be the same.
    const strip = (m: Msg): Msg => ({ ...m, return: (m.return as string).split('\r\n').filter((l) => !l.includes('(memory-region)')).join('\r\n') });
    assert.deepEqual(mine.map(strip), theirs.map(strip));
  } finally {
    fx.teardown();
  }
});

test('HMP help: each of our lines is QEMU 7.2\'s, in its order', async () => {
  const cmds = ['help', 'info', 'help info'];
  const theirs = await hmpOnMachineNone(cmds);
  const fx = buildFixture();
  try {
    const sock = join(fx.dir, 'q.sock');
    await addCompatMonitor(`unix:${sock},server=on,wait=off`, 'control');
    const mine = await session(sock, cmds.map(hmc));
    for (let i = 0; i < cmds.length; i++) {
      const t = (theirs[i]!.return as string).split('\r\n');
      const m = (mine[i]!.return as string).split('\r\n').filter((l) => l);
      assert.ok(m.length >= 5, cmds[i]);
      const pos = m.map((l) => t.indexOf(l));
      assert.ok(pos.every((p) => p >= 0), `${cmds[i]}: ${m.filter((_, k) => pos[k]! < 0).join(' | ')}`);
      assert.deepEqual([...pos].sort((a, b) => a - b), pos);
    }
  } finally {
    fx.teardown();
  }
});
