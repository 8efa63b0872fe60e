/*
 * A small QMP client for tests: talks to real QEMU 7.2 (the oracle) and to
 * tsqemu alike, over a unix socket.  One JSON object per line each way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class QmpClient {
  greeting: Json = null;
  readonly events: Json[] = [];
  private buf = '';
  private waiters: Array<(msg: { [k: string]: Json }) => void> = [];
  private greetingWaiter: ((g: Json) => void) | undefined;

  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
  }

  static async connect(path: string, timeoutMs = 20000): Promise<QmpClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<Socket>((res, rej) => {
          const s = createConnection(path);
          s.once('connect', () => res(s));
          s.once('error', rej);
        });
        const c = new QmpClient(sock);
        await new Promise<void>((res) => {
          if (c.greeting) res();
          else c.greetingWaiter = () => res();
        });
        return c;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { [k: string]: Json };
      if ('QMP' in msg) {
        this.greeting = msg;
        this.greetingWaiter?.(msg);
      } else if ('event' in msg) this.events.push(msg);
      else this.waiters.shift()?.(msg);
    }
  }

  /** Sends one command; resolves with the whole reply ({return} or {error}). */
  command(execute: string, args?: { [k: string]: Json }): Promise<{ [k: string]: Json }> {
    return new Promise((res) => {
      this.waiters.push(res);
      this.sock.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n');
    });
  }

  /** Sends a command and returns its `return` value, throwing on an error reply. */
  async execute(execute: string, args?: { [k: string]: Json }): Promise<Json> {
    const r = await this.command(execute, args);
    if ('error' in r) throw new Error(`${execute}: ${JSON.stringify(r.error)}`);
    return r.return ?? null;
  }

  close(): void {
    this.sock.destroy();
  }
}

export interface VmProcess {
  proc: ChildProcess;
  qmp: QmpClient;
  stderr: () => string;
  /** quits over QMP (or kills) and waits for the exit; returns the exit code. */
  stop: () => Promise<number | null>;
}

/**
 * Starts `binary args… -qmp unix:SOCK,server=on,wait=off` and connects.  Used with
 * `qemu-system-x86_64` (oracle) and `bin/tsqemu-system-x86_64` alike.
 */
export async function startWithQmp(binary: string, args: string[]): Promise<VmProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-qmp-'));
  const sockPath = join(dir, 'qmp.sock');
  const proc = spawn(binary, [...args, '-qmp', `unix:${sockPath},server=on,wait=off`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (err += d));
  proc.stdout!.resume();
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  const deadline = Date.now() + 20000;
  while (!existsSync(sockPath)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await exited;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${binary} did not open QMP: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const failed = exited.then((code) => {
    throw new Error(`${binary} exited with ${code} before QMP answered: ${err}`);
  });
  const qmp = await Promise.race([QmpClient.connect(sockPath), failed]);
  await Promise.race([qmp.execute('qmp_capabilities'), failed]);
  failed.catch(() => undefined);
  return {
    proc,
    qmp,
    stderr: () => err,
    stop: async () => {
      try {
        await qmp.command('quit');
      } catch {
        /* the process may already be gone */
      }
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(t);
      qmp.close();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
