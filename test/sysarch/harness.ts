/*
 * Bare-metal test programs (issue 5): each test/sysarch/progs/NAME.asm includes lib.inc, is
 * assembled with nasm and linked with ld into a 32-bit multiboot ELF, and runs under QEMU 7.2
 * (-kernel, isa-debug-exit at 0xf4, -debugcon) and under tsqemu.  The debug-console output and
 * the exit status must match.
 *
 * Both run as processes with the same command line (machineArgs): QEMU boots the ELF through
 * SeaBIOS's multiboot option ROM, bin/tsqemu-system-x86_64 loads it directly (docs/tcg.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/sysarch in the source tree (the compiled harness runs from dist/test/sysarch). */
export const SYSARCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'sysarch');

export interface RunResult {
  /** The debug console's bytes, as text. */
  output: string;
  /** The process exit status: (code << 1) | 1 after isa-debug-exit. */
  status: number;
}

/** Assembles and links progs/NAME.asm; returns the ELF's path in a fresh temp dir. */
export function buildProgram(name: string): { elf: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `sysarch-${name}-`));
  const obj = join(dir, `${name}.o`), elf = join(dir, `${name}.elf`);
  const asm = spawnSync('nasm', ['-f', 'elf32', '-I', `${SYSARCH_DIR}/`, '-o', obj, join(SYSARCH_DIR, 'progs', `${name}.asm`)], { encoding: 'utf8' });
  if (asm.error || asm.status !== 0) throw new Error(`nasm ${name}: ${asm.error?.message ?? asm.stderr}`);
  const ld = spawnSync('ld', ['-m', 'elf_i386', '-T', join(SYSARCH_DIR, 'link.ld'), '-o', elf, obj], { encoding: 'utf8' });
  if (ld.error || ld.status !== 0) throw new Error(`ld ${name}: ${ld.error?.message ?? ld.stderr}`);
  return { elf, dir };
}

/** bin/tsqemu-system-x86_64 in the source tree. */
export const TSQEMU = join(SYSARCH_DIR, '..', '..', 'bin', 'tsqemu-system-x86_64');

/** The command line both emulators get (QEMU's binary name aside). */
export function machineArgs(elf: string, debugcon: string, extraArgs: string[] = []): string[] {
  return ['-M', 'pc', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-no-reboot', '-m', '64',
    '-kernel', elf, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-debugcon', `file:${debugcon}`, ...extraArgs];
}

/** QEMU 7.2 TCG runs the program (through SeaBIOS and its multiboot option ROM). */
export function runOnQemu(elf: string, extraArgs: string[] = [], timeoutMs = 30000): Promise<RunResult> {
  const out = `${elf}.qemu.txt`;
  const binary = 'qemu-system-x86_64';
  return new Promise((resolve, reject) => {
    const p = spawn(binary, machineArgs(elf, out, extraArgs), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === null) return reject(new Error(`${binary} timed out on ${elf}: ${stderr}`));
      let output = '';
      try {
        output = readFileSync(out, 'latin1');
      } catch {
        return reject(new Error(`${binary} wrote no debug console output for ${elf} (status ${code}): ${stderr}`));
      }
      resolve({ output, status: code });
    });
  });
}

/**
 * tsqemu runs the program: the real binary, with the same arguments QEMU gets.  Synchronous
 * (the caller's QEMU child keeps running meanwhile); throws if it times out or prints nothing.
 */
export function runOnTsqemu(elf: string, extraArgs: string[] = [], timeoutMs = 30000): RunResult {
  const out = `${elf}.ours.txt`;
  const r = spawnSync(TSQEMU, machineArgs(elf, out, extraArgs), { encoding: 'latin1', timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.error || r.status === null) throw new Error(`tsqemu did not finish ${elf}: ${r.error?.message ?? r.signal} ${r.stderr}`);
  let output: string;
  try {
    output = readFileSync(out, 'latin1');
  } catch {
    throw new Error(`tsqemu wrote no debug console output for ${elf} (status ${r.status}): ${r.stderr}`);
  }
  return { output, status: r.status };
}

/** Builds, runs on both, and returns both results (the caller compares them). */
export async function runBoth(name: string, qemuArgs: string[] = []): Promise<{ qemu: RunResult; ours: RunResult }> {
  const { elf, dir } = buildProgram(name);
  try {
    const qemu = runOnQemu(elf, qemuArgs);
    qemu.catch(() => undefined); // awaited below; ours may throw first
    const ours = runOnTsqemu(elf, qemuArgs);
    return { qemu: await qemu, ours };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
