/*
 * The host CPU as the third side of the CPU benchmark, and the oracle of what the kernel computes:
 * builds bench/native-harness.c with gcc (once per process) and runs the 32-bit kernel in it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL32, kernelData, type KernelResult } from './kernel32.js';

/* Compiled to dist/bench/; the C source stays in bench/. */
const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'native-harness.c');

let harness: string | undefined;

function buildHarness(): string {
  if (harness) return harness;
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-bench-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'native-harness');
  const r = spawnSync('gcc', ['-O1', '-no-pie', '-o', out, SOURCE], { encoding: 'utf8' });
  if (r.error) throw new Error(`gcc is needed for the native benchmark: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gcc failed on ${SOURCE}:\n${r.stderr}`);
  harness = out;
  return out;
}

export interface NativeRun extends KernelResult {
  seconds: number;
  cpuSeconds: number;
}

function blob(b: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length);
  return Buffer.concat([len, b]);
}

/** Runs `passes` passes of the 32-bit kernel on the host CPU. */
export function runKernel32Native(passes: number): NativeRun {
  return runNative32(KERNEL32, kernelData(passes));
}

/**
 * Runs 32-bit code (loaded at 0x100000, the harness appends the way back) with `data` at 0x108000
 * on the host CPU; EAX/EDX/EBP at the end, and the 1 KiB at 0x118000 as `sorted`.
 */
export function runNative32(code: Uint8Array, data: Uint8Array): NativeRun {
  const input = Buffer.concat([blob(code), blob(data)]);
  const r = spawnSync(buildHarness(), [], { input, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`native harness exited with ${r.status ?? r.signal}: ${r.stderr}`);
  const [eax, edx, ebp, wallNs, cpuNs, sorted] = r.stdout.trim().split(' ');
  return {
    eax: Number(eax), edx: Number(edx), ebp: Number(ebp),
    sorted: Uint8Array.from(Buffer.from(sorted, 'hex')),
    seconds: Number(wallNs) / 1e9,
    cpuSeconds: Number(cpuNs) / 1e9,
  };
}
