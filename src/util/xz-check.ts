/*
 * Integrity checks of the .xz format: CRC32 (the IEEE 802.3 polynomial, as
 * in zlib) and CRC64 (the ECMA-182 polynomial), both bit-reflected.
 * CRC32 covers every header in an .xz file and often the data too (Linux
 * kernels), so it uses Node's native zlib.crc32 (Node >= 20.15); CRC64 is
 * table-driven here, eight bytes at a time on two 32-bit halves (no BigInt).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

const CRC64_POLY_HI = 0xc96c5795;
const CRC64_POLY_LO = 0xd7870f42;

/**
 * CRC64 tables for slicing by 8, as 32-bit halves: entry k * 256 + n is the
 * CRC of byte n followed by k zero bytes.
 */
const CRC64_HI = new Int32Array(8 * 256);
const CRC64_LO = new Int32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = (lo >>> 1) | (hi << 31);
    hi >>>= 1;
    if (carry) {
      hi ^= CRC64_POLY_HI;
      lo ^= CRC64_POLY_LO;
    }
  }
  CRC64_HI[n] = hi;
  CRC64_LO[n] = lo;
}
for (let k = 1; k < 8; k++) {
  for (let n = 0; n < 256; n++) {
    const hi = CRC64_HI[(k - 1) * 256 + n];
    const lo = CRC64_LO[(k - 1) * 256 + n];
    const t = lo & 0xff;
    CRC64_HI[k * 256 + n] = (hi >>> 8) ^ CRC64_HI[t];
    CRC64_LO[k * 256 + n] = ((lo >>> 8) | (hi << 24)) ^ CRC64_LO[t];
  }
}

/** CRC32 of data[start, end), as an unsigned number (zlib's, which is the same CRC). */
export function crc32(data: Uint8Array, start: number, end: number): number {
  return zlibCrc32(data.subarray(start, end));
}

/**
 * CRC64 of data[start, end), stored little-endian at out[at, at + 8)
 * (the byte order of the .xz Check field).
 */
export function crc64Into(data: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
  const th = CRC64_HI;
  const tl = CRC64_LO;
  let hi = -1;
  let lo = -1;
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    lo ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    hi ^= data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24);
    const a = 1792 + (lo & 0xff);
    const b = 1536 + ((lo >>> 8) & 0xff);
    const c = 1280 + ((lo >>> 16) & 0xff);
    const d = 1024 + (lo >>> 24);
    const e = 768 + (hi & 0xff);
    const f = 512 + ((hi >>> 8) & 0xff);
    const g = 256 + ((hi >>> 16) & 0xff);
    const h = hi >>> 24;
    lo = tl[a] ^ tl[b] ^ tl[c] ^ tl[d] ^ tl[e] ^ tl[f] ^ tl[g] ^ tl[h];
    hi = th[a] ^ th[b] ^ th[c] ^ th[d] ^ th[e] ^ th[f] ^ th[g] ^ th[h];
  }
  for (; i < end; i++) {
    const n = (lo ^ data[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ tl[n];
    hi = (hi >>> 8) ^ th[n];
  }
  lo = ~lo;
  hi = ~hi;
  for (let k = 0; k < 4; k++) {
    out[at + k] = lo >>> (8 * k);
    out[at + 4 + k] = hi >>> (8 * k);
  }
}
