/*
 * Guest MIPS of the software CPU on a CPU-bound 64-bit kernel: a rotating checksum over 16 KiB
 * (40 rounds) followed by insertion sorts of 256 pseudo-random dwords (30 rounds), 5.3 M
 * instructions per pass.  One warm-up pass, then `passes` timed ones; reports instructions,
 * wall and CPU time, and millions of guest instructions per CPU second.
 *
 * Run: npx tsc -p . && node dist/bench/cpu-mips.js [repeats]
 */
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../src/exec/memory.js';
import { IOPortSpace } from '../src/exec/ioport.js';
import { X86TcgCpu, EXIT_HLT } from '../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../src/target/i386/tcg/tcg-features.js';
import {
  R_CS, R_SS, R_DS, R_ES, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK,
  DESC_L_MASK, DESC_W_MASK, DESC_B_MASK,
} from '../src/target/i386/tcg/cpu-state.js';

/*
 * nasm source (bits 64, org 0x1000):
 *   checksum: mov r8d,40 / .outer: mov esi,0x10000; mov ecx,4096; xor eax,eax; xor edx,edx
 *   .inner: mov ebx,[rsi]; add eax,ebx; add edx,eax; rol edx,3; xor eax,edx; add rsi,4; dec ecx; jnz .inner
 *           dec r8; jnz .outer
 *   sort: mov r8d,30; mov r9d,1 / .outer: mov esi,0x20000; mov ecx,256; mov eax,r9d
 *   .fill: imul eax,eax,1103515245; add eax,12345; mov [rsi+rcx*4-4],eax; dec ecx; jnz .fill
 *          mov r9d,eax; mov ecx,1
 *   .i: mov eax,[rsi+rcx*4]; mov edx,ecx / .j: test edx,edx; jz .place; mov ebx,[rsi+rdx*4-4]
 *       cmp ebx,eax; jbe .place; mov [rsi+rdx*4],ebx; dec edx; jmp .j
 *   .place: mov [rsi+rdx*4],eax; inc ecx; cmp ecx,256; jb .i; dec r8; jnz .outer; hlt
 */
const KERNEL =
  '41b828000000be00000100b90010000031c031d28b1e01d801c2c1c20331d04883c604ffc975ed49ffc875da41b81e00000041b9' +
  '01000000be00000200b9000100004489c869c06d4ec641053930000089448efcffc975ed4189c1b9010000008b048e89ca85d274' +
  '0f8b5c96fc39c37607891c96ffcaebed890496ffc181f90001000072db49ffc875aef4';

export interface MipsResult {
  instructions: number;
  seconds: number;
  cpuSeconds: number;
  mips: number;
}

export function runCpuMips(passes = 5): MipsResult {
  const alloc = new RamBlockAllocator(1 << 20);
  const as = new AddressSpace(alloc);
  as.addRegion(0, MemoryRegion.ram(alloc, 'ram', 1 << 20));
  const cpu = new X86TcgCpu({
    as, io: new IOPortSpace(), features: TCG_FEATURES,
    cpuid: (_l, _s, out) => out.fill(0),
    rdtsc: (out) => { out[0] = 0; return 0; },
  });
  as.loadBlob(0x1000, Uint8Array.from(Buffer.from(KERNEL, 'hex')));
  for (let i = 0; i < 0x4000; i++) alloc.u8[0x10000 + i] = (i * 37) & 0xff;
  const env = cpu.env;
  // Long mode needs page tables: identity-map the first 2 MiB with one large page (PML4 0x80000).
  const dv = new DataView(alloc.u8.buffer, alloc.u8.byteOffset);
  dv.setUint32(0x80000, 0x81000 | 3, true);
  dv.setUint32(0x81000, 0x82000 | 3, true);
  dv.setUint32(0x82000, 0x83, true); // P | RW | PS at physical 0
  env.cr3 = 0x80000;
  env.cr4 = 0x20; // PAE
  env.cr0 = CR0_PE_MASK | CR0_PG_MASK;
  env.efer = EFER_LME | EFER_LMA;
  const data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK;
  for (const s of [R_SS, R_DS, R_ES]) env.loadSegCache(s, 0x10, 0, 0xffffffff, data);
  env.loadSegCache(R_CS, 0x8, 0, 0xffffffff, DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | DESC_L_MASK | 0x200);
  const pass = (): void => {
    env.rip = 0x1000;
    env.halted = false;
    let exit: number;
    do exit = cpu.run(1_000_000); while (exit !== EXIT_HLT);
  };
  pass(); // warm-up: decode and JIT
  const before = cpu.icount;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < passes; i++) pass();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = process.cpuUsage(c0);
  const cpuSeconds = (c1.user + c1.system) / 1e6;
  const instructions = cpu.icount - before;
  // MIPS per CPU second: on a loaded host wall time mostly measures the other processes.
  return { instructions, seconds, cpuSeconds, mips: instructions / cpuSeconds / 1e6 };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const repeats = Number(process.argv[2] ?? 3);
  for (let i = 0; i < repeats; i++) {
    const r = runCpuMips();
    console.log(`cpu-mips: ${r.instructions} guest instructions in ${r.seconds.toFixed(3)} s wall, ${r.cpuSeconds.toFixed(3)} s CPU = ${r.mips.toFixed(1)} MIPS`);
  }
}
