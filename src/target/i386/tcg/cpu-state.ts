/*
 * The architectural state of one x86-64 vCPU under our software CPU (QEMU's CPUX86State names).
 *
 * General registers are held as 32-bit halves in one Int32Array (regs[2*r] = low half,
 * regs[2*r+1] = high half), the layout a later WebAssembly tier can share as i64s.
 * docs/tcg.md explains the choice.  RIP and segment bases are doubles: canonical 64-bit
 * addresses are exact in a double, and so are 32-bit ones.
 */
import { CC_OP_EFLAGS } from './flags.js';

export const R_EAX = 0, R_ECX = 1, R_EDX = 2, R_EBX = 3, R_ESP = 4, R_EBP = 5, R_ESI = 6, R_EDI = 7;
export const R_ES = 0, R_CS = 1, R_SS = 2, R_DS = 3, R_FS = 4, R_GS = 5;
/** The LDTR and TR caches follow the six segment registers in the seg* arrays. */
export const R_LDTR = 6, R_TR = 7;

/* EFLAGS bits */
export const CC_C = 0x0001, CC_P = 0x0004, CC_A = 0x0010, CC_Z = 0x0040, CC_S = 0x0080, CC_O = 0x0800;
export const CC_MASK = CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O;
export const TF_MASK = 0x100, IF_MASK = 0x200, DF_MASK = 0x400, IOPL_MASK = 0x3000, NT_MASK = 0x4000;
export const RF_MASK = 0x10000, VM_MASK = 0x20000, AC_MASK = 0x40000, VIF_MASK = 0x80000, VIP_MASK = 0x100000, ID_MASK = 0x200000;

/* Segment descriptor flag bits (the high dword of a descriptor, as QEMU's DESC_*_MASK) */
export const DESC_G_MASK = 1 << 23, DESC_B_MASK = 1 << 22, DESC_L_MASK = 1 << 21, DESC_P_MASK = 1 << 15;
export const DESC_S_MASK = 1 << 12, DESC_CS_MASK = 1 << 11, DESC_W_MASK = 1 << 9, DESC_R_MASK = 1 << 9;
export const DESC_DPL_SHIFT = 13;

/* Exception vectors */
export const EXCP00_DIVZ = 0, EXCP01_DB = 1, EXCP03_INT3 = 3, EXCP04_INTO = 4, EXCP05_BOUND = 5, EXCP06_ILLOP = 6;
export const EXCP07_PREX = 7, EXCP0D_GPF = 13, EXCP0C_STACK = 12, EXCP0E_PAGE = 14, EXCP11_ALGN = 17;

export const CR0_PE_MASK = 1, CR0_PG_MASK = 1 << 31;
export const EFER_LMA = 1 << 10, EFER_LME = 1 << 8;

/* Slots of CPUX86State.msrs (pairs): MSRs that only need storing. */
/* Slots 1 and 3 are free: IA32_APIC_BASE and TSC_DEADLINE live in the local APIC. */
export const MSRV_PAT = 0, MSRV_MISC_ENABLE = 2, MSRV_MTRR_DEF_TYPE = 4;
export const MSRV_MCG_STATUS = 5, MSRV_MCG_CTL = 6, MSRV_SPEC_CTRL = 7;
/** The 11 fixed-range MTRRs (64K_00000, 16K_80000, 16K_A0000, 4K_C0000 ... 4K_F8000). */
export const MSRV_MTRR_FIXED = 9;
/** The 8 variable-range MTRRs as base/mask pairs. */
export const MSRV_MTRR_VAR = 20;
/** The machine-check banks' CTL/STATUS/ADDR/MISC registers (10 banks, QEMU's MCE_BANKS_DEF). */
export const MSRV_MC_BANKS = 36;
export const MSRV_COUNT = 76;

export class CPUX86State {
  /** General registers as 32-bit halves: [lo(RAX), hi(RAX), lo(RCX), hi(RCX), ...]. */
  readonly regs = new Int32Array(32);
  /** Instruction pointer (linear = CS.base + rip); exact for canonical addresses. */
  rip = 0;
  /** EFLAGS except the six arithmetic flags, which live in the lazy cc_* fields. */
  eflags = 0x2;
  /* Lazy flags (QEMU's cc_op/cc_dst/cc_src/cc_src2), with high halves for 64-bit operations. */
  cc_op = CC_OP_EFLAGS;
  cc_dst = 0;
  cc_src = 0;
  cc_src2 = 0;
  cc_dstHi = 0;
  cc_srcHi = 0;

  /* Segment registers, then LDTR and TR: selector, base (a double), limit, descriptor flags. */
  readonly segSelector = new Int32Array(8);
  readonly segBase = new Float64Array(8);
  readonly segLimit = new Uint32Array(8);
  readonly segFlags = new Int32Array(8);

  /* Descriptor tables and control registers. */
  gdtBase = 0;
  gdtLimit = 0xffff;
  idtBase = 0;
  idtLimit = 0xffff;
  cr0 = 0x60000010;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  efer = 0;
  /** DR0-DR7 as signed canonical addresses (DR4/DR5 alias DR6/DR7 when CR4.DE is clear). */
  readonly dr = new Float64Array(8);
  /** TSC_AUX, read by RDTSCP and RDPID. */
  tscAux = 0;
  /** XCR0 (XSETBV): bit 0 (x87) is always set. */
  xcr0 = 1;

  /* SSE state: XMM0-15 as four 32-bit lanes each (xmm[4*r + lane], lane 0 lowest). */
  readonly xmm = new Int32Array(16 * 4);
  mxcsr = 0x1f80;

  /*
   * x87 state (QEMU's fpregs/fpstt/fpus/fpuc/fptags).  fpregs holds the eight physical
   * registers as [lo, hi, se, 0]: lo:hi the 64-bit significand, se = sign<<15 | exponent.
   * MMX register i is the significand of physical register i (fpregs[4i], fpregs[4i+1]).
   */
  readonly fpregs = new Int32Array(8 * 4);
  /** TOP of the register stack. */
  fpstt = 0;
  /** Status word without TOP (TOP lives in fpstt). */
  fpus = 0;
  fpuc = 0x37f;
  /** One byte per physical register: 1 = empty (FNINIT state). */
  readonly fptags = new Uint8Array(8).fill(1);
  /** Last instruction opcode, instruction pointer and data pointer (FNSTENV, FXSAVE). */
  fpop = 0;
  fpip = 0;
  fpcs = 0;
  fpdp = 0;
  fpds = 0;

  /* Derived execution mode (QEMU's hflags): refreshed by updateMode() after CS/EFER changes. */
  /** Code size: 2, 4 or 8 (16-bit, 32-bit, 64-bit code). */
  codeSize = 2;
  /** Stack pointer size: 2, 4 or 8 (SS.B, or 8 in 64-bit mode). */
  stackSize = 2;
  /**
   * Bumped whenever CS is loaded or cached code is invalidated: the execution loop then drops
   * its reference to the current code page.
   */
  fetchGen = 0;

  /* Exception reporting to the vCPU loop. */
  exception_index = -1;
  error_code = 0;
  /** The exception is a software interrupt (INT n, INT3, INTO, INT1): it is delivered as a trap. */
  exception_is_int = false;
  /** RIP after the trapping instruction, for software interrupts (QEMU's exception_next_eip). */
  exception_next_rip = 0;
  halted = false;

  /* ---- System-architecture state (misc-helper.ts, msr.ts, breakpoint.ts) ---- */
  /** SYSENTER_CS (low 16 bits) and SYSENTER_ESP/EIP (canonical addresses). */
  sysenterCs = 0;
  sysenterEsp = 0;
  sysenterEip = 0;
  /** STAR as two halves: starLo = legacy SYSCALL EIP, starHi = SYSCALL/SYSRET selectors. */
  starLo = 0;
  starHi = 0;
  /** LSTAR, CSTAR and KERNEL_GS_BASE (canonical addresses). */
  lstar = 0;
  cstar = 0;
  kernelGsBase = 0;
  /** FMASK (RFLAGS bits SYSCALL clears) as two halves. */
  fmaskLo = 0;
  fmaskHi = 0;
  /** TSC_AUX bits 63:32 (QEMU keeps all 64 bits of the MSR; RDTSCP/RDPID read the low half). */
  tscAuxHi = 0;
  /** Added to the host-derived TSC by the model's rdtsc callback; WRMSR TSC adjusts it. */
  tscOffset = 0;
  /** Other 64-bit MSRs as [lo, hi] int32 pairs at the MSRV_* slots (PAT, MTRRs, MCA, ...). */
  readonly msrs = new Int32Array(2 * MSRV_COUNT);
  /**
   * Debug-register breakpoints (breakpoint.ts): non-zero while DR7 enables any breakpoint; the
   * execution loop then checks instruction breakpoints and data-breakpoint hits.
   */
  hwbpActive = 0;
  /** DR6 B0-B3 bits of data breakpoints hit by the current instruction (a #DB trap follows). */
  hwbpHit = 0;

  /*
   * Interrupt shadow and NMI blocking, for the vCPU loop (QEMU's HF_INHIBIT_IRQ_MASK and
   * HF2_NMI_MASK).  STI, MOV SS and POP SS set inhibitIrq and inhibitIrqRip = the RIP after them:
   * while inhibitIrq is set and env.rip === inhibitIrqRip, no interrupt (maskable or NMI) may be
   * delivered before one more instruction runs.  The loop clears inhibitIrq when it has looked.
   */
  inhibitIrq = false;
  inhibitIrqRip = 0;
  /** Set while an NMI handler runs (from NMI delivery to the next IRET): further NMIs wait. */
  nmiBlocked = false;

  constructor() {
    // Power-on state of an x86 CPU (SDM Vol. 3 §9.1.1): real mode, CS base 0xffff0000, IP 0xfff0.
    for (let s = 0; s < 6; s++) {
      this.segLimit[s] = 0xffff;
      this.segFlags[s] = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | (s === R_CS ? DESC_CS_MASK : 0);
    }
    this.segLimit[R_LDTR] = this.segLimit[R_TR] = 0xffff;
    this.segFlags[R_LDTR] = DESC_P_MASK | (2 << 8);
    this.segFlags[R_TR] = DESC_P_MASK | (11 << 8);
    this.dr[6] = 0xffff0ff0;
    this.dr[7] = 0x400;
    this.resetMsrs();
    this.segSelector[R_CS] = 0xf000;
    this.segBase[R_CS] = 0xffff0000;
    this.rip = 0xfff0;
    this.updateMode();
  }

  /** The MSRs' power-on values (QEMU's x86_cpu_reset). */
  resetMsrs(): void {
    const m = this.msrs;
    m.fill(0);
    m[2 * MSRV_PAT] = m[2 * MSRV_PAT + 1] = 0x00070406;
    m[2 * MSRV_MISC_ENABLE] = 1; // fast strings
    this.sysenterCs = this.sysenterEsp = this.sysenterEip = 0;
    this.starLo = this.starHi = this.fmaskLo = this.fmaskHi = 0;
    this.lstar = this.cstar = this.kernelGsBase = 0;
    this.tscOffset = 0;
    this.tscAuxHi = 0;
  }

  /** Recomputes the code/stack sizes from CS, SS and EFER.LMA (QEMU's cpu_x86_load_seg_cache hflags). */
  updateMode(): void {
    const cs = this.segFlags[R_CS];
    let code: number;
    if ((this.efer & EFER_LMA) !== 0 && (cs & DESC_L_MASK) !== 0) code = 8;
    else code = (this.cr0 & CR0_PE_MASK) !== 0 && (this.eflags & VM_MASK) === 0 && (cs & DESC_B_MASK) !== 0 ? 4 : 2;
    const stack = code === 8 ? 8 : (this.segFlags[R_SS] & DESC_B_MASK) !== 0 && (this.cr0 & CR0_PE_MASK) !== 0 ? 4 : 2;
    if (code !== this.codeSize) this.fetchGen++;
    this.codeSize = code;
    this.stackSize = stack;
  }

  /** cpu_x86_load_seg_cache */
  loadSegCache(seg: number, selector: number, base: number, limit: number, flags: number): void {
    this.segSelector[seg] = selector;
    this.segBase[seg] = base;
    this.segLimit[seg] = limit;
    this.segFlags[seg] = flags;
    if (seg === R_CS) this.fetchGen++;
    if (seg === R_CS || seg === R_SS) this.updateMode();
  }

  /** The 64-bit value of register r (tests, debugging and device models: never the hot path). */
  getReg64(r: number): bigint {
    return (BigInt(this.regs[2 * r + 1] >>> 0) << 32n) | BigInt(this.regs[2 * r] >>> 0);
  }

  setReg64(r: number, v: bigint): void {
    this.regs[2 * r] = Number(v & 0xffffffffn) | 0;
    this.regs[2 * r + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }
}
