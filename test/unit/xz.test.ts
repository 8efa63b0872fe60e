/*
 * xzDecompress against the real XZ Utils (`xz`, package xz-utils): inputs are
 * compressed by `xz` with many settings and our output must equal the input
 * byte for byte; corrupted and truncated files must throw exactly when
 * `xz -t` rejects them, and otherwise give `xz -dc`'s output.  A missing
 * `xz` fails the tests.  The last test decodes the Linux kernel payload of
 * .cache/guest/bzImage (XZ + x86 BCJ + LZMA2) when that file is present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { XzError, xzDecompress, xzIsStream } from '../../src/util/xz.js';
import { x86BcjDecode } from '../../src/util/xz-filters.js';

function runXz(args: string[], input?: Uint8Array): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('xz', args, { input, maxBuffer: 1 << 30 });
  if (r.status === null) throw new Error(`cannot run xz ${args.join(' ')} (is xz-utils installed?): ${r.error?.message} ${r.stderr}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

function xzCompress(data: Uint8Array, args: string[]): Uint8Array {
  const r = runXz(['-zc', ...args], data);
  assert.equal(r.status, 0, `xz -zc ${args.join(' ')} failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s;
  }
  return out;
}

function textBytes(n: number): Uint8Array {
  const words = ['qemu', 'machine', 'the', 'kernel', 'decompress', 'LZMA2', 'dictionary', 'of', 'a', 'block'];
  const rnd = randomBytes(n, 7);
  let s = '';
  for (let i = 0; s.length < n; i++) s += words[rnd[i % n] % words.length] + (rnd[(i * 3) % n] % 7 === 0 ? '.\n' : ' ');
  return new TextEncoder().encode(s.slice(0, n));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected), `${what}: contents differ`);
}

/** x86-64 machine code: the start of the node executable (a copy, not a Buffer view). */
const nodeBinary = new Uint8Array(readFileSync(process.execPath).subarray(0, 2 << 20));

test('xz: levels, filters, checks and LZMA properties round-trip through the xz CLI', () => {
  const text = textBytes(300_000);
  const mixed = concat([text.subarray(0, 100_000), randomBytes(150_000, 3), new Uint8Array(200_000),
    text.subarray(100_000), randomBytes(70_000, 9)]);
  const wave = new Uint8Array(200_000);
  for (let i = 0; i < wave.length; i += 2) {
    const v = Math.round(8000 * Math.sin(i / 40) + 3000 * Math.sin(i / 7)) & 0xffff;
    wave[i] = v;
    wave[i + 1] = v >> 8;
  }
  const cases: [Uint8Array, string, string[]][] = [
    [new Uint8Array(0), 'empty', []],
    [new Uint8Array([0x42]), 'one byte', []],
    [text, 'text', ['-0']],
    [text, 'text', ['-6']],
    [text, 'text', ['-9e']],
    [nodeBinary.subarray(0, 512 << 10), 'x86 code', ['-6']],
    [nodeBinary, 'x86 code', ['--x86', '--lzma2=preset=9e,dict=32MiB']],
    [nodeBinary.subarray(0, 700_000), 'x86 code', ['--x86=start=4096', '--lzma2=preset=1']],
    [nodeBinary.subarray(0, 700_000), 'x86 code', ['--x86', '--lzma2=preset=1', '--block-size=100001']],
    [randomBytes(300_000, 1), 'random', ['-6']],
    [mixed, 'mixed', ['-6']],
    [new Uint8Array(3 << 20), 'zeros', ['-6']],
    [new Uint8Array(100_000).fill(0x61), 'one repeated byte', ['-9']],
    [text, 'text', ['--check=crc32']],
    [text.subarray(0, 299_997), 'text of odd length', ['--check=crc64']],
    [text, 'text', ['--check=none']],
    [text, 'text', ['--check=sha256']],
    [mixed, 'mixed', ['--block-size=65536']],
    [mixed, 'mixed', ['--block-size=100000', '--check=crc32', '-1']],
    [text, 'text', ['--lzma2=preset=6,lc=0,lp=2,pb=0']],
    [text, 'text', ['--lzma2=preset=6,lc=4,lp=0,pb=4']],
    [nodeBinary.subarray(0, 300_000), 'x86 code', ['--lzma2=preset=6,lc=1,lp=3,pb=1']],
    [text, 'text', ['--lzma2=dict=4KiB']],
    [wave, '16-bit wave', ['--delta=dist=2', '--lzma2=preset=6']],
    [nodeBinary.subarray(0, 300_000), 'x86 code', ['--delta=dist=256', '--x86', '--lzma2']],
  ];
  for (const [data, name, args] of cases) {
    const xz = xzCompress(data, args);
    assert.ok(xzIsStream(xz));
    assertSameBytes(xzDecompress(xz), data, `${name} with xz ${args.join(' ')}`);
  }
});

test('xz: concatenated streams with stream padding', () => {
  const a = textBytes(50_000);
  const b = randomBytes(20_000, 5);
  const c = new Uint8Array(0);
  const file = concat([xzCompress(a, ['--check=crc64']), new Uint8Array(8), xzCompress(b, ['--check=none']),
    xzCompress(c, []), new Uint8Array(4), xzCompress(a, ['--block-size=10000', '--check=crc32']), new Uint8Array(12)]);
  const r = runXz(['-dc'], file);
  assert.equal(r.status, 0, r.stderr);
  assertSameBytes(xzDecompress(file), r.stdout, 'concatenation');
  assertSameBytes(r.stdout, concat([a, b, c, a]), 'xz -dc of the concatenation');
});

/** Wraps one block of raw LZMA2 data in an .xz stream (CRC32 check, sizes in the block header). */
function wrapLzma2(lzma2: Uint8Array, uncompressed: Uint8Array, dictByte: number): Uint8Array {
  const vli = (n: number): number[] => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
  };
  const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const pad4 = (a: number[]): number[] => {
    while (a.length % 4) a.push(0);
    return a;
  };
  const flags = [0x00, 0x01];
  const header = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ...flags, ...u32(crc32(Buffer.from(flags)))];
  const fields = [0xc0, ...vli(lzma2.length), ...vli(uncompressed.length), 0x21, 0x01, dictByte];
  const blockHeader = pad4([0, ...fields]);
  blockHeader[0] = blockHeader.length / 4; // (size + 4) / 4 - 1
  blockHeader.push(...u32(crc32(Buffer.from(blockHeader))));
  const blockPad = new Array((4 - (lzma2.length % 4)) % 4).fill(0);
  const check = u32(crc32(uncompressed));
  const unpadded = blockHeader.length + lzma2.length + 4;
  const index = pad4([0x00, ...vli(1), ...vli(unpadded), ...vli(uncompressed.length)]);
  index.push(...u32(crc32(Buffer.from(index))));
  const backward = [...u32(index.length / 4 - 1), ...flags];
  const footer = [...u32(crc32(Buffer.from(backward))), ...backward, 0x59, 0x5a];
  return concat([new Uint8Array(header), new Uint8Array(blockHeader), lzma2, new Uint8Array(blockPad),
    new Uint8Array(check), new Uint8Array(index), new Uint8Array(footer)]);
}

test('xz: LZMA2 dictionary resets inside a block, and sizes in the block header', () => {
  // Raw LZMA2 streams from xz each begin with a dictionary reset; joined
  // (without the first one's end marker) they make one block with a reset
  // in the middle.  xz -dc is the oracle for the hand-built container too.
  const parts = [textBytes(120_000), randomBytes(80_000, 11), nodeBinary.subarray(0, 150_000)];
  const raws = parts.map((p) => {
    const r = runXz(['-zc', '--format=raw', '--lzma2=preset=6,dict=1MiB'], p);
    assert.equal(r.status, 0, r.stderr);
    return new Uint8Array(r.stdout);
  });
  const lzma2 = concat(raws.map((r, i) => (i < raws.length - 1 ? r.subarray(0, r.length - 1) : r)));
  const expected = concat(parts);
  const file = wrapLzma2(lzma2, expected, 16); // 16: 1 MiB dictionary
  const r = runXz(['-dc'], file);
  assert.equal(r.status, 0, r.stderr);
  assertSameBytes(r.stdout, expected, 'xz -dc of the hand-built file');
  assertSameBytes(xzDecompress(file), expected, 'xzDecompress of the hand-built file');
});

test('xz: after an uncompressed chunk with a dictionary reset, LZMA chunks must set properties', () => {
  // 16 zero bytes as an uncompressed chunk that resets the dictionary (0x01),
  // then xz's raw LZMA2 of some text with its first control byte 0xE0
  // (dictionary reset, new properties) changed: to 0xC0 (new properties) it
  // is valid; to 0x80 (no properties, props byte dropped) it is not.  Zero
  // bytes keep the text's first literal context (previous byte 0) intact.
  const text = textBytes(20_000);
  const r = runXz(['-zc', '--format=raw', '--lzma2=preset=6,dict=1MiB'], text);
  assert.equal(r.status, 0, r.stderr);
  const raw = new Uint8Array(r.stdout);
  assert.equal(raw[0] & 0xe0, 0xe0);
  const prefix = new Uint8Array(3 + 16);
  prefix.set([0x01, 0x00, 15]);
  const expected = concat([new Uint8Array(16), text]);
  const withProps = concat([prefix, new Uint8Array([0xc0 | (raw[0] & 0x1f)]), raw.subarray(1)]);
  const valid = wrapLzma2(withProps, expected, 16);
  assert.equal(runXz(['-t'], valid).status, 0);
  assertSameBytes(xzDecompress(valid), expected, '0x01 chunk then 0xC0 chunk');
  const withoutProps = concat([prefix, new Uint8Array([0x80 | (raw[0] & 0x1f)]), raw.subarray(1, 5), raw.subarray(6)]);
  const invalid = wrapLzma2(withoutProps, expected, 16);
  assert.notEqual(runXz(['-t'], invalid).status, 0);
  assert.throws(() => xzDecompress(invalid), /LZMA2 chunk without LZMA properties/);
});

test('xz: a match farther back than the declared dictionary size is rejected, as by xz', () => {
  // Repeats 200 KB apart, encoded with a 1 MiB dictionary, declared as 64 KiB (dictionary byte 8).
  const head = randomBytes(50_000, 21);
  const data = concat([head, randomBytes(150_000, 22), head]);
  const r = runXz(['-zc', '--format=raw', '--lzma2=preset=6,dict=1MiB'], data);
  assert.equal(r.status, 0, r.stderr);
  const raw = new Uint8Array(r.stdout);
  assert.ok(raw.length < data.length - 40_000, 'the encoder found the far match');
  const honest = wrapLzma2(raw, data, 16);
  assert.equal(runXz(['-t'], honest).status, 0);
  assertSameBytes(xzDecompress(honest), data, 'with the 1 MiB dictionary it was encoded with');
  const lying = wrapLzma2(raw, data, 8);
  assert.notEqual(runXz(['-t'], lying).status, 0, 'xz rejects the 64 KiB declaration');
  assert.throws(() => xzDecompress(lying), /match distance beyond the dictionary/);
});

test('xz: maxOutput, magic and unsupported input', () => {
  const data = textBytes(10_000);
  const xz = xzCompress(data, []);
  assert.equal(xzDecompress(xz, data.length).length, data.length);
  assert.throws(() => xzDecompress(xz, data.length - 1), (e: Error) => e instanceof XzError && /exceeds the limit/.test(e.message));
  assert.equal(xzIsStream(xz), true);
  assert.equal(xzIsStream(xz.subarray(0, 5)), false);
  const gz = spawnSync('gzip', ['-c'], { input: data }).stdout;
  assert.equal(xzIsStream(gz), false);
  assert.throws(() => xzDecompress(gz), /not an \.xz file/);
  assert.throws(() => xzDecompress(new Uint8Array(0)), /input is empty/);
  // XZ Utils decodes the ARM BCJ filter (ID 0x07); we do not and must say so.
  const arm = xzCompress(data, ['--arm', '--lzma2']);
  assert.equal(runXz(['-t'], arm).status, 0);
  assert.throws(() => xzDecompress(arm), /unsupported filter 0x7/);
});

test('xz: the x86 BCJ decoder gives the same result at any buffer alignment', () => {
  const code = nodeBinary.subarray(0, 200_001);
  const aligned = code.slice();
  x86BcjDecode(aligned, 0, aligned.length, 0x400);
  for (let shift = 1; shift < 4; shift++) {
    const backing = new Uint8Array(code.length + 4);
    const view = backing.subarray(shift, shift + code.length);
    view.set(code);
    x86BcjDecode(view, 0, view.length, 0x400);
    assertSameBytes(view, aligned, `byteOffset ${shift}`);
  }
});

/**
 * Every truncation, one bit flip per byte and random multi-byte damage of a
 * multi-stream, multi-block file: xzDecompress must throw an XzError exactly when `xz -t` rejects the
 * file, and otherwise return what `xz -dc` returns.
 */
test('xz: truncated and bit-flipped files fail exactly when xz rejects them', { timeout: 120_000 }, () => {
  const text = textBytes(3000);
  const file = concat([xzCompress(text, ['--block-size=1000', '--check=crc32']), new Uint8Array(4),
    xzCompress(text.subarray(0, 900), ['--check=none', '-9']), xzCompress(text.subarray(500, 1500), ['--check=crc64'])]);
  const variants: Uint8Array[] = [];
  for (let n = 0; n < file.length; n++) variants.push(file.slice(0, n));
  for (let i = 0; i < file.length; i++) {
    const v = file.slice();
    v[i] ^= 1 << ((i * 5) % 8);
    variants.push(v);
  }
  // And 1..8 bytes overwritten at random places, 300 times.
  const noise = randomBytes(300 * 17, 99);
  for (let k = 0; k < 300; k++) {
    const v = file.slice();
    const n = 1 + (noise[k * 17] % 8);
    for (let j = 0; j < n; j++) {
      v[((noise[k * 17 + 1 + 2 * j] << 8) | noise[k * 17 + 2 + 2 * j]) % v.length] = noise[k * 17 + 16 - j];
    }
    variants.push(v);
  }
  const dir = mkdtempSync(join(tmpdir(), 'xz-test-'));
  try {
    const names = variants.map((v, i) => {
      const name = join(dir, `v${i}.xz`);
      writeFileSync(name, v);
      return name;
    });
    const t = runXz(['-t', '--', ...names]);
    const rejected = new Set<string>();
    for (const line of t.stderr.split('\n')) {
      const m = /^xz: (\S+): /.exec(line);
      if (m) rejected.add(m[1]);
    }
    const accepted: number[] = [];
    let disagreements = 0;
    const details: string[] = [];
    variants.forEach((v, i) => {
      let ours: Uint8Array | undefined;
      let err: unknown;
      try {
        ours = xzDecompress(v);
      } catch (e) {
        err = e;
        assert.ok(e instanceof XzError, `variant ${i}: not an XzError: ${e}`);
      }
      if (rejected.has(names[i]) !== (err !== undefined)) {
        disagreements++;
        if (details.length < 10) details.push(`variant ${i}: xz ${rejected.has(names[i]) ? 'rejects' : 'accepts'}, ours ${err ? `throws ${(err as Error).message}` : 'accepts'}`);
      }
      if (ours && !rejected.has(names[i])) accepted.push(i);
    });
    assert.equal(disagreements, 0, details.join('\n'));
    assert.ok(rejected.size > file.length, 'every truncation and most flips are rejected');
    // Flips that both accept (in the part without a check) must decode alike.
    const r = runXz(['-dc', '--', ...accepted.map((i) => names[i])]);
    assert.equal(r.status, 0, r.stderr);
    assertSameBytes(concat(accepted.map((i) => xzDecompress(variants[i]))), r.stdout, 'accepted variants');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const BZIMAGE = '.cache/guest/bzImage';

test('xz: the Linux kernel payload of bzImage (x86 BCJ + LZMA2, CRC32)', (t) => {
  if (!existsSync(BZIMAGE)) {
    t.skip(`${BZIMAGE} not present`);
    return;
  }
  const image = readFileSync(BZIMAGE);
  // Boot protocol setup header: setup_sects (0 means 4), payload_offset, payload_length, init_size.
  const setupSects = image[0x1f1] || 4;
  const payloadOffset = image.readUInt32LE(0x248);
  const payloadLength = image.readUInt32LE(0x24c);
  const initSize = image.readUInt32LE(0x260);
  const start = (setupSects + 1) * 512 + payloadOffset;
  const payload = image.subarray(start, start + payloadLength);
  assert.ok(xzIsStream(payload), 'payload is XZ');
  // The kernel build appends the decompressed size (u32 LE) after the .xz stream.
  const stream = payload.subarray(0, payload.length - 4);
  const declared = payload.readUInt32LE(payload.length - 4);

  const t0 = process.hrtime.bigint();
  const vmlinux = xzDecompress(stream);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  t.diagnostic(`kernel: ${stream.length} -> ${vmlinux.length} bytes in ${ms.toFixed(0)} ms (${(vmlinux.length / ms / 1e3).toFixed(1)} MB/s)`);

  const r = runXz(['-dc'], stream);
  assert.equal(r.status, 0, r.stderr);
  assertSameBytes(vmlinux, r.stdout, 'xz -dc of the payload');
  assert.equal(vmlinux.length, declared);

  // An ELF64 little-endian x86-64 image whose loadable segments fit in
  // init_size, the memory the boot protocol reserves for the decompressed kernel.
  const elf = Buffer.from(vmlinux.buffer, vmlinux.byteOffset, vmlinux.length);
  assert.equal(elf.readUInt32BE(0), 0x7f454c46);
  assert.equal(elf[4], 2, 'ELFCLASS64');
  assert.equal(elf[5], 1, 'little-endian');
  assert.equal(elf.readUInt16LE(18), 62, 'EM_X86_64');
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  let lo = Infinity;
  let hi = 0;
  for (let k = 0; k < phnum; k++) {
    const ph = phoff + k * phentsize;
    if (elf.readUInt32LE(ph) !== 1) continue; // PT_LOAD
    const offset = Number(elf.readBigUInt64LE(ph + 8));
    const paddr = Number(elf.readBigUInt64LE(ph + 24));
    const filesz = Number(elf.readBigUInt64LE(ph + 32));
    const memsz = Number(elf.readBigUInt64LE(ph + 40));
    assert.ok(offset + filesz <= elf.length, `PT_LOAD ${k} lies inside the decompressed file`);
    lo = Math.min(lo, paddr);
    hi = Math.max(hi, paddr + memsz);
  }
  assert.ok(hi > lo, 'has PT_LOAD segments');
  assert.ok(hi - lo <= initSize, `loaded span ${hi - lo} fits init_size ${initSize}`);
});
