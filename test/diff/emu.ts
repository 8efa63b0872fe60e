/*
 * Runs differential test cases on our software CPU, in the same memory layout as the host
 * harness: data at DATA_ADDR, code at CODE_ADDR, stack at STACK_ADDR, and a GDT with Linux's
 * user selectors (0x23 32-bit code, 0x2b data, 0x33 64-bit code) so far transfers behave alike.
 * The exit stub is HLT: at CPL 3 it raises #GP exactly at the stub address, which marks a
 * normal completion.
 */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { IOPortSpace } from '../../src/exec/ioport.js';
import { X86TcgCpu, EXIT_EXCEPTION } from '../../src/target/i386/tcg/cpu-exec.js';
import {
  R_CS, R_SS, R_DS, R_ES, R_FS, R_GS, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, DESC_P_MASK, DESC_S_MASK,
  DESC_CS_MASK, DESC_W_MASK, DESC_B_MASK, DESC_L_MASK, DESC_G_MASK, IF_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';
import { cpuComputeEflags, cpuLoadEflags } from '../../src/target/i386/tcg/flags.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import {
  CODE_ADDR, DATA_ADDR, DATA_SIZE, STACK_ADDR, STACK_SIZE, MAX_DIFFS, fillBytes, type TestCase, type TestResult,
} from './protocol.js';

const GDT_ADDR = 0x380000;
const PML4_ADDR = 0x390000;
const DPL3 = 3 << 13;
const CODE32 = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | DESC_B_MASK | DESC_G_MASK | DPL3 | 0x100;
const CODE64 = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | DESC_L_MASK | DESC_G_MASK | DPL3 | 0x100;
const DATA32 = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK | DESC_G_MASK | DPL3 | 0x100;

/** Signal the host raises for each exception vector (Linux x86 traps.c). */
export function vectorToSignal(v: number): number {
  switch (v) {
    case 0: return 8;   // #DE → SIGFPE
    case 1: case 3: return 5; // #DB, #BP → SIGTRAP
    case 6: return 4;   // #UD → SIGILL
    case 12: case 17: return 7; // #SS, #AC → SIGBUS
    default: return 11; // #GP, #NP, #PF → SIGSEGV
  }
}

export class EmuRunner {
  readonly cpu: X86TcgCpu;
  readonly as: AddressSpace;
  private readonly init = new Uint8Array(DATA_SIZE + STACK_SIZE);

  constructor() {
    const alloc = new RamBlockAllocator(4 << 20);
    this.as = new AddressSpace(alloc);
    this.as.addRegion(0, MemoryRegion.ram(alloc, 'pc.ram', 4 << 20));
    this.cpu = new X86TcgCpu({
      as: this.as,
      io: new IOPortSpace(),
      cpuid: (_l, _s, out) => out.fill(0),
      rdtsc: (out) => { out[0] = 0; return 0; },
      features: TCG_FEATURES,
    });
    const gdt = new Uint8Array(16 * 8); // GDT_ENTRIES = 16
    const dv = new DataView(gdt.buffer);
    const put = (idx: number, hiFlags: number): void => {
      dv.setUint32(idx * 8, 0x0000ffff, true);
      dv.setUint32(idx * 8 + 4, (hiFlags | 0xf0000) >>> 0, true);
    };
    // Linux's x86-64 GDT (arch/x86/include/asm/segment.h): kernel 32/64-bit code and data at DPL 0.
    put(1, CODE32 & ~DPL3);
    put(2, CODE64 & ~DPL3);
    put(3, DATA32 & ~DPL3);
    put(4, CODE32);
    put(5, DATA32);
    put(6, CODE64);
    this.as.loadBlob(GDT_ADDR, gdt);
  }

  run(tc: TestCase): TestResult {
    const cpu = this.cpu;
    const env = cpu.env;
    const as = this.as;
    fillBytes(tc.seed, this.init);
    as.loadBlob(DATA_ADDR, this.init.subarray(0, DATA_SIZE));
    as.loadBlob(STACK_ADDR, this.init.subarray(DATA_SIZE));
    const code = new Uint8Array(tc.code.length + 16).fill(0xcc);
    code.set(tc.code);
    code[tc.code.length] = 0xf4; // HLT: #GP at CPL 3, our "reached the stub" marker
    as.loadBlob(CODE_ADDR, code);

    env.gdtBase = GDT_ADDR;
    env.gdtLimit = 16 * 8 - 1;
    // Long mode needs page tables: identity-map the 4 MiB of RAM with two user 2 MiB pages.
    as.loadBlob(PML4_ADDR, Uint8Array.of(0x07, 0x10, 0x39));
    as.loadBlob(PML4_ADDR + 0x1000, Uint8Array.of(0x07, 0x20, 0x39));
    as.loadBlob(PML4_ADDR + 0x2000, Uint8Array.of(0x87, 0, 0, 0, 0, 0, 0, 0, 0x87, 0, 0x20));
    env.cr3 = PML4_ADDR;
    env.cr4 = 0x20; // PAE
    env.cr0 = CR0_PE_MASK | CR0_PG_MASK | 0x10;
    env.efer = EFER_LME | EFER_LMA;
    env.loadSegCache(R_SS, 0x2b, 0, 0xffffffff, DATA32);
    for (const s of [R_DS, R_ES]) env.loadSegCache(s, 0x2b, 0, 0xffffffff, DATA32);
    for (const s of [R_FS, R_GS]) env.loadSegCache(s, 0, 0, 0, 0);
    if (tc.mode === 64) env.loadSegCache(R_CS, 0x33, 0, 0xffffffff, CODE64);
    else env.loadSegCache(R_CS, 0x23, 0, 0xffffffff, CODE32);
    for (let r = 0; r < 16; r++) env.setReg64(r, BigInt.asUintN(64, tc.regs[r]));
    env.eflags = 0x2;
    cpuLoadEflags(env, Number(tc.flags) | IF_MASK, 0x3f7fd5);
    env.rip = CODE_ADDR;
    const stubAddr = CODE_ADDR + tc.code.length;
    let signo = 0;
    let rip = 0n;
    const exit = cpu.run(10000);
    if (exit === EXIT_EXCEPTION && !(env.exception_index === 13 && env.rip === stubAddr)) {
      signo = vectorToSignal(env.exception_index);
      rip = BigInt(env.exception_is_int ? env.exception_next_rip : env.rip);
      env.exception_is_int = false;
    } else if (exit !== EXIT_EXCEPTION) {
      throw new Error(`${tc.name}: did not reach the exit stub (exit ${exit}, rip 0x${env.rip.toString(16)})`);
    }
    const regs: bigint[] = [];
    for (let r = 0; r < 16; r++) regs.push(env.getReg64(r));
    const flags = BigInt(cpuComputeEflags(env));
    const diffs: number[] = [];
    const u8 = as.alloc.u8;
    for (let i = 0; i < DATA_SIZE + STACK_SIZE && diffs.length < MAX_DIFFS; i++) {
      const now = i < DATA_SIZE ? u8[DATA_ADDR + i] : u8[STACK_ADDR + i - DATA_SIZE];
      if (now !== this.init[i]) diffs.push(((i << 8) | now) >>> 0);
    }
    return { signo, rip, regs, flags, diffs };
  }
}
