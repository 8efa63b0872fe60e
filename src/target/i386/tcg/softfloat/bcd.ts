/*
 * FBLD / FBSTP: the x87's 80-bit packed BCD (18 digits, two per byte, sign in bit 79),
 * held like a floatx80 as (se = bytes 9..8, hi = bytes 7..4, lo = bytes 3..0).
 */
import { FloatStatus, FLAG_INVALID, FLAG_INEXACT } from './float-status.js';
import {
  ua, accSet, accNormalize, accRoundToInt, INT, intOverflow, intInexact, intRoundedUp,
  unpackX80, roundPack, mul32, MUL, FMT_X80, CLS_ZERO, CLS_FINITE,
} from './round-pack.js';

function digit(se: number, hi: number, lo: number, i: number): number {
  if (i < 8) return (lo >>> (4 * i)) & 15;
  if (i < 16) return (hi >>> (4 * (i - 8))) & 15;
  return (se >>> (4 * (i - 16))) & 15;
}

/**
 * FBLD: exact conversion to floatx80 (s.se:hi:lo).  Digits A-F are undefined in the SDM;
 * weighting them like 0-9 gives what the host does.
 */
export function bcd_to_floatx80(se: number, hi: number, lo: number, s: FloatStatus): void {
  let high = 0, low = 0;
  for (let i = 17; i >= 9; i--) high = high * 10 + digit(se, hi, lo, i);
  for (let i = 8; i >= 0; i--) low = low * 10 + digit(se, hi, lo, i);
  const sign = (se >>> 15) & 1;
  mul32(high, 1000000000);
  let mlo = MUL[1] + low, mhi = MUL[0];
  if (mlo >= 4294967296) { mlo -= 4294967296; mhi += 1; }
  if ((mhi | mlo) === 0) { s.se = sign << 15; s.hi = 0; s.lo = 0; return; }
  accSet(sign, 63, mhi, mlo, 0, 0);
  accNormalize();
  roundPack(s, FMT_X80, 64);
}

/**
 * FBSTP: round to an integer under RC and store as packed BCD in s.se:hi:lo; NaNs,
 * infinities and |values| >= 10^18 store the BCD indefinite with IE.
 */
export function floatx80_to_bcd(se: number, hi: number, lo: number, s: FloatStatus): void {
  unpackX80(ua, se, hi, lo);
  s.c1 = 0;
  const sign = ua.sign;
  if (ua.cls === CLS_ZERO) { s.se = sign << 15; s.hi = 0; s.lo = 0; return; }
  if (ua.cls !== CLS_FINITE) { bcdIndefinite(s); return; }
  accSet(sign, ua.exp, ua.hi, ua.lo, 0, 0);
  accRoundToInt(s.roundingMode);
  /* 10^18 - 1 = 0x0DE0B6B3_A763FFFF */
  if (intOverflow || INT[0] > 0x0de0b6b3 || (INT[0] === 0x0de0b6b3 && INT[1] > 0xa763ffff)) { bcdIndefinite(s); return; }
  if (intInexact) {
    s.flags |= FLAG_INEXACT;
    s.c1 = intRoundedUp ? 1 : 0;
  }
  /* Split the magnitude into two 9-digit halves with exact double arithmetic. */
  const t1 = INT[0] * 65536 + (INT[1] >>> 16);
  const q1 = Math.floor(t1 / 1e9);
  const t2 = (t1 - q1 * 1e9) * 65536 + (INT[1] & 0xffff);
  const q2 = Math.floor(t2 / 1e9);
  let low = t2 - q2 * 1e9;
  let high = q1 * 65536 + q2;
  let rlo = 0, rhi = 0, rse = 0;
  for (let i = 0; i < 18; i++) {
    let d: number;
    if (i < 9) { d = low % 10; low = (low - d) / 10; } else { d = high % 10; high = (high - d) / 10; }
    if (i < 8) rlo += d * 2 ** (4 * i);
    else if (i < 16) rhi += d * 2 ** (4 * (i - 8));
    else rse += d << (4 * (i - 16));
  }
  s.se = (sign << 15) | rse;
  s.hi = rhi;
  s.lo = rlo;
}

function bcdIndefinite(s: FloatStatus): void {
  s.flags |= FLAG_INVALID;
  s.se = 0xffff;
  s.hi = 0xc0000000;
  s.lo = 0;
}
