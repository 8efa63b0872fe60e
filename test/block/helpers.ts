/* Shared helpers for the block tests: the qemu-img oracle, temp dirs, a deterministic PRNG. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a host tool; a missing tool fails the test loudly. */
export function run(cmd: string, args: string[], cwd?: string): RunResult {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message} (the oracle must be installed)`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function qemuImg(args: string[], cwd?: string): RunResult {
  return run('qemu-img', args, cwd);
}

export function qemuIo(args: string[], cwd?: string): RunResult {
  const r = run('qemu-io', args, cwd);
  if (r.status !== 0 || /error|failed/i.test(r.stderr + r.stdout)) {
    throw new Error(`qemu-io ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  }
  return r;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const TSQEMU_IMG = join(root, 'bin', 'tsqemu-img');

export function tsqemuImg(args: string[], cwd?: string): RunResult {
  return run(process.execPath, [TSQEMU_IMG, ...args], cwd);
}

/** Makes qemu-img's and our messages comparable: the program name is the only difference. */
export function normalize(s: string): string {
  return s.replace(/\btsqemu-img\b/g, 'qemu-img');
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-block-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** xorshift32: reproducible pseudo-random sequences for the I/O patterns. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}
