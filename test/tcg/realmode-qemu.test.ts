/*
 * 16-bit real-mode code against QEMU 7.2 as the oracle.
 *
 * The host CPU cannot run real-mode code under Linux, so the oracle for 16-bit code is QEMU:
 * we build a 64 KiB firmware image holding several hundred random 16-bit instruction cases,
 * each followed by a dump of EAX..EDI, SP, DS, ES, the defined flags and a 64-byte data window
 * to the debug console (port 0xe9).  QEMU (-bios image -debugcon) and our CPU run the same
 * image; their port-0xe9 byte streams must be identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../diff/gen.js';
import { makeMachine } from './machine.js';
import { MemoryRegion } from '../../src/exec/memory.js';
import { EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';
import { R_CS } from '../../src/target/i386/tcg/cpu-state.js';

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const DEFINED = CF | PF | AF | ZF | SF | OF | 0x400;
const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

interface Case16 {
  name: string;
  code: number[];
  mask: number;
  regs?: Partial<Record<number, number>>;
  /** For far transfers: builds the code once its offset in the F000 segment is known. */
  place?: (at: number) => number[];
}

/** A random ModRM (16-bit addressing) with its displacement bytes. */
function modrm(r: Rng, reg: number, regOnly = false): number[] {
  const mod = regOnly ? 3 : r.int(4);
  const rm = r.int(8);
  const b = [(mod << 6) | (reg << 3) | rm];
  if (mod === 1) b.push(r.int(256));
  else if (mod === 2 || (mod === 0 && rm === 6)) b.push(r.int(256), r.int(256));
  return b;
}

function genCase(r: Rng): Case16 {
  const o32 = (): number[] => (r.int(3) === 0 ? [0x66] : []);
  const k = r.int(24);
  switch (k) {
    case 0: case 1: { // ALU r/m forms
      const op = r.int(8);
      return { name: 'alu E,G', code: [...o32(), op * 8 + r.int(4), ...modrm(r, r.int(8))], mask: [1, 4, 6].includes(op) ? DEFINED & ~AF : DEFINED };
    }
    case 2: { // ALU immediates
      const op = r.int(8), f = r.pick([0x80, 0x81, 0x83]);
      const p = o32();
      const imm = f === 0x81 ? (p.length ? le32(r.u32()) : le16(r.u32())) : [r.int(256)];
      return { name: 'alu E,I', code: [...p, f, ...modrm(r, op), ...imm], mask: [1, 4, 6].includes(op) ? DEFINED & ~AF : DEFINED };
    }
    case 3: { // shifts and rotates
      const op = r.pick([0, 1, 2, 3, 4, 5, 7]), f = r.pick([0xd0, 0xd1, 0xc0, 0xc1]);
      const cnt = f >= 0xd0 ? 1 : r.int(40);
      let mask = DEFINED;
      const size = f & 1 ? 2 : 1;
      if (cnt & 31) { if ((cnt & 31) !== 1) mask &= ~OF; if (op >= 4) mask &= ~AF; if (op >= 4 && (cnt & 31) >= size * 8) mask &= ~(CF | OF); }
      return { name: 'shift', code: [f, ...modrm(r, op), ...(f < 0xd0 ? [cnt] : [])], mask };
    }
    case 4: { // INC/DEC/NOT/NEG/TEST
      const f = r.pick([0xfe, 0xff, 0xf6, 0xf7]);
      const reg = f >= 0xfe ? r.int(2) : r.pick([0, 2, 3]);
      const imm = f >= 0xfe || reg !== 0 ? [] : f === 0xf6 ? [r.int(256)] : le16(r.u32());
      return { name: 'unary', code: [f, ...modrm(r, reg), ...imm], mask: reg === 0 && f < 0xfe ? DEFINED & ~AF : DEFINED };
    }
    case 5: { // MUL/IMUL
      const f = r.pick([0xf6, 0xf7]);
      const c = r.int(3);
      const code = c === 0 ? [...o32(), f, ...modrm(r, r.pick([4, 5]))] : c === 1 ? [...o32(), 0x0f, 0xaf, ...modrm(r, r.int(8))] : [0x6b, ...modrm(r, r.int(8)), r.int(256)];
      return { name: 'mul', code, mask: DEFINED & ~(SF | ZF | AF | PF) };
    }
    case 6: { // DIV/IDIV by BX/BL without overflow
      const signed = r.bool(), wide = r.bool();
      const bx = (r.int(250) + 2) * (signed && r.bool() ? -1 : 1);
      const ax = signed ? r.int(0x7fff) * (r.bool() ? -1 : 1) : r.int(0xffff);
      const regs: Partial<Record<number, number>> = { 0: wide ? ax : ax & (signed ? 0x7fff : 0xffff), 3: bx & 0xffff, 2: signed && ax < 0 ? 0xffff : 0 };
      if (!wide) { regs[0] = signed ? (r.int(0x3f00) * (r.bool() ? -1 : 1)) & 0xffff : r.int(0xffff); regs[3] = (r.int(250) + 2) & 0xff; if (!signed) regs[0] = Math.min(regs[0]!, (regs[3]! << 8) - 1); else regs[0] = r.int(0x7f) * 2; }
      return { name: 'div', code: [wide ? 0xf7 : 0xf6, 0xc3 | ((signed ? 7 : 6) << 3)], mask: 0x400, regs };
    }
    case 7: { // MOV forms, LEA, XCHG, MOVZX/MOVSX
      const c = r.int(6);
      if (c === 0) return { name: 'mov', code: [...o32(), r.pick([0x88, 0x89, 0x8a, 0x8b]), ...modrm(r, r.int(8))], mask: DEFINED };
      if (c === 1) return { name: 'lea', code: [...o32(), ...(r.bool() ? [0x67] : []), 0x8d, ...modrm(r, r.int(8)).map((b, i) => (i === 0 ? (b & 0x3f) | (r.int(3) << 6) : b))].slice(0, 7), mask: DEFINED };
      if (c === 2) return { name: 'xchg', code: [r.pick([0x86, 0x87]), ...modrm(r, r.int(8))], mask: DEFINED };
      if (c === 3) return { name: 'movzx/movsx', code: [...o32(), 0x0f, r.pick([0xb6, 0xb7, 0xbe, 0xbf]), ...modrm(r, r.int(8))], mask: DEFINED };
      if (c === 4) return { name: 'mov E,I', code: [0xc7, ...modrm(r, 0), ...le16(r.u32())], mask: DEFINED };
      return { name: 'xadd/cmpxchg', code: [0x0f, r.pick([0xc0, 0xc1, 0xb0, 0xb1]), ...modrm(r, r.int(8))], mask: DEFINED };
    }
    case 8: { // bit ops
      const c = r.int(4);
      if (c === 0) return { name: 'bt', code: [0x0f, 0xa3 + 8 * r.int(4), ...modrm(r, r.int(8), true)], mask: CF | ZF | 0x400 };
      if (c === 1) return { name: 'bt imm', code: [0x0f, 0xba, ...modrm(r, 4 + r.int(4)), r.int(256)], mask: CF | ZF | 0x400 };
      if (c === 2) return { name: 'bsf/bsr', code: [0x0f, r.pick([0xbc, 0xbd]), ...modrm(r, r.int(8))], mask: ZF | 0x400 };
      return { name: 'shld/shrd', code: [0x0f, r.pick([0xa4, 0xac]), ...modrm(r, r.int(8)), r.int(16)], mask: DEFINED & ~(AF | OF) };
    }
    case 9: { // SETcc / CMOVcc / Jcc
      const cc = r.int(16), c = r.int(3);
      if (c === 0) return { name: 'setcc', code: [0x0f, 0x90 + cc, ...modrm(r, 0)], mask: DEFINED };
      if (c === 1) return { name: 'cmovcc', code: [0x0f, 0x40 + cc, ...modrm(r, r.int(8))], mask: DEFINED };
      return { name: 'jcc', code: r.bool() ? [0x70 + cc, 1, 0x41] : [0x0f, 0x80 + cc, 1, 0, 0x41], mask: DEFINED };
    }
    case 10: { // strings
      const op = r.pick([0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);
      const pfx = r.pick([[], [0xf3], [0xf2]]);
      return { name: 'string', code: [...(r.bool() ? [r.pick([0xfc, 0xfd])] : []), ...(r.int(4) === 0 ? [r.pick([0x26, 0x2e, 0x36])] : []), ...pfx, ...o32(), op], mask: DEFINED, regs: { 1: r.int(12) } };
    }
    case 11: { // stack
      const c = r.int(6);
      if (c === 0) return { name: 'push/pop r', code: [0x50 + r.int(8), 0x58 + r.pick([0, 1, 2, 3, 5, 6, 7])], mask: DEFINED };
      if (c === 1) return { name: 'pusha/popa', code: [...o32(), 0x60, ...o32(), 0x61], mask: DEFINED };
      if (c === 2) return { name: 'enter/leave', code: [0xc8, r.int(64), 0, r.int(4), ...(r.bool() ? [0xc9] : [])], mask: DEFINED, regs: { 5: 0x6800 + r.int(0x100) } };
      if (c === 3) return { name: 'pushf/pop', code: [...o32(), 0x9c, 0x58 + r.int(4)], mask: DEFINED };
      if (c === 4) return { name: 'push imm/popf', code: [0x68, ...le16(r.u32() & 0x0cd5), 0x9d], mask: DEFINED };
      const push = r.bool();
      return { name: 'push/pop E', code: [push ? 0xff : 0x8f, ...modrm(r, push ? 6 : 0)], mask: DEFINED };
    }
    case 12: { // flags and conversions
      return { name: 'misc', code: [r.pick([0x9e, 0x9f, 0x98, 0x99, 0xf5, 0xf8, 0xf9, 0xfc, 0xfd, 0xd6, 0xd7])], mask: DEFINED };
    }
    case 13: { // BCD
      const c = r.int(4);
      if (c === 0) return { name: 'daa/das', code: [r.pick([0x27, 0x2f])], mask: DEFINED & ~OF };
      if (c === 1) return { name: 'aaa/aas', code: [r.pick([0x37, 0x3f])], mask: CF | AF | 0x400 };
      if (c === 2) return { name: 'aam', code: [0xd4, r.int(255) + 1], mask: SF | ZF | PF | 0x400 };
      return { name: 'aad', code: [0xd5, r.int(256)], mask: SF | ZF | PF | 0x400 };
    }
    case 14: { // LOOP/JCXZ, CALL/RET
      if (r.bool()) return { name: 'loop', code: [...(r.int(3) === 0 ? [0x67] : []), 0xe0 + r.int(4), 1, 0x41], mask: DEFINED, regs: { 1: r.bool() ? r.int(3) : r.u32() } };
      return { name: 'call/ret', code: r.bool() ? [0xe8, 1, 0, 0x41] : [0xe8, 0, 0, 0x5b], mask: DEFINED };
    }
    case 15: { // LES/LDS with a far pointer built in the data window
      return { name: 'les/lds', code: [r.pick([0xc4, 0xc5]), 0x06 | (r.pick([0, 1, 2, 3, 5, 6, 7]) << 3), r.int(60), 0], mask: DEFINED };
    }
    case 19: { // far transfers within segment F000, and real-mode IRET
      const c = r.int(5);
      const flags = 0x0002 | (r.u32() & 0x0cd5);
      if (c === 0) return { name: 'jmp far', code: [], mask: DEFINED, place: (at) => [0xea, ...le16(at + 5), 0x00, 0xf0] };
      if (c === 1) return { name: 'call far', code: [], mask: DEFINED, place: (at) => [0x9a, ...le16(at + 5), 0x00, 0xf0] };
      if (c === 2) return { name: 'retf', code: [], mask: DEFINED, place: (at) => [0x68, 0x00, 0xf0, 0x68, ...le16(at + 7), 0xcb] };
      if (c === 3) return { name: 'retf imm', code: [], mask: DEFINED, place: (at) => [0x68, 0x00, 0xf0, 0x68, ...le16(at + 9), 0xca, 4, 0] };
      return { name: 'iret', code: [], mask: DEFINED, place: (at) => [0x68, ...le16(flags), 0x68, 0x00, 0xf0, 0x68, ...le16(at + 10), 0xcf] };
    }
    case 16: return { name: 'bswap/cwde/cdq', code: r.bool() ? [0x66, 0x0f, 0xc8 + r.int(8)] : [0x66, r.pick([0x98, 0x99])], mask: DEFINED };
    case 17: return { name: 'inc/dec r16', code: [...o32(), 0x40 + r.int(16)], mask: DEFINED };
    case 18: {
      const p = o32(), op = r.int(8);
      return { name: 'alu A,I', code: [...p, (op << 3) | 5, ...(p.length ? le32(r.u32()) : le16(r.u32()))], mask: [1, 4, 6].includes(op) ? DEFINED & ~AF : DEFINED };
    }
    default: { // 32-bit operand ALU via 66
      const op = r.int(8);
      return { name: 'alu32', code: [0x66, op * 8 + 1 + 2 * r.int(2), ...modrm(r, r.int(8), true)], mask: [1, 4, 6].includes(op) ? DEFINED & ~AF : DEFINED };
    }
  }
}

const PATTERN = 0x0000, START = 0x0040;

function buildImage(seed: number): { image: Uint8Array; names: string[] } {
  const r = new Rng(seed);
  const img = new Uint8Array(0x10000).fill(0xf4);
  for (let i = 0; i < 64; i++) img[PATTERN + i] = r.int(256);
  const code: number[] = [0xfa, 0x31, 0xc0, 0x8e, 0xd0, 0xbc, ...le16(0x7000)]; // cli; ss = 0; sp = 0x7000
  const names: string[] = [];
  for (;;) {
    const c = genCase(r);
    const one: number[] = [];
    // Restore the data window (0x1000:0) from the pattern and reset DS/ES/SP.
    one.push(0xb8, 0x00, 0xf0, 0x8e, 0xd8, 0xbe, ...le16(PATTERN), 0xb8, 0x00, 0x10, 0x8e, 0xc0, 0x31, 0xff, 0xb9, 64, 0, 0xfc, 0xf3, 0xa4);
    one.push(0xb8, 0x00, 0x10, 0x8e, 0xd8, 0xbc, ...le16(0x7000));
    for (const reg of [0, 1, 2, 3, 5, 6, 7]) {
      const v = c.regs?.[reg] ?? (r.int(3) === 0 ? r.int(64) : r.u32());
      one.push(0x66, 0xb8 + reg, ...le32(v));
    }
    one.push(0x68, ...le16(0x0002 | (r.u32() & 0x0cd5)), 0x9d); // flags (never TF or IF)
    one.push(...(c.place ? c.place(START + code.length + one.length) : c.code));
    for (const reg of [0, 1, 2, 3, 5, 6, 7]) one.push(0x36, 0x66, 0x89, (reg << 3) | 6, ...le16(0x6000 + reg * 4));
    one.push(0x9c, 0x58, 0x25, ...le16(c.mask), 0x36, 0xa3, ...le16(0x6020)); // pushf; pop ax; and ax, mask
    one.push(0x89, 0xe0, 0x36, 0xa3, ...le16(0x6022));                     // sp
    one.push(0x36, 0x8c, 0x1e, ...le16(0x6024), 0x36, 0x8c, 0x06, ...le16(0x6026)); // ds, es
    one.push(0xfc, 0x31, 0xc0, 0x8e, 0xd8, 0xbe, ...le16(0x6000), 0xb9, 0x28, 0, 0xba, 0xe9, 0, 0xf3, 0x6e);
    one.push(0xb8, 0x00, 0x10, 0x8e, 0xd8, 0x31, 0xf6, 0xb9, 64, 0, 0xf3, 0x6e);
    if (START + code.length + one.length + 16 > 0xff00) break;
    code.push(...one);
    names.push(c.name);
  }
  code.push(0xb0, 0x00, 0xe6, 0xf4, 0xf4); // isa-debug-exit, then hlt
  img.set(code, START);
  img.set([0xea, ...le16(START), 0x00, 0xf0], 0xfff0);
  return { image: img, names };
}

function runQemu(image: Uint8Array): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tcg-rm-'));
  try {
    writeFileSync(join(dir, 'bios.bin'), image);
    const r = spawnSync('qemu-system-x86_64', ['-M', 'pc', '-accel', 'tcg', '-bios', join(dir, 'bios.bin'), '-display', 'none',
      '-nodefaults', '-no-reboot', '-debugcon', `file:${join(dir, 'out')}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'],
    { encoding: 'utf8', timeout: 60000 });
    if (r.error) throw new Error(`qemu-system-x86_64 is required for the real-mode oracle test: ${r.error.message}`);
    if (r.status !== 1) throw new Error(`QEMU did not exit through isa-debug-exit (status ${r.status}): ${r.stderr}`);
    return readFileSync(join(dir, 'out'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runOurs(image: Uint8Array): Buffer {
  const m = makeMachine(1 << 20);
  const rom = MemoryRegion.rom(m.alloc, 'bios', 0x10000);
  m.as.addRegion(0xf0000, rom, 1);
  m.as.loadBlob(0xf0000, image);
  const out: number[] = [];
  m.io.register(0xe9, 1, { read: () => 0xe9, write: (_o, _off, v) => { out.push(v); } }, null);
  m.io.register(0xf4, 4, { read: () => 0, write: () => {} }, null);
  const env = m.cpu.env;
  env.loadSegCache(R_CS, 0xf000, 0xf0000, 0xffff, env.segFlags[R_CS]);
  env.rip = 0xfff0;
  let exit = 0;
  for (let i = 0; i < 1000 && exit !== EXIT_HLT; i++) exit = m.cpu.run(100000);
  assert.equal(exit, EXIT_HLT, `our CPU stopped with exit ${exit} (exception ${env.exception_index}) at ${env.rip.toString(16)}`);
  return Buffer.from(out);
}

test('16-bit real-mode code: our CPU and QEMU 7.2 dump identical state after every case', () => {
  for (const seed of [1, 2, 3]) {
    const { image, names } = buildImage(seed);
    const q = runQemu(image);
    const ours = runOurs(image);
    const per = 0x28 + 64;
    assert.equal(q.length, names.length * per, 'QEMU ran every case');
    for (let i = 0; i < names.length; i++) {
      const a = q.subarray(i * per, (i + 1) * per), b = ours.subarray(i * per, (i + 1) * per);
      if (!a.equals(b)) {
        const start = i * per;
        const diff = [...a].map((x, j) => (x !== b[j] ? `@${j.toString(16)}: qemu ${x.toString(16)} ours ${(b[j] ?? -1).toString(16)}` : '')).filter(Boolean);
        assert.fail(`seed ${seed} case ${i} (${names[i]}) differs at stream offset ${start}: ${diff.slice(0, 8).join(', ')}`);
      }
    }
    console.log(`real mode vs QEMU: seed ${seed}: ${names.length} cases identical`);
  }
});
