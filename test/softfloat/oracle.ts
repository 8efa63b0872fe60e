/*
 * Builds and runs the C oracle (harness.c) that executes the host CPU's SSE and x87
 * instructions.  gcc is required: without it the tests fail, they do not skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/* dist/test/softfloat/oracle.js -> test/softfloat/harness.c in the source tree */
const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, '..', '..', '..', 'test', 'softfloat', 'harness.c');

let binary: string | undefined;

export function buildHarness(): string {
  if (binary) return binary;
  if (!existsSync(SOURCE)) throw new Error(`oracle source missing: ${SOURCE}`);
  const dir = mkdtempSync(join(tmpdir(), 'softfloat-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'harness');
  const r = spawnSync('gcc', ['-O2', '-o', out, SOURCE, '-lm'], { encoding: 'utf8' });
  if (r.error) throw new Error(`gcc is required to build the host-CPU oracle: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gcc failed to build ${SOURCE}:\n${r.stderr}`);
  binary = out;
  return out;
}

/**
 * Run one suite of the oracle and return its output lines.  The seed is fixed so that
 * runs are reproducible; SF_SEED=<n> explores other operands.
 */
export function runHarness(suite: string, perOp: number, seed: number): string[] {
  const s = process.env.SF_SEED ? seed + 1000 * Number(process.env.SF_SEED) : seed;
  const r = spawnSync(buildHarness(), [suite, String(perOp), String(s)], {
    encoding: 'utf8', maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`harness ${suite} failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function h32(t: string): number {
  return parseInt(t, 16) >>> 0;
}
/** A 64-bit hex token as [hi, lo]. */
export function hiOf(t: string): number {
  return t.length > 8 ? parseInt(t.slice(0, t.length - 8), 16) >>> 0 : 0;
}
export function loOf(t: string): number {
  return parseInt(t.length > 8 ? t.slice(t.length - 8) : t, 16) >>> 0;
}
/** Format as printf's %llx does. */
export function hex64(hi: number, lo: number): string {
  return hi !== 0 ? (hi >>> 0).toString(16) + (lo >>> 0).toString(16).padStart(8, '0') : (lo >>> 0).toString(16);
}
export function hex32(v: number): string {
  return (v >>> 0).toString(16);
}

/** Per-op tally of compared cases and mismatches (the first few kept for the report). */
export class Tally {
  count = new Map<string, number>();
  bad = new Map<string, number>();
  samples: string[] = [];

  check(op: string, line: string, got: string, want: string): void {
    this.count.set(op, (this.count.get(op) ?? 0) + 1);
    if (got !== want) {
      const b = (this.bad.get(op) ?? 0) + 1;
      this.bad.set(op, b);
      if (b <= 3 && this.samples.length < 60) this.samples.push(`${line}   | ours: ${got}`);
    }
  }

  summary(): string {
    const parts: string[] = [];
    for (const [op, n] of [...this.count].sort()) {
      const b = this.bad.get(op);
      parts.push(b ? `${op}:${n}(${b} BAD)` : `${op}:${n}`);
    }
    return parts.join(' ');
  }

  failures(): string {
    return this.samples.join('\n');
  }
}

/**
 * Where the SDM leaves a result implementation-dependent (FPREM's partial-reduction step,
 * FBLD of digits A-F, F2XM1/FYL2XP1 outside their domains), the library follows AMD
 * (measured on Zen 3).  Those cases are compared only when the host is an AMD CPU.
 */
export const HOST_IS_AMD = /^vendor_id\s*:\s*AuthenticAMD/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
