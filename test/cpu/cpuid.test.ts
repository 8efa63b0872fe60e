import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { captureStderr, freshCpuWorld, newRealizedCpu, requireTool } from './helpers.js';
import { parseCpuOption } from '../../src/target/i386/cpu-featurestr.js';
import { cpuX86Cpuid } from '../../src/target/i386/cpuid.js';
import { x86ApicidFromCpuIdx } from '../../src/hw/i386/topology.js';

/*
 * Oracle: QEMU 7.2 under TCG running a boot sector (assembled here with nasm)
 * that prints CPUID leaves of vCPU 0 to the debug console.  Our cpu_x86_cpuid()
 * runs for the same model and -smp with QEMU 7.2's TCG feature set, at the
 * state the probe runs in (real mode, CR4 = 0, XCR0 = 1), so no bit is masked.
 * With more than one vCPU the probe then wakes the last vCPU (INIT/SIPI to its
 * APIC ID) and that AP prints the same leaves: both are compared.
 */
const CONFIGS: Array<{ cpu: string; smp: string }> = [
  { cpu: 'SandyBridge', smp: '1' },
  { cpu: 'SandyBridge', smp: '12,sockets=2,cores=3,threads=2' },
  { cpu: 'SandyBridge', smp: '16,sockets=2,dies=2,cores=2,threads=2' },
  { cpu: 'qemu64', smp: '4,cores=2,threads=2' },
  { cpu: 'Haswell-noTSX', smp: '6,cores=3,threads=2' },
  { cpu: 'Skylake-Client-v4', smp: '8,sockets=1,cores=4,threads=2' },
  { cpu: 'Cascadelake-Server', smp: '4,sockets=2,cores=2' },
  { cpu: 'Icelake-Server-v6', smp: '3,cores=3' },
  { cpu: 'EPYC', smp: '8,cores=4,threads=2' },
  { cpu: 'EPYC-Rome', smp: '8,sockets=1,dies=2,cores=2,threads=2' },
  { cpu: 'EPYC-Milan', smp: '2' },
  { cpu: 'kvm64', smp: '2,threads=2' },
  { cpu: 'max', smp: '1' },
  { cpu: 'qemu32', smp: '1' },
  { cpu: 'Opteron_G3', smp: '2,cores=2' },
  { cpu: 'IvyBridge-IBRS', smp: '5,cores=5' },
  { cpu: 'Cooperlake', smp: '4,cores=2,threads=2' },
  { cpu: 'Dhyana', smp: '4,cores=2,threads=2' },
  { cpu: 'Snowridge', smp: '1' },
  { cpu: 'phenom', smp: '2,cores=2' },
  { cpu: 'athlon', smp: '1' },
  { cpu: 'pentium', smp: '1' },
  { cpu: 'n270', smp: '2,threads=2' },
  { cpu: 'Westmere,+x2apic,-sse4.2,level=0x1f,xlevel=0x80000020', smp: '2' },
];

function parseSmp(s: string): { cpus: number; dies: number; cores: number; threads: number } {
  const [n, ...kv] = s.split(',');
  const o = Object.fromEntries(kv.map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
  const cpus = Number(n);
  const threads = o.threads ?? 1, dies = o.dies ?? 1;
  const cores = o.cores ?? cpus / (threads * dies * (o.sockets ?? 1));
  return { cpus, dies, cores, threads };
}

function assemble(dir: string, asm: string, apApic: number | undefined, dynamic = false): string {
  const image = join(dir, `probe-${apApic ?? 'bsp'}${dynamic ? '-dyn' : ''}.bin`);
  const defs = [...(apApic === undefined ? [] : [`-DAP_APIC=${apApic}`]), ...(dynamic ? ['-DDYNAMIC'] : [])];
  const r = spawnSync('nasm', ['-f', 'bin', ...defs, '-o', image, asm], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return image;
}

function runProbe(dir: string, image: string, cpu: string, smp: string, tag: number): Promise<string> {
  const out = join(dir, `dbg${tag}.txt`);
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', ['-accel', 'tcg', '-cpu', cpu, '-smp', smp, '-m', '64', '-display', 'none',
      '-nodefaults', '-drive', `file=${image},format=raw,if=ide,snapshot=on`, '-debugcon', `file:${out}`,
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => p.kill(), 30000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      // isa-debug-exit: status (0 << 1) | 1.
      if (code !== 1) reject(new Error(`QEMU (-cpu ${cpu} -smp ${smp}) exited with ${code}`));
      else resolve(readFileSync(out, 'utf8'));
    });
  });
}

const topoOf = (t: ReturnType<typeof parseSmp>) => ({ diesPerPkg: t.dies, coresPerDie: t.cores, threadsPerCore: t.threads });

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

test('CPUID of the BSP and of the last AP equals QEMU 7.2 TCG for 24 (model, -smp) pairs', async () => {
  requireTool('nasm', ['-v']);
  requireTool('qemu-system-x86_64');
  const dir = mkdtempSync(join(tmpdir(), 'cpuid-probe-'));
  try {
    const asm = new URL('../../../test/cpu/fixtures/cpuid-probe.asm', import.meta.url).pathname;
    const images = CONFIGS.map(({ smp }) => {
      const t = parseSmp(smp);
      return assemble(dir, asm, t.cpus > 1 ? x86ApicidFromCpuIdx(topoOf(t), t.cpus - 1) : undefined);
    });
    const entries = (readFileSync(asm, 'utf8').match(/^\s+q 0x[0-9a-f]+, \d+|^\s+q \d+, \d+/gm) ?? []).length;
    assert.ok(entries >= 30);

    // Two QEMUs at a time (2 cores).
    const results: string[] = new Array(CONFIGS.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < CONFIGS.length) {
        const i = next++;
        results[i] = await runProbe(dir, images[i]!, CONFIGS[i]!.cpu, CONFIGS[i]!.smp, i);
      }
    };
    await Promise.all([worker(), worker()]);

    const regs = new Uint32Array(4);
    CONFIGS.forEach(({ cpu: model, smp }, i) => {
      const lines = results[i]!.split('\n').filter((l) => l);
      const t = parseSmp(smp);
      const vcpus = t.cpus > 1 ? [0, t.cpus - 1] : [0];
      assert.equal(lines.length, entries * vcpus.length, `${model}: probe printed every leaf on every vCPU`);
      vcpus.forEach((index, k) => {
        freshCpuWorld();
        const cpu = captureStderr(() => newRealizedCpu(parseCpuOption(model), t, index)).value!;
        assert.ok(cpu, `${model} realized`);
        for (const line of lines.slice(k * entries, (k + 1) * entries)) {
          const m = /^([0-9A-F]{8})\.([0-9A-F]{2}) /.exec(line)!;
          cpuX86Cpuid(cpu, parseInt(m[1]!, 16), parseInt(m[2]!, 16), regs);
          const ours = `${m[1]}.${m[2]} ${[...regs].map(hex8).join(' ')}`;
          assert.equal(ours, line, `-cpu ${model} -smp ${smp}, vCPU ${index}`);
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dynamic bits: OSXSAVE, OSPKE and the XCR0-sized XSAVE area follow CR4/XCR0 as in QEMU 7.2', async () => {
  // The probe sets CR4.OSXSAVE, XCR0 = x87|SSE(|AVX) and CR4.PKE when the CPU has them, as an OS would.
  requireTool('nasm', ['-v']);
  requireTool('qemu-system-x86_64');
  const dir = mkdtempSync(join(tmpdir(), 'cpuid-dyn-'));
  try {
    const asm = new URL('../../../test/cpu/fixtures/cpuid-probe.asm', import.meta.url).pathname;
    const image = assemble(dir, asm, undefined, true);
    const regs = new Uint32Array(4);
    let sawOsxsave = false, sawOspke = false;
    for (const [i, model] of ['SandyBridge', 'Skylake-Server-v4', 'Icelake-Server-v6', 'EPYC', 'qemu64'].entries()) {
      const out = await runProbe(dir, image, model, '1', i);
      freshCpuWorld();
      const cpu = captureStderr(() => newRealizedCpu(parseCpuOption(model))).value!;
      // What the probe did, decided from our CPUID the same way.
      cpuX86Cpuid(cpu, 1, 0, regs);
      const xsave = (regs[2]! >>> 26) & 1, avx = (regs[2]! >>> 28) & 1;
      cpuX86Cpuid(cpu, 7, 0, regs);
      const pku = (regs[2]! >>> 3) & 1;
      cpu.env.cr4 = (xsave ? 1 << 18 : 0) | (pku ? 1 << 22 : 0);
      if (xsave) cpu.env.xcr0 = 3 | (avx ? 4 : 0);
      for (const line of out.split('\n').filter((l) => l)) {
        const m = /^([0-9A-F]{8})\.([0-9A-F]{2}) /.exec(line)!;
        cpuX86Cpuid(cpu, parseInt(m[1]!, 16), parseInt(m[2]!, 16), regs);
        assert.equal(`${m[1]}.${m[2]} ${[...regs].map(hex8).join(' ')}`, line, `-cpu ${model} (OS state)`);
        if (m[1] === '00000001') sawOsxsave ||= ((regs[2]! >>> 27) & 1) === 1;
        if (m[1] === '00000007' && m[2] === '00') sawOspke ||= ((regs[2]! >>> 4) & 1) === 1;
      }
    }
    assert.ok(sawOsxsave && sawOspke, 'the dynamic bits were exercised');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
