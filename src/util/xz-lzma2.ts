/*
 * LZMA2 decoder (the last filter of every .xz block), written from the LZMA
 * algorithm as specified by the LZMA SDK / XZ Utils documentation.
 *
 * The caller decodes a whole block into one output buffer, so the output
 * itself is the dictionary: a match copies from out[op - rep0 - 1] and no
 * circular window is kept.  Distances are still limited to the declared
 * dictionary size and to the bytes since the last dictionary reset, as
 * liblzma does, so streams it rejects are rejected here too.
 *
 * The range decoder lives in local variables of decodeChunk(); each binary
 * decision is written out in place (no helper calls, no closures) because it
 * runs tens of millions of times per kernel.  range and code are plain
 * 32-bit values held in int32 variables (compared unsigned via SIGN), so the
 * JIT keeps them in machine registers as words.
 */
import { XzError } from './xz-error.js';

// Layout of the probability array (11-bit probabilities, initial value 1024).
const IS_MATCH = 0; // [state][posState]: 12 x 16
const IS_REP = 192; // [state]
const IS_REP_G0 = 204;
const IS_REP_G1 = 216;
const IS_REP_G2 = 228;
const IS_REP0_LONG = 240; // [state][posState]
const POS_SLOT = 432; // [lenState 0..3][64]
const SPEC_POS = 688; // reverse bit trees of distance slots 4..13, 114 in all
const ALIGN = 802; // 4-bit reverse tree for the low distance bits of slots >= 14
const LEN_MATCH = 818; // length coder of plain matches
const LEN_REP = 1332; // length coder of repeated matches
const LITERAL = 1846; // 0x300 per literal coder, 1 << (lc + lp) coders
// Within one length coder.
const LEN_CHOICE = 0;
const LEN_CHOICE2 = 1;
const LEN_LOW = 2; // [posState][8]: lengths 2..9
const LEN_MID = 130; // [posState][8]: lengths 10..17
const LEN_HIGH = 258; // [256]: lengths 18..273
const PROBS_SIZE = LITERAL + (0x300 << 4); // LZMA2 limits lc + lp to 4

const PROB_INIT = 1024;
/** XOR with this turns an unsigned 32-bit comparison into a signed one. */
const SIGN = -0x80000000;

function corrupt(what: string): never {
  throw new XzError(`compressed data is corrupt (${what})`);
}

export class Lzma2Decoder {
  private readonly probs = new Uint16Array(PROBS_SIZE);
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  private dictStart = 0;
  private dictSize = 0;
  /** After decode(): input offset just past the LZMA2 end marker. */
  inPos = 0;
  /** After decode(): output offset just past the last decoded byte. */
  outPos = 0;

  /**
   * Decodes one LZMA2 stream from inp[inPos, inEnd) into out[outPos, outEnd),
   * up to and including its end marker.  out[outPos, outEnd) must be free.
   */
  decode(inp: Uint8Array, inPos: number, inEnd: number, out: Uint8Array, outPos: number, outEnd: number,
    dictSize: number): void {
    // Distances are int32 here; an output buffer never reaches 2 GiB, so larger sizes act alike.
    this.dictSize = Math.min(dictSize, 0x7fffffff);
    this.dictStart = outPos;
    let ip = inPos;
    let op = outPos;
    let needDictReset = true;
    let needProps = true;
    for (;;) {
      if (ip >= inEnd) corrupt('LZMA2 data is truncated');
      const control = inp[ip++];
      if (control === 0x00) break;
      if (control >= 0xe0 || control === 0x01) {
        // A dictionary reset also requires the next LZMA chunk to set properties.
        needProps = true;
        needDictReset = false;
        this.dictStart = op;
      } else if (needDictReset) {
        corrupt('LZMA2 data does not begin with a dictionary reset');
      }
      if (control >= 0x80) {
        if (inEnd - ip < 4) corrupt('LZMA2 chunk header is truncated');
        const usize = ((control & 0x1f) << 16) + (inp[ip] << 8) + inp[ip + 1] + 1;
        const csize = (inp[ip + 2] << 8) + inp[ip + 3] + 1;
        ip += 4;
        if (control >= 0xc0) {
          if (ip >= inEnd) corrupt('LZMA2 chunk header is truncated');
          this.setProperties(inp[ip++]);
          needProps = false;
          this.resetState();
        } else if (needProps) {
          corrupt('LZMA2 chunk without LZMA properties');
        } else if (control >= 0xa0) {
          this.resetState();
        }
        if (usize > outEnd - op) corrupt('more data than the declared uncompressed size');
        if (csize > inEnd - ip) corrupt('LZMA2 chunk is truncated');
        this.decodeChunk(inp, ip, ip + csize, out, op, op + usize);
        ip += csize;
        op += usize;
      } else {
        if (control > 0x02) corrupt(`invalid LZMA2 control byte 0x${control.toString(16)}`);
        if (inEnd - ip < 2) corrupt('LZMA2 chunk header is truncated');
        const usize = (inp[ip] << 8) + inp[ip + 1] + 1;
        ip += 2;
        if (usize > inEnd - ip) corrupt('LZMA2 chunk is truncated');
        if (usize > outEnd - op) corrupt('more data than the declared uncompressed size');
        out.set(inp.subarray(ip, ip + usize), op);
        ip += usize;
        op += usize;
      }
    }
    this.inPos = ip;
    this.outPos = op;
  }

  private setProperties(props: number): void {
    if (props >= 9 * 5 * 5) corrupt('invalid LZMA properties');
    const lc = props % 9;
    const rest = (props - lc) / 9;
    const lp = rest % 5;
    if (lc + lp > 4) corrupt('LZMA2 requires lc + lp <= 4');
    this.lc = lc;
    this.lp = lp;
    this.pb = (rest - lp) / 5;
  }

  private resetState(): void {
    this.probs.fill(PROB_INIT, 0, LITERAL + (0x300 << (this.lc + this.lp)));
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  /**
   * Decodes one LZMA chunk: exactly out[op, outEnd) from exactly inp[ip, inEnd).
   * A chunk starts a fresh range decoder and must end with it normalized and
   * its code at zero; no match may run past the chunk's end.
   */
  private decodeChunk(inp: Uint8Array, ip: number, inEnd: number, out: Uint8Array, op: number,
    outEnd: number): void {
    const probs = this.probs;
    const lc = this.lc;
    const litShift = 8 - lc;
    const lpMask = (1 << this.lp) - 1;
    const pbMask = (1 << this.pb) - 1;
    const dictStart = this.dictStart;
    const dictSize = this.dictSize;
    let state = this.state;
    let rep0 = this.rep0;
    let rep1 = this.rep1;
    let rep2 = this.rep2;
    let rep3 = this.rep3;

    if (inEnd - ip < 5) corrupt('LZMA chunk is too short');
    if (inp[ip] !== 0) corrupt('range coder does not start with a zero byte');
    let code = (inp[ip + 1] << 24) | (inp[ip + 2] << 16) | (inp[ip + 3] << 8) | inp[ip + 4];
    let range = -1; // 0xFFFFFFFF
    ip += 5;

    let i = 0;
    let prob = 0;
    let bound = 0;
    let bit = 0;
    let sym = 0;

    while (op < outEnd) {
      const posState = (op - dictStart) & pbMask;

      i = IS_MATCH + (state << 4) + posState;
      prob = probs[i]; bound = Math.imul(range >>> 11, prob);
      if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
      if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }

      if (bit === 0) {
        // Literal: coder chosen by the previous byte's high bits and the position's low bits.
        const prev = op > dictStart ? out[op - 1] : 0;
        const base = LITERAL + 0x300 * ((((op - dictStart) & lpMask) << lc) + (prev >> litShift));
        sym = 1;
        if (state < 7) {
          do {
            i = base + sym;
            prob = probs[i]; bound = Math.imul(range >>> 11, prob);
            if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
            if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
            sym = (sym << 1) | bit;
          } while (sym < 0x100);
        } else {
          // After a match, the byte at rep0 selects the probabilities while the bits agree with it.
          let matchByte = out[op - rep0 - 1];
          let offs = 0x100;
          do {
            matchByte <<= 1;
            const matchBit = matchByte & offs;
            i = base + offs + matchBit + sym;
            prob = probs[i]; bound = Math.imul(range >>> 11, prob);
            if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
            if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
            sym = (sym << 1) | bit;
            offs &= bit === 0 ? ~matchBit : matchBit;
          } while (sym < 0x100);
        }
        out[op++] = sym;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }

      i = IS_REP + state;
      prob = probs[i]; bound = Math.imul(range >>> 11, prob);
      if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
      if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }

      const isRep = bit;
      let lenCoder = LEN_MATCH;
      if (isRep !== 0) {
        i = IS_REP_G0 + state;
        prob = probs[i]; bound = Math.imul(range >>> 11, prob);
        if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
        if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
        if (bit === 0) {
          i = IS_REP0_LONG + (state << 4) + posState;
          prob = probs[i]; bound = Math.imul(range >>> 11, prob);
          if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
          if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
          if (bit === 0) {
            // Short rep: one byte from distance rep0.
            if (rep0 >= op - dictStart) corrupt('match distance beyond the dictionary');
            state = state < 7 ? 9 : 11;
            out[op] = out[op - rep0 - 1];
            op++;
            continue;
          }
        } else {
          i = IS_REP_G1 + state;
          prob = probs[i]; bound = Math.imul(range >>> 11, prob);
          if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
          if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
          let dist: number;
          if (bit === 0) {
            dist = rep1;
          } else {
            i = IS_REP_G2 + state;
            prob = probs[i]; bound = Math.imul(range >>> 11, prob);
            if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
            if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
            if (bit === 0) {
              dist = rep2;
            } else {
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
        state = state < 7 ? 8 : 11;
        lenCoder = LEN_REP;
      }

      // Match length: 2..9 (low tree), 10..17 (mid tree) or 18..273 (high tree).
      i = lenCoder + LEN_CHOICE;
      prob = probs[i]; bound = Math.imul(range >>> 11, prob);
      if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
      if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
      let tree: number;
      let treeEnd: number;
      let len: number;
      if (bit === 0) {
        tree = lenCoder + LEN_LOW + (posState << 3);
        treeEnd = 8;
        len = 2 - 8;
      } else {
        i = lenCoder + LEN_CHOICE2;
        prob = probs[i]; bound = Math.imul(range >>> 11, prob);
        if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
        if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
        if (bit === 0) {
          tree = lenCoder + LEN_MID + (posState << 3);
          treeEnd = 8;
          len = 10 - 8;
        } else {
          tree = lenCoder + LEN_HIGH;
          treeEnd = 256;
          len = 18 - 256;
        }
      }
      sym = 1;
      do {
        i = tree + sym;
        prob = probs[i]; bound = Math.imul(range >>> 11, prob);
        if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
        if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
        sym = (sym << 1) | bit;
      } while (sym < treeEnd);
      len += sym;

      if (isRep === 0) {
        // Plain match: a new distance, decoded as a 6-bit slot plus extra bits.
        state = state < 7 ? 7 : 10;
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        tree = POS_SLOT + ((len < 6 ? len - 2 : 3) << 6);
        sym = 1;
        do {
          i = tree + sym;
          prob = probs[i]; bound = Math.imul(range >>> 11, prob);
          if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
          if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
          sym = (sym << 1) | bit;
        } while (sym < 64);
        const slot = sym - 64;
        if (slot < 4) {
          rep0 = slot;
        } else {
          const extra = (slot >>> 1) - 1;
          // int32 arithmetic throughout: a distance with bit 31 set comes out negative and is rejected below.
          let dist = (2 | (slot & 1)) << extra;
          if (slot < 14) {
            // All extra bits through a reverse bit tree.
            tree = SPEC_POS + dist - slot - 1;
            sym = 1;
            for (let k = 0; k < extra; k++) {
              i = tree + sym;
              prob = probs[i]; bound = Math.imul(range >>> 11, prob);
              if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
              if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
              sym = (sym << 1) | bit;
              dist = (dist + (bit << k)) | 0;
            }
          } else {
            // extra - 4 bits with fixed probability 1/2, then 4 through the align tree.
            let direct = 0;
            for (let k = extra - 4; k > 0; k--) {
              range = range >>> 1;
              if ((code ^ SIGN) >= (range ^ SIGN)) { code = (code - range) | 0; direct = (direct << 1) | 1; } else { direct <<= 1; }
              if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
            }
            dist = (dist + (direct << 4)) | 0;
            sym = 1;
            for (let k = 0; k < 4; k++) {
              i = ALIGN + sym;
              prob = probs[i]; bound = Math.imul(range >>> 11, prob);
              if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = prob + ((2048 - prob) >> 5); bit = 0; } else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >> 5); bit = 1; }
              if (range >>> 24 === 0) { if (ip >= inEnd) corrupt('LZMA chunk overrun'); range <<= 8; code = (code << 8) | inp[ip++]; }
              sym = (sym << 1) | bit;
              dist = (dist + (bit << k)) | 0;
            }
          }
          rep0 = dist;
        }
      }

      // rep0 < 0 also rejects the end-of-payload marker (0xFFFFFFFF), invalid in LZMA2.
      if (rep0 < 0 || rep0 >= op - dictStart || rep0 >= dictSize) corrupt('match distance beyond the dictionary');
      if (len > outEnd - op) corrupt('match runs past the end of the chunk');
      let src = op - rep0 - 1;
      const end = op + len;
      if (len > 64 && rep0 >= len) {
        out.copyWithin(op, src, src + len);
        op = end;
      } else {
        // Forward byte order, so an overlapping match (rep0 < len) repeats its pattern.
        while (end - op >= 4) {
          out[op] = out[src];
          out[op + 1] = out[src + 1];
          out[op + 2] = out[src + 2];
          out[op + 3] = out[src + 3];
          op += 4;
          src += 4;
        }
        while (op < end) out[op++] = out[src++];
      }
    }

    if (ip !== inEnd || code !== 0) corrupt('LZMA chunk does not end where its header says');
    this.state = state;
    this.rep0 = rep0;
    this.rep1 = rep1;
    this.rep2 = rep2;
    this.rep3 = rep3;
  }
}
