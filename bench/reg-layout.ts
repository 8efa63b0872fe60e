/*
 * Register-file layout micro-benchmark (docs/tcg.md, "Registers"): the same 32-bit ALU mix
 * (add/xor/rotate between registers, the interpreter's common case) on three layouts:
 * 32-bit halves in one Int32Array, a plain JS array of doubles holding 64-bit values as numbers
 * (inexact above 2^53, shown only for speed), and a Float64Array.
 *
 * Run: npx tsc -p . && node dist/bench/reg-layout.js
 */
const N = 20_000_000;

function halves(): number {
  const r = new Int32Array(32);
  for (let i = 0; i < 32; i++) r[i] = i * 0x9e3779b1;
  for (let i = 0; i < N; i++) {
    const a = (i & 15) << 1, b = ((i >> 4) & 15) << 1;
    const v = (r[a] + r[b]) | 0;
    r[a] = v ^ (v << 7 | v >>> 25);
    r[a + 1] = 0;
  }
  return r[0];
}

function plainArray(): number {
  const r: number[] = [];
  for (let i = 0; i < 16; i++) r.push((i * 0x9e3779b1) >>> 0);
  for (let i = 0; i < N; i++) {
    const a = i & 15, b = (i >> 4) & 15;
    const v = (r[a] + r[b]) | 0;
    r[a] = (v ^ (v << 7 | v >>> 25)) >>> 0;
  }
  return r[0];
}

function float64(): number {
  const r = new Float64Array(16);
  for (let i = 0; i < 16; i++) r[i] = (i * 0x9e3779b1) >>> 0;
  for (let i = 0; i < N; i++) {
    const a = i & 15, b = (i >> 4) & 15;
    const v = (r[a] + r[b]) | 0;
    r[a] = (v ^ (v << 7 | v >>> 25)) >>> 0;
  }
  return r[0];
}

function time(name: string, f: () => number): void {
  f();
  const c0 = process.cpuUsage();
  const x = f();
  const c = process.cpuUsage(c0);
  const s = (c.user + c.system) / 1e6;
  console.log(`reg-layout: ${name.padEnd(22)} ${(N / s / 1e6).toFixed(0)} M ops/CPU-s (${x})`);
}

time('Int32Array halves', halves);
time('plain number array', plainArray);
time('Float64Array', float64);
