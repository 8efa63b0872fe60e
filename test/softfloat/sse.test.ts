/*
 * SSE/SSE2 (and SSE4.1 ROUNDSS/ROUNDSD) scalar float32/float64 against the host CPU:
 * every op under all four MXCSR rounding modes and each DAZ/FTZ combination, results
 * and MXCSR flags bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHarness, h32, hiOf, loOf, hex32, hex64, Tally } from './oracle.js';
import { FloatStatus, relationToEflags } from '../../src/target/i386/tcg/softfloat/float-status.js';
import * as f32 from '../../src/target/i386/tcg/softfloat/f32.js';
import * as f64 from '../../src/target/i386/tcg/softfloat/f64.js';
import * as cvt from '../../src/target/i386/tcg/softfloat/convert.js';

/* The harness prints EFLAGS as ZF<<2 | PF<<1 | CF. */
function eflags(rel: number): number {
  const f = relationToEflags(rel);
  return ((f & 0x40) !== 0 ? 4 : 0) | ((f & 0x04) !== 0 ? 2 : 0) | (f & 1);
}

const PER_OP = 2500;

test('SSE scalar ops match the host CPU bit for bit (all rounding modes, DAZ, FTZ)', () => {
  const lines = runHarness('sse', PER_OP, 1);
  const s = new FloatStatus();
  const t = new Tally();
  let lineNo = 0;
  for (const line of lines) {
    const tok = line.split(' ');
    const op = tok[0];
    s.setMxcsrControl(h32(tok[1]));
    s.flags = 0;
    let got: string;
    const x = tok[2];
    const y = tok[3];
    /* Operands alternate between uint32 and int32 words: the API accepts both. */
    const unsigned = (lineNo++ & 1) === 0;
    const w = (v: number): number => (unsigned ? v >>> 0 : v | 0);
    const a32 = w(h32(x)), b32 = w(h32(y));
    const aHi = w(hiOf(x)), aLo = w(loOf(x)), bHi = w(hiOf(y)), bLo = w(loOf(y));
    switch (op) {
      case 'addss': got = hex32(f32.float32_add(a32, b32, s)); break;
      case 'subss': got = hex32(f32.float32_sub(a32, b32, s)); break;
      case 'mulss': got = hex32(f32.float32_mul(a32, b32, s)); break;
      case 'divss': got = hex32(f32.float32_div(a32, b32, s)); break;
      /* the harness's SQRTSS reads the second operand into the low lane of the first */
      case 'sqrtss': got = hex32(f32.float32_sqrt(b32, s)); break;
      case 'minss': got = hex32(f32.float32_min(a32, b32, s)); break;
      case 'maxss': got = hex32(f32.float32_max(a32, b32, s)); break;
      case 'comiss': got = hex32(eflags(f32.float32_compare(a32, b32, s, false))); break;
      case 'ucomiss': got = hex32(eflags(f32.float32_compare(a32, b32, s, true))); break;
      case 'addsd': f64.float64_add(aHi, aLo, bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'subsd': f64.float64_sub(aHi, aLo, bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'mulsd': f64.float64_mul(aHi, aLo, bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'divsd': f64.float64_div(aHi, aLo, bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'sqrtsd': f64.float64_sqrt(bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'minsd': f64.float64_min(aHi, aLo, bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'maxsd': f64.float64_max(aHi, aLo, bHi, bLo, s); got = hex64(s.hi, s.lo); break;
      case 'comisd': got = hex32(eflags(f64.float64_compare(aHi, aLo, bHi, bLo, s, false))); break;
      case 'ucomisd': got = hex32(eflags(f64.float64_compare(aHi, aLo, bHi, bLo, s, true))); break;
      case 'cvtss2si32': got = hex32(cvt.float32_to_int32(a32, s, false)); break;
      case 'cvttss2si32': got = hex32(cvt.float32_to_int32(a32, s, true)); break;
      case 'cvtss2si64': cvt.float32_to_int64(a32, s, false); got = hex64(s.hi, s.lo); break;
      case 'cvttss2si64': cvt.float32_to_int64(a32, s, true); got = hex64(s.hi, s.lo); break;
      case 'cvtsd2si32': got = hex32(cvt.float64_to_int32(aHi, aLo, s, false)); break;
      case 'cvttsd2si32': got = hex32(cvt.float64_to_int32(aHi, aLo, s, true)); break;
      case 'cvtsd2si64': cvt.float64_to_int64(aHi, aLo, s, false); got = hex64(s.hi, s.lo); break;
      case 'cvttsd2si64': cvt.float64_to_int64(aHi, aLo, s, true); got = hex64(s.hi, s.lo); break;
      case 'cvtss2sd': cvt.float32_to_float64(a32, s); got = hex64(s.hi, s.lo); break;
      case 'cvtsd2ss': got = hex32(cvt.float64_to_float32(aHi, aLo, s)); break;
      case 'cvtsi2ss32': got = hex32(cvt.int32_to_float32(a32 | 0, s)); break;
      case 'cvtsi2ss64': got = hex32(cvt.int64_to_float32(aHi, aLo, s)); break;
      case 'cvtsi2sd32': cvt.int32_to_float64(a32 | 0, s); got = hex64(s.hi, s.lo); break;
      case 'cvtsi2sd64': cvt.int64_to_float64(aHi, aLo, s); got = hex64(s.hi, s.lo); break;
      default: {
        const rm = /^rounds([sd])(\d+)$/.exec(op);
        if (rm) {
          /* the harness's ROUNDS* reads the second operand */
          if (rm[1] === 's') got = hex32(cvt.float32_round_to_int(b32, Number(rm[2]), s));
          else { cvt.float64_round_to_int(bHi, bLo, Number(rm[2]), s); got = hex64(s.hi, s.lo); }
          break;
        }
        const m = /^cmps([sd])(\d)$/.exec(op);
        if (!m) throw new Error(`harness op not handled: ${op}`);
        const pred = Number(m[2]);
        if (m[1] === 's') got = f32.float32_cmp_pred(a32, b32, pred, s) ? 'ffffffff' : '0';
        else got = f64.float64_cmp_pred(aHi, aLo, bHi, bLo, pred, s) ? 'ffffffffffffffff' : '0';
      }
    }
    const n = tok.length;
    /* operands, '=', result, flags */
    t.check(op, line, `${got} ${hex32(s.flags)}`, `${tok[n - 2]} ${tok[n - 1]}`);
  }
  console.log(`SSE cases compared per op: ${t.summary()}`);
  assert.equal(t.failures(), '', `mismatches against the host CPU:\n${t.failures()}`);
  assert.equal(t.count.size, 68, 'every SSE op compared');
  for (const [op, n] of t.count) assert.equal(n, 16 * PER_OP, `${op}: ${n} cases`);
});

test('with UE or OE unmasked, SSE traps exactly when the host does, with the same MXCSR flags', () => {
  const lines = runHarness('sse-unmasked', 400, 4);
  const s = new FloatStatus();
  const t = new Tally();
  let traps = 0;
  for (const line of lines) {
    const tok = line.split(' ');
    const op = tok[0];
    const mxcsr = h32(tok[1]);
    s.setMxcsrControl(mxcsr);
    s.flags = 0;
    const x = tok[2], y = tok[3];
    const a32 = h32(x), b32 = h32(y);
    let r: string;
    switch (op) {
      case 'addss': r = hex32(f32.float32_add(a32, b32, s)); break;
      case 'subss': r = hex32(f32.float32_sub(a32, b32, s)); break;
      case 'mulss': r = hex32(f32.float32_mul(a32, b32, s)); break;
      case 'divss': r = hex32(f32.float32_div(a32, b32, s)); break;
      case 'addsd': f64.float64_add(hiOf(x), loOf(x), hiOf(y), loOf(y), s); r = hex64(s.hi, s.lo); break;
      case 'subsd': f64.float64_sub(hiOf(x), loOf(x), hiOf(y), loOf(y), s); r = hex64(s.hi, s.lo); break;
      case 'mulsd': f64.float64_mul(hiOf(x), loOf(x), hiOf(y), loOf(y), s); r = hex64(s.hi, s.lo); break;
      case 'divsd': f64.float64_div(hiOf(x), loOf(x), hiOf(y), loOf(y), s); r = hex64(s.hi, s.lo); break;
      default: throw new Error(`harness op not handled: ${op}`);
    }
    /* The CPU raises #XM when a flag is set whose mask bit (MXCSR[12:7]) is clear. */
    const trap = (s.flags & ~(mxcsr >>> 7) & 0x3f) !== 0;
    if (tok[5] === 'trap') traps++;
    t.check(op, line, `${trap ? 'trap' : r} ${hex32(s.flags)}`, `${tok[5]} ${tok[6]}`);
  }
  console.log(`SSE unmasked-UE/OE cases per op: ${t.summary()}; host traps: ${traps}`);
  assert.equal(t.failures(), '', `mismatches against the host CPU:\n${t.failures()}`);
  assert.ok(traps > 2000, 'the operands exercise underflow and overflow traps');
});
