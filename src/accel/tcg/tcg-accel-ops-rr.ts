/*
 * The round-robin vCPU loop (QEMU's rr_cpu_thread_fn, "ALL CPUs/TCG", with cpu_exec's interrupt
 * handling from accel/tcg/cpu-exec.c and target/i386/tcg/seg_helper.c).
 *
 * Every vCPU runs on the main thread, in slices: each runnable vCPU executes up to VCPU_BUDGET
 * instructions, expired timers run, and interrupts are delivered (the local APIC's, the PIC's
 * through LINT0, NMI, INIT and SIPI), until SLICE_NS of host time has passed; then the loop
 * yields to Node's event loop (setImmediate), so QMP, HMP and the chardevs keep working while
 * the guest runs.  When no vCPU can run (all halted or waiting for
 * SIPI) the loop sleeps until the next timer deadline or until an interrupt line rises: an idle
 * guest costs no host CPU.
 */
import { X86TcgCpu, EXIT_EXCEPTION } from '../../target/i386/tcg/cpu-exec.js';
import { CPU_EXCEPTION } from '../../target/i386/tcg/tcg-cpu.js';
import { IF_MASK, R_CS } from '../../target/i386/tcg/cpu-state.js';
import { x86CpuDoInterrupt, x86CpuExecHardwareInterrupt, x86CpuExecNmi } from '../../target/i386/tcg/seg-helper.js';
import {
  APICCommonState, ApicCpuEvent, APIC_LVT_LINT0, APIC_LVT_MASKED, APIC_DM_EXTINT, MSR_IA32_APICBASE_BSP, apicAcceptPicIntr, apicDeliverPicIntr,
  apicGetInterrupt, apicHasPendingInterrupt, apicPicOutput, apicSetCurrent, apicSetPicOutput,
} from '../../hw/intc/apic.js';
import { timerlistDeadlineNs, timerlistRun, qemuClockGetNs, QEMU_CLOCK_REALTIME } from '../../qemu/timer.js';
import {
  onShutdownRequest, onVmResume, qemuResetPoll, qemuSystemResetRequest, runstateIsRunning, setMainLoopWakeup, vmStop,
} from '../../system/runstate.js';
import { qemuLogMask, CPU_LOG_RESET, LOG_UNIMP } from '../../util/log.js';
import { errorReport } from '../../util/error.js';
import type { CPUState } from '../../hw/core/cpu.js';

/** Instructions a vCPU runs before timers and interrupts are looked at again. */
const VCPU_BUDGET = 16384;
/** Host time the loop keeps the main thread before it yields to the event loop. */
const SLICE_NS = 4e6;
/**
 * Host time one vCPU's run should take at most.  A guest polling a device register (an HPET
 * read costs microseconds) makes VCPU_BUDGET instructions last tens of ms, and timers would fire
 * that late: the budget then shrinks until a run fits, and grows back when runs are short.
 */
const RUN_NS = 1e6, MIN_BUDGET = 256;
/** Waits shorter than this (a guest's microsecond sleeps) poll instead of taking a 1 ms timer. */
const SHORT_SLEEP_NS = 1e6;

/** Requests other than the maskable interrupt (QEMU's CPU_INTERRUPT_NMI/INIT/SIPI bits). */
export const VCPU_REQ_NMI = 1, VCPU_REQ_INIT = 2, VCPU_REQ_SIPI = 4;

export interface TcgVcpu {
  cpu: CPUState;
  tcg: X86TcgCpu;
  /** The vCPU's local APIC; null for a single CPU without one (-cpu ...,-apic). */
  apic: APICCommonState | null;
  /**
   * CPU_INTERRUPT_HARD: a maskable interrupt waits, from the local APIC (a vector beats the
   * PPR) or from the 8259 (ExtINT through LINT0, or straight to the BSP without an APIC).
   */
  intr: boolean;
  /** VCPU_REQ_* bits waiting to be taken at the next instruction boundary. */
  requests: number;
  /** The vector of the last SIPI (VCPU_REQ_SIPI). */
  sipiVector: number;
  /** An AP after RESET or INIT: it waits for a SIPI (x86 "wait-for-SIPI" state). */
  waitForSipi: boolean;
  /** Shut down by a triple fault: runs again only after a reset. */
  tripleFaulted: boolean;
  /** Instructions per run, adapted to RUN_NS (see there). */
  budget: number;
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

/**
 * Adds a vCPU to the loop (in QEMU's cpu_index order); APs start parked (waitForSipi).  The
 * machine gives it its local APIC afterwards (v.apic), if it has one.
 */
export function tcgRrAddVcpu(cpu: CPUState, tcg: X86TcgCpu): TcgVcpu {
  const v: TcgVcpu = {
    cpu, tcg, apic: null, intr: false, requests: 0, sipiVector: 0, waitForSipi: cpu.cpuIndex !== 0, tripleFaulted: false, budget: VCPU_BUDGET,
  };
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

/**
 * Recomputes CPU_INTERRUPT_HARD: the APIC has a vector above the PPR, or the 8259's output
 * reaches the CPU (ExtINT on an unmasked LINT0, or the BSP without an APIC).  A rising line
 * kicks the loop (cpu_interrupt → qemu_cpu_kick).
 */
export function tcgRrUpdateIntr(v: TcgVcpu): void {
  const s = v.apic;
  let level: boolean;
  if (s === null) {
    level = v.cpu.cpuIndex === 0 && apicPicOutput();
  } else {
    const lint0 = s.lvt[APIC_LVT_LINT0]!;
    level = apicHasPendingInterrupt(s) || (apicPicOutput() && apicAcceptPicIntr(s) &&
      (lint0 & APIC_LVT_MASKED) === 0 && ((lint0 >> 8) & 7) === APIC_DM_EXTINT);
  }
  if (level && !v.intr) {
    v.intr = true;
    qemuCpuKick();
  } else {
    v.intr = level;
  }
}

/**
 * pic_irq_request(): the 8259's INT output changed.  With local APICs each one that accepts
 * it (hardware-disabled, or LINT0 unmasked) delivers it through LINT0; without, it is the
 * BSP's INTR input.
 */
export function tcgRrPicIrqRequest(level: number): void {
  apicSetPicOutput(level !== 0);
  for (const v of vcpus) {
    if (v.apic !== null && apicAcceptPicIntr(v.apic)) apicDeliverPicIntr(v.apic, level !== 0);
    tcgRrUpdateIntr(v);
  }
}

/**
 * What a local APIC asks of its vCPU (cpu_interrupt with CPU_INTERRUPT_NMI/INIT/SIPI/HARD):
 * recorded here and taken at the vCPU's next instruction boundary; the loop is kicked.
 */
export function tcgRrApicEvent(v: TcgVcpu, ev: ApicCpuEvent, vector: number): void {
  switch (ev) {
    case ApicCpuEvent.NMI: v.requests |= VCPU_REQ_NMI; break;
    case ApicCpuEvent.INIT: v.requests |= VCPU_REQ_INIT; break;
    case ApicCpuEvent.SIPI: v.requests |= VCPU_REQ_SIPI; v.sipiVector = vector; break;
    case ApicCpuEvent.EXTINT: tcgRrUpdateIntr(v); return;
    case ApicCpuEvent.SMI: qemuLogMask(LOG_UNIMP, 'SMI delivery is not supported\n'); return;
  }
  qemuCpuKick();
}

/** The board's reset of a vCPU's registers for INIT (x86_cpu_reset, keeping what INIT keeps). */
let cpuInit: ((v: TcgVcpu) => void) | undefined;

/** Sets how INIT resets a vCPU (do_cpu_init); the machine knows the CPU model. */
export function tcgRrSetCpuInit(fn: (v: TcgVcpu) => void): void {
  cpuInit = fn;
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

/**
 * cpu_get_pic_interrupt(): the APIC's highest vector, else (when the APIC lets the 8259
 * through) the 8259's; -1 if neither has one any more.
 */
function cpuGetPicInterrupt(v: TcgVcpu): number {
  const s = v.apic;
  if (s !== null) {
    const intno = apicGetInterrupt(s);
    if (intno >= 0) return intno;
    if (!apicAcceptPicIntr(s)) return -1;
  }
  return board!.readIrq();
}

/**
 * INIT and SIPI (do_cpu_init, do_cpu_sipi): INIT resets the registers and parks an AP until a
 * SIPI; a SIPI starts a parked vCPU in real mode at vector << 12 (CS = vector << 8, IP = 0).
 */
function takeInitSipi(v: TcgVcpu): void {
  if (v.requests & VCPU_REQ_INIT) {
    v.requests &= ~VCPU_REQ_INIT;
    cpuInit!(v);
    // cpu_is_bsp(): the APIC base's BSP bit
    v.waitForSipi = v.apic !== null && (v.apic.apicbase & MSR_IA32_APICBASE_BSP) === 0;
  }
  if (v.requests & VCPU_REQ_SIPI) {
    v.requests &= ~VCPU_REQ_SIPI;
    if (!v.waitForSipi) return;
    const env = v.tcg.env;
    env.loadSegCache(R_CS, v.sipiVector << 8, v.sipiVector << 12, env.segLimit[R_CS]!, env.segFlags[R_CS]!);
    env.rip = 0;
    env.halted = false;
    env.updateMode();
    env.fetchGen++;
    v.waitForSipi = false;
  }
}

/** The vCPU may run: the VM runs, the CPU is not stopped, parked or halted. */
function cpuCanRun(v: TcgVcpu): boolean {
  return !v.cpu.stopped && !v.waitForSipi && !v.tripleFaulted && !v.tcg.env.halted;
}

/** An NMI is deliverable (none is being handled), or INTR with IF=1. */
function interruptDeliverable(v: TcgVcpu): boolean {
  const env = v.tcg.env;
  return ((v.requests & VCPU_REQ_NMI) !== 0 && !env.nmiBlocked) || (v.intr && (env.eflags & IF_MASK) !== 0);
}

/**
 * x86_cpu_exec_interrupt(): INIT, SIPI, then NMI before INTR; INTR is taken when IF=1.  Neither
 * is taken inside the shadow of STI, MOV SS or POP SS (the next instruction runs first).  A
 * halted CPU wakes.
 */
function checkInterrupt(v: TcgVcpu): void {
  if (!v.intr && v.requests === 0) return;
  if (v.tripleFaulted) return;
  if (v.requests & (VCPU_REQ_INIT | VCPU_REQ_SIPI)) takeInitSipi(v);
  if (v.waitForSipi || !interruptDeliverable(v)) return;
  const tcg = v.tcg, env = tcg.env;
  if (env.inhibitIrq) {
    env.inhibitIrq = false;
    if (env.rip === env.inhibitIrqRip) {
      if (!env.halted && tcg.run(1) === EXIT_EXCEPTION) {
        deliverException(v);
        return;
      }
      if (!interruptDeliverable(v)) return;
    }
  }
  try {
    if ((v.requests & VCPU_REQ_NMI) !== 0 && !env.nmiBlocked) {
      v.requests &= ~VCPU_REQ_NMI;
      x86CpuExecNmi(tcg.c);
      return;
    }
    const vector = cpuGetPicInterrupt(v);
    tcgRrUpdateIntr(v);
    if (vector >= 0) x86CpuExecHardwareInterrupt(tcg.c, vector);
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
  /** Host time, read once before and after each vCPU's run. */
  let now = qemuClockGetNs(QEMU_CLOCK_REALTIME);
  const sliceEnd = now + SLICE_NS;
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
        apicSetCurrent(v.apic);
        checkInterrupt(v);
        if (!cpuCanRun(v)) {
          apicSetCurrent(null);
          continue;
        }
        ran = true;
        current = v;
        const t0 = now;
        runVcpu(v, v.budget);
        now = qemuClockGetNs(QEMU_CLOCK_REALTIME);
        const took = now - t0;
        if (took > RUN_NS) v.budget = Math.max(MIN_BUDGET, v.budget >> 1);
        else if (took < RUN_NS / 4 && v.budget < VCPU_BUDGET) v.budget <<= 1;
        current = undefined;
        apicSetCurrent(null);
        v.tcg.exitRequest = false;
        if (!runstateIsRunning() || shuttingDown) return;
      }
      if (!ran) {
        sleepUntilDeadline();
        return;
      }
      if (now >= sliceEnd) {
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
    apicSetCurrent(null);
  }
}

/** qemu_wait_io_event(): every vCPU is idle; wake at the next timer deadline or on a kick. */
function sleepUntilDeadline(): void {
  const ns = timerlistDeadlineNs();
  if (ns < 0) return; // nothing to wait for but an interrupt, a reset or a monitor command
  if (ns < SHORT_SLEEP_NS) {
    // Node's timers are 1 ms coarse: a shorter wait polls through the event loop instead.
    scheduled = setImmediate(rrCpuThreadFn);
    return;
  }
  sleeping = setTimeout(() => {
    sleeping = undefined;
    if (scheduled === undefined) scheduled = setImmediate(rrCpuThreadFn);
  }, Math.ceil(ns / 1e6));
}

/** For tests that build several machines in one process. */
export function tcgRrReset(): void {
  vcpus.length = 0;
  board = undefined;
  cpuInit = undefined;
  if (scheduled !== undefined) clearImmediate(scheduled);
  if (sleeping !== undefined) clearTimeout(sleeping);
  scheduled = sleeping = undefined;
  shuttingDown = false;
}
