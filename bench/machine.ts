/*
 * Process-level benchmarks of a paused machine (-S): start-up time to the QMP monitor, idle host
 * CPU, and resident memory.  The same command line runs on tsqemu and on QEMU 7.2.
 *
 * Start-up is measured twice: to the QMP greeting, and to the reply of the first command
 * (`query-status`, which must say "prelaunch").  QEMU 7.2 accepts QMP clients and sends the
 * greeting from its monitor I/O thread, possibly before the board exists; commands are answered by
 * the main loop only, i.e. once start-up is complete.  So the reply is the comparable figure.
 */
import { spawn } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TSQEMU = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tsqemu-system-x86_64');

/*
 * The seed's machine line (scripts/run-default.sh) in the subset QEMU 7.2 accepts: pc-i440fx-2.0
 * for the distribution's pc-i440fx-trusty, no +osxsave, -accel tcg on both sides.
 */
export function seedMachineArgs(dir: string, memMiB = 2048): string[] {
  return [
    '-accel', 'tcg', '-name', 'instance-00000024',
    '-machine', 'pc-i440fx-2.0,usb=off',
    '-cpu', 'SandyBridge,+erms,+smep,+fsgsbase,+pdpe1gb,+rdrand,+f16c,+dca,+pcid,+pdcm,+xtpr,+tm2,+est,+smx,+vmx,' +
      '+ds_cpl,+monitor,+dtes64,+pbe,+tm,+ht,+ss,+acpi,+ds,+vme',
    '-m', String(memMiB), '-smp', '1,sockets=1,cores=1,threads=1',
    '-rtc', 'base=utc,driftfix=slew',
    '-chardev', `file,id=charserial0,path=${join(dir, 'console.log')}`,
    '-S', '-display', 'none',
  ];
}

/** A started, paused machine with its QMP connection. */
export interface PausedMachine {
  pid: number;
  /** Spawn to the QMP greeting, ms. */
  greetingMs: number;
  /** Spawn to the reply of query-status ("prelaunch"), ms. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Spawns `bin` with `args` plus a QMP socket and waits until it answers query-status. */
export async function startPaused(bin: string, args: string[], dir: string, timeoutMs = 60000): Promise<PausedMachine> {
  const sock = join(dir, 'qmp.sock');
  const t0 = performance.now();
  const child = spawn(bin, [...args, '-qmp', `unix:${sock},server=on,wait=off`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  let exited = false;
  const exit = new Promise<void>((res) => child.once('exit', () => { exited = true; res(); }));
  try {
    const deadline = t0 + timeoutMs;
    const conn = await connectQmp(sock, () => exited, deadline);
    const greetingMs = (await conn.next(deadline)).at - t0;
    conn.send({ execute: 'qmp_capabilities' });
    conn.send({ execute: 'query-status' });
    await conn.next(deadline);
    const status = await conn.next(deadline);
    const readyMs = status.at - t0;
    const st = (status.msg.return as { status?: string } | undefined)?.status;
    if (st !== 'prelaunch') throw new Error(`${bin}: query-status says ${JSON.stringify(status.msg)}`);
    return {
      pid: child.pid!, greetingMs, readyMs,
      async stop() {
        conn.send({ execute: 'quit' });
        await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
        if (!exited) child.kill('SIGKILL');
        conn.sock.destroy();
      },
    };
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    throw new Error(`${bin} did not reach prelaunch: ${(e as Error).message}\n${stderr}`);
  }
}

interface Received { msg: { [k: string]: unknown }; at: number }

class QmpConn {
  private buf = '';
  private queue: Received[] = [];
  private waiter: ((r: Received) => void) | undefined;
  private failed: Error | undefined;
  private onFail: ((e: Error) => void) | undefined;

  constructor(readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      const at = performance.now();
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { [k: string]: unknown };
        if ('event' in msg) continue;
        const r = { msg, at };
        if (this.waiter) { const w = this.waiter; this.waiter = undefined; this.onFail = undefined; w(r); } else this.queue.push(r);
      }
    });
    const fail = (): void => {
      this.failed = new Error('QMP connection closed');
      this.onFail?.(this.failed);
    };
    sock.on('close', fail);
    sock.on('error', fail);
  }

  /** The next reply or greeting; rejects when the connection closes or at `deadline` (performance.now()). */
  next(deadline: number): Promise<Received> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error('timed out waiting for QMP')), Math.max(0, deadline - performance.now()));
      this.waiter = (x) => { clearTimeout(timer); res(x); };
      this.onFail = (e) => { clearTimeout(timer); rej(e); };
    });
  }

  send(cmd: object): void {
    this.sock.write(JSON.stringify(cmd) + '\n');
  }
}

/* Polls every 2 ms until the socket accepts a connection; gives up when the process exits. */
async function connectQmp(path: string, exited: () => boolean, deadline: number): Promise<QmpConn> {
  for (;;) {
    if (exited()) throw new Error('the process exited');
    if (performance.now() > deadline) throw new Error('timed out');
    try {
      const sock = await new Promise<Socket>((res, rej) => {
        const s = createConnection(path);
        s.once('connect', () => { s.removeAllListeners('error'); res(s); });
        s.once('error', rej);
      });
      return new QmpConn(sock);
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** utime + stime of a process, in seconds (/proc/<pid>/stat, clock ticks of 100 Hz). */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** VmRSS of a process in KiB. */
export function procRssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

export interface StartupResult { greetingMs: number[]; readyMs: number[] }

/** Starts and quits the paused seed machine `runs` times. */
export async function measureStartup(bin: string, runs: number): Promise<StartupResult> {
  const res: StartupResult = { greetingMs: [], readyMs: [] };
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'tsqemu-bench-'));
    try {
      const m = await startPaused(bin, seedMachineArgs(dir), dir);
      res.greetingMs.push(m.greetingMs);
      res.readyMs.push(m.readyMs);
      await m.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return res;
}

export interface IdleResult { cpuPercent: number; rssMiB: number; seconds: number }

/**
 * Host CPU of the paused seed machine over `seconds` (after `settleMs` to let start-up finish),
 * and its resident memory at the end.
 */
export async function measureIdle(bin: string, seconds: number, settleMs = 1000): Promise<IdleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-bench-'));
  try {
    const m = await startPaused(bin, seedMachineArgs(dir), dir);
    try {
      await new Promise((r) => setTimeout(r, settleMs));
      const c0 = procCpuSeconds(m.pid);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const c1 = procCpuSeconds(m.pid);
      const wall = (performance.now() - t0) / 1000;
      return { cpuPercent: ((c1 - c0) / wall) * 100, rssMiB: procRssKiB(m.pid) / 1024, seconds: wall };
    } finally {
      await m.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
