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

const warningLines = (stderr: string, prog: string): string[] =>
  stderr.split('\n').filter((l) => l.startsWith(`${prog}: warning: TCG doesn't support requested feature`))
    .map((l) => l.slice(prog.length));

const featureOf = (line: string): string => /\.([a-z0-9.-]+) \[bit/.exec(line)?.[1] ?? line;

async function runBoth(extraCpu: string): Promise<{ ours: { stderr: string; qmp: Record<string, Json> }; qemu: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-seed-'));
  try {
    const qemu = spawnSync('timeout', ['10', QEMU, ...seedArgs('pc-i440fx-2.0', 'tcg', SEED_FEATURES.filter((f) => f !== 'osxsave'),
      join(dir, 'qemu-console.log'), extraCpu), '-qmp', 'stdio'], { input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n', encoding: 'utf8' });
    assert.equal(qemu.status, 0, `the oracle ${QEMU} 7.2 must run the seed line: ${qemu.error?.message ?? qemu.stderr}`);
    const consoleLog = join(dir, 'console.log');
    const vm = await startWithQmp(TSQEMU, seedArgs('pc-i440fx-trusty', 'kvm:tcg', SEED_FEATURES, consoleLog, extraCpu));
    const qmp: Record<string, Json> = {};
    try {
      qmp.name = await vm.qmp.execute('query-name');
      qmp.status = await vm.qmp.execute('query-status');
      qmp.cpus = await vm.qmp.execute('query-cpus-fast');
      const path = (qmp.cpus as Array<{ 'qom-path': string }>)[0]!['qom-path'];
      qmp.type = await vm.qmp.execute('qom-get', { path, property: 'type' });
      qmp.apicId = await vm.qmp.execute('qom-get', { path, property: 'apic-id' });
      const feats: Record<string, Json> = {};
      for (const f of SEED_FEATURES.filter((x) => x !== 'osxsave')) {
        feats[f] = await vm.qmp.execute('qom-get', { path, property: f.replace(/_/g, '-') });
      }
      qmp.features = feats;
      qmp.machine = await vm.qmp.execute('qom-list', { path: '/machine' });
      qmp.consoleLogExists = existsSync(consoleLog) && statSync(consoleLog).size === 0;
    } finally {
      assert.equal(await vm.stop(), 0, 'quit ends tsqemu with status 0');
    }
    return { ours: { stderr: vm.stderr(), qmp }, qemu: qemu.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [label, extraCpu] of [['as given (check defaults to off on 2.0-era machines)', ''], ['with check=on', ',check=on']] as const) {
  test(`the seed's machine starts on TCG and matches QEMU 7.2, ${label}`, async () => {
    const { ours, qemu } = await runBoth(extraCpu);

    // accel=kvm:tcg: KVM fails with QEMU's line, then "falling back to tcg".
    const errLines = ours.stderr.split('\n');
    assert.ok(errLines.some((l) => /^tsqemu-system-x86_64: failed to initialize kvm: /.test(l)), ours.stderr);
    assert.ok(errLines.includes('tsqemu-system-x86_64: falling back to tcg'), ours.stderr);

    // Warning lines: every feature both TCGs lack gets QEMU's line, in QEMU's order.
    const ourWarn = warningLines(ours.stderr, 'tsqemu-system-x86_64');
    const qemuWarn = warningLines(qemu, 'qemu-system-x86_64');
    if (extraCpu === '') assert.equal(qemuWarn.length, 0, 'QEMU 7.2 keeps check=off for pc-i440fx-2.0');
    else assert.ok(qemuWarn.length > 0);
    // Unnamed bits are VMX capability MSR bits: our TCG declares no VMX word at all.
    assert.ok(!Object.keys(TCG_FEATURES).some((k) => k.startsWith('FEAT_VMX')));
    const both = qemuWarn.filter((l) => !/\.[a-z]/.test(l.split(' [bit')[0]!.split(':').pop()!) || !tcgHas(featureOf(l)));
    const oursShared = ourWarn.filter((l) => qemuWarn.includes(l));
    assert.deepEqual(oursShared, both);

    // QMP: the name, one SandyBridge vCPU at APIC ID 0, socket/core/thread 0.
    assert.deepEqual(ours.qmp.name, { name: 'instance-00000024' });
    assert.deepEqual(ours.qmp.status, { status: 'prelaunch', singlestep: false, running: false });
    const cpus = ours.qmp.cpus as Array<Record<string, Json>>;
    assert.equal(cpus.length, 1);
    assert.deepEqual(cpus[0]!.props, { 'core-id': 0, 'thread-id': 0, 'socket-id': 0 });
    assert.equal(cpus[0]!['cpu-index'], 0);
    assert.equal(cpus[0]!['qom-path'], '/machine/unattached/device[0]');
    assert.equal(ours.qmp.type, 'SandyBridge-x86_64-cpu');
    assert.equal(ours.qmp.apicId, 0);

    // The seed's features, minus those our TCG lacks.
    const feats = ours.qmp.features as Record<string, boolean>;
    for (const f of Object.keys(feats)) assert.equal(feats[f], tcgHas(f), `feature ${f}`);

    // The pc machine's QOM tree: QEMU's children of /machine that we build.
    const children = (ours.qmp.machine as Array<{ name: string; type: string }>).filter((p) => p.type.startsWith('child<'));
    for (const want of [
      { name: 'unattached', type: 'child<container>' },
      { name: 'peripheral', type: 'child<container>' },
      { name: 'peripheral-anon', type: 'child<container>' },
      { name: 'i440fx', type: 'child<i440FX-pcihost>' },
      { name: 'fw_cfg', type: 'child<fw_cfg_io>' },
    ]) assert.ok(children.some((c) => c.name === want.name && c.type === want.type), `/machine/${want.name}`);

    // -chardev file creates (truncates) its file.
    assert.equal(ours.qmp.consoleLogExists, true);
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
