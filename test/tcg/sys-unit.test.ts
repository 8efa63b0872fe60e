/*
 * System instructions on the bare software CPU where the QEMU 7.2 comparisons of
 * test/sysarch/sys.test.ts cannot reach: features the default models lack (XSAVE's XGETBV/XSETBV,
 * MONITOR/MWAIT halting), an Intel vendor (SYSENTER/SYSEXIT in 64-bit mode) and the TSC offset
 * contract with the model's rdtsc callback.  Expected values follow the SDM (Vol. 2 XGETBV,
 * XSETBV, MWAIT, SYSENTER, SYSEXIT, WRMSR; Vol. 4 IA32_TIME_STAMP_COUNTER).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { IOPortSpace } from '../../src/exec/ioport.js';
import { X86TcgCpu, EXIT_BUDGET, EXIT_EXCEPTION, EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import {
  R_CS, R_DS, R_ES, R_SS, R_EAX, R_ECX, R_EDX, R_ESP, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME,
  DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK, DESC_L_MASK, DESC_W_MASK, DESC_B_MASK, DESC_G_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';

const CODE = 0x4000;
const XSAVE = 1 << 26;

interface Rig {
  cpu: X86TcgCpu;
  as: AddressSpace;
  /** The host-derived TSC the rdtsc callback adds env.tscOffset to. */
  host: { tsc: number };
}

/** A flat 32-bit protected-mode CPU at CPL 0; CPUID leaf 0 says `vendor`, leaf 0xD offers XCR0 bits 0-1. */
function rig(features: Record<string, number>, vendor = 'AuthenticAMD'): Rig {
  const alloc = new RamBlockAllocator(2 << 20);
  const as = new AddressSpace(alloc);
  as.addRegion(0, MemoryRegion.ram(alloc, 'ram', 1 << 20));
  const host = { tsc: 1000 };
  const vend = Buffer.from(vendor, 'latin1');
  let cpu: X86TcgCpu | null = null;
  cpu = new X86TcgCpu({
    as, io: new IOPortSpace(), features,
    cpuid: (leaf, _sub, out) => {
      out.fill(0);
      if (leaf === 0) { out[0] = 0xd; out[1] = vend.readInt32LE(0); out[3] = vend.readInt32LE(4); out[2] = vend.readInt32LE(8); }
      if (leaf === 0xd) out[0] = 3;
    },
    rdtsc: (out) => {
      host.tsc += 10;
      const v = host.tsc + cpu!.env.tscOffset;
      out[0] = Math.floor(v / 2 ** 32);
      return v >>> 0;
    },
  });
  const env = cpu.env;
  env.cr0 = 0x11;
  env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0xa00);
  for (const s of [R_DS, R_ES, R_SS]) env.loadSegCache(s, 0x10, 0, 0xffffffff, DESC_G_MASK | DESC_B_MASK | DESC_P_MASK | DESC_S_MASK | DESC_W_MASK);
  env.regs[R_ESP << 1] = 0x8000;
  return { cpu, as, host };
}

/** Runs `bytes` at CODE as one instruction; returns the exit reason. */
function step(r: Rig, bytes: number[], regs: Partial<Record<number, number>> = {}): number {
  r.as.loadBlob(CODE, Uint8Array.from([...bytes, 0x90]));
  r.cpu.flushCode();
  const env = r.cpu.env;
  env.rip = CODE;
  env.exception_index = -1;
  for (const [k, v] of Object.entries(regs)) env.regs[Number(k) << 1] = v!;
  return r.cpu.run(1);
}

const XGETBV = [0x0f, 0x01, 0xd0], XSETBV = [0x0f, 0x01, 0xd1];

test('XGETBV/XSETBV where XSAVE is advertised: CR4.OSXSAVE, XCR0 rules (SDM)', () => {
  const r = rig({ ...TCG_FEATURES, FEAT_1_ECX: (TCG_FEATURES.FEAT_1_ECX ?? 0) | XSAVE });
  const env = r.cpu.env;
  assert.equal(step(r, XGETBV, { [R_ECX]: 0 }), EXIT_EXCEPTION);
  assert.equal(env.exception_index, 6, '#UD while CR4.OSXSAVE is clear');
  assert.equal(step(r, [0x0f, 0x22, 0xe0], { [R_EAX]: 1 << 18 }), EXIT_BUDGET); // mov cr4, eax
  assert.equal(env.cr4, 1 << 18);
  assert.equal(step(r, XGETBV, { [R_ECX]: 0, [R_EDX]: -1 }), EXIT_BUDGET);
  assert.deepEqual([env.regs[R_EAX << 1], env.regs[R_EDX << 1]], [1, 0]);
  assert.equal(step(r, XSETBV, { [R_ECX]: 0, [R_EAX]: 3, [R_EDX]: 0 }), EXIT_BUDGET);
  assert.equal(env.xcr0, 3);
  assert.equal(step(r, XGETBV, { [R_ECX]: 0 }), EXIT_BUDGET);
  assert.equal(env.regs[R_EAX << 1], 3);
  for (const [eax, edx, ecx] of [[2, 0, 0], [7, 0, 0], [3, 1, 0], [3, 0, 1]]) {
    assert.equal(step(r, XSETBV, { [R_ECX]: ecx, [R_EAX]: eax, [R_EDX]: edx }), EXIT_EXCEPTION);
    assert.deepEqual([env.exception_index, env.error_code], [13, 0], `XSETBV ${edx}:${eax} ecx=${ecx}`);
  }
  assert.equal(env.xcr0, 3);
  assert.equal(step(r, XGETBV, { [R_ECX]: 1 }), EXIT_EXCEPTION, 'ECX=1 needs XGETBV1');
  assert.equal(env.exception_index, 13);
  assert.equal(step(r, [0x66, ...XGETBV], { [R_ECX]: 0 }), EXIT_EXCEPTION);
  assert.equal(env.exception_index, 6, 'a 66 prefix is #UD');
});

test('XGETBV is #UD where XSAVE is not advertised, and CR4.OSXSAVE cannot be set', () => {
  const r = rig({ ...TCG_FEATURES, FEAT_1_ECX: (TCG_FEATURES.FEAT_1_ECX ?? 0) & ~(1 << 26) });
  assert.equal(step(r, XGETBV, { [R_ECX]: 0 }), EXIT_EXCEPTION);
  assert.equal(r.cpu.env.exception_index, 6);
  assert.equal(step(r, [0x0f, 0x22, 0xe0], { [R_EAX]: 1 << 18 }), EXIT_EXCEPTION);
  assert.equal(r.cpu.env.exception_index, 13);
});

test('MONITOR/MWAIT halt the CPU after MWAIT; MWAIT with ECX != 0 is #GP', () => {
  const r = rig(TCG_FEATURES);
  const env = r.cpu.env;
  assert.equal(step(r, [0x0f, 0x01, 0xc8], { [R_EAX]: 0x6000, [R_ECX]: 0, [R_EDX]: 0 }), EXIT_BUDGET);
  assert.equal(step(r, [0x0f, 0x01, 0xc9], { [R_EAX]: 0, [R_ECX]: 1 }), EXIT_EXCEPTION);
  assert.equal(env.exception_index, 13);
  assert.equal(step(r, [0x0f, 0x01, 0xc9], { [R_EAX]: 0, [R_ECX]: 0 }), EXIT_HLT);
  assert.equal(env.rip, CODE + 3);
  assert.equal(env.halted, true);
});

test('WRMSR TSC sets the count the rdtsc callback returns (through env.tscOffset)', () => {
  const r = rig(TCG_FEATURES);
  const env = r.cpu.env;
  assert.equal(step(r, [0x0f, 0x30], { [R_ECX]: 0x10, [R_EAX]: 0x100, [R_EDX]: 5 }), EXIT_BUDGET);
  assert.equal(step(r, [0x0f, 0x31]), EXIT_BUDGET); // rdtsc
  const t = (env.regs[R_EDX << 1] >>> 0) * 2 ** 32 + (env.regs[R_EAX << 1] >>> 0);
  assert.ok(t > 5 * 2 ** 32 + 0x100 && t < 5 * 2 ** 32 + 0x100 + 100, t.toString(16));
  assert.equal(step(r, [0x0f, 0x32], { [R_ECX]: 0x10 }), EXIT_BUDGET); // rdmsr
  const m = (env.regs[R_EDX << 1] >>> 0) * 2 ** 32 + (env.regs[R_EAX << 1] >>> 0);
  assert.ok(m > t && m < t + 100, m.toString(16));
});

/** Identity-maps the first 2 MiB with 4-level paging and enters 64-bit mode at CPL 0. */
function longMode(r: Rig): void {
  const w32 = (a: number, v: number): void => r.as.loadBlob(a, new Uint8Array(new Int32Array([v]).buffer));
  w32(0x10000, 0x11000 | 7);
  w32(0x11000, 0x12000 | 7);
  w32(0x12000, 0x87);
  const env = r.cpu.env;
  env.cr3 = 0x10000;
  env.cr4 = 0x20;
  env.efer = EFER_LME | EFER_LMA;
  env.cr0 = CR0_PE_MASK | CR0_PG_MASK | 0x10;
  env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, DESC_G_MASK | DESC_L_MASK | DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0xa00);
  r.cpu.mmu.tlbFlush();
}

test('SYSEXIT/SYSENTER in 64-bit mode on an Intel model (SDM), #UD on an AMD one', () => {
  const r = rig(TCG_FEATURES, 'GenuineIntel');
  longMode(r);
  const env = r.cpu.env;
  const wrmsr = (msr: number, lo: number, hi: number): void => {
    assert.equal(step(r, [0x0f, 0x30], { [R_ECX]: msr, [R_EAX]: lo, [R_EDX]: hi }), EXIT_BUDGET);
  };
  wrmsr(0x174, 0x10, 0);
  wrmsr(0x175, 0x7000, 0xffff8000);
  wrmsr(0x176, 0x1234, 0xffff8000);
  // SYSEXIT with REX.W: CS = SYSENTER_CS + 32 | 3, SS = + 40 | 3, RSP = RCX, RIP = RDX.
  env.regs[(R_ECX << 1) + 1] = 0;
  env.regs[(R_EDX << 1) + 1] = 0;
  assert.equal(step(r, [0x48, 0x0f, 0x35], { [R_ECX]: 0x6000, [R_EDX]: CODE + 0x10 }), EXIT_BUDGET);
  assert.deepEqual([env.segSelector[R_CS], env.segSelector[R_SS], env.codeSize, env.rip], [0x33, 0x3b, 8, CODE + 0x10]);
  assert.equal(env.regs[R_ESP << 1], 0x6000);
  // SYSENTER: CS = SYSENTER_CS (64-bit), SS = + 8, RSP/RIP from the MSRs.
  assert.equal(step(r, [0x0f, 0x34]), EXIT_BUDGET);
  assert.deepEqual([env.segSelector[R_CS], env.segSelector[R_SS], env.codeSize], [0x10, 0x18, 8]);
  assert.equal(env.rip, -0x800000000000 + 0x1234);
  assert.deepEqual([env.regs[R_ESP << 1], env.regs[(R_ESP << 1) + 1]], [0x7000, 0xffff8000 | 0]);
  // A non-canonical return address is #GP(0) before anything changes.
  env.regs[(R_EDX << 1) + 1] = 0x8000;
  assert.equal(step(r, [0x48, 0x0f, 0x35], { [R_ECX]: 0x6000, [R_EDX]: 0 }), EXIT_EXCEPTION);
  assert.deepEqual([env.exception_index, env.segSelector[R_CS]], [13, 0x10]);

  const amd = rig(TCG_FEATURES, 'AuthenticAMD');
  longMode(amd);
  assert.equal(step(amd, [0x0f, 0x34]), EXIT_EXCEPTION);
  assert.equal(amd.cpu.env.exception_index, 6);
});
