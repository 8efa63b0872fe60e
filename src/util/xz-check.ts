/*
 * Integrity checks of the .xz format: CRC32 (the IEEE 802.3 polynomial, as
 * in zlib) and CRC64 (the ECMA-182 polynomial), both bit-reflected.
 * CRC32 covers every header in an .xz file and often the data too (Linux
 * kernels), so it uses Node's native zlib.crc32 (Node >= 20.15); CRC64 is
 * table-driven here, bytewise on two 32-bit halves (no BigInt).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

const CRC64_POLY_HI = 0xc96c5795;
const CRC64_POLY_LO = 0xd7870f42;

const CRC64_TABLE_HI = new Int32Array(256);
const CRC64_TABLE_LO = new Int32Array(256);
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
  CRC64_TABLE_HI[n] = hi;
  CRC64_TABLE_LO[n] = lo;
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
  let hi = -1;
  let lo = -1;
  for (let i = start; i < end; i++) {
    const n = (lo ^ data[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ CRC64_TABLE_LO[n];
    hi = (hi >>> 8) ^ CRC64_TABLE_HI[n];
  }
  lo = ~lo;
  hi = ~hi;
  for (let k = 0; k < 4; k++) {
    out[at + k] = lo >>> (8 * k);
    out[at + 4 + k] = hi >>> (8 * k);
  }
}
