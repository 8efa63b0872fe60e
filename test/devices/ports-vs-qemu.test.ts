/*
 * Our PIC pair, PIT (+ port 0x61), RTC/CMOS, 16550A, i8042 and port 0x92
 * against QEMU 7.2's: each program in port-programs.ts runs as firmware
 * (-bios, so the devices are as reset left them, with no SeaBIOS in between)
 * under qemu-system-x86_64 -M pc -accel tcg, echoing every IN to
 * -debugcon; the same program is replayed on our machine's I/O port space.
 * Every IN value is compared as the program says (exact for all but the
 * wall-clock ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROGRAMS, programToNasm, type Op, type PortProgram } from './port-programs.js';
import { setupMachineTypes } from '../machine/setup.js';
import { runOurs } from '../machine/run-machine.js';
import { pcBoard, pcIsaDevicesReset, pcSetSerialHds } from '../../src/hw/i386/pc-board.js';
import { qemuChrNewFromOpts, qemuChrCleanup, qemuChrFind, type Chardev } from '../../src/chardev/char.js';
import { configureRtc, rtcConfig } from '../../src/system/rtc.js';
import { qemuOptsParse } from '../../src/util/qemu-option.js';
import { createVlOptsLists, qemuFindOpts } from '../../src/system/opts-lists.js';

setupMachineTypes();

function assemble(dir: string, p: PortProgram): string {
  const src = join(dir, 'prog.asm'), bin = join(dir, 'prog.bin');
  writeFileSync(src, programToNasm(p));
  const r = spawnSync('nasm', ['-f', 'bin', '-o', bin, src], { encoding: 'utf8' });
  if (r.error) throw new Error(`nasm is required for the device oracle tests: ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  return bin;
}

function runQemu(p: PortProgram): Promise<{ ins: Buffer; serial?: Buffer }> {
  const dir = mkdtempSync(join(tmpdir(), 'devports-'));
  const bin = assemble(dir, p);
  const out = join(dir, 'out');
  const ser = join(dir, 'serial');
  const args = ['-M', 'pc', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-no-reboot', '-bios', bin,
    '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', ...p.qemuArgs,
    ...(p.machine.serialFile ? ['-serial', `file:${ser}`] : [])];
  const env = p.machine.tz ? { ...process.env, TZ: p.machine.tz } : process.env;
  return new Promise((resolve, reject) => {
    execFile('qemu-system-x86_64', args, { timeout: 60000, env }, (err, _stdout, stderr) => {
      try {
        const code = (err as { code?: number } | null)?.code ?? 0;
        if (typeof code !== 'number') throw new Error(`qemu-system-x86_64 is required: ${String(err)}`);
        if (code !== 1) throw new Error(`${p.name}: QEMU did not exit through isa-debug-exit (${code}): ${stderr}`);
        resolve({ ins: readFileSync(out), serial: p.machine.serialFile ? readFileSync(ser) : undefined });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const RTC_DEFAULTS = { ...rtcConfig };

async function runOursProgram(p: PortProgram, replayAfterReset = false): Promise<{ ins: number[]; serial?: Buffer }> {
  const m = p.machine;
  const oldTz = process.env.TZ;
  if (m.tz) process.env.TZ = m.tz;
  Object.assign(rtcConfig, RTC_DEFAULTS);
  if (m.rtc) configureRtc(qemuOptsParse(qemuFindOpts(createVlOptsLists(), 'rtc'), m.rtc, false));
  const dir = mkdtempSync(join(tmpdir(), 'devports-ours-'));
  const ser = join(dir, 'serial');
  const props: Record<string, unknown> = { memory: { size: (m.memMiB ?? 128) * 1024 * 1024 } };
  if (m.cpus) props.smp = { cpus: String(m.cpus) };
  if (m.bootOrder) props.boot = { order: m.bootOrder };
  const r = runOurs('pc', props, true, () => {
    qemuChrCleanup();
    const chrs: Chardev[] = [];
    if (m.serialFile) chrs.push(qemuChrNewFromOpts({ id: 'serial0', backend: 'file', path: ser }));
    for (let i = 0; i < (m.serials ?? 0); i++) chrs.push(qemuChrNewFromOpts({ id: `serial${i}`, backend: 'null' }));
    pcSetSerialHds(chrs);
  });
  try {
    assert.equal(r.code, 0, r.stderr);
    const io = pcBoard(r.machine!)!.io;
    let ins: number[] = [];
    const replay = (): void => {
      for (const op of p.ops) {
        if ('out' in op) {
          io.write(op.out, op.val, op.size ?? 1);
        } else if (op.size === 2) {
          const v = io.read(op.in, 2);
          ins.push(v & 0xff, v >> 8);
        } else {
          ins.push(io.read(op.in, 1));
        }
      }
    };
    replay();
    if (replayAfterReset) {
      // A system reset must bring the devices back to the power-on state QEMU's run started from.
      pcIsaDevicesReset(r.machine!);
      ins = [];
      replay();
    }
    let serial: Buffer | undefined;
    if (m.serialFile) {
      await qemuChrFind('serial0')!.drain();
      serial = readFileSync(ser);
    }
    return { ins, serial };
  } finally {
    qemuChrCleanup();
    Object.assign(rtcConfig, RTC_DEFAULTS);
    if (m.tz) {
      if (oldTz === undefined) delete process.env.TZ;
      else process.env.TZ = oldTz;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Programs replayed once more after pcIsaDevicesReset: those that leave the RTC's clock alone and
 * do not write port 0x92, whose bits other than reset survive a system reset in QEMU (port92_reset).
 */
const RESET_REPLAY = /^(i8259|i8254|16550A|PS\/2)/;

const bcd = (v: number): number => (v >> 4) * 10 + (v & 15);

/** The clock registers of a program as seconds since the epoch (BCD, 24 h). */
function rtcSeconds(values: Map<number, number>): number | undefined {
  const g = (r: number): number | undefined => (values.has(r) ? bcd(values.get(r)!) : undefined);
  const [s, mi, h, d, mo, y, c] = [0, 2, 4, 7, 8, 9, 0x32].map(g);
  if ([s, mi, h, d, mo, y, c].some((v) => v === undefined)) return undefined;
  return Date.UTC(c! * 100 + y!, mo! - 1, d!, h!, mi!, s!) / 1000;
}

/**
 * `laterSecs`: how much later our run started than QEMU's (the QEMU runs go first, together), so
 * the RTC check compares each clock with its own start and does not depend on the host's load.
 */
function compare(p: PortProgram, theirs: Buffer, ours: number[], laterSecs: number): string[] {
  const fails: string[] = [];
  const check = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      fails.push((e as Error).message.split('\n').filter((l) => l.trim()).join(' '));
    }
  };
  const ins = p.ops.filter((op): op is Extract<Op, { in: number }> => 'in' in op).flatMap((op) => (op.size === 2 ? [op, op] : [op]));
  assert.equal(theirs.length, ins.length, `${p.name}: QEMU echoed every IN`);
  const rtcQ = new Map<number, number>(), rtcO = new Map<number, number>();
  for (let i = 0; i < ins.length; i++) {
    const op = ins[i]!, q = theirs[i]!, o = ours[i]!;
    const where = `${p.name}: IN #${i} from port 0x${op.in.toString(16)}`;
    switch (op.cmp.kind) {
      case 'exact':
        check(() => assert.equal(o.toString(16), q.toString(16), where));
        break;
      case 'mask': {
        const mask = op.cmp.mask;
        check(() => assert.equal((o & mask).toString(16), (q & mask).toString(16), `${where} (mask 0x${mask.toString(16)})`));
        break;
      }
      case 'pitLo': {
        const qv = q | (theirs[i + 1]! << 8), ov = o | (ours[i + 1]! << 8);
        // Both count down from the same load; 2000 ticks is 1.7 ms between the load and the latch.
        check(() => assert.ok(Math.abs(qv - ov) < 2000, `${where}: PIT count ours 0x${ov.toString(16)} QEMU 0x${qv.toString(16)}`));
        i++;
        break;
      }
      case 'rtc':
        if (op.cmp.reg >= 0x100) {
          // Read in binary mode: hours are a plain number in both.
          check(() => assert.ok(Math.abs(o - q) <= 1 || Math.abs(o - q) === 23, `${where}: binary hours ours ${o} QEMU ${q}`));
        } else {
          rtcQ.set(op.cmp.reg, q);
          rtcO.set(op.cmp.reg, o);
        }
        break;
      case 'pitHi':
        check(() => assert.fail(`${where}: a pitHi without its pitLo`));
    }
  }
  const tq = rtcSeconds(rtcQ), to = rtcSeconds(rtcO);
  if (tq !== undefined || to !== undefined) {
    // Both take the host's UTC time at start: ours is later by the time between the two starts.
    check(() => assert.ok(tq !== undefined && to !== undefined && Math.abs(to - tq - laterSecs) <= 3,
      `${p.name}: RTC time ours ${to} QEMU ${tq}, started ${laterSecs.toFixed(1)} s later`));
    check(() => assert.equal(rtcO.get(0x06), rtcQ.get(0x06), `${p.name}: day of week`));
  }
  return fails;
}

test('port I/O against QEMU 7.2: PIC pair, PIT and port 0x61, RTC/CMOS, 16550A, i8042 and port 0x92', async () => {
  const qemuStart = Date.now();
  const theirs = await Promise.all(PROGRAMS.map((p) => runQemu(p)));
  const fails: string[] = [];
  for (const [k, p] of PROGRAMS.entries()) {
    const later = (): number => (Date.now() - qemuStart) / 1000;
    let laterSecs = later();
    const ours = await runOursProgram(p);
    fails.push(...compare(p, theirs[k]!.ins, ours.ins, laterSecs));
    if (RESET_REPLAY.test(p.name)) {
      laterSecs = later();
      fails.push(...compare({ ...p, name: `${p.name} (after a system reset)` }, theirs[k]!.ins, (await runOursProgram(p, true)).ins, laterSecs));
    }
    if (p.machine.serialFile) {
      assert.ok(ours.serial!.length > 0, `${p.name}: our COM1 wrote nothing`);
      if (!ours.serial!.equals(theirs[k]!.serial!)) fails.push(`${p.name}: COM1 output ours ${JSON.stringify(ours.serial!.toString())} QEMU ${JSON.stringify(theirs[k]!.serial!.toString())}`);
    }
  }
  assert.deepEqual(fails, []);
});
