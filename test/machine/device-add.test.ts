/*
 * -device against QEMU 7.2: for each option string, QEMU's error and exit code
 * (or success), and ours from qdev_device_add() on a -nodefaults PC.  Where
 * QEMU succeeds with a device other issues implement, ours must refuse it with
 * "Device '<type>' is not supported yet" instead of dropping it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectResolvePath, objectGetCanonicalPath } from '../../src/qom/object.js';
import { QemuError, withLoc } from '../../src/util/error.js';
import { qdevDeviceAdd } from '../../src/hw/core/qdev-monitor.js';
import { setupMachineTypes, TEST_CPU } from './setup.js';
import { asTsqemu, pool, requireQemu, runQemu, simpleKeyval } from './oracle.js';
import { runOurs } from './run-machine.js';

setupMachineTypes();

/** Where QEMU's error comes from the device's own realize, which the device's issue brings. */
const REALIZE_ERRORS = new Set(['virtio-blk-pci,scsi=off', 'virtio-blk,bus=pci.0,addr=0x4', 'e1000,failover_pair_id=x']);

/** Device types that exist now: QEMU's result is compared as it is. */
const IMPLEMENTED = new Set(['isa-debug-exit', 'isa-debugcon', 'isa-serial']);

const cases: string[] = [
  'foo', 'e1000,netdev=nope', 'e1000,bogus=1', 'isa-serial,iobase=zz', 'e1000,bus=foo', 'e1000,bus=isa.0',
  'e1000,addr=0x1', 'e1000,addr=zz', 'e1000,addr=0x20', 'e1000,addr=1.8', 'i440FX', 'PIIX4_PM', 'fw_cfg_io',
  'virtio-blk-pci,drive=nope', 'e1000,mac=zz', 'e1000,mac=52:54:00:12:34:56,addr=1.2', 'piix3-ide,addr=1.1',
  'piix3-ide,addr=0x4.2', 'piix3-ide,addr=0x5', 'piix3-ide,id=ide9,addr=06.0', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
  'isa-debug-exit,iobase=-1', 'isa-debugcon,chardev=nope', 'cirrus-vga,vgamem_mb=x', 'VGA,bus=pci.0,addr=0x2',
  'virtio-net-pci,netdev=nope', 'virtio-blk-pci,scsi=off', 'virtio-blk,bus=pci.0,addr=0x4', 'e1000,rombar=yes',
  'e1000,multifunction=on,addr=3.0', 'virtio-blk-device', 'isa-serial,bus=pci.0', 'e1000,bus=pci.0/x',
  'e1000,bus=/i440FX-pcihost/pci.0', 'piix3-ide,bus=ide.0', 'isa-debugcon,bus=isa.0', 'e1000,failover_pair_id=x',
  'piix3-ide,failover_pair_id=x', 'ide-hd,drive=nope', 'ide-hd,bus=ide.1,unit=0,bios-chs-trans=x', 'ide-cd,bus=isa.0',
  'pc-testdev', 'virtio-serial-pci,max_ports=x', 'virtio-serial,bus=pci.0,addr=0x7', 'e1000,mac=52:54:00:12:34:5',
  'e1000,mac=52-54:00-12:34-56', 'e1000,mac=52:54:00:12:34:56:', 'e1000,rombar=0x100000000', 'e1000,acpi-index=-2',
];

test(`-device: ${cases.length} option strings give QEMU 7.2's messages and exit codes`, async () => {
  requireQemu();
  const oracle = await pool(cases, 4, (d) =>
    runQemu(['-M', 'pc', '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg', '-device', d], []));
  cases.forEach((d, i) => {
    const q = oracle[i]!;
    assert.ok(runOurs('pc', {}).code === 0);
    let err = '';
    let code = 0;
    try {
      withLoc(`-device ${d}`, () => qdevDeviceAdd(simpleKeyval(d, 'driver')));
    } catch (e) {
      if (!(e instanceof QemuError)) throw e;
      err = e.format();
      code = 1;
    }
    const driver = simpleKeyval(d, 'driver').driver!;
    const aliases: Record<string, string> = { 'virtio-blk': 'virtio-blk-pci', 'virtio-serial': 'virtio-serial-pci' };
    const type = aliases[driver] ?? driver;
    if ((q.code === 0 && type !== 'piix3-ide' && !IMPLEMENTED.has(type)) || REALIZE_ERRORS.has(d)) {
      if (REALIZE_ERRORS.has(d)) assert.equal(q.code, 1, d);
      assert.equal(err, `tsqemu-system-x86_64: -device ${d}: Device '${type}' is not supported yet\n`, d);
    } else {
      assert.equal(err, asTsqemu(q.stderr), `-device ${d}`);
      assert.equal(code, q.code, `-device ${d}: exit code`);
    }
  });
});

test('a device with id= is /machine/peripheral/<id>; without, /machine/peripheral-anon/device[N]', () => {
  runOurs('pc', {});
  const a = qdevDeviceAdd({ driver: 'piix3-ide', id: 'ide9', addr: '06.0' });
  assert.equal(objectGetCanonicalPath(a), '/machine/peripheral/ide9');
  const b = qdevDeviceAdd({ driver: 'piix3-ide' });
  assert.equal(objectGetCanonicalPath(b), '/machine/peripheral-anon/device[0]');
  // The first free slot after 00.0, 01.x and 06.0 is 02.0; the new IDE buses continue QEMU's numbering.
  assert.equal(objectResolvePath('/machine/peripheral-anon/device[0]/ide.2')?.typeName, 'IDE');
  assert.throws(() => qdevDeviceAdd({ driver: 'piix3-ide', addr: '2.0' }),
    (e: unknown) => e instanceof QemuError && e.message === 'PCI: slot 2 function 0 not available for piix3-ide, in use by piix3-ide,id=(null)');
  // A failed device leaves nothing behind: the slot is free again.
  assert.equal(objectResolvePath('/machine/peripheral-anon/device[1]'), undefined);
  assert.throws(() => qdevDeviceAdd({ driver: 'e1000', addr: '3.0' }), /Device 'e1000' is not supported yet/);
  qdevDeviceAdd({ driver: 'piix3-ide', addr: '3.0' });
});

test('device_add after start-up (hotplug): the device and its bus must allow it, as in QEMU 7.2', async () => {
  requireQemu();
  const runs: Array<[machine: string, adds: Array<Record<string, unknown>>]> = [
    ['pc', [{ driver: 'isa-debugcon' }, { driver: 'piix3-ide', id: 'x' }, { driver: 'ide-hd', bus: 'ide.0' },
      { driver: 'e1000', bus: 'isa.0' }, { driver: 'pc-testdev' }, { driver: 'e1000', addr: '1.0' }]],
    ['pc,acpi=off', [{ driver: 'piix3-ide' }, { driver: 'e1000', addr: '5.0' }, { driver: 'isa-serial' }]],
    ['none', [{ driver: 'piix3-ide' }, { driver: 'e1000' }]],
  ];
  for (const [machine, adds] of runs) {
    const q = await runQemu(['-M', machine, '-nodefaults', '-accel', 'tcg', ...(machine === 'none' ? [] : ['-cpu', 'kvm64'])],
      adds.map((a) => ['device_add', a]));
    const [type, ...opts] = machine.split(',');
    runOurs(type, Object.fromEntries(opts.map((o) => o.split('='))));
    adds.forEach((a, i) => {
      const reply = q.replies[i] as { error?: { desc: string } };
      let err: string | undefined;
      try {
        qdevDeviceAdd(a, true);
      } catch (e) {
        if (!(e instanceof QemuError)) throw e;
        err = e.message;
      }
      const what = `${machine}: device_add ${JSON.stringify(a)}`;
      assert.ok(reply.error, `${what}: QEMU accepted it; a device we have would be compared here`);
      assert.equal(err, reply.error.desc, what);
    });
  }
  // The CPU case needs the machine's hotplug handler; the empty machine has none.
  runOurs('none', {});
  const q = await runQemu(['-M', 'none', '-nodefaults', '-accel', 'tcg'], [['device_add', { driver: 'kvm64-x86_64-cpu' }]]);
  assert.throws(() => qdevDeviceAdd({ driver: TEST_CPU }, true), (e: unknown) =>
    e instanceof QemuError && e.message === (q.replies[0] as { error: { desc: string } }).error.desc.replace('kvm64-x86_64-cpu', TEST_CPU));
});
