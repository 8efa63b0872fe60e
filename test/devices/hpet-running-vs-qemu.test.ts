/*
 * The HPET's timers while time runs, against QEMU 7.2 over qtest without -S
 * (the virtual clock then follows the host's) and a firmware that only halts
 * (SeaBIOS's PCI set-up would lower every ISA line as it routes the PIRQs),
 * and our pc on a fake clock moved on by the same sleeps.  What does not depend on how long each step took is compared
 * exactly (a one-shot level timer's status and line); the rest by measure on
 * each side: the counter's rate, the pulses of a periodic timer, its
 * comparator moving by whole periods, legacy replacement's pulses on IRQ 0
 * with the PIT cut off.  The IOAPIC's inputs are watched with irq_intercept_in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupMachineTypes } from '../machine/setup.js';
import { runOurs } from '../machine/run-machine.js';
import { pcSetSerialHds } from '../../src/hw/i386/pc-board.js';
import { qemuClockSetSource, timerlistRun } from '../../src/qemu/timer.js';
import { qtestOursIrq, qtestQemuIrq } from './ioapic-hpet-qtest.js';

setupMachineTypes();

const HPET = 0xfed00000;
const h = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const w = (off: number, v: number): string => `writel ${h(HPET + off)} ${h(v)}`;
const r = (off: number): string => `readl ${h(HPET + off)}`;
const value = (answer: string): number => Number(/OK (0x[0-9a-f]+)$/.exec(answer)![1]);
const count = (answer: string, line: string): number => answer.split(' | ').filter((l) => l === line).length;
/** An answer without the IRQ lines of input 0 (the PIT as reset leaves it, 18.2 Hz). */
const noIrq0 = (answer: string): string => answer.split(' | ').filter((l) => !/^IRQ \w+ 0$/.test(l)).join(' | ');

const PERIODIC = 1_000_000; // ticks: 10 ms
const LEGACY_PERIOD = 5_000_000; // 50 ms

const cmds = [
  'irq_intercept_in ioapic',
  // A: timer 0 one-shot, level, on IRQ 2, 20 ms after the counter starts.
  w(0x100, 0x2 | 0x4 | (2 << 9)), w(0x108, 2_000_000), w(0x10c, 0), w(0x10, 1), r(0x20), 'sleep 100', r(0x20), w(0x20, 1), r(0x20),
  w(0x100, 0),
  // B: the counter over 200 ms.
  r(0xf0), 'sleep 200', r(0xf0),
  // C: timer 1 periodic (32-bit, as Linux sets it up), edge, IRQ 2, every 10 ms, for 205 ms from a counter at 0.
  w(0x10, 0), w(0xf0, 0), w(0xf4, 0), w(0x120, 0x100 | 0x8 | 0x4 | 0x40 | (2 << 9)), w(0x128, PERIODIC), w(0x128, PERIODIC),
  w(0x10, 1), 'sleep 205', r(0x128), r(0xf0), w(0x120, 0),
  // D: legacy replacement, timer 0 periodic every 50 ms on ISA IRQ 0 for 225 ms; the PIT's line cut off.
  w(0x10, 0), w(0xf0, 0), w(0x100, 0x100 | 0x8 | 0x4 | 0x40), w(0x108, LEGACY_PERIOD), w(0x108, LEGACY_PERIOD), w(0x10, 3),
  'sleep 225', w(0x10, 0), 'sleep 150', r(0x10),
].filter((c) => c.trim());

const idx = (c: string, from = 0): number => cmds.indexOf(c, from);

test('HPET with time running: one-shot level, counter rate, periodic pulses, legacy replacement on IRQ 0 (QEMU 7.2 and ours)', async () => {
  const answerNs: number[] = [];
  // 64 KiB of firmware: the reset vector (0xffff0) holds cli; hlt; jmp $-1.
  const dir = mkdtempSync(join(tmpdir(), 'hpet-'));
  const bios = new Uint8Array(0x10000);
  bios.set([0xfa, 0xf4, 0xeb, 0xfd], 0xfff0);
  writeFileSync(join(dir, 'halt.bin'), bios);
  let theirs: string[];
  try {
    theirs = await qtestQemuIrq(['-bios', join(dir, 'halt.bin')], cmds, 30000, answerNs);
  } finally {
    rmSync(dir, { recursive: true });
  }

  let now = 0;
  qemuClockSetSource({ monotonicNs: () => now, wallNs: () => 1_700_000_000e9 + now });
  pcSetSerialHds([]);
  const ms = runOurs('pc', {}).machine!;
  // A sleep as a running vCPU loop sees it: timers run late, at 97.3 µs steps.
  const ours = qtestOursIrq(ms, cmds, (msec) => {
    const end = now + msec * 1e6;
    while (now + 97_300 <= end) {
      now += 97_300;
      timerlistRun();
    }
    now = end;
    timerlistRun();
  });

  for (const [side, a] of [['QEMU', theirs], ['ours', ours]] as const) {
    // A: nothing before the match; after it the status bit and IRQ 2 until the status write.
    const sleepA = idx('sleep 100');
    assert.equal(noIrq0(a[sleepA - 1]!), 'OK 0x0000000000000000', side);
    assert.equal(noIrq0(a[sleepA]!), 'IRQ raise 2 | OK', side);
    assert.equal(noIrq0(a[sleepA + 1]!), 'OK 0x0000000000000001', side);
    assert.equal(noIrq0(a[sleepA + 2]!), 'IRQ lower 2 | OK', side);
    assert.equal(noIrq0(a[sleepA + 3]!), 'OK 0x0000000000000000', side);
  }
  // B: 100 MHz: QEMU's counter against the host time between the two answers.
  const b0 = idx('sleep 200') - 1, b1 = b0 + 2;
  const rate = (value(theirs[b1]!) - value(theirs[b0]!)) / ((answerNs[b1]! - answerNs[b0]!) / 1e9);
  assert.ok(rate > 90e6 && rate < 110e6, `QEMU's counter rate ${rate}`);
  assert.equal(value(ours[b1]!) - value(ours[b0]!), 200e6 / 10, 'ours: 200 ms');
  // C: about one pulse per 10 ms; the comparator one period or less ahead of the counter, on the grid of the period.
  const sleepC = idx('sleep 205');
  const pulses = (a: string[]): number => count(a[sleepC]!, 'IRQ raise 2') + count(a[sleepC + 1]!, 'IRQ raise 2');
  assert.equal(pulses(ours), 20);
  assert.ok(Math.abs(pulses(theirs) - 20) <= 2, `QEMU: ${pulses(theirs)} pulses in 200 ms`);
  for (const [side, a] of [['QEMU', theirs], ['ours', ours]] as const) {
    const cmp = value(a[sleepC + 1]!), counter = value(a[sleepC + 2]!);
    assert.equal(cmp % PERIODIC, 0, side);
    assert.ok(cmp > counter && cmp - counter <= PERIODIC, `${side}: comparator ${cmp}, counter ${counter}`);
    assert.equal(count(a[sleepC]!, 'IRQ raise 2'), count(a[sleepC]!, 'IRQ lower 2'), `${side}: edge pulses`);
  }
  // D: four 50 ms periods on input 0 and nothing from the PIT; then the PIT is back.
  const sleepD = idx('sleep 225');
  assert.equal(count(ours[sleepD]!, 'IRQ raise 0'), 4);
  // (The PIT's 18.2 Hz would add about four.)
  assert.ok(Math.abs(count(theirs[sleepD]!, 'IRQ raise 0') - 4) <= 1, `QEMU: ${theirs[sleepD]}`);
  for (const [side, a] of [['QEMU', theirs], ['ours', ours]] as const) {
    assert.ok(count(a[sleepD + 2]!, 'IRQ raise 0') >= 1, `${side}: the PIT's ticks again`);
    assert.equal(value(a[sleepD + 3]!), 0, side);
  }
});
