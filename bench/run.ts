/*
 * `npm run bench`: every benchmark on tsqemu and on QEMU 7.2 (and on the host CPU where that
 * applies) in one run, printed as a Markdown table with ratios and written to bench/results.md.
 * docs/benchmarks.md describes the method.  Knobs (environment):
 *   BENCH_RUNS=3            repetitions of each CPU measurement (the median is reported)
 *   BENCH_TCG_PASSES=3      kernel passes per timed run in our CPU (5.3 M instructions each)
 *   BENCH_KERNEL_SECONDS=1  target CPU time per timed run of the memcpy and hash kernels in our CPU
 *   BENCH_QEMU_SECONDS=2    target guest run time per QEMU run (pass count calibrated from it)
 *   BENCH_NATIVE_SECONDS=0.5 the same for the host CPU
 *   BENCH_STARTUP_RUNS=5    start-ups per emulator
 *   BENCH_IDLE_SECONDS=3    idle CPU sampling window
 *   BENCH_QEMU=qemu-system-x86_64
 *   BENCH_BLOCK_MIB=256     image size of the block benchmark (bench/block.ts)
 *   BENCH_BLOCK_COUNT=65536 4 KiB requests per block benchmark run
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKernel32Tcg, countKernel32, type KernelResult, type InsnCount } from './kernel32.js';
import { runKernel32Native } from './native.js';
import { runKernel32Qemu, QEMU } from './qemu-kernel.js';
import { TSQEMU, measureStartup, measureIdle } from './machine.js';
import { runCpuMips } from './cpu-mips.js';
import { runBlockBench, BLOCK_DEPTH } from './block.js';
import { CPU_KERNELS, benchKernelIsolated } from './cpu-kernels.js';

function envNum(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(v)}`);
  return n;
}

const RUNS = Math.round(envNum('BENCH_RUNS', 3));
const TCG_PASSES = Math.round(envNum('BENCH_TCG_PASSES', 3));
const QEMU_SECONDS = envNum('BENCH_QEMU_SECONDS', 2);
const NATIVE_SECONDS = envNum('BENCH_NATIVE_SECONDS', 0.5);
const STARTUP_RUNS = Math.round(envNum('BENCH_STARTUP_RUNS', 5));
const IDLE_SECONDS = envNum('BENCH_IDLE_SECONDS', 3);
const KERNEL_SECONDS = envNum('BENCH_KERNEL_SECONDS', 1);
const BLOCK_MIB = Math.round(envNum('BENCH_BLOCK_MIB', 256));
const BLOCK_COUNT = Math.round(envNum('BENCH_BLOCK_COUNT', 65536));

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results.md');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const hex = (n: number): string => '0x' + n.toString(16).padStart(8, '0');

/* Every side must compute what the host CPU computes, or the timing compares different work. */
function checkSame(side: string, r: Pick<KernelResult, 'eax' | 'edx' | 'ebp'>, oracle: KernelResult): void {
  if (r.eax !== oracle.eax || r.edx !== oracle.edx || r.ebp !== oracle.ebp) {
    throw new Error(`${side} computed eax/edx/ebp ${hex(r.eax)}/${hex(r.edx)}/${hex(r.ebp)}, ` +
      `the host CPU ${hex(oracle.eax)}/${hex(oracle.edx)}/${hex(oracle.ebp)}`);
  }
}

const insns = (c: InsnCount, passes: number): number => c.fixed + c.perPass * passes;

interface Mips { cpu: number; wall: number; instructions: number }

function benchTcg(oracle: KernelResult): Mips {
  const cpu: number[] = [], wall: number[] = [];
  let instructions = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = runKernel32Tcg(TCG_PASSES);
    checkSame('tsqemu', r, oracle);
    if (Buffer.compare(Buffer.from(r.sorted), Buffer.from(oracle.sorted)) !== 0) throw new Error('tsqemu sorted differently from the host CPU');
    instructions = r.instructions;
    cpu.push(r.instructions / r.cpuSeconds / 1e6);
    wall.push(r.instructions / r.seconds / 1e6);
  }
  return { cpu: median(cpu), wall: median(wall), instructions };
}

function benchNative(count: InsnCount, oracle: KernelResult): Mips {
  const probe = runKernel32Native(20);
  const passes = Math.max(1, Math.ceil((NATIVE_SECONDS / probe.cpuSeconds) * 20));
  const cpu: number[] = [], wall: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = runKernel32Native(passes);
    checkSame('the host CPU', r, oracle);
    cpu.push(insns(count, passes) / r.cpuSeconds / 1e6);
    wall.push(insns(count, passes) / r.seconds / 1e6);
  }
  return { cpu: median(cpu), wall: median(wall), instructions: insns(count, passes) };
}

/*
 * QEMU's time is the whole process; a zero-pass run right before each timed run measures the
 * start-up and exit cost, which is subtracted.
 */
function benchQemu(count: InsnCount, oracle: KernelResult): Mips {
  const probePasses = 50;
  const base = runKernel32Qemu(0);
  const probe = runKernel32Qemu(probePasses);
  checkSame('QEMU 7.2', probe, oracle);
  const probeSecs = Math.max(probe.cpuSeconds - base.cpuSeconds, 0.01);
  const passes = Math.max(1, Math.ceil((QEMU_SECONDS / probeSecs) * probePasses));
  const cpu: number[] = [], wall: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const z = runKernel32Qemu(0);
    const r = runKernel32Qemu(passes);
    checkSame('QEMU 7.2', r, oracle);
    cpu.push(insns(count, passes) / (r.cpuSeconds - z.cpuSeconds) / 1e6);
    wall.push(insns(count, passes) / (r.seconds - z.seconds) / 1e6);
  }
  return { cpu: median(cpu), wall: median(wall), instructions: insns(count, passes) };
}

function qemuVersion(): string {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : `${QEMU}: not runnable`;
}

const f1 = (x: number): string => x.toFixed(1);
const f0 = (x: number): string => x.toFixed(0);
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}×` : '—');
const mega = (n: number): string => `${(n / 1e6).toFixed(0)} M`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const started = new Date();
  const load0 = load();
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };

  log('host CPU: 32-bit kernel (the oracle of the result)');
  const oracle = runKernel32Native(1);
  const count = countKernel32();
  log(`  ${count.perPass} instructions per pass; result eax/edx/ebp ${hex(oracle.eax)}/${hex(oracle.edx)}/${hex(oracle.ebp)}`);
  log('tsqemu: 32-bit kernel in the software CPU');
  const tcg = benchTcg(oracle);
  log('tsqemu: the 64-bit kernel of bench/cpu-mips.ts');
  const mips64 = median(Array.from({ length: RUNS }, () => runCpuMips(TCG_PASSES)).map((r) => r.mips));
  log('QEMU 7.2 TCG: 32-bit kernel as a multiboot ELF');
  const qemu = benchQemu(count, oracle);
  log('host CPU: timed runs');
  const native = benchNative(count, oracle);
  const kernels = CPU_KERNELS.map((k) => {
    log(`tsqemu and the host CPU: the ${k.name} kernel (${k.title})`);
    return benchKernelIsolated(k.name, RUNS, KERNEL_SECONDS, NATIVE_SECONDS);
  });

  log('start-up of the paused seed machine');
  const suT = await measureStartup(TSQEMU, STARTUP_RUNS);
  const suQ = await measureStartup(QEMU, STARTUP_RUNS);
  log('idle CPU and RSS of the paused seed machine');
  const idT = await measureIdle(TSQEMU, IDLE_SECONDS);
  const idQ = await measureIdle(QEMU, IDLE_SECONDS);

  log(`block I/O: 4 KiB requests, queue depth ${BLOCK_DEPTH}, ${BLOCK_MIB} MiB images, tsqemu BlockBackend and qemu-img bench`);
  const block = await runBlockBench(BLOCK_MIB, BLOCK_COUNT, log);

  const rows: string[][] = [
    ['benchmark', 'tsqemu', 'QEMU 7.2', 'native', 'tsqemu / QEMU', 'tsqemu / native'],
    ['---', '---:', '---:', '---:', '---:', '---:'],
    [`CPU-bound guest MIPS per CPU second (32-bit kernel; ${mega(tcg.instructions)} / ${mega(qemu.instructions)} / ${mega(native.instructions)} insns)`,
      f1(tcg.cpu), f1(qemu.cpu), f1(native.cpu), ratio(tcg.cpu, qemu.cpu), ratio(tcg.cpu, native.cpu)],
    ['CPU-bound guest MIPS per wall second', f1(tcg.wall), f1(qemu.wall), f1(native.wall), ratio(tcg.wall, qemu.wall), ratio(tcg.wall, native.wall)],
    ['CPU-bound guest MIPS per CPU second, 64-bit kernel (bench/cpu-mips.ts; tsqemu only)', f1(mips64), '', '', '', ''],
    ...kernels.map((k) => [
      `${k.title}: guest MIPS per CPU second (32-bit; ${mega(k.instructions)} insns, REP iterations counted one by one)` +
        (k.tcgMBs > 0 ? `; ${f0(k.tcgMBs)} vs ${f0(k.nativeMBs)} MB/s` : ''),
      f1(k.tcg), '', f1(k.native), '', ratio(k.tcg, k.native)]),
    [`start-up to QMP greeting, median of ${STARTUP_RUNS} (ms)`,
      f0(median(suT.greetingMs)), f0(median(suQ.greetingMs)), '', ratio(median(suT.greetingMs), median(suQ.greetingMs)), ''],
    [`start-up to prelaunch (query-status answered), median of ${STARTUP_RUNS} (ms)`,
      f0(median(suT.readyMs)), f0(median(suQ.readyMs)), '', ratio(median(suT.readyMs), median(suQ.readyMs)), ''],
    [`idle host CPU, paused machine, over ${IDLE_SECONDS} s (% of one core)`,
      f1(idT.cpuPercent), f1(idQ.cpuPercent), '', ratio(idT.cpuPercent, idQ.cpuPercent), ''],
    ['RSS of the paused machine, -m 2048 (MiB)', f0(idT.rssMiB), f0(idQ.rssMiB), '', ratio(idT.rssMiB, idQ.rssMiB), ''],
    ...block.map((b) => [
      `${b.format} ${b.pattern} 4 KiB ${b.write ? 'write' : 'read'}, depth ${BLOCK_DEPTH}, ${b.count} requests (IOPS; QEMU: qemu-img bench)`,
      f0(b.tsqemuIops), f0(b.qemuIops), '', ratio(b.tsqemuIops, b.qemuIops), '']),
  ];
  const table = rows.map((r) => `| ${r.join(' | ')} |`).join('\n');
  const text = [
    `Measured ${started.toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench\` (docs/benchmarks.md) on ` +
      `${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}, ${qemuVersion()}.`,
    `Load average ${load0} at the start, ${load()} at the end. MIPS are medians of ${RUNS} runs; ` +
      'higher is better for MIPS and IOPS, lower for the rest.',
    '',
    table,
    '',
  ].join('\n');
  process.stdout.write(text);
  writeFileSync(RESULTS, text);
  log(`written to ${RESULTS}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
