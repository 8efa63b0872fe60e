/*
 * The wire format between the differential test and test/diff/harness.c, and the
 * deterministic data fill both sides use.  Must match struct tc_in / tc_out in harness.c.
 * A case is a fixed header followed by code_len code bytes.
 */
export const DATA_ADDR = 0x100000, DATA_SIZE = 0x2000;
export const CODE_ADDR = 0x200000, CODE_SIZE = 0x1000;
export const STACK_ADDR = 0x300000, STACK_SIZE = 0x1000;
/** Longest case (the exit stub follows it inside the code page). */
export const MAX_CODE = 2048;
export const MAX_DIFFS = 64;
export const IN_HDR = 4 + 4 + 4 + 4 + 16 * 8 + 8;
export const OUT_SIZE = 4 + 4 + 8 + 16 * 8 + 8 + 4 + 4 + MAX_DIFFS * 4;

export interface TestCase {
  /** The instruction form, for coverage and messages. */
  name: string;
  mode: 32 | 64;
  code: Uint8Array;
  seed: number;
  regs: bigint[];
  flags: bigint;
  /** EFLAGS bits to compare (SDM-undefined flags of this instance are removed). */
  flagMask: number;
  /** Registers whose value is undefined for this instance (not compared). */
  regMask?: number;
}

export interface TestResult {
  signo: number;
  rip: bigint;
  regs: bigint[];
  flags: bigint;
  /** The first MAX_DIFFS changed bytes of the data and stack regions: (offset << 8) | new byte. */
  diffs: number[];
  /** How many bytes changed in all, and a hash of both regions' final contents (memHash). */
  ndiffTotal: number;
  hash: number;
  /** Instructions our CPU executed (0 for the host). */
  insns?: number;
}

export function encodedSize(tc: TestCase): number {
  return IN_HDR + tc.code.length;
}

/** Writes the case at `off`; returns the offset after it. */
export function encodeCase(tc: TestCase, buf: Buffer, off: number): number {
  if (tc.code.length > MAX_CODE) throw new Error(`${tc.name}: ${tc.code.length} code bytes (max ${MAX_CODE})`);
  buf.writeUInt32LE(tc.mode, off);
  buf.writeUInt32LE(tc.code.length, off + 4);
  buf.writeUInt32LE(tc.seed >>> 0, off + 8);
  buf.writeUInt32LE(0, off + 12);
  for (let i = 0; i < 16; i++) buf.writeBigUInt64LE(BigInt.asUintN(64, tc.regs[i]), off + 16 + 8 * i);
  buf.writeBigUInt64LE(tc.flags, off + 16 + 128);
  Buffer.from(tc.code.buffer, tc.code.byteOffset, tc.code.length).copy(buf, off + IN_HDR);
  return off + IN_HDR + tc.code.length;
}

export function decodeResult(buf: Buffer, off: number): TestResult {
  const signo = buf.readUInt32LE(off);
  const ndiff = buf.readUInt32LE(off + 4);
  const rip = buf.readBigUInt64LE(off + 8);
  const regs: bigint[] = [];
  for (let i = 0; i < 16; i++) regs.push(buf.readBigUInt64LE(off + 16 + 8 * i));
  const flags = buf.readBigUInt64LE(off + 16 + 128);
  const ndiffTotal = buf.readUInt32LE(off + 16 + 136);
  const hash = buf.readUInt32LE(off + 16 + 140);
  const diffs: number[] = [];
  for (let i = 0; i < ndiff; i++) diffs.push(buf.readUInt32LE(off + 16 + 144 + 4 * i));
  return { signo, rip, regs, flags, diffs, ndiffTotal, hash };
}

/** The LCG fill (harness.c fill()): data region then stack region. */
export function fillBytes(seed: number, out: Uint8Array): void {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
}

/** FNV-1a (32-bit) over the final data region then the stack region (harness.c mem_hash()). */
export function memHash(data: Uint8Array, stack: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  for (let i = 0; i < stack.length; i++) h = Math.imul(h ^ stack[i], 0x01000193);
  return h >>> 0;
}
