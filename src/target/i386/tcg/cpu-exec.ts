/*
 * The execution loop of the software CPU (QEMU's cpu_exec for one vCPU).
 *
 * Instructions are decoded once and cached per physical code page (an Insn per page offset);
 * a write to a page holding cached code (through the CPU's slow store path or DMA) drops the
 * page's cache.  Each instruction runs through one switch on its Op: no closures, no
 * polymorphic calls, no allocation on the hot path.  Exceptions unwind with a sentinel and
 * leave RIP on the faulting instruction.
 */
import { Decoder, Insn, InsnTooLong, Op } from './decode.js';
import { TcgCpu, CPU_EXCEPTION, type CpuidFn, type TscFn } from './tcg-cpu.js';
import { SoftMMU } from './softmmu.js';
import {
  CPUX86State, R_EAX, R_ECX, R_EDX, R_EBX, R_CS, R_SS, R_ESP, DF_MASK, IF_MASK, IOPL_MASK, CC_C,
  EXCP0D_GPF, EXCP03_INT3, EXCP04_INTO, CR0_PE_MASK, VM_MASK, CC_O,
} from './cpu-state.js';
import { aluOp, incDec, neg, trunc } from './alu.js';
import { shiftOp, shiftDouble } from './shift.js';
import { mulAcc, imulTrunc, divAcc, mulx } from './muldiv.js';
import {
  btOp, bsfBsr, tzLzCnt, popcnt, bswap, byteSwap, andn, blsOp, bextr, bzhi, pdepPext, shiftX, rorx, adx,
} from './bitops.js';
import { stringOp } from './string.js';
import { loadSeg, jmpFar, callFar, retFar, iret, enter, leave, pusha, popa, pushf, popf, cpl } from './control.js';
import { segExec, checkIoBitmap } from './seg-exec.js';
import { aaa, aam, aad, daa, salc } from './bcd.js';
import {
  testCC, computeAll, computeC, cpuLoadEflags, CC_OP_ADD, CC_OP_ADC, CC_OP_SUB, CC_OP_SBB, CC_OP_LOGIC, CC_OP_INC, CC_OP_DEC,
} from './flags.js';
import { AddressSpace, TARGET_PAGE_BITS, TARGET_PAGE_MASK, TARGET_PAGE_SIZE } from '../../../exec/memory.js';
import type { IOPortSpace } from '../../../exec/ioport.js';
import { CodeCache } from './code-cache.js';
import { sysExec } from './misc-helper.js';
import { msrReset } from './msr.js';
import { hwbpRun } from './breakpoint.js';
import { qemuLoglevel, qemuLogMask, LOG_UNIMP } from '../../../util/log.js';

/** Why cpuExec() returned. */
export const EXIT_BUDGET = 0, EXIT_HLT = 1, EXIT_EXCEPTION = 2;


export interface X86TcgCpuOptions {
  as: AddressSpace;
  io: IOPortSpace;
  /** CPUID as computed by the CPU model: fills out[0..3] = EAX, EBX, ECX, EDX. */
  cpuid: CpuidFn;
  /** Virtual TSC: returns the low 32 bits, high half in out[0]. */
  rdtsc: TscFn;
  /** The CPUID feature words the model advertises (gates POPCNT, BMI, ...). */
  features: Readonly<Record<string, number>>;
}

export class X86TcgCpu {
  readonly env = new CPUX86State();
  readonly mmu: SoftMMU;
  readonly c: TcgCpu;
  private readonly decoder: Decoder;
  /** The decode cache, shared with the other vCPUs of this address space. */
  readonly code: CodeCache;
  private readonly scratchInsn = new Insn();
  /** Instructions executed so far (for icount-style clocks and benchmarks). */
  icount = 0;
  /**
   * cpu_exit(): set together with an env.fetchGen bump, so the loop's existing generation check
   * sees it and run() returns EXIT_BUDGET before the next instruction.
   */
  exitRequest = false;
  /**
   * While set, run() also returns as soon as IF becomes 1 (an interrupt is pending and waits
   * for the window).  STI, POPF and IRET bump env.fetchGen when they set IF, so the check sits
   * in the generation test and costs nothing otherwise.
   */
  watchIf = false;

  constructor(opts: X86TcgCpuOptions) {
    this.mmu = new SoftMMU(opts.as, this.env, opts.features);
    this.c = new TcgCpu(this.env, this.mmu, opts.io, opts.cpuid, opts.rdtsc, opts.features);
    this.decoder = new Decoder(this.mmu);
    this.code = CodeCache.of(opts.as);
    this.code.attach(this.env, this.mmu);
    msrReset(this.c);
  }

  /** Drops every cached decode of the address space (e.g. at reset). */
  flushCode(): void {
    this.code.flush();
    this.mmu.tlbFlush();
  }

  /**
   * Runs up to `budget` instructions (a REP chunk counts as one).  Returns EXIT_BUDGET,
   * EXIT_HLT (RIP after the HLT) or EXIT_EXCEPTION (env.exception_index/error_code set, RIP at
   * the faulting instruction; for software interrupts env.exception_next_rip is the return RIP).
   */
  run(budget: number): number {
    const env = this.env;
    const c = this.c;
    const mmu = this.mmu;
    if (env.hwbpActive !== 0 && budget > 1) return hwbpRun(this, budget); // debug registers armed
    mmu.checkMapChange();
    let page: Insn[] | null = null;
    /** RIP at which the current code page starts (NaN = none): a page hit is one subtraction. */
    let pageRip = NaN;
    let n = 0;
    let gen = env.fetchGen;
    let csBase = env.segBase[R_CS];
    /* The last instruction executed from the decode cache and its fall-through RIP. */
    let prev: Insn | null = null;
    let prevNext = NaN;
    try {
      for (; n < budget; n++) {
        if (gen !== env.fetchGen) {
          if (env.hwbpActive !== 0 && budget > 1) break; // breakpoints armed: continue in hwbpRun
          if (this.exitRequest || (this.watchIf && (env.eflags & IF_MASK) !== 0)) break;
          gen = env.fetchGen;
          csBase = env.segBase[R_CS];
          pageRip = NaN;
          prev = null;
        }
        const rip = env.rip;
        let insn: Insn | undefined;
        // Links are shared by all vCPUs, so the followed record must be of this vCPU's mode.
        if (prev !== null && rip === prevNext && prev.next !== null && prev.next.mode === env.codeSize) {
          insn = prev.next; // fall-through on the same page: no lookup
        } else if (prev !== null && rip === prev.altRip && rip - pageRip < TARGET_PAGE_SIZE && rip >= pageRip &&
          prev.alt!.mode === env.codeSize) {
          // The branch target seen last time, on the same page.  The target must lie in the
          // current linear page: the same RIP may map elsewhere now (another CR3, an alias).
          insn = prev.alt!;
        } else {
          const mode = env.codeSize;
          let off: number = rip - pageRip;
          if (!(off >= 0 && off < TARGET_PAGE_SIZE)) {
            const lin = mode === 8 ? rip : (csBase + rip) >>> 0;
            off = lin & TARGET_PAGE_MASK;
            page = this.codePage(lin);
            pageRip = page === null ? NaN : rip - off;
            prev = null;
          }
          insn = page === null ? undefined : page[off | 0];
          if (insn === undefined || insn.mode !== mode) {
            insn = this.decodeAt(rip, mode, page, off);
            if (page === null || page[off | 0] !== insn) prev = null; // not cached: never link to it
          }
          if (prev !== null) {
            if (rip === prevNext) prev.next = insn;
            else {
              prev.alt = insn;
              prev.altRip = rip;
            }
          }
        }
        const mode = insn.mode;
        const next = rip + insn.len;
        c.nextRip = mode === 8 ? next : mode === 4 ? next >>> 0 : next & 0xffff;
        prev = insn;
        prevNext = c.nextRip;
        if (this.exec(insn)) {
          env.rip = c.nextRip;
        } else if (insn.op === Op.HLT || insn.op === Op.SYS) { // (MWAIT halts too)
          env.rip = c.nextRip;
          this.icount += n + 1;
          env.halted = true;
          return EXIT_HLT;
        }
        // else: a REP string instruction that still has work: RIP stays on it.
      }
    } catch (e) {
      this.icount += n;
      if (e === CPU_EXCEPTION) return EXIT_EXCEPTION;
      throw e;
    }
    this.icount += n;
    return EXIT_BUDGET;
  }

  private pageIndex = 0;

  /** The decode cache for the RAM page holding linear address `lin`, or null if not RAM. */
  private codePage(lin: number): Insn[] | null {
    const host = this.mmu.codePageHost(lin);
    if (host < 0) return null;
    const p = host >>> TARGET_PAGE_BITS;
    this.pageIndex = p;
    return this.code.page(p);
  }

  private decodeAt(rip: number, mode: number, page: Insn[] | null, off: number): Insn {
    const cacheable = page !== null;
    const insn = cacheable ? new Insn() : this.scratchInsn;
    try {
      this.decoder.decode(insn, this.env.segBase[R_CS], rip, mode);
    } catch (e) {
      if (e instanceof InsnTooLong) this.c.raise(EXCP0D_GPF, 0);
      throw e;
    }
    if (cacheable && off + insn.len <= TARGET_PAGE_SIZE && this.code.pages[this.pageIndex] === page) page[off] = insn;
    return insn;
  }

  /** Executes one decoded instruction; returns false if RIP must not advance (HLT, unfinished REP). */
  private exec(insn: Insn): boolean {
    const c = this.c;
    const env = this.env;
    const size = insn.size;
    switch (insn.op) {
      case Op.ALU_EG: {
        if (insn.mod === 3) {
          if (size === 4) return alu32(env, insn.sub, insn.rm << 1, env.regs[insn.reg << 1]);
          if (size === 8) return alu64(env, insn.sub, insn.rm << 1, env.regs[insn.reg << 1], env.regs[(insn.reg << 1) + 1]);
        }
        const b = c.getReg(size, insn.reg), bHi = c.hi;
        const a = c.readE(insn, size), aHi = c.hi;
        const r = aluOp(c, insn.sub, size, a, aHi, b, bHi);
        if (insn.sub < 7) c.writeE(insn, size, r, c.hi);
        return true;
      }
      case Op.ALU_GE: {
        if (size === 4) return alu32(env, insn.sub, insn.reg << 1, c.readE(insn, 4));
        const b = c.readE(insn, size), bHi = c.hi;
        const a = c.getReg(size, insn.reg), aHi = c.hi;
        const r = aluOp(c, insn.sub, size, a, aHi, b, bHi);
        if (insn.sub < 7) c.setReg(size, insn.reg, r, c.hi);
        return true;
      }
      case Op.ALU_EI: {
        if (insn.mod === 3) {
          if (size === 4) return alu32(env, insn.sub, insn.rm << 1, insn.imm);
          if (size === 8) return alu64(env, insn.sub, insn.rm << 1, insn.imm, insn.immHi);
        }
        const a = c.readE(insn, size), aHi = c.hi;
        const r = aluOp(c, insn.sub, size, a, aHi, insn.imm, insn.immHi);
        if (insn.sub < 7) c.writeE(insn, size, r, c.hi);
        return true;
      }
      case Op.MOV_EG: {
        if (size === 4 && insn.mod !== 3) {
          c.mmu.st32(c.ea(insn), env.regs[insn.reg << 1]);
          return true;
        }
        const v = c.getReg(size, insn.reg), vHi = c.hi;
        if (insn.mod !== 3) c.ea(insn);
        c.writeE(insn, size, v, vHi);
        return true;
      }
      case Op.MOV_GE: {
        if (size === 4) {
          const v = insn.mod === 3 ? env.regs[insn.rm << 1] : c.mmu.ld32(c.ea(insn));
          env.regs[insn.reg << 1] = v;
          env.regs[(insn.reg << 1) + 1] = 0;
          return true;
        }
        const v = c.readE(insn, size);
        c.setReg(size, insn.reg, v, c.hi);
        return true;
      }
      case Op.MOV_EI:
        if (insn.mod !== 3) c.ea(insn);
        c.writeE(insn, size, insn.imm, insn.immHi);
        return true;
      case Op.LEA: {
        const v = this.leaOffset(insn);
        c.setReg(size, insn.reg, v, c.hi);
        return true;
      }
      case Op.INCDEC: {
        if (size === 4 && insn.mod === 3) {
          const i = insn.rm << 1;
          env.cc_src = computeC(env);
          const r = (env.regs[i] + (insn.sub === 1 ? -1 : 1)) | 0;
          env.cc_op = (insn.sub === 1 ? CC_OP_DEC : CC_OP_INC) + 2;
          env.cc_dst = r;
          env.regs[i] = r;
          env.regs[i + 1] = 0;
          return true;
        }
        const a = c.readE(insn, size), aHi = c.hi;
        const r = incDec(c, insn.sub === 1, size, a, aHi);
        c.writeE(insn, size, r, c.hi);
        return true;
      }
      case Op.PUSH_R: {
        if (size === 8 && env.stackSize === 8) {
          const regs = env.regs;
          const sl = regs[R_ESP << 1], sh = regs[(R_ESP << 1) + 1];
          if (sh === 0 && sl >= 8) { // the common case: a stack below 2 GiB, no borrow
            const a = sl - 8;
            c.mmu.st32(a, regs[insn.rm << 1]);
            c.mmu.st32(a + 4, regs[(insn.rm << 1) + 1]);
            regs[R_ESP << 1] = a;
            return true;
          }
        }
        const v = c.getReg(size, insn.rm);
        c.push(size, v, c.hi);
        return true;
      }
      case Op.POP_R: {
        if (size === 8 && env.stackSize === 8) {
          const regs = env.regs;
          const sl = regs[R_ESP << 1], sh = regs[(R_ESP << 1) + 1];
          if (sh === 0 && sl >= 0 && sl <= 0x7ffffff0) {
            const lo = c.mmu.ld32(sl), hi = c.mmu.ld32(sl + 4);
            regs[R_ESP << 1] = sl + 8;
            regs[insn.rm << 1] = lo;
            regs[(insn.rm << 1) + 1] = hi;
            return true;
          }
        }
        const v = c.pop(size);
        c.setReg(size, insn.rm, v, c.hi);
        return true;
      }
      case Op.PUSH_I:
        c.push(size, insn.imm, insn.immHi);
        return true;
      case Op.JCC:
        if (testCC(env, insn.sub)) {
          if (insn.size === 8) {
            const t = c.nextRip + insn.imm;
            if (t < 0x800000000000 && t >= -0x800000000000) c.nextRip = t;
            else this.jumpRel(insn);
          } else this.jumpRel(insn);
        }
        return true;
      case Op.JMP:
        this.jumpRel(insn);
        return true;
      case Op.CALL: {
        const ret = c.nextRip;
        this.jumpRel(insn);
        this.pushRip(size, ret);
        return true;
      }
      case Op.RET: {
        const lo = c.peek(size, 0), hi = c.hi;
        const target = c.branchTarget(size, lo, hi);
        c.adjustSp(size + insn.imm);
        c.nextRip = target;
        return true;
      }
      case Op.SHIFT: {
        const a = c.readE(insn, size), aHi = c.hi;
        const count = insn.countCL ? env.regs[R_ECX << 1] & 0xff : insn.imm;
        const r = shiftOp(c, insn.sub, size, a, aHi, count);
        // A zero count still writes a 32-bit register (zero-extending it); memory is left alone.
        if ((count & (size === 8 ? 63 : 31)) !== 0 || (size === 4 && insn.mod === 3)) c.writeE(insn, size, r, c.hi);
        return true;
      }
      case Op.MOVZX: {
        const v = c.readE(insn, insn.sub);
        c.setReg(size, insn.reg, v, 0);
        return true;
      }
      case Op.MOVSX: {
        let v = c.readE(insn, insn.sub);
        v = insn.sub === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
        c.setReg(size, insn.reg, size === 2 ? v & 0xffff : v, v >> 31);
        return true;
      }
      case Op.XCHG: {
        const a = c.readE(insn, size), aHi = c.hi;
        const b = c.getReg(size, insn.reg), bHi = c.hi;
        c.writeE(insn, size, b, bHi);
        c.setReg(size, insn.reg, a, aHi);
        return true;
      }
      case Op.CMOV: {
        const v = c.readE(insn, size), vHi = c.hi;
        if (!c.hasCmov) c.ud();
        if (testCC(env, insn.sub)) c.setReg(size, insn.reg, v, vHi);
        else if (size === 4) env.regs[(insn.reg << 1) + 1] = 0;
        return true;
      }
      case Op.SETCC:
        if (insn.mod !== 3) c.ea(insn);
        c.writeE(insn, 1, testCC(env, insn.sub) ? 1 : 0, 0);
        return true;
      case Op.NOP:
        return true;
      case Op.STOS: case Op.MOVS: case Op.LODS: case Op.CMPS: case Op.SCAS:
        return stringOp(c, insn);
      case Op.CALL_E: {
        const lo = c.readE(insn, size), hi = c.hi;
        const target = c.branchTarget(size, lo, hi);
        this.pushRip(size, c.nextRip);
        c.nextRip = target;
        return true;
      }
      case Op.JMP_E: {
        const lo = c.readE(insn, size), hi = c.hi;
        c.nextRip = c.branchTarget(size, lo, hi);
        return true;
      }
      default:
        return this.execOther(insn);
    }
  }

  /**
   * gen_unknown_opcode()'s -d unimp line: "ILLOPC: <linear pc>: <bytes>".  UD2 and UD1 are
   * meant to fault and are not logged, as in QEMU.
   */
  private logUnknownOpcode(insn: Insn): void {
    const env = this.env;
    const pc = env.codeSize === 8 ? env.rip : (env.segBase[R_CS] + env.rip) >>> 0;
    const b0 = this.mmu.ld8(pc), b1 = insn.len > 1 ? this.mmu.ld8(pc + 1) : -1;
    if (b0 === 0x0f && (b1 === 0x0b || b1 === 0xb9)) return;
    let line = `ILLOPC: ${pc.toString(16).padStart(16, '0')}:`;
    for (let i = 0; i < insn.len; i++) line += ` ${this.mmu.ld8(pc + i).toString(16).padStart(2, '0')}`;
    qemuLogMask(LOG_UNIMP, `${line}\n`);
  }

  /** Less frequent instructions (kept out of exec() so that stays small enough to optimise). */
  private execOther(insn: Insn): boolean {
    const c = this.c;
    const env = this.env;
    const regs = env.regs;
    const size = insn.size;
    switch (insn.op) {
      case Op.UD:
        if ((qemuLoglevel & LOG_UNIMP) !== 0) this.logUnknownOpcode(insn);
        return c.ud();
      case Op.SYS: return sysExec(c, insn);
      case Op.NOT: {
        const a = c.readE(insn, size), aHi = c.hi;
        c.writeE(insn, size, ~a, ~aHi);
        return true;
      }
      case Op.NEG: {
        const a = c.readE(insn, size), aHi = c.hi;
        const r = neg(c, size, a, aHi);
        c.writeE(insn, size, r, c.hi);
        return true;
      }
      case Op.MUL: case Op.IMUL1: {
        const v = c.readE(insn, size);
        mulAcc(c, insn.op === Op.IMUL1, size, v, c.hi);
        return true;
      }
      case Op.DIV: case Op.IDIV: {
        const v = c.readE(insn, size);
        divAcc(c, insn.op === Op.IDIV, size, v, c.hi);
        return true;
      }
      case Op.IMUL2: {
        const b = c.readE(insn, size), bHi = c.hi;
        const a = c.getReg(size, insn.reg), aHi = c.hi;
        const r = imulTrunc(c, size, a, aHi, b, bHi);
        c.setReg(size, insn.reg, r, c.hi);
        return true;
      }
      case Op.IMUL3: {
        const a = c.readE(insn, size), aHi = c.hi;
        const r = imulTrunc(c, size, a, aHi, insn.imm, insn.immHi);
        c.setReg(size, insn.reg, r, c.hi);
        return true;
      }
      case Op.MOVSXD: {
        const v = c.readE(insn, size === 8 ? 4 : size);
        c.setReg(size, insn.reg, v, v >> 31);
        return true;
      }
      case Op.PUSH_E: {
        const v = c.readE(insn, size);
        c.push(size, v, c.hi);
        return true;
      }
      case Op.POP_E: {
        const v = c.peek(size, 0), vHi = c.hi;
        const sp = regs[R_ESP << 1], spHi = regs[(R_ESP << 1) + 1];
        c.adjustSp(size);
        try {
          if (insn.mod !== 3) c.ea(insn);
          c.writeE(insn, size, v, vHi);
        } catch (e) {
          regs[R_ESP << 1] = sp;
          regs[(R_ESP << 1) + 1] = spHi;
          throw e;
        }
        return true;
      }
      case Op.PUSH_SEG:
        c.push(size, env.segSelector[insn.sub], 0);
        return true;
      case Op.POP_SEG: {
        const v = c.peek(size, 0);
        loadSeg(c, insn.sub, v);
        c.adjustSp(size);
        if (insn.sub === R_SS) this.inhibitIrq();
        return true;
      }
      case Op.MOV_E_SEG: {
        const sel = env.segSelector[insn.sub];
        if (insn.mod === 3) c.setReg(size, insn.rm, sel, 0);
        else c.store(2, c.ea(insn), sel, 0);
        return true;
      }
      case Op.MOV_SEG_E:
        loadSeg(c, insn.sub, c.readE(insn, 2));
        if (insn.sub === R_SS) this.inhibitIrq();
        return true;
      case Op.LFP: {
        const addr = c.ea(insn);
        const off = c.load(size === 8 ? 8 : size, addr), offHi = c.hi;
        const sel = c.load(2, c.addrAdd(addr, size));
        loadSeg(c, insn.sub, sel);
        c.setReg(size, insn.reg, off, offHi);
        return true;
      }
      case Op.PUSHA:
        pusha(c, size);
        return true;
      case Op.POPA:
        popa(c, size);
        return true;
      case Op.PUSHF:
        if ((env.eflags & VM_MASK) !== 0 && (env.eflags & IOPL_MASK) !== IOPL_MASK) c.raise(EXCP0D_GPF, 0);
        pushf(c, size);
        return true;
      case Op.POPF:
        popf(c, size);
        return true;
      case Op.SAHF: case Op.LAHF: {
        if (env.codeSize === 8 && !c.hasLahf64) c.ud();
        const mask = 0xd5; // SF ZF AF PF CF
        if (insn.op === Op.LAHF) c.setReg(1, 16 + R_EAX, (computeAll(env) & mask) | 2, 0);
        else cpuLoadEflags(env, (regs[R_EAX << 1] >> 8) & mask, mask);
        return true;
      }
      case Op.CBW: {
        if (size === 2) c.setReg(2, R_EAX, (regs[0] << 24) >> 24, 0);
        else if (size === 4) c.setReg(4, R_EAX, (regs[0] << 16) >> 16, 0);
        else regs[1] = regs[0] >> 31;
        return true;
      }
      case Op.CWD: {
        if (size === 2) c.setReg(2, R_EDX, (regs[0] << 16) >> 31, 0);
        else if (size === 4) c.setReg(4, R_EDX, regs[0] >> 31, 0);
        else c.setReg(8, R_EDX, regs[1] >> 31, regs[1] >> 31);
        return true;
      }
      case Op.MOV_A_MOFFS: case Op.MOV_MOFFS_A: {
        const off = insn.asize === 8 ? insn.imm2 * 4294967296 + (insn.disp >>> 0) : insn.asize === 4 ? insn.disp >>> 0 : insn.disp & 0xffff;
        const seg = insn.seg;
        if (env.codeSize !== 8 && env.segFlags[seg] === 0) c.nullSeg(seg);
        const lin = env.codeSize === 8 ? c.canonical(seg >= 4 ? env.segBase[seg] + off : off) : (env.segBase[seg] + off) >>> 0;
        if (insn.op === Op.MOV_A_MOFFS) {
          const v = c.load(size, lin);
          c.setReg(size, R_EAX, v, c.hi);
        } else {
          const v = c.getReg(size, R_EAX);
          c.store(size, lin, v, c.hi);
        }
        return true;
      }
      case Op.ENTER:
        enter(c, size, insn.imm, insn.imm2);
        return true;
      case Op.LEAVE:
        leave(c, size);
        return true;
      case Op.LOOP: {
        const asize = insn.asize;
        if (insn.sub === 3) {
          const zero = asize === 8 ? (regs[R_ECX << 1] | regs[(R_ECX << 1) + 1]) === 0 : asize === 4 ? regs[R_ECX << 1] === 0 : (regs[R_ECX << 1] & 0xffff) === 0;
          if (zero) this.jumpRel(insn);
          return true;
        }
        let zero: boolean;
        if (asize === 8) {
          const l = regs[R_ECX << 1];
          regs[R_ECX << 1] = (l - 1) | 0;
          if (l === 0) regs[(R_ECX << 1) + 1] = (regs[(R_ECX << 1) + 1] - 1) | 0;
          zero = (regs[R_ECX << 1] | regs[(R_ECX << 1) + 1]) === 0;
        } else if (asize === 4) {
          regs[R_ECX << 1] = (regs[R_ECX << 1] - 1) | 0;
          if (env.codeSize === 8) regs[(R_ECX << 1) + 1] = 0;
          zero = regs[R_ECX << 1] === 0;
        } else {
          regs[R_ECX << 1] = (regs[R_ECX << 1] & ~0xffff) | ((regs[R_ECX << 1] - 1) & 0xffff);
          zero = (regs[R_ECX << 1] & 0xffff) === 0;
        }
        let take = !zero;
        if (insn.sub === 0) take = take && (computeAll(env) & 0x40) === 0;
        else if (insn.sub === 1) take = take && (computeAll(env) & 0x40) !== 0;
        if (take) this.jumpRel(insn);
        return true;
      }
      case Op.IN: case Op.OUT: {
        const port = insn.sub === 1 ? regs[R_EDX << 1] & 0xffff : insn.imm;
        this.checkIo(port, size);
        if (insn.op === Op.IN) c.setReg(size, R_EAX, c.io.read(port, size), 0);
        else c.io.write(port, c.getReg(size, R_EAX), size);
        return true;
      }
      case Op.INS: case Op.OUTS:
        this.checkIo(regs[R_EDX << 1] & 0xffff, size);
        return stringOp(c, insn);
      case Op.XLAT: {
        const al = regs[0] & 0xff;
        const base = insn.asize === 8 ? c.getReg(8, R_EBX) : c.getReg(insn.asize, R_EBX);
        let lin: number;
        if (insn.asize === 8) lin = c.canonical(c.hi * 4294967296 + (base >>> 0) + al + (insn.seg >= 4 ? env.segBase[insn.seg] : 0));
        else {
          const off = insn.asize === 4 ? (base + al) >>> 0 : (base + al) & 0xffff;
          if (env.codeSize !== 8 && env.segFlags[insn.seg] === 0) c.nullSeg(insn.seg);
          lin = env.codeSize === 8 ? (insn.seg >= 4 ? c.canonical(env.segBase[insn.seg] + off) : off) : (env.segBase[insn.seg] + off) >>> 0;
        }
        c.setReg(1, R_EAX, c.load(1, lin), 0);
        return true;
      }
      case Op.HLT:
        if (cpl(c) !== 0) c.raise(EXCP0D_GPF, 0);
        return false;
      case Op.CMC:
        c.setFlags(computeAll(env) ^ CC_C);
        return true;
      case Op.FLAGOP:
        switch (insn.sub) {
          case 0: c.setFlags(computeAll(env) & ~CC_C); break;
          case 1: c.setFlags(computeAll(env) | CC_C); break;
          case 2: case 3:
            if (!this.ioplOk()) c.raise(EXCP0D_GPF, 0);
            if (insn.sub === 2) env.eflags &= ~IF_MASK;
            else {
              if ((env.eflags & IF_MASK) === 0) env.fetchGen++;
              env.eflags |= IF_MASK;
              this.inhibitIrq();
            }
            break;
          case 4: env.eflags &= ~DF_MASK; break;
          default: env.eflags |= DF_MASK; break;
        }
        return true;
      case Op.JMPF_AP:
        jmpFar(c, insn.imm2, size === 4 ? insn.imm >>> 0 : insn.imm & 0xffff);
        return true;
      case Op.CALLF_AP:
        callFar(c, size, insn.imm2, size === 4 ? insn.imm >>> 0 : insn.imm & 0xffff);
        return true;
      case Op.JMPF_E: case Op.CALLF_E: {
        const addr = c.ea(insn);
        const lo = c.load(size, addr), hi = c.hi;
        const sel = c.load(2, c.addrAdd(addr, size));
        const off = size === 8 ? c.branchTarget(8, lo, hi) : size === 4 ? lo >>> 0 : lo & 0xffff;
        if (insn.op === Op.JMPF_E) jmpFar(c, sel, off);
        else callFar(c, size, sel, off);
        return true;
      }
      case Op.RETF:
        retFar(c, env.codeSize === 8 && size === 8 ? 8 : size, insn.imm);
        return true;
      case Op.IRET:
        iret(c, size);
        return true;
      case Op.INT3:
        return this.softInt(EXCP03_INT3);
      case Op.INT:
        if ((env.eflags & VM_MASK) !== 0 && (env.eflags & IOPL_MASK) !== IOPL_MASK) c.raise(EXCP0D_GPF, 0);
        return this.softInt(insn.imm);
      case Op.INTO:
        if ((computeAll(env) & CC_O) !== 0) return this.softInt(EXCP04_INTO);
        return true;
      case Op.INT1:
        // QEMU 7.2 TCG builds without WANT_ICEBP: ICEBP (F1) is an invalid opcode there.
        return c.ud();
      case Op.AAA: aaa(c, false); return true;
      case Op.AAS: aaa(c, true); return true;
      case Op.DAA: daa(c, false); return true;
      case Op.DAS: daa(c, true); return true;
      case Op.AAM: aam(c, insn.imm); return true;
      case Op.AAD: aad(c, insn.imm); return true;
      case Op.SALC: salc(c); return true;
      case Op.CPUID: {
        const out = c.scratch;
        c.cpuidFn(regs[R_EAX << 1] >>> 0, regs[R_ECX << 1] >>> 0, out);
        c.setReg(4, R_EAX, out[0], 0);
        c.setReg(4, R_EBX, out[1], 0);
        c.setReg(4, R_ECX, out[2], 0);
        c.setReg(4, R_EDX, out[3], 0);
        return true;
      }
      case Op.RDTSC: case Op.RDTSCP: {
        if (insn.op === Op.RDTSCP && !c.hasRdtscp) c.ud();
        if ((env.cr4 & 4) !== 0 && cpl(c) !== 0) c.raise(EXCP0D_GPF, 0); // CR4.TSD
        const lo = c.tscFn(c.scratch);
        c.setReg(4, R_EAX, lo, 0);
        c.setReg(4, R_EDX, c.scratch[0], 0);
        if (insn.op === Op.RDTSCP) c.setReg(4, R_ECX, env.tscAux, 0);
        return true;
      }
      case Op.BT_EG: {
        const off = c.getReg(size, insn.reg), offHi = c.hi;
        btOp(c, insn, insn.sub, size, off, offHi, true);
        return true;
      }
      case Op.BT_EI:
        btOp(c, insn, insn.sub, size, insn.imm, 0, false);
        return true;
      case Op.SHLD: case Op.SHRD: {
        const a = c.readE(insn, size), aHi = c.hi;
        const b = c.getReg(size, insn.reg), bHi = c.hi;
        const count = insn.countCL ? regs[R_ECX << 1] & 0xff : insn.imm;
        const r = shiftDouble(c, insn.op === Op.SHLD, size, a, aHi, b, bHi, count);
        if ((count & (size === 8 ? 63 : 31)) !== 0 || (size === 4 && insn.mod === 3)) c.writeE(insn, size, r, c.hi);
        return true;
      }
      case Op.CMPXCHG: {
        const d = c.readE(insn, size), dHi = c.hi;
        const a = c.getReg(size, R_EAX), aHi = c.hi;
        aluOp(c, 7, size, a, aHi, d, dHi);
        if (size === 8 ? a === d && aHi === dHi : trunc(size, a) === trunc(size, d)) {
          const s = c.getReg(size, insn.reg);
          c.writeE(insn, size, s, c.hi);
        } else {
          if (insn.mod !== 3) c.writeE(insn, size, d, dHi); // a locked access always writes
          c.setReg(size, R_EAX, d, dHi);
        }
        return true;
      }
      case Op.CMPXCHG8B:
        return this.cmpxchg8b16b(insn);
      case Op.XADD: {
        const d = c.readE(insn, size), dHi = c.hi;
        const s = c.getReg(size, insn.reg), sHi = c.hi;
        const r = aluOp(c, 0, size, d, dHi, s, sHi), rHi = c.hi;
        if (insn.mod !== 3) {
          c.writeE(insn, size, r, rHi);
          c.setReg(size, insn.reg, d, dHi);
        } else {
          c.setReg(size, insn.reg, d, dHi);
          c.writeE(insn, size, r, rHi);
        }
        return true;
      }
      case Op.BSF: case Op.BSR: {
        const v = c.readE(insn, size);
        bsfBsr(c, insn, insn.op === Op.BSR, size, v, c.hi);
        return true;
      }
      case Op.TZCNT: {
        const v = c.readE(insn, size);
        if (c.hasBmi1) tzLzCnt(c, insn, false, size, v, c.hi);
        else bsfBsr(c, insn, false, size, v, c.hi);
        return true;
      }
      case Op.LZCNT: {
        const v = c.readE(insn, size);
        if (c.hasLzcnt) tzLzCnt(c, insn, true, size, v, c.hi);
        else bsfBsr(c, insn, true, size, v, c.hi);
        return true;
      }
      case Op.POPCNT: {
        if (!c.hasPopcnt) c.ud();
        const v = c.readE(insn, size);
        popcnt(c, insn, size, v, c.hi);
        return true;
      }
      case Op.BSWAP:
        bswap(c, insn);
        return true;
      case Op.MOVBE_LOAD: case Op.MOVBE_STORE: {
        if (!c.hasMovbe) c.ud();
        if (insn.op === Op.MOVBE_LOAD) {
          const v = c.readE(insn, size), vHi = c.hi;
          if (size === 8) c.setReg(8, insn.reg, byteSwap(4, vHi), byteSwap(4, v));
          else c.setReg(size, insn.reg, byteSwap(size, v), 0);
        } else {
          const v = c.getReg(size, insn.reg), vHi = c.hi;
          c.ea(insn);
          if (size === 8) c.writeE(insn, 8, byteSwap(4, vHi), byteSwap(4, v));
          else c.writeE(insn, size, byteSwap(size, v), 0);
        }
        return true;
      }
      case Op.ADCX: case Op.ADOX: {
        if (!c.hasAdx) c.ud();
        const v = c.readE(insn, size);
        adx(c, insn, insn.op === Op.ADOX, size, v, c.hi);
        return true;
      }
      case Op.ANDN: case Op.BLSR: case Op.BLSMSK: case Op.BLSI: case Op.BEXTR: {
        if (!c.hasBmi1) c.ud();
        const v = c.readE(insn, size), vHi = c.hi;
        if (insn.op === Op.ANDN) andn(c, insn, size, v, vHi);
        else if (insn.op === Op.BEXTR) bextr(c, insn, size, v, vHi);
        else blsOp(c, insn, insn.op === Op.BLSR ? 1 : insn.op === Op.BLSMSK ? 2 : 3, size, v, vHi);
        return true;
      }
      case Op.BZHI: case Op.PDEP: case Op.PEXT: case Op.MULX: case Op.SHLX: case Op.SARX: case Op.SHRX: case Op.RORX: {
        if (!c.hasBmi2) c.ud();
        const v = c.readE(insn, size), vHi = c.hi;
        switch (insn.op) {
          case Op.BZHI: bzhi(c, insn, size, v, vHi); break;
          case Op.PDEP: pdepPext(c, insn, true, size, v, vHi); break;
          case Op.PEXT: pdepPext(c, insn, false, size, v, vHi); break;
          case Op.MULX: mulx(c, size, v, vHi, insn.reg, insn.vreg); break;
          case Op.SHLX: shiftX(c, insn, 0, size, v, vHi); break;
          case Op.SARX: shiftX(c, insn, 1, size, v, vHi); break;
          case Op.SHRX: shiftX(c, insn, 2, size, v, vHi); break;
          default: rorx(c, insn, size, v, vHi);
        }
        return true;
      }
      case Op.SEG: return segExec(c, insn);
      case Op.CLFLUSH:
        if (!c.hasClflush) c.ud();
        c.ea(insn);
        return true;
    }
    throw new Error(`tcg: unhandled op ${insn.op}`);
  }

  /** Near relative jump: nextRip + imm, truncated to the operand size. */
  private jumpRel(insn: Insn): void {
    const c = this.c;
    const t = c.nextRip + insn.imm;
    if (insn.size === 8) c.nextRip = c.canonical(t);
    else c.nextRip = insn.size === 4 ? t >>> 0 : t & 0xffff;
  }

  private pushRip(size: number, rip: number): void {
    const lo = rip >>> 0;
    this.c.push(size, lo | 0, size === 8 ? ((rip - lo) / 4294967296) | 0 : 0);
  }

  /** LEA: the effective address without segment base, truncated to address then operand size. */
  private leaOffset(insn: Insn): number {
    const c = this.c;
    const regs = this.env.regs;
    if (insn.asize !== 8) {
      let a = insn.disp;
      if (insn.base >= 0) a += regs[insn.base << 1];
      if (insn.index >= 0) a += insn.asize === 2 ? regs[insn.index << 1] : regs[insn.index << 1] << insn.scale;
      if (insn.ripRel) a += c.nextRip;
      c.hi = 0;
      return insn.asize === 2 ? a & 0xffff : a | 0;
    }
    let lo = insn.disp >>> 0;
    let hi = insn.disp >> 31;
    if (insn.ripRel) {
      const r = c.nextRip;
      const rl = r >>> 0;
      lo += rl;
      hi += (r - rl) / 4294967296;
    }
    if (insn.base >= 0) { lo += regs[insn.base << 1] >>> 0; hi += regs[(insn.base << 1) + 1]; }
    if (insn.index >= 0) {
      const sc = 1 << insn.scale;
      lo += (regs[insn.index << 1] >>> 0) * sc;
      hi += regs[(insn.index << 1) + 1] * sc;
    }
    const carry = Math.floor(lo / 4294967296);
    c.hi = (hi + carry) | 0;
    return (lo - carry * 4294967296) | 0;
  }

  private ioplOk(): boolean {
    const env = this.env;
    if ((env.cr0 & CR0_PE_MASK) === 0) return true;
    return cpl(this.c) <= (env.eflags & IOPL_MASK) >> 12;
  }

  /** I/O permission: CPL <= IOPL, else the TSS I/O permission bitmap (QEMU's check_io). */
  private checkIo(port: number, size: number): void {
    const env = this.env;
    if ((env.cr0 & CR0_PE_MASK) !== 0 && ((env.eflags & VM_MASK) !== 0 || !this.ioplOk())) checkIoBitmap(this.c, port, size);
  }

  /** INT n / INT3 / INTO / INT1: reported as a trap-like exception with the return RIP. */
  private softInt(vector: number): boolean {
    const env = this.env;
    env.exception_is_int = true;
    env.exception_next_rip = this.c.nextRip;
    env.exception_index = vector;
    env.error_code = 0;
    throw CPU_EXCEPTION;
  }

  /**
   * STI, MOV SS, POP SS: no interrupt before the next instruction completes (see
   * CPUX86State.inhibitIrq).  As in QEMU, when several such instructions follow each other only
   * the first opens a shadow: one inside the shadow closes it.
   */
  private inhibitIrq(): void {
    const env = this.env;
    if (env.inhibitIrq && env.inhibitIrqRip === env.rip) {
      env.inhibitIrq = false;
      return;
    }
    env.inhibitIrq = true;
    env.inhibitIrqRip = this.c.nextRip;
  }

  private cmpxchg8b16b(insn: Insn): boolean {
    const c = this.c;
    const env = this.env;
    const regs = env.regs;
    if (insn.size === 16) {
      if (!c.hasCx16) c.ud();
      const addr = c.ea(insn);
      if (addr % 16 !== 0) c.raise(EXCP0D_GPF, 0);
      const m0 = c.load(8, addr), m0Hi = c.hi;
      const m1 = c.load(8, addr + 8), m1Hi = c.hi;
      const eq = m0 === regs[R_EAX << 1] && m0Hi === regs[(R_EAX << 1) + 1] && m1 === regs[R_EDX << 1] && m1Hi === regs[(R_EDX << 1) + 1];
      let f = computeAll(env) & ~0x40;
      if (eq) {
        c.store(8, addr, regs[R_EBX << 1], regs[(R_EBX << 1) + 1]);
        c.store(8, addr + 8, regs[R_ECX << 1], regs[(R_ECX << 1) + 1]);
        f |= 0x40;
      } else {
        c.store(8, addr, m0, m0Hi);
        c.store(8, addr + 8, m1, m1Hi);
        c.setReg(8, R_EAX, m0, m0Hi);
        c.setReg(8, R_EDX, m1, m1Hi);
      }
      c.setFlags(f);
      return true;
    }
    if (!c.hasCx8) c.ud();
    const addr = c.ea(insn);
    const lo = c.load(4, addr), hi = c.load(4, c.addrAdd(addr, 4));
    let f = computeAll(env) & ~0x40;
    if (lo === regs[R_EAX << 1] && hi === regs[R_EDX << 1]) {
      c.store(4, addr, regs[R_EBX << 1], 0);
      c.store(4, c.addrAdd(addr, 4), regs[R_ECX << 1], 0);
      f |= 0x40;
    } else {
      c.store(4, addr, lo, 0);
      c.store(4, c.addrAdd(addr, 4), hi, 0);
      c.setReg(4, R_EAX, lo, 0);
      c.setReg(4, R_EDX, hi, 0);
    }
    c.setFlags(f);
    return true;
  }
}


/**
 * The common case of the ALU group: a 32-bit operation whose destination is register half
 * `di` (ADC/SBB take the generic path).  Returns true (RIP advances).
 */
function alu32(env: CPUX86State, op: number, di: number, b: number): boolean {
  const regs = env.regs;
  const a = regs[di];
  let r: number;
  switch (op) {
    case 0: r = (a + b) | 0; env.cc_op = CC_OP_ADD + 2; break;
    case 1: r = a | b; env.cc_op = CC_OP_LOGIC + 2; break;
    case 4: case 8: r = a & b; env.cc_op = CC_OP_LOGIC + 2; break;
    case 5: case 7: r = (a - b) | 0; env.cc_op = CC_OP_SUB + 2; break;
    case 6: r = a ^ b; env.cc_op = CC_OP_LOGIC + 2; break;
    default: return alu32Carry(env, op, di, b);
  }
  env.cc_dst = r;
  env.cc_src = b;
  if (op < 7) {
    regs[di] = r;
    regs[di + 1] = 0;
  }
  return true;
}

/** ADC/SBB on 32-bit operands. */
function alu32Carry(env: CPUX86State, op: number, di: number, b: number): boolean {
  const regs = env.regs;
  const cin = computeC(env);
  const r = op === 2 ? (regs[di] + b + cin) | 0 : (regs[di] - b - cin) | 0;
  env.cc_op = (op === 2 ? CC_OP_ADC : CC_OP_SBB) + 2;
  env.cc_src2 = cin;
  env.cc_dst = r;
  env.cc_src = b;
  regs[di] = r;
  regs[di + 1] = 0;
  return true;
}

/** 64-bit ALU operation on register halves `di` with operand (b, bHi); ADC/SBB go generic. */
function alu64(env: CPUX86State, op: number, di: number, b: number, bHi: number): boolean {
  const regs = env.regs;
  const a = regs[di], aHi = regs[di + 1];
  let r: number, rHi: number;
  switch (op) {
    case 0: {
      const l = (a >>> 0) + (b >>> 0);
      r = l | 0;
      rHi = (aHi + bHi + (l > 0xffffffff ? 1 : 0)) | 0;
      env.cc_op = CC_OP_ADD + 3;
      break;
    }
    case 5: case 7: {
      const l = (a >>> 0) - (b >>> 0);
      r = l | 0;
      rHi = (aHi - bHi - (l < 0 ? 1 : 0)) | 0;
      env.cc_op = CC_OP_SUB + 3;
      break;
    }
    case 1: r = a | b; rHi = aHi | bHi; env.cc_op = CC_OP_LOGIC + 3; break;
    case 4: case 8: r = a & b; rHi = aHi & bHi; env.cc_op = CC_OP_LOGIC + 3; break;
    case 6: r = a ^ b; rHi = aHi ^ bHi; env.cc_op = CC_OP_LOGIC + 3; break;
    default: return alu64Carry(env, op, di, b, bHi);
  }
  env.cc_dst = r;
  env.cc_dstHi = rHi;
  env.cc_src = b;
  env.cc_srcHi = bHi;
  if (op < 7) {
    regs[di] = r;
    regs[di + 1] = rHi;
  }
  return true;
}

function alu64Carry(env: CPUX86State, op: number, di: number, b: number, bHi: number): boolean {
  const regs = env.regs;
  const cin = computeC(env);
  const a = regs[di], aHi = regs[di + 1];
  let r: number, rHi: number;
  if (op === 2) {
    const l = (a >>> 0) + (b >>> 0) + cin;
    r = l | 0;
    rHi = (aHi + bHi + (l > 0xffffffff ? 1 : 0)) | 0;
  } else {
    const l = (a >>> 0) - (b >>> 0) - cin;
    r = l | 0;
    rHi = (aHi - bHi - (l < 0 ? 1 : 0)) | 0;
  }
  env.cc_op = (op === 2 ? CC_OP_ADC : CC_OP_SBB) + 3;
  env.cc_src2 = cin;
  env.cc_dst = r;
  env.cc_dstHi = rHi;
  env.cc_src = b;
  env.cc_srcHi = bHi;
  regs[di] = r;
  regs[di + 1] = rHi;
  return true;
}
