/*
 * x87 transcendentals against the host CPU under all four rounding modes (64-bit
 * precision control, and 53-bit with fewer cases: PC does not apply to them).  The host's
 * internal algorithm is not public; ours rounds a ~106-bit value once, so the test
 * reports how many results are bit-identical and asserts the documented bounds: every
 * result within ULP_BOUND units in the last place of the host's, the same exception
 * flags and C2 (C1 is not compared: it reflects the host's internal rounding), and a
 * bit-exact share of at least EXACT_SHARE per op.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHarness, h32, HOST_IS_AMD } from './oracle.js';
import { FloatStatus } from '../../src/target/i386/tcg/softfloat/float-status.js';
import * as t from '../../src/target/i386/tcg/softfloat/x87-transcendental.js';
import { SW_C1 } from '../../src/target/i386/tcg/softfloat/floatx80.js';

const h = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');
const fx = (se: number, hi: number, lo: number): string => h(se & 0xffff, 4) + h(hi, 8) + h(lo, 8);
const se = (t: string): number => parseInt(t.slice(0, 4), 16);
const mh = (t: string): number => parseInt(t.slice(4, 12), 16) >>> 0;
const ml = (t: string): number => parseInt(t.slice(12, 20), 16) >>> 0;

/* Position of a floatx80 on the number line in ulps (normal and denormal encodings). */
function ordinal(tok: string): bigint {
  const e = BigInt(se(tok) & 0x7fff);
  const m = BigInt('0x' + tok.slice(4));
  const mag = e === 0n ? m : (e - 1n) * (1n << 63n) + m;
  return (se(tok) & 0x8000) !== 0 ? -mag : mag;
}
function ulpDistance(a: string, b: string): number {
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

const PER_OP = 1500;
/* On a non-AMD host, PE and UE are not compared and the bit-exact floor is not applied. */
const VENDOR_FLAGS = HOST_IS_AMD ? ~0 : ~0x30;

/** F2XM1 with |x| > 1 and FYL2XP1 with x <= -1: undefined in the SDM (we follow AMD). */
function outsideDomain(op: string, x: string): boolean {
  const e = se(x) & 0x7fff;
  const beyondOne = e > 0x3fff || (e === 0x3fff && (mh(x) !== 0x80000000 || ml(x) !== 0));
  if (op === 'f2xm1') return e !== 0x7fff && beyondOne;
  if (op === 'fyl2xp1') return e !== 0x7fff && (se(x) & 0x8000) !== 0 && e >= 0x3fff;
  return false;
}
const ULP_BOUND = 1;
const EXACT_SHARE = 0.85;

test('x87 transcendentals agree with the host CPU within the documented bound', () => {
  const lines = runHarness('trans', PER_OP, 3);
  const s = new FloatStatus();
  const stats = new Map<string, { n: number; exact: number; maxUlp: number }>();
  const bad: string[] = [];
  let vendorSpecific = 0;
  for (const line of lines) {
    const tok = line.split(' ');
    const op = tok[0];
    if (!HOST_IS_AMD && outsideDomain(op, tok[2])) { vendorSpecific++; continue; }
    s.setX87Control(h32(tok[1]));
    s.flags = 0;
    s.c1 = 0;
    const eq = tok.indexOf('=');
    const a = tok[2], b = tok[3];
    let cc = 0;
    let got: string[];
    switch (op) {
      case 'fsin': cc = t.floatx80_sin(se(a), mh(a), ml(a), s); got = [fx(s.se, s.hi, s.lo)]; break;
      case 'fcos': cc = t.floatx80_cos(se(a), mh(a), ml(a), s); got = [fx(s.se, s.hi, s.lo)]; break;
      case 'fsincos': cc = t.floatx80_sincos(se(a), mh(a), ml(a), s); got = [fx(s.se, s.hi, s.lo), fx(s.se2, s.hi2, s.lo2)]; break;
      case 'fptan':
        cc = t.floatx80_tan(se(a), mh(a), ml(a), s);
        /* in range, FPTAN pushes 1.0 above the tangent, or the NaN result again */
        got = cc !== 0 ? [fx(s.se, s.hi, s.lo), tok[eq + 2]]
          : [(s.se & 0x7fff) === 0x7fff && (s.hi & 0x7fffffff | s.lo) !== 0 ? fx(s.se, s.hi, s.lo) : '3fff8000000000000000', fx(s.se, s.hi, s.lo)];
        break;
      case 'f2xm1': t.floatx80_2xm1(se(a), mh(a), ml(a), s); got = [fx(s.se, s.hi, s.lo)]; break;
      case 'fpatan': t.floatx80_atan2(se(a), mh(a), ml(a), se(b), mh(b), ml(b), s); got = [fx(s.se, s.hi, s.lo)]; break;
      case 'fyl2x': t.floatx80_yl2x(se(a), mh(a), ml(a), se(b), mh(b), ml(b), s); got = [fx(s.se, s.hi, s.lo)]; break;
      case 'fyl2xp1': t.floatx80_yl2xp1(se(a), mh(a), ml(a), se(b), mh(b), ml(b), s); got = [fx(s.se, s.hi, s.lo)]; break;
      default: throw new Error(`harness op not handled: ${op}`);
    }
    const want = tok.slice(eq + 1, tok.length - 1);
    const wantSw = parseInt(tok[tok.length - 1], 16) & ~SW_C1 & VENDOR_FLAGS;
    /* C1 reports the host's internal rounding direction, which is not reproducible.  PE/UE
     * for representable results follow AMD (always reported); other vendors may differ. */
    const sw = (s.flags | cc) & VENDOR_FLAGS;
    let st = stats.get(op);
    if (!st) { st = { n: 0, exact: 0, maxUlp: 0 }; stats.set(op, st); }
    st.n++;
    const same = got.every((g, i) => g === want[i]);
    if (same && sw === wantSw) { st.exact++; continue; }
    if (process.env.SF_DEBUG && st.n - st.exact < 6) console.log(`DBG ${line} | ours: ${got.join(' ')} ${h(sw, 0)}`);
    /* Not identical: the values must be within the bound, flags other than C1 equal. */
    let ulps = 0;
    for (let i = 0; i < got.length; i++) {
      const nanish = (se(want[i]) & 0x7fff) === 0x7fff || (se(got[i]) & 0x7fff) === 0x7fff;
      ulps = Math.max(ulps, nanish ? (got[i] === want[i] ? 0 : Infinity) : ulpDistance(got[i], want[i]));
    }
    st.maxUlp = Math.max(st.maxUlp, ulps);
    if (ulps > ULP_BOUND || sw !== wantSw) {
      if (bad.length < 30) bad.push(`${line}   | ours: ${got.join(' ')} ${h(sw, 0)} (${ulps} ulp)`);
    }
  }
  const summary = [...stats].map(([op, v]) => `${op}:${v.n} exact ${(100 * v.exact / v.n).toFixed(1)}% max ${v.maxUlp} ulp`).join(', ');
  console.log(`x87 transcendental cases: ${summary}`);
  if (!HOST_IS_AMD) console.log(`host is not AMD: ${vendorSpecific} out-of-domain cases not compared`);
  assert.equal(bad.join('\n'), '', `beyond the bound:\n${bad.join('\n')}`);
  if (HOST_IS_AMD) {
    for (const [op, v] of stats) assert.ok(v.exact / v.n >= EXACT_SHARE, `${op}: only ${v.exact}/${v.n} bit-exact`);
  } else {
    console.log('host is not AMD: PE/UE and the bit-exact share were not checked');
  }
  for (const op of ['fsin', 'fcos', 'fsincos', 'fptan', 'f2xm1', 'fpatan', 'fyl2x', 'fyl2xp1']) {
    assert.ok((stats.get(op)?.n ?? 0) >= 4 * PER_OP, `expected ${5 * PER_OP} ${op} cases`);
  }
});
