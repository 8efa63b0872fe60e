/*
 * acpiInstallDirect(): the tables installed into our guest RAM host-side,
 * against the tables SeaBIOS installs in QEMU 7.2 (QEMU running its BIOS
 * under TCG; the RSDP found in the F segment, the rest followed through
 * guest memory).  With the PM block placed as SeaBIOS places it (0x600),
 * FACP, APIC, HPET and WAET must be the same bytes (checksums included),
 * apart from FACP's pointers, which must lead to a FACS and a DSDT in both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupMachineTypes } from '../machine/setup.js';
import { accelReset, configureAccelerators } from '../../src/accel/accel.js';
import { runOurs } from '../machine/run-machine.js';
import { pcSetSerialHds } from '../../src/hw/i386/pc-board.js';
import { pcMemory } from '../../src/hw/i386/pc-memory.js';
import { acpiInstallDirect, pcAcpiPmFirmwareSetup } from '../../src/hw/i386/acpi-build.js';
import { runstateReset } from '../../src/system/runstate.js';
import { QtestSession } from './fwcfg-qemu.js';
import { byteSum } from './tables.js';

setupMachineTypes();

type Reader = (addr: number, len: number) => Promise<Buffer>;

/** The tables reachable from the RSDP at `rsdp`: signature → bytes, in RSDT order, plus FACS and DSDT from FACP. */
async function walk(read: Reader, rsdp: number): Promise<{ order: string[]; tables: Map<string, Buffer>; rsdpBytes: Buffer }> {
  const rsdpBytes = await read(rsdp, 20);
  assert.equal(rsdpBytes.subarray(0, 8).toString('latin1'), 'RSD PTR ');
  const table = async (addr: number): Promise<Buffer> => read(addr, (await read(addr, 8)).readUInt32LE(4));
  const rsdt = await table(rsdpBytes.readUInt32LE(16));
  assert.equal(rsdt.subarray(0, 4).toString('latin1'), 'RSDT');
  const tables = new Map<string, Buffer>([['RSDT', rsdt]]);
  const order: string[] = [];
  for (let o = 36; o < rsdt.length; o += 4) {
    const t = await table(rsdt.readUInt32LE(o));
    const sig = t.subarray(0, 4).toString('latin1');
    order.push(sig);
    tables.set(sig, t);
  }
  const facp = tables.get('FACP')!;
  tables.set('FACS', await table(facp.readUInt32LE(36)));
  tables.set('DSDT', await table(facp.readUInt32LE(40)));
  return { order, tables, rsdpBytes };
}

/** QEMU with SeaBIOS: poll the F segment until the RSDP is there. */
async function qemuInstalled(args: string[]): Promise<Awaited<ReturnType<typeof walk>>> {
  const q = new QtestSession(['-accel', 'tcg', ...args]);
  try {
    const read: Reader = (a, l) => q.read(a, l);
    for (let tries = 0; tries < 100; tries++) {
      const fseg = await read(0xe0000, 0x20000);
      for (let i = fseg.indexOf('RSD PTR '); i >= 0; i = fseg.indexOf('RSD PTR ', i + 16)) {
        if (i % 16 === 0 && byteSum(fseg.subarray(i, i + 20)) === 0) return await walk(read, 0xe0000 + i);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('SeaBIOS did not install an RSDP');
  } finally {
    q.close();
  }
}

const MiB = 1024 * 1024;

test('acpiInstallDirect: the tables in guest RAM are the ones SeaBIOS installs in QEMU 7.2 (-smp 2 -m 512)', async () => {
  const q = await qemuInstalled(['-smp', '2', '-m', '512']);

  runstateReset();
  const r = runOurs('pc', { memory: { size: 512 * MiB }, smp: { cpus: '2' } }, false, () => {
    pcSetSerialHds([]);
    accelReset();
    configureAccelerators(undefined, []);
  });
  assert.equal(r.code, 0, r.stderr);
  const ms = r.machine!;
  const as = pcMemory(ms)!.memory!.as;
  pcAcpiPmFirmwareSetup(ms);
  const writes: Array<[number, number]> = [];
  const base = 0x1f000000;
  const res = acpiInstallDirect(ms, (addr, data) => {
    writes.push([addr, data.length]);
    as.dmaWrite(addr, data);
  }, base)!;
  assert.ok(res, 'ACPI is on');
  // Everything lies in [base, end), the RSDP aligned to 16.
  for (const [a, l] of writes) assert.ok(a >= base && a + l <= res.end, `write at 0x${a.toString(16)}+${l} inside [base, end)`);
  assert.equal(res.rsdpAddr % 16, 0);
  const o = await walk(async (a, l) => {
    const b = Buffer.alloc(l);
    as.dmaRead(a, b);
    return b;
  }, res.rsdpAddr);

  assert.equal(byteSum(o.rsdpBytes), 0, 'RSDP checksum');
  // Signature, OEM ID and revision (the checksum follows the RSDT address).
  assert.deepEqual(o.rsdpBytes.subarray(9, 16), q.rsdpBytes.subarray(9, 16), 'RSDP');
  assert.deepEqual(o.order, q.order, 'RSDT entries');
  for (const [sig, t] of o.tables) if (sig !== 'FACS') assert.equal(byteSum(t), 0, `${sig} checksum`);
  assert.equal(o.tables.get('FACS')!.length, 64);
  assert.equal(o.tables.get('DSDT')!.subarray(0, 4).toString('latin1'), 'DSDT');
  for (const sig of ['APIC', 'HPET', 'WAET', 'FACS']) {
    assert.equal(o.tables.get(sig)!.toString('hex'), q.tables.get(sig)!.toString('hex'), `${sig} bytes`);
  }
  // FACP: the same apart from the checksum and the two pointers.
  const norm = (b: Buffer): string => {
    const c = Buffer.from(b);
    c[9] = 0;
    c.fill(0, 36, 44);
    return c.toString('hex');
  };
  assert.equal(norm(o.tables.get('FACP')!), norm(q.tables.get('FACP')!), 'FACP (PM block at 0x600 as SeaBIOS sets it)');
  assert.equal(o.tables.get('FACP')!.readUInt32LE(56), 0x600, 'PM1a_EVT_BLK');
});

test('acpiInstallDirect with an F-segment address: the RSDP goes there, the tables from base', () => {
  runstateReset();
  const r = runOurs('pc', { memory: { size: 128 * MiB } }, false, () => {
    pcSetSerialHds([]);
    accelReset();
    configureAccelerators(undefined, []);
  });
  assert.equal(r.code, 0, r.stderr);
  const mem = new Map<number, Uint8Array>();
  const res = acpiInstallDirect(r.machine!, (addr, data) => mem.set(addr, Uint8Array.from(data)), 0x7000000, 0xf5001)!;
  assert.equal(res.rsdpAddr, 0xf5010, 'aligned up to 16');
  const rsdp = Buffer.from(mem.get(res.rsdpAddr)!);
  assert.equal(byteSum(rsdp), 0);
  const tables = mem.get(0x7000000)!;
  assert.ok(tables, 'the tables file at base (aligned to 64 already)');
  const rsdt = rsdp.readUInt32LE(16) - 0x7000000;
  assert.equal(Buffer.from(tables.subarray(rsdt, rsdt + 4)).toString('latin1'), 'RSDT');
  assert.equal(res.end, 0x7000000 + tables.length);
});
