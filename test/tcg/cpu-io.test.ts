/*
 * The CPU's injected interfaces: I/O ports (IN/OUT/INS/OUTS through IOPortSpace, with the
 * (opaque, offset, value, size) device interface), CPUID and the virtual TSC callbacks, HLT exit.
 * Expected values follow the SDM's definitions of each instruction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, loadRealMode } from './machine.js';
import { EXIT_HLT, EXIT_EXCEPTION } from '../../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';

test('IN/OUT reach the device at its offset with the access size; unassigned ports read all ones', () => {
  const m = makeMachine();
  const log: string[] = [];
  const dev = { reg: 0x1234 };
  m.io.register(0x3f8, 8, {
    read: (o, off, size) => { log.push(`r${off}/${size}`); return (o as typeof dev).reg + off; },
    write: (o, off, v, size) => { log.push(`w${off}/${size}=${v.toString(16)}`); (o as typeof dev).reg = v; },
  }, dev);
  loadRealMode(m, 0x7c00, [
    0xba, 0xf9, 0x03,       // mov dx, 0x3f9
    0xb8, 0xcd, 0xab,       // mov ax, 0xabcd
    0xef,                   // out dx, ax
    0xec,                   // in al, dx
    0x88, 0xc3,             // mov bl, al
    0x66, 0xed,             // in eax, dx
    0x66, 0x89, 0xc6,       // mov esi, eax
    0xe4, 0x60,             // in al, 0x60 (unassigned)
    0xf4,                   // hlt
  ]);
  assert.equal(m.cpu.run(100), EXIT_HLT);
  assert.deepEqual(log, ['w1/2=abcd', 'r1/1', 'r1/4']);
  assert.equal(m.cpu.env.regs[2 * 3] & 0xff, (0xabcd + 1) & 0xff);
  assert.equal(m.cpu.env.regs[2 * 6] >>> 0, 0xabcd + 1);
  assert.equal(m.cpu.env.regs[0] & 0xff, 0xff);
});

test('REP INSB / REP OUTSW move data between memory and a port, honouring DF', () => {
  const m = makeMachine();
  const out: number[] = [];
  let next = 0x10;
  m.io.register(0x100, 2, { read: () => next++, write: (_o, _off, v) => { out.push(v); } }, null);
  loadRealMode(m, 0x7c00, [
    0xba, 0x00, 0x01,       // mov dx, 0x100
    0xbf, 0x00, 0x05,       // mov di, 0x500
    0xb9, 0x04, 0x00,       // mov cx, 4
    0xf3, 0x6c,             // rep insb
    0xbe, 0x02, 0x05,       // mov si, 0x502
    0xb9, 0x02, 0x00,       // mov cx, 2
    0xfd,                   // std
    0xf3, 0x6f,             // rep outsw
    0xf4,
  ]);
  assert.equal(m.cpu.run(100), EXIT_HLT);
  assert.deepEqual(Array.from(m.alloc.u8.subarray(0x500, 0x504)), [0x10, 0x11, 0x12, 0x13]);
  assert.deepEqual(out, [0x1312, 0x1110]);
  assert.equal(m.cpu.env.regs[2 * 6] & 0xffff, 0x4fe);
  assert.equal(m.cpu.env.regs[2 * 7] & 0xffff, 0x504);
});

test('CPUID asks the model with EAX/ECX; RDTSC/RDTSCP read the virtual clock', () => {
  const m = makeMachine();
  loadRealMode(m, 0x7c00, [
    0x66, 0xb8, 0x07, 0x00, 0x00, 0x00, // mov eax, 7
    0x66, 0xb9, 0x01, 0x00, 0x00, 0x00, // mov ecx, 1
    0x0f, 0xa2,                         // cpuid
    0x66, 0x89, 0xde,                   // mov esi, ebx
    0x0f, 0x31,                         // rdtsc
    0x66, 0x89, 0xc7,                   // mov edi, eax
    0x66, 0x89, 0xd5,                   // mov ebp, edx
    0x0f, 0x01, 0xf9,                   // rdtscp
    0xf4,
  ]);
  m.cpu.env.tscAux = 0x55;
  assert.equal(m.cpu.run(100), EXIT_HLT);
  const r = (i: number): number => m.cpu.env.regs[2 * i] >>> 0;
  assert.deepEqual(m.cpuidCalls, [[7, 1]]);
  assert.equal(r(6), 3);
  // TSC starts at 2^32 - 5 and advances by 10 per read.
  assert.equal(r(7), 5);
  assert.equal(r(5), 1);
  assert.equal(r(0), 15);
  assert.equal(r(2), 1);
  assert.equal(r(1), 0x55);
});

test('instructions of features the model does not advertise raise #UD at their RIP', () => {
  // [feature word, bit, instruction bytes (16-bit code)] per SDM CPUID feature flags.
  const cases: [string, number, number[]][] = [
    ['FEAT_1_ECX', 23, [0xf3, 0x0f, 0xb8, 0xc0]],             // popcnt ax, ax
    ['FEAT_1_ECX', 22, [0x0f, 0x38, 0xf0, 0x07]],             // movbe ax, [bx]
    ['FEAT_1_EDX', 8, [0x0f, 0xc7, 0x0f]],                    // cmpxchg8b [bx]
    ['FEAT_1_EDX', 15, [0x0f, 0x44, 0xc0]],                   // cmovz ax, ax
    ['FEAT_1_EDX', 19, [0x0f, 0xae, 0x3f]],                   // clflush [bx]
    ['FEAT_7_0_EBX', 3, [0xc4, 0xe2, 0x78, 0xf2, 0xc0]],      // andn eax, eax, eax
    ['FEAT_7_0_EBX', 8, [0xc4, 0xe2, 0x7b, 0xf6, 0xc0]],      // mulx eax, eax, eax
    ['FEAT_7_0_EBX', 19, [0x66, 0x0f, 0x38, 0xf6, 0xc0]],     // adcx eax, eax
    ['FEAT_8000_0001_EDX', 27, [0x0f, 0x01, 0xf9]],           // rdtscp
  ];
  for (const [word, bit, bytes] of cases) {
    const on = makeMachine();
    loadRealMode(on, 0x7c00, [0x90, ...bytes, 0xf4]);
    assert.equal(on.cpu.run(100), EXIT_HLT, `${word}.${bit} enabled: runs`);
    const off = makeMachine(1 << 20, { ...TCG_FEATURES, [word]: TCG_FEATURES[word] & ~(1 << bit) });
    loadRealMode(off, 0x7c00, [0x90, ...bytes, 0xf4]);
    assert.equal(off.cpu.run(100), EXIT_EXCEPTION, `${word}.${bit} disabled: faults`);
    assert.equal(off.cpu.env.exception_index, 6);
    assert.equal(off.cpu.env.rip, 0x7c01);
  }
});

test('a long REP MOVSB is resumable: RIP stays on it until rCX reaches zero', () => {
  const m = makeMachine();
  m.alloc.u8.fill(0x5a, 0x10000, 0x10000 + 10000);
  loadRealMode(m, 0x7c00, [
    0xb8, 0x00, 0x10, 0x8e, 0xd8,       // mov ax, 0x1000; mov ds, ax
    0xb8, 0x00, 0x20, 0x8e, 0xc0,       // mov ax, 0x2000; mov es, ax
    0x31, 0xf6, 0x31, 0xff,             // xor si, si; xor di, di
    0xb9, 0x10, 0x27,                   // mov cx, 10000
    0xf3, 0xa4,                         // rep movsb
    0xf4,
  ]);
  let exit: number;
  let slices = 0;
  do { exit = m.cpu.run(1); slices++; } while (exit !== EXIT_HLT && slices < 1000);
  assert.equal(exit, EXIT_HLT);
  assert.ok(slices > 8, 'the copy took several slices');
  assert.ok(m.alloc.u8.subarray(0x20000, 0x20000 + 10000).every((b) => b === 0x5a));
  assert.equal(m.cpu.env.regs[2 * 1] & 0xffff, 0);
});
