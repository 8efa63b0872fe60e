/*
 * The IOAPIC and the HPET as the guest sees them, against QEMU 7.2 over qtest
 * (-M pc -S -nodefaults, the virtual clock stopped): the registers after
 * reset, their write masks, the indirect window, remote IRR of level pins
 * and the EOI register, ExtINT's acknowledge of the 8259, the HPET's
 * counter, comparator/period writes (SETVAL, 32-bit mode), the legacy
 * replacement cutting off the PIT's line, and the fw_cfg HPET item.  The
 * IOAPIC's inputs are watched with irq_intercept_in on both sides.
 */
import { test } from 'node:test';
import { setupMachineTypes } from '../machine/setup.js';
import { runOurs } from '../machine/run-machine.js';
import { accelReset, configureAccelerators } from '../../src/accel/accel.js';
import { pcIsaDevicesReset, pcPciDevicesReset, pcSetSerialHds } from '../../src/hw/i386/pc-board.js';
import { setSystemResetHandler } from '../../src/hw/core/reset-request.js';
import { qemuChrCleanup } from '../../src/chardev/char.js';
import { runstateReset } from '../../src/system/runstate.js';
import { qemuClockSetSource } from '../../src/qemu/timer.js';
import { objectRegisterGlobalProp } from '../../src/qom/object.js';
import type { MachineState } from '../../src/hw/core/machine.js';
import { assertSameAnswers, qtestOursIrq, qtestQemuIrq } from './ioapic-hpet-qtest.js';

setupMachineTypes();

/** Our pc (-nodefaults, 128 MiB) with the virtual clock held still, as QEMU's is under -S. */
function ourMachine(type = 'pc', props: Record<string, unknown> = {}, globals: Array<[string, string, string]> = []): MachineState {
  runstateReset();
  qemuClockSetSource({ monotonicNs: () => 0, wallNs: () => 1_700_000_000e9 });
  const r = runOurs(type, { memory: { size: 128 * 1024 * 1024 }, ...props }, false, () => {
    qemuChrCleanup();
    pcSetSerialHds([]);
    accelReset();
    configureAccelerators(undefined, []);
    for (const [driver, property, value] of globals) objectRegisterGlobalProp({ driver, property, value });
  });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.machine!;
}

async function compare(name: string, qemuArgs: string[], cmds: string[], ms: MachineState): Promise<void> {
  const theirs = await qtestQemuIrq(['-S', ...qemuArgs], cmds);
  const ours = qtestOursIrq(ms, cmds);
  assertSameAnswers(name, cmds, ours, theirs);
}

const IOAPIC = 0xfec00000;
const HPET = 0xfed00000;
const h = (n: number): string => `0x${(n >>> 0).toString(16)}`;
/** IOAPIC register `reg` through the window. */
const ioRead = (reg: number): string[] => [`writel ${h(IOAPIC)} ${h(reg)}`, `readl ${h(IOAPIC + 0x10)}`];
const ioWrite = (reg: number, v: number): string[] => [`writel ${h(IOAPIC)} ${h(reg)}`, `writel ${h(IOAPIC + 0x10)} ${h(v)}`];
/** PIT channel 0 in `mode` with count 0x1000: a load sets the line to OUT (mode 3: high, mode 0: low). */
const pitLoad = (mode: number): string[] => [`outb 0x43 ${h(0x30 | (mode << 1))}`, 'outb 0x40 0x00', 'outb 0x40 0x10'];

test('IOAPIC: registers after reset, the window, ID/version/arbitration, every redirection entry\'s write mask', async () => {
  const cmds: string[] = ['irq_intercept_in ioapic', `readl ${h(IOAPIC)}`];
  for (let reg = 0; reg < 0x44; reg++) cmds.push(...ioRead(reg));
  cmds.push(...ioRead(0xff));
  // IOREGSEL is one byte; the window answers 32-bit accesses only; the page repeats every 256 bytes.
  cmds.push(`writel ${h(IOAPIC)} 0x12345611`, `readl ${h(IOAPIC)}`, `readb ${h(IOAPIC)}`, `readw ${h(IOAPIC)}`,
    `readb ${h(IOAPIC + 0x10)}`, `readw ${h(IOAPIC + 0x10)}`, `readl ${h(IOAPIC + 0x110)}`, `readl ${h(IOAPIC + 0x100)}`,
    `readl ${h(IOAPIC + 4)}`, `readl ${h(IOAPIC + 0x14)}`, `readl ${h(IOAPIC + 0x20)}`, `readl ${h(IOAPIC + 0x40)}`,
    `writeb ${h(IOAPIC)} 0x01`, `readl ${h(IOAPIC + 0x10)}`, `writew ${h(IOAPIC)} 0x0210`, `readl ${h(IOAPIC)}`,
    `writeb ${h(IOAPIC + 1)} 0x10`, `readl ${h(IOAPIC)}`, `writel ${h(IOAPIC + 0xf00)} 0x12`, `readl ${h(IOAPIC + 0x10)}`);
  // ID: bits 24-27 only; ARB reads the ID; VER is read-only; narrow window writes are dropped.
  cmds.push(...ioWrite(0, 0xffffffff), ...ioRead(0), ...ioRead(2), ...ioWrite(1, 0), ...ioRead(1), ...ioWrite(2, 0), ...ioRead(2),
    `writel ${h(IOAPIC)} 0`, `writeb ${h(IOAPIC + 0x10)} 0x00`, ...ioRead(0), ...ioWrite(0, 0x05000000), ...ioRead(0));
  // Every entry: all ones and all zeros in each half (remote IRR and delivery status stay 0), then masked again.
  for (let pin = 0; pin < 24; pin++) {
    const lo = 0x10 + 2 * pin;
    cmds.push(...ioWrite(lo + 1, 0xffffffff), ...ioRead(lo + 1), ...ioWrite(lo, 0xffffffff), ...ioRead(lo),
      ...ioWrite(lo, 0), ...ioRead(lo), ...ioWrite(lo + 1, 0x12345678), ...ioRead(lo + 1), ...ioRead(lo),
      ...ioWrite(lo, 0x00010000 | pin), ...ioRead(lo));
  }
  // Outside the table: no effect.
  cmds.push(...ioWrite(0x40, 0xffffffff), ...ioRead(0x40), ...ioWrite(0x0f, 0xffffffff), ...ioRead(0x0f), ...ioRead(0x10));
  await compare('ioapic registers', [], cmds, ourMachine());
});

test('IOAPIC: remote IRR of a level pin, the EOI register, edge and masked pins, ExtINT acknowledging the 8259', async () => {
  const cmds: string[] = ['irq_intercept_in ioapic'];
  // The PIT's line (ISA IRQ 0) is IOAPIC pin 2: level, active high, vector 0x31, unmasked.
  cmds.push(...ioWrite(0x14, 0x8031), ...ioRead(0x14), ...pitLoad(3), ...ioRead(0x14));
  // EOI of another vector does nothing; of 0x31 with the line still high, the pin is delivered again.
  cmds.push(`writel ${h(IOAPIC + 0x40)} 0x30`, ...ioRead(0x14), `writel ${h(IOAPIC + 0x40)} 0x31`, ...ioRead(0x14));
  // Narrow EOI writes are dropped; with the line low the EOI clears remote IRR for good.
  cmds.push(...pitLoad(0), `writeb ${h(IOAPIC + 0x40)} 0x31`, ...ioRead(0x14), `writel ${h(IOAPIC + 0x40)} 0x131`, ...ioRead(0x14),
    `writel ${h(IOAPIC + 0x40)} 0x31`, ...ioRead(0x14));
  // Remote IRR is read-only, and cleared by switching the pin to edge (Linux's EOI of old IOAPICs).
  cmds.push(...pitLoad(3), ...ioRead(0x14), ...ioWrite(0x14, 0x8031 & ~0x4000), ...ioRead(0x14), ...ioWrite(0x14, 0x0031), ...ioRead(0x14),
    ...ioWrite(0x14, 0x8031), ...ioRead(0x14));
  // Masked level pin: the request waits; unmasking delivers it.
  cmds.push(...pitLoad(0), `writel ${h(IOAPIC + 0x40)} 0x31`, ...ioWrite(0x14, 0x18031), ...pitLoad(3), ...ioRead(0x14),
    ...ioWrite(0x14, 0x8031), ...ioRead(0x14), ...pitLoad(0), `writel ${h(IOAPIC + 0x40)} 0x31`, ...ioRead(0x14));
  // Edge pin: no remote IRR.
  cmds.push(...ioWrite(0x14, 0x0032), ...pitLoad(3), ...ioRead(0x14), ...pitLoad(0));
  // ExtINT: the IOAPIC takes the vector from the 8259 (its ISR shows the acknowledge).
  cmds.push('outb 0x20 0x11', 'outb 0x21 0x20', 'outb 0x21 0x04', 'outb 0x21 0x01', 'outb 0x21 0x00', 'outb 0x20 0x0b', 'inb 0x20',
    ...ioWrite(0x14, 0x0700), ...pitLoad(3), 'inb 0x20', 'outb 0x20 0x0a', 'inb 0x20', ...pitLoad(0));
  // A masked level ExtINT pin still acknowledges the 8259 whenever the IOAPIC services its pins.
  cmds.push('outb 0x20 0x20', 'outb 0x20 0x0b', 'inb 0x20', ...ioWrite(0x14, 0x18700), ...pitLoad(3), 'inb 0x20', 'outb 0x20 0x20',
    'inb 0x20', ...ioWrite(0x16, 0x40), 'inb 0x20', ...pitLoad(0), ...ioWrite(0x14, 0x10000));
  await compare('ioapic delivery', [], cmds, ourMachine());
});

test('IOAPIC version 0x11 (pc-i440fx-2.7): no EOI register', async () => {
  const cmds = ['irq_intercept_in ioapic', ...ioRead(1), ...ioWrite(0x14, 0x8031), ...pitLoad(3), ...ioRead(0x14),
    `writel ${h(IOAPIC + 0x40)} 0x31`, ...ioRead(0x14)];
  await compare('ioapic 0x11', ['-M', 'pc-i440fx-2.7'], cmds, ourMachine('pc-i440fx-2.7'));
});

/** Every 32-bit register of the HPET block that decodes, and a few that do not. */
function hpetDump(): string[] {
  const out: string[] = [];
  for (const off of [0, 4, 8, 0xc, 0x10, 0x14, 0x20, 0x24, 0xf0, 0xf4, 0xf8]) out.push(`readl ${h(HPET + off)}`);
  for (let t = 0; t < 5; t++) for (let off = 0; off < 0x20; off += 4) out.push(`readl ${h(HPET + 0x100 + 0x20 * t + off)}`);
  return out;
}

test('HPET: capabilities, timers\' capabilities and comparators after reset; access sizes; write masks', async () => {
  const cmds = ['irq_intercept_in ioapic', ...hpetDump(), `readq ${h(HPET)}`, `readb ${h(HPET)}`, `readw ${h(HPET + 4)}`,
    `readl ${h(HPET + 2)}`, `readl ${h(HPET + 0x3fc)}`];
  // Read-only ID, narrow and misaligned writes dropped.
  cmds.push(`writel ${h(HPET)} 0`, `writel ${h(HPET + 4)} 0`, `writeb ${h(HPET + 0x10)} 0x01`, `writel ${h(HPET + 0x12)} 0xffff`,
    `readl ${h(HPET + 0x10)}`, `readl ${h(HPET)}`);
  // Each timer's configuration: all ones (32-bit mode truncates the comparator), then zeros; FSB route registers.
  for (let t = 0; t < 5; t++) {
    const base = HPET + 0x100 + 0x20 * t;
    cmds.push(`writel ${h(base)} 0xffffffff`, `readl ${h(base)}`, `writel ${h(base + 4)} 0xffffffff`, `readl ${h(base + 4)}`,
      `readl ${h(base + 8)}`, `readl ${h(base + 0xc)}`, `writel ${h(base)} 0`, `readl ${h(base)}`,
      `writel ${h(base + 0x10)} 0xfee00000`, `writel ${h(base + 0x14)} 0x4041`, `readl ${h(base + 0x10)}`, `readl ${h(base + 0x14)}`,
      `writel ${h(base + 0x18)} 0x1234`, `readl ${h(base + 0x18)}`);
  }
  // General configuration: enable and legacy are the only writable bits; ISR writes clear only set bits.
  cmds.push(`writel ${h(HPET + 0x10)} 0xfffffffc`, `readl ${h(HPET + 0x10)}`, `writel ${h(HPET + 0x14)} 0xffffffff`, `readl ${h(HPET + 0x14)}`,
    `writel ${h(HPET + 0x20)} 0xffffffff`, `readl ${h(HPET + 0x20)}`, `writel ${h(HPET + 0x24)} 0xffffffff`, `readl ${h(HPET + 0x24)}`);
  await compare('hpet registers', [], cmds, ourMachine());
});

test('HPET: main counter writes, held while disabled, running from its value; comparator and period writes (SETVAL, 32-bit)', async () => {
  const t0 = HPET + 0x100, t1 = HPET + 0x120;
  const cmds = ['irq_intercept_in ioapic',
    `writel ${h(HPET + 0xf0)} 0x89abcdef`, `writel ${h(HPET + 0xf4)} 0x01234567`, `readl ${h(HPET + 0xf0)}`, `readl ${h(HPET + 0xf4)}`,
    `readq ${h(HPET + 0xf0)}`,
    // One-shot: the comparator takes both halves.
    `writel ${h(t0 + 8)} 0x11111111`, `writel ${h(t0 + 0xc)} 0x22222222`, `readq ${h(t0 + 8)}`,
    // Periodic without SETVAL: the low write sets comparator and period, the high write the period only.
    `writel ${h(t0)} 0x0008`, `writel ${h(t0 + 8)} 0x33333333`, `writel ${h(t0 + 0xc)} 0x44444444`, `readq ${h(t0 + 8)}`, `readl ${h(t0)}`,
    // With SETVAL (which reads back as 0): the high write goes to the comparator.
    `writel ${h(t0)} 0x0048`, `readl ${h(t0)}`, `writel ${h(t0 + 0xc)} 0x55555555`, `readq ${h(t0 + 8)}`, `readl ${h(t0)}`,
    `writel ${h(t0)} 0x0048`, `writel ${h(t0 + 8)} 0x66666666`, `readq ${h(t0 + 8)}`,
    // 32-bit mode: the comparator's high half is dropped and stays 0.
    `writel ${h(t1)} 0x0100`, `readq ${h(t1 + 8)}`, `writel ${h(t1 + 0xc)} 0x77777777`, `readq ${h(t1 + 8)}`, `writel ${h(t1)} 0x0148`,
    `writel ${h(t1 + 8)} 0xffffffff`, `readq ${h(t1 + 8)}`,
    // Enabled, the counter runs on from the held value (the clock stands still here); disabling holds it again.
    `writel ${h(t0)} 0x0006`, `writel ${h(HPET + 0x10)} 0x1`, `readl ${h(HPET + 0x10)}`, `readq ${h(HPET + 0xf0)}`,
    `writel ${h(HPET + 0xf0)} 0`, `readq ${h(HPET + 0xf0)}`, `readl ${h(HPET + 0x20)}`, `writel ${h(HPET + 0x10)} 0`, `readq ${h(HPET + 0xf0)}`,
    `readl ${h(HPET + 0x20)}`];
  await compare('hpet counter', [], cmds, ourMachine());
});

test('HPET legacy replacement: the PIT\'s line is cut off and given back; fw_cfg\'s HPET item', async () => {
  const cmds = ['irq_intercept_in ioapic', ...pitLoad(3), ...pitLoad(0), ...pitLoad(3),
    `writel ${h(HPET + 0x10)} 0x2`, `readl ${h(HPET + 0x10)}`, ...pitLoad(0), ...pitLoad(3),
    `writel ${h(HPET + 0x10)} 0x0`, ...pitLoad(0), `writel ${h(HPET + 0x10)} 0x3`, ...pitLoad(3), `writel ${h(HPET + 0x10)} 0x1`,
    `writel ${h(HPET + 0x10)} 0x0`, ...pitLoad(0)];
  // FW_CFG_HPET (0x8004): count, then { event_timer_block_id, address, min_tick, page_prot }.
  cmds.push('outw 0x510 0x8004', ...Array.from({ length: 20 }, () => 'inb 0x511'));
  await compare('hpet legacy', [], cmds, ourMachine());
});

test('hpet=off: the PIT straight on IRQ 0, fw_cfg\'s HPET count 0xff', async () => {
  const cmds = ['irq_intercept_in ioapic', ...pitLoad(3), ...pitLoad(0), 'outw 0x510 0x8004', 'inb 0x511'];
  await compare('hpet=off', ['-M', 'pc,hpet=off'], cmds, ourMachine('pc', { hpet: false }));
});

test('-global hpet.timers=5, hpet.hpet-intcap: the capabilities, the timer blocks, fw_cfg\'s HPET ID, intcap kept unless its low byte is 0', async () => {
  const cmds = ['irq_intercept_in ioapic', ...hpetDump(), `readl ${h(HPET + 0x1a0)}`, `readl ${h(HPET + 0x1c0)}`, `readl ${h(HPET + 0x1e4)}`];
  cmds.push('outw 0x510 0x8004', ...Array.from({ length: 20 }, () => 'inb 0x511'));
  await compare('timers=5', ['-global', 'hpet.timers=5', '-global', 'hpet.hpet-intcap=0x10004'], cmds,
    ourMachine('pc', {}, [['hpet', 'timers', '5'], ['hpet', 'hpet-intcap', '0x10004']]));
  await compare('intcap=0x100', ['-global', 'hpet.hpet-intcap=0x100'], cmds, ourMachine('pc', {}, [['hpet', 'hpet-intcap', '0x100']]));
});

test('system reset (0xcf9): the IOAPIC and the HPET as reset leaves them, the PIT on IRQ 0 again', async () => {
  const ms = ourMachine();
  // As the vCPU loop's qemu_system_reset: the ISA devices, then the system-bus and PCI ones.
  setSystemResetHandler(() => {
    pcIsaDevicesReset(ms);
    pcPciDevicesReset(ms);
  });
  const cmds = ['irq_intercept_in ioapic', ...ioWrite(0, 0x03000000), ...ioWrite(0x14, 0x8031), ...ioWrite(0x15, 0xff000000),
    `writel ${h(HPET + 0xf0)} 0x1234`, `writel ${h(HPET + 0x100)} 0x14e`, `writel ${h(HPET + 0x108)} 0x5678`, `writel ${h(HPET + 0x10)} 3`,
    ...pitLoad(3), 'outb 0xcf9 0x06', ...ioRead(0), ...ioRead(0x14), ...ioRead(0x15), `writel ${h(IOAPIC)} 0x13`, ...hpetDump(), ...pitLoad(0),
    ...pitLoad(3)];
  await compare('reset', [], cmds, ms);
});
