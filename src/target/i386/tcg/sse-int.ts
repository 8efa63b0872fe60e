/*
 * Integer SIMD lane operations of MMX, SSE2 and SSSE3 (and the shuffles, packs and unpacks the
 * floating-point forms share): A = op(A, B) on the scratch vectors of n bytes (8 for MMX, 16
 * for XMM).  imm is the instruction's imm8 (shuffle selectors, PALIGNR's byte count).
 */
import {
  SseOp, A32, B32, R32, A8, B8, R8, A8s, B8s, R8s, A16, B16, R16, A16s, B16s, R16s,
} from './sse-ops.js';

const T8 = new Uint8Array(32);

function sat8s(v: number): number { return v > 127 ? 127 : v < -128 ? -128 : v; }
function sat8u(v: number): number { return v > 255 ? 255 : v < 0 ? 0 : v; }
function sat16s(v: number): number { return v > 32767 ? 32767 : v < -32768 ? -32768 : v; }
function sat16u(v: number): number { return v > 65535 ? 65535 : v < 0 ? 0 : v; }

/** The shift count of PSxx by register/memory or imm8 (B32[0..1]), saturated to 255. */
function shiftCount(): number {
  return B32[1] !== 0 || (B32[0] >>> 0) > 255 ? 255 : B32[0];
}

function copyR(n: number): void {
  A32[0] = R32[0]; A32[1] = R32[1];
  if (n === 16) { A32[2] = R32[2]; A32[3] = R32[3]; }
}

/** Executes the integer operation `op` on A (destination) and B (source); the result is in A. */
export function intOp(op: number, n: number, imm: number): void {
  const nw = n >> 1, nd = n >> 2;
  switch (op) {
    case SseOp.PADDB: for (let i = 0; i < n; i++) A8[i] = A8[i] + B8[i]; return;
    case SseOp.PADDW: for (let i = 0; i < nw; i++) A16[i] = A16[i] + B16[i]; return;
    case SseOp.PADDD: for (let i = 0; i < nd; i++) A32[i] = (A32[i] + B32[i]) | 0; return;
    case SseOp.PADDQ: case SseOp.PSUBQ:
      for (let i = 0; i < nd; i += 2) {
        const neg = op === SseOp.PSUBQ;
        const bl = neg ? ~B32[i] : B32[i], bh = neg ? ~B32[i + 1] : B32[i + 1];
        const lo = (A32[i] >>> 0) + (bl >>> 0) + (neg ? 1 : 0);
        A32[i] = lo | 0;
        A32[i + 1] = (A32[i + 1] + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
      }
      return;
    case SseOp.PSUBB: for (let i = 0; i < n; i++) A8[i] = A8[i] - B8[i]; return;
    case SseOp.PSUBW: for (let i = 0; i < nw; i++) A16[i] = A16[i] - B16[i]; return;
    case SseOp.PSUBD: for (let i = 0; i < nd; i++) A32[i] = (A32[i] - B32[i]) | 0; return;
    case SseOp.PADDSB: for (let i = 0; i < n; i++) A8s[i] = sat8s(A8s[i] + B8s[i]); return;
    case SseOp.PADDSW: for (let i = 0; i < nw; i++) A16s[i] = sat16s(A16s[i] + B16s[i]); return;
    case SseOp.PADDUSB: for (let i = 0; i < n; i++) A8[i] = sat8u(A8[i] + B8[i]); return;
    case SseOp.PADDUSW: for (let i = 0; i < nw; i++) A16[i] = sat16u(A16[i] + B16[i]); return;
    case SseOp.PSUBSB: for (let i = 0; i < n; i++) A8s[i] = sat8s(A8s[i] - B8s[i]); return;
    case SseOp.PSUBSW: for (let i = 0; i < nw; i++) A16s[i] = sat16s(A16s[i] - B16s[i]); return;
    case SseOp.PSUBUSB: for (let i = 0; i < n; i++) A8[i] = sat8u(A8[i] - B8[i]); return;
    case SseOp.PSUBUSW: for (let i = 0; i < nw; i++) A16[i] = sat16u(A16[i] - B16[i]); return;
    case SseOp.PMULLW: for (let i = 0; i < nw; i++) A16[i] = Math.imul(A16[i], B16[i]); return;
    case SseOp.PMULHW: for (let i = 0; i < nw; i++) A16[i] = (A16s[i] * B16s[i]) >> 16; return;
    case SseOp.PMULHUW: for (let i = 0; i < nw; i++) A16[i] = (A16[i] * B16[i]) >>> 16; return;
    case SseOp.PMULHRSW:
      for (let i = 0; i < nw; i++) A16[i] = (((A16s[i] * B16s[i]) >> 14) + 1) >> 1;
      return;
    case SseOp.PMULUDQ:
      for (let i = 0; i < nd; i += 2) {
        const a = A32[i] >>> 0, b = B32[i] >>> 0;
        // 32x32 -> 64 exactly: split b into 16-bit halves so every partial product is exact.
        const lo = a * (b & 0xffff), hi = a * (b >>> 16);
        const low = lo + (hi % 65536) * 65536;
        const carry = Math.floor(low / 4294967296);
        A32[i] = low | 0;
        A32[i + 1] = (Math.floor(hi / 65536) + carry) | 0;
      }
      return;
    case SseOp.PMADDWD:
      for (let i = 0; i < nd; i++) A32[i] = (A16s[2 * i] * B16s[2 * i] + A16s[2 * i + 1] * B16s[2 * i + 1]) | 0;
      return;
    case SseOp.PMADDUBSW:
      for (let i = 0; i < nw; i++) A16s[i] = sat16s(A8[2 * i] * B8s[2 * i] + A8[2 * i + 1] * B8s[2 * i + 1]);
      return;
    case SseOp.PSADBW:
      for (let q = 0; q < n; q += 8) {
        let s = 0;
        for (let i = q; i < q + 8; i++) s += Math.abs(A8[i] - B8[i]);
        A32[q >> 2] = s;
        A32[(q >> 2) + 1] = 0;
      }
      return;
    case SseOp.PAVGB: for (let i = 0; i < n; i++) A8[i] = (A8[i] + B8[i] + 1) >> 1; return;
    case SseOp.PAVGW: for (let i = 0; i < nw; i++) A16[i] = (A16[i] + B16[i] + 1) >> 1; return;
    case SseOp.PMINUB: for (let i = 0; i < n; i++) if (B8[i] < A8[i]) A8[i] = B8[i]; return;
    case SseOp.PMAXUB: for (let i = 0; i < n; i++) if (B8[i] > A8[i]) A8[i] = B8[i]; return;
    case SseOp.PMINSW: for (let i = 0; i < nw; i++) if (B16s[i] < A16s[i]) A16s[i] = B16s[i]; return;
    case SseOp.PMAXSW: for (let i = 0; i < nw; i++) if (B16s[i] > A16s[i]) A16s[i] = B16s[i]; return;
    case SseOp.PCMPEQB:
      // Per dword: a byte of x = a ^ b is non-zero iff ((x & 0x7f) + 0x7f | x) has its top bit set.
      for (let i = 0; i < nd; i++) {
        const x = A32[i] ^ B32[i];
        const nz = ((((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) >>> 7) & 0x01010101;
        A32[i] = ~Math.imul(nz, 0xff);
      }
      return;
    case SseOp.PCMPEQW: for (let i = 0; i < nw; i++) A16[i] = A16[i] === B16[i] ? 0xffff : 0; return;
    case SseOp.PCMPEQD: for (let i = 0; i < nd; i++) A32[i] = A32[i] === B32[i] ? -1 : 0; return;
    case SseOp.PCMPGTB: for (let i = 0; i < n; i++) A8[i] = A8s[i] > B8s[i] ? 0xff : 0; return;
    case SseOp.PCMPGTW: for (let i = 0; i < nw; i++) A16[i] = A16s[i] > B16s[i] ? 0xffff : 0; return;
    case SseOp.PCMPGTD: for (let i = 0; i < nd; i++) A32[i] = A32[i] > B32[i] ? -1 : 0; return;
    case SseOp.PAND: for (let i = 0; i < nd; i++) A32[i] &= B32[i]; return;
    case SseOp.PANDN: for (let i = 0; i < nd; i++) A32[i] = ~A32[i] & B32[i]; return;
    case SseOp.POR: for (let i = 0; i < nd; i++) A32[i] |= B32[i]; return;
    case SseOp.PXOR: for (let i = 0; i < nd; i++) A32[i] ^= B32[i]; return;
    case SseOp.PSRLW: { const k = shiftCount(); for (let i = 0; i < nw; i++) A16[i] = k > 15 ? 0 : A16[i] >>> k; return; }
    case SseOp.PSLLW: { const k = shiftCount(); for (let i = 0; i < nw; i++) A16[i] = k > 15 ? 0 : A16[i] << k; return; }
    case SseOp.PSRAW: { const k = Math.min(shiftCount(), 15); for (let i = 0; i < nw; i++) A16s[i] = A16s[i] >> k; return; }
    case SseOp.PSRLD: { const k = shiftCount(); for (let i = 0; i < nd; i++) A32[i] = k > 31 ? 0 : A32[i] >>> k; return; }
    case SseOp.PSLLD: { const k = shiftCount(); for (let i = 0; i < nd; i++) A32[i] = k > 31 ? 0 : A32[i] << k; return; }
    case SseOp.PSRAD: { const k = Math.min(shiftCount(), 31); for (let i = 0; i < nd; i++) A32[i] = A32[i] >> k; return; }
    case SseOp.PSRLQ: case SseOp.PSLLQ: {
      const k = shiftCount();
      for (let i = 0; i < nd; i += 2) {
        const lo = A32[i], hi = A32[i + 1];
        if (k > 63) { A32[i] = 0; A32[i + 1] = 0; }
        else if (op === SseOp.PSRLQ) {
          if (k >= 32) { A32[i] = hi >>> (k - 32); A32[i + 1] = 0; }
          else if (k > 0) { A32[i] = (lo >>> k) | (hi << (32 - k)); A32[i + 1] = hi >>> k; }
        } else if (k >= 32) { A32[i + 1] = lo << (k - 32); A32[i] = 0; }
        else if (k > 0) { A32[i + 1] = (hi << k) | (lo >>> (32 - k)); A32[i] = lo << k; }
      }
      return;
    }
    case SseOp.PSRLDQ: { const k = shiftCount(); for (let i = 0; i < 16; i++) R8[i] = i + k < 16 ? A8[i + k] : 0; return copyR(16); }
    case SseOp.PSLLDQ: { const k = shiftCount(); for (let i = 0; i < 16; i++) R8[i] = i >= k ? A8[i - k] : 0; return copyR(16); }
    /* unpacks (also UNPCKLPS/UNPCKHPS/UNPCKLPD/UNPCKHPD) */
    case SseOp.PUNPCKLBW: case SseOp.PUNPCKHBW: {
      const o = op === SseOp.PUNPCKHBW ? n >> 1 : 0;
      for (let i = 0; i < n >> 1; i++) { R8[2 * i] = A8[o + i]; R8[2 * i + 1] = B8[o + i]; }
      return copyR(n);
    }
    case SseOp.PUNPCKLWD: case SseOp.PUNPCKHWD: {
      const o = op === SseOp.PUNPCKHWD ? nw >> 1 : 0;
      for (let i = 0; i < nw >> 1; i++) { R16[2 * i] = A16[o + i]; R16[2 * i + 1] = B16[o + i]; }
      return copyR(n);
    }
    case SseOp.PUNPCKLDQ: case SseOp.PUNPCKHDQ: {
      const o = op === SseOp.PUNPCKHDQ ? nd >> 1 : 0;
      for (let i = 0; i < nd >> 1; i++) { R32[2 * i] = A32[o + i]; R32[2 * i + 1] = B32[o + i]; }
      return copyR(n);
    }
    case SseOp.PUNPCKLQDQ: A32[2] = B32[0]; A32[3] = B32[1]; return;
    case SseOp.PUNPCKHQDQ: A32[0] = A32[2]; A32[1] = A32[3]; A32[2] = B32[2]; A32[3] = B32[3]; return;
    /* packs */
    case SseOp.PACKSSWB:
      for (let i = 0; i < nw; i++) { R8s[i] = sat8s(A16s[i]); R8s[nw + i] = sat8s(B16s[i]); }
      return copyR(n);
    case SseOp.PACKUSWB:
      for (let i = 0; i < nw; i++) { R8[i] = sat8u(A16s[i]); R8[nw + i] = sat8u(B16s[i]); }
      return copyR(n);
    case SseOp.PACKSSDW:
      for (let i = 0; i < nd; i++) { R16s[i] = sat16s(A32[i]); R16s[nd + i] = sat16s(B32[i]); }
      return copyR(n);
    /* shuffles */
    case SseOp.SHUFPS:
      R32[0] = A32[imm & 3]; R32[1] = A32[(imm >> 2) & 3]; R32[2] = B32[(imm >> 4) & 3]; R32[3] = B32[(imm >> 6) & 3];
      return copyR(16);
    case SseOp.SHUFPD: {
      const a = (imm & 1) * 2, b = ((imm >> 1) & 1) * 2;
      R32[0] = A32[a]; R32[1] = A32[a + 1]; R32[2] = B32[b]; R32[3] = B32[b + 1];
      return copyR(16);
    }
    case SseOp.PSHUFW:
      for (let i = 0; i < 4; i++) R16[i] = B16[(imm >> (2 * i)) & 3];
      return copyR(8);
    case SseOp.PSHUFD:
      for (let i = 0; i < 4; i++) R32[i] = B32[(imm >> (2 * i)) & 3];
      return copyR(16);
    case SseOp.PSHUFLW:
      for (let i = 0; i < 4; i++) R16[i] = B16[(imm >> (2 * i)) & 3];
      R32[2] = B32[2]; R32[3] = B32[3];
      return copyR(16);
    case SseOp.PSHUFHW:
      for (let i = 0; i < 4; i++) R16[4 + i] = B16[4 + ((imm >> (2 * i)) & 3)];
      R32[0] = B32[0]; R32[1] = B32[1];
      return copyR(16);
    /* SSSE3 */
    case SseOp.PSHUFB:
      for (let i = 0; i < n; i++) R8[i] = (B8[i] & 0x80) !== 0 ? 0 : A8[B8[i] & (n - 1)];
      return copyR(n);
    case SseOp.PHADDW: case SseOp.PHSUBW: case SseOp.PHADDSW: case SseOp.PHSUBSW: {
      const sub = op === SseOp.PHSUBW || op === SseOp.PHSUBSW;
      const sat = op === SseOp.PHADDSW || op === SseOp.PHSUBSW;
      const h = nw >> 1;
      for (let i = 0; i < h; i++) {
        const a = sub ? A16s[2 * i] - A16s[2 * i + 1] : A16s[2 * i] + A16s[2 * i + 1];
        const b = sub ? B16s[2 * i] - B16s[2 * i + 1] : B16s[2 * i] + B16s[2 * i + 1];
        R16s[i] = sat ? sat16s(a) : a;
        R16s[h + i] = sat ? sat16s(b) : b;
      }
      return copyR(n);
    }
    case SseOp.PHADDD: case SseOp.PHSUBD: {
      const sub = op === SseOp.PHSUBD;
      const h = nd >> 1;
      for (let i = 0; i < h; i++) {
        R32[i] = sub ? (A32[2 * i] - A32[2 * i + 1]) | 0 : (A32[2 * i] + A32[2 * i + 1]) | 0;
        R32[h + i] = sub ? (B32[2 * i] - B32[2 * i + 1]) | 0 : (B32[2 * i] + B32[2 * i + 1]) | 0;
      }
      return copyR(n);
    }
    case SseOp.PSIGNB: for (let i = 0; i < n; i++) A8s[i] = B8s[i] < 0 ? -A8s[i] : B8s[i] === 0 ? 0 : A8s[i]; return;
    case SseOp.PSIGNW: for (let i = 0; i < nw; i++) A16s[i] = B16s[i] < 0 ? -A16s[i] : B16s[i] === 0 ? 0 : A16s[i]; return;
    case SseOp.PSIGND: for (let i = 0; i < nd; i++) A32[i] = B32[i] < 0 ? -A32[i] | 0 : B32[i] === 0 ? 0 : A32[i]; return;
    case SseOp.PABSB: for (let i = 0; i < n; i++) A8[i] = Math.abs(B8s[i]); return;
    case SseOp.PABSW: for (let i = 0; i < nw; i++) A16[i] = Math.abs(B16s[i]); return;
    case SseOp.PABSD: for (let i = 0; i < nd; i++) A32[i] = Math.abs(B32[i]) | 0; return;
    case SseOp.PALIGNR:
      // (dest:src) >> imm bytes
      for (let i = 0; i < n; i++) { T8[i] = B8[i]; T8[n + i] = A8[i]; }
      for (let i = 0; i < n; i++) R8[i] = i + imm < 2 * n ? T8[i + imm] : 0;
      return copyR(n);
  }
  throw new Error(`intOp: ${op}`);
}
