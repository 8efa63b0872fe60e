/*
 * Shared pieces of the x86 CPU tests.
 *
 * QEMU72_TCG_FEATURES is the oracle's configuration: the TCG_*_FEATURES masks of
 * QEMU 7.2's target/i386/cpu.c (what 7.2's TCG can run).  CPUID and filtering
 * tests install it as the accelerator's supported set, so that a comparison
 * with live QEMU 7.2 isolates model, topology and CPUID logic from what our own
 * TCG implements.  models.test.ts checks the table against 7.2's `max` model.
 */
import { spawnSync } from 'node:child_process';
import { moduleCallInit } from '../../src/system/modules.js';
import {
  registerX86CpuTypes, setX86AccelCpuOps, x86CpuResetState, x86CpuSetSmpCpus, x86CpuSetDefaultVersion, CPU_VERSION_LEGACY, type X86AccelCpuOps, type X86CPU,
} from '../../src/target/i386/cpu.js';
import { x86CpuSetOsxsaveCompat, parseCpuOption } from '../../src/target/i386/cpu-featurestr.js';
import { FeatureWord } from '../../src/target/i386/cpu-features.js';
import { GlobalPropPriority, objectNew, objectPropertySet, objectRegisterGlobalProp, objectResetRoot } from '../../src/qom/object.js';
import { qdevRealize } from '../../src/hw/core/qdev.js';
import { x86ApicidFromCpuIdx } from '../../src/hw/i386/topology.js';
import { cpuListReset } from '../../src/hw/core/cpu.js';
import { PC_I440FX_2_0_CPU_COMPAT } from '../../src/target/i386/cpu-compat.js';
import { QemuError, setStderrWriter } from '../../src/util/error.js';

const bits = (...b: number[]): number => b.reduce((m, i) => (m | (1 << i)) >>> 0, 0);

const TCG_1_EDX = bits(0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 19, 22, 23, 24, 25, 26, 27);
/** TCG_EXT2_FEATURES includes the 01H:EDX bits AMD repeats (CPUID_EXT2_AMD_ALIASES). */
const AMD_ALIASES = 0x0183f3ff;

export const QEMU72_TCG_FEATURES: Partial<Record<keyof typeof FeatureWord, number>> = {
  FEAT_1_EDX: TCG_1_EDX,
  // pni pclmulqdq monitor ssse3 fma cx16 sse4.1 sse4.2 movbe popcnt aes xsave avx f16c rdrand hypervisor
  FEAT_1_ECX: bits(0, 1, 3, 9, 12, 13, 19, 20, 22, 23, 25, 26, 28, 29, 30, 31),
  // fsgsbase bmi1 avx2 smep bmi2 erms mpx adx smap pcommit clflushopt clwb
  FEAT_7_0_EBX: bits(0, 3, 5, 7, 8, 9, 14, 19, 20, 22, 23, 24),
  // umip pku vaes la57 pks
  FEAT_7_0_ECX: bits(2, 3, 9, 16, 31),
  // syscall nx mmxext pdpe1gb rdtscp lm 3dnowext 3dnow, plus the AMD aliases TCG has in 01H:EDX
  FEAT_8000_0001_EDX: ((TCG_1_EDX & AMD_ALIASES) | bits(11, 20, 22, 26, 27, 29, 30, 31)) >>> 0,
  // lahf-lm svm cr8legacy abm sse4a
  FEAT_8000_0001_ECX: bits(0, 2, 4, 5, 6),
  // npt vgif svme-addr-chk
  FEAT_SVM: bits(0, 16, 28),
  // xsaveopt xgetbv1
  FEAT_XSAVE: bits(0, 2),
  FEAT_6_EAX: bits(2),
  FEAT_XSAVE_COMP_LO: 0xffffffff,
  FEAT_XSAVE_COMP_HI: 0xffffffff,
};

export function qemu72TcgOps(): X86AccelCpuOps {
  return {
    name: 'tcg',
    usesHostCpuid: false,
    supportedFeatureWord: (w, half = 0) => (half === 0 ? QEMU72_TCG_FEATURES[FeatureWord[w] as keyof typeof FeatureWord] ?? 0 : 0),
    // x86_tcg_default_props
    instanceInit: (cpu: X86CPU) => objectPropertySet(cpu, 'vme', 'off'),
  };
}

let registered = false;

/** A fresh QOM world with the x86 CPU types and QEMU 7.2's TCG as the accelerator. */
export function freshCpuWorld(ops: X86AccelCpuOps = qemu72TcgOps()): void {
  if (!registered) {
    moduleCallInit('qom');
    registerX86CpuTypes();
    registered = true;
  }
  objectResetRoot();
  cpuListReset();
  x86CpuResetState();
  setX86AccelCpuOps(ops);
}

/** Runs fn with warnings/errors captured; returns the lines without the program prefix. */
export function captureStderr<T>(fn: () => T): { lines: string[]; value?: T; error?: unknown } {
  let text = '';
  const old = setStderrWriter((t) => { text += t; });
  try {
    const value = fn();
    return { lines: splitLines(text), value };
  } catch (error) {
    return { lines: splitLines(text), error };
  } finally {
    setStderrWriter(old);
  }
}

function splitLines(t: string): string[] {
  return t.split('\n').filter((l) => l !== '').map((l) => l.replace(/^[^:]*: /, ''));
}

/** The oracle must exist: a missing tool fails the test. */
export function requireTool(cmd: string, args: string[] = ['--version']): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`required tool missing: ${cmd} (${r.error?.message ?? r.stderr})`);
}

/** Runs QEMU 7.2 with args; returns its stderr lines without the "qemu-system-x86_64: " prefix. */
export function runQemu(args: string[], timeoutMs = 20000): { lines: string[]; status: number | null; stdout: string } {
  const r = spawnSync('qemu-system-x86_64', args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { lines: splitLines(r.stderr ?? ''), status: r.status, stdout: r.stdout ?? '' };
}

/** One QMP session over stdio: the replies to `commands`, in order. */
export function qemuQmp(args: string[], commands: object[]): Array<{ return?: unknown; error?: { desc: string } }> {
  const input = [{ execute: 'qmp_capabilities' }, ...commands, { execute: 'quit' }].map((c) => JSON.stringify(c)).join('\n') + '\n';
  const r = spawnSync('qemu-system-x86_64', [...args, '-display', 'none', '-nodefaults', '-qmp', 'stdio'],
    { input, encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  const replies = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { return?: unknown; error?: { desc: string }; event?: string; QMP?: unknown })
    .filter((m) => !m.event && !m.QMP);
  const out = replies.slice(1, 1 + commands.length);
  if (out.length !== commands.length) throw new Error(`QEMU ${args.join(' ')}: ${out.length} QMP replies for ${commands.length} commands: ${r.stderr}`);
  return out;
}

/** Creates and realizes a CPU as x86_cpu_new() + x86_cpu_pre_plug() do: APIC ID from the index. */
export function newRealizedCpu(typename: string, topo: { cpus?: number; dies?: number; cores?: number; threads?: number } = {},
  index = 0): X86CPU {
  const dies = topo.dies ?? 1, cores = topo.cores ?? 1, threads = topo.threads ?? 1;
  const t = { diesPerPkg: dies, coresPerDie: cores, threadsPerCore: threads };
  const cpu = objectNew(typename) as X86CPU;
  objectPropertySet(cpu, 'apic-id', x86ApicidFromCpuIdx(t, index));
  cpu.env.nrDies = dies;
  cpu.nrCores = cores;
  cpu.nrThreads = threads;
  x86CpuSetSmpCpus(topo.cpus ?? 1);
  qdevRealize(cpu);
  return cpu;
}

/** QEMU 7.2 started with -S and quit over QMP at once: its stderr lines (warnings, or the fatal error). */
export function qemuStartupLines(args: string[]): { lines: string[]; status: number | null } {
  const input = '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n';
  const r = spawnSync('qemu-system-x86_64', [...args, '-S', '-display', 'none', '-nodefaults', '-qmp', 'stdio'],
    { input, encoding: 'utf8', timeout: 20000 });
  if (r.error) throw r.error;
  return { lines: splitLines(r.stderr), status: r.status };
}

export interface OurStartup {
  machine: '2.0' | '7.2'; cpu: string; smp?: number; threads?: number;
  /** -global DRIVER.PROP=VALUE options, registered before the machine's compat globals, as vl.c does. */
  globals?: string[];
}

/**
 * What our start-up does for -M <machine> -cpu <cpu> -smp <n>, as far as the CPU
 * model goes: the machine's compat globals and default version, parse_cpu_option(),
 * then x86_cpu_new() for each vCPU.  Returns the stderr lines (the fatal error last).
 */
export function ourStartupLines(o: OurStartup, ops: X86AccelCpuOps): string[] {
  freshCpuWorld(ops);
  for (const g of o.globals ?? []) {
    const m = /^([^.]+)\.([^=]+)=(.*)$/.exec(g)!;
    objectRegisterGlobalProp({ driver: m[1]!, property: m[2]!, value: m[3]! });
  }
  if (o.machine === '2.0') {
    x86CpuSetDefaultVersion(CPU_VERSION_LEGACY);
    x86CpuSetOsxsaveCompat(true);
    for (const g of PC_I440FX_2_0_CPU_COMPAT) objectRegisterGlobalProp({ ...g, priority: GlobalPropPriority.MachineCompat });
  }
  const r = captureStderr(() => {
    const type = parseCpuOption(o.cpu);
    const n = o.smp ?? 1;
    const threads = o.threads ?? 1;
    for (let i = 0; i < n; i++) newRealizedCpu(type, { cpus: n, cores: n / threads, threads }, i);
  });
  if (r.error) {
    if (!(r.error instanceof QemuError)) throw r.error;
    r.lines.push(r.error.message);
  }
  return r.lines;
}
