/*
 * KVM vCPU threads seen from the main thread (accel/kvm/kvm-accel-ops.c,
 * kvm_cpu_exec()'s exit switch, pause/resume_all_vcpus, the kick).  Each vCPU
 * runs KVM_RUN in its own worker (kvm-vcpu-thread.ts); its PIO/MMIO exits come
 * here through the mailbox and reach the device models on this thread.
 */
import { Worker } from 'node:worker_threads';
import type { CPUState } from '../../hw/core/cpu.js';
import { errorReport, QemuError } from '../../util/error.js';
import { strerrorErrno } from '../../util/strerror.js';
import { trace } from '../../util/trace.js';
import { onVmResume, onVmStop, qemuSystemShutdownRequest, runstateIsRunning, vmStop, qapiEvent, type ShutdownCause } from '../../system/runstate.js';
import * as K from './kvm-consts.js';
import * as M from './kvm-mailbox.js';
import { kvmCreateVcpu, kvmPhysReadByte, kvmState, type KVMState } from './kvm-all.js';
import { kvmArchInitVcpu, kvmSupportedCpuidFunction, type CpuidFunction } from '../../target/i386/kvm/kvm.js';
import { kvmCpuDumpState } from '../../target/i386/kvm/kvm-regs.js';
import { kvmX86ResetVcpu } from '../../target/i386/kvm/kvm-reset.js';

/**
 * Port and MMIO accesses from the guest, dispatched by the machine's memory
 * map.  One access of `size` bytes at data[offset..]: a read fills it, a write
 * reads it (little-endian).  Runs on the main thread.
 */
export interface KvmIoHandler {
  pio(port: number, size: number, isWrite: boolean, data: Uint8Array, offset: number): void;
  mmio(addr: number, size: number, isWrite: boolean, data: Uint8Array, offset: number): void;
}

/** What a vCPU needs from the CPU model (X86CPU): its APIC id and CPUID. */
export interface KvmX86CpuInfo {
  apicId: number;
  cpuid: CpuidFunction;
  /** cpu->expose_kvm: the 0x40000000 KVM leaves (default true). */
  exposeKvm?: boolean;
}

/** The system-level requests a vCPU can make (QEMU's qemu_system_*_request). */
export interface KvmSystemHooks {
  resetRequest(cause: ShutdownCause): void;
  shutdownRequest(cause: ShutdownCause): void;
  guestPanicked(): void;
}

/** Unassigned I/O: port reads are all ones, MMIO reads zero, writes are dropped (QEMU's unassigned ops). */
const unassignedIo: KvmIoHandler = {
  pio: (_p, size, isWrite, data, off) => {
    if (!isWrite) data.fill(0xff, off, off + size);
  },
  mmio: (_a, size, isWrite, data, off) => {
    if (!isWrite) data.fill(0, off, off + size);
  },
};

const defaultHooks: KvmSystemHooks = {
  // Until the machine provides qemu_system_reset_request, a reset ends the run as -no-reboot does.
  resetRequest: (cause) => qemuSystemShutdownRequest(cause),
  shutdownRequest: (cause) => qemuSystemShutdownRequest(cause),
  // qemu_system_guest_panicked() with 7.2's default -action panic=shutdown.
  guestPanicked: () => {
    qapiEvent('GUEST_PANICKED', { action: 'poweroff' });
    vmStop('guest-panicked');
    qemuSystemShutdownRequest('guest-panic');
  },
};

let ioHandler: KvmIoHandler = unassignedIo;
let hooks: KvmSystemHooks = defaultHooks;
let cpuInfoProvider: (cpu: CPUState) => KvmX86CpuInfo = (cpu) => ({ apicId: cpu.cpuIndex, cpuid: kvmSupportedCpuidFunction(cpu.cpuIndex) });
let debugThreads = false;
/** Reads guest-physical bytes for the register dump's Code= line: the memory slots unless told otherwise. */
let physReader: (gpa: number) => number | undefined = kvmPhysReadByte;

export function kvmSetIoHandler(h: KvmIoHandler): void {
  ioHandler = h;
}

export function kvmSetSystemHooks(h: Partial<KvmSystemHooks>): void {
  hooks = { ...defaultHooks, ...h };
}

/** The machine tells how to get each CPU's APIC id and CPUID (X86CPU). */
export function kvmSetCpuInfoProvider(p: (cpu: CPUState) => KvmX86CpuInfo): void {
  cpuInfoProvider = p;
}

/** `-name debug-threads=on`: vCPU threads get their names. */
export function kvmSetDebugThreads(on: boolean): void {
  debugThreads = on;
}

export function kvmSetPhysReader(r: (gpa: number) => number | undefined): void {
  physReader = r;
}

/** One vCPU: its kernel objects, its worker and its mailbox. */
export class KvmVcpu {
  readonly mb: Int32Array;
  readonly runU8: Uint8Array;
  readonly run: DataView;
  worker: Worker | undefined;
  tid = 0;
  inService = false;
  halted = false;
  constructor(readonly cpu: CPUState, readonly info: KvmX86CpuInfo, readonly fd: number, run: ArrayBuffer, readonly runAddr: number,
    readonly s: KVMState) {
    this.mb = new Int32Array(new SharedArrayBuffer(M.MB_INTS * 4));
    this.runU8 = new Uint8Array(run);
    this.run = new DataView(run);
  }
}

const vcpus: KvmVcpu[] = [];
let hooksRegistered = false;
let exitHookInstalled = false;

export function kvmVcpus(): readonly KvmVcpu[] {
  return vcpus;
}

/**
 * The KVM side of a CPU (its vCPU fd for kvm-regs.ts).  Register ioctls are
 * only safe while the VM is stopped: a vCPU inside KVM_RUN holds its mutex.
 */
export function kvmVcpuOf(cpu: CPUState): KvmVcpu | undefined {
  return vcpus.find((v) => v.cpu === cpu);
}

/** kvm_cpu_kick() + the SIG_IPI: out of KVM_RUN now, or at its next entry. */
function kvmKick(v: KvmVcpu): void {
  v.runU8[K.RUN_IMMEDIATE_EXIT] = 1;
  Atomics.notify(v.mb, M.MB_CTRL);
  if (v.tid > 0 && Atomics.load(v.mb, M.MB_STATE) < M.STATE_EXITED) v.s.sys.kick(v.tid);
}

/** The registers dump QEMU prints with a KVM error (cpu_dump_state, CPU_DUMP_CODE). */
function dumpState(v: KvmVcpu): void {
  try {
    process.stderr.write(kvmCpuDumpState(v.s, v.fd, physReader));
  } catch (e) {
    process.stderr.write(`(register dump unavailable: ${(e as Error).message})\n`);
  }
}

/** kvm_handle_internal_error(). */
function handleInternalError(v: KvmVcpu): number {
  const suberror = v.run.getUint32(K.RUN_INTERNAL_SUBERROR, true);
  let out = `KVM internal error. Suberror: ${suberror}\n`;
  if (v.s.internalErrorData) {
    const n = Math.min(v.run.getUint32(K.RUN_INTERNAL_NDATA, true), 16);
    for (let i = 0; i < n; i++) out += `extra data[${i}]: 0x${v.run.getBigUint64(K.RUN_INTERNAL_DATA + 8 * i, true).toString(16).padStart(16, '0')}\n`;
  }
  process.stderr.write(out);
  if (suberror === K.KVM_INTERNAL_ERROR_EMULATION) {
    process.stderr.write('emulation failure\n');
    // kvm_arch_stop_on_emulation_error(): keep going only for CPL3 protected-mode code.
    const sregs = new DataView(new ArrayBuffer(312));
    if (v.s.sys.ioctl(v.fd, K.KVM_GET_SREGS, sregs) >= 0) {
      const pe = (sregs.getUint32(0xe0, true) & 1) !== 0;
      const csSel = sregs.getUint16(0xc, true);
      if (pe && (csSel & 3) === 3) {
        dumpState(v);
        return M.EXCP_INTERRUPT;
      }
    }
  }
  return -1;
}

/** The body of kvm_cpu_exec()'s switch for one exit; returns its ret. */
function handleExit(v: KvmVcpu, kind: number, arg: number): number {
  const run = v.run;
  switch (kind) {
    case M.KIND_RUN_ERROR:
      process.stderr.write(`error: kvm run failed ${strerrorErrno(arg)}\n`);
      return -1;
    case K.KVM_EXIT_IO: {
      const isWrite = run.getUint8(K.RUN_IO_DIRECTION) === K.KVM_EXIT_IO_OUT;
      const size = run.getUint8(K.RUN_IO_SIZE);
      const port = run.getUint16(K.RUN_IO_PORT, true);
      const count = run.getUint32(K.RUN_IO_COUNT, true);
      // data_offset is an offset inside the kvm_run mapping: its low half is all of it.
      let off = run.getUint32(K.RUN_IO_DATA_OFFSET, true);
      // kvm_handle_io(): `count` accesses for rep ins/outs, one element each.
      for (let i = 0; i < count; i++, off += size) ioHandler.pio(port, size, isWrite, v.runU8, off);
      return 0;
    }
    case K.KVM_EXIT_MMIO: {
      const addr = run.getUint32(K.RUN_MMIO_PHYS_ADDR + 4, true) * 0x100000000 + run.getUint32(K.RUN_MMIO_PHYS_ADDR, true);
      ioHandler.mmio(addr, run.getUint32(K.RUN_MMIO_LEN, true), run.getUint8(K.RUN_MMIO_IS_WRITE) !== 0, v.runU8, K.RUN_MMIO_DATA);
      return 0;
    }
    case K.KVM_EXIT_SHUTDOWN:
      hooks.resetRequest('guest-reset');
      return M.EXCP_INTERRUPT;
    case K.KVM_EXIT_UNKNOWN:
      process.stderr.write(`KVM: unknown exit, hardware reason ${run.getBigUint64(K.RUN_HW_EXIT_REASON, true).toString(16)}\n`);
      return -1;
    case K.KVM_EXIT_INTERNAL_ERROR:
      return handleInternalError(v);
    case K.KVM_EXIT_SYSTEM_EVENT:
      switch (run.getUint32(K.RUN_SYSTEM_EVENT_TYPE, true)) {
        case K.KVM_SYSTEM_EVENT_SHUTDOWN:
          hooks.shutdownRequest('guest-shutdown');
          return M.EXCP_INTERRUPT;
        case K.KVM_SYSTEM_EVENT_RESET:
          hooks.resetRequest('guest-reset');
          return M.EXCP_INTERRUPT;
        case K.KVM_SYSTEM_EVENT_CRASH:
          hooks.guestPanicked();
          return 0;
        default:
          return kvmArchHandleExit(v, kind);
      }
    default:
      return kvmArchHandleExit(v, kind);
  }
}

/** kvm_arch_handle_exit() for x86. */
function kvmArchHandleExit(v: KvmVcpu, kind: number): number {
  switch (kind) {
    case K.KVM_EXIT_HLT:
      // kvm_handle_halt(): only without the in-kernel irqchip, where no interrupt can be pending here.
      v.halted = true;
      v.cpu.halted = true;
      return M.EXCP_HLT;
    case K.KVM_EXIT_FAIL_ENTRY:
      process.stderr.write(`KVM: entry failed, hardware error 0x${v.run.getBigUint64(K.RUN_FAIL_ENTRY_REASON, true).toString(16)}\n`);
      return -1;
    default:
      process.stderr.write(`KVM: unknown exit reason ${kind}\n`);
      return -1;
  }
}

/** Answers the pending exit of one vCPU (kvm_cpu_exec's switch and its epilogue). */
function serviceRequest(v: KvmVcpu): void {
  v.inService = true;
  let ret: number;
  try {
    ret = handleExit(v, v.mb[M.MB_KIND]!, v.mb[M.MB_ARG]!);
  } catch (e) {
    errorReport(`vCPU ${v.cpu.cpuIndex}: ${(e as Error).message}`);
    ret = -1;
  }
  if (ret < 0) {
    // kvm_cpu_exec(): dump the registers, stop the VM with internal-error.  From
    // a vCPU, vm_stop() is a request the main loop carries out later
    // (qemu_system_vmstop_request): this vCPU parks now, the others at the stop,
    // and a stop already under way is not stopped twice.
    dumpState(v);
    Atomics.store(v.mb, M.MB_CTRL, M.CTRL_STOPPED);
    setImmediate(() => {
      if (runstateIsRunning()) vmStop('internal-error');
    });
  }
  v.mb[M.MB_RET] = ret;
  Atomics.store(v.mb, M.MB_REQ, M.REQ_NONE);
  Atomics.notify(v.mb, M.MB_REQ);
  v.inService = false;
}

/** The main loop's side of the mailbox: wakes on each exit the worker posts. */
async function serviceLoop(v: KvmVcpu): Promise<void> {
  for (;;) {
    const st = Atomics.load(v.mb, M.MB_STATE);
    if (st === M.STATE_EXITED || st === M.STATE_FAILED) return;
    const w = Atomics.waitAsync(v.mb, M.MB_REQ, M.REQ_NONE, 1000);
    if (w.async) await w.value;
    if (Atomics.load(v.mb, M.MB_REQ) !== M.REQ_PENDING) continue;
    // Exits come in bursts (rep-less port loops, UART bytes): after one, wait a
    // few microseconds for the next synchronously instead of going back through
    // the event loop, within a budget that keeps the main loop responsive.
    const end = performance.now() + BURST_BUDGET_MS;
    do {
      serviceRequest(v);
    } while (performance.now() < end && Atomics.wait(v.mb, M.MB_REQ, M.REQ_NONE, BURST_WAIT_MS) !== 'timed-out' &&
      Atomics.load(v.mb, M.MB_REQ) === M.REQ_PENDING);
  }
}

const BURST_BUDGET_MS = 2;
const BURST_WAIT_MS = 0.05;

/**
 * Waits (blocking the main thread, as pause_all_vcpus does on its condition
 * variable) until every vCPU reaches one of `states`, answering their exits
 * meanwhile so that none waits on us.
 */
function waitVcpus(states: number[], timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (const v of vcpus) {
    if (v.inService) continue; // the vCPU asking for the stop: it parks after our reply
    for (;;) {
      const seq = Atomics.load(v.mb, M.MB_SEQ);
      if (states.includes(Atomics.load(v.mb, M.MB_STATE))) break;
      if (Atomics.load(v.mb, M.MB_REQ) === M.REQ_PENDING) {
        serviceRequest(v);
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(v.mb, M.MB_SEQ, seq, Math.min(left, 50));
      if (Atomics.load(v.mb, M.MB_CTRL) !== M.CTRL_RUN) kvmKick(v); // the signal may have come before KVM_RUN
    }
  }
  return true;
}

/**
 * The CPU's reset (x86_cpu_reset + kvm_arch_put_registers(KVM_PUT_RESET_STATE)),
 * for the machine's reset handler; call it while the VM is stopped.
 */
export function kvmResetVcpu(cpu: CPUState): void {
  const v = kvmVcpuOf(cpu);
  if (!v) throw new Error(`CPU ${cpu.cpuIndex} has no KVM vCPU`);
  kvmX86ResetVcpu(v.s, v.fd, { bsp: cpu.cpuIndex === 0, apicId: v.info.apicId, cpuidVersion: v.info.cpuid(1, 0).eax });
  v.halted = false;
  cpu.halted = false;
}

/** pause_all_vcpus(): every vCPU out of KVM_RUN and parked when this returns. */
export function kvmPauseAllVcpus(): void {
  for (const v of vcpus) {
    Atomics.store(v.mb, M.MB_CTRL, M.CTRL_STOPPED);
    kvmKick(v);
  }
  waitVcpus([M.STATE_PARKED, M.STATE_EXITED, M.STATE_FAILED], 5000);
  for (const v of vcpus) v.cpu.stopped = true;
}

/** resume_all_vcpus(). */
export function kvmResumeAllVcpus(): void {
  for (const v of vcpus) {
    v.cpu.stopped = false;
    v.halted = false;
    Atomics.store(v.mb, M.MB_CTRL, M.CTRL_RUN);
    Atomics.notify(v.mb, M.MB_CTRL);
  }
}

/**
 * Ends every vCPU thread (quit): kicks them out of KVM_RUN and waits up to
 * `timeoutMs` for the workers to leave their loops, so that process.exit()
 * does not hang on a thread blocked in the kernel.  Returns true when all left.
 */
export function kvmStopVcpuThreads(timeoutMs = 1000): boolean {
  for (const v of vcpus) {
    Atomics.store(v.mb, M.MB_CTRL, M.CTRL_QUIT);
    kvmKick(v);
  }
  return waitVcpus([M.STATE_EXITED, M.STATE_FAILED], timeoutMs);
}

/** Closes the vCPU fds after kvmStopVcpuThreads() (tests that build several VMs). */
export function kvmVcpusReset(): void {
  kvmStopVcpuThreads();
  for (const v of vcpus) {
    void v.worker?.terminate();
    v.s.sys.munmap(v.runAddr, v.s.vcpuMmapSize);
    v.s.sys.close(v.fd);
  }
  vcpus.length = 0;
  hooksRegistered = false;
}

function registerHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  onVmResume(kvmResumeAllVcpus);
  onVmStop(kvmPauseAllVcpus);
  if (!exitHookInstalled) {
    // A worker blocked in KVM_RUN would keep process.exit() from finishing.
    exitHookInstalled = true;
    process.once('exit', () => kvmStopVcpuThreads(500));
  }
}

/**
 * kvm_start_vcpu_thread() + kvm_init_vcpu(): creates the vCPU in KVM
 * (CPUID, MSRs, LAPIC), starts its worker stopped, and waits until the thread
 * has announced itself (cpu_thread_signal_created) so that its id is known.
 */
export function kvmStartVcpuThread(cpu: CPUState): void {
  const s = kvmState();
  registerHooks();
  const info = cpuInfoProvider(cpu);
  const fds = kvmCreateVcpu(info.apicId);
  const ret = kvmArchInitVcpu(s, fds.fd, info.cpuid, cpu.cpuIndex === 0, info.exposeKvm ?? true);
  if (ret < 0) throw new QemuError(`kvm_init_vcpu: kvm_arch_init_vcpu failed (${info.apicId}): ${strerrorErrno(-ret)}`);
  if (s.sys.initKickSignal() < 0) throw new QemuError('kvm_init_cpu_signals: cannot install the vCPU kick signal');
  const v = new KvmVcpu(cpu, info, fds.fd, fds.run, fds.runAddr, s);
  v.mb[M.MB_CTRL] = runstateIsRunning() ? M.CTRL_RUN : M.CTRL_STOPPED;
  const threadName = `CPU ${cpu.cpuIndex}/KVM`;
  const workerData: M.VcpuWorkerData = {
    mailbox: v.mb.buffer as SharedArrayBuffer, vcpuFd: fds.fd, runAddr: fds.runAddr, runSize: s.vcpuMmapSize, threadName, debugThreads,
  };
  v.worker = new Worker(new URL('./kvm-vcpu-thread.js', import.meta.url), { workerData, stdout: false, stderr: false });
  v.worker.on('error', (e) => errorReport(`vCPU thread ${cpu.cpuIndex}: ${e.message}`));
  // cpu_thread_signal_created: the worker starts on its own thread while this one waits.
  const deadline = Date.now() + 10000;
  while (Atomics.load(v.mb, M.MB_STATE) === M.STATE_STARTING && Date.now() < deadline) {
    Atomics.wait(v.mb, M.MB_STATE, M.STATE_STARTING, 100);
  }
  if (Atomics.load(v.mb, M.MB_STATE) !== M.STATE_PARKED && Atomics.load(v.mb, M.MB_STATE) !== M.STATE_RUNNING) {
    throw new QemuError(`kvm_init_vcpu: the vCPU thread for CPU ${cpu.cpuIndex} did not start`);
  }
  v.tid = v.mb[M.MB_TID]!;
  vcpus.push(v);
  cpu.vcpu = { threadId: v.tid, threadName };
  void serviceLoop(v);
  trace('kvm_start_vcpu_thread', `cpu_index=${cpu.cpuIndex} tid=${v.tid}`);
}
