/*
 * More CPU-bound 32-bit guest kernels for the benchmark, run on our CPU and on the host CPU (the
 * oracle of the result) like bench/kernel32.ts: a REP MOVSB memcpy (bench/memcpy32.asm) and a hash
 * kernel, FNV-1a plus SHA-256 message-schedule rounds (bench/hash32.asm); and SSE2 kernels: a
 * MOVDQA/MOVDQU memcpy (bench/sse2memcpy32.asm), a PCMPEQB/PMOVMSKB/BSF strlen
 * (bench/sse2strlen32.asm), a MULPD/ADDPD dot product of doubles (bench/dotpd32.asm) and a 64-point
 * complex FFT (bench/fft32.asm), whose results are the bits of doubles, so our SSE arithmetic
 * must round as the host's does.
 *
 * Instructions are counted architecturally, once, by single-stepping our CPU: every iteration of a
 * REP string instruction counts as one instruction, as QEMU's -icount counts them (the host's
 * retired-instruction counters count a whole REP MOVSB as one, which would make the memcpy's MIPS
 * meaningless).  The slowdown vs the host CPU does not depend on that choice.
 *
 * Run: npx tsc -p . && node dist/bench/cpu-kernels.js [repeats]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Tcg32, runTcg32, VARS_ADDR, CODE_ADDR, type InsnCount, type KernelResult } from './kernel32.js';
import { runNative32 } from './native.js';
import { EXIT_HLT } from '../src/target/i386/tcg/cpu-exec.js';
import { R_ECX } from '../src/target/i386/tcg/cpu-state.js';

export interface CpuKernel {
  name: string;
  /** What the table says about it. */
  title: string;
  code: Buffer;
  /** The data image at VARS_ADDR for `passes` passes ([+0] is the pass count). */
  data(passes: number): Uint8Array;
  /** Bytes of memory traffic per pass, for a MB/s figure (0 = none). */
  bytesPerPass: number;
}

const SRC_ADDR = 0x110000;

export const MEMCPY32: CpuKernel = {
  name: 'memcpy',
  title: 'REP MOVSB memcpy, 16 x 64 KiB per pass',
  code: Buffer.from(
    '832d00801000017221bb1000000089de83e60181c600001100bf00001200b9ffff0000f3a44b75e6ebd6be00001200b9ff3f0000' +
    '31c031d20306c1c205331683c6044975f331ed', 'hex'),
  data(passes: number): Uint8Array {
    const d = new Uint8Array(SRC_ADDR + 0x10000 - VARS_ADDR);
    new DataView(d.buffer).setUint32(0, passes >>> 0, true);
    for (let i = 0; i < 0x10000; i++) d[SRC_ADDR - VARS_ADDR + i] = (i * 131 + (i >> 8)) & 0xff;
    return d;
  },
  bytesPerPass: 16 * 0xffff,
};

export const HASH32: CpuKernel = {
  name: 'hash',
  title: 'FNV-1a over 16 KiB + 16 SHA-256 message-schedule rounds per pass',
  code: Buffer.from(
    '832d00801000010f82ab000000be00001100b900400000a1048010000fb61631d069c093010001464975f1a304801000bf00c010' +
    '00b910000000f3abbf00c01000c7050880100010000000bb100000008b449ff889c289c5c1c811c1ca13c1ed0a31d031e803449f' +
    'e403449fc08b549fc489d589d1c1ca07c1cd12c1e90331ea31ca01d089049f4383fb4072c38db7c0000000b910000000f3a5bf00' +
    'c01000832d088010000175a3a13cc01000310504801000e948ffffffa1048010008b153cc010008b2d00c01000', 'hex'),
  data(passes: number): Uint8Array {
    const d = new Uint8Array(SRC_ADDR + 0x4000 - VARS_ADDR);
    const v = new DataView(d.buffer);
    v.setUint32(0, passes >>> 0, true);
    v.setUint32(4, 0x811c9dc5, true); // FNV offset basis
    for (let i = 0; i < 0x4000; i++) d[SRC_ADDR - VARS_ADDR + i] = (i * 37 + (i >> 7)) & 0xff;
    return d;
  },
  bytesPerPass: 0,
};

export const SSE2_MEMCPY32: CpuKernel = {
  name: 'sse2memcpy',
  title: 'SSE2 MOVDQA/MOVDQU memcpy, 16 x 65472 bytes per pass',
  code: Buffer.from(
    '832d00801000010f828a000000bb10000000bf00001200b9ff030000f7c3010000007536be00001100660f6f06660f6f4e10660f' +
    '6f5620660f6f5e30660f7f07660f7f4f10660f7f5720660f7f5f3083c64083c7404975d1eb358db300001100f30f6f06f30f6f4e' +
    '10f30f6f5620f30f6f5e30660f7f07660f7f4f10660f7f5720660f7f5f3083c64083c7404975d14b7580e969ffffffbe00001200' +
    'b9f03f000031c031d20306c1c205331683c6044975f331ed', 'hex'),
  data(passes: number): Uint8Array {
    const d = new Uint8Array(SRC_ADDR + 0x10000 - VARS_ADDR);
    new DataView(d.buffer).setUint32(0, passes >>> 0, true);
    for (let i = 0; i < 0x10000; i++) d[SRC_ADDR - VARS_ADDR + i] = (i * 151 + (i >> 9)) & 0xff;
    return d;
  },
  bytesPerPass: 16 * 0xffc0,
};

/** The strings of the strlen kernel: lengths 0..249 in a fixed irregular order, packed. */
const STRLEN_COUNT = 200;

export const SSE2_STRLEN32: CpuKernel = {
  name: 'sse2strlen',
  title: `SSE2 PCMPEQB/PMOVMSKB/BSF strlen over ${STRLEN_COUNT} strings per pass`,
  code: Buffer.from(
    '31ed31ff660fefc0832d00801000017250be000011008b1d0480100089f083e0f089f183e10f660f6f08660f74c8660fd7d1d3ea' +
    '0fbcd2751883c010660f6f08660f74c8660fd7d10fbcd274ec01c229f201d56bff1f01d78d7416014b75bdeba789e889fa', 'hex'),
  data(passes: number): Uint8Array {
    const d = new Uint8Array(SRC_ADDR + 0x8000 - VARS_ADDR);
    const v = new DataView(d.buffer);
    v.setUint32(0, passes >>> 0, true);
    v.setUint32(4, STRLEN_COUNT, true);
    let p = SRC_ADDR - VARS_ADDR;
    for (let s = 0; s < STRLEN_COUNT; s++) {
      const len = (s * 97 + (s >> 3)) % 250;
      for (let j = 0; j < len; j++) d[p++] = 1 + ((s * 31 + j * 7) % 255);
      d[p++] = 0;
    }
    return d;
  },
  bytesPerPass: 0,
};

const DOT_N = 2048;
const DOT_B = 0x120000;

export const DOTPD32: CpuKernel = {
  name: 'dotpd',
  title: `SSE2 MULPD/ADDPD dot product of ${DOT_N} doubles per pass`,
  code: Buffer.from(
    '660f57ff832d00801000017250be00001100bf00001200b900020000660f57c0660f57c9660f2816660f5917660f58c2660f285e' +
    '10660f595f10660f58cb83c62083c7204975dd660f58c1660f28c8660f15c9f20f58c1f20f58f8eba7660f7ec5660f7ef8660f73' +
    'd720660f7efa', 'hex'),
  data(passes: number): Uint8Array {
    const d = new Uint8Array(DOT_B + 8 * DOT_N - VARS_ADDR);
    const v = new DataView(d.buffer);
    v.setUint32(0, passes >>> 0, true);
    for (let i = 0; i < DOT_N; i++) {
      v.setFloat64(SRC_ADDR - VARS_ADDR + 8 * i, 1 / (i + 1) - 0.37, true);
      v.setFloat64(DOT_B - VARS_ADDR + 8 * i, ((i % 17) - 8) * 0.3 + i / 3, true);
    }
    return d;
  },
  bytesPerPass: 0,
};

const FFT_N = 64;
const FFT_X = 0x110000, FFT_TW = 0x111000, FFT_REV = 0x112000;

export const FFT32: CpuKernel = {
  name: 'fft',
  title: `SSE2 ${FFT_N}-point radix-2 complex FFT of doubles per pass`,
  code: Buffer.from(
    '832d00801000010f82d100000031c98b048d00201100660f28800000110089cac1e204660f2982008011004183f94072debb0100' +
    '0000bd0004000031f631ff8d043ec1e00489dac1e20401c289f90fafcd660f288a00801100660f28d1660fc6d201660f59890010' +
    '1100660f599110101100660f58ca660f288000801100660f28d8660f58c1660f5cd9660f298000801100660f299a008011004739' +
    'df72a08d345e83fe407296d1ed01db83fb40728b660f28251080100031c9660f288100801100660f59c4660f29810000110083c1' +
    '1081f90004000072e1e922ffffffbe00801100b90001000031c031d20306c1c205331683c6044975f331ed', 'hex'),
  data(passes: number): Uint8Array {
    const d = new Uint8Array(FFT_REV + 4 * FFT_N - VARS_ADDR);
    const v = new DataView(d.buffer);
    v.setUint32(0, passes >>> 0, true);
    v.setFloat64(16, 1 / 8, true);
    v.setFloat64(24, 1 / 8, true);
    for (let i = 0; i < FFT_N; i++) {
      v.setFloat64(FFT_X - VARS_ADDR + 16 * i, Math.sin(i * 0.7) + (i % 5) * 0.25, true);
      v.setFloat64(FFT_X - VARS_ADDR + 16 * i + 8, Math.cos(i * 1.3) - 0.1 * i, true);
      let r = 0;
      for (let b = 0; b < 6; b++) r |= ((i >> b) & 1) << (5 - b);
      v.setUint32(FFT_REV - VARS_ADDR + 4 * i, 16 * r, true);
    }
    for (let k = 0; k < FFT_N / 2; k++) {
      const wr = Math.cos((-2 * Math.PI * k) / FFT_N), wi = Math.sin((-2 * Math.PI * k) / FFT_N);
      const o = FFT_TW - VARS_ADDR + 32 * k;
      v.setFloat64(o, wr, true);
      v.setFloat64(o + 8, wr, true);
      v.setFloat64(o + 16, -wi, true);
      v.setFloat64(o + 24, wi, true);
    }
    return d;
  },
  bytesPerPass: 0,
};

export const CPU_KERNELS: readonly CpuKernel[] = [MEMCPY32, HASH32, SSE2_MEMCPY32, SSE2_STRLEN32, DOTPD32, FFT32];

/** True if the bytes at `lin` start a REP/REPE/REPNE string instruction (after other prefixes). */
function isRepString(u8: Uint8Array, lin: number): boolean {
  let rep = false;
  for (let i = 0; i < 15; i++) {
    const b = u8[lin + i];
    if (b === 0xf2 || b === 0xf3) { rep = true; continue; }
    if (b === 0x66 || b === 0x67 || b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65) continue;
    return rep && ((b >= 0xa4 && b <= 0xa7) || (b >= 0xaa && b <= 0xaf) || (b >= 0x6c && b <= 0x6f));
  }
  return false;
}

/** Architectural instruction count of a run of `passes` passes (REP iterations counted one by one). */
function archCount(k: CpuKernel, passes: number): number {
  const t = new Tcg32(k.code);
  const env = t.cpu.env;
  t.as.loadBlob(VARS_ADDR, k.data(passes));
  env.rip = CODE_ADDR;
  env.halted = false;
  const u8 = t.alloc.u8;
  let n = 0;
  for (;;) {
    const rep = isRepString(u8, env.rip); // flat segments: linear = EIP
    const ecx = env.regs[2 * R_ECX];
    const exit = t.cpu.run(1);
    n += rep ? (ecx - env.regs[2 * R_ECX]) >>> 0 : 1;
    if (exit === EXIT_HLT) return n;
  }
}

/** Exact instructions of a run: fixed + perPass * passes. */
export function countKernel(k: CpuKernel): InsnCount {
  const one = archCount(k, 1), two = archCount(k, 2);
  return { fixed: 2 * one - two, perPass: two - one };
}

export interface KernelMips {
  name: string;
  title: string;
  /** Guest MIPS per CPU second: ours and the host's, and the host-to-ours time ratio. */
  tcg: number;
  native: number;
  slowdown: number;
  /** MB/s of memory traffic (memcpy), ours and native. */
  tcgMBs: number;
  nativeMBs: number;
  instructions: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function same(a: KernelResult, b: KernelResult): boolean {
  return a.eax === b.eax && a.edx === b.edx && a.ebp === b.ebp && Buffer.compare(Buffer.from(a.sorted), Buffer.from(b.sorted)) === 0;
}

/**
 * Times kernel `k` on our CPU (`runs` runs of a pass count calibrated to ~tcgSeconds) and on the
 * host CPU (~nativeSeconds), after checking both compute the same result.
 */
export function benchKernel(k: CpuKernel, runs = 3, tcgSeconds = 1, nativeSeconds = 0.3): KernelMips {
  const count = countKernel(k);
  // A probe long enough (>= 50 ms) that one short pass's compile time does not set the pass count.
  let probePasses = 1;
  let probe = runTcg32(k.code, k.data, probePasses);
  while (probe.cpuSeconds < 0.05) probe = runTcg32(k.code, k.data, probePasses *= 4);
  const oracle = runNative32(k.code, k.data(probePasses));
  if (!same(probe, oracle)) throw new Error(`${k.name}: tsqemu computed eax/edx/ebp ${probe.eax}/${probe.edx}/${probe.ebp}, the host CPU ${oracle.eax}/${oracle.edx}/${oracle.ebp}`);
  const passes = Math.max(1, Math.round((tcgSeconds * probePasses) / probe.cpuSeconds));
  const tcg: number[] = [], tcgT: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = runTcg32(k.code, k.data, passes);
    const want = runNative32(k.code, k.data(passes));
    if (!same(r, want)) throw new Error(`${k.name}: tsqemu and the host CPU differ after ${passes} passes`);
    tcg.push((count.fixed + count.perPass * passes) / r.cpuSeconds / 1e6);
    tcgT.push(r.cpuSeconds / passes);
  }
  const nprobe = runNative32(k.code, k.data(20));
  const npasses = Math.max(1, Math.ceil((nativeSeconds / Math.max(nprobe.cpuSeconds, 1e-4)) * 20));
  const nat: number[] = [], natT: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = runNative32(k.code, k.data(npasses));
    nat.push((count.fixed + count.perPass * npasses) / r.cpuSeconds / 1e6);
    natT.push(r.cpuSeconds / npasses);
  }
  const perPassTcg = median(tcgT), perPassNat = median(natT);
  return {
    name: k.name, title: k.title, tcg: median(tcg), native: median(nat), slowdown: perPassTcg / perPassNat,
    tcgMBs: k.bytesPerPass / perPassTcg / 1e6, nativeMBs: k.bytesPerPass / perPassNat / 1e6,
    instructions: count.fixed + count.perPass * passes,
  };
}

/**
 * Times kernel `name` in a fresh Node process (`node cpu-kernels.js --json <name> ...`): JIT
 * feedback from other guest code (a REP-heavy kernel before an ALU-heavy one) can halve the
 * interpreter's speed, so each kernel starts from the same state.
 */
export function benchKernelIsolated(name: string, runs: number, tcgSeconds: number, nativeSeconds: number): KernelMips {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--json', name, String(runs), String(tcgSeconds), String(nativeSeconds)],
    { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`cpu-kernels ${name} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as KernelMips;
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain && process.argv[2] === '--json') {
  const k = CPU_KERNELS.find((x) => x.name === process.argv[3]);
  if (!k) throw new Error(`no kernel ${process.argv[3]}`);
  process.stdout.write(JSON.stringify(benchKernel(k, Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6]))));
} else if (isMain) {
  const repeats = Number(process.argv[2] ?? 3);
  for (const k of CPU_KERNELS) {
    const r = benchKernelIsolated(k.name, repeats, 1, 0.3);
    const mb = k.bytesPerPass ? `, ${r.tcgMBs.toFixed(0)} MB/s vs ${r.nativeMBs.toFixed(0)} MB/s` : '';
    console.log(`${k.name}: tsqemu ${r.tcg.toFixed(1)} MIPS, native ${r.native.toFixed(1)} MIPS, slowdown ${r.slowdown.toFixed(1)}x${mb}`);
  }
}
