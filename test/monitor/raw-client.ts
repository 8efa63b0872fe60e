/*
 * Test helpers: a byte-level stream client (for QMP with malformed input, HMP
 * and mux escapes), and starting QEMU 7.2 with a monitor on a unix socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class RawClient {
  data = '';
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.data += d;
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static fromSocket(sock: Socket): RawClient {
    return new RawClient(sock);
  }

  static async connect(path: string, timeoutMs = 10000): Promise<RawClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const s = await new Promise<Socket>((res, rej) => {
          const c = createConnection(path);
          c.once('connect', () => res(c));
          c.once('error', rej);
        });
        return new RawClient(s);
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  /** Waits until `pred(data)` holds (or the peer closes), up to timeoutMs. */
  async waitFor(pred: (data: string) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.data)) {
      if (this.closed) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout; got ${JSON.stringify(this.data)}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  /** Takes everything received so far. */
  take(): string {
    const d = this.data;
    this.data = '';
    return d;
  }

  write(s: string): void {
    this.sock.write(s);
  }

  close(): void {
    this.sock.destroy();
  }
}

/** Lines of JSON received; waits for `n` non-event replies.  The raw text is appended to `raw` if given. */
export async function qmpExchange(c: RawClient, text: string, replies = 1, raw?: string[]): Promise<Array<Record<string, unknown>>> {
  c.take();
  c.write(text);
  const count = (d: string): number =>
    d.split('\n').filter((l) => l.trim() && !('event' in JSON.parse(l))).length;
  await c.waitFor((d) => d.endsWith('\n') && count(d) >= replies);
  const data = c.take();
  raw?.push(data);
  return data.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface Qemu {
  proc: ChildProcess;
  dir: string;
  stderr: () => string;
  exited: Promise<number | null>;
  kill: () => Promise<void>;
}

/** Spawns qemu-system-x86_64 (the oracle); fails loudly if it is missing. */
export function spawnQemu(args: string[], binary = 'qemu-system-x86_64'): Qemu {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-mon-'));
  const proc = spawn(binary, args.map((a) => a.replace(/@DIR@/g, dir)), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (err += d));
  proc.stdout!.resume();
  const exited = new Promise<number | null>((res, rej) => {
    proc.once('exit', (code) => res(code));
    proc.once('error', rej);
  });
  return {
    proc,
    dir,
    stderr: () => err,
    exited,
    kill: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited.catch(() => null);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitForFile(path: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
