/*
 * The non-last filters of an .xz filter chain, decoding side.  Each works in
 * place on a whole block's output at once; both are streaming filters whose
 * result does not depend on how the data is split, so this equals what the
 * streaming decoders in XZ Utils produce.
 */

/** Bit n set: an E8/E9 may be converted when (prevMask >> 1) & 7 is n (n = 0, 1, 2, 4). */
const X86_ALLOWED_BITS = 0x17;

function isX86Imm32Top(b: number): boolean {
  return b === 0x00 || b === 0xff;
}

/**
 * Undoes the x86 BCJ filter on buf[start, end): the encoder turned the rel32
 * operands of CALL (E8) and JMP (E9) into absolute addresses so that LZMA
 * sees repeated targets; here they become relative again.  prevMask records
 * which of the last few bytes were E8/E9 opcodes, to skip the operands of
 * false positives exactly as the encoder did.  startOffset is the filter's
 * start-offset property (the address of buf[start]).
 */
export function x86BcjDecode(buf: Uint8Array, start: number, end: number, startOffset: number): void {
  let prevMask = 0;
  let prevPos = start - 5;
  const last = end - 5; // an operand needs the four bytes after its opcode
  // Most of the input has no E8/E9 byte: skip it four bytes at a time, with
  // words read from the aligned 32-bit view that covers buf.
  const misalign = buf.byteOffset & 3;
  const words = new Int32Array(buf.buffer, buf.byteOffset - misalign, (buf.length + misalign) >> 2);
  let p = start;
  while (p <= last) {
    if (((p + misalign) & 3) === 0) {
      const wordLast = last - 3;
      while (p <= wordLast) {
        // A byte of x is zero where buf has E8 or E9.
        const x = (words[(p + misalign) >> 2] & 0xfefefefe) ^ 0xe8e8e8e8;
        if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
        p += 4;
      }
      if (p > last) break;
    }
    if ((buf[p] & 0xfe) !== 0xe8) {
      p++;
      continue;
    }
    const gap = p - prevPos;
    prevPos = p;
    if (gap > 5) {
      prevMask = 0;
    } else {
      for (let k = 0; k < gap; k++) prevMask = (prevMask & 0x77) << 1;
    }
    const top = buf[p + 4];
    if (isX86Imm32Top(top) && ((X86_ALLOWED_BITS >>> ((prevMask >>> 1) & 7)) & 1) !== 0 && prevMask >>> 1 < 0x10) {
      let value = ((top << 24) | (buf[p + 3] << 16) | (buf[p + 2] << 8) | buf[p + 1]) >>> 0;
      const next = (startOffset + (p - start) + 5) >>> 0; // address after the instruction
      let rel: number;
      for (;;) {
        rel = (value - next) >>> 0;
        if (prevMask === 0) break;
        // Test again the operand byte that an earlier E8/E9 byte would have overlapped
        // (byte 1, 2 or 3 from the top, for prevMask >> 1 = 1, 2..3, 4..7).
        const m = prevMask >>> 1;
        const shift = m === 1 ? 16 : m <= 3 ? 8 : 0;
        if (!isX86Imm32Top((rel >>> shift) & 0xff)) break;
        value = (rel ^ (0xffffffff >>> (24 - shift))) >>> 0;
      }
      // Bits 31..25 of the result copy bit 24 (the operand stays sign-extended 25-bit).
      buf[p + 4] = (rel & 0x1000000) !== 0 ? 0xff : 0x00;
      buf[p + 3] = rel >>> 16;
      buf[p + 2] = rel >>> 8;
      buf[p + 1] = rel;
      p += 5;
      prevMask = 0;
    } else {
      p++;
      prevMask |= 1;
      if (isX86Imm32Top(top)) prevMask |= 0x10;
    }
  }
}

/** Undoes the Delta filter on buf[start, end): each byte was stored minus the byte `distance` before it. */
export function deltaDecode(buf: Uint8Array, start: number, end: number, distance: number): void {
  for (let p = start + distance; p < end; p++) buf[p] += buf[p - distance];
}
