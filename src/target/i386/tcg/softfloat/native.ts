/*
 * Views for moving float bit patterns in and out of JS numbers without allocation,
 * used by the fast paths: when the rounding mode is round-to-nearest-even and the
 * operands and result are normal numbers, the host's own IEEE double arithmetic gives
 * the x86 result, and an error-free transformation tells whether it was inexact.
 * Everything else takes the exact soft-float path.
 */
export const F64 = new Float64Array(4);
const F32 = new Float32Array(F64.buffer, 0, 2);
export const U32 = new Uint32Array(F64.buffer);
const I32 = new Int32Array(F64.buffer);

/* Word order inside a double: the fast paths assume a little-endian host (x86, Arm). */
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('softfloat: the fast paths need a little-endian host');
}

/** Load the doubles with bit patterns aHi:aLo and bHi:bLo into F64[0] and F64[1]. */
export function loadF64Pair(aHi: number, aLo: number, bHi: number, bLo: number): void {
  U32[1] = aHi;
  U32[0] = aLo;
  U32[3] = bHi;
  U32[2] = bLo;
}

export function toF32(bits: number): number {
  U32[0] = bits;
  return F32[0];
}

/** The float32 bit pattern of f, as an int32. */
export function fromF32(f: number): number {
  F32[0] = f;
  return I32[0];
}

/**
 * The exact error F64[0] * F64[1] - F64[2] when F64[2] is the rounded product (Dekker;
 * |a|, |b| < 2^996 and no underflow).  Operands travel in the scratch array so that no
 * double is boxed.
 */
export function productError(): number {
  const a = F64[0], b = F64[1], r = F64[2];
  let c = 134217729 * a;
  const ah = c - (c - a), al = a - ah;
  c = 134217729 * b;
  const bh = c - (c - b), bl = b - bh;
  return ((ah * bh - r) + ah * bl + al * bh) + al * bl;
}
