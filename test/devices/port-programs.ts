/*
 * Port I/O programs shared by the QEMU 7.2 oracle and our device models: one
 * description, turned into a 16-bit firmware image for QEMU (each IN's byte is
 * echoed to the debug console) and replayed directly on our I/O port space.
 *
 * How each IN is compared:
 *  - exact: the same byte.
 *  - mask: the bits in `mask` only (e.g. RTC REG_A's UIP bit, REG_C's UF flag, both wall-time dependent).
 *  - pitLo/pitHi: a running PIT count, low then high byte; the 16-bit values may differ by the ticks
 *    (1.193 MHz) that passed between the load and the latch on each side.
 *  - rtc: a clock register (BCD); compared as a decoded date/time, within a few seconds.
 */
export type Cmp = { kind: 'exact' } | { kind: 'mask'; mask: number } | { kind: 'pitLo' } | { kind: 'pitHi' } | { kind: 'rtc'; reg: number };

/** `size` 2 is a 16-bit access (in ax, dx / out dx, ax); an IN of 2 bytes echoes both, low first. */
export type Op = { out: number; val: number; size?: 1 | 2 } | { in: number; cmp: Cmp; size?: 1 | 2 };

export interface PortProgram {
  name: string;
  /** QEMU options beyond -M pc -nodefaults (e.g. -m, -smp, -boot, -serial). */
  qemuArgs: string[];
  /** The same machine for runOurs(): -m size, smp, boot, and the -serial chardevs. */
  machine: {
    memMiB?: number; cpus?: number; bootOrder?: string; serials?: number;
    /** The -rtc option, parsed by our configureRtc as by QEMU's. */
    rtc?: string;
    /** TZ for both sides (-rtc base=localtime). */
    tz?: string;
    /** COM1 writes to a file chardev on both sides (-serial file:...); the files must be equal. */
    serialFile?: boolean;
  };
  ops: Op[];
}

const out = (port: number, val: number): Op => ({ out: port, val });
const inb = (port: number, cmp: Cmp = { kind: 'exact' }): Op => ({ in: port, cmp });
const cmos = (index: number, cmp?: Cmp): Op[] => [out(0x70, index), inb(0x71, cmp)];
const outw = (port: number, val: number): Op => ({ out: port, val, size: 2 });
const inw = (port: number): Op => ({ in: port, cmp: { kind: 'exact' }, size: 2 });

/** Quiet the PIT first so that IRQ 0 does not toggle during a program: channel 0 in mode 0 with
 * count 0 (OUT low for 55 ms), channel 2 likewise (its OUT is port 0x61 bit 5). */
const quietPit: Op[] = [out(0x43, 0x30), out(0x40, 0), out(0x40, 0), out(0x43, 0xb0), out(0x42, 0), out(0x42, 0)];

const RTC_TIME_REGS = [0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32];

/** All 128 CMOS bytes; the clock registers are compared as a time, REG_A without UIP, REG_C without UF. */
function cmosDump(): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < 128; i++) {
    let cmp: Cmp = { kind: 'exact' };
    if (RTC_TIME_REGS.includes(i)) cmp = { kind: 'rtc', reg: i };
    else if (i === 0x0a) cmp = { kind: 'mask', mask: 0x7f };
    else if (i === 0x0c) cmp = { kind: 'mask', mask: 0xef };
    ops.push(...cmos(i, cmp));
  }
  return ops;
}

/** CMOS RAM writes and reads back, the NMI bit on the index port, and an index port read. */
const cmosRw: Op[] = [
  out(0x70, 0x40), out(0x71, 0xa5), out(0x70, 0xc0), inb(0x71), inb(0x70),
  out(0x70, 0x7f), out(0x71, 0x3c), ...cmos(0x7f),
  // REG_B: binary mode and 24h change how the clock reads; REG_C/REG_D are read-only.
  out(0x70, 0x0b), out(0x71, 0x06), ...cmos(0x0b), ...cmos(0x04, { kind: 'rtc', reg: 0x104 }),
  out(0x70, 0x0b), out(0x71, 0x02), ...cmos(0x0b),
  out(0x70, 0x0d), out(0x71, 0x00), ...cmos(0x0d), out(0x70, 0x0c), out(0x71, 0xff), ...cmos(0x0c, { kind: 'mask', mask: 0xef }),
  // SET mode: write a time, read it back while frozen.
  out(0x70, 0x0b), out(0x71, 0x82), out(0x70, 0x00), out(0x71, 0x30), out(0x70, 0x02), out(0x71, 0x59),
  out(0x70, 0x04), out(0x71, 0x23), out(0x70, 0x07), out(0x71, 0x31), out(0x70, 0x08), out(0x71, 0x12),
  out(0x70, 0x09), out(0x71, 0x99), ...cmos(0x00), ...cmos(0x02), ...cmos(0x04), ...cmos(0x07), ...cmos(0x08),
  ...cmos(0x09), ...cmos(0x0b),
];

/** Linux's PIC init (vectors 0x30/0x70), IMR/IRR/ISR/poll/EOI/ELCR, with IRQs raised by the UART and the i8042. */
const pic: Op[] = [
  ...quietPit,
  out(0x20, 0x11), out(0x21, 0x30), out(0x21, 0x04), out(0x21, 0x01),
  out(0xa0, 0x11), out(0xa1, 0x70), out(0xa1, 0x02), out(0xa1, 0x01),
  inb(0x21), inb(0xa1), out(0x21, 0xe3), out(0xa1, 0xaf), inb(0x21), inb(0xa1),
  out(0x20, 0x0a), inb(0x20), out(0x20, 0x0b), inb(0x20),
  // COM1 raises IRQ 4: THR empty interrupt.
  out(0x3fc, 0x08), out(0x3f9, 0x02), out(0x20, 0x0a), inb(0x20), inb(0x3fa),
  out(0x3f9, 0x00), out(0x3f9, 0x02), out(0x20, 0x0a), inb(0x20),
  // Poll: acknowledges IRQ 4; ISR shows it in service until a specific EOI.
  out(0x20, 0x0c), inb(0x20), out(0x20, 0x0b), inb(0x20), out(0x20, 0x0c), inb(0x20),
  out(0x20, 0x64), out(0x20, 0x0b), inb(0x20),
  // i8042 raises IRQ 1 (controller byte in the output buffer) and IRQ 12 via the slave (aux byte).
  out(0x64, 0x20), out(0x20, 0x0a), inb(0x20), out(0x20, 0x0c), inb(0x20), out(0x20, 0x20), inb(0x60),
  out(0x64, 0xd3), out(0x60, 0x5a), out(0xa0, 0x0a), inb(0xa0), out(0x20, 0x0a), inb(0x20), inb(0x64),
  out(0xa0, 0x0c), inb(0xa0), out(0xa0, 0x0b), inb(0xa0), inb(0x60), out(0xa0, 0x0a), inb(0xa0),
  out(0xa0, 0x20), out(0x20, 0x0b), inb(0x20),
  // Rotation: set priority, rotate on non-specific EOI.
  out(0x20, 0xc3), out(0x3f9, 0x00), out(0x3f9, 0x02), out(0x20, 0x0c), inb(0x20), out(0x20, 0xa0), out(0x20, 0x0b), inb(0x20),
  // ELCR: the master keeps bits 3-7, the slave all but 0 and 5.
  inb(0x4d0), inb(0x4d1), out(0x4d0, 0xff), out(0x4d1, 0xff), inb(0x4d0), inb(0x4d1),
  // Level-triggered IRQ 4 stays in IRR after an acknowledge.
  out(0x4d0, 0x10), out(0x3f9, 0x00), out(0x3f9, 0x02), out(0x20, 0x0c), inb(0x20), out(0x20, 0x0a), inb(0x20),
  out(0x20, 0x20), out(0x3f9, 0x00), out(0x20, 0x0a), inb(0x20),
  // Masked: IRR shows it, poll does not deliver it.
  out(0x21, 0xff), out(0x3f9, 0x02), out(0x20, 0x0a), inb(0x20), out(0x20, 0x0c), inb(0x20),
];

/** PIT: control words, counter latch, read-back status, LSB/MSB-only access; port 0x61 with channel 2's gate. */
const pit: Op[] = [
  ...quietPit,
  out(0x43, 0xe2), inb(0x40), out(0x43, 0xe8), inb(0x42),
  out(0x43, 0xb4), out(0x42, 0x34), out(0x42, 0x12), out(0x43, 0x80), inb(0x42, { kind: 'pitLo' }), inb(0x42, { kind: 'pitHi' }),
  out(0x43, 0xe8), inb(0x42),
  out(0x43, 0x96), out(0x42, 0x80), out(0x43, 0xe8), inb(0x42),
  out(0x43, 0xa0), out(0x42, 0x70), out(0x43, 0xe8), inb(0x42),
  // Read-back latching count and status together: status first, then the count.
  out(0x43, 0xb0), out(0x42, 0x00), out(0x42, 0x40), out(0x43, 0xc8), inb(0x42), inb(0x42, { kind: 'pitLo' }), inb(0x42, { kind: 'pitHi' }),
  // Port 0x61: gate and speaker bits, the refresh toggle, OUT2 (low in mode 0).
  inb(0x61), inb(0x61), out(0x61, 0x03), inb(0x61), out(0x61, 0x00), inb(0x61), inb(0x43),
  // BCD mode status.
  out(0x43, 0x71), out(0x43, 0xe4), inb(0x41),
];

/** The 16550A at COM1: divisor latch, registers after reset, scratch, loopback with and without FIFO, interrupts. */
const uart: Op[] = [
  inb(0x3f9), inb(0x3fa), inb(0x3fb), inb(0x3fc), inb(0x3fd), inb(0x3fe), inb(0x3ff),
  out(0x3fb, 0x80), inb(0x3f8), inb(0x3f9), out(0x3f8, 0x01), out(0x3f9, 0x02), inb(0x3f8), inb(0x3f9),
  out(0x3fb, 0x03), inb(0x3fb), out(0x3ff, 0x5a), inb(0x3ff),
  // Loopback: modem outputs on the inputs; a byte comes back.
  out(0x3fc, 0x1f), inb(0x3fe), out(0x3fc, 0x10), inb(0x3fe), out(0x3fc, 0x15), inb(0x3fe),
  out(0x3f8, 0x41), inb(0x3fd), inb(0x3f8), inb(0x3fd),
  // Overrun: two bytes without reading.
  out(0x3f8, 0x42), out(0x3f8, 0x43), inb(0x3fd), inb(0x3fd), inb(0x3f8),
  // Interrupt identification: RDI, RLSI, THRI.
  out(0x3f9, 0x0f), inb(0x3fa), out(0x3f8, 0x44), inb(0x3fa), out(0x3f8, 0x45), inb(0x3fa), inb(0x3fd), inb(0x3fa),
  inb(0x3f8), inb(0x3fa), inb(0x3fa),
  // FIFO: enable (IIR bits 6-7), trigger level 4, three bytes then the fourth.
  out(0x3fa, 0x47), inb(0x3fa), out(0x3f8, 0x31), out(0x3f8, 0x32), out(0x3f8, 0x33), inb(0x3fd), inb(0x3fa),
  out(0x3f8, 0x34), inb(0x3fa), inb(0x3f8), inb(0x3f8), inb(0x3fa), inb(0x3f8), inb(0x3f8), inb(0x3fd), inb(0x3f8),
  // FIFO overflow: 17 bytes into 16.
  ...Array.from({ length: 17 }, (_, k) => out(0x3f8, 0x60 + k)), inb(0x3fd), inb(0x3fd), inb(0x3f8),
  out(0x3fa, 0x02), inb(0x3fd), inb(0x3fa), out(0x3fa, 0x00), inb(0x3fa),
  out(0x3fc, 0x0b), out(0x3f9, 0x00), inb(0x3fe), inb(0x3fa),
];

/** The i8042: status, controller commands, the output port, keyboard commands; port 0x92. */
const kbc: Op[] = [
  inb(0x64), out(0x64, 0x20), inb(0x64), inb(0x60), inb(0x64), inb(0x60),
  out(0x64, 0xaa), inb(0x64), inb(0x60), out(0x64, 0xab), inb(0x60), out(0x64, 0xa9), inb(0x60),
  out(0x64, 0xd0), inb(0x60), out(0x64, 0xc0), inb(0x60),
  out(0x64, 0x60), out(0x60, 0x47), out(0x64, 0x20), inb(0x60),
  out(0x64, 0xd2), out(0x60, 0x99), inb(0x64), inb(0x60), inb(0x64),
  out(0x64, 0xad), out(0x64, 0x20), inb(0x60), out(0x64, 0xae),
  // Keyboard: get id (translated), echo, reset, set scancode set 1 and query it.
  out(0x60, 0xf2), inb(0x60), inb(0x60), inb(0x60), out(0x60, 0xee), inb(0x60), out(0x60, 0xff), inb(0x60), inb(0x60),
  out(0x60, 0xf0), inb(0x60), out(0x60, 0x01), inb(0x60), out(0x60, 0xf0), inb(0x60), out(0x60, 0x00), inb(0x60), inb(0x60),
  out(0x64, 0x60), out(0x60, 0x07), out(0x60, 0xf2), inb(0x60), inb(0x60), inb(0x60), out(0x60, 0x99), inb(0x60),
  // A20 through the output port and the fast A20 commands.
  out(0x64, 0xdd), out(0x64, 0xd0), inb(0x60), out(0x64, 0xdf), out(0x64, 0xd0), inb(0x60),
  out(0x64, 0xd1), out(0x60, 0xcd), out(0x64, 0xd0), inb(0x60),
  // Port 0x92: A20 bit; bit 0 reads back 0.
  inb(0x92), out(0x92, 0x00), inb(0x92), out(0x92, 0x02), inb(0x92), out(0x92, 0xf2), inb(0x92),
];

/** The clock registers in BCD 24 h mode, read twice. */
const rtcRead: Op[] = [...RTC_TIME_REGS, ...RTC_TIME_REGS].flatMap((r) => cmos(r, { kind: 'rtc', reg: r }));

/** Text out of COM1 at 115200 8N1, polling LSR for THR empty. */
const serialText: Op[] = [
  out(0x3fb, 0x80), out(0x3f8, 0x01), out(0x3f9, 0x00), out(0x3fb, 0x03), out(0x3fa, 0x07),
  ...[...'Hello, 16550A!\r\n'].flatMap((c) => [inb(0x3fd), out(0x3f8, c.charCodeAt(0))]), inb(0x3fd),
];

const aux = (v: number): Op[] => [out(0x64, 0xd4), out(0x60, v)];
const rd = (n: number): Op[] => Array.from({ length: n }, () => [inb(0x64), inb(0x60)]).flat();

/** The PS/2 mouse behind the i8042's aux port: what Linux's psmouse probe sends. */
const mouse: Op[] = [
  out(0x64, 0xa8), ...aux(0xff), ...rd(3), ...aux(0xf2), ...rd(2), ...aux(0xe9), ...rd(4),
  ...aux(0xf3), ...rd(1), ...aux(0x28), ...rd(1), ...aux(0xe8), ...rd(1), ...aux(0x03), ...rd(1), ...aux(0xe7), ...rd(1),
  ...aux(0xf0), ...rd(1), ...aux(0xf4), ...rd(1), ...aux(0xe9), ...rd(4), ...aux(0xeb), ...rd(4),
  // IntelliMouse: 200, 100, 80 then get id; then Explorer: 200, 200, 80.
  ...[200, 100, 80].flatMap((r) => [...aux(0xf3), ...rd(1), ...aux(r), ...rd(1)]), ...aux(0xf2), ...rd(2), ...aux(0xeb), ...rd(5),
  ...[200, 200, 80].flatMap((r) => [...aux(0xf3), ...rd(1), ...aux(r), ...rd(1)]), ...aux(0xf2), ...rd(2),
  // Wrap mode echoes; reset wrap acknowledges.
  ...aux(0xee), ...rd(1), ...aux(0x12), ...rd(1), ...aux(0xec), ...rd(1), ...aux(0xf6), ...rd(1), ...aux(0xe9), ...rd(4),
  ...aux(0xf5), ...rd(1), ...aux(0x77), inb(0x64), ...aux(0xff), ...rd(3), out(0x64, 0xa7), inb(0x64),
];

/**
 * 16-bit accesses inside a byte-wide device's ports: split into byte accesses at consecutive
 * ports, low byte first.  (Accesses running past a device's ports are left out: QEMU hands them
 * to the device again at the next offset, or asserts, as its serial port does.)
 */
const wide: Op[] = [
  ...quietPit,
  outw(0x20, 0x3011), out(0x21, 0x04), out(0x21, 0x01), out(0x21, 0xe3), inw(0x20), out(0x20, 0x0b), inw(0x20),
  out(0x3fb, 0x80), outw(0x3f8, 0x0201), inw(0x3f8), out(0x3fb, 0x03), inw(0x3fb), inw(0x3fd), inw(0x3fe),
  outw(0x70, 0x660a), out(0x70, 0x0a), inb(0x71), out(0x70, 0x0a), outw(0x70, 0x260a), inw(0x70),
  out(0x43, 0xb0), outw(0x42, 0x1234), out(0x43, 0xe8), inb(0x42),
];

export const PROGRAMS: PortProgram[] = [
  { name: 'cmos -m 256', qemuArgs: ['-m', '256'], machine: { memMiB: 256 }, ops: cmosDump() },
  { name: 'cmos -m 4096 -smp 2 -boot order=dnc', qemuArgs: ['-m', '4096', '-smp', '2', '-boot', 'order=dnc'],
    machine: { memMiB: 4096, cpus: 2, bootOrder: 'dnc' }, ops: cmosDump() },
  { name: 'cmos -m 12 -boot order=n', qemuArgs: ['-m', '12', '-boot', 'order=n'], machine: { memMiB: 12, bootOrder: 'n' }, ops: cmosDump() },
  { name: 'cmos writes, SET mode', qemuArgs: [], machine: {}, ops: cmosRw },
  { name: 'i8259 pair', qemuArgs: ['-serial', 'null'], machine: { serials: 1 }, ops: pic },
  { name: 'i8254 and port 0x61', qemuArgs: [], machine: {}, ops: pit },
  { name: '16550A COM1', qemuArgs: ['-serial', 'null'], machine: { serials: 1 }, ops: uart },
  { name: 'i8042 and port 0x92', qemuArgs: [], machine: {}, ops: kbc },
  { name: 'PS/2 mouse on the aux port', qemuArgs: [], machine: {}, ops: mouse },
  { name: '16-bit accesses', qemuArgs: ['-serial', 'null'], machine: { serials: 1 }, ops: wide },
  { name: '-rtc base=2006-06-17T16:01:21', qemuArgs: ['-rtc', 'base=2006-06-17T16:01:21'], machine: { rtc: 'base=2006-06-17T16:01:21' }, ops: rtcRead },
  { name: '-rtc base=1999-12-31T23:59:58,clock=vm', qemuArgs: ['-rtc', 'base=1999-12-31T23:59:58,clock=vm'],
    machine: { rtc: 'base=1999-12-31T23:59:58,clock=vm' }, ops: rtcRead },
  { name: '-rtc base=localtime (TZ=Asia/Kolkata)', qemuArgs: ['-rtc', 'base=localtime'], machine: { rtc: 'base=localtime', tz: 'Asia/Kolkata' }, ops: rtcRead },
  { name: '-serial file: text out of COM1', qemuArgs: [], machine: { serialFile: true }, ops: serialText },
];

/** The firmware for QEMU (-bios): each op in order, each IN echoed to port 0xe9, then isa-debug-exit at 0xf4. */
export function programToNasm(p: PortProgram): string {
  const lines = ['bits 16', 'org 0', 'start:', '  cli'];
  for (const op of p.ops) {
    if ('out' in op) {
      if (op.size === 2) lines.push(`  mov dx, 0x${op.out.toString(16)}`, `  mov ax, 0x${op.val.toString(16)}`, '  out dx, ax');
      else lines.push(`  mov dx, 0x${op.out.toString(16)}`, `  mov al, 0x${op.val.toString(16)}`, '  out dx, al');
    } else if (op.size === 2) {
      lines.push(`  mov dx, 0x${op.in.toString(16)}`, '  in ax, dx', '  out 0xe9, al', '  mov al, ah', '  out 0xe9, al');
    } else {
      lines.push(`  mov dx, 0x${op.in.toString(16)}`, '  in al, dx', '  out 0xe9, al');
    }
  }
  lines.push('  mov al, 0', '  out 0xf4, al', '  hlt', 'times 0xfff0-($-$$) db 0xf4', '  jmp 0xf000:start',
    'times 0x10000-($-$$) db 0');
  return lines.join('\n') + '\n';
}
