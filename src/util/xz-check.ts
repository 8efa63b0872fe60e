/*
 * Integrity checks of the .xz format: CRC32 (the IEEE 802.3 polynomial, as
 * in zlib) and CRC64 (the ECMA-182 polynomial), both bit-reflected.
 * CRC32 covers every header in an .xz file and often the data too, so it is
 * table-driven eight bytes at a time; CRC64 works bytewise on two 32-bit
 * halves (no BigInt).
 */

const CRC32_POLY = 0xedb88320;
const CRC64_POLY_HI = 0xc96c5795;
const CRC64_POLY_LO = 0xd7870f42;

/** CRC32 tables for slicing by 8: table k maps a byte to its CRC after k further zero bytes. */
const CRC32_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32_POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
})();

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

/** CRC32 of data[start, end), as an unsigned number. */
export function crc32(data: Uint8Array, start: number, end: number): number {
  const t = CRC32_TABLES;
  let c = -1;
  let i = start;
  for (const stop = end - 8; i <= stop; i += 8) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)]
      ^ t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
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
