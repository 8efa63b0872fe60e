/*
 * The help texts against QEMU 7.2's stdout: `-machine help` (for the machines
 * we list, QEMU's lines in QEMU's order), `-M <type>,help`, `-device help` (for
 * the devices we register) and `-device <type>,help`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setupMachineTypes, TEST_CPU } from './setup.js';
import { QEMU, requireQemu, runQemu } from './oracle.js';
import { machineHelp, machineListHelp } from '../../src/hw/i386/machine-help.js';
import {
  deviceListHelp, devicePropsHelp, qdevDeviceHelp, qmpDeviceListProperties, type ObjectPropertyInfo,
} from '../../src/hw/core/qdev-monitor.js';
import { machineClass, machineClassList } from '../../src/hw/core/machine.js';
import { QemuError, setStderrWriter } from '../../src/util/error.js';
import { objectClassByName } from '../../src/qom/object.js';

setupMachineTypes();

function qemuOut(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(QEMU, args, { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('-machine help: our lines are QEMU 7.2\'s lines for the same machines, in the same order', () => {
  requireQemu();
  const ours = machineListHelp().split('\n');
  const names = new Set<string>();
  for (const oc of machineClassList()) {
    const mc = machineClass(oc);
    names.add(mc.name);
    if (mc.alias) names.add(mc.alias);
  }
  const theirs = qemuOut('-machine', 'help').stdout.split('\n');
  assert.equal(theirs[0], 'Supported machines are:');
  const first = (l: string): string => l.split(' ')[0]!;
  const expected = theirs.filter((l, i) => i === 0 || names.has(first(l)));
  // pc-i440fx-trusty is Ubuntu's; upstream 7.2 does not have it.
  const oursUpstream = ours.filter((l) => l && !l.startsWith('pc-i440fx-trusty '));
  assert.deepEqual(oursUpstream, expected.filter((l) => l));
  // Every upstream i440fx machine from 2.0 to 7.2, pc and none.
  for (const n of ['pc', 'pc-i440fx-7.2', 'pc-i440fx-6.1', 'pc-i440fx-2.12', 'pc-i440fx-2.0', 'none']) assert.ok(names.has(n), n);
  assert.equal(expected.filter((l) => l.startsWith('pc-i440fx-')).length, oursUpstream.filter((l) => l.startsWith('pc-i440fx-')).length);
});

test('pc-i440fx-trusty is listed with Ubuntu 14.04\'s description, before the upstream versions', () => {
  const lines = machineListHelp().split('\n');
  const trusty = lines.findIndex((l) => l.startsWith('pc-i440fx-trusty '));
  assert.equal(lines[trusty], 'pc-i440fx-trusty     Ubuntu 14.04 PC (i440FX + PIIX, 1996)');
  assert.ok(trusty < lines.findIndex((l) => l.startsWith('pc ')));
});

test('-M <type>,help prints the class properties as QEMU 7.2 does', () => {
  requireQemu();
  for (const type of ['pc', 'pc-i440fx-2.0', 'pc-i440fx-6.1', 'none']) {
    assert.equal(machineHelp(type), qemuOut('-M', `${type},help`).stdout, type);
  }
  // An unknown type with help lists the machines (exit 0), as 7.2 does.
  const unknown = qemuOut('-M', 'bogus,help');
  assert.equal(unknown.status, 0);
  assert.equal(machineHelp('bogus').split('\n')[0], unknown.stdout.split('\n')[0]);
});

test('-device help: our devices are listed as QEMU 7.2 lists them, by category, in its order', () => {
  requireQemu();
  // The stand-in CPU type is ours alone; the CPU models are another module's.
  const ours = deviceListHelp().replace(`name "${TEST_CPU}"\n`, '').replace(/\nCPU devices:\n(?=\n|$)/, '');
  const names = new Set([...ours.matchAll(/^name "([^"]+)"/gm)].map((m) => m[1]!));
  assert.ok(names.has('virtio-blk-pci') && names.has('e1000') && names.has('isa-debug-exit') && names.has('piix3-ide'));
  // QEMU's text restricted to our devices: a category header is kept where one of
  // ours follows, with the blank line QEMU prints before every category but the first.
  const theirs = qemuOut('-device', 'help').stdout.split('\n\n');
  const filtered = theirs.map((block, i) => {
    const [header, ...rest] = block.split('\n').filter((l) => l);
    const mine = rest.filter((l) => names.has(/^name "([^"]+)"/.exec(l)?.[1] ?? ''));
    return mine.length ? (i ? '\n' : '') + [header, ...mine].join('\n') + '\n' : '';
  });
  assert.equal(ours, filtered.join(''));
});

test('-device <type>,help lists the properties exactly as QEMU 7.2 does', () => {
  requireQemu();
  const devices = ['virtio-blk-pci', 'virtio-net-pci', 'cirrus-vga', 'VGA', 'isa-serial', 'e1000', 'isa-debug-exit',
    'isa-debugcon', 'piix3-ide', 'PIIX3', 'i440FX', 'PIIX4_PM', 'ide-hd', 'ide-cd', 'pc-testdev', 'virtio-serial', 'fw_cfg_io', 'smbus-eeprom', 'piix3-usb-uhci', 'virtio-blk'];
  for (const d of devices) assert.equal(devicePropsHelp(d), qemuOut('-device', `${d},help`).stdout, d);
});

test('-device <type>,help errors: unknown and abstract types (reported, exit 0 in QEMU)', () => {
  requireQemu();
  for (const [d, msg] of [['foo', "Device 'foo' not found"], ['pci-device', "Parameter 'typename' expects a non-abstract device type"]] as const) {
    const q = qemuOut('-device', `${d},help`);
    assert.equal(q.status, 0);
    assert.equal(q.stderr, `qemu-system-x86_64: -device ${d},help: ${msg}\n`);
    assert.throws(() => devicePropsHelp(d), (e: unknown) => e instanceof QemuError && e.message === msg);
    let err = '';
    const old = setStderrWriter((t) => (err += t));
    try {
      assert.equal(qdevDeviceHelp({ driver: d, help: 'on' }, () => {}), true);
    } finally {
      setStderrWriter(old);
    }
    assert.equal(err, `tsqemu-system-x86_64: ${msg}\n`);
  }
  assert.ok(objectClassByName('pci-device')?.abstract);
});

test('device-list-properties answers as QEMU 7.2 does (order aside)', async () => {
  requireQemu();
  const types = ['isa-debugcon', 'e1000', 'virtio-blk-pci', 'piix3-ide', 'PIIX4_PM', 'ide-hd', 'virtio-blk', 'pci-device'];
  const q = await runQemu(['-M', 'pc', '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg'],
    types.map((t) => ['device-list-properties', { typename: t }]));
  const byName = (a: ObjectPropertyInfo, b: ObjectPropertyInfo): number => (a.name < b.name ? -1 : 1);
  types.forEach((t, i) => {
    const theirs = q.replies[i] as ObjectPropertyInfo[] | { error: { desc: string } };
    if ('error' in theirs) {
      assert.throws(() => qmpDeviceListProperties(t), (e: unknown) => e instanceof QemuError && e.message === theirs.error.desc, t);
      return;
    }
    assert.deepEqual(qmpDeviceListProperties(t).sort(byName), theirs.sort(byName), t);
  });
});
