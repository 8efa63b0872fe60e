/*
 * The physical memory map (src/exec/memory.ts) as the CPU and DMA see it: RAM, ROM (writes
 * dropped), MMIO through (opaque, offset, value, size) callbacks, unassigned space reading all
 * ones, overlapping regions by priority, and code-page invalidation on DMA.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { makeMachine, loadRealMode } from './machine.js';
import { EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';

test('ROM ignores writes, unassigned reads are all ones, MMIO gets offsets and sizes', () => {
  const alloc = new RamBlockAllocator(1 << 20);
  const as = new AddressSpace(alloc);
  const ram = MemoryRegion.ram(alloc, 'ram', 0x10000);
  const rom = MemoryRegion.rom(alloc, 'rom', 0x1000);
  const log: string[] = [];
  const mmio = MemoryRegion.mmio('dev', 0x100, {
    read: (_o, off, size) => { log.push(`r${off.toString(16)}/${size}`); return 0x11223344; },
    write: (_o, off, v, size) => { log.push(`w${off.toString(16)}/${size}=${v.toString(16)}`); },
  }, null);
  as.addRegion(0, ram);
  as.addRegion(0x20000, rom);
  as.addRegion(0xfee00000, mmio);
  as.loadBlob(0x20000, Uint8Array.from([1, 2, 3, 4]));
  as.writeSlow(0x20000, 0xff, 1);
  assert.equal(as.readSlow(0x20000, 4), 0x04030201);
  assert.equal(as.readSlow(0x30000, 1), 0xff);
  assert.equal(as.readSlow(0x30000, 4) >>> 0, 0xffffffff);
  assert.equal(as.readSlow(0xfee00020, 4), 0x11223344);
  as.writeSlow(0xfee00030, 0xabcd, 2);
  assert.deepEqual(log, ['r20/4', 'w30/2=abcd']);
});

test('a higher-priority overlapping region shadows the one below it; removal uncovers it', () => {
  const alloc = new RamBlockAllocator(1 << 20);
  const as = new AddressSpace(alloc);
  const ram = MemoryRegion.ram(alloc, 'ram', 0x10000);
  const hole = MemoryRegion.mmio('hole', 0x1000, { read: () => 0x5a, write: () => {} }, null);
  as.addRegion(0, ram);
  as.addRegion(0x4000, hole, 1);
  as.dmaWrite(0x3ffe, Uint8Array.from([1, 2, 3, 4]));
  const buf = new Uint8Array(4);
  as.dmaRead(0x3ffe, buf);
  assert.deepEqual(Array.from(buf), [1, 2, 0x5a, 0x5a]);
  as.removeRegion(hole);
  as.dmaRead(0x3ffe, buf);
  assert.deepEqual(Array.from(buf), [1, 2, 0, 0]);
});

test('DMA stays inside the map: reads past RAM return 0xff, writes there are dropped', () => {
  const alloc = new RamBlockAllocator(1 << 20);
  const as = new AddressSpace(alloc);
  as.addRegion(0, MemoryRegion.ram(alloc, 'ram', 0x1000));
  as.dmaWrite(0xffe, Uint8Array.from([7, 8, 9, 10]));
  const buf = new Uint8Array(4);
  as.dmaRead(0xffe, buf);
  assert.deepEqual(Array.from(buf), [7, 8, 0xff, 0xff]);
  assert.equal(alloc.u8[0x1000], 0, 'nothing written past the region');
});

test('the CPU reads and writes MMIO through the slow path and DMA into code invalidates it', () => {
  const m = makeMachine();
  const log: string[] = [];
  m.as.addRegion(0xd0000, MemoryRegion.mmio('dev', 0x1000, {
    read: (_o, off, size) => { log.push(`r${off}/${size}`); return 0x77; },
    write: (_o, off, v, size) => { log.push(`w${off}/${size}=${v}`); },
  }, null));
  loadRealMode(m, 0x7c00, [
    0xb8, 0x00, 0xd0, 0x8e, 0xd8,   // mov ax, 0xd000; mov ds, ax
    0xa0, 0x10, 0x00,               // mov al, [0x10]
    0xa3, 0x20, 0x00,               // mov [0x20], ax
    0xb3, 0x01,                     // mov bl, 1
    0xf4,
  ]);
  assert.equal(m.cpu.run(100), EXIT_HLT);
  assert.deepEqual(log, ['r16/1', 'w32/2=53367']);
  assert.equal(m.cpu.env.regs[6] & 0xff, 1);
  // Patch "mov bl, 1" by DMA and run the block again: the cached decode must be dropped.
  m.as.dmaWrite(0x7c0c, Uint8Array.from([2]));
  m.cpu.env.rip = 0x7c00;
  m.cpu.env.halted = false;
  assert.equal(m.cpu.run(100), EXIT_HLT);
  assert.equal(m.cpu.env.regs[6] & 0xff, 2);
});
