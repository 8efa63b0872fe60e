/*
 * The seed's machine (../shared/seed/qemu-vcpu-creation.md) on this machine,
 * side by side with QEMU 7.2: the OpenStack line without the parts whose
 * backends later issues build, with accel=kvm:tcg, a -chardev file in a
 * temporary folder, -S and QMP.
 *
 * Oracle: qemu-system-x86_64 7.2 run on the same line, with pc-i440fx-2.0 for
 * Ubuntu's pc-i440fx-trusty (which 7.2 refuses) and without +osxsave (which
 * 7.2 refuses), on TCG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWithQmp, type Json } from '../helpers/qmp-client.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import { featureBitsByName, featurePropertyAliases, featureWordName } from '../../src/target/i386/cpu-features.js';

const TSQEMU = join(process.cwd(), 'bin', 'tsqemu-system-x86_64');
const QEMU = 'qemu-system-x86_64';

const SEED_FEATURES = ['erms', 'smep', 'fsgsbase', 'pdpe1gb', 'rdrand', 'f16c', 'osxsave', 'dca', 'pcid', 'pdcm', 'xtpr',
  'tm2', 'est', 'smx', 'vmx', 'ds_cpl', 'monitor', 'dtes64', 'pbe', 'tm', 'ht', 'ss', 'acpi', 'ds', 'vme'];

function seedArgs(machine: string, accel: string, features: string[], consoleLog: string, extraCpu = ''): string[] {
  return [
    '-enable-kvm',
    '-name', 'instance-00000024',
    '-machine', `${machine},accel=${accel},usb=off`,
    '-cpu', 'SandyBridge,' + features.map((f) => '+' + f).join(',') + extraCpu,
    '-m', '2048',
    '-smp', '1,sockets=1,cores=1,threads=1',
    '-rtc', 'base=utc,driftfix=slew',
    '-chardev', `file,id=charserial0,path=${consoleLog}`,
    '-S', '-display', 'none',
  ];
}

/** Is the feature (QEMU property spelling) in our TCG's declared set? */
function tcgHas(feature: string): boolean {
  const name = feature.replace(/_/g, '-');
  const bits = featureBitsByName.get(featurePropertyAliases[name] ?? name);
  assert.ok(bits && bits.length > 0, `unknown feature ${feature}`);
  return bits.every((b) => (((TCG_FEATURES[featureWordName(b.w)] ?? 0) >>> b.bit) & 1) === 1);
}

const warningLines = (stderr: string, prog: string, prefix: string): string[] =>
  stderr.split('\n').filter((l) => l.startsWith(`${prog}: warning: ${prefix} requested feature`))
    .map((l) => l.slice(prog.length));

const featureOf = (line: string): string => /\.([a-z0-9.-]+) \[bit/.exec(line)?.[1] ?? line;

interface Side {
  stderr: string;
  kvm: boolean;
  features: Record<string, Json>;
}

/** Starts a VM with QMP and reads what the checks need; `extra` adds our own queries. */
async function probe(binary: string, args: string[], extra: (q: (cmd: string, a?: Record<string, Json>) => Promise<Json>, path: string) => Promise<void>): Promise<Side> {
  const vm = await startWithQmp(binary, args);
  const features: Record<string, Json> = {};
  let kvm = false;
  try {
    const q = (cmd: string, a?: Record<string, Json>) => vm.qmp.execute(cmd, a);
    kvm = ((await q('query-kvm')) as { enabled: boolean }).enabled;
    const path = ((await q('query-cpus-fast')) as Array<{ 'qom-path': string }>)[0]!['qom-path'];
    for (const f of SEED_FEATURES.filter((x) => x !== 'osxsave')) {
      features[f] = await q('qom-get', { path, property: f.replace(/_/g, '-') });
    }
    await extra(q, path);
  } finally {
    assert.equal(await vm.stop(), 0, `quit ends ${binary} with status 0`);
  }
  return { stderr: vm.stderr(), kvm, features };
}

for (const [label, extraCpu] of [['as given (check defaults to off on 2.0-era machines)', ''], ['with check=on', ',check=on']] as const) {
  test(`the seed's machine starts and matches QEMU 7.2, ${label}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsqemu-seed-'));
    try {
      const qemu = await probe(QEMU, seedArgs('pc-i440fx-2.0', 'kvm:tcg', SEED_FEATURES.filter((f) => f !== 'osxsave'),
        join(dir, 'qemu-console.log'), extraCpu), async () => undefined);
      const consoleLog = join(dir, 'console.log');
      const qmp: Record<string, Json> = {};
      const ours = await probe(TSQEMU, seedArgs('pc-i440fx-trusty', 'kvm:tcg', SEED_FEATURES, consoleLog, extraCpu), async (q, path) => {
        qmp.name = await q('query-name');
        qmp.status = await q('query-status');
        qmp.cpus = await q('query-cpus-fast');
        qmp.type = await q('qom-get', { path, property: 'type' });
        qmp.apicId = await q('qom-get', { path, property: 'apic-id' });
        qmp.machine = await q('qom-list', { path: '/machine' });
        qmp.consoleLogExists = existsSync(consoleLog) && statSync(consoleLog).size === 0;
      });

      // accel=kvm:tcg picks the same accelerator as QEMU on this host, with the same lines.
      assert.equal(ours.kvm, qemu.kvm, 'same accelerator as QEMU 7.2');
      if (!ours.kvm) assert.ok(ours.stderr.split('\n').includes('tsqemu-system-x86_64: falling back to tcg'), ours.stderr);
      const prefix = ours.kvm ? "host doesn't support" : "TCG doesn't support";
      const ourWarn = warningLines(ours.stderr, 'tsqemu-system-x86_64', prefix);
      const qemuWarn = warningLines(qemu.stderr, 'qemu-system-x86_64', prefix);
      if (extraCpu === '') assert.equal(qemuWarn.length, 0, 'QEMU 7.2 keeps check=off for pc-i440fx-2.0');
      if (ours.kvm) {
        // Under KVM both filter against the same host: identical lines, identical features.
        assert.deepEqual(ourWarn, qemuWarn);
        assert.deepEqual(ours.features, qemu.features);
      } else {
        // Under TCG, every feature both TCGs lack gets QEMU's line, in QEMU's order.
        // Unnamed bits are VMX capability MSR bits: our TCG declares no VMX word at all.
        assert.ok(!Object.keys(TCG_FEATURES).some((k) => k.startsWith('FEAT_VMX')));
        const both = qemuWarn.filter((l) => !/\.[a-z]/.test(l.split(' [bit')[0]!.split(':').pop()!) || !tcgHas(featureOf(l)));
        assert.deepEqual(ourWarn.filter((l) => qemuWarn.includes(l)), both);
        for (const f of Object.keys(ours.features)) assert.equal(ours.features[f], qemu.features[f] === true && tcgHas(f), `feature ${f}`);
      }
      // +osxsave is taken as QEMU 2.0 took it, with our one warning.
      assert.equal(ours.stderr.split('\n').filter((l) => l.includes("CPU feature '+osxsave' ignored")).length, 1);

      // QMP: the name, one SandyBridge vCPU at APIC ID 0, socket/core/thread 0.
      assert.deepEqual(qmp.name, { name: 'instance-00000024' });
      assert.deepEqual(qmp.status, { status: 'prelaunch', singlestep: false, running: false });
      const cpus = qmp.cpus as Array<Record<string, Json>>;
      assert.equal(cpus.length, 1);
      assert.deepEqual(cpus[0]!.props, { 'core-id': 0, 'thread-id': 0, 'socket-id': 0 });
      assert.equal(cpus[0]!['cpu-index'], 0);
      assert.equal(cpus[0]!['qom-path'], '/machine/unattached/device[0]');
      assert.equal(qmp.type, 'SandyBridge-x86_64-cpu');
      assert.equal(qmp.apicId, 0);

      // The pc machine's QOM tree: QEMU's children of /machine that we build.
      const children = (qmp.machine as Array<{ name: string; type: string }>).filter((p) => p.type.startsWith('child<'));
      for (const want of [
        { name: 'unattached', type: 'child<container>' },
        { name: 'peripheral', type: 'child<container>' },
        { name: 'peripheral-anon', type: 'child<container>' },
        { name: 'i440fx', type: 'child<i440FX-pcihost>' },
        { name: 'fw_cfg', type: 'child<fw_cfg_io>' },
      ]) assert.ok(children.some((c) => c.name === want.name && c.type === want.type), `/machine/${want.name}`);

      // -chardev file creates (truncates) its file.
      assert.equal(qmp.consoleLogExists, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the full seed line stops at the first missing piece with one "not supported yet" line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-seed-'));
  try {
    const disk = join(dir, 'disk');
    const img = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M'], { encoding: 'utf8' });
    assert.equal(img.status, 0, `qemu-img (the oracle's tool) must be installed: ${img.stderr}`);
    const args = [
      ...seedArgs('pc-i440fx-trusty', 'kvm', SEED_FEATURES, join(dir, 'console.log')).filter((a) => a !== '-S' && a !== '-display' && a !== 'none'),
      '-drive', `file=${disk},if=none,id=drive-virtio-disk0,format=qcow2,cache=none`,
      '-device', 'virtio-blk-pci,scsi=off,bus=pci.0,addr=0x4,drive=drive-virtio-disk0,id=virtio-disk0,bootindex=1',
      '-netdev', 'tap,fd=32,id=hostnet0,vhost=on,vhostfd=37',
      '-device', 'virtio-net-pci,netdev=hostnet0,id=net0,mac=fa:16:3e:d1:2d:99,bus=pci.0,addr=0x3',
      '-vnc', '0.0.0.0:12',
      '-device', 'cirrus-vga,id=video0,bus=pci.0,addr=0x2',
    ];
    const r = spawnSync(TSQEMU, args, { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines.at(-1)!, /^tsqemu-system-x86_64: .* not supported yet$/, r.stderr);
    assert.equal(lines.filter((l) => l.includes('not supported yet')).length, 1, r.stderr);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
