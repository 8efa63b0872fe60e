/*
 * The vCPU loop of the real binary against QEMU 7.2 TCG with the same command lines: PIT
 * interrupts through the PIC (and when a pending one is taken around STI/HLT), -d unimp,
 * guest-requested resets with and without -no-reboot and their QMP events, stop/cont/
 * system_reset/query-status while the guest runs, and the host CPU an idle guest costs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, SYSARCH_DIR, TSQEMU } from '../sysarch/harness.js';
import { startWithQmp, type Json, type VmProcess } from '../helpers/qmp-client.js';
import { RawClient, spawnQemu, waitForFile } from '../monitor/raw-client.js';

const QEMU = 'qemu-system-x86_64';
const BINARIES: ReadonlyArray<[string, string]> = [['qemu', QEMU], ['ours', TSQEMU]];
/* No LAPIC: QEMU then wires the PIC straight to the CPU, as our machine does (no LAPIC yet). */
const BASE = ['-M', 'pc', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-m', '64', '-cpu', 'qemu64,-apic',
  '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'];

/** Assembles progs/NAME.asm as a flat 64 KiB -bios image. */
function buildBios(name: string, dir: string): string {
  const out = join(dir, `${name}.bin`);
  const r = spawnSync('nasm', ['-f', 'bin', '-o', out, join(SYSARCH_DIR, 'progs', `${name}.asm`)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`nasm ${name}: ${r.error?.message ?? r.stderr}`);
  return out;
}

interface Run { status: number | null; output: string; log: string }

/** Runs a binary to its exit; the debug console (and -D log) go to files in `dir`. */
function run(binary: string, tag: string, dir: string, args: string[], timeoutMs = 30000): Promise<Run> {
  const con = join(dir, `${tag}.con`), log = join(dir, `${tag}.log`);
  return new Promise((resolve, reject) => {
    const p = spawn(binary, [...BASE, ...args, '-debugcon', `file:${con}`, '-D', log], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(t);
      if (status === null) return reject(new Error(`${binary} timed out: ${stderr}`));
      const read = (f: string): string => { try { return readFileSync(f, 'latin1'); } catch { return ''; } };
      resolve({ status, output: read(con), log: read(log) });
    });
  });
}

async function runBothTo(dir: string, args: string[]): Promise<{ qemu: Run; ours: Run }> {
  const [qemu, ours] = await Promise.all(BINARIES.map(([tag, bin]) => run(bin, tag, dir, args)));
  return { qemu: qemu!, ours: ours! };
}

test('PIT interrupts through the PIC in real mode: 20 ticks, none between STI and CLI, one after STI\'s shadow, HLT wakes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loop-pit-'));
  try {
    const { qemu, ours } = await runBothTo(dir, ['-bios', buildBios('loop-pit-bios', dir)]);
    assert.equal(qemu.output, '20 ticks\n0\n1\n1\n0\n');
    assert.equal(qemu.status, 11);
    assert.equal(ours.output, qemu.output);
    assert.equal(ours.status, qemu.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-d unimp logs an undefined opcode as QEMU\'s "ILLOPC: <pc>: <bytes>" line; #UD reaches the guest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loop-ud-'));
  try {
    const { qemu, ours } = await runBothTo(dir, ['-bios', buildBios('loop-ud-bios', dir), '-d', 'unimp']);
    assert.equal(qemu.output, 'au');
    assert.match(qemu.log, /^ILLOPC: 00000000000f[0-9a-f]{4}: 0f 04\n$/);
    assert.equal(ours.output, qemu.output);
    assert.equal(ours.log, qemu.log);
    assert.equal(ours.status, qemu.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/* A guest-requested reset: an i8042 reset pulse, and a triple fault. */
const RESETTERS: ReadonlyArray<[string, string, string]> = [
  ['loop-reboot', 'an i8042 reset pulse', 'boot 00000000\nboot 00000001\nboot 00000002\n'],
  ['loop-triple', 'a triple fault', 'boot=00000000\nboot=00000001\nboot=00000002\n'],
];

for (const [prog, what, boots] of RESETTERS) {
  test(`${what} reboots the machine: the program boots three times, CMOS RAM survives`, async () => {
    const { elf, dir } = buildProgram(prog);
    try {
      const { qemu, ours } = await runBothTo(dir, ['-kernel', elf]);
      assert.equal(qemu.output, boots);
      assert.equal(ours.output, qemu.output);
      assert.equal(ours.status, qemu.status);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const events = (vm: VmProcess): Json[] => vm.qmp.events.map((e) => {
  const { timestamp: _t, ...rest } = e as { [k: string]: Json };
  return rest;
});

const exitOf = (vm: VmProcess): Promise<number | null> =>
  new Promise((res) => (vm.proc.exitCode !== null ? res(vm.proc.exitCode) : vm.proc.once('exit', (c) => res(c))));

for (const [prog, what, boots] of RESETTERS) {
  test(`-no-reboot: ${what} shuts down with QEMU's SHUTDOWN event (guest-reset) and status 0`, async () => {
    const { elf, dir } = buildProgram(prog);
    try {
      const results = await Promise.all(BINARIES.map(async ([tag, bin]) => {
        const vm = await startWithQmp(bin, [...BASE, '-S', '-no-reboot', '-kernel', elf, '-debugcon', `file:${join(dir, tag)}`]);
        const exited = exitOf(vm);
        await vm.qmp.execute('cont');
        const status = await exited;
        await new Promise((r) => setTimeout(r, 50)); // the last events' bytes
        vm.qmp.close();
        return { status, events: events(vm), output: readFileSync(join(dir, tag), 'latin1') };
      }));
      const [qemu, ours] = results as [typeof results[0], typeof results[0]];
      assert.equal(qemu.output, boots.slice(0, boots.indexOf('\n') + 1));
      assert.equal(qemu.status, 0);
      assert.deepEqual(qemu.events, [{ event: 'RESUME' }, { event: 'SHUTDOWN', data: { guest: true, reason: 'guest-reset' } }]);
      assert.deepEqual(ours, qemu);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Waits until the file grows past `size` bytes. */
async function waitGrowth(file: string, size: number, timeoutMs = 20000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let s = 0;
    try { s = statSync(file).size; } catch { /* not yet */ }
    if (s > size) return s;
    if (Date.now() > end) throw new Error(`${file} did not grow past ${size}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('QMP stop, cont, query-status and system_reset while the guest runs, with QEMU\'s replies and events', async () => {
  const { elf, dir } = buildProgram('loop-spin');
  try {
    const results = await Promise.all(BINARIES.map(async ([tag, bin]) => {
      const con = join(dir, tag);
      const vm = await startWithQmp(bin, [...BASE, '-kernel', elf, '-debugcon', `file:${con}`]);
      const replies: Json[] = [];
      await waitGrowth(con, 6); // "spin\n" and a first dot: the guest runs
      replies.push(await vm.qmp.execute('query-status'));
      replies.push(await vm.qmp.execute('stop'));
      replies.push(await vm.qmp.execute('query-status'));
      // Stopped: no guest output for a while.
      const before = statSync(con).size;
      await new Promise((r) => setTimeout(r, 400));
      const stalled = statSync(con).size === before;
      replies.push(await vm.qmp.execute('cont'));
      await waitGrowth(con, before);
      replies.push(await vm.qmp.execute('system_reset'));
      // After the reset the program starts again and prints its banner a second time.
      const end = Date.now() + 20000;
      while ((readFileSync(con, 'latin1').match(/spin/g) ?? []).length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      replies.push(await vm.qmp.execute('query-status'));
      const code = await vm.stop();
      const text = readFileSync(con, 'latin1');
      return { code, stalled, replies, events: events(vm), banners: (text.match(/spin\n/g) ?? []).length };
    }));
    const [qemu, ours] = results as [typeof results[0], typeof results[0]];
    assert.deepEqual(qemu.replies, [
      { running: true, singlestep: false, status: 'running' }, {},
      { running: false, singlestep: false, status: 'paused' }, {}, {},
      { running: true, singlestep: false, status: 'running' },
    ]);
    assert.equal(qemu.stalled, true);
    assert.equal(qemu.banners, 2);
    // On a reboot SeaBIOS resets the machine once more by itself (guest-reset RESETs); we have no firmware.
    const firmware = (e: Json): boolean => JSON.stringify(e) === JSON.stringify({ event: 'RESET', data: { guest: true, reason: 'guest-reset' } });
    assert.deepEqual(qemu.events.filter((e) => !firmware(e)), [
      { event: 'STOP' }, { event: 'RESUME' }, { event: 'RESET', data: { guest: false, reason: 'host-qmp-system-reset' } },
      { event: 'SHUTDOWN', data: { guest: false, reason: 'host-qmp-quit' } },
    ]);
    assert.deepEqual(ours, { ...qemu, events: qemu.events.filter((e) => !firmware(e)) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** utime + stime of a process, in seconds (/proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

test('an idle guest (HLT with IF=1, nothing pending) costs next to no host CPU', async () => {
  const { elf, dir } = buildProgram('loop-idle');
  try {
    const con = join(dir, 'ours');
    const vm = await startWithQmp(TSQEMU, [...BASE, '-kernel', elf, '-debugcon', `file:${con}`]);
    await waitGrowth(con, 4);
    const c0 = cpuSeconds(vm.proc.pid!);
    await new Promise((r) => setTimeout(r, 3000));
    const used = cpuSeconds(vm.proc.pid!) - c0;
    assert.deepEqual(await vm.qmp.execute('query-status'), { running: true, singlestep: false, status: 'running' });
    await vm.stop();
    assert.equal(readFileSync(con, 'latin1'), 'idle\n');
    assert.ok(used < 0.1, `the idle guest used ${used} s of CPU in 3 s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-no-shutdown -no-reboot: a triple fault leaves the VM in the shutdown state; cont, system_reset and quit as QEMU 7.2', async () => {
  const { elf, dir } = buildProgram('loop-triple');
  try {
    const results = await Promise.all(BINARIES.map(async ([tag, bin]) => {
      const vm = await startWithQmp(bin, [...BASE, '-S', '-no-shutdown', '-no-reboot', '-kernel', elf, '-debugcon', `file:${join(dir, tag)}`]);
      await vm.qmp.execute('cont');
      const end = Date.now() + 20000;
      let status: Json = null;
      while (Date.now() < end) {
        status = await vm.qmp.execute('query-status');
        if ((status as { status: string }).status === 'shutdown') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const cont = await vm.qmp.command('cont');
      const reset = await vm.qmp.command('system_reset');
      await new Promise((r) => setTimeout(r, 200));
      const after = await vm.qmp.execute('query-status');
      const code = await vm.stop();
      return { status, cont, reset, after, code, events: events(vm) };
    }));
    const [qemu, ours] = results as [typeof results[0], typeof results[0]];
    assert.deepEqual(qemu.status, { running: false, singlestep: false, status: 'shutdown' });
    assert.deepEqual(qemu.cont, { error: { class: 'GenericError', desc: 'Resetting the Virtual Machine is required' } });
    assert.deepEqual(qemu.events.map((e) => (e as { event: string }).event), ['RESUME', 'SHUTDOWN', 'STOP', 'SHUTDOWN', 'SHUTDOWN']);
    assert.deepEqual(ours, qemu);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HMP on a socket answers while the guest runs: info status, stop, cont, byte for byte as QEMU 7.2', async () => {
  const { elf, dir } = buildProgram('loop-spin');
  try {
    const results = await Promise.all(BINARIES.map(async ([tag, bin]) => {
      const con = join(dir, `${tag}.con`);
      const vm = spawnQemu([...BASE, '-kernel', elf, '-debugcon', `file:${con}`, '-monitor', 'unix:@DIR@/hmp.sock,server=on,wait=off'], bin);
      try {
        const sock = join(vm.dir, 'hmp.sock');
        await waitForFile(sock, 20000);
        const c = await RawClient.connect(sock);
        await c.waitFor((d) => d.endsWith('(qemu) '), 20000);
        const transcript = [c.take().replace(/QEMU \d+\.\d+\.\d+ monitor/, 'QEMU x.y.z monitor')];
        await waitGrowth(con, 5); // the guest runs
        for (const line of ['info status\r', 'stop\r', 'info status\r', 'cont\r', 'info status\r']) {
          c.write(line);
          await c.waitFor((d) => d.endsWith('(qemu) '), 20000);
          transcript.push(c.take());
        }
        c.close();
        return transcript;
      } finally {
        await vm.kill();
      }
    }));
    const [qemu, ours] = results;
    assert.ok(qemu!.some((t) => t.includes('VM status: running')) && qemu!.some((t) => t.includes('VM status: paused')), JSON.stringify(qemu));
    assert.deepEqual(ours, qemu);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
