/*
 * Differential test of the x87 FPU and the FPU/SSE state instructions against the host CPU:
 * every instruction form from random FPU states (all classes of operands, every rounding and
 * precision control, masked and unmasked exceptions, empty and full stacks), random sequences,
 * and the 0F AE group.  The host runs the bytes natively (native.c); our CPU runs the same bytes;
 * the final FXSAVE image, the memory operands, RAX and the arithmetic flags must match.
 *
 * Masked (documented in docs/x87.md): FXSAVE bytes 6-23 (FOP, FIP, FCS, FDP, FDS: QEMU stores
 * zeros and keeps no FOP; the host keeps its own) and 28-31 (MXCSR_MASK: QEMU's 0x0000ffff, the
 * host's own), the same pointer fields of FNSTENV/FNSAVE
 * images and the reserved high halves of their 32-bit FCW/FSW/FTW fields (QEMU stores 0,
 * the host 0xffff), and, for the transcendentals, results within 1 ulp and C1 (docs/softfloat.md).
 * The coverage report is written to dist/test/x87/coverage.txt; the test fails if a form our
 * decoder implements was not exercised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Decoder, Insn, Op } from '../../src/target/i386/tcg/decode.js';
import { X87_ILLEGAL, X87_STATE } from '../../src/target/i386/tcg/decode-x87.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import {
  seed, rnd, allForms, formBytes, newData, makeCase, formKeyMem, formKeyReg, OUT, MEM, RAX_OUT, FLAGS_OUT, XAREA,
  BODY_OFFSET, type Case, type Form,
} from './cases.js';
import { stateCases } from './state-cases.js';
import { Ours, type Result } from './ours.js';
import { runNative } from './native.js';

const SINGLE = Number(process.env.X87_CASES ?? 110);
const SEQUENCES = Number(process.env.X87_SEQS ?? 2500);

/** The forms our decoder implements, as coverage keys (enumerated, not taken from the table). */
function implementedForms(ours: Ours): Set<string> {
  const keys = new Set<string>();
  const dec = new Decoder(ours.cpu.mmu);
  const insn = new Insn();
  const at = 0x8000;
  const tryBytes = (bytes: number[]): boolean => {
    ours.as.loadBlob(at, Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0]));
    ours.cpu.mmu.tlbFlush();
    dec.decode(insn, 0, at, 8);
    return insn.op === Op.X87 && insn.sub !== X87_ILLEGAL;
  };
  for (let op = 0xd8; op <= 0xdf; op++) {
    for (let reg = 0; reg < 8; reg++) {
      if (tryBytes([op, 0x80 | (reg << 3) | 3, 0, 0, 0, 0])) {
        keys.add(formKeyMem(op, reg));
        // FLDENV, FNSTENV, FRSTOR, FNSAVE have a 16-bit layout under 66.
        if ((op === 0xd9 || op === 0xdd) && (reg === 4 || reg === 6)) keys.add(formKeyMem(op, reg, '66 '));
      }
    }
    for (let modrm = 0xc0; modrm < 0x100; modrm++) if (tryBytes([op, modrm])) keys.add(formKeyReg(op, modrm));
  }
  if (tryBytes([0x9b])) keys.add('9b');
  for (let reg = 0; reg < 7; reg++) {
    for (const w of [false, true]) {
      if (w && reg > 1) continue;
      if (tryBytes([...(w ? [0x48] : []), 0x0f, 0xae, 0x80 | (reg << 3) | 3, 0, 0, 0, 0]) && insn.sub === X87_STATE + reg) {
        keys.add(`${w ? '48 ' : ''}0fae/${reg} m`);
      }
    }
  }
  return keys;
}

/** Forms that store the status word or a register to memory (other than the 'store' kind). */
const STORES = new Set(['df e0', 'd9/6 m', '66 d9/6 m', 'dd/6 m', '66 dd/6 m', 'df/6 m']);

function generate(): Case[] {
  const forms = allForms();
  const cases: Case[] = [];
  seed(Number(process.env.X87_SEED ?? 1));
  for (const f of forms) {
    const n = f.approx ? Math.ceil(SINGLE / 2) : SINGLE;
    for (let k = 0; k < n; k++) {
      const data = newData({ unmasked: 0.3, tags: rnd(2) ? 'random' : 'natural' });
      cases.push(makeCase(f.key, formBytes(f, data), data, f.approx === true, [f.key]));
    }
  }
  const seqForms = forms.filter((f: Form) => !f.noSeq);
  for (let k = 0; k < SEQUENCES; k++) {
    const data = newData({ unmasked: 0, tags: rnd(2) ? 'random' : 'natural' });
    const len = 2 + rnd(5);
    const body: number[] = [];
    const keys: string[] = [];
    let approx = false;
    for (let i = 0; i < len; i++) {
      let f = seqForms[rnd(seqForms.length)];
      // After a transcendental (compared within 1 ulp, C1 not compared) no form stores to memory.
      while (approx && (STORES.has(f.key) || f.mem === 'store')) f = seqForms[rnd(seqForms.length)];
      body.push(...formBytes(f, data));
      keys.push(f.key);
      approx ||= f.approx === true;
    }
    cases.push(makeCase(`seq ${keys.join(', ')}`, body, data, approx, keys));
  }
  cases.push(...stateCases(60));
  return cases;
}

const hex = (b: Uint8Array, o: number, n: number): string =>
  Array.from(b.subarray(o, o + n), (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The floatx80 at image offset o as [sign, key]: for normal numbers, consecutive values have
 * consecutive keys (also across a power of two), so |key difference| is the distance in ulps.
 */
function x80(b: Uint8Array, o: number): [number, bigint] {
  let sig = 0n;
  for (let i = 7; i >= 0; i--) sig = (sig << 8n) | BigInt(b[o + i]);
  const se = b[o + 8] | (b[o + 9] << 8);
  return [se >> 15, BigInt(se & 0x7fff) * (1n << 63n) + (sig & ((1n << 63n) - 1n))];
}

/** Data offsets not compared for a case: pointer fields of FNSTENV/FNSAVE images it stored. */
function pointerMasks(tc: Case): Set<number> {
  const skip = new Set<number>();
  // Find env stores in the body: D9 /6 and DD /6 with mod=10 rm=rbx.
  const code = tc.code;
  for (let i = BODY_OFFSET; i + 5 < code.length; i++) {
    const op = code[i], modrm = code[i + 1];
    if ((op === 0xd9 || op === 0xdd) && (modrm & 0xc7) === 0x83 && ((modrm >> 3) & 7) === 6) {
      const w = code[i - 1] === 0x66 ? 2 : 4;
      const disp = code[i + 2] | (code[i + 3] << 8);
      for (let k = 3 * w; k < 7 * w; k++) skip.add(disp + k);
      // The reserved high halves of the 32-bit FCW/FSW/FTW fields: QEMU writes 0, the host 0xffff.
      if (w === 4) for (const k of [2, 3, 6, 7, 10, 11]) skip.add(disp + k);
    }
  }
  return skip;
}

/**
 * Save-area bytes not compared: FOP, FIP, FCS, FDP, FDS (6-23: QEMU stores zeros and keeps no
 * FOP), MXCSR_MASK (28-31: QEMU's 0x0000ffff, the host's own) and bytes 10-15 of each ST slot
 * (reserved: QEMU leaves them, the host writes zeros).
 */
function reservedByte(b: number): boolean {
  return (b >= 6 && b < 24) || (b >= 28 && b < 32) || (b >= 32 && b < 160 && (b & 15) >= 10);
}

function compare(tc: Case, host: Result, ours: Result): string | null {
  if (host.signo !== ours.signo || host.offset !== ours.offset) {
    return `signal host ${host.signo}@${host.offset} ours ${ours.signo}@${ours.offset}`;
  }
  if (host.signo !== 0) return null;
  const h = host.data, o = ours.data;
  const diffs: string[] = [];
  for (let b = 0; b < 512; b++) {
    if (reservedByte(b)) continue;
    let hv = h[OUT + b], ov = o[OUT + b];
    if (tc.approx && b === 3) { hv &= ~2; ov &= ~2; } // C1
    if (hv === ov) continue;
    if (tc.approx && b >= 32 && b < 160) {
      const r = (b - 32) >> 4;
      const a = OUT + 32 + 16 * r;
      const [hs, hm] = x80(h, a), [os, om] = x80(o, a);
      const d = hm > om ? hm - om : om - hm;
      if (hs === os && d <= 1n) continue;
    }
    diffs.push(`fxsave[${b}] host ${hv.toString(16)} ours ${ov.toString(16)}`);
    break;
  }
  const skip = pointerMasks(tc);
  for (let b = MEM; b < MEM + 256; b++) {
    if (!skip.has(b) && h[b] !== o[b]) { diffs.push(`mem[+${b - MEM}] host ${h[b].toString(16)} ours ${o[b].toString(16)}`); break; }
  }
  for (let b = XAREA; b < XAREA + 576; b++) {
    if (b < XAREA + 512 && reservedByte(b - XAREA)) continue;
    if (h[b] !== o[b]) { diffs.push(`xarea[${b - XAREA}] host ${h[b].toString(16)} ours ${o[b].toString(16)}`); break; }
  }
  if (hex(h, RAX_OUT, 8) !== hex(o, RAX_OUT, 8)) diffs.push(`rax host ${hex(h, RAX_OUT, 8)} ours ${hex(o, RAX_OUT, 8)}`);
  const hf = (h[FLAGS_OUT] | (h[FLAGS_OUT + 1] << 8)) & 0x8d5, of = (o[FLAGS_OUT] | (o[FLAGS_OUT + 1] << 8)) & 0x8d5;
  if (hf !== of) diffs.push(`eflags host ${hf.toString(16)} ours ${of.toString(16)}`);
  if (diffs.length === 0) return null;
  return `${diffs.join('; ')}\n  in  fxsave ${hex(tc.data, 0, 32)} st ${[0, 1, 2, 3, 4, 5, 6, 7].map((i) => hex(tc.data, 32 + 16 * i, 10)).join(' ')}` +
    `\n  out fsw host ${hex(h, OUT, 6)} ours ${hex(o, OUT, 6)}; st0 host ${hex(h, OUT + 32, 10)} ours ${hex(o, OUT + 32, 10)}; st1 host ${hex(h, OUT + 48, 10)} ours ${hex(o, OUT + 48, 10)}` +
    `\n  code ${hex(tc.code, BODY_OFFSET, tc.code.length - BODY_OFFSET - 22)}`;
}

test('x87 and FPU/SSE state instructions match the host CPU bit for bit', () => {
  // XSAVE and XSAVEOPT (CPUID.01H:ECX[26], CPUID.(0DH,1):EAX[0]) are tested whether or not
  // TCG_FEATURES advertises them.
  const features = { ...TCG_FEATURES };
  features.FEAT_1_ECX = (features.FEAT_1_ECX ?? 0) | (1 << 26);
  features.FEAT_XSAVE = (features.FEAT_XSAVE ?? 0) | 1;
  const ours = new Ours(features);
  const implemented = implementedForms(ours);
  const cases = generate();
  const host = runNative(cases);
  const count = new Map<string, number>();
  const fails = new Map<string, { n: number; first: string }>();
  for (let i = 0; i < cases.length; i++) {
    const tc = cases[i];
    const r = ours.run(tc);
    for (const k of tc.forms) count.set(k, (count.get(k) ?? 0) + 1);
    const msg = compare(tc, host[i], r);
    if (msg !== null) {
      const key = tc.forms.length === 1 ? tc.forms[0] : 'sequences';
      const f = fails.get(key);
      if (f === undefined) fails.set(key, { n: 1, first: `${tc.name}: ${msg}` });
      else f.n++;
    }
  }
  const missing = [...implemented].filter((k) => (count.get(k) ?? 0) === 0);
  const lines = [`x87 differential test: ${cases.length} cases against the host CPU`, ''];
  for (const k of [...implemented].sort()) lines.push(`${k.padEnd(14)} ${String(count.get(k) ?? 0).padStart(6)} cases${fails.has(k) ? `  ${fails.get(k)!.n} FAILED` : ''}`);
  lines.push('', `not exercised: ${missing.length === 0 ? 'none' : missing.join(', ')}`);
  mkdirSync('dist/test/x87', { recursive: true });
  writeFileSync('dist/test/x87/coverage.txt', lines.join('\n') + '\n');
  const report = [...fails].map(([k, f]) => `${k} (${f.n} failing): ${f.first}`).join('\n');
  assert.equal(fails.size, 0, `mismatches:\n${report}`);
  assert.deepEqual(missing, [], 'implemented forms not exercised');
});
