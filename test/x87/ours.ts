/*
 * Runs x87 differential cases on our software CPU in the host harness's layout (data at
 * DATA_ADDR, code at CODE_ADDR), in 64-bit mode at CPL 0 with CR0.NE/MP, CR4.OSFXSR and
 * CR4.OSXSAVE set and XCR0 = x87|SSE.  The code ends with HLT instead of the host's RET.
 */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { IOPortSpace } from '../../src/exec/ioport.js';
import { X86TcgCpu, EXIT_EXCEPTION, EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';
import {
  R_CS, R_SS, R_DS, R_ES, R_FS, R_GS, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, DESC_P_MASK, DESC_S_MASK,
  DESC_CS_MASK, DESC_W_MASK, DESC_B_MASK, DESC_L_MASK, DESC_G_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import { CODE_ADDR, DATA_ADDR, DATA_SIZE, type Case } from './cases.js';

const CODE64 = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | DESC_L_MASK | DESC_G_MASK | 0x100;
const DATA = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK | DESC_G_MASK | 0x100;
const STACK_TOP = 0x1f0000;
/** PML4 at 0x1000 -> PDPT at 0x2000 -> PD at 0x3000, whose entry 0 maps 2 MiB at 0 (P RW PS). */
const PT_ADDR = 0x1000;
const PAGE_TABLES = new Uint8Array(0x3000);
PAGE_TABLES.set([0x03, 0x20], 0);
PAGE_TABLES.set([0x03, 0x30], 0x1000);
PAGE_TABLES.set([0x83], 0x2000);

/** Signal Linux raises for an exception vector (arch/x86/kernel/traps.c). */
export function vectorToSignal(v: number): number {
  switch (v) {
    case 0: case 16: case 19: return 8; // #DE, #MF, #XM: SIGFPE
    case 6: return 4; // SIGILL
    case 12: case 17: return 7; // SIGBUS
    default: return 11; // SIGSEGV
  }
}

export interface Result {
  signo: number;
  offset: number;
  data: Uint8Array;
}

export class Ours {
  readonly cpu: X86TcgCpu;
  readonly as: AddressSpace;

  constructor(features: Record<string, number> = TCG_FEATURES) {
    const alloc = new RamBlockAllocator(4 << 20);
    this.as = new AddressSpace(alloc);
    this.as.addRegion(0, MemoryRegion.ram(alloc, 'ram', 2 << 20));
    this.cpu = new X86TcgCpu({
      as: this.as, io: new IOPortSpace(), features,
      cpuid: (_l, _s, out) => out.fill(0),
      rdtsc: (out) => { out[0] = 0; return 0; },
    });
  }

  run(tc: Case): Result {
    const cpu = this.cpu;
    const env = cpu.env;
    this.as.loadBlob(DATA_ADDR, tc.data);
    const code = new Uint8Array(tc.code.length + 1);
    code.set(tc.code);
    code[tc.code.length] = 0xf4; // HLT
    this.as.loadBlob(CODE_ADDR, code);
    cpu.flushCode();
    // Long mode needs paging: identity-map the first 2 MiB with one large page.
    this.as.loadBlob(PT_ADDR, PAGE_TABLES);
    env.cr3 = PT_ADDR;
    cpu.mmu.tlbFlush();
    env.cr0 = CR0_PE_MASK | CR0_PG_MASK | 0x10 | 0x20 | 0x2; // ET NE MP
    env.cr4 = (1 << 5) | (1 << 9) | (1 << 10) | (1 << 18); // PAE OSFXSR OSXMMEXCPT OSXSAVE
    env.xcr0 = 3;
    env.efer = EFER_LME | EFER_LMA;
    for (const s of [R_SS, R_DS, R_ES]) env.loadSegCache(s, 0x10, 0, 0xffffffff, DATA);
    for (const s of [R_FS, R_GS]) env.loadSegCache(s, 0, 0, 0, 0);
    env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, CODE64);
    env.regs.fill(0);
    env.regs[2 * 4] = STACK_TOP;
    env.rip = CODE_ADDR;
    const exit = cpu.run(100000);
    let signo = 0, offset = 0;
    if (exit === EXIT_EXCEPTION) {
      signo = vectorToSignal(env.exception_index);
      offset = env.rip - CODE_ADDR;
    } else if (exit !== EXIT_HLT || env.rip !== CODE_ADDR + code.length) {
      throw new Error(`${tc.name}: did not reach the end (exit ${exit}, rip 0x${env.rip.toString(16)})`);
    }
    const data = this.as.alloc.u8.slice(DATA_ADDR, DATA_ADDR + DATA_SIZE);
    return { signo, offset, data };
  }
}
