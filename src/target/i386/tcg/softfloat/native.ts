/*
 * Views for moving float bit patterns in and out of JS numbers without allocation,
 * used by the fast paths: when the rounding mode is round-to-nearest-even and the
 * operands and result are normal numbers, the host's own IEEE double arithmetic gives
 * the x86 result, and an error-free transformation tells whether it was inexact.
 * Everything else takes the exact soft-float path.
 */
export const F64 = new Float64Array(2);
export const F32 = new Float32Array(F64.buffer, 0, 2);
export const U32 = new Uint32Array(F64.buffer);

/* Word order inside a double: the fast paths assume a little-endian host (x86, Arm). */
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('softfloat: the fast paths need a little-endian host');
}

/** The double with bit pattern hi:lo (scratch slot 0). */
export function toF64(hi: number, lo: number): number {
  U32[1] = hi;
  U32[0] = lo;
  return F64[0];
}

/** The double's bit pattern: high word returned, low word in U32[0]. */
export function fromF64(d: number): number {
  F64[0] = d;
  return U32[1];
}

export function toF32(bits: number): number {
  U32[0] = bits;
  return F32[0];
}

export function fromF32(f: number): number {
  F32[0] = f;
  return U32[0];
}

/** Whether the double r is exactly a*b (Dekker's product; |a|, |b| < 2^996, no underflow). */
export function productExact(a: number, b: number, r: number): boolean {
  let c = 134217729 * a;
  const ah = c - (c - a), al = a - ah;
  c = 134217729 * b;
  const bh = c - (c - b), bl = b - bh;
  return r === a * b && ((ah * bh - r) + ah * bl + al * bh) + al * bl === 0;
}
