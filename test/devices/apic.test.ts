/*
 * The local APIC register file driven through its MMIO ops, checked against the Intel
 * SDM vol. 3A ch. 10/11 (register layout, reset state, PPR rule, IRR->ISR->EOI, timer
 * divide values, ICR fields) and QEMU 7.2 hw/intc/apic.c where QEMU fixes a choice the
 * SDM leaves open (version 0x14, BSP LINT0 = ExtINT, 1 ns per bus clock, LOWPRI to the
 * lowest APIC id).  Time is a fake clock moved by the test.
 */
import { FakeClock } from '../helpers/fake-clock.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  QEMU_CLOCK_VIRTUAL, qemuClockGetNs, qemuClockSetSource, timerlistDeadlineNs,
} from '../../src/qemu/timer.js';
import {
  APICCommonState, ApicBus, ApicCpuEvent, apicGetInterrupt, apicHasPendingInterrupt, apicDeliverIrq,
  apicIoOps, apicResetCommon, apicDeliverIrqToBus, apicSetBase, apicSetTpr, apicGetTpr, type ApicCpuHooks,
  apicMsiOps, apicSetCurrent, apicSetEoiListener, apicSetPicOutput, apicAcceptPicIntr, apicDeliverPicIntr,
  apicGetTscDeadline, apicSetTscDeadline,
} from '../../src/hw/intc/apic.js';

const clock = new FakeClock(0);
const fake = clock.source;
const runUntil = (t: number): void => clock.runUntil(t);

interface Probe { intr: boolean[]; events: [number, ApicCpuEvent, number][] }

function hooks(p: Probe): ApicCpuHooks {
  return {
    setIntr: (_s, level) => p.intr.push(level),
    cpuEvent: (s, ev, vector) => p.events.push([s.id, ev, vector]),
  };
}

function apics(n: number): { bus: ApicBus; a: APICCommonState[]; p: Probe } {
  clock.now = 0;
  qemuClockSetSource(fake);
  const bus = new ApicBus();
  const p: Probe = { intr: [], events: [] };
  const a: APICCommonState[] = [];
  for (let i = 0; i < n; i++) {
    const s = new APICCommonState(bus, i, hooks(p));
    apicResetCommon(s, i === 0);
    a.push(s);
  }
  return { bus, a, p };
}

const rd = (s: APICCommonState, off: number): number => apicIoOps.read(s, off, 4);
const wr = (s: APICCommonState, off: number, v: number): void => apicIoOps.write(s, off, v, 4);

/** Acknowledges and EOIs at once, so the next vector of the same class is not held back. */
function ack(s: APICCommonState): number {
  const v = apicGetInterrupt(s);
  wr(s, 0xb0, 0);
  return v;
}

/** Software-enables the APIC with spurious vector 0xff (SVR bit 8). */
const enable = (s: APICCommonState): void => wr(s, 0xf0, 0x1ff);

test('reset state (SDM 10.4.7.1 / QEMU apic_reset_common)', () => {
  const { a } = apics(2);
  const [bsp, ap] = [a[0]!, a[1]!];
  assert.equal(rd(ap, 0x20), 1 << 24, 'ID in bits 24-31');
  assert.equal(rd(bsp, 0x30), 0x00050014, 'version 0x14, max LVT entry 5');
  assert.equal(rd(bsp, 0x80), 0, 'TPR');
  assert.equal(rd(bsp, 0xa0), 0, 'PPR');
  assert.equal(rd(bsp, 0xd0), 0, 'LDR');
  assert.equal(rd(bsp, 0xe0), 0xffffffff, 'DFR all ones (flat model)');
  assert.equal(rd(bsp, 0xf0), 0xff, 'SVR 0xff: software disabled');
  for (let i = 0; i < 8; i++) {
    assert.equal(rd(bsp, 0x100 + i * 0x10), 0);
    assert.equal(rd(bsp, 0x180 + i * 0x10), 0);
    assert.equal(rd(bsp, 0x200 + i * 0x10), 0);
  }
  // LVTs masked; QEMU puts the BSP's LINT0 in ExtINT mode (0x700), unmasked.
  for (const [off, bspVal] of [[0x320, 0x10000], [0x330, 0x10000], [0x340, 0x10000], [0x350, 0x700], [0x360, 0x10000], [0x370, 0x10000]] as const) {
    assert.equal(rd(bsp, off), bspVal, `BSP LVT ${off.toString(16)}`);
    assert.equal(rd(ap, off), 0x10000, `AP LVT ${off.toString(16)}`);
  }
  assert.equal(bsp.apicbase, 0xfee00000 | 0x900, 'APIC_BASE: enable + BSP');
  assert.equal(ap.apicbase, 0xfee00000 | 0x800, 'APIC_BASE: enable only');
  assert.equal(rd(bsp, 0x380), 0);
  assert.equal(rd(bsp, 0x390), 0);
  assert.equal(rd(bsp, 0x3e0), 0);
  assert.equal(ap.waitForSipi, true);
  assert.equal(bsp.waitForSipi, false);
});

test('read-only registers ignore writes; sub-dword accesses do nothing; a reserved offset sets ESR bit 7', () => {
  const { a } = apics(1);
  const s = a[0]!;
  wr(s, 0x30, 0x12345678);
  assert.equal(rd(s, 0x30), 0x00050014);
  apicDeliverIrq(s, 0x41, 0);
  wr(s, 0x200 + 2 * 0x10, 0); // IRR word 2 holds vectors 0x40-0x5f
  assert.equal(rd(s, 0x220), 1 << 1);
  wr(s, 0xa0, 0xff); // PPR
  assert.equal(rd(s, 0xa0), 0);
  apicIoOps.write(s, 0x80, 0x50, 1);
  assert.equal(rd(s, 0x80), 0, 'byte write ignored');
  assert.equal(apicIoOps.read(s, 0x20, 2), 0, 'word read returns 0');
  wr(s, 0xf0, 0xffffffff);
  assert.equal(rd(s, 0xf0), 0x1ff, 'SVR keeps vector and enable bit only');
  wr(s, 0x3e0, 0xffffffff);
  assert.equal(rd(s, 0x3e0), 0xb, 'divide configuration bits 0,1,3');
  wr(s, 0xd0, 0xabcdef12);
  assert.equal(rd(s, 0xd0), 0xab000000, 'LDR bits 24-31');
  wr(s, 0xe0, 0x0abcdef1);
  assert.equal(rd(s, 0xe0), 0x0fffffff, 'DFR model bits 28-31, rest read as ones');
  assert.equal(rd(s, 0x280), 0);
  rd(s, 0x40); // reserved
  assert.equal(rd(s, 0x280), 0x80);
});

test('PPR = TPR, or the in-service class when higher (SDM 10.8.3.1)', () => {
  const { a } = apics(1);
  const s = a[0]!;
  enable(s);
  wr(s, 0x80, 0x25);
  assert.equal(rd(s, 0xa0), 0x25);
  apicDeliverIrq(s, 0x61, 0);
  assert.equal(apicGetInterrupt(s), 0x61);
  assert.equal(rd(s, 0xa0), 0x60, 'ISRV class 6 > TPR class 2: PPR = 0x60');
  wr(s, 0x80, 0x75);
  assert.equal(rd(s, 0xa0), 0x75, 'TPR class 7 >= ISRV class 6: PPR = TPR');
  wr(s, 0x80, 0x6f);
  assert.equal(rd(s, 0xa0), 0x6f, 'equal classes: PPR = TPR');
});

test('IRR -> ISR on acknowledge, priority by class, EOI retires the highest in service', () => {
  const { a, p } = apics(1);
  const s = a[0]!;
  apicDeliverIrq(s, 0x31, 0);
  assert.equal(apicGetInterrupt(s), -1, 'software-disabled APIC delivers nothing');
  assert.deepEqual(p.intr, []);
  enable(s);
  assert.deepEqual(p.intr, [true], 'enabling raises the line for the pending vector');
  apicDeliverIrq(s, 0x52, 1);
  assert.equal(rd(s, 0x180 + 2 * 0x10), 1 << 0x12, 'TMR records the level trigger');
  assert.equal(rd(s, 0x200 + 1 * 0x10), 1 << 0x11);
  assert.equal(apicGetInterrupt(s), 0x52, 'highest vector first');
  assert.equal(rd(s, 0x100 + 2 * 0x10), 1 << 0x12, 'ISR bit set');
  assert.equal(rd(s, 0x200 + 2 * 0x10), 0, 'IRR bit cleared');
  // 0x31 (class 3) cannot interrupt 0x52 (class 5) in service.
  assert.equal(apicHasPendingInterrupt(s), false);
  assert.equal(p.intr[p.intr.length - 1], false);
  assert.equal(apicGetInterrupt(s), 0xff, 'masked by PPR: the spurious vector');
  apicDeliverIrq(s, 0x53, 0);
  assert.equal(apicHasPendingInterrupt(s), false, 'same class as in-service does not preempt');
  wr(s, 0xb0, 0); // EOI
  assert.equal(rd(s, 0x120), 0, 'ISR cleared by EOI');
  assert.equal(apicGetInterrupt(s), 0x53);
  wr(s, 0xb0, 0);
  assert.equal(apicGetInterrupt(s), 0x31);
  wr(s, 0xb0, 0);
  assert.equal(apicGetInterrupt(s), -1);
  assert.equal(p.intr[p.intr.length - 1], false);
  // TPR masks a class at or below it.
  wr(s, 0x80, 0x40);
  apicDeliverIrq(s, 0x45, 0);
  assert.equal(apicHasPendingInterrupt(s), false);
  wr(s, 0x80, 0x30);
  assert.equal(apicHasPendingInterrupt(s), true);
});

test('one-shot timer: counts down at bus clock / divide, fires once, current count stops at 0', () => {
  const { a } = apics(1);
  const s = a[0]!;
  enable(s);
  wr(s, 0x320, 0x40); // one-shot, vector 0x40, unmasked
  wr(s, 0x3e0, 0x3); // divide by 16 (SDM fig. 10-10: 0b0011)
  wr(s, 0x380, 1000);
  assert.equal(rd(s, 0x390), 1000);
  runUntil(16 * 250);
  assert.equal(rd(s, 0x390), 750, 'QEMU bus clock: 1 tick per ns, /16');
  assert.equal(apicHasPendingInterrupt(s), false);
  runUntil(16 * 1001 - 1);
  assert.equal(apicHasPendingInterrupt(s), false);
  runUntil(16 * 1001);
  assert.equal(apicGetInterrupt(s), 0x40);
  wr(s, 0xb0, 0);
  assert.equal(rd(s, 0x390), 0);
  runUntil(1_000_000);
  assert.equal(apicHasPendingInterrupt(s), false, 'one-shot fires once');
});

test('divide configuration values (SDM 10.5.4): 0b1011 = /1 ... 0b1010 = /128', () => {
  const { a } = apics(1);
  const s = a[0]!;
  const table: [number, number][] = [[0b0000, 2], [0b0001, 4], [0b0010, 8], [0b0011, 16], [0b1000, 32], [0b1001, 64], [0b1010, 128], [0b1011, 1]];
  for (const [conf, div] of table) {
    wr(s, 0x3e0, conf);
    wr(s, 0x380, 100000);
    const t0 = qemuClockGetNs(QEMU_CLOCK_VIRTUAL);
    runUntil(t0 + div * 10);
    assert.equal(rd(s, 0x390), 100000 - 10, `divide ${div}`);
  }
});

test('periodic timer reloads and fires every (initial count + 1) ticks; masked LVT counts without delivering', () => {
  const { a } = apics(1);
  const s = a[0]!;
  enable(s);
  wr(s, 0x3e0, 0xb); // /1
  wr(s, 0x320, 0x20000 | 0x30); // periodic, vector 0x30
  wr(s, 0x380, 999); // period 1000 ns
  let fired = 0;
  for (let t = 100; t <= 10_000; t += 100) {
    runUntil(t);
    if (apicGetInterrupt(s) === 0x30) {
      fired++;
      wr(s, 0xb0, 0);
    }
  }
  assert.equal(fired, 10);
  runUntil(10_250);
  assert.equal(rd(s, 0x390), 999 - 250, 'count reloaded after each period');
  wr(s, 0x320, 0x30000 | 0x30); // masked
  runUntil(20_000);
  assert.equal(apicHasPendingInterrupt(s), false);
  assert.equal(rd(s, 0x390), 999 - (20_000 % 1000), 'the masked timer still counts');
  assert.equal(timerlistDeadlineNs(), -1, 'and arms no QEMU timer');
});

test('ICR: fixed IPI by physical id and shorthands, INIT, SIPI only to a waiting AP, LOWPRI to lowest id', () => {
  const { a, p } = apics(3);
  for (const s of a) enable(s);
  const [bsp, ap1, ap2] = [a[0]!, a[1]!, a[2]!];
  wr(bsp, 0x310, 2 << 24);
  wr(bsp, 0x300, 0x00000045); // fixed, physical, vector 0x45
  assert.equal(ack(ap2), 0x45);
  assert.equal(apicHasPendingInterrupt(ap1), false);
  wr(bsp, 0x300, 0x00040046); // self
  assert.equal(ack(bsp), 0x46);
  wr(bsp, 0x300, 0x000c0047); // all excluding self
  assert.equal(apicHasPendingInterrupt(bsp), false);
  assert.equal(ack(ap1), 0x47);
  assert.equal(ack(ap2), 0x47);
  wr(bsp, 0x300, 0x00080048); // all including self
  for (const s of a) assert.equal(ack(s), 0x48);
  // Logical flat: LDR bit 1 on ap2 only.
  wr(ap2, 0xd0, 0x02000000);
  wr(bsp, 0x310, 0x02000000);
  wr(bsp, 0x300, 0x00000849);
  assert.equal(ack(ap2), 0x49);
  assert.equal(apicHasPendingInterrupt(ap1), false);
  // Linux's INIT-SIPI-SIPI to AP 1.
  p.events.length = 0;
  wr(bsp, 0x310, 1 << 24);
  wr(bsp, 0x300, 0x0000c500); // INIT, level assert
  wr(bsp, 0x300, 0x00008500); // INIT level de-assert: no event
  wr(bsp, 0x300, 0x0000069a); // SIPI vector 0x9a
  wr(bsp, 0x300, 0x0000069a); // second SIPI: AP no longer waits
  assert.deepEqual(p.events, [[1, ApicCpuEvent.INIT, 0], [1, ApicCpuEvent.SIPI, 0x9a]]);
  p.events.length = 0;
  wr(bsp, 0x300, 0x000c0400); // NMI to all but self
  assert.deepEqual(p.events, [[1, ApicCpuEvent.NMI, 0], [2, ApicCpuEvent.NMI, 0]]);
  // Lowest priority to a broadcast: QEMU picks the lowest id.
  wr(ap2, 0x310, 0xff000000);
  wr(ap2, 0x300, 0x00000150);
  assert.equal(ack(bsp), 0x50);
  assert.equal(apicHasPendingInterrupt(ap1), false);
  qemuClockSetSource(null);
});

test('CR8 is TPR bits 7-4 (SDM 10.8.6); APIC_BASE keeps the BSP bit and disabling clears SVR enable', () => {
  const { a } = apics(2);
  const [bsp, ap] = [a[0]!, a[1]!];
  enable(bsp);
  apicSetTpr(bsp, 0x5);
  assert.equal(rd(bsp, 0x80), 0x50);
  wr(bsp, 0x80, 0x7a);
  assert.equal(apicGetTpr(bsp), 0x7);
  assert.equal(apicSetBase(ap, 0xfee00000 | 0x100 | 0x800), false);
  assert.equal(ap.apicbase, 0xfee00800, 'BSP bit not writable');
  enable(ap);
  assert.equal(apicSetBase(bsp, 0xfee00000), true);
  assert.equal(bsp.apicbase, 0xfee00100, 'disabled, BSP bit kept');
  assert.equal(rd(bsp, 0xf0), 0xff, 'SVR software enable cleared');
  apicSetBase(bsp, 0xfee00900);
  assert.equal(bsp.apicbase, 0xfee00100, 'QEMU 7.2: a disabled APIC stays disabled until reset');
  qemuClockSetSource(null);
});

test('I/O APIC / MSI messages: physical, logical cluster and lowest priority targets (SDM 10.6.2)', () => {
  const { bus, a } = apics(3);
  for (const s of a) enable(s);
  apicDeliverIrqToBus(bus, 1, 0, 0, 0x61, 1);
  assert.equal(apicGetInterrupt(a[1]!), 0x61);
  assert.equal(rd(a[1]!, 0x180 + 3 * 0x10), 1 << 1, 'level trigger lands in TMR');
  assert.equal(apicHasPendingInterrupt(a[0]!), false);
  // Cluster model: DFR 0x0, LDR = cluster 2 member bit 1 on APIC 2 only.
  for (const s of a) wr(s, 0xe0, 0x0fffffff);
  wr(a[2]!, 0xd0, 0x22000000);
  wr(a[0]!, 0xd0, 0x12000000);
  apicDeliverIrqToBus(bus, 0x22, 1, 0, 0x62, 0);
  assert.equal(apicGetInterrupt(a[2]!), 0x62);
  assert.equal(apicHasPendingInterrupt(a[0]!), false, 'other cluster');
  apicDeliverIrqToBus(bus, 0xff, 0, 1, 0x63, 0);
  assert.equal(apicGetInterrupt(a[0]!), 0x63, 'LOWPRI: lowest id, as QEMU');
  assert.equal(apicHasPendingInterrupt(a[2]!), false);
  qemuClockSetSource(null);
});

test('the apic-msi window: registers of the current vCPU; offset 0 and beyond 4 KiB are MSIs (QEMU apic_mem_write)', () => {
  const { bus, a } = apics(2);
  for (const s of a) enable(s);
  apicSetCurrent(a[1]!);
  assert.equal(apicMsiOps.read(bus, 0x20, 4), 1 << 24, 'the current vCPU is APIC 1');
  assert.equal(apicMsiOps.read(bus, 0x1030, 4), 0x00050014, 'the page repeats');
  apicMsiOps.write(bus, 0x80, 0x30, 4);
  assert.equal(rd(a[1]!, 0x80), 0x30);
  assert.equal(rd(a[0]!, 0x80), 0, 'not the other APIC');
  apicSetCurrent(null);
  assert.equal(apicMsiOps.read(bus, 0x20, 4), 0, 'no vCPU: reads 0');
  // MSI address 0xfee01000: destination 1, physical; data: vector 0x71, fixed, edge.
  apicMsiOps.write(bus, 0x1000, 0x0071, 4);
  assert.equal(ack(a[1]!), 0x71);
  // Offset 0: destination 0; data bit 15 = level (TMR).
  apicMsiOps.write(bus, 0, 0x8072, 4);
  assert.equal(apicGetInterrupt(a[0]!), 0x72);
  assert.equal(rd(a[0]!, 0x180 + 3 * 0x10), 1 << 18, 'level MSI sets TMR');
  // Logical destination (address bit 2): LDR bit 1 on APIC 1.
  wr(a[1]!, 0xd0, 0x02000000);
  apicMsiOps.write(bus, 0x02004, 0x0073, 4);
  assert.equal(apicGetInterrupt(a[1]!), 0x73);
  qemuClockSetSource(null);
});

test('EOI of a level-triggered vector is broadcast to the listener (QEMU apic_eoi → ioapic_eoi_broadcast)', () => {
  const { a } = apics(1);
  const s = a[0]!;
  enable(s);
  const heard: number[] = [];
  apicSetEoiListener((v) => heard.push(v));
  apicDeliverIrq(s, 0x81, 1);
  assert.equal(ack(s), 0x81);
  apicDeliverIrq(s, 0x82, 0);
  assert.equal(ack(s), 0x82);
  assert.deepEqual(heard, [0x81], 'edge-triggered vectors are not broadcast');
  // SVR bit 12 (EOI broadcast suppression) is not writable in QEMU 7.2 (version bit 24 clear)
  wr(s, 0xf0, 0x11ff);
  apicDeliverIrq(s, 0x83, 1);
  assert.equal(ack(s), 0x83);
  assert.deepEqual(heard, [0x81, 0x83]);
  apicSetEoiListener(null);
  qemuClockSetSource(null);
});

test('the 8259 on LINT0: accepted while LINT0 is unmasked or the APIC disabled; ExtINT, fixed and level-fixed modes', () => {
  const { a, p } = apics(2);
  const [bsp, ap] = [a[0]!, a[1]!];
  assert.equal(apicAcceptPicIntr(bsp), true, 'BSP LINT0 = ExtINT after reset');
  assert.equal(apicAcceptPicIntr(ap), false, 'AP LINT0 masked');
  p.events.length = 0;
  apicDeliverPicIntr(bsp, true);
  assert.deepEqual(p.events, [[0, ApicCpuEvent.EXTINT, 0]]);
  enable(bsp);
  wr(bsp, 0x350, 0x8064); // fixed vector 0x64, level
  apicDeliverPicIntr(bsp, true);
  assert.equal(rd(bsp, 0x200 + 3 * 0x10), 1 << 4, 'IRR 0x64');
  apicDeliverPicIntr(bsp, false);
  assert.equal(rd(bsp, 0x200 + 3 * 0x10), 0, 'level: falling output withdraws it');
  // The 8259 waiting goes first: apic_get_interrupt returns -1 and delivers the ExtINT.
  wr(bsp, 0x350, 0x700);
  apicDeliverIrq(bsp, 0x90, 0);
  apicSetPicOutput(true);
  p.events.length = 0;
  assert.equal(apicGetInterrupt(bsp), -1);
  assert.deepEqual(p.events, [[0, ApicCpuEvent.EXTINT, 0]]);
  apicSetPicOutput(false);
  assert.equal(apicGetInterrupt(bsp), 0x90);
  apicSetBase(ap, 0xfee00000);
  assert.equal(apicAcceptPicIntr(ap), true, 'a disabled APIC lets the 8259 through');
  qemuClockSetSource(null);
});

test('TSC-deadline mode (SDM 10.5.4.1): fires once at the deadline, then reads 0; 0 disarms; mode change disarms', () => {
  const { a } = apics(1);
  const s = a[0]!;
  enable(s);
  const tscOffset = 5000; // TSC = virtual ns + 5000
  apicSetTscDeadline(s, tscOffset + 1000, tscOffset);
  assert.equal(apicGetTscDeadline(s), 0, 'ignored outside TSC-deadline mode');
  wr(s, 0x320, 0x40040); // mode 2, vector 0x40
  wr(s, 0x380, 1234);
  assert.equal(rd(s, 0x380), 0, 'initial count writes are ignored');
  apicSetTscDeadline(s, tscOffset + 1000, tscOffset);
  assert.equal(apicGetTscDeadline(s), tscOffset + 1000);
  runUntil(999);
  assert.equal(apicHasPendingInterrupt(s), false);
  runUntil(1000);
  assert.equal(ack(s), 0x40);
  assert.equal(apicGetTscDeadline(s), 0, 'disarmed once fired');
  runUntil(5000);
  assert.equal(apicHasPendingInterrupt(s), false);
  apicSetTscDeadline(s, tscOffset + 6000, tscOffset);
  apicSetTscDeadline(s, 0, tscOffset);
  runUntil(7000);
  assert.equal(apicHasPendingInterrupt(s), false, 'a 0 write disarms');
  apicSetTscDeadline(s, tscOffset + 8000, tscOffset);
  wr(s, 0x320, 0x40);
  assert.equal(apicGetTscDeadline(s), 0);
  runUntil(9000);
  assert.equal(apicHasPendingInterrupt(s), false, 'leaving the mode disarms');
  wr(s, 0x320, 0x40040);
  apicSetTscDeadline(s, 100, tscOffset); // in the past
  runUntil(9001);
  assert.equal(ack(s), 0x40, 'a past deadline fires at once');
  qemuClockSetSource(null);
});

test('RESET puts the initial APIC ID back; INIT keeps a written one', () => {
  const { a } = apics(2);
  const ap = a[1]!;
  wr(ap, 0x20, 0x07000000);
  assert.equal(rd(ap, 0x20), 0x07000000);
  wr(a[0]!, 0x310, 0x07000000);
  wr(a[0]!, 0x300, 0x4500); // INIT to id 7
  assert.equal(rd(ap, 0x20), 0x07000000);
  apicResetCommon(ap, false);
  assert.equal(rd(ap, 0x20), 0x01000000);
  qemuClockSetSource(null);
});
