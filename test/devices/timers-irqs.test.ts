/*
 * Interrupts and timers of the device models on a fake clock (time moves only
 * when the test says), checked against the chips' specifications: the 8254's
 * mode 2 rate generator period and mode 0 terminal count, the MC146818's
 * periodic interrupt rates (REG_A rate 6 = 1024 Hz) and update-ended
 * interrupt, the 8259's INTA vectors through the cascade, the 16550's FIFO
 * character timeout (four character times), and the virtual clock stopping
 * while the VM is stopped.
 */
import { FakeClock } from '../helpers/fake-clock.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  QEMU_CLOCK_VIRTUAL, qemuClockGetNs, qemuClockInit, qemuClockSetSource,
} from '../../src/qemu/timer.js';
import { vmStart, vmStop, runstateReset } from '../../src/system/runstate.js';
import { setupMachineTypes } from '../machine/setup.js';
import { runOurs } from '../machine/run-machine.js';
import { pcBoard, pcPicReadIrq, pcSetCpuIntr, pcSetSerialHds, type PcBoard } from '../../src/hw/i386/pc-board.js';
import { qemuAllocateIrq } from '../../src/hw/core/irq.js';
import { rtcConfig } from '../../src/system/rtc.js';
import type { MachineState } from '../../src/hw/core/machine.js';
import { qemuChrCleanup, qemuChrNewFromOpts } from '../../src/chardev/char.js';

setupMachineTypes();

const clock = new FakeClock(1_700_000_000e9);
const fake = clock.source;
const runUntil = (t: number): void => clock.runUntil(t);

function machine(): { ms: MachineState; b: PcBoard; intr: number[] } {
  clock.now = 0;
  qemuClockSetSource(fake);
  pcSetSerialHds([]);
  const r = runOurs('pc', {});
  const ms = r.machine!;
  const intr: number[] = [];
  pcSetCpuIntr(ms, qemuAllocateIrq((_o, _n, level) => intr.push(level), null, 0));
  return { ms, b: pcBoard(ms)!, intr };
}

/** Linux's PIC set-up: vectors 0x30 and 0x70, everything unmasked. */
function picInit(b: PcBoard): void {
  for (const [p, v] of [[0x20, 0x11], [0x21, 0x30], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x70], [0xa1, 2], [0xa1, 1], [0x21, 0], [0xa1, 0]]) {
    b.io.write(p!, v!, 1);
  }
}

test('8254 mode 2 on channel 0 raises IRQ 0 once per count; the CPU takes vector 0x30 through the PIC', () => {
  const { ms, b, intr } = machine();
  picInit(b);
  // 1193 ticks: a period of 1193 / 1193182 s ≈ 999.8 µs.
  b.io.write(0x43, 0x34, 1);
  b.io.write(0x40, 1193 & 0xff, 1);
  b.io.write(0x40, 1193 >> 8, 1);
  let taken = 0;
  while (clock.now < 10_000_000) {
    runUntil(clock.now + 50_000);
    if (intr[intr.length - 1] === 1) {
      assert.equal(pcPicReadIrq(ms), 0x30);
      taken++;
      b.io.write(0x20, 0x20, 1); // EOI
    }
  }
  // Ten ms at 1000.15 Hz: ten interrupts.
  assert.equal(taken, 10);
});

test('8254 mode 0: OUT (IRQ 0) goes high at terminal count and stays; port 0x61 shows channel 2 OUT', () => {
  const { b } = machine();
  picInit(b);
  b.io.write(0x21, 0xfe, 1);
  b.io.write(0x43, 0x30, 1);
  b.io.write(0x40, 0x00, 1);
  b.io.write(0x40, 0x10, 1); // 4096 ticks = 3.43 ms
  runUntil(3_000_000);
  b.io.write(0x20, 0x0a, 1);
  assert.equal(b.io.read(0x20, 1) & 1, 0);
  runUntil(3_500_000);
  assert.equal(b.io.read(0x20, 1) & 1, 1);
  // Channel 2 in mode 0 with count 1000 ticks (838 µs): port 0x61 bit 5 rises after it.
  b.io.write(0x61, 0x01, 1);
  b.io.write(0x43, 0xb0, 1);
  b.io.write(0x42, 1000 & 0xff, 1);
  b.io.write(0x42, 1000 >> 8, 1);
  assert.equal(b.io.read(0x61, 1) & 0x20, 0);
  runUntil(clock.now + 900_000);
  assert.equal(b.io.read(0x61, 1) & 0x20, 0x20);
});

test('MC146818: periodic interrupt at 1024 Hz (rate 6) on IRQ 8 via the slave; REG_C read acknowledges', () => {
  rtcConfig.clock = 'vm';
  const { ms, b, intr } = machine();
  rtcConfig.clock = 'host';
  picInit(b);
  b.io.write(0x21, 0x01, 1); // the PIT's IRQ 0 (18.2 Hz after reset) masked
  b.io.write(0x70, 0x0b, 1);
  b.io.write(0x71, 0x42, 1); // PIE, 24h
  let ticks = 0;
  const end = clock.now + 100_000_000; // 100 ms
  while (clock.now < end) {
    runUntil(Math.min(end, clock.now + 50_000));
    if (intr[intr.length - 1] === 1) {
      assert.equal(pcPicReadIrq(ms), 0x70); // IRQ 8 = slave IR0
      b.io.write(0x70, 0x0c, 1);
      assert.equal(b.io.read(0x71, 1) & 0xc0, 0xc0); // IRQF | PF
      b.io.write(0xa0, 0x20, 1);
      b.io.write(0x20, 0x20, 1);
      ticks++;
    }
  }
  assert.ok(ticks >= 102 && ticks <= 103, `1024 Hz over 100 ms: ${ticks}`);
});

/**
 * A guest that acknowledges the 1024 Hz periodic interrupt only every 3 ms for 100 ms, then at once
 * for 100 ms: with lost_tick_policy=discard the unacknowledged ticks are gone; with slew
 * (-rtc driftfix=slew) they are delivered later, so the total catches up with the ticks elapsed.
 */
function rtcAcks(policy: 'discard' | 'slew'): number {
  rtcConfig.clock = 'vm';
  rtcConfig.lostTickPolicy = policy;
  const { b } = machine();
  rtcConfig.clock = 'host';
  rtcConfig.lostTickPolicy = 'discard';
  assert.equal(b.rtc.slew, policy === 'slew');
  b.io.write(0x70, 0x0b, 1);
  b.io.write(0x71, 0x42, 1);
  let acks = 0;
  const ack = (): void => {
    b.io.write(0x70, 0x0c, 1);
    if (b.io.read(0x71, 1) & 0x40) acks++;
  };
  for (let t = 0; t < 100; t += 3) {
    runUntil(clock.now + 3_000_000);
    ack();
  }
  const end = clock.now + 100_000_000;
  while (clock.now < end) {
    runUntil(clock.now + 50_000);
    ack();
  }
  return acks;
}

test('MC146818 lost ticks: discard drops them, slew (driftfix=slew) delivers them later', () => {
  const discard = rtcAcks('discard');
  const slew = rtcAcks('slew');
  // 202 ms at 1024 Hz is about 207 ticks; the slow phase acknowledges one in three.
  assert.ok(discard >= 130 && discard <= 140, `discard: ${discard}`);
  assert.ok(slew >= 200 && slew <= 208, `slew: ${slew}`);
});

test('MC146818: update-ended interrupt once per second; the clock advances with the rtc clock', () => {
  const { b } = machine();
  b.io.write(0x70, 0x00, 1);
  const s0 = b.io.read(0x71, 1);
  b.io.write(0x70, 0x0b, 1);
  b.io.write(0x71, 0x12, 1); // UIE, 24h
  runUntil(clock.now + 1_000_000_001);
  b.io.write(0x70, 0x0c, 1);
  assert.equal(b.io.read(0x71, 1) & 0x90, 0x90);
  b.io.write(0x70, 0x00, 1);
  const s1 = b.io.read(0x71, 1);
  const bcd = (v: number): number => (v >> 4) * 10 + (v & 15);
  assert.equal((bcd(s1) - bcd(s0) + 60) % 60, 1);
});

test('16550A: with the FIFO at trigger level 4, two received bytes raise the character timeout (IIR 0xcc) after 4 char times', () => {
  clock.now = 0;
  qemuClockSetSource(fake);
  const r = runOurs('pc', {}, true, () => {
    qemuChrCleanup();
    pcSetSerialHds([qemuChrNewFromOpts({ id: 'serial0', backend: 'null' })]);
  });
  const b = pcBoard(r.machine!)!;
  picInit(b);
  b.io.write(0x3f9, 0x01, 1); // RDI
  b.io.write(0x3fa, 0x47, 1); // FIFO on, clear, trigger level 4
  b.io.write(0x3fc, 0x18, 1); // loopback, OUT2
  b.io.write(0x3f8, 0x61, 1);
  b.io.write(0x3f8, 0x62, 1);
  assert.equal(b.io.read(0x3fa, 1), 0xc1); // below the trigger level: no interrupt yet
  // 9600 baud 8N1 after reset: 10 bits = 1.0417 ms per character.
  runUntil(clock.now + 4_100_000);
  assert.equal(b.io.read(0x3fa, 1), 0xc1);
  runUntil(clock.now + 200_000);
  assert.equal(b.io.read(0x3fa, 1), 0xcc);
  b.io.write(0x20, 0x0a, 1);
  assert.equal(b.io.read(0x20, 1) & 0x10, 0x10); // IRQ 4 pending at the PIC
  assert.equal(b.io.read(0x3f8, 1), 0x61);
  assert.equal(b.io.read(0x3fa, 1), 0xc1); // a read clears the timeout
});

test('the virtual clock stops while the VM is stopped and resumes where it stopped', () => {
  runstateReset();
  clock.now = 5_000;
  qemuClockSetSource(fake);
  qemuClockInit();
  assert.equal(qemuClockGetNs(QEMU_CLOCK_VIRTUAL), 0);
  vmStart();
  clock.now += 1_000;
  assert.equal(qemuClockGetNs(QEMU_CLOCK_VIRTUAL), 1_000);
  vmStop();
  clock.now += 50_000;
  assert.equal(qemuClockGetNs(QEMU_CLOCK_VIRTUAL), 1_000);
  vmStart();
  clock.now += 7;
  assert.equal(qemuClockGetNs(QEMU_CLOCK_VIRTUAL), 1_007);
  runstateReset();
});
