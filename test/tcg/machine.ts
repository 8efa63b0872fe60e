/* A bare test machine for the software CPU: RAM at 0, optional MMIO/ROM, an I/O port space. */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../src/exec/memory.js';
import { IOPortSpace } from '../../src/exec/ioport.js';
import { X86TcgCpu } from '../../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import { R_CS, R_DS, R_ES, R_SS } from '../../src/target/i386/tcg/cpu-state.js';

export interface TestMachine {
  alloc: RamBlockAllocator;
  as: AddressSpace;
  io: IOPortSpace;
  cpu: X86TcgCpu;
  cpuidCalls: [number, number][];
}

export function makeMachine(ramSize = 1 << 20, features: Record<string, number> = TCG_FEATURES): TestMachine {
  const alloc = new RamBlockAllocator(ramSize + (1 << 20));
  const as = new AddressSpace(alloc);
  as.addRegion(0, MemoryRegion.ram(alloc, 'ram', ramSize));
  const io = new IOPortSpace();
  const cpuidCalls: [number, number][] = [];
  let tsc = 0x1_0000_0000 - 5;
  const cpu = new X86TcgCpu({
    as, io, features,
    cpuid: (leaf, sub, out) => {
      cpuidCalls.push([leaf, sub]);
      out[0] = leaf + 1; out[1] = sub + 2; out[2] = 0x6c65746e; out[3] = -1;
    },
    rdtsc: (out) => { tsc += 10; out[0] = Math.floor(tsc / 2 ** 32); return tsc >>> 0; },
  });
  return { alloc, as, io, cpu, cpuidCalls };
}

/** Loads `code` at 0:addr in real mode (CPL 0) and points CS:IP at it. */
export function loadRealMode(m: TestMachine, addr: number, code: number[]): void {
  m.as.loadBlob(addr, Uint8Array.from(code));
  const env = m.cpu.env;
  for (const s of [R_CS, R_DS, R_ES, R_SS]) env.loadSegCache(s, 0, 0, 0xffff, env.segFlags[s]);
  env.rip = addr;
  env.regs[2 * 4] = 0x8000; // SP
}
