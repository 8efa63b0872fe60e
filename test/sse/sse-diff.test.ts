/*
 * Differential test of the SSE/SSE2/SSE3/SSSE3/MMX implementation against the host CPU.
 *
 * Every form our decoder implements (gen.ts enumerates them through the decoder itself) gets
 * random instances run natively by test/sse/harness.c (built with gcc here) and on our CPU
 * from the same state; GPRs, RFLAGS, memory, faults (signal and RIP), MXCSR, the x87/MMX
 * registers, tags and status, and XMM0-15 must be identical.  RCPPS/RCPSS/RSQRTPS/RSQRTSS are
 * the exception: their precision is architectural (relative error <= 1.5 * 2^-12) but the
 * tables are vendor-specific, so their destination lanes are compared against that bound.
 * The coverage report goes to dist/test/sse/coverage.txt; a form never executed by the host
 * without #UD fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { implementedForms, undefinedForms, makeCase, Rng, type Form } from './gen.js';
import {
  EmuRunner, IN_SIZE, OUT_SIZE, encodeCase, decodeResult, FX_FCW, FX_FSW, FX_FTW, FX_MXCSR, FX_ST, FX_XMM,
  type SseCase, type SseResult,
} from './emu.js';

const here = dirname(fileURLToPath(import.meta.url));
const srcDir = join(here, '..', '..', '..', 'test', 'sse');
const PER_FORM = Number(process.env.SSE_DIFF_N ?? 80);
const SEED = Number(process.env.SSE_DIFF_SEED ?? 20261125);
const SIGILL = 4;
const SIGNAMES: Record<number, string> = { 0: 'completed', 4: 'SIGILL (#UD)', 8: 'SIGFPE (#XM/#MF)', 11: 'SIGSEGV (#GP/#PF)' };

function buildHarness(): string {
  const out = join(here, 'harness');
  const r = spawnSync('gcc', ['-O1', '-no-pie', '-o', out, join(srcDir, 'harness.c')], { encoding: 'utf8' });
  if (r.error) throw new Error(`gcc is required for the SSE differential test: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`gcc failed:\n${r.stderr}`);
  return out;
}

function runHost(harness: string, cases: SseCase[]): SseResult[] {
  const input = Buffer.alloc(cases.length * IN_SIZE);
  cases.forEach((tc, i) => encodeCase(tc, input, i * IN_SIZE));
  const r = spawnSync(harness, [], { input, maxBuffer: cases.length * OUT_SIZE + 1024 });
  if (r.status !== 0) throw new Error(`harness failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  const out: SseResult[] = [];
  for (let i = 0; i < cases.length; i++) out.push(decodeResult(r.stdout, i * OUT_SIZE));
  return out;
}

const hex = (v: bigint | number): string => '0x' + v.toString(16);
const bytesHex = (b: Uint8Array, off: number, n: number): string =>
  Array.from(b.subarray(off, off + n)).reverse().map((x) => x.toString(16).padStart(2, '0')).join('');

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** RCP/RSQRT lanes: equal, or both finite with relative difference within 2 * 1.5 * 2^-12 (or both tiny). */
function approxLaneOk(h: number, o: number): boolean {
  if (h === o) return true;
  u32[0] = h; const a = f32[0];
  u32[0] = o; const b = f32[0];
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  if (Math.abs(a) < 2 ** -125 && Math.abs(b) < 2 ** -125) return (h >>> 31) === (o >>> 31);
  return Math.abs(a - b) <= 3 * 2 ** -12 * Math.abs(a);
}

function compare(form: Form, tc: SseCase, host: SseResult, emu: SseResult): string | null {
  const problems: string[] = [];
  if (host.signo !== emu.signo) problems.push(`signal host ${host.signo} ours ${emu.signo}`);
  // Compatibility mode: only the low halves of RAX-RDI are architectural afterwards.
  const m = tc.mode === 64 ? 0xffffffffffffffffn : 0xffffffffn;
  if (host.signo !== 0 && (host.rip & m) !== (emu.rip & m)) problems.push(`fault rip host ${hex(host.rip)} ours ${hex(emu.rip)}`);
  for (let r = 0; r < (tc.mode === 64 ? 16 : 8); r++) {
    if ((host.regs[r] & m) !== (emu.regs[r] & m)) problems.push(`r${r} host ${hex(host.regs[r] & m)} ours ${hex(emu.regs[r] & m)}`);
  }
  const fm = 0xcd5n;
  if ((host.flags & fm) !== (emu.flags & fm)) problems.push(`flags host ${hex(host.flags & fm)} ours ${hex(emu.flags & fm)}`);
  if (host.diffs.join() !== emu.diffs.join()) {
    problems.push(`memory host [${host.diffs.map((d) => hex(d)).join(' ')}] ours [${emu.diffs.map((d) => hex(d)).join(' ')}]`);
  }
  const fields: [string, number, number][] = [['fcw', FX_FCW, 2], ['fsw', FX_FSW, 2], ['ftw', FX_FTW, 1], ['mxcsr', FX_MXCSR, 4]];
  for (let i = 0; i < 8; i++) fields.push([`st${i}`, FX_ST + 16 * i, 10]);
  const approx = form.escape.length === 1 && (form.op === 0x52 || form.op === 0x53);
  const dstXmm = approx ? tc.reg : -1;
  for (let i = 0; i < 16; i++) fields.push([`xmm${i}`, FX_XMM + 16 * i, 16]);
  for (const [name, off, n] of fields) {
    if (name === `xmm${dstXmm}` && host.signo === 0 && emu.signo === 0) {
      const hv = new DataView(host.fx.buffer, host.fx.byteOffset), ev = new DataView(emu.fx.buffer, emu.fx.byteOffset);
      for (let l = 0; l < 4; l++) {
        if (!approxLaneOk(hv.getUint32(off + 4 * l, true), ev.getUint32(off + 4 * l, true))) {
          problems.push(`${name} host ${bytesHex(host.fx, off, n)} ours ${bytesHex(emu.fx, off, n)} (beyond the RCP/RSQRT bound)`);
          break;
        }
      }
      continue;
    }
    for (let k = 0; k < n; k++) {
      if (host.fx[off + k] !== emu.fx[off + k]) {
        problems.push(`${name} host ${bytesHex(host.fx, off, n)} ours ${bytesHex(emu.fx, off, n)}`);
        break;
      }
    }
  }
  return problems.length ? problems.join('; ') : null;
}

function describe(tc: SseCase, host: SseResult): string {
  const dv = new DataView(tc.fx.buffer);
  return `${tc.mode}-bit, host signal ${host.signo} [${Array.from(tc.code).map((b) => b.toString(16).padStart(2, '0')).join(' ')}] mxcsr ${hex(dv.getUint32(FX_MXCSR, true))}`;
}

test('SSE/SSE2/SSE3/SSSE3/MMX forms match the host CPU', () => {
  const harness = buildHarness();
  const forms = implementedForms();
  assert.ok(forms.length > 300, `only ${forms.length} forms enumerated`);
  const rng = new Rng(SEED);
  const cases: SseCase[] = [];
  const formOf: Form[] = [];
  for (const form of forms) {
    for (let k = 0; k < PER_FORM; k++) {
      cases.push(makeCase(form, rng, cases.length));
      formOf.push(form);
    }
  }
  // Encodings that must raise #UD: undefined prefix/register/memory combinations, and LOCK.
  const invalid = [...undefinedForms(), ...forms.map((f) => ({ ...f, key: 'F0 ' + f.key, lock: true }))];
  const firstInvalid = cases.length;
  for (const form of invalid) {
    for (let k = 0; k < (form.lock ? 1 : 4); k++) {
      cases.push(makeCase(form, rng, cases.length));
      formOf.push(form);
    }
  }
  const host = runHost(harness, cases);
  const emu = new EmuRunner();
  const executed = new Map<string, number>();
  const failures: string[] = [];
  const failedForms = new Set<string>();
  const outcomes = new Map<number, number>();
  const hostDefined = new Set<string>();
  for (let i = 0; i < cases.length; i++) {
    const tc = cases[i];
    const ours = emu.run(tc);
    outcomes.set(host[i].signo, (outcomes.get(host[i].signo) ?? 0) + 1);
    if (i < firstInvalid && host[i].signo !== SIGILL) executed.set(tc.form, (executed.get(tc.form) ?? 0) + 1);
    if (i >= firstInvalid && host[i].signo !== SIGILL) hostDefined.add(tc.form);
    const p = compare(formOf[i], tc, host[i], ours);
    if (p) {
      const first = !failedForms.has(tc.form);
      failedForms.add(tc.form);
      if (first && failures.length < 60) failures.push(`${tc.form} ${describe(tc, host[i])}: ${p}`);
    }
  }
  const lines = forms.map((f) => `${(executed.get(f.key) ?? 0) > 0 ? 'exercised  ' : 'UNEXERCISED'} ${f.key.padEnd(22)} ${executed.get(f.key) ?? 0}/${PER_FORM}${failedForms.has(f.key) ? '  MISMATCH' : ''}`);
  const unexercised = forms.filter((f) => !executed.get(f.key));
  writeFileSync(join(here, 'coverage.txt'),
    `SSE differential test: ${forms.length} implemented forms, ${cases.length} cases, ` +
    `${unexercised.length} unexercised, ${failedForms.size} with mismatches; ` +
    `${invalid.length} undefined or LOCK-prefixed encodings checked for #UD (${cases.length - firstInvalid} cases)\n` +
    `host outcomes: ${[...outcomes].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${SIGNAMES[s] ?? 'signal ' + s} ${n}`).join(', ')}\n` + lines.join('\n') + '\n');
  assert.deepEqual(unexercised.map((f) => f.key), [], 'implemented forms the host never executed');
  assert.deepEqual([...hostDefined], [], 'encodings we treat as undefined that the host executes');
  assert.equal(failures.length, 0, `${failedForms.size} forms differ from the host:\n${failures.join('\n')}`);
});
