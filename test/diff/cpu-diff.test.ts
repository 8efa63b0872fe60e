/*
 * Differential test of the software CPU against the host CPU (architecture §8).
 *
 * Generates random instances of every instruction form in forms.ts (both 32-bit compatibility
 * mode and 64-bit mode), runs them natively through test/diff/harness.c (compiled with gcc
 * here) and on our CPU, and compares registers, flags (minus SDM-undefined ones), memory and
 * faults (by signal and faulting RIP).  Writes a coverage summary to dist/test/diff/coverage.txt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allForms } from './forms.js';
import { Gen, Rng, FLAGS_COMPARED } from './gen.js';
import { EmuRunner } from './emu.js';
import { IN_SIZE, OUT_SIZE, encodeCase, decodeResult, type TestCase, type TestResult } from './protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, '..', '..', '..', 'test', 'diff');
const PER_FORM = Number(process.env.TCG_DIFF_N ?? 60);
const SEED = Number(process.env.TCG_DIFF_SEED ?? 20261125);
/** Investigation knob: compare the SDM-undefined flags too (shows where we differ from this host's vendor). */
const ALL_FLAGS = process.env.TCG_DIFF_ALLFLAGS === '1';

function buildHarness(): string {
  const out = join(here, 'harness');
  const r = spawnSync('gcc', ['-O1', '-no-pie', '-o', out, join(srcDir, 'harness.c')], { encoding: 'utf8' });
  if (r.error) throw new Error(`gcc is required for the differential CPU test: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`);
  return out;
}

function runHost(harness: string, cases: TestCase[]): TestResult[] {
  const input = Buffer.alloc(cases.length * IN_SIZE);
  cases.forEach((tc, i) => encodeCase(tc, input, i * IN_SIZE));
  const r = spawnSync(harness, [], { input, maxBuffer: cases.length * OUT_SIZE + 1024 });
  if (r.status !== 0) throw new Error(`harness failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  const out: TestResult[] = [];
  for (let i = 0; i < cases.length; i++) out.push(decodeResult(r.stdout, i * OUT_SIZE));
  return out;
}

const hex = (v: bigint | number): string => '0x' + v.toString(16);

function compare(tc: TestCase, host: TestResult, emu: TestResult): string | null {
  const regMask = tc.mode === 64 ? 0xffffffffffffffffn : 0xffffffffn;
  const nregs = tc.mode === 64 ? 16 : 8;
  const problems: string[] = [];
  if (host.signo !== emu.signo) problems.push(`signal host ${host.signo} ours ${emu.signo}`);
  if (host.signo !== 0 && (host.rip & regMask) !== (emu.rip & regMask)) problems.push(`fault rip host ${hex(host.rip)} ours ${hex(emu.rip)}`);
  for (let r = 0; r < nregs; r++) {
    if (((tc.regMask ?? 0) >> r) & 1) continue;
    if ((host.regs[r] & regMask) !== (emu.regs[r] & regMask)) problems.push(`r${r} host ${hex(host.regs[r] & regMask)} ours ${hex(emu.regs[r] & regMask)}`);
  }
  const fm = BigInt(tc.flagMask);
  if ((host.flags & fm) !== (emu.flags & fm)) problems.push(`flags host ${hex(host.flags & fm)} ours ${hex(emu.flags & fm)} (mask ${hex(fm)})`);
  if (host.diffs.join() !== emu.diffs.join()) {
    problems.push(`memory host [${host.diffs.map((d) => hex(d)).join(' ')}] ours [${emu.diffs.map((d) => hex(d)).join(' ')}]`);
  }
  if (problems.length === 0) return null;
  const code = Array.from(tc.code, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const regs = tc.regs.slice(0, nregs).map((v, i) => `r${i}=${hex(v)}`).join(' ');
  return `${tc.name} [${tc.mode}-bit] ${code}\n  in: ${regs} flags=${hex(tc.flags)}\n  ${problems.join('\n  ')}`;
}

test('software CPU matches the host CPU on every covered instruction form', () => {
  const harness = buildHarness();
  const rng = new Rng(SEED);
  const cases: TestCase[] = [];
  for (const form of allForms()) {
    for (const mode of form.modes) {
      for (let i = 0; i < PER_FORM * (form.weight ?? 1); i++) {
        const g = new Gen(rng, mode);
        form.gen(g);
        if (ALL_FLAGS) g.flagMask = FLAGS_COMPARED;
        cases.push(g.toCase(form.name, rng.u32()));
      }
    }
  }
  const host = runHost(harness, cases);
  const emu = new EmuRunner();
  const failures: string[] = [];
  const coverage = new Map<string, { n: number; faults: number; fail: number }>();
  for (let i = 0; i < cases.length; i++) {
    const tc = cases[i];
    const key = `${tc.name} [${tc.mode}]`;
    const cov = coverage.get(key) ?? { n: 0, faults: 0, fail: 0 };
    coverage.set(key, cov);
    cov.n++;
    if (host[i].signo !== 0) cov.faults++;
    let msg: string | null;
    try {
      msg = compare(tc, host[i], emu.run(tc));
    } catch (e) {
      msg = `${tc.name} [${tc.mode}-bit] ${Array.from(tc.code, (b) => b.toString(16).padStart(2, '0')).join(' ')}: ${(e as Error).stack}`;
    }
    if (msg) { failures.push(msg); cov.fail++; }
  }
  const lines = [...coverage.entries()].map(([k, v]) => `${k.padEnd(48)} ${String(v.n).padStart(4)} cases ${String(v.faults).padStart(4)} faulting ${v.fail ? `${v.fail} FAILED` : ''}`);
  const summary = `differential CPU test: ${cases.length} cases, ${coverage.size} form/mode pairs, ${failures.length} mismatches\n${lines.join('\n')}\n`;
  mkdirSync(here, { recursive: true });
  writeFileSync(join(here, 'coverage.txt'), summary);
  console.log(`differential CPU test: ${cases.length} cases over ${coverage.size} form/mode pairs (summary in ${join(here, 'coverage.txt')})`);
  if (failures.length) console.log(failures.slice(0, 40).join('\n'));
  assert.equal(failures.length, 0, `${failures.length} mismatches with the host CPU (first: ${failures[0]})`);
});
