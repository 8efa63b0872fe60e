/*
 * .xz decoder (the .xz file format, version 1.x, as produced by XZ Utils).
 *
 * The whole input is in memory, so the container is read from both ends:
 * first each stream's footer and index (walking back from the end of the
 * input) give the exact uncompressed size of every block, which sizes the
 * one output buffer; then every stream is decoded forwards and each block is
 * checked against its header, its index record and its integrity check.
 * The LZMA2 decoder writes straight into the output, which doubles as its
 * dictionary.
 *
 * Supported: concatenated streams and stream padding; blocks with LZMA2
 * behind up to three of the x86 BCJ and Delta filters; checks None, CRC32,
 * CRC64 and SHA-256.  Other BCJ filters (ARM, PowerPC, ...) and the reserved
 * check IDs are rejected with an error (xz decodes them, the latter unchecked
 * with a warning).
 */
import { createHash } from 'node:crypto';
import { XzError } from './xz-error.js';
import { Lzma2Decoder } from './xz-lzma2.js';
import { crc32, crc64Into } from './xz-check.js';
import { deltaDecode, x86BcjDecode } from './xz-filters.js';

export { XzError } from './xz-error.js';

/** Largest output xzDecompress() produces unless told otherwise: 1 GiB. */
export const XZ_DEFAULT_MAX_OUTPUT = 1 << 30;

/** The LZMA2 decoder indexes the output with int32 arithmetic. */
const XZ_MAX_OUTPUT = 0x7fffffff;

const STREAM_HEADER_SIZE = 12;
const STREAM_FOOTER_SIZE = 12;

const CHECK_NONE = 0x00;
const CHECK_CRC32 = 0x01;
const CHECK_CRC64 = 0x04;
const CHECK_SHA256 = 0x0a;

function checkSize(checkType: number): number {
  return checkType === CHECK_NONE ? 0 : checkType === CHECK_CRC32 ? 4 : checkType === CHECK_CRC64 ? 8 : 32;
}

const FILTER_DELTA = 0x03;
const FILTER_X86 = 0x04;
const FILTER_LZMA2 = 0x21;

/** What the footer and index of one stream say about it. */
interface StreamLayout {
  start: number;
  indexStart: number;
  checkType: number;
  /** Per block: Block Header + Compressed Data + Check sizes (no padding). */
  unpaddedSizes: number[];
  uncompressedSizes: number[];
  uncompressedTotal: number;
}

interface Filter {
  id: number;
  /** Delta: distance; x86: start offset. */
  arg: number;
}

function corrupt(what: string): never {
  throw new XzError(`file is corrupt (${what})`);
}

function readU32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

/** True if data begins with the .xz stream header magic FD 37 7A 58 5A 00. */
export function xzIsStream(data: Uint8Array): boolean {
  return data.length >= 6 && data[0] === 0xfd && data[1] === 0x37 && data[2] === 0x7a && data[3] === 0x58
    && data[4] === 0x5a && data[5] === 0x00;
}

/** Where the last readVli() stopped. */
let vliEnd = 0;

/** Reads a variable-length integer (1..9 bytes, 7 bits each, minimal) from buf[pos, end). */
function readVli(buf: Uint8Array, pos: number, end: number, what: string): number {
  let value = 0;
  let scale = 1;
  for (let n = 0; n < 9; n++) {
    if (pos >= end) corrupt(`${what} is truncated`);
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (b === 0 && n > 0) corrupt(`${what} is not minimally encoded`);
      vliEnd = pos;
      return value;
    }
    scale *= 128;
  }
  return corrupt(`${what} is too large`);
}

/** Validates the two Stream Flags bytes and returns the check ID. */
function streamCheckType(buf: Uint8Array, at: number): number {
  if (buf[at] !== 0 || (buf[at + 1] & 0xf0) !== 0) throw new XzError('unsupported stream flags (newer .xz format?)');
  const checkType = buf[at + 1];
  if (checkType !== CHECK_NONE && checkType !== CHECK_CRC32 && checkType !== CHECK_CRC64 && checkType !== CHECK_SHA256) {
    throw new XzError(`unsupported integrity check type ${checkType}`);
  }
  return checkType;
}

/** Walks back from the end of the input over stream padding, footers and indexes. */
function locateStreams(input: Uint8Array): StreamLayout[] {
  const streams: StreamLayout[] = [];
  let end = input.length;
  if (end % 4 !== 0) throw new XzError('input is truncated or has trailing data (size is not a multiple of 4)');
  while (end > 0) {
    while (end >= 4 && readU32(input, end - 4) === 0) end -= 4; // stream padding
    if (end === 0) break;
    if (end < STREAM_HEADER_SIZE + STREAM_FOOTER_SIZE) throw new XzError('input is truncated');
    const footer = end - STREAM_FOOTER_SIZE;
    if (input[footer + 10] !== 0x59 || input[footer + 11] !== 0x5a) {
      throw new XzError('input is truncated or has trailing data (no stream footer at its end)');
    }
    if (crc32(input, footer + 4, footer + 10) !== readU32(input, footer)) corrupt('stream footer CRC32 mismatch');
    const checkType = streamCheckType(input, footer + 8);
    const indexSize = (readU32(input, footer + 4) + 1) * 4;
    const indexStart = footer - indexSize;
    if (indexStart < STREAM_HEADER_SIZE) corrupt('index size points before the stream');

    // Index: indicator 0x00, record count, records, padding, CRC32.
    if (input[indexStart] !== 0) corrupt('index indicator missing');
    const indexCrcAt = footer - 4;
    const count = readVli(input, indexStart + 1, indexCrcAt, 'index record count');
    let p = vliEnd;
    if (count > (indexCrcAt - p) / 2) corrupt('index record count larger than the index');
    const unpaddedSizes: number[] = [];
    const uncompressedSizes: number[] = [];
    let blocksSize = 0;
    let uncompressedTotal = 0;
    for (let n = 0; n < count; n++) {
      const unpadded = readVli(input, p, indexCrcAt, 'index record');
      const uncompressed = readVli(input, vliEnd, indexCrcAt, 'index record');
      p = vliEnd;
      if (unpadded < 5) corrupt('index record with an impossible block size');
      unpaddedSizes.push(unpadded);
      uncompressedSizes.push(uncompressed);
      blocksSize += Math.ceil(unpadded / 4) * 4;
      uncompressedTotal += uncompressed;
    }
    while ((p - indexStart) % 4 !== 0) {
      if (p >= indexCrcAt || input[p] !== 0) corrupt('index padding');
      p++;
    }
    if (p !== indexCrcAt) corrupt('index size differs from the footer');
    if (crc32(input, indexStart, indexCrcAt) !== readU32(input, indexCrcAt)) corrupt('index CRC32 mismatch');

    const start = indexStart - blocksSize - STREAM_HEADER_SIZE;
    if (start < 0) corrupt('index describes more data than there is');
    if (!xzIsStream(input.subarray(start))) corrupt('no stream header where the index says it begins');
    if (crc32(input, start + 6, start + 8) !== readU32(input, start + 8)) corrupt('stream header CRC32 mismatch');
    if (input[start + 6] !== input[footer + 8] || input[start + 7] !== input[footer + 9]) {
      corrupt('stream header and footer flags differ');
    }
    streams.unshift({ start, indexStart, checkType, unpaddedSizes, uncompressedSizes, uncompressedTotal });
    end = start;
  }
  if (streams.length === 0) throw new XzError('no .xz stream in the input');
  if (streams[0].start !== 0) corrupt('data before the first stream');
  return streams;
}

/** Parses a Block Header's filter chain (LZMA2 last), returning the dictionary size. */
function parseFilters(input: Uint8Array, q: number, end: number, count: number, filters: Filter[]): number {
  let dictSize = 0;
  for (let n = 0; n < count; n++) {
    const id = readVli(input, q, end, 'filter ID');
    const propsSize = readVli(input, vliEnd, end, 'filter properties size');
    q = vliEnd;
    if (propsSize > end - q) corrupt('filter properties exceed the block header');
    const last = n === count - 1;
    if (last !== (id === FILTER_LZMA2)) {
      throw new XzError(last ? `unsupported filter chain (last filter 0x${id.toString(16)} is not LZMA2)`
        : 'unsupported filter chain (LZMA2 before the last filter)');
    }
    if (id === FILTER_LZMA2) {
      const d = input[q];
      if (propsSize !== 1 || d > 40) corrupt('invalid LZMA2 properties');
      dictSize = d === 40 ? 0xffffffff : (2 | (d & 1)) * 2 ** ((d >>> 1) + 11);
    } else if (id === FILTER_X86) {
      if (propsSize !== 0 && propsSize !== 4) corrupt('invalid x86 BCJ filter properties');
      filters.push({ id, arg: propsSize === 4 ? readU32(input, q) : 0 });
    } else if (id === FILTER_DELTA) {
      if (propsSize !== 1) corrupt('invalid Delta filter properties');
      filters.push({ id, arg: input[q] + 1 });
    } else {
      throw new XzError(`unsupported filter 0x${id.toString(16)}`);
    }
    q += propsSize;
  }
  for (; q < end; q++) if (input[q] !== 0) corrupt('block header padding');
  return dictSize;
}

function verifyCheck(checkType: number, data: Uint8Array, start: number, end: number, input: Uint8Array,
  at: number): void {
  if (checkType === CHECK_NONE) return;
  if (checkType === CHECK_CRC32) {
    if (crc32(data, start, end) !== readU32(input, at)) corrupt('CRC32 mismatch in the uncompressed data');
    return;
  }
  let expected: Uint8Array;
  if (checkType === CHECK_CRC64) {
    expected = new Uint8Array(8);
    crc64Into(data, start, end, expected, 0);
  } else {
    expected = createHash('sha256').update(data.subarray(start, end)).digest();
  }
  for (let k = 0; k < expected.length; k++) {
    if (input[at + k] !== expected[k]) corrupt(`${checkType === CHECK_CRC64 ? 'CRC64' : 'SHA-256'} mismatch in the uncompressed data`);
  }
}

/** Decodes the blocks of one located stream into out from offset op; returns the new offset. */
function decodeStream(input: Uint8Array, s: StreamLayout, out: Uint8Array, op: number, lzma2: Lzma2Decoder): number {
  const checkLength = checkSize(s.checkType);
  const filters: Filter[] = [];
  let p = s.start + STREAM_HEADER_SIZE;
  for (let b = 0; b < s.unpaddedSizes.length; b++) {
    if (p >= s.indexStart || input[p] === 0) corrupt('fewer blocks than index records');
    const headerSize = (input[p] + 1) * 4;
    const headerCrcAt = p + headerSize - 4;
    if (p + headerSize > s.indexStart) corrupt('block header runs into the index');
    if (crc32(input, p, headerCrcAt) !== readU32(input, headerCrcAt)) corrupt('block header CRC32 mismatch');
    const flags = input[p + 1];
    if ((flags & 0x3c) !== 0) throw new XzError('unsupported block flags (newer .xz format?)');
    let q = p + 2;
    let compressedSize = -1;
    let uncompressedSize = -1;
    if (flags & 0x40) {
      compressedSize = readVli(input, q, headerCrcAt, 'compressed size');
      q = vliEnd;
      if (compressedSize === 0) corrupt('zero compressed size');
    }
    if (flags & 0x80) {
      uncompressedSize = readVli(input, q, headerCrcAt, 'uncompressed size');
      q = vliEnd;
    }
    filters.length = 0;
    const dictSize = parseFilters(input, q, headerCrcAt, (flags & 3) + 1, filters);

    const size = s.uncompressedSizes[b];
    if (uncompressedSize >= 0 && uncompressedSize !== size) corrupt('block header and index disagree on the uncompressed size');
    const dataStart = p + headerSize;
    let dataLimit = s.indexStart;
    if (compressedSize >= 0) {
      if (compressedSize > dataLimit - dataStart) corrupt('compressed size runs into the index');
      dataLimit = dataStart + compressedSize;
    }
    lzma2.decode(input, dataStart, dataLimit, out, op, op + size, dictSize);
    if (lzma2.outPos !== op + size) corrupt('block is shorter than its index record says');
    const dataEnd = lzma2.inPos;
    if (compressedSize >= 0 && dataEnd !== dataLimit) corrupt('block data is shorter than its compressed size');
    for (let f = filters.length - 1; f >= 0; f--) {
      const filter = filters[f];
      if (filter.id === FILTER_X86) x86BcjDecode(out, op, op + size, filter.arg);
      else deltaDecode(out, op, op + size, filter.arg);
    }

    let checkAt = dataEnd;
    while ((checkAt - p) % 4 !== 0) {
      if (checkAt >= s.indexStart || input[checkAt] !== 0) corrupt('block padding');
      checkAt++;
    }
    if (checkAt + checkLength > s.indexStart) corrupt('block check runs into the index');
    if (headerSize + (dataEnd - dataStart) + checkLength !== s.unpaddedSizes[b]) {
      corrupt('block size differs from its index record');
    }
    verifyCheck(s.checkType, out, op, op + size, input, checkAt);
    p = checkAt + checkLength;
    op += size;
  }
  if (p !== s.indexStart) corrupt('more blocks than index records');
  return op;
}

/**
 * Decompresses a complete .xz file (one or more streams).  Throws an XzError
 * on corrupt, truncated or unsupported input, and when the output would be
 * larger than maxOutput bytes.  Like `xz -d`, it accepts nothing after the
 * last stream but stream padding: the payload of a Linux bzImage ends with
 * the 4-byte decompressed size (the build's size_append), which the caller
 * cuts off first.
 */
export function xzDecompress(input: Uint8Array, maxOutput: number = XZ_DEFAULT_MAX_OUTPUT): Uint8Array {
  if (input.length === 0) throw new XzError('input is empty');
  if (!xzIsStream(input)) throw new XzError('not an .xz file (no stream header magic)');
  const streams = locateStreams(input);
  let total = 0;
  for (const s of streams) total += s.uncompressedTotal;
  if (total > maxOutput) throw new XzError(`uncompressed size ${total} exceeds the limit of ${maxOutput} bytes`);
  if (total > XZ_MAX_OUTPUT) throw new XzError(`uncompressed size ${total} is too large (2 GiB or more)`);
  const out = new Uint8Array(total);
  const lzma2 = new Lzma2Decoder();
  let op = 0;
  for (const s of streams) op = decodeStream(input, s, out, op, lzma2);
  return out;
}
