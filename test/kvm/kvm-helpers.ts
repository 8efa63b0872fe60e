/*
 * Tiny KVM guests for the tests: nasm-assembled flat binaries loaded into
 * guest RAM, one VM per test, vCPUs started through the accelerator ops.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPUState } from '../../src/hw/core/cpu.js';
import { kvmInit, kvmRamAlloc, kvmRamFree, kvmSlotAdd, kvmState, kvmStateReset } from '../../src/accel/kvm/kvm-all.js';
import { kvmSetIoHandler, kvmSetSystemHooks, kvmStartVcpuThread, kvmVcpus, kvmVcpusReset, type KvmIoHandler, type KvmSystemHooks } from '../../src/accel/kvm/kvm-accel-ops.js';
import { kvmGetRegs, kvmGetSregs, kvmSetRegs, kvmSetSregs, sregsSetRealModeSegment, SREG_CS, SREG_DS, SREG_ES, SREG_SS, REG_RIP, REG_RSP } from '../../src/target/i386/kvm/kvm-regs.js';
import { runstateReset, vmStart } from '../../src/system/runstate.js';

/** Where /dev/kvm is absent the KVM tests are reported as skipped, by name, with this reason. */
export const KVM_SKIP: string | false = existsSync('/dev/kvm') ? false : '/dev/kvm is absent on this host';

/** The tests assemble their guests with nasm: without it they fail. */
export function requireKvmTools(): void {
  try {
    execFileSync('nasm', ['-v']);
  } catch {
    throw new Error('nasm is missing: the KVM tests assemble their guests with it');
  }
}

export function assemble(src: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-kvm-'));
  try {
    writeFileSync(join(dir, 'g.asm'), src);
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'g.bin'), join(dir, 'g.asm')]);
    return readFileSync(join(dir, 'g.bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestVm {
  ram: Uint8Array;
  ramBuffer: ArrayBuffer;
  cpus: CPUState[];
  /** Bytes written to port 0xe9 (QEMU's debugcon port), in order. */
  e9: number[];
  /** Per-vCPU PIO/MMIO log lines the guest produced. */
  log: string[];
}

export interface VmOptions {
  ramSize?: number;
  cpus?: number;
  /** Extra port/MMIO behaviour, tried before the 0xe9 console. */
  io?: Partial<KvmIoHandler>;
  hooks?: Partial<KvmSystemHooks>;
}

export function createVm(opts: VmOptions = {}): TestVm {
  const ramSize = opts.ramSize ?? 1 << 20;
  const n = opts.cpus ?? 1;
  runstateReset();
  const ret = kvmInit({ smpCpus: n, maxCpus: n, kernelIrqchip: 'on' });
  if (ret < 0) throw new Error(`kvm_init failed: ${ret}`);
  const { buffer } = kvmRamAlloc(ramSize);
  kvmSlotAdd({ gpa: 0, size: ramSize, hostBuffer: buffer });
  const vm: TestVm = { ram: new Uint8Array(buffer), ramBuffer: buffer, cpus: [], e9: [], log: [] };
  kvmSetIoHandler({
    pio: (port, size, isWrite, data, off) => {
      if (opts.io?.pio && port !== 0xe9) return opts.io.pio(port, size, isWrite, data, off);
      if (port === 0xe9 && isWrite) vm.e9.push(data[off]!);
      else if (!isWrite) data.fill(0xff, off, off + size);
    },
    mmio: (addr, size, isWrite, data, off) => {
      if (opts.io?.mmio) return opts.io.mmio(addr, size, isWrite, data, off);
      if (!isWrite) data.fill(0, off, off + size);
    },
  });
  kvmSetSystemHooks(opts.hooks ?? {});
  for (let i = 0; i < n; i++) {
    const cpu = new CPUState();
    cpu.cpuIndex = i;
    vm.cpus.push(cpu);
  }
  return vm;
}

/**
 * Creates the vCPU threads (stopped), sets the BSP's entry and starts the VM
 * (unless `start` is false).  vCPU ioctls from the main thread are only safe
 * while the vCPUs are stopped: a vCPU inside KVM_RUN holds its mutex.
 */
export function startVcpus(vm: TestVm, entry: { cs: number; ip: number; sp?: number }, start = true): void {
  for (const cpu of vm.cpus) kvmStartVcpuThread(cpu);
  const s = kvmState();
  const bsp = kvmVcpus()[0]!;
  const sregs = kvmGetSregs(s, bsp.fd);
  for (const seg of [SREG_CS, SREG_DS, SREG_ES, SREG_SS]) sregsSetRealModeSegment(sregs, seg, seg === SREG_CS ? entry.cs : 0);
  kvmSetSregs(s, bsp.fd, sregs);
  const regs = kvmGetRegs(s, bsp.fd);
  regs.setBigUint64(REG_RIP, BigInt(entry.ip), true);
  regs.setBigUint64(REG_RSP, BigInt(entry.sp ?? 0x7000), true);
  regs.setBigUint64(0x88, 2n, true);
  kvmSetRegs(s, bsp.fd, regs);
  if (start) vmStart();
}

export function destroyVm(vm: TestVm): void {
  kvmVcpusReset();
  kvmRamFree(vm.ramBuffer);
  kvmStateReset();
  runstateReset();
}

/** Waits on the event loop (the mailbox is served there) until pred() holds. */
export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const text = (bytes: number[]): string => Buffer.from(bytes).toString('latin1');
