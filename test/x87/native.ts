/* Builds and runs the host oracle (native.c) on a batch of cases. */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_SIZE, type Case } from './cases.js';
import type { Result } from './ours.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The C source (test/x87/native.c), found from dist/test/x87 or test/x87. */
function source(): string {
  for (const p of [join(here, 'native.c'), join(here, '../../../test/x87/native.c')]) if (existsSync(p)) return p;
  throw new Error('test/x87/native.c not found');
}

let binary: string | null = null;

export function buildNative(): string {
  if (binary !== null) return binary;
  const out = join(mkdtempSync(join(tmpdir(), 'x87-')), 'native');
  // Fails loudly (ENOENT) when gcc is missing: the oracle is required.
  execFileSync('gcc', ['-O1', '-no-pie', '-o', out, source()], { stdio: 'pipe' });
  binary = out;
  return out;
}

export function runNative(cases: Case[]): Result[] {
  const parts: Buffer[] = [];
  for (const c of cases) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(c.code.length);
    parts.push(len, Buffer.from(c.code), Buffer.from(c.data));
  }
  const r = spawnSync(buildNative(), [], { input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`native oracle failed: status ${r.status} ${r.stderr}`);
  const out = r.stdout;
  const rec = 16 + DATA_SIZE;
  if (out.length !== rec * cases.length) throw new Error(`native oracle: ${out.length} bytes for ${cases.length} cases`);
  const res: Result[] = [];
  for (let i = 0; i < cases.length; i++) {
    const o = i * rec;
    res.push({ signo: out.readUInt32LE(o), offset: Number(out.readBigUInt64LE(o + 8)), data: new Uint8Array(out.subarray(o + 16, o + rec)) });
  }
  return res;
}
