/*
 * Guest memory access for the software CPU: a soft-MMU TLB in front of the page walk and the
 * physical map.
 *
 * Each access type (read, write, code fetch) has a direct-mapped TLB from linear page to the
 * page's offset in the RAM buffer.  The fast path is one tag compare and a typed-array access;
 * everything else (misses, MMIO, ROM writes, page-crossing accesses, pages holding translated
 * code) takes the slow path, which walks the page tables (mmu-walk.ts) and raises #PF.
 *
 * Privilege: like QEMU's per-mmu_idx TLBs there is one set of TLBs for supervisor and one for
 * user accesses; tlbTag/tlbHost point at the set of the current CPL, so the fast path does not
 * look at the CPL.  The CPL is re-read whenever CS is loaded: that bumps env.fetchGen, and the
 * execution loop then looks up its code page through codePageHost() before the next
 * instruction runs.  Accesses made during the CS-changing instruction at another privilege
 * (interrupt delivery, IRET, far transfers) use the ldKernel/stKernel accessors, as QEMU's
 * cpu_ld*_kernel.  SMAP depends on EFLAGS.AC, which changes without a CS load, so supervisor
 * data accesses to user pages are never cached while CR4.SMAP is set.
 */
import { AddressSpace, TARGET_PAGE_BITS, TARGET_PAGE_MASK } from '../../../exec/memory.js';
import { CPUX86State, CR0_PG_MASK, CR0_PE_MASK, VM_MASK, AC_MASK, R_CS, EXCP0E_PAGE } from './cpu-state.js';
import { CPU_EXCEPTION } from './tcg-cpu.js';
import type { DebugWatch } from './breakpoint.js';
import {
  PageWalker, tcgPhysBits, MMU_DATA_LOAD, MMU_DATA_STORE, MMU_INST_FETCH, CR4_PGE_MASK, CR4_SMAP_MASK,
} from './mmu-walk.js';

export { MMU_DATA_LOAD, MMU_DATA_STORE, MMU_INST_FETCH } from './mmu-walk.js';
const TLB_BITS = 8;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
/** Entries per privilege set: one TLB per access type. */
const SET_SIZE = 3 * TLB_SIZE;
const MMU_KERNEL = 0, MMU_USER = 1;

/** The TLBs of one privilege level. */
class TlbSet {
  /** Linear page address per entry, per access type (NaN = invalid). */
  readonly tag = new Float64Array(SET_SIZE).fill(NaN);
  /** RAM-buffer offset of the page per entry. */
  readonly host = new Int32Array(SET_SIZE);
  /** 1 if the entry maps a global page (kept across CR3 loads). */
  readonly global = new Uint8Array(SET_SIZE);
  /** Pages that are not plain RAM (MMIO, ROM for writes): linear page -> physical page. */
  readonly ioTag = new Float64Array(SET_SIZE).fill(NaN);
  readonly ioPhys = new Float64Array(SET_SIZE);

  flush(): void {
    this.tag.fill(NaN);
    this.ioTag.fill(NaN);
  }

  flushNonGlobal(): void {
    const tag = this.tag, global = this.global;
    for (let i = 0; i < SET_SIZE; i++) if (global[i] === 0) tag[i] = NaN;
    this.ioTag.fill(NaN);
  }

  flushPage(pageLin: number): void {
    const i = (pageLin >>> TARGET_PAGE_BITS) & TLB_MASK;
    for (let a = 0; a < SET_SIZE; a += TLB_SIZE) {
      if (this.tag[a + i] === pageLin) this.tag[a + i] = NaN;
      if (this.ioTag[a + i] === pageLin) this.ioTag[a + i] = NaN;
    }
  }
}

export class SoftMMU {
  readonly as: AddressSpace;
  readonly env: CPUX86State;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  /** The current privilege's TLB tags (see TlbSet). */
  tlbTag: Float64Array;
  /** The current privilege's RAM-buffer offsets. */
  tlbHost: Int32Array;
  private readonly sets: TlbSet[] = [new TlbSet(), new TlbSet()];
  private set: TlbSet;
  private mmuIdx = MMU_KERNEL;
  private readonly walker: PageWalker;
  /** Physical page of the last tlbFill(). */
  private fillPhys = 0;
  /** Set during ldKernel/stKernel: implicit supervisor accesses (SMAP ignores EFLAGS.AC at CPL 3). */
  private implicit = false;
  /** Linear range covered by large pages in the TLBs: INVLPG inside it flushes everything. */
  private largeLo = Infinity;
  private largeHi = -Infinity;
  private asGen: number;
  /** Data breakpoints (breakpoint.ts): accesses to their pages take the slow path and are reported. */
  watch: DebugWatch | null = null;

  constructor(as: AddressSpace, env: CPUX86State, features: Readonly<Record<string, number>>) {
    this.as = as;
    this.env = env;
    this.u8 = as.alloc.u8;
    this.u16 = as.alloc.u16;
    this.i32 = as.alloc.i32;
    this.view = as.alloc.view;
    this.asGen = as.generation;
    this.walker = new PageWalker(as, env, tcgPhysBits(features));
    this.set = this.sets[MMU_KERNEL];
    this.tlbTag = this.set.tag;
    this.tlbHost = this.set.host;
  }

  /** The CPL as the software CPU defines it (control.ts cpl()). */
  private cpl(): number {
    const env = this.env;
    if ((env.cr0 & CR0_PE_MASK) === 0) return 0;
    if ((env.eflags & VM_MASK) !== 0) return 3;
    return env.segSelector[R_CS] & 3;
  }

  /** Selects the TLB set of the current CPL. */
  syncMmuIdx(): void {
    this.selectSet(this.cpl() === 3 ? MMU_USER : MMU_KERNEL);
  }

  private selectSet(idx: number): void {
    if (idx === this.mmuIdx) return;
    this.mmuIdx = idx;
    this.set = this.sets[idx];
    this.tlbTag = this.set.tag;
    this.tlbHost = this.set.host;
  }

  /** Flushes every entry (QEMU's tlb_flush): CR0/CR4 paging changes, PCID changes, map changes. */
  tlbFlush(): void {
    for (const s of this.sets) s.flush();
    this.largeLo = Infinity;
    this.largeHi = -Infinity;
    this.asGen = this.as.generation;
    this.env.fetchGen++; // the execution loop's current code page may be mapped differently now
    this.syncMmuIdx();
  }

  /** CR3 load: flushes all but global pages (those only while CR4.PGE is set). */
  tlbFlushNonGlobal(): void {
    if ((this.env.cr4 & CR4_PGE_MASK) === 0) {
      this.tlbFlush();
      return;
    }
    for (const s of this.sets) s.flushNonGlobal();
    this.env.fetchGen++;
  }

  /** INVLPG: drops the entries of the page holding `lin` (everything if a large page covers it). */
  tlbFlushPage(lin: number): void {
    if (lin >= this.largeLo && lin < this.largeHi) {
      this.tlbFlush();
      return;
    }
    const pageLin = lin - (lin & TARGET_PAGE_MASK);
    for (const s of this.sets) s.flushPage(pageLin);
    this.env.fetchGen++;
  }

  /** Drops write entries that point at RAM page `ramPage` (it now holds translated code). */
  tlbProtectCode(ramPage: number): void {
    const host = ramPage << TARGET_PAGE_BITS;
    for (const s of this.sets) {
      for (let i = MMU_DATA_STORE * TLB_SIZE; i < (MMU_DATA_STORE + 1) * TLB_SIZE; i++) {
        if (s.host[i] === host) s.tag[i] = NaN;
      }
    }
  }

  /** Checks the map generation and the privilege level; call between slices. */
  checkMapChange(): void {
    if (this.as.generation !== this.asGen) this.tlbFlush();
    this.syncMmuIdx();
  }

  /** Raises #PF for linear address `lin` (QEMU's x86_cpu_tlb_fill failure path). */
  private pageFault(lin: number, errorCode: number): never {
    const env = this.env;
    env.cr2 = lin;
    env.exception_index = EXCP0E_PAGE;
    env.error_code = errorCode;
    env.exception_is_int = false;
    throw CPU_EXCEPTION;
  }

  /**
   * Translates `lin` for `access` at the current privilege (faulting as the access would) and
   * fills the TLB if the page is cacheable plain RAM.  Returns the page's RAM offset, or -1
   * with the physical page address in fillPhys (the access then goes to the physical map).
   */
  tlbFill(lin: number, access: number): number {
    const pageLin = lin - (lin & TARGET_PAGE_MASK);
    const env = this.env;
    let phys = pageLin;
    let global = 0;
    let cacheable = true;
    if ((env.cr0 & CR0_PG_MASK) !== 0) {
      const user = this.mmuIdx === MMU_USER;
      let smap = false;
      if (!user && access !== MMU_INST_FETCH && (env.cr4 & CR4_SMAP_MASK) !== 0) {
        smap = (env.eflags & AC_MASK) === 0 || (this.implicit && this.cpl() === 3);
        cacheable = false; // decided per page below
      }
      const w = this.walker;
      if (!w.translate(lin, access, user, smap)) this.pageFault(lin, w.errorCode);
      phys = w.pagePhys;
      if (!cacheable) cacheable = !w.userPage;
      if (w.global && (env.cr4 & CR4_PGE_MASK) !== 0) global = 1;
      if (w.pageSize > 4096) {
        const start = lin - (lin & (w.pageSize - 1)); // low bits of ToInt32: right for negative lin too
        if (start < this.largeLo) this.largeLo = start;
        if (start + w.pageSize > this.largeHi) this.largeHi = start + w.pageSize;
      }
    }
    this.fillPhys = phys;
    if (this.watch !== null && this.watch.pageWatched(pageLin, access)) return -1;
    const set = this.set;
    const idx = access * TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const host = this.as.ramPageOffset(phys, access === MMU_DATA_STORE);
    if (host < 0 || host > 0x7ffff000) {
      if (cacheable) {
        set.ioTag[idx] = pageLin;
        set.ioPhys[idx] = phys;
      }
      return -1;
    }
    if (!cacheable) return -1;
    if (access === MMU_DATA_STORE && this.as.codePages[host >>> TARGET_PAGE_BITS] !== 0) return -1;
    set.tag[idx] = pageLin;
    set.host[idx] = host;
    set.global[idx] = global;
    return host;
  }

  /**
   * The physical address of linear address `lin`, or -1 if it is not mapped (QEMU's
   * x86_cpu_get_phys_page_attrs_debug: no fault, no accessed/dirty updates, no TLB fill).
   */
  getPhysAddrDebug(lin: number): number {
    if ((this.env.cr0 & CR0_PG_MASK) === 0) return lin;
    const w = this.walker;
    w.debug = true;
    const ok = w.translate(lin, MMU_DATA_LOAD, false, false);
    w.debug = false;
    return ok ? w.pagePhys + (lin & TARGET_PAGE_MASK) : -1;
  }

  /** Physical address for a slow-path access of `access` at `lin` (may fault). */
  private slowPhys(lin: number, access: number): number {
    const idx = access * TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const off = lin & TARGET_PAGE_MASK;
    const set = this.set;
    if (set.ioTag[idx] === lin - off) return set.ioPhys[idx] + off;
    const host = this.tlbFill(lin, access);
    return host >= 0 ? -1 - (host + off) : this.fillPhys + off;
  }

  /** RAM offset of the code page holding `lin`, or -1 (code outside RAM is decoded but not cached). */
  codePageHost(lin: number): number {
    // Called after every CS load (the loop's code page is dropped then): the CPL may have changed.
    this.syncMmuIdx();
    const idx = MMU_INST_FETCH * TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    if (this.tlbTag[idx] === lin - (lin & TARGET_PAGE_MASK)) return this.tlbHost[idx];
    return this.tlbFill(lin, MMU_INST_FETCH);
  }

  /* ---- loads ---- */

  ld8(lin: number): number {
    const idx = (lin >>> TARGET_PAGE_BITS) & TLB_MASK;
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off) return this.u8[this.tlbHost[idx] + off];
    return this.ldSlow(lin, 1, MMU_DATA_LOAD);
  }

  ld16(lin: number): number {
    const idx = (lin >>> TARGET_PAGE_BITS) & TLB_MASK;
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off && off <= TARGET_PAGE_MASK - 1) {
      const a = this.tlbHost[idx] + off;
      return (a & 1) === 0 ? this.u16[a >> 1] : this.u8[a] | (this.u8[a + 1] << 8);
    }
    return this.ldSlow(lin, 2, MMU_DATA_LOAD);
  }

  ld32(lin: number): number {
    const idx = (lin >>> TARGET_PAGE_BITS) & TLB_MASK;
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off && off <= TARGET_PAGE_MASK - 3) {
      const a = this.tlbHost[idx] + off;
      return (a & 3) === 0 ? this.i32[a >> 2] : this.view.getInt32(a, true);
    }
    return this.ldSlow(lin, 4, MMU_DATA_LOAD);
  }

  /** Code fetch of one byte (the decoder). */
  fetch8(lin: number): number {
    const idx = MMU_INST_FETCH * TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off) return this.u8[this.tlbHost[idx] + off];
    return this.ldSlow(lin, 1, MMU_INST_FETCH);
  }

  /** The linear address `n` bytes after `lin` (wraps at 4 GiB outside 64-bit code). */
  private linAdd(lin: number, n: number): number {
    return this.env.codeSize === 8 ? lin + n : (lin + n) >>> 0;
  }

  private ldSlow(lin: number, size: number, access: number): number {
    if (this.watch !== null) this.watch.access(lin, size, access);
    const off = lin & TARGET_PAGE_MASK;
    if (off + size > TARGET_PAGE_MASK + 1) {
      // Crosses a page: assemble from bytes (each page may fault separately, low address first).
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.ldSlow(this.linAdd(lin, i), 1, access) << (8 * i);
      return size === 4 ? v : v & ((1 << (size * 8)) - 1);
    }
    const p = this.slowPhys(lin, access);
    if (p < 0) {
      const a = -1 - p;
      if (size === 1) return this.u8[a];
      if (size === 2) return this.u8[a] | (this.u8[a + 1] << 8);
      return this.view.getInt32(a, true);
    }
    return this.as.readSlow(p, size);
  }

  /* ---- stores ---- */

  st8(lin: number, v: number): void {
    const idx = TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off) {
      this.u8[this.tlbHost[idx] + off] = v;
      return;
    }
    this.stSlow(lin, v, 1);
  }

  st16(lin: number, v: number): void {
    const idx = TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off && off <= TARGET_PAGE_MASK - 1) {
      const a = this.tlbHost[idx] + off;
      if ((a & 1) === 0) this.u16[a >> 1] = v;
      else {
        this.u8[a] = v;
        this.u8[a + 1] = v >>> 8;
      }
      return;
    }
    this.stSlow(lin, v, 2);
  }

  st32(lin: number, v: number): void {
    const idx = TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const off = lin & TARGET_PAGE_MASK;
    if (this.tlbTag[idx] === lin - off && off <= TARGET_PAGE_MASK - 3) {
      const a = this.tlbHost[idx] + off;
      if ((a & 3) === 0) this.i32[a >> 2] = v;
      else this.view.setInt32(a, v, true);
      return;
    }
    this.stSlow(lin, v, 4);
  }

  private stSlow(lin: number, v: number, size: number): void {
    if (this.watch !== null) this.watch.access(lin, size, MMU_DATA_STORE);
    const off = lin & TARGET_PAGE_MASK;
    if (off + size > TARGET_PAGE_MASK + 1) {
      // Crosses a page: both pages must be writable before any byte is written.
      this.probeWrite(lin, size);
      for (let i = 0; i < size; i++) this.stSlow(this.linAdd(lin, i), v >>> (8 * i), 1);
      return;
    }
    const p = this.slowPhys(lin, MMU_DATA_STORE);
    if (p < 0) {
      const a = -1 - p;
      this.u8[a] = v;
      if (size >= 2) this.u8[a + 1] = v >>> 8;
      if (size === 4) {
        this.u8[a + 2] = v >>> 16;
        this.u8[a + 3] = v >>> 24;
      }
      return;
    }
    // MMIO, ROM, holes, or a page holding code (writeSlow invalidates the code).
    this.as.writeSlow(p, v, size);
  }

  /**
   * Checks that [lin, lin+size) is writable (raising #PF if not) before a multi-part store or a
   * read-modify-write touches it, so a store fault leaves no partial write.
   */
  probeWrite(lin: number, size: number): void {
    this.probePage(lin);
    if ((lin & TARGET_PAGE_MASK) + size > TARGET_PAGE_MASK + 1) {
      const last = this.linAdd(lin, size - 1);
      this.probePage(last - (last & TARGET_PAGE_MASK)); // faults report the page's first byte
    }
  }

  private probePage(lin: number): void {
    const idx = TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    const pageLin = lin - (lin & TARGET_PAGE_MASK);
    if (this.tlbTag[idx] === pageLin || this.set.ioTag[idx] === pageLin) return;
    this.tlbFill(lin, MMU_DATA_STORE);
  }

  /* ---- implicit supervisor accesses (QEMU's cpu_ld*_kernel / cpu_st*_kernel) ---- */

  /**
   * Accesses to system structures (GDT, LDT, IDT, TSS) and the stacks of privilege changes:
   * checked as supervisor accesses whatever the CPL.
   */
  ldKernel8(lin: number): number {
    if (this.mmuIdx === MMU_KERNEL) return this.ld8(lin);
    this.enterKernel();
    try { return this.ld8(lin); } finally { this.leaveKernel(); }
  }

  ldKernel16(lin: number): number {
    if (this.mmuIdx === MMU_KERNEL) return this.ld16(lin);
    this.enterKernel();
    try { return this.ld16(lin); } finally { this.leaveKernel(); }
  }

  ldKernel32(lin: number): number {
    if (this.mmuIdx === MMU_KERNEL) return this.ld32(lin);
    this.enterKernel();
    try { return this.ld32(lin); } finally { this.leaveKernel(); }
  }

  stKernel8(lin: number, v: number): void {
    if (this.mmuIdx === MMU_KERNEL) return this.st8(lin, v);
    this.enterKernel();
    try { this.st8(lin, v); } finally { this.leaveKernel(); }
  }

  stKernel16(lin: number, v: number): void {
    if (this.mmuIdx === MMU_KERNEL) return this.st16(lin, v);
    this.enterKernel();
    try { this.st16(lin, v); } finally { this.leaveKernel(); }
  }

  stKernel32(lin: number, v: number): void {
    if (this.mmuIdx === MMU_KERNEL) return this.st32(lin, v);
    this.enterKernel();
    try { this.st32(lin, v); } finally { this.leaveKernel(); }
  }

  /** probeWrite() as a supervisor access. */
  probeWriteKernel(lin: number, size: number): void {
    if (this.mmuIdx === MMU_KERNEL) return this.probeWrite(lin, size);
    this.enterKernel();
    try { this.probeWrite(lin, size); } finally { this.leaveKernel(); }
  }

  private enterKernel(): void {
    this.selectSet(MMU_KERNEL);
    this.implicit = true;
  }

  private leaveKernel(): void {
    this.implicit = false;
    this.selectSet(MMU_USER);
  }
}
