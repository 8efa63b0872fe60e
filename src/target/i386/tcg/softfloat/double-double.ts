/*
 * Double-double arithmetic (a value is hi + lo, two JS doubles, ~106 significant bits)
 * for the x87 transcendental functions, and its conversion to the soft-float
 * accumulator for a single correct rounding.  Results of each operation are left in
 * the module registers ddH/ddL (read them at once: the next call overwrites them).
 */
import { acc, accSet, Unpacked, unpackF64, CLS_ZERO } from './round-pack.js';
import { addFinite } from './arith.js';

export let ddH = 0;
export let ddL = 0;

const SPLITTER = 134217729; /* 2^27 + 1 */

/** Exact a + b as a normalised pair. */
export function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  ddL = (a - (s - bb)) + (b - bb);
  ddH = s;
}

/** Exact a * b as a pair (Dekker's product; |a|, |b| < 2^996). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b), bl = b - bh;
  ddL = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  ddH = p;
}

export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  let s = ah + bh;
  let bb = s - ah;
  let e = (ah - (s - bb)) + (bh - bb);
  const t = al + bl;
  bb = t - al;
  const f = (al - (t - bb)) + (bl - bb);
  e += t;
  const h = s + e;
  e = e - (h - s);
  e += f;
  s = h + e;
  ddL = e - (s - h);
  ddH = s;
}

export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = ddH;
  let e = ddL;
  e += ah * bl + al * bh;
  const h = p + e;
  ddL = e - (h - p);
  ddH = h;
}

export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(bh, bl, q1, 0);
  ddAdd(ah, al, -ddH, -ddL);
  const q2 = ddH / bh;
  const rh = ddH, rl = ddL;
  ddMul(bh, bl, q2, 0);
  ddAdd(rh, rl, -ddH, -ddL);
  const q3 = ddH / bh;
  twoSum(q1, q2);
  ddAdd(ddH, ddL, q3, 0);
}

export function ddSqrt(ah: number, al: number): void {
  if (ah <= 0) { ddH = 0; ddL = 0; return; }
  const s = Math.sqrt(ah);
  twoProd(s, s);
  ddAdd(ah, al, -ddH, -ddL);
  const c = ddH / (2 * s);
  twoSum(s, c);
}

/* ---------- conversion to the accumulator ---------- */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const hiWord = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; /* little-endian: word 1 */
const tmpA = new Unpacked();
const tmpB = new Unpacked();

function unpackDouble(u: Unpacked, d: number): void {
  f64[0] = d;
  unpackF64(u, u32[hiWord], u32[hiWord ^ 1], false);
}

/**
 * Load (h + l) * 2^scale, with the given sign, into the accumulator exactly (bits
 * beyond 96 go to sticky).  Returns false when the value is zero.
 */
export function ddToAcc(sign: number, h: number, l: number, scale: number): boolean {
  if (h === 0) return false;
  if (h < 0) { h = -h; l = -l; sign ^= 1; }
  unpackDouble(tmpA, h);
  if (l === 0) {
    accSet(sign, tmpA.exp + scale, tmpA.hi, tmpA.lo, 0, 0);
    return true;
  }
  unpackDouble(tmpB, Math.abs(l));
  if (tmpB.cls === CLS_ZERO) { accSet(sign, tmpA.exp + scale, tmpA.hi, tmpA.lo, 0, 0); return true; }
  addFinite(tmpA, sign, tmpB, l < 0 ? sign ^ 1 : sign);
  acc.exp += scale;
  return true;
}

/** The 64-bit significand hi:lo times 2^e (e >= -960) as an exact double-double. */
export function sigToDd(hi: number, lo: number, e: number): void {
  const s = 2 ** (e - 63);
  twoSum(hi * 4294967296 * s, lo * s);
}
