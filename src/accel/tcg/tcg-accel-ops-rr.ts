/*
 * The round-robin vCPU loop (QEMU's rr_cpu_thread_fn, "ALL CPUs/TCG", with cpu_exec's interrupt
 * handling from accel/tcg/cpu-exec.c and target/i386/tcg/seg_helper.c).
 *
 * Every vCPU runs on the main thread, in slices: each runnable vCPU executes up to VCPU_BUDGET
 * instructions, expired timers run, and the PIC's interrupt is delivered, until SLICE_NS of host
 * time has passed; then the loop yields to Node's event loop (setImmediate), so QMP, HMP and the
 * chardevs keep working while the guest runs.  When no vCPU can run (all halted or waiting for
 * SIPI) the loop sleeps until the next timer deadline or until an interrupt line rises: an idle
 * guest costs no host CPU.
 */
import { X86TcgCpu, EXIT_EXCEPTION } from '../../target/i386/tcg/cpu-exec.js';
import { CPU_EXCEPTION } from '../../target/i386/tcg/tcg-cpu.js';
import { IF_MASK } from '../../target/i386/tcg/cpu-state.js';
import { x86CpuDoInterrupt, x86CpuExecHardwareInterrupt } from '../../target/i386/tcg/seg-helper.js';
import { timerlistDeadlineNs, timerlistRun, qemuClockGetNs, QEMU_CLOCK_REALTIME } from '../../qemu/timer.js';
import {
  onShutdownRequest, onVmResume, qemuResetPoll, qemuSystemResetRequest, runstateIsRunning, setMainLoopWakeup, vmStop,
} from '../../system/runstate.js';
import { qemuLogMask, CPU_LOG_RESET } from '../../util/log.js';
import { errorReport } from '../../util/error.js';
import type { CPUState } from '../../hw/core/cpu.js';

/** Instructions a vCPU runs before timers and interrupts are looked at again. */
const VCPU_BUDGET = 16384;
/** Host time the loop keeps the main thread before it yields to the event loop. */
const SLICE_NS = 4e6;

export interface TcgVcpu {
  cpu: CPUState;
  tcg: X86TcgCpu;
  /** The INTR input's level (the PIC's INT output). */
  intr: boolean;
  /**
   * An AP waits for INIT/SIPI from the BSP's local APIC (x86 "wait-for-SIPI" state).  Without
   * a LAPIC nothing can wake it, so APs stay parked here.
   */
  waitForSipi: boolean;
  /** Shut down by a triple fault: runs again only after a reset. */
  tripleFaulted: boolean;
}

/** What the board gives the loop: the interrupt acknowledge of its interrupt controller. */
export interface TcgRrBoard {
  /** cpu_get_pic_interrupt(): the vector to take now. */
  readIrq(): number;
}

const vcpus: TcgVcpu[] = [];
let board: TcgRrBoard | undefined;
let scheduled: NodeJS.Immediate | undefined;
let sleeping: NodeJS.Timeout | undefined;
/** True while the loop runs guest code (device callbacks then ask the vCPU to exit instead). */
let inSlice = false;
let current: TcgVcpu | undefined;
/** A shutdown was requested: no more guest code runs. */
let shuttingDown = false;

/** Adds a vCPU to the loop (in QEMU's cpu_index order); APs start parked (waitForSipi). */
export function tcgRrAddVcpu(cpu: CPUState, tcg: X86TcgCpu): TcgVcpu {
  const v: TcgVcpu = { cpu, tcg, intr: false, waitForSipi: cpu.cpuIndex !== 0, tripleFaulted: false };
  vcpus.push(v);
  return v;
}

export function tcgRrVcpus(): readonly TcgVcpu[] {
  return vcpus;
}

/** Starts the loop's bookkeeping for a machine: run state hooks and the reset/wakeup path. */
export function tcgRrInit(b: TcgRrBoard): void {
  board = b;
  shuttingDown = false;
  onVmResume(() => {
    shuttingDown = false;
    qemuCpuKick();
  });
  onShutdownRequest(() => {
    shuttingDown = true;
    cpuExitCurrent();
  });
  setMainLoopWakeup(qemuCpuKick);
}

/** The INTR line (pic_irq_request → cpu_interrupt / cpu_reset_interrupt). */
export function tcgRrSetIntr(v: TcgVcpu, level: number): void {
  v.intr = level !== 0;
  if (v.intr) qemuCpuKick();
}

/** Makes the running vCPU leave its run() at the next instruction boundary (cpu_exit). */
function cpuExitCurrent(): void {
  if (current === undefined) return;
  current.tcg.exitRequest = true;
  current.tcg.env.fetchGen++;
}

/** qemu_cpu_kick(): wakes a sleeping loop, or ends the running vCPU's run early. */
export function qemuCpuKick(): void {
  if (inSlice) {
    cpuExitCurrent();
    return;
  }
  if (sleeping !== undefined) {
    clearTimeout(sleeping);
    sleeping = undefined;
  }
  if (scheduled === undefined) scheduled = setImmediate(rrCpuThreadFn);
}

/** The vCPU may run: the VM runs, the CPU is not stopped, parked or halted. */
function cpuCanRun(v: TcgVcpu): boolean {
  return !v.cpu.stopped && !v.waitForSipi && !v.tripleFaulted && !v.tcg.env.halted;
}

/**
 * x86_cpu_exec_interrupt() for INTR: taken at an instruction boundary when IF=1, but not inside
 * the shadow of STI, MOV SS or POP SS (the next instruction runs first).  A halted CPU wakes.
 */
function checkInterrupt(v: TcgVcpu): void {
  const tcg = v.tcg, env = tcg.env;
  if (!v.intr || v.waitForSipi || v.tripleFaulted || (env.eflags & IF_MASK) === 0) return;
  if (env.inhibitIrq) {
    env.inhibitIrq = false;
    if (env.rip === env.inhibitIrqRip) {
      if (!env.halted && tcg.run(1) === EXIT_EXCEPTION) {
        deliverException(v);
        return;
      }
      if (!v.intr || (env.eflags & IF_MASK) === 0) return;
    }
  }
  const vector = board!.readIrq();
  try {
    x86CpuExecHardwareInterrupt(tcg.c, vector);
  } catch (e) {
    if (e !== CPU_EXCEPTION) throw e;
    deliverException(v); // a fault while delivering (e.g. a bad IDT entry)
  }
}

/**
 * Delivers the exception the CPU stopped on (x86CpuDoInterrupt combines faults raised while
 * delivering it).  A triple fault resets the machine: qemu_system_reset_request(
 * SHUTDOWN_CAUSE_GUEST_RESET), which -no-reboot turns into a shutdown; the CPU stops meanwhile.
 */
function deliverException(v: TcgVcpu): void {
  if (x86CpuDoInterrupt(v.tcg.c)) return;
  qemuLogMask(CPU_LOG_RESET, 'Triple fault\n');
  v.tcg.env.halted = true;
  v.tripleFaulted = true;
  qemuSystemResetRequest('guest-reset');
}

/**
 * Runs one vCPU for up to `budget` instructions.  While an interrupt waits for IF=1, run()
 * returns as soon as IF is set, so the interrupt is taken at that boundary.
 */
function runVcpu(v: TcgVcpu, budget: number): void {
  const tcg = v.tcg;
  tcg.watchIf = v.intr && (tcg.env.eflags & IF_MASK) === 0;
  const r = tcg.run(budget);
  tcg.watchIf = false;
  if (r === EXIT_EXCEPTION) deliverException(v);
}

/**
 * One slice of rr_cpu_thread_fn: timers, interrupts, then each runnable vCPU in turn, until the
 * slice's host time is used up or no vCPU can run.
 */
function rrCpuThreadFn(): void {
  scheduled = undefined;
  const sliceEnd = qemuClockGetNs(QEMU_CLOCK_REALTIME) + SLICE_NS;
  inSlice = true;
  try {
    for (;;) {
      timerlistRun();
      qemuResetPoll();
      if (shuttingDown) return;
      if (!runstateIsRunning()) {
        sleepUntilDeadline(); // the clocks other than the virtual one keep their timers running
        return;
      }
      let ran = false;
      for (const v of vcpus) {
        checkInterrupt(v);
        if (!cpuCanRun(v)) continue;
        ran = true;
        current = v;
        runVcpu(v, VCPU_BUDGET);
        current = undefined;
        v.tcg.exitRequest = false;
        if (!runstateIsRunning() || shuttingDown) return;
      }
      if (!ran) {
        sleepUntilDeadline();
        return;
      }
      if (qemuClockGetNs(QEMU_CLOCK_REALTIME) >= sliceEnd) {
        scheduled = setImmediate(rrCpuThreadFn);
        return;
      }
    }
  } catch (e) {
    // A bug or a missing piece of the CPU: the VM stops with an internal error, the monitor stays.
    current = undefined;
    errorReport(`vCPU: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.TSQEMU_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    vmStop('internal-error');
  } finally {
    inSlice = false;
    current = undefined;
  }
}

/** qemu_wait_io_event(): every vCPU is idle; wake at the next timer deadline or on a kick. */
function sleepUntilDeadline(): void {
  const ns = timerlistDeadlineNs();
  if (ns < 0) return; // nothing to wait for but an interrupt, a reset or a monitor command
  sleeping = setTimeout(() => {
    sleeping = undefined;
    if (scheduled === undefined) scheduled = setImmediate(rrCpuThreadFn);
  }, Math.ceil(ns / 1e6));
}

/** For tests that build several machines in one process. */
export function tcgRrReset(): void {
  vcpus.length = 0;
  board = undefined;
  if (scheduled !== undefined) clearImmediate(scheduled);
  if (sleeping !== undefined) clearTimeout(sleeping);
  scheduled = sleeping = undefined;
  shuttingDown = false;
}
