/*
 * Debug registers and hardware breakpoints (QEMU's bpt_helper.c; SDM Vol. 3 ch. 18).
 *
 * DR0-DR3 hold linear addresses, DR7 enables them (L/G bits) with a type (00 instruction,
 * 01 data write, 11 data read/write; 10 I/O is accepted but never fires) and a length.
 * Instruction breakpoints are faults (#DB before the instruction, suppressed once by
 * EFLAGS.RF); data breakpoints are traps (#DB after the instruction that touched the range).
 *
 * The fast path pays nothing while DR7 enables no breakpoint: env.hwbpActive is 0, run() goes
 * its usual way and the soft-MMU has no watcher.  With breakpoints enabled, run() executes one
 * instruction at a time through hwbpRun(), and the soft-MMU sends accesses to pages that hold a
 * data breakpoint through its slow path, which reports them to a DebugWatch.
 */
import type { TcgCpu } from './tcg-cpu.js';
import { R_CS, EXCP01_DB, EXCP06_ILLOP, EXCP0D_GPF, RF_MASK } from './cpu-state.js';
import { MMU_DATA_STORE, MMU_INST_FETCH } from './softmmu.js';
import { EXIT_BUDGET, EXIT_EXCEPTION, type X86TcgCpu } from './cpu-exec.js';

const CR4_DE_MASK = 1 << 3;
const DR6_FIXED_1 = 0xffff0ff0;
const DR7_FIXED_1 = 0x400;
const DR7_GD = 1 << 13;
const DR6_BD = 1 << 13;
const DR7_TYPE_BP_INST = 0, DR7_TYPE_DATA_WR = 1, DR7_TYPE_DATA_RW = 3;

function bpType(dr7: number, i: number): number {
  return (dr7 >>> (16 + 4 * i)) & 3;
}

function bpEnabled(dr7: number, i: number): boolean {
  return ((dr7 >>> (2 * i)) & 3) !== 0;
}

/** Bytes covered by breakpoint i (LEN 00 = 1, 01 = 2, 10 = 8, 11 = 4). */
function bpLen(dr7: number, i: number): number {
  const l = (dr7 >>> (18 + 4 * i)) & 3;
  return l === 2 ? 8 : l + 1;
}

/** DR4/DR5 alias DR6/DR7 unless CR4.DE makes them undefined (#UD); DR7.GD turns the access into #DB. */
function drIndex(c: TcgCpu, reg: number): number {
  const env = c.env;
  if (reg === 4 || reg === 5) {
    if ((env.cr4 & CR4_DE_MASK) !== 0) c.raise(EXCP06_ILLOP);
    reg += 2;
  }
  if ((env.dr[7] & DR7_GD) !== 0) {
    env.dr[7] -= DR7_GD;
    env.dr[6] = (env.dr[6] | DR6_BD) >>> 0;
    c.raise(EXCP01_DB);
  }
  return reg;
}

/** MOV from DRn (helper_get_dr). */
export function helperGetDr(c: TcgCpu, reg: number): number {
  return c.env.dr[drIndex(c, reg)];
}

/** MOV to DRn (helper_set_dr): (lo, hi) is the 64-bit source; DR6/DR7 bits 63:32 must be zero. */
export function helperSetDr(c: TcgCpu, reg: number, lo: number, hi: number): void {
  const env = c.env;
  reg = drIndex(c, reg);
  if (reg < 4) {
    env.dr[reg] = hi * 4294967296 + (lo >>> 0);
  } else {
    if (hi !== 0) c.raise(EXCP0D_GPF, 0);
    if (reg === 6) env.dr[6] = (lo | DR6_FIXED_1) >>> 0;
    else env.dr[7] = (lo | DR7_FIXED_1) >>> 0;
  }
  updateHwBreakpoints(c);
}

/** Recomputes the breakpoint state after DR0-DR3/DR7 change (hw_breakpoint_insert/remove). */
export function updateHwBreakpoints(c: TcgCpu): void {
  const env = c.env;
  const dr7 = env.dr[7];
  let active = 0, data = false;
  for (let i = 0; i < 4; i++) {
    if (!bpEnabled(dr7, i)) continue;
    const t = bpType(dr7, i);
    if (t === DR7_TYPE_BP_INST) active |= 1 << i;
    else if (t === DR7_TYPE_DATA_WR || t === DR7_TYPE_DATA_RW) {
      active |= 1 << i;
      data = true;
    }
  }
  if (active !== 0 && env.hwbpActive === 0) env.fetchGen++; // ends the current run() slice
  env.hwbpActive = active;
  const mmu = c.mmu;
  const hadWatch = mmu.watch !== null;
  mmu.watch = data ? (mmu.watch ?? new DebugWatch(c)) : null;
  // Entries cached before the change may let watched accesses through the fast path.
  if (data || hadWatch) mmu.tlbFlush();
}

/** Sees the soft-MMU's slow-path accesses while data breakpoints are enabled. */
export class DebugWatch {
  private readonly c: TcgCpu;

  constructor(c: TcgCpu) {
    this.c = c;
  }

  /** True if the 4 KiB linear page at `pageLin` holds a breakpoint of an `access` kind. */
  pageWatched(pageLin: number, access: number): boolean {
    if (access === MMU_INST_FETCH) return false;
    const env = this.c.env;
    const dr7 = env.dr[7];
    for (let i = 0; i < 4; i++) {
      if (!this.watches(dr7, i, access)) continue;
      const a = env.dr[i], len = bpLen(dr7, i);
      const start = a - (a % len);
      if (start + len > pageLin && start < pageLin + 4096) return true;
    }
    return false;
  }

  /** An access of `size` bytes at `lin`: records the breakpoints it hits (reported after the instruction). */
  access(lin: number, size: number, access: number): void {
    if (access === MMU_INST_FETCH) return;
    const env = this.c.env;
    const dr7 = env.dr[7];
    for (let i = 0; i < 4; i++) {
      if (!this.watches(dr7, i, access)) continue;
      const a = env.dr[i], len = bpLen(dr7, i);
      const start = a - (a % len);
      if (start < lin + size && lin < start + len) env.hwbpHit |= 1 << i;
    }
  }

  private watches(dr7: number, i: number, access: number): boolean {
    if (!bpEnabled(dr7, i)) return false;
    const t = bpType(dr7, i);
    return t === DR7_TYPE_DATA_RW || (t === DR7_TYPE_DATA_WR && access === MMU_DATA_STORE);
  }
}

/**
 * X86TcgCpu.run() while breakpoints are enabled: one instruction at a time, with the
 * instruction-breakpoint check before and the data-breakpoint check after each.
 */
export function hwbpRun(cpu: X86TcgCpu, budget: number): number {
  const env = cpu.env;
  const c = cpu.c;
  for (let n = 0; n < budget; n++) {
    if (env.hwbpActive === 0) return cpu.run(budget - n);
    const rf = (env.eflags & RF_MASK) !== 0;
    if (!rf && insnBreakpoint(c)) return EXIT_EXCEPTION;
    env.hwbpHit = 0;
    const r = cpu.run(1);
    if (r === EXIT_EXCEPTION) {
      env.hwbpHit = 0;
      return r;
    }
    // RF suppresses breakpoints for one instruction (QEMU clears it where the block ends).
    if (rf) env.eflags &= ~RF_MASK;
    if (env.hwbpHit !== 0) {
      env.dr[6] = ((env.dr[6] & ~0xf) | env.hwbpHit | instructionMatches(c)) >>> 0;
      env.hwbpHit = 0;
      raiseDb(c);
      return EXIT_EXCEPTION;
    }
    if (r !== EXIT_BUDGET) return r;
  }
  return EXIT_BUDGET;
}

/** The DR6 bits of the instruction breakpoints at the current linear RIP (enabled or not). */
function instructionMatches(c: TcgCpu): number {
  const env = c.env;
  const dr7 = env.dr[7];
  const lin = env.codeSize === 8 ? env.rip : (env.segBase[R_CS] + env.rip) >>> 0;
  let m = 0;
  for (let i = 0; i < 4; i++) if (bpType(dr7, i) === DR7_TYPE_BP_INST && env.dr[i] === lin) m |= 1 << i;
  return m;
}

/** An enabled instruction breakpoint at RIP: #DB as a fault (RIP stays on the instruction). */
function insnBreakpoint(c: TcgCpu): boolean {
  const env = c.env;
  const m = instructionMatches(c);
  let enabled = false;
  for (let i = 0; i < 4; i++) if ((m & (1 << i)) !== 0 && bpEnabled(env.dr[7], i)) enabled = true;
  if (!enabled) return false;
  env.dr[6] = ((env.dr[6] & ~0xf) | m) >>> 0;
  raiseDb(c);
  return true;
}

/** Reports #DB to the vCPU loop without throwing (we are outside an instruction). */
function raiseDb(c: TcgCpu): void {
  const env = c.env;
  env.exception_index = EXCP01_DB;
  env.error_code = 0;
  env.exception_is_int = false;
}
