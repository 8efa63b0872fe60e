/*
 * The pc machine's ACPI tables against QEMU 7.2's, read from fw_cfg of a
 * stopped QEMU (-S, before any firmware) and from ours built the same way:
 * the fw_cfg files, the tables and their order, FACS/FACP/APIC/HPET/WAET
 * byte for byte, RSDT and RSDP with their pointers mapped to the tables
 * they point at, and the table-loader script (offsets relative to the
 * tables).  Both sets go through our loader (biosLinkerLoaderExec) and every
 * checksum must come out valid.  The DSDT differs by design (no hotplug
 * hardware); both are disassembled with iasl and the objects we share with
 * QEMU must disassemble to the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupMachineTypes } from '../machine/setup.js';
import { accelReset, configureAccelerators } from '../../src/accel/accel.js';
import { runOurs } from '../machine/run-machine.js';
import { pcBoard, pcSetSerialHds } from '../../src/hw/i386/pc-board.js';
import { acpiBuildUpdate, pcAcpiPmFirmwareSetup } from '../../src/hw/i386/acpi-build.js';
import { qemuChrCleanup, qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { runstateReset } from '../../src/system/runstate.js';
import { qemuFwCfgFiles } from './fwcfg-qemu.js';
import { byteSum, loaderCommands, runLoader, tableBytes, tableSpans, type TableSpan } from './tables.js';

setupMachineTypes();

interface Config {
  name: string;
  /** The machine type (pc when absent). */
  machine?: string;
  qemu: string[];
  props: Record<string, unknown>;
  serials?: number;
  /** Also evaluate the DSDT objects with acpiexec (about a second a DSDT). */
  acpiexec?: boolean;
}

const MiB = 1024 * 1024;
const CONFIGS: Config[] = [
  { name: 'smp 1, 128M', qemu: [], props: { memory: { size: 128 * MiB } } },
  { name: 'smp 2, 512M, COM1', qemu: ['-smp', '2', '-m', '512', '-serial', 'null'], props: { memory: { size: 512 * MiB }, smp: { cpus: '2' } }, serials: 1, acpiexec: true },
  { name: 'smp 4', qemu: ['-smp', '4'], props: { memory: { size: 128 * MiB }, smp: { cpus: '4' } } },
  {
    name: 'smp 4 sockets=2 cores=2', qemu: ['-smp', '4,sockets=2,cores=2'],
    props: { memory: { size: 128 * MiB }, smp: { cpus: '4', sockets: '2', cores: '2' } },
  },
  {
    name: 'smp 6 sockets=2 cores=3 (APIC ID holes)', qemu: ['-smp', '6,sockets=2,cores=3'],
    props: { memory: { size: 128 * MiB }, smp: { cpus: '6', sockets: '2', cores: '3' } },
  },
  {
    name: 'smp 2 maxcpus 10, 4G, hpet=off, 2 COM', qemu: ['-smp', '2,maxcpus=10', '-m', '4G', '-machine', 'hpet=off', '-serial', 'null', '-serial', 'null'],
    props: { memory: { size: 4096 * MiB }, smp: { cpus: '2', maxcpus: '10' }, hpet: false }, serials: 2, acpiexec: true,
  },
  {
    name: 'smp 1 maxcpus 255', qemu: ['-smp', '1,maxcpus=255'],
    props: { memory: { size: 128 * MiB }, smp: { cpus: '1', maxcpus: '255' } },
  },
  // Older machine types (legacy CPU hotplug AML, RSDP outside fw_cfg, fixed table sizes) are not covered.
  ...['pc-i440fx-7.1', 'pc-i440fx-6.2', 'pc-i440fx-5.2', 'pc-i440fx-4.2', 'pc-i440fx-3.1', 'pc-i440fx-2.12'].map((m) => ({
    name: `${m}, smp 2`, machine: m, qemu: ['-smp', '2'], props: { memory: { size: 128 * MiB }, smp: { cpus: '2' } },
  })),
];

function ourFiles(c: Config): Map<string, Uint8Array> {
  runstateReset();
  const r = runOurs(c.machine ?? 'pc', c.props, false, () => {
    qemuChrCleanup();
    pcSetSerialHds(Array.from({ length: c.serials ?? 0 }, (_, i) => qemuChrNewFromOpts({ id: `serial${i}`, backend: 'null' })));
    accelReset();
    configureAccelerators(undefined, []);
  });
  assert.equal(r.code, 0, r.stderr);
  const files = new Map<string, Uint8Array>();
  for (const f of pcBoard(r.machine!)!.fwCfgState.files) files.set(f.name, f.entry.data ?? new Uint8Array(0));
  return files;
}

const ACPI_FILES = ['etc/acpi/rsdp', 'etc/acpi/tables', 'etc/table-loader'];

/** A table with its pointers replaced by the signature of what they point at. */
function pointerTargets(blob: Uint8Array, spans: TableSpan[], span: TableSpan, firstEntry: number): string[] {
  const dv = new DataView(blob.buffer, blob.byteOffset + span.offset, span.length);
  const out: string[] = [];
  for (let o = firstEntry; o + 4 <= span.length; o += 4) out.push(spans.find((s) => s.offset === dv.getUint32(o, true))?.sig ?? '?');
  return out;
}

let iaslDir: string | undefined;

/** iasl -d of a DSDT; fails loudly when iasl (acpica-tools) is missing. */
function disassemble(name: string, aml: Uint8Array): { dsl: string; log: string } {
  iaslDir ??= mkdtempSync(join(tmpdir(), 'tsqemu-acpi-'));
  const dat = join(iaslDir, `${name}.dat`);
  writeFileSync(dat, aml);
  let log: string;
  try {
    log = execFileSync('iasl', ['-d', dat], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('iasl (Debian package acpica-tools) is required for the DSDT tests');
    throw new Error(`iasl -d failed: ${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
  return { dsl: readFileSync(join(iaslDir, `${name}.dsl`), 'utf8'), log };
}

/**
 * The text of the ASL block opened by the first line matching `head` (up to
 * its closing brace), indentation and blank lines dropped; a one-line
 * statement is returned alone.
 */
function aslBlock(dsl: string, head: RegExp, nth = 0, containing?: string): string | undefined {
  const lines = dsl.split('\n');
  const blockAt = (found: number): string => {
    const out = [lines[found]!.trim()];
    if (lines[found + 1]?.trim() !== '{') return out[0]!;
    let depth = 0;
    for (let k = found + 1; k < lines.length; k++) {
      const t = lines[k]!.trim();
      if (t === '') continue;
      out.push(t);
      // Braces in comments (the ASCII column of a buffer dump) do not count.
      const code = t.replace(/\/\/.*$/, '').replace(/\/\*.*?\*\//g, '').replace(/"[^"]*"/g, '');
      depth += (code.match(/\{/g)?.length ?? 0) - (code.match(/\}/g)?.length ?? 0);
      if (depth === 0) break;
    }
    return out.join('\n');
  };
  for (let k = 0, seen = 0; k < lines.length; k++) {
    if (!head.test(lines[k]!.trim())) continue;
    const b = blockAt(k);
    if (containing !== undefined && !b.includes(containing)) continue;
    if (seen++ === nth) return b;
  }
  return undefined;
}

/**
 * A helper SSDT for acpiexec: \PRTN(i) is _PRT's i-th entry (the whole
 * package is too big for acpiexec's result buffer); \SRSB programs LNKB
 * through its _SRS and returns its _CRS; \DISB disables it and returns _STA.
 */
const HELPER_ASL = `DefinitionBlock ("", "SSDT", 1, "TEST  ", "HELPER  ", 1)
{
    External (\\_SB.PCI0._PRT, MethodObj)
    External (\\_SB.LNKB, DeviceObj)
    External (\\_SB.LNKB._SRS, MethodObj)
    External (\\_SB.LNKB._CRS, MethodObj)
    External (\\_SB.LNKB._STA, MethodObj)
    External (\\_SB.LNKB._DIS, MethodObj)
    Method (\\PRTN, 1, NotSerialized) { Return (DerefOf (Index (\\_SB.PCI0._PRT (), Arg0))) }
    Method (\\SRSB, 0, NotSerialized)
    {
        \\_SB.LNKB._SRS (ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {11} })
        Store (Package (0x02) {}, Local2)
        Store (\\_SB.LNKB._STA (), Index (Local2, Zero))
        Store (\\_SB.LNKB._CRS (), Index (Local2, One))
        Return (Local2)
    }
    Method (\\DISB, 0, NotSerialized) { \\_SB.LNKB._DIS () Return (\\_SB.LNKB._STA ()) }
}
`;

/** What acpiexec evaluates in both DSDTs; the answers must be the same. */
function acpiexecCommands(hpet: boolean, serials: number): string[] {
  // Slots 0-4, all pins (evaluating _PRT is slow in acpiexec): the rotation over the links and LNKS at 01.0 INTA.
  const cmds = Array.from({ length: 20 }, (_, k) => `evaluate \\PRTN ${k}`);
  cmds.push('evaluate \\_S3', 'evaluate \\_S4', 'evaluate \\_S5', 'evaluate \\_SB.PCI0._CRS', 'evaluate \\_SB.PCI0._HID',
    'evaluate \\_SB.PCI0.GPE0._CRS', 'evaluate \\_SB.PCI0.FWCF._CRS');
  for (const l of ['LNKA', 'LNKB', 'LNKC', 'LNKD', 'LNKS']) cmds.push(`evaluate \\_SB.${l}._PRS`, `evaluate \\_SB.${l}._CRS`, `evaluate \\_SB.${l}._STA`);
  cmds.push('evaluate \\SRSB', 'evaluate \\DISB');
  for (const d of ['KBD_', 'MOU_', 'RTC_']) cmds.push(`evaluate \\_SB.PCI0.S08_.${d}._CRS`, `evaluate \\_SB.PCI0.S08_.${d}._HID`);
  for (let k = 1; k <= serials; k++) cmds.push(`evaluate \\_SB.PCI0.S08_.COM${k}._CRS`, `evaluate \\_SB.PCI0.S08_.COM${k}._UID`);
  if (hpet) cmds.push('evaluate \\_SB.HPET._CRS', 'evaluate \\_SB.HPET._STA', 'evaluate \\_SB.HPET._HID');
  return cmds;
}

/** acpiexec's answers, without pointers and allocation bookkeeping. */
function acpiexec(name: string, dsdt: Uint8Array, cmds: string[]): string {
  const helper = join(iaslDir!, 'helper');
  if (!existsSync(`${helper}.aml`)) {
    writeFileSync(`${helper}.asl`, HELPER_ASL);
    execFileSync('iasl', ['-p', helper, `${helper}.asl`], { stdio: 'ignore' });
  }
  const aml = join(iaslDir!, `${name}.aml`);
  writeFileSync(aml, dsdt);
  // Interactive mode, commands on stdin: batch mode (-b) takes at most 1023 characters.
  let out: string;
  try {
    out = execFileSync('acpiexec', [aml, `${helper}.aml`], { encoding: 'utf8', input: [...cmds, 'quit', ''].join('\n'), stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; status?: number; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('acpiexec (Debian package acpica-tools) is required for the DSDT tests');
    throw new Error(`acpiexec failed (${err.status}): ${(err.stdout ?? '').slice(-2000)}${err.stderr ?? ''}`);
  }
  const start = out.indexOf('Evaluating ');
  assert.ok(start >= 0, `acpiexec ran: ${out}`);
  assert.equal(out.split('\nEvaluating ').length - 1, cmds.length, 'every command evaluated');
  return out.slice(start).split('\n')
    .filter((l) => !/Outstanding allocations|No outstanding allocations/.test(l))
    .map((l) => l.replace(/0x[0-9a-f]{8,}/gi, 'PTR').replace(/external buffer length [0-9A-F]+/, ''))
    .join('\n');
}

/** The objects ours shares with QEMU's DSDT, identified by their first line. */
const SHARED_OBJECTS: RegExp[] = [
  /^Device \(PCI0\)$/, /^Method \(_PRT, 0, NotSerialized\)/, /^Method \(IQST, 1/, /^Method \(IQCR, 1/,
  /^Device \(LNKA\)$/, /^Device \(LNKB\)$/, /^Device \(LNKC\)$/, /^Device \(LNKD\)$/, /^Device \(LNKS\)$/,
  /^Name \(_CRS, ResourceTemplate \(\)  \/\/ _CRS: Current Resource Settings$/, /^Device \(GPE0\)$/,
  /^Name \(_S3, /, /^Name \(_S4, /, /^Name \(_S5, /, /^Device \(FWCF\)$/, /^OperationRegion \(P40C, /,
  /^Field \(PCI0\.S08\.P40C, /, /^Device \(KBD\)$/, /^Device \(MOU\)$/, /^Device \(RTC\)$/, /^Device \(COM1\)$/, /^Device \(COM2\)$/,
  /^Device \(HPET\)$/, /^Scope \(_GPE\)$/,
];
/** Objects that only exist with some configurations (COM ports, the HPET); the rest must be there. */
const OPTIONAL_OBJECTS = SHARED_OBJECTS.filter((r) => /COM|HPET/.test(r.source));

for (const c of CONFIGS) {
  test(`ACPI tables vs QEMU 7.2: ${c.name}`, async () => {
    const q = await qemuFwCfgFiles([...(c.machine ? ['-M', c.machine] : []), ...c.qemu]);
    const o = ourFiles(c);
    for (const f of ACPI_FILES) {
      assert.ok(q.has(f), `QEMU has ${f}`);
      assert.ok(o.has(f), `we have ${f}`);
      assert.equal(o.get(f)!.length, q.get(f)!.length, `${f} size`);
    }
    const qt = q.get('etc/acpi/tables')!, ot = o.get('etc/acpi/tables')!;
    const qs = tableSpans(qt), os = tableSpans(ot);
    assert.deepEqual(os.map((s) => s.sig), qs.map((s) => s.sig), 'tables and their order');
    // Past the last table the blob is zero padding in both.
    const end = (s: TableSpan[]): number => s.at(-1)!.offset + s.at(-1)!.length;
    assert.ok(ot.subarray(end(os)).every((b) => b === 0), 'our padding is zero');

    for (let k = 0; k < qs.length; k++) {
      const sig = qs[k]!.sig;
      if (sig === 'DSDT') continue;
      if (sig === 'RSDT') {
        const hdr = (b: Uint8Array, sp: TableSpan): string => Buffer.from(tableBytes(b, sp).subarray(0, 36)).toString('hex');
        assert.equal(hdr(ot, os[k]!), hdr(qt, qs[k]!), 'RSDT header');
        assert.deepEqual(pointerTargets(ot, os, os[k]!, 36), pointerTargets(qt, qs, qs[k]!, 36), 'RSDT entries');
        continue;
      }
      // FACS, FACP (its FACS and DSDT pointers are the same offsets in both), APIC, HPET, WAET.
      assert.deepEqual(Buffer.from(tableBytes(ot, os[k]!)).toString('hex'), Buffer.from(tableBytes(qt, qs[k]!)).toString('hex'), `${sig} bytes`);
    }

    const qr = q.get('etc/acpi/rsdp')!, or = o.get('etc/acpi/rsdp')!;
    assert.deepEqual(Buffer.from(or.subarray(0, 16)).toString('hex'), Buffer.from(qr.subarray(0, 16)).toString('hex'), 'RSDP');
    const rsdtAt = (r: Uint8Array, s: TableSpan[]): string | undefined => s.find((x) => x.offset === Buffer.from(r).readUInt32LE(16))?.sig;
    assert.equal(rsdtAt(or, os), 'RSDT');
    assert.equal(rsdtAt(qr, qs), 'RSDT');

    assert.deepEqual(loaderCommands(o.get('etc/table-loader')!, os), loaderCommands(q.get('etc/table-loader')!, qs), 'table-loader commands');

    // Both through our loader: every checksummed table and the RSDP sum to zero, pointers land on tables.
    for (const [who, files, spans] of [['ours', o, os], ['QEMU', q, qs]] as const) {
      const placed = runLoader(files);
      const tables = placed.find((p) => p.name === 'etc/acpi/tables')!;
      const rsdp = placed.find((p) => p.name === 'etc/acpi/rsdp')!;
      assert.equal(byteSum(rsdp.data), 0, `${who}: RSDP checksum`);
      assert.equal(rsdp.addr % 16, 0, `${who}: RSDP alignment`);
      const rsdt = Buffer.from(rsdp.data).readUInt32LE(16) - tables.addr;
      assert.equal(spans.find((s) => s.offset === rsdt)?.sig, 'RSDT', `${who}: RSDP → RSDT`);
      for (const s of spans) {
        if (s.sig !== 'FACS') assert.equal(byteSum(tableBytes(tables.data, s)), 0, `${who}: ${s.sig} checksum`);
      }
      const facp = spans.find((s) => s.sig === 'FACP')!;
      const facpDv = Buffer.from(tableBytes(tables.data, facp));
      assert.equal(facpDv.readUInt32LE(40) - tables.addr, spans.find((s) => s.sig === 'DSDT')!.offset, `${who}: FACP → DSDT`);
      assert.equal((facpDv.readUInt32LE(36) - tables.addr) % 64, 0, `${who}: FACS aligned to 64`);
    }

    // DSDT: ours disassembles cleanly and shares QEMU's objects (checksums fixed by the loader).
    const dsdtOf = (files: Map<string, Uint8Array>, spans: TableSpan[]): Uint8Array =>
      tableBytes(runLoader(files).find((p) => p.name === 'etc/acpi/tables')!.data, spans.find((s) => s.sig === 'DSDT')!);
    const tag = c.name.replace(/[^a-z0-9]+/gi, '-');
    const od = disassemble(`ours-${tag}`, dsdtOf(o, os));
    const qd = disassemble(`qemu-${tag}`, dsdtOf(q, qs));
    assert.doesNotMatch(od.log + od.dsl, /Error|Incorrect checksum|Unknown|Unresolved/i, 'iasl -d of our DSDT');
    for (const head of SHARED_OBJECTS) {
      // The PCI0 _CRS is the one with the bus numbers.
      const marker = /_CRS/.test(head.source) ? 'WordBusNumber' : undefined;
      const qb = aslBlock(qd.dsl, head, 0, marker);
      const ob = aslBlock(od.dsl, head, 0, marker);
      if (!OPTIONAL_OBJECTS.includes(head)) assert.notEqual(ob, undefined, `our DSDT has ${head}`);
      assert.equal(ob, qb, `DSDT object ${head}`);
    }
    // The same objects evaluated by ACPICA's acpiexec give the same results (with and without COM ports and HPET).
    if (c.acpiexec) {
      const ev = acpiexecCommands(c.props.hpet !== false, c.serials ?? 0);
      const oe = acpiexec(`ours-${tag}`, dsdtOf(o, os), ev);
      assert.doesNotMatch(oe, /AE_NOT_FOUND|Error/, 'acpiexec on our DSDT');
      assert.equal(oe, acpiexec(`qemu-${tag}`, dsdtOf(q, qs), ev), 'acpiexec results');
    }
    // The processors: QEMU's come with the CPU hotplug machinery; their _MAT (the MADT entry) must be ours.
    const cpus = (qd.dsl.match(/^\s*Processor \(C[0-9A-F]{3}/gm) ?? []).length;
    assert.ok(cpus > 0);
    assert.equal((od.dsl.match(/^\s*Processor \(C[0-9A-F]{3}/gm) ?? []).length, cpus, 'Processor objects');
    for (let k = 0; k < cpus; k++) {
      assert.equal(aslBlock(od.dsl, /^Name \(_MAT, Buffer/, k), aslBlock(qd.dsl, /^Name \(_MAT, Buffer/, k), `_MAT of CPU ${k}`);
      assert.equal(aslBlock(od.dsl, /^Processor \(C/, k)!.split('\n')[0], aslBlock(qd.dsl, /^Processor \(C/, k)!.split('\n')[0], `Processor ${k}`);
    }
  });
}

test('acpi_build_update: PM block placed (PMBA 0x600, PMREGMISC) before the first read of the tables', async () => {
  // Config writes to 00:01.3 as SeaBIOS's piix4_pm_setup does them (the same as pcAcpiPmFirmwareSetup).
  const cfg = (off: number): string => `outl 0xcf8 0x${((0x80000000 | (0x0b << 8) | off) >>> 0).toString(16)}`;
  const q = await qemuFwCfgFiles([], [cfg(0x40), 'outl 0xcfc 0x601', cfg(0x80), 'outb 0xcfc 0x1', cfg(0x90), 'outl 0xcfc 0x701', cfg(0xd0), 'outb 0xcfe 0x9']);
  runstateReset();
  const r = runOurs('pc', { memory: { size: 128 * MiB } }, false, () => {
    pcSetSerialHds([]);
    accelReset();
    configureAccelerators(undefined, []);
  });
  assert.equal(r.code, 0, r.stderr);
  const ms = r.machine!;
  pcAcpiPmFirmwareSetup(ms);
  acpiBuildUpdate(ms);
  const o = new Map(pcBoard(ms)!.fwCfgState.files.map((f) => [f.name, f.entry.data!]));
  const facp = (files: Map<string, Uint8Array>): string => {
    const t = files.get('etc/acpi/tables')!;
    return Buffer.from(tableBytes(t, tableSpans(t).find((s) => s.sig === 'FACP')!)).toString('hex');
  };
  assert.equal(facp(o), facp(q));
  assert.equal(Buffer.from(tableBytes(o.get('etc/acpi/tables')!, tableSpans(o.get('etc/acpi/tables')!).find((s) => s.sig === 'FACP')!)).readUInt32LE(56), 0x600);
});

test('ACPI off: no tables in fw_cfg (acpi=off)', async () => {
  const q = await qemuFwCfgFiles(['-machine', 'acpi=off']);
  const o = ourFiles({ name: 'acpi=off', qemu: [], props: { memory: { size: 128 * MiB }, acpi: 'off' } });
  for (const f of ACPI_FILES) {
    assert.equal(q.has(f), false, `QEMU has no ${f}`);
    assert.equal(o.has(f), false, `we have no ${f}`);
  }
});

test.after(() => {
  if (iaslDir) rmSync(iaslDir, { recursive: true, force: true });
});
