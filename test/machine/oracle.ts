/*
 * Runs the oracle, QEMU 7.2, for the machine tests: `qemu-system-x86_64 ARGS -S
 * -qmp stdio`, sends QMP commands, and returns the replies, the exit code and
 * stderr.  A start-up error (exit before QMP) gives its stderr and code, which
 * is what the error-message tests compare.  A missing binary fails the test.
 */
import { spawn, spawnSync } from 'node:child_process';

export const QEMU = 'qemu-system-x86_64';

export interface OracleResult {
  code: number | null;
  stderr: string;
  /** The `return` (or `error`) of each command, in order. */
  replies: unknown[];
}

export function requireQemu(): void {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0 || !/QEMU emulator version 7\.2/.test(r.stdout)) {
    throw new Error(`the oracle ${QEMU} 7.2 is required for this test (got: ${r.error?.message ?? r.stdout})`);
  }
}

export function runQemu(args: string[], commands: Array<[string, Record<string, unknown>?]>): Promise<OracleResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(QEMU, [...args, '-S', '-display', 'none', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => (out += d));
    proc.stderr.on('data', (d: string) => (err += d));
    proc.on('error', reject);
    const lines = [{ execute: 'qmp_capabilities' }, ...commands.map(([execute, a]) => (a ? { execute, arguments: a } : { execute })), { execute: 'quit' }];
    proc.stdin.on('error', () => { /* QEMU may exit before reading */ });
    proc.stdin.end(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60000);
    proc.on('close', (code) => {
      clearTimeout(timer);
      const msgs = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
      const replies = msgs.filter((m) => 'return' in m || 'error' in m).map((m) => ('return' in m ? m.return : { error: m.error }));
      // Drop the replies to qmp_capabilities and quit.
      resolve({ code, stderr: err, replies: replies.slice(1, 1 + commands.length) });
    });
  });
}

/** Runs `fn` over `items` with at most `n` at a time. */
export async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** QEMU's stderr with our program name, for comparing messages. */
export function asTsqemu(stderr: string): string {
  return stderr.replace(/^qemu-system-x86_64: /gm, 'tsqemu-system-x86_64: ');
}

/** keyval_parse() for the simple option strings of these tests: "v,k=v,..." with an implied first key. */
export function simpleKeyval(text: string, implied: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(',').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0 && i === 0) out[implied] = part;
    else out[part.slice(0, eq)] = part.slice(eq + 1);
  });
  return out;
}
