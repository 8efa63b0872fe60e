/*
 * x87 floatx80 operations against the host CPU: arithmetic under every precision and
 * rounding control, FPREM/FPREM1, FSCALE, FRNDINT, FXTRACT, compares, loads/stores of
 * float32/float64/int16/32/64/BCD, the FLD constants and FXAM: results, exception flags
 * and C0-C3, bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHarness, h32, hiOf, loOf, Tally, HOST_IS_AMD } from './oracle.js';
import { FloatStatus, relationToEflags } from '../../src/target/i386/tcg/softfloat/float-status.js';
import * as x from '../../src/target/i386/tcg/softfloat/floatx80.js';
import * as bcd from '../../src/target/i386/tcg/softfloat/bcd.js';

const h = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');
const fx = (se: number, hi: number, lo: number): string => h(se & 0xffff, 4) + h(hi, 8) + h(lo, 8);
/* A floatx80 token "SSSSHHHHHHHHLLLLLLLL" */
const se = (t: string): number => parseInt(t.slice(0, 4), 16);
const mh = (t: string): number => parseInt(t.slice(4, 12), 16) >>> 0;
const ml = (t: string): number => parseInt(t.slice(12, 20), 16) >>> 0;

/* The harness prints EFLAGS as ZF<<2 | PF<<1 | CF. */
function eflags(rel: number): number {
  const f = relationToEflags(rel);
  return ((f & 0x40) !== 0 ? 4 : 0) | ((f & 0x04) !== 0 ? 2 : 0) | (f & 1);
}

const PER_OP = 1500;

/** FPREM/FPREM1 partial reductions (C2 set) and FBLD of digits A-F. */
function isVendorSpecific(op: string, tok: string[]): boolean {
  if (op === 'fprem' || op === 'fprem1') return (parseInt(tok[tok.length - 1], 16) & 0x400) !== 0;
  if (op === 'fbld') return /[a-f]/.test(tok[2].slice(2));
  return false;
}

test('x87 operations match the host CPU bit for bit (all PC/RC settings)', () => {
  /* every op runs under all 16 PC/RC settings; only the arithmetic gets the full count for each */
  const lines = runHarness('x87', PER_OP, 2);
  const s = new FloatStatus();
  const t = new Tally();
  let vendorSpecific = 0;
  for (const line of lines) {
    const tok = line.split(' ');
    const op = tok[0];
    if (!HOST_IS_AMD && isVendorSpecific(op, tok)) { vendorSpecific++; continue; }
    s.setX87Control(h32(tok[1]));
    s.flags = 0;
    s.c1 = 0;
    const a = tok[2], b = tok[3];
    /* Words alternate between unsigned and signed (int16/int32) forms: the API accepts both. */
    const signed = (t.count.get(op) ?? 0) % 2 === 1;
    const w = (v: number): number => (signed ? v | 0 : v);
    const w16 = (v: number): number => (signed ? (v << 16) >> 16 : v);
    const aSe = w16(se(a)), aHi = w(mh(a)), aLo = w(ml(a));
    const bSe = w16(se(b)), bHi = w(mh(b)), bLo = w(ml(b));
    let cc = 0;
    let got: string;
    switch (op) {
      case 'fadd': x.floatx80_add(aSe, aHi, aLo, bSe, bHi, bLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fsub': x.floatx80_sub(aSe, aHi, aLo, bSe, bHi, bLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fmul': x.floatx80_mul(aSe, aHi, aLo, bSe, bHi, bLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fdiv': x.floatx80_div(aSe, aHi, aLo, bSe, bHi, bLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fsqrt': x.floatx80_sqrt(aSe, aHi, aLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fprem': cc = x.floatx80_rem(aSe, aHi, aLo, bSe, bHi, bLo, true, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fprem1': cc = x.floatx80_rem(aSe, aHi, aLo, bSe, bHi, bLo, false, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fscale': x.floatx80_scale(aSe, aHi, aLo, bSe, bHi, bLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'frndint': x.floatx80_round_to_int(aSe, aHi, aLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fcom': case 'fucom':
        cc = x.relationToSw(x.floatx80_compare(aSe, aHi, aLo, bSe, bHi, bLo, s, op === 'fucom'));
        /* FCOM leaves ST0 in place: the harness stores it back */
        got = a;
        break;
      case 'fcomi': case 'fucomi':
        got = h(eflags(x.floatx80_compare(aSe, aHi, aLo, bSe, bHi, bLo, s, op === 'fucomi')), 0);
        break;
      case 'fxtract':
        x.floatx80_xtract(aSe, aHi, aLo, s);
        got = fx(s.se, s.hi, s.lo) + ' ' + fx(s.se2, s.hi2, s.lo2);
        break;
      case 'flds': x.float32_to_floatx80(h32(a), s); got = fx(s.se, s.hi, s.lo); break;
      case 'fldl': x.float64_to_floatx80(hiOf(a), loOf(a), s); got = fx(s.se, s.hi, s.lo); break;
      case 'fildll': case 'fildl': case 'filds':
        x.int64_to_floatx80(hiOf(a), loOf(a), s); got = fx(s.se, s.hi, s.lo); break;
      case 'fldconst': x.floatx80_const(h32(a), s); got = fx(s.se, s.hi, s.lo); break;
      case 'fxam': cc = x.floatx80_examine(aSe, aHi, aLo, false); got = ''; break;
      case 'fbld': bcd.bcd_to_floatx80(aSe, aHi, aLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fbstp': bcd.floatx80_to_bcd(aSe, aHi, aLo, s); got = fx(s.se, s.hi, s.lo); break;
      case 'fsts': got = h(x.floatx80_to_float32(aSe, aHi, aLo, s), 8); break;
      case 'fstl': x.floatx80_to_float64(aSe, aHi, aLo, s); got = h(s.hi, 8) + h(s.lo, 8); break;
      default: {
        const m = /^fis(tt)?t?p?(s|l|ll)$/.exec(op);
        if (!m) throw new Error(`harness op not handled: ${op}`);
        const bits = m[2] === 's' ? 16 : m[2] === 'l' ? 32 : 64;
        x.floatx80_to_int(aSe, aHi, aLo, bits, m[1] === 'tt', s);
        got = h(s.hi, 8) + h(s.lo, 8);
      }
    }
    const sw = s.flags | (s.c1 ? x.SW_C1 : 0) | cc;
    const eq = tok.indexOf('=');
    t.check(op, line, got === '' ? h(sw, 0) : `${got} ${h(sw, 0)}`, tok.slice(eq + 1).join(' '));
  }
  console.log(`x87 cases compared per op: ${t.summary()}`);
  if (!HOST_IS_AMD) console.log(`host is not AMD: ${vendorSpecific} implementation-dependent cases not compared`);
  assert.equal(t.failures(), '', `mismatches against the host CPU:\n${t.failures()}`);
  for (const op of ['fadd', 'fsub', 'fmul', 'fdiv', 'fsqrt', 'fprem', 'fprem1', 'fscale', 'frndint', 'fcom',
    'fucom', 'fcomi', 'fucomi', 'fxtract', 'flds', 'fldl', 'fildll', 'fbld', 'fbstp', 'fsts', 'fstl', 'fists',
    'fistl', 'fistll', 'fisttps', 'fisttpl', 'fisttpll', 'fldconst', 'fxam']) {
    assert.ok((t.count.get(op) ?? 0) >= (op === 'fldconst' ? 112 : 4 * PER_OP), `too few ${op} cases`);
  }
});

test('x87 with UE or OE unmasked stores the exponent-biased result with the host flags', () => {
  const lines = runHarness('x87-unmasked', 250, 5);
  const s = new FloatStatus();
  const t = new Tally();
  let biased = 0;
  for (const line of lines) {
    const tok = line.split(' ');
    const op = tok[0];
    s.setX87Control(h32(tok[1]));
    s.flags = 0;
    s.c1 = 0;
    const a = tok[2], b = tok[3];
    const args = [se(a), mh(a), ml(a), se(b), mh(b), ml(b)] as const;
    switch (op) {
      case 'fadd': x.floatx80_add(...args, s); break;
      case 'fsub': x.floatx80_sub(...args, s); break;
      case 'fmul': x.floatx80_mul(...args, s); break;
      case 'fdiv': x.floatx80_div(...args, s); break;
      default: throw new Error(`harness op not handled: ${op}`);
    }
    const sw = s.flags | (s.c1 ? x.SW_C1 : 0);
    if ((parseInt(tok[tok.length - 1], 16) & 0x18) !== 0) biased++;
    t.check(op, line, `${fx(s.se, s.hi, s.lo)} ${h(sw, 0)}`, tok.slice(tok.indexOf('=') + 1).join(' '));
  }
  console.log(`x87 unmasked-UE/OE cases per op: ${t.summary()}; host underflows/overflows: ${biased}`);
  assert.equal(t.failures(), '', `mismatches against the host CPU:\n${t.failures()}`);
  assert.ok(biased > 2000, 'the operands exercise underflow and overflow');
});
