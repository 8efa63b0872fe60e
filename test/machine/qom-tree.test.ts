/*
 * The PC machine's QOM tree against QEMU 7.2 (-M pc -nodefaults): the machine's
 * properties (qom-list names and types, qom-get values), the composition tree
 * (child<> paths) and `info qtree`, each restricted to the devices this tree
 * has.  Devices other issues add (PIC, PIT, RTC, HPET, ...) are filtered out of
 * QEMU's answers; the properties we lack are listed below, so that the test
 * fails when one is added or lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  objectChildren, objectGetRoot, objectPropertyGet, objectPropertyList, objectPropertySet, objectRegisterGlobalProp,
  objectResolvePath, type QObject,
} from '../../src/qom/object.js';
import { hmpInfoQtree, qdevDeviceAdd } from '../../src/hw/core/qdev-monitor.js';
import { QemuError } from '../../src/util/error.js';
import { setupMachineTypes, TEST_CPU } from './setup.js';
import { asTsqemu, pool, requireQemu, runQemu, simpleKeyval } from './oracle.js';
import { qemuStrtosz } from '../../src/hw/core/qdev-properties.js';
import { machineClass, machineClassList } from '../../src/hw/core/machine.js';
import { runOurs } from './run-machine.js';

setupMachineTypes();

/** Properties of /machine in QEMU 7.2 that need objects this tree does not have yet. */
const MISSING = ['rtc_state', 'smram', 'cxl-fmw', 'rtc-time'];

type Entry = { name: string; type: string };

test('qom-list /machine: our properties have QEMU 7.2\'s names and types', async () => {
  requireQemu();
  for (const m of ['pc', 'pc-i440fx-2.0', 'none']) {
    const q = await runQemu(['-M', m, '-nodefaults', '-accel', 'tcg'], [['qom-list', { path: '/machine' }]]);
    const theirs = new Map((q.replies[0] as Entry[]).map((e) => [e.name, e.type]));
    const ours = runOurs(m, {}).machine!;
    const mine = new Map(objectPropertyList(ours).map((p) => [p.name, p.type]));
    for (const [name, type] of mine) assert.equal(type, theirs.get(name), `${m}: ${name}`);
    const missing = [...theirs.keys()].filter((n) => !mine.has(n)).sort();
    assert.deepEqual(missing, MISSING.filter((n) => theirs.has(n)).sort(), `${m}: properties QEMU has and we lack`);
  }
});

test('qom-get /machine: the property values QEMU 7.2 reports after board init', async () => {
  requireQemu();
  for (const m of ['pc', 'pc-i440fx-2.2', 'pc-i440fx-2.3', 'none']) {
    const ours = runOurs(m, {}).machine!;
    const names = objectPropertyList(ours)
      .filter((p) => p.get && !p.type.startsWith('child<') && p.name !== 'memory-backend')
      .map((p) => p.name);
    const q = await runQemu(['-M', m, '-nodefaults', '-accel', 'tcg', ...(m === 'none' ? [] : ['-cpu', 'kvm64'])],
      names.map((n) => ['qom-get', { path: '/machine', property: n }]));
    // A link names a /machine/unattached/device[N] path whose N counts devices we do
    // not have yet: links are compared by the type of their target.
    const links: Array<[string, string]> = [];
    names.forEach((n, i) => {
      const v = objectPropertyGet(ours, n);
      const theirs = q.replies[i];
      if (typeof theirs === 'string' && theirs.startsWith('/machine/unattached/device[')) {
        links.push([n, theirs]);
        return;
      }
      assert.deepEqual(v, theirs, `${m}: ${n}`);
    });
    if (links.length) {
      const t = await runQemu(['-M', m, '-nodefaults', '-accel', 'tcg', '-cpu', 'kvm64'],
        links.map(([, path]) => ['qom-get', { path, property: 'type' }]));
      links.forEach(([n], i) => {
        const target = objectResolvePath(objectPropertyGet(ours, n) as string);
        assert.equal(target?.typeName, t.replies[i], `${m}: ${n} -> ${t.replies[i]}`);
      });
    }
  }
});

/** Our device types, and QEMU's CPU model standing in for our test CPU. */
function ourTypes(root: QObject): Set<string> {
  const s = new Set<string>();
  const walk = (o: QObject): void => {
    for (const [, c] of objectChildren(o)) {
      s.add(c.typeName);
      walk(c);
    }
  };
  walk(root);
  return s;
}

test('the composition tree under /machine has QEMU 7.2\'s paths for our devices and buses', async () => {
  requireQemu();
  const ours = runOurs('pc', { smp: { cpus: '2' } }).machine!;
  const types = ourTypes(objectGetRoot());
  types.delete(TEST_CPU);
  types.add('kvm64-x86_64-cpu');
  // Walk QEMU's tree over QMP, keeping the children of our types.
  const theirs: string[] = [];
  const list = async (path: string): Promise<void> => {
    const q = await runQemu(['-M', 'pc', '-smp', '2', '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg'], [['qom-list', { path }]]);
    for (const e of q.replies[0] as Entry[]) {
      const t = /^child<(.+)>$/.exec(e.type)?.[1];
      if (t && types.has(t)) theirs.push(`${path}/${e.name} ${t}`);
    }
  };
  for (const p of ['/machine', '/machine/unattached', '/machine/i440fx']) await list(p);
  const mine: string[] = [];
  for (const p of ['/machine', '/machine/unattached', '/machine/i440fx']) {
    for (const [n, c] of objectChildren(objectResolvePath(p)!)) mine.push(`${p}/${n} ${c.typeName === TEST_CPU ? 'kvm64-x86_64-cpu' : c.typeName}`);
  }
  // unattached/device[N]: QEMU numbers other devices in between, so compare the order of types.
  const norm = (l: string[]): string[] => {
    const dev = l.filter((x) => /\/device\[\d+\] /.test(x))
      .sort((a, b) => Number(/\[(\d+)\]/.exec(a)![1]) - Number(/\[(\d+)\]/.exec(b)![1]))
      .map((x) => x.split(' ')[1]!);
    return [...l.filter((x) => !/\/device\[\d+\] /.test(x)).sort(), ...dev];
  };
  assert.deepEqual(norm(mine), norm(theirs));
  // pci.0's hotplug handler is PIIX4_PM (ACPI PCI hotplug); the path's N differs, the type must not.
  const h = await runQemu(['-M', 'pc', '-smp', '2', '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg'],
    [['qom-get', { path: '/machine/i440fx/pci.0', property: 'hotplug-handler' }]]);
  const t = await runQemu(['-M', 'pc', '-smp', '2', '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg'],
    [['qom-get', { path: h.replies[0] as string, property: 'type' }]]);
  const mineHandler = objectPropertyGet(objectResolvePath('/machine/i440fx/pci.0')!, 'hotplug-handler') as string;
  assert.equal(objectResolvePath(mineHandler)?.typeName, t.replies[0]);
  assert.equal(ours.typeName, 'pc-i440fx-7.2-machine');
});

interface Node { line: string; kids: Node[] }

function parseQtree(text: string): Node[] {
  const root: Node = { line: '', kids: [] };
  const stack: Array<[number, Node]> = [[-1, root]];
  for (const line of text.split('\n').filter((l) => l)) {
    const indent = line.length - line.trimStart().length;
    while (stack[stack.length - 1]![0] >= indent) stack.pop();
    const node = { line, kids: [] };
    stack[stack.length - 1]![1].kids.push(node);
    stack.push([indent, node]);
  }
  return root.kids;
}

function renderQtree(nodes: Node[], keep: (n: Node) => boolean): string {
  return nodes.filter(keep).map((n) => n.line + '\n' + renderQtree(n.kids, keep)).join('');
}

test('info qtree: QEMU 7.2\'s text for our buses and devices, on every i440fx version (compat properties)', async () => {
  requireQemu();
  const versions = ['pc', 'pc-i440fx-trusty', ...machineClassList().map((oc) => machineClass(oc).name).filter((n) => /^pc-i440fx-\d/.test(n))];
  const oracle = await pool(versions, 4, (m) => runQemu(['-M', m === 'pc-i440fx-trusty' ? 'pc-i440fx-2.0' : m, '-cpu', 'kvm64',
    '-nodefaults', '-accel', 'tcg'], [['human-monitor-command', { 'command-line': 'info qtree' }]]));
  versions.forEach((m, i) => {
    runOurs(m, {});
    const mine = hmpInfoQtree();
    const types = new Set([...mine.matchAll(/dev: ([^,]+),/g)].map((x) => x[1]!));
    const text = (oracle[i]!.replies[0] as string).replace(/\r/g, '');
    const keep = (n: Node): boolean => {
      const d = /^\s*dev: ([^,]+),/.exec(n.line);
      return !d || types.has(d[1]!);
    };
    assert.equal(mine, renderQtree(parseQtree(text), keep), m);
    assert.ok(types.has('PIIX4_PM') && types.has('i440FX-pcihost') && types.has('fw_cfg_io'));
  });
});

test('the RAM split and the PCI holes (i440FX-pcihost pci-hole*) as QEMU 7.2 computes them', async () => {
  requireQemu();
  const cases: Array<[machine: string, m: string, hole64Size?: string]> = [
    ['pc', '128M'], ['pc', '3584M'], ['pc', '3583M'], ['pc', '4G'], ['pc', '8G'], ['pc,max-ram-below-4g=2G', '4G'],
    ['pc,max-ram-below-4g=3500M', '4G'], ['pc', '1G,slots=4,maxmem=8G'], ['pc-i440fx-2.4', '1G,slots=4,maxmem=8G'],
    ['pc-i440fx-2.1', '5G,slots=2,maxmem=9G'], ['pc-i440fx-2.9', '4G'], ['pc-i440fx-2.10', '4G'],
    ['pc', '1G', '5G'], ['pc-i440fx-2.0', '3G'],
  ];
  const props = ['pci-hole-start', 'pci-hole-end', 'pci-hole64-start', 'pci-hole64-end'];
  const oracle = await pool(cases, 4, ([machine, m, h]) => runQemu(['-M', machine, '-m', m, '-cpu', 'kvm64', '-nodefaults',
    '-accel', 'tcg', ...(h ? ['-global', `i440FX-pcihost.pci-hole64-size=${h}`] : [])],
  props.map((p) => ['qom-get', { path: '/machine/i440fx', property: p }])));
  cases.forEach(([machine, m, h], i) => {
    const [type, ...opts] = machine.split(',');
    const dict: Record<string, unknown> = Object.fromEntries(opts.map((o) => o.split('=')));
    const kv = simpleKeyval(m, 'size');
    dict.memory = {
      size: qemuStrtosz(kv.size!),
      ...(kv.maxmem ? { 'max-size': qemuStrtosz(kv.maxmem), slots: Number(kv.slots) } : {}),
    };
    const ours = runOurs(type, dict, true, () => {
      if (h) objectRegisterGlobalProp({ driver: 'i440FX-pcihost', property: 'pci-hole64-size', value: h });
    });
    const q = oracle[i]!;
    const what = `${machine} -m ${m}${h ? ` hole64=${h}` : ''}`;
    assert.equal(ours.stderr, asTsqemu(q.stderr), what);
    props.forEach((p, k) => assert.equal(objectPropertyGet(objectResolvePath('/machine/i440fx')!, p), q.replies[k], `${what}: ${p}`));
  });
});

test('every device has QEMU 7.2\'s type, parent_bus, hotpluggable and hotplugged properties', async () => {
  requireQemu();
  const paths = ['/machine/unattached/device[0]', '/machine/i440fx', '/machine/peripheral/n', '/machine/peripheral/c1'];
  const props = ['hotpluggable', 'hotplugged', 'parent_bus'];
  const cpu = { 'socket-id': 1, 'core-id': 0, 'thread-id': 0, id: 'c1' };
  const q = await runQemu(['-M', 'pc', '-smp', '1,sockets=2,maxcpus=2', '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg', '-device', 'piix3-ide,id=n'], [
    ['device_add', { driver: 'kvm64-x86_64-cpu', ...cpu }],
    ...paths.map((path): [string, Record<string, unknown>] => ['qom-list', { path }]),
    ...paths.flatMap((path) => props.map((property): [string, Record<string, unknown>] => ['qom-get', { path, property }])),
    ['qom-set', { path: '/machine/peripheral/n', property: 'parent_bus', value: '' }],
    ['qom-set', { path: '/machine/peripheral/n', property: 'type', value: 'x' }],
  ]);
  assert.deepEqual(q.replies[0], {});
  runOurs('pc', { smp: { cpus: '1', sockets: '2', maxcpus: '2' } });
  qdevDeviceAdd({ driver: 'piix3-ide', id: 'n' });
  qdevDeviceAdd({ driver: TEST_CPU, ...cpu }, true);
  let i = 1;
  for (const path of paths) {
    const obj = objectResolvePath(path)!;
    const theirs = (q.replies[i++] as Entry[]).filter((e) => ['type', ...props, 'realized'].includes(e.name));
    const mine = objectPropertyList(obj).filter((p) => ['type', ...props, 'realized'].includes(p.name));
    assert.deepEqual(mine.map((p) => `${p.name}: ${p.type}`).sort(), theirs.map((e) => `${e.name}: ${e.type}`).sort(), path);
  }
  for (const path of paths) {
    for (const property of props) assert.deepEqual(objectPropertyGet(objectResolvePath(path)!, property), q.replies[i++], `${path} ${property}`);
  }
  for (const property of ['parent_bus', 'type']) {
    const err = (q.replies[i++] as { error: { desc: string } }).error.desc;
    assert.throws(() => objectPropertySet(objectResolvePath('/machine/peripheral/n')!, property, 'x'),
      (e: unknown) => e instanceof QemuError && e.message === err, property);
  }
});
