/*
 * Guest MIPS of an x87 dot-product loop on our software CPU, beside the same loop run natively
 * (compiled with gcc).  Not a test: run `node dist/test/x87/dot-bench.js`.
 *
 *   fldcw; fldz; loop: fld qword [rsi]; fmul qword [rdi]; faddp st1, st0; add rsi, 8; add rdi, 8;
 *   dec ecx; jnz loop; fstp qword [rbx]; hlt       (7 instructions per element)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ours } from './ours.js';
import { CODE_ADDR, DATA_ADDR } from './cases.js';
import { EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';

const N = 4096, PASSES = 400;
const LOOP = [
  0xd9, 0xee, // fldz
  0xdd, 0x06, // fld qword [rsi]
  0xdc, 0x0f, // fmul qword [rdi]
  0xde, 0xc1, // faddp st1, st0
  0x48, 0x83, 0xc6, 0x08, // add rsi, 8
  0x48, 0x83, 0xc7, 0x08, // add rdi, 8
  0xff, 0xc9, // dec ecx
  0x75, 0xee, // jnz loop (-18)
  0xdd, 0x1b, // fstp qword [rbx]
];

function ours(fcw: number): number {
  const o = new Ours();
  const a = new Float64Array(2 * N);
  for (let i = 0; i < 2 * N; i++) a[i] = 1 + i / 7;
  const data = new Uint8Array(0x840);
  data[0x800] = fcw & 0xff;
  data[0x801] = fcw >> 8;
  const tc = { name: 'dot', code: Uint8Array.from([0xbb, 0, 0, 0x10, 0, 0xd9, 0xab, 0x00, 0x08, 0, 0, // mov ebx, DATA; fldcw [rbx+0x800]
 0xbe, 0, 0, 0x14, 0, 0xbf, 0, 0x80, 0x14, 0, 0xb9, N & 0xff, N >> 8, 0, 0, ...LOOP]),
    data, approx: false, forms: [] };
  o.as.loadBlob(0x140000, new Uint8Array(a.buffer));
  o.run(tc); // warm-up, and sets up the machine
  const env = o.cpu.env;
  let insns = 0;
  const t0 = process.hrtime.bigint();
  for (let p = 0; p < PASSES; p++) {
    env.rip = CODE_ADDR + 11;
    const before = o.cpu.icount;
    if (o.cpu.run(1e9) !== EXIT_HLT) throw new Error('dot loop did not finish');
    insns += o.cpu.icount - before;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const r = new Float64Array(o.as.alloc.u8.slice(DATA_ADDR, DATA_ADDR + 8).buffer)[0];
  let ref = 0;
  for (let i = 0; i < N; i++) ref += a[i] * a[N + i];
  console.log(`ours, FCW ${fcw.toString(16)}:   ${(insns / secs / 1e6).toFixed(1)} guest MIPS (${insns} instructions, result ${r}, double-precision sum ${ref})`);
  return insns / secs;
}

function native(): number {
  const dir = mkdtempSync(join(tmpdir(), 'dot-'));
  const src = join(dir, 'dot.c');
  writeFileSync(src, `#include <stdio.h>
#include <time.h>
static double a[${2 * N}];
int main(void) {
  for (int i = 0; i < ${2 * N}; i++) a[i] = 1 + i / 7.0;
  double r = 0; struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int p = 0; p < ${PASSES * 200}; p++) {
    long n = ${N}; const double *x = a, *y = a + ${N};
    __asm__ volatile("fldz\\n1: fldl (%1)\\n fmull (%2)\\n faddp\\n add $8, %1\\n add $8, %2\\n dec %k0\\n jnz 1b\\n fstpl %3"
      : "+r"(n), "+r"(x), "+r"(y), "=m"(r) : : "memory");
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%f %f\\n", 7.0 * ${N} * ${PASSES * 200} / s, r);
  return 0;
}
`);
  execFileSync('gcc', ['-O2', '-o', join(dir, 'dot'), src]);
  const [ips, r] = execFileSync(join(dir, 'dot'), { encoding: 'utf8' }).trim().split(' ').map(Number);
  console.log(`native: ${(ips / 1e6).toFixed(0)} MIPS (result ${r})`);
  return ips;
}

// FNINIT's precision control (64-bit significands: the exact soft-float paths), and 53-bit
// precision control (the Windows/FreeBSD default: the library's host-double fast path).
const o64 = ours(0x37f), o53 = ours(0x27f), n = native();
console.log(`ratio: native is ${(n / o64).toFixed(0)}x (PC=64) / ${(n / o53).toFixed(0)}x (PC=53) faster`);
