/*
 * Protected-mode exception/interrupt delivery and IRET on the bare software CPU, before the
 * kit's _start (LGDT/LIDT) runs: GDT, IDT and TSS are built in memory and the descriptor
 * caches loaded directly.  Expected frames follow SDM Vol. 3 §6.12 (interrupt and trap gates,
 * stack switch through the TSS), §6.15 Table 6-5 (#DF) and the IRET pseudo-code; the
 * bare-metal programs in test/sysarch/seg.test.ts compare the same cases with QEMU 7.2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeMachine, type TestMachine } from './machine.js';
import { EXIT_EXCEPTION, EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';
import { x86CpuDoInterrupt, x86CpuExecHardwareInterrupt, x86CpuExecNmi } from '../../src/target/i386/tcg/seg-helper.js';
import {
  R_CS, R_DS, R_ES, R_FS, R_GS, R_SS, R_TR, R_ESP, IF_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';

const GDT = 0x500, IDT = 0x1000, TSS = 0x1800, CODE = 0x2000, HANDLERS = 0x3000;

/** Assembles 32-bit code at `org` with nasm (the test fails if nasm is missing). */
function asm(src: string, org: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'seg-deliver-'));
  try {
    writeFileSync(join(dir, 'a.asm'), `bits 32\norg ${org}\n${src}\n`);
    const r = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, 'a.bin'), join(dir, 'a.asm')], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`nasm: ${r.error?.message ?? r.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function desc(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | ((access & 0xff) << 8) | ((base >>> 16) & 0xff);
  return [lo | 0, hi | 0];
}

function gate(sel: number, off: number, type: number, dpl: number): [number, number] {
  return [((sel << 16) | (off & 0xffff)) | 0, ((off & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8)) | 0];
}

/**
 * A flat protected-mode machine: GDT 0x08 code32, 0x10 data32, 0x1b code32 DPL3, 0x23 data32
 * DPL3, 0x28 32-bit TSS (ESP0 = 0x9000, SS0 = 0x10); CPL 0, ESP 0x8000.
 */
function protMachine(): TestMachine {
  const m = makeMachine();
  const env = m.cpu.env;
  const w32 = (a: number, v: number): void => m.as.loadBlob(a, new Uint8Array(new Int32Array([v]).buffer));
  const put = (i: number, d: [number, number]): void => { w32(GDT + i * 8, d[0]); w32(GDT + i * 8 + 4, d[1]); };
  put(1, desc(0, 0xfffff, 0x9a, 0xc));
  put(2, desc(0, 0xfffff, 0x92, 0xc));
  put(3, desc(0, 0xfffff, 0xfa, 0xc));
  put(4, desc(0, 0xfffff, 0xf2, 0xc));
  put(5, desc(TSS, 103, 0x89, 0));
  w32(TSS + 4, 0x9000);
  w32(TSS + 8, 0x10);
  env.gdtBase = GDT; env.gdtLimit = 6 * 8 - 1;
  env.idtBase = IDT; env.idtLimit = 256 * 8 - 1;
  env.cr0 |= 1;
  env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, 0x00cf9b00);
  for (const s of [R_DS, R_ES, R_FS, R_GS, R_SS]) env.loadSegCache(s, 0x10, 0, 0xffffffff, 0x00cf9300);
  env.loadSegCache(R_TR, 0x28, TSS, 103, 0x00008900); // (the cache holds the available type, as after LTR)
  env.regs[R_ESP << 1] = 0x8000;
  env.eflags = 0x2 | IF_MASK;
  return m;
}

function setGate(m: TestMachine, vec: number, g: [number, number]): void {
  m.as.loadBlob(IDT + vec * 8, new Uint8Array(new Int32Array(g).buffer));
}

/** Runs until HLT; delivers exceptions in between.  Returns false on a triple fault. */
function runToHlt(m: TestMachine): boolean {
  for (let i = 0; i < 100; i++) {
    const r = m.cpu.run(10000);
    if (r === EXIT_HLT) return true;
    if (r === EXIT_EXCEPTION && !x86CpuDoInterrupt(m.cpu.c)) return false;
  }
  throw new Error('did not halt');
}

function rd32(m: TestMachine, a: number): number {
  return m.cpu.mmu.ld32(a) >>> 0;
}

test('#DE through a 32-bit interrupt gate at CPL 0: EFLAGS, CS, EIP pushed; IF, TF cleared', () => {
  const m = protMachine();
  const code = asm('mov eax, 1\nxor ecx, ecx\nfault: div ecx\nhlt', CODE);
  m.as.loadBlob(CODE, code);
  m.as.loadBlob(HANDLERS, asm('hlt', HANDLERS));
  setGate(m, 0, gate(0x08, HANDLERS, 14, 0));
  m.cpu.env.rip = CODE;
  assert.equal(runToHlt(m), true);
  const env = m.cpu.env;
  assert.equal(env.rip, HANDLERS + 1);
  assert.equal(env.regs[R_ESP << 1], 0x8000 - 12);
  assert.equal(rd32(m, 0x8000 - 12), CODE + 7); // the faulting DIV (after mov eax,1 / xor ecx,ecx)
  assert.equal(rd32(m, 0x8000 - 8), 0x08);
  assert.equal(rd32(m, 0x8000 - 4) & IF_MASK, IF_MASK);
  assert.equal(env.eflags & IF_MASK, 0);
});

test('#GP with an error code through a trap gate keeps IF; IRET resumes at the pushed EIP', () => {
  const m = protMachine();
  // The handler skips the 2-byte faulting MOV by bumping the saved EIP.
  m.as.loadBlob(CODE, asm('mov ax, 0x4b\nmov ds, ax\nmov ebx, 0x1234\nhlt', CODE));
  m.as.loadBlob(HANDLERS, asm('pop edx\nadd dword [esp], 2\niret', HANDLERS));
  setGate(m, 13, gate(0x08, HANDLERS, 15, 0));
  m.cpu.env.rip = CODE;
  assert.equal(runToHlt(m), true);
  const env = m.cpu.env;
  assert.equal(env.regs[2 * 2], 0x48); // EDX = error code: the selector index beyond the GDT limit
  assert.equal(env.regs[2 * 3], 0x1234);
  assert.equal(env.regs[R_ESP << 1], 0x8000);
  assert.equal(env.eflags & IF_MASK, IF_MASK);
  assert.equal(env.segSelector[R_DS], 0x10);
});

test('INT from CPL 3 switches to the TSS ring-0 stack; IRET returns to CPL 3; a DPL-0 gate gives #GP(vec*8+2)', () => {
  const m = protMachine();
  const env = m.cpu.env;
  m.as.loadBlob(CODE, asm('int 0x80\nint 0x81\nhlt', CODE));
  // int 0x80: record the ring-0 frame and return; #GP: record the error code and halt at CPL 0.
  m.as.loadBlob(HANDLERS, asm('mov esi, esp\nmov edi, ss\niret\nalign 16\ngp: pop ebp\nhlt', HANDLERS));
  setGate(m, 0x80, gate(0x08, HANDLERS, 14, 3));
  setGate(m, 0x81, gate(0x08, HANDLERS, 14, 0));
  setGate(m, 13, gate(0x08, HANDLERS + 16, 14, 0));
  env.loadSegCache(R_CS, 0x1b, 0, 0xffffffff, 0x00cffb00);
  env.loadSegCache(R_SS, 0x23, 0, 0xffffffff, 0x00cff300);
  env.loadSegCache(R_DS, 0x10, 0, 0xffffffff, 0x00cf9300); // a DPL-0 DS: IRET to CPL 3 nulls it
  env.regs[R_ESP << 1] = 0x7000;
  env.rip = CODE;
  assert.equal(runToHlt(m), true);
  // The first INT's frame: SS, ESP, EFLAGS, CS, EIP on the ring-0 stack.
  assert.equal(env.regs[6 * 2], 0x9000 - 20);
  assert.equal(env.regs[7 * 2], 0x10);
  assert.equal(rd32(m, 0x9000 - 20), CODE + 2);
  assert.equal(rd32(m, 0x9000 - 16), 0x1b);
  assert.equal(rd32(m, 0x9000 - 8), 0x7000);
  assert.equal(rd32(m, 0x9000 - 4), 0x23);
  // The second INT faulted with #GP(0x81*8+2), delivered on a fresh ring-0 stack with the
  // INT's own EIP (CODE + 2 again) and the error code below it (popped by the handler).
  assert.equal(env.regs[5 * 2], 0x81 * 8 + 2);
  assert.equal(env.regs[R_ESP << 1], 0x9000 - 20);
  assert.equal(env.segSelector[R_CS], 0x08);
  assert.equal(env.segSelector[R_SS], 0x10);
  // IRET to CPL 3 made DS unusable (selector 0).
  assert.equal(env.segSelector[R_DS], 0);
});

test('#NP while delivering #GP becomes #DF; a fault while delivering #DF is a triple fault', () => {
  const m = protMachine();
  const env = m.cpu.env;
  m.as.loadBlob(CODE, asm('mov ax, 0x4b\nmov ds, ax\nhlt', CODE));
  m.as.loadBlob(HANDLERS, asm('pop eax\nhlt', HANDLERS));
  setGate(m, 13, [gate(0x08, HANDLERS, 14, 0)[0], gate(0x08, HANDLERS, 14, 0)[1] & ~0x8000]);
  setGate(m, 8, gate(0x08, HANDLERS, 14, 0));
  env.rip = CODE;
  assert.equal(runToHlt(m), true);
  assert.equal(env.regs[0], 0); // #DF's error code
  assert.equal(rd32(m, 0x8000 - 12), CODE + 4); // EIP of the faulting MOV DS

  const t = protMachine();
  t.as.loadBlob(CODE, asm('mov ax, 0x4b\nmov ds, ax\nhlt', CODE));
  t.cpu.env.rip = CODE;
  assert.equal(runToHlt(t), false); // no gates at all: #GP -> #NP -> #DF -> #NP
});

test('an external interrupt pushes no error code, even on an exception vector; NMI blocking lasts until IRET', () => {
  const m = protMachine();
  const env = m.cpu.env;
  m.as.loadBlob(CODE, asm('nop\nhlt', CODE));
  m.as.loadBlob(HANDLERS, asm('mov esi, esp\niret', HANDLERS));
  setGate(m, 13, gate(0x08, HANDLERS, 14, 0));
  setGate(m, 2, gate(0x08, HANDLERS, 14, 0));
  env.rip = CODE;
  x86CpuExecHardwareInterrupt(m.cpu.c, 13);
  assert.equal(runToHlt(m), true);
  assert.equal(env.regs[6 * 2], 0x8000 - 12); // EIP, CS, EFLAGS only
  assert.equal(rd32(m, 0x8000 - 12), CODE);
  env.rip = CODE;
  x86CpuExecNmi(m.cpu.c);
  assert.equal(env.nmiBlocked, true);
  assert.equal(runToHlt(m), true);
  assert.equal(env.nmiBlocked, false);
});

test('STI, MOV SS and POP SS open an interrupt shadow over the next instruction', () => {
  const m = protMachine();
  const env = m.cpu.env;
  env.eflags &= ~IF_MASK;
  m.as.loadBlob(CODE, asm('sti\nnop\nmov ax, ss\nmov ss, ax\nnop\npush ss\npop ss\nnop\nhlt', CODE));
  env.rip = CODE;
  m.cpu.run(1);
  assert.equal(env.inhibitIrq, true);
  assert.equal(env.inhibitIrqRip, CODE + 1);
  assert.equal(env.rip, CODE + 1);
  env.inhibitIrq = false;
  m.cpu.run(3); // nop, mov ax, ss, mov ss, ax
  assert.equal(env.inhibitIrq, true);
  assert.equal(env.inhibitIrqRip, env.rip);
  env.inhibitIrq = false;
  m.cpu.run(3); // nop, push ss, pop ss
  assert.equal(env.inhibitIrq, true);
  assert.equal(env.inhibitIrqRip, env.rip);
  // Back to back (QEMU's translator): the second STI inside the first one's shadow closes it.
  m.as.loadBlob(CODE + 0x40, asm('sti\nsti\nhlt', CODE + 0x40));
  env.inhibitIrq = false;
  env.rip = CODE + 0x40;
  m.cpu.run(1);
  assert.equal(env.inhibitIrq, true);
  m.cpu.run(1);
  assert.equal(env.inhibitIrq, false);
});

/** Assembles 64-bit code. */
function asm64(src: string, org: number): Uint8Array {
  return asm(`bits 64\n${src}`, org);
}

test('long mode: 64-bit gates, 16-byte frame alignment, IST stacks, CPL 3 -> 0 with a null SS, IRETQ', () => {
  const m = makeMachine();
  const env = m.cpu.env;
  const w32 = (a: number, v: number): void => m.as.loadBlob(a, new Uint8Array(new Int32Array([v]).buffer));
  const put = (i: number, d: [number, number]): void => { w32(GDT + i * 8, d[0]); w32(GDT + i * 8 + 4, d[1]); };
  put(1, desc(0, 0xfffff, 0x9a, 0xa)); // 0x08 code64
  put(2, desc(0, 0xfffff, 0x92, 0xc)); // 0x10 data
  put(3, desc(0, 0xfffff, 0xf2, 0xc)); // 0x1b data DPL 3
  put(4, desc(0, 0xfffff, 0xfa, 0xa)); // 0x23 code64 DPL 3
  put(5, desc(TSS, 0x67, 0x89, 0));   // 0x28 64-bit TSS (upper half zero)
  w32(TSS + 4, 0x9000);                // RSP0
  w32(TSS + 0x24, 0xa000);             // IST1
  const gate64 = (vec: number, off: number, ist: number, dpl: number): void => {
    w32(IDT + vec * 16, (0x08 << 16) | (off & 0xffff));
    w32(IDT + vec * 16 + 4, (off & 0xffff0000) | 0x8000 | (dpl << 13) | (14 << 8) | ist);
    w32(IDT + vec * 16 + 8, 0);
    w32(IDT + vec * 16 + 12, 0);
  };
  m.as.loadBlob(CODE, asm64(
    'mov rsp, 0x8008\nint 0x21\nmov rdi, rsi\nint 0x20\nmov rbp, rsi\nhlt', CODE));
  m.as.loadBlob(HANDLERS, asm64('mov rsi, rsp\nmov ebx, ss\niretq', HANDLERS));
  gate64(0x20, HANDLERS, 1, 0);
  gate64(0x21, HANDLERS, 0, 0);
  gate64(0x22, HANDLERS, 0, 3);
  env.gdtBase = GDT; env.gdtLimit = 6 * 8 - 1;
  env.idtBase = IDT; env.idtLimit = 256 * 16 - 1;
  env.cr0 |= 1;
  env.efer = 0x500; // LME | LMA
  env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, 0x00af9b00);
  for (const s of [R_DS, R_ES, R_SS]) env.loadSegCache(s, 0x10, 0, 0xffffffff, 0x00cf9300);
  env.loadSegCache(R_TR, 0x28, TSS, 0x67, 0x00008900);
  env.rip = CODE;
  assert.equal(runToHlt(m), true);
  assert.equal(env.regs[7 * 2], 0x8000 - 40); // RSP aligned down to 16, then SS, RSP, RFLAGS, CS, RIP
  assert.equal(env.regs[5 * 2], 0xa000 - 40); // IST1
  assert.equal(env.regs[R_ESP << 1], 0x8008);
  assert.equal(rd32(m, 0xa000 - 40), CODE + 5 + 2 + 3 + 2); // RIP after INT 0x20 (nasm: mov esp, imm32)
  assert.equal(rd32(m, 0xa000 - 32), 0x08);
  assert.equal(rd32(m, 0xa000 - 16), 0x8008);
  assert.equal(rd32(m, 0xa000 - 8), 0x10);

  // From CPL 3: the stack comes from RSP0 and SS is loaded with a null selector (RPL 0).
  m.as.loadBlob(CODE + 0x100, asm64('int 0x22\nhlt', CODE + 0x100));
  env.loadSegCache(R_CS, 0x23, 0, 0xffffffff, 0x00affb00);
  env.loadSegCache(R_SS, 0x1b, 0, 0xffffffff, 0x00cff300);
  env.regs[R_ESP << 1] = 0x7000;
  env.rip = CODE + 0x100;
  m.cpu.run(1); // INT 0x22 (delivered below), then the handler's two instructions
  assert.equal(x86CpuDoInterrupt(m.cpu.c), true);
  assert.equal(env.segSelector[R_CS], 0x08);
  assert.equal(env.regs[R_ESP << 1], 0x9000 - 40);
  m.cpu.run(2);
  assert.equal(env.regs[3 * 2], 0); // SS inside the handler
  m.cpu.run(1); // IRETQ
  assert.equal(env.segSelector[R_CS], 0x23);
  assert.equal(env.segSelector[R_SS], 0x1b);
  assert.equal(env.regs[R_ESP << 1], 0x7000);
  assert.equal(env.rip, CODE + 0x102);
});
