/*
 * The IOAPIC's MSI messages and the HPET's timers on a fake clock (time moves
 * only when the test says), checked against the specifications: the MSI
 * address/data format of the Intel SDM (vol. 3, 11.11: 0xfee00000 |
 * destination << 12 | destination mode << 2; vector | delivery mode << 8 |
 * trigger mode << 15) for redirection entries laid out as in the 82093AA
 * datasheet, remote IRR and EOI; the HPET 1.0a specification's 100 MHz main
 * counter (the period QEMU advertises: 10 ns), one-shot and periodic
 * comparators, the 32-bit one-shot's extra interrupt at the counter's wrap,
 * FSB delivery, and LegacyReplacementRoute (timer 0 on IRQ 0, timer 1 on IRQ
 * 8, the PIT's and the RTC's own interrupts cut off).  The routing of the
 * gsi lines follows QEMU's gsi_handler/ioapic_set_irq: ISA IRQ 0 on pin 2.
 */
import { FakeClock } from '../helpers/fake-clock.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qemuClockSetSource, timerlistRun } from '../../src/qemu/timer.js';
import { setupMachineTypes } from '../machine/setup.js';
import { runOurs } from '../machine/run-machine.js';
import { pcBoard, pcSetSerialHds, type PcBoard } from '../../src/hw/i386/pc-board.js';
import { pcMemory } from '../../src/hw/i386/pc-memory.js';
import { MemoryRegion, type AddressSpace } from '../../src/exec/memory.js';
import { qemuSetIrq } from '../../src/hw/core/irq.js';
import { ioapicEoiBroadcast } from '../../src/hw/intc/ioapic.js';
import { rtcConfig } from '../../src/system/rtc.js';

setupMachineTypes();

const clock = new FakeClock(1_700_000_000e9);
const fake = clock.source;
const runUntil = (t: number): void => clock.runUntil(t);

/** Advances to `t` in steps of `quantum` ns, running timers after each step (late, as a vCPU loop does). */
function runStepped(t: number, quantum: number): void {
  while (clock.now + quantum <= t) {
    clock.now += quantum;
    timerlistRun();
  }
  clock.now = t;
  timerlistRun();
}

interface Msi { addr: number; data: number; at: number }

/** Our pc on the fake clock; 32-bit stores to 0xfee00000-0xfeefffff (the LAPICs' MSI window) recorded. */
function machine(): { b: PcBoard; as: AddressSpace; msi: Msi[] } {
  clock.now = 0;
  qemuClockSetSource(fake);
  pcSetSerialHds([]);
  const ms = runOurs('pc', {}).machine!;
  const as = pcMemory(ms)!.memory!.as;
  const msi: Msi[] = [];
  as.addRegion(0xfee00000, MemoryRegion.mmio('msi-recorder', 0x100000, {
    read: () => 0,
    write: (_o, off, value, size) => {
      assert.equal(size, 4, 'MSI writes are 32-bit');
      msi.push({ addr: 0xfee00000 + off, data: value, at: clock.now });
    },
  }, null));
  return { b: pcBoard(ms)!, as, msi };
}

const IOAPIC = 0xfec00000;
const HPET = 0xfed00000;

function ioapicWrite(as: AddressSpace, reg: number, v: number): void {
  as.writeSlow(IOAPIC, reg, 4);
  as.writeSlow(IOAPIC + 0x10, v >>> 0, 4);
}

function ioapicRead(as: AddressSpace, reg: number): number {
  as.writeSlow(IOAPIC, reg, 4);
  return as.readSlow(IOAPIC + 0x10, 4) >>> 0;
}

/** Redirection entry of `pin`: high dword first, so the entry is complete when the low one unmasks it. */
function route(as: AddressSpace, pin: number, lo: number, hi = 0): void {
  ioapicWrite(as, 0x11 + 2 * pin, hi);
  ioapicWrite(as, 0x10 + 2 * pin, lo);
}

const hpetRead = (as: AddressSpace, off: number): number => as.readSlow(HPET + off, 4) >>> 0;
const hpetWrite = (as: AddressSpace, off: number, v: number): void => as.writeSlow(HPET + off, v >>> 0, 4);
const hpetCounter = (as: AddressSpace): number => hpetRead(as, 0xf4) * 2 ** 32 + hpetRead(as, 0xf0);

const REMOTE_IRR = 1 << 14;
const LEVEL = 1 << 15;
const MASKED = 1 << 16;

test('IOAPIC: MSI address and data of each delivery mode, destination mode and trigger mode', () => {
  const { b, as, msi } = machine();
  const cases: Array<{ lo: number; hi: number; addr: number; data: number }> = [
    // Fixed, physical destination 3, edge, vector 0x41.
    { lo: 0x0041, hi: 0x03000000, addr: 0xfee03000, data: 0x0041 },
    // Lowest priority, logical destination 0x0f, level.
    { lo: LEVEL | (1 << 11) | (1 << 8) | 0x42, hi: 0x0f000000, addr: 0xfee0f004, data: 0x8142 },
    // NMI and INIT carry their delivery mode; polarity (bit 13) is not part of the message.
    { lo: (1 << 13) | (4 << 8) | 0x02, hi: 0x01000000, addr: 0xfee01000, data: 0x0402 },
    { lo: (5 << 8), hi: 0xff000000, addr: 0xfeeff000, data: 0x0500 },
    // Bits 48-55 (reserved in the 82093AA's format) land in address bits 4-11, as QEMU builds the message.
    { lo: 0x0043, hi: 0x02ab0000, addr: 0xfee02ab0, data: 0x0043 },
  ];
  // gsi 16-23 reach the IOAPIC only: pin n+16 for case n.
  cases.forEach((c, i) => {
    route(as, 16 + i, c.lo, c.hi);
    qemuSetIrq(b.gsi[16 + i]!, 1);
    if (!(c.lo & LEVEL)) qemuSetIrq(b.gsi[16 + i]!, 0);
  });
  assert.deepEqual(msi.map((m) => [m.addr.toString(16), m.data.toString(16)]), cases.map((c) => [c.addr.toString(16), c.data.toString(16)]));
  // The level pin holds remote IRR until its vector's EOI.
  assert.equal(ioapicRead(as, 0x10 + 2 * 17) & REMOTE_IRR, REMOTE_IRR);
  ioapicEoiBroadcast(0x42);
  assert.equal(msi.length, cases.length + 1, 'still asserted: delivered again after the EOI');
  qemuSetIrq(b.gsi[17]!, 0);
  ioapicEoiBroadcast(0x42);
  assert.equal(ioapicRead(as, 0x10 + 2 * 17) & REMOTE_IRR, 0);
  assert.equal(msi.length, cases.length + 1);
});

test('gsi routing: ISA IRQ 0 on pin 2, gsi 1-15 on their pin and the PIC, gsi 16-23 on the IOAPIC only; masked edges are lost', () => {
  const { b, as, msi } = machine();
  for (let pin = 0; pin < 24; pin++) route(as, pin, 0x50 + pin);
  // Master and slave PIC with every input masked: IRR still records the edges.
  for (const [p, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1], [0x21, 0xff], [0xa1, 0xff]]) {
    b.io.write(p!, v!, 1);
  }
  const pins: number[] = [];
  for (let n = 0; n < 24; n++) {
    msi.length = 0;
    qemuSetIrq(b.gsi[n]!, 1);
    qemuSetIrq(b.gsi[n]!, 0);
    assert.equal(msi.length, 1, `gsi ${n}`);
    pins.push(msi[0]!.data - 0x50);
  }
  assert.deepEqual(pins, [2, 1, ...Array.from({ length: 22 }, (_, i) => i + 2)]);
  b.io.write(0x20, 0x0a, 1);
  b.io.write(0xa0, 0x0a, 1);
  assert.equal(b.io.read(0x20, 1) | (b.io.read(0xa0, 1) << 8), 0xffff, 'IRR of every ISA IRQ');
  // A masked edge pin drops the request; a masked level pin keeps it for the unmask.
  msi.length = 0;
  route(as, 20, MASKED | 0x60);
  route(as, 21, MASKED | LEVEL | 0x61);
  qemuSetIrq(b.gsi[20]!, 1);
  qemuSetIrq(b.gsi[20]!, 0);
  qemuSetIrq(b.gsi[21]!, 1);
  route(as, 20, 0x60);
  route(as, 21, LEVEL | 0x61);
  assert.deepEqual(msi.map((m) => m.data), [0x8061]);
});

test('IOAPIC: a level interrupt EOIed 10000 times in a row while asserted is redelivered 10 ms later', () => {
  const { b, as, msi } = machine();
  route(as, 18, LEVEL | 0x70);
  qemuSetIrq(b.gsi[18]!, 1);
  for (let i = 1; i < 10000; i++) ioapicEoiBroadcast(0x70);
  assert.equal(msi.length, 10000);
  ioapicEoiBroadcast(0x70);
  assert.equal(msi.length, 10000);
  runUntil(9_999_999);
  assert.equal(msi.length, 10000);
  runUntil(10_000_000);
  assert.equal(msi.length, 10001);
  assert.equal(msi[10000]!.at, 10_000_000);
});

test('HPET: the main counter counts at 100 MHz from the value written while halted, across 2^32', () => {
  const { as } = machine();
  assert.equal(hpetRead(as, 4), 10_000_000, '10 ns period in fs');
  hpetWrite(as, 0x10, 1);
  runUntil(1_000_000);
  assert.equal(hpetCounter(as), 100_000);
  hpetWrite(as, 0x10, 0);
  runUntil(2_000_000);
  assert.equal(hpetCounter(as), 100_000, 'halted');
  hpetWrite(as, 0xf0, 0xfffffff0);
  hpetWrite(as, 0xf4, 0);
  hpetWrite(as, 0x10, 1);
  runUntil(2_000_205);
  assert.equal(hpetCounter(as), 0xfffffff0 + 20);
});

test('HPET: one-shot level timer on IRQ 2 (IOAPIC pin 2): status bit, line held until the status write', () => {
  const { as, msi } = machine();
  route(as, 2, LEVEL | 0x40);
  // Timer 0: level, enabled, Tn_INT_ROUTE_CNF 2 (the only route pc's intcap 0x4 offers).
  assert.equal(hpetRead(as, 0x104), 0x4);
  hpetWrite(as, 0x100, 0x2 | 0x4 | (2 << 9));
  hpetWrite(as, 0x108, 5000);
  hpetWrite(as, 0x10c, 0);
  hpetWrite(as, 0x10, 1);
  runUntil(49_999);
  assert.equal(msi.length, 0);
  assert.equal(hpetRead(as, 0x20), 0);
  runUntil(50_000);
  assert.deepEqual(msi.map((m) => [m.data, m.at]), [[0x8040, 50_000]]);
  assert.equal(hpetRead(as, 0x20), 1);
  // Still asserted at the EOI: delivered again; after the status write the line is low.
  ioapicEoiBroadcast(0x40);
  assert.equal(msi.length, 2);
  hpetWrite(as, 0x20, 1);
  assert.equal(hpetRead(as, 0x20), 0);
  ioapicEoiBroadcast(0x40);
  assert.equal(msi.length, 2);
  assert.equal(ioapicRead(as, 0x14) & REMOTE_IRR, 0);
  // One-shot: nothing more.
  runUntil(1_000_000);
  assert.equal(msi.length, 2);
});

test('HPET: periodic edge timer, one interrupt per period, the comparator moving on by the period', () => {
  const { as, msi } = machine();
  route(as, 2, 0x41);
  // Timer 1 as Linux sets a periodic HPET up: 32-bit, periodic, SETVAL, the first comparator value and then
  // the period (1000 ticks = 10 µs) written.
  hpetWrite(as, 0x10, 1);
  hpetWrite(as, 0x120, 0x100 | 0x8 | 0x4 | 0x40 | (2 << 9));
  hpetWrite(as, 0x128, 1000);
  hpetWrite(as, 0x128, 1000);
  // A vCPU loop runs timers at its own pace, after their deadline.
  runStepped(100_500, 1003);
  assert.equal(msi.length, 10);
  assert.ok(msi.every((m, i) => m.at >= (i + 1) * 10_000 && m.at < (i + 1) * 10_000 + 1003));
  assert.equal(hpetRead(as, 0x128), 11_000);
  assert.equal(hpetRead(as, 0x20), 0, 'edge interrupts leave the status bit clear');
  // Disabling the timer stops it.
  hpetWrite(as, 0x120, 0x100 | 0x8 | (2 << 9));
  runStepped(200_000, 1003);
  assert.equal(msi.length, 10);
});

test('HPET: a 32-bit one-shot timer also interrupts when the counter wraps', () => {
  const { as, msi } = machine();
  route(as, 2, 0x42);
  hpetWrite(as, 0xf0, 0xffffff00);
  hpetWrite(as, 0x140, 0x100 | 0x4 | (2 << 9));
  hpetWrite(as, 0x148, 0x100);
  hpetWrite(as, 0x10, 1);
  runUntil(10_000);
  // The wrap after 0xff ticks, the match 0x200 ticks after the start.
  assert.deepEqual(msi.map((m) => m.at), [0xff * 10, 0x200 * 10]);
});

test('HPET: FSB delivery writes the Tn_FSB_INT_VAL to Tn_FSB_INT_ADDR instead of raising a line', () => {
  const { as, msi } = machine();
  route(as, 2, 0x43);
  hpetWrite(as, 0x110, 0x4055);
  hpetWrite(as, 0x114, 0xfee01000);
  hpetWrite(as, 0x100, 0x4000 | 0x4 | (2 << 9));
  hpetWrite(as, 0x108, 100);
  hpetWrite(as, 0x10c, 0);
  hpetWrite(as, 0x10, 1);
  runUntil(2_000);
  assert.deepEqual(msi.map((m) => [m.addr, m.data]), [[0xfee01000, 0x4055]]);
});

test('HPET legacy replacement: timer 0 on ISA IRQ 0 (PIC IR0, IOAPIC pin 2), timer 1 on IRQ 8; the PIT and the RTC cut off', () => {
  rtcConfig.clock = 'vm';
  const { b, as, msi } = machine();
  rtcConfig.clock = 'host';
  route(as, 2, 0x30);
  route(as, 8, 0x38);
  const picIrr = (): number => {
    b.io.write(0x20, 0x0a, 1);
    b.io.write(0xa0, 0x0a, 1);
    return b.io.read(0x20, 1) | (b.io.read(0xa0, 1) << 8);
  };
  const picInit = (): void => {
    for (const [p, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1]]) b.io.write(p!, v!, 1);
  };
  // The PIT (mode 2, 100 µs) and the RTC's periodic interrupt (1024 Hz) run all along.
  b.io.write(0x43, 0x34, 1);
  b.io.write(0x40, 119, 1);
  b.io.write(0x40, 0, 1);
  b.io.write(0x70, 0x0b, 1);
  b.io.write(0x71, 0x42, 1);
  runUntil(2_000_000);
  assert.ok(msi.some((m) => m.data === 0x30) && msi.some((m) => m.data === 0x38), 'PIT on pin 2, RTC on pin 8');
  // Legacy mode; the HPET's timers still disabled: neither line moves.
  hpetWrite(as, 0x10, 0x2);
  b.io.write(0x70, 0x0c, 1);
  b.io.read(0x71, 1);
  msi.length = 0;
  runUntil(4_000_000);
  assert.equal(msi.length, 0);
  // Timer 0 periodic every 50 µs and timer 1 one-shot at 1 ms, routed by legacy mode whatever their route field says.
  picInit();
  assert.equal(picIrr(), 0);
  // (64-bit periodic: the comparator's high half written in one-shot mode, then SETVAL and the low half.)
  hpetWrite(as, 0x108, 5000);
  hpetWrite(as, 0x10c, 0);
  hpetWrite(as, 0x100, 0x8 | 0x4 | 0x40 | (5 << 9));
  hpetWrite(as, 0x108, 5000);
  hpetWrite(as, 0x120, 0x4 | (5 << 9));
  hpetWrite(as, 0x128, 100_000);
  hpetWrite(as, 0x12c, 0);
  hpetWrite(as, 0x10, 0x3);
  runStepped(5_010_000, 997);
  const data = msi.map((m) => m.data);
  assert.equal(data.filter((d) => d === 0x30).length, 20, 'timer 0: one per 50 µs');
  assert.equal(data.filter((d) => d === 0x38).length, 1, 'timer 1 once');
  assert.equal(picIrr() & 0x0101, 0x0101, 'PIC IR0 and IR8 requested');
  // Out of legacy mode the PIT's and the RTC's lines are back.
  hpetWrite(as, 0x10, 0x0);
  b.io.write(0x70, 0x0c, 1);
  b.io.read(0x71, 1);
  msi.length = 0;
  runUntil(7_000_000);
  assert.ok(msi.filter((m) => m.data === 0x30).length >= 19, 'the PIT again');
  assert.ok(msi.some((m) => m.data === 0x38), 'the RTC again');
});
