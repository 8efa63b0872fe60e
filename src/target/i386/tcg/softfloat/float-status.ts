/*
 * The state one soft-float unit carries between operations: rounding control, precision
 * control (x87), DAZ/FTZ (SSE), the sticky exception flags, and the result registers.
 *
 * The CPU keeps one FloatStatus for SSE (MXCSR) and one for the x87 (control word); every
 * operation reads its modes from it, ORs its exceptions into `flags`, and leaves wide
 * results in `se`/`hi`/`lo`, so the hot path allocates nothing.
 */

/* Rounding control, encoded as in MXCSR.RC and the x87 control word's RC field. */
export const ROUND_NEAREST_EVEN = 0;
export const ROUND_DOWN = 1;
export const ROUND_UP = 2;
export const ROUND_TO_ZERO = 3;

/* Exception flags, at the bit positions of both MXCSR[5:0] and the x87 status word[5:0]. */
export const FLAG_INVALID = 0x01; /* IE */
export const FLAG_DENORMAL = 0x02; /* DE: a denormal operand */
export const FLAG_DIVBYZERO = 0x04; /* ZE */
export const FLAG_OVERFLOW = 0x08; /* OE */
export const FLAG_UNDERFLOW = 0x10; /* UE */
export const FLAG_INEXACT = 0x20; /* PE */

/* Float comparison relations (QEMU's FloatRelation, shifted to be non-negative). */
export const REL_LESS = 0;
export const REL_EQUAL = 1;
export const REL_GREATER = 2;
export const REL_UNORDERED = 3;

/** EFLAGS (ZF 0x40, PF 0x04, CF 0x01) for COMISS/UCOMISS and FCOMI/FUCOMI from a relation. */
export function relationToEflags(rel: number): number {
  return rel === REL_UNORDERED ? 0x45 : rel === REL_LESS ? 0x01 : rel === REL_EQUAL ? 0x40 : 0;
}

export class FloatStatus {
  /** ROUND_* */
  roundingMode = ROUND_NEAREST_EVEN;
  /** x87 precision control in significand bits: 24, 53 or 64 (SSE ignores it). */
  precision = 64;
  /** MXCSR.FZ: tiny results become zero (SSE only). */
  flushToZero = false;
  /** MXCSR.DAZ: denormal operands read as zero (SSE only). */
  denormalsAreZero = false;
  /**
   * The underflow exception is masked (MXCSR.UM / control word UM).  When it is not, every
   * tiny result reports UE (PE only if rounding to full precision was inexact), FTZ does
   * not apply, and the x87 result carries its exponent biased by +24576.
   */
  underflowMasked = true;
  /**
   * The overflow exception is masked.  When it is not, an overflow reports OE (PE only if
   * rounding to full precision was inexact) and the x87 result carries its exponent
   * biased by -24576 instead of becoming infinity or the largest finite number.
   */
  overflowMasked = true;
  /** Sticky FLAG_* bits; operations only OR into it. */
  flags = 0;
  /** x87 C1 after a rounded result: 1 when the result was rounded away from zero. */
  c1 = 0;
  /** Result registers: float64 in hi:lo; floatx80 in se (sign+exponent), hi:lo (significand). */
  se = 0;
  hi = 0;
  lo = 0;
  /** Second floatx80 result (FXTRACT's exponent, FSINCOS's sine). */
  se2 = 0;
  hi2 = 0;
  lo2 = 0;

  /** Load rounding control, DAZ, FTZ and the UE/OE masks from an MXCSR value (flags are left alone). */
  setMxcsrControl(mxcsr: number): void {
    this.roundingMode = (mxcsr >>> 13) & 3;
    this.flushToZero = (mxcsr & 0x8000) !== 0;
    this.denormalsAreZero = (mxcsr & 0x40) !== 0;
    this.underflowMasked = (mxcsr & 0x800) !== 0;
    this.overflowMasked = (mxcsr & 0x400) !== 0;
  }

  /** Load rounding and precision control and the UE/OE masks from an x87 control word. */
  setX87Control(fcw: number): void {
    this.roundingMode = (fcw >>> 10) & 3;
    const pc = (fcw >>> 8) & 3;
    /* PC=01 is reserved; it is treated as 64-bit, as QEMU does. */
    this.precision = pc === 0 ? 24 : pc === 2 ? 53 : 64;
    this.flushToZero = false;
    this.denormalsAreZero = false;
    this.underflowMasked = (fcw & 0x10) !== 0;
    this.overflowMasked = (fcw & 0x08) !== 0;
  }
}
