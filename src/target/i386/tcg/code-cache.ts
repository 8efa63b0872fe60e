/*
 * The decoded-instruction cache of one physical address space, shared by every vCPU on it
 * (QEMU shares translation blocks the same way).
 *
 * Per RAM page: an array of decoded instructions indexed by page offset.  A page with cached
 * code is marked in AddressSpace.codePages and its write-TLB entries are dropped in every
 * vCPU's soft-MMU, so any store to it (from any vCPU, or DMA) takes a slow path that
 * invalidates the page; each vCPU's loop notices through env.fetchGen.
 */
import type { AddressSpace } from '../../../exec/memory.js';
import { TARGET_PAGE_SIZE } from '../../../exec/memory.js';
import type { Insn } from './decode.js';
import type { SoftMMU } from './softmmu.js';
import type { CPUX86State } from './cpu-state.js';

const caches = new WeakMap<AddressSpace, CodeCache>();

export class CodeCache {
  readonly as: AddressSpace;
  /** Decoded instructions per RAM page (indexed by page offset), or null. */
  readonly pages: (Insn[] | null)[];
  private readonly mmus: SoftMMU[] = [];
  private readonly envs: CPUX86State[] = [];

  private constructor(as: AddressSpace) {
    this.as = as;
    this.pages = new Array<Insn[] | null>(as.codePages.length).fill(null);
    as.codeWriteHook = (p: number): void => this.invalidatePage(p);
  }

  /** The cache of address space `as` (created on first use). */
  static of(as: AddressSpace): CodeCache {
    let cc = caches.get(as);
    if (!cc) {
      cc = new CodeCache(as);
      caches.set(as, cc);
    }
    return cc;
  }

  /** Registers a vCPU: its TLB is write-protected for code pages and its loop told of invalidations. */
  attach(env: CPUX86State, mmu: SoftMMU): void {
    this.envs.push(env);
    this.mmus.push(mmu);
  }

  /** The instruction array of RAM page `p`, created (and write-protected) if needed. */
  page(p: number): Insn[] {
    let arr = this.pages[p];
    if (arr === null) {
      arr = new Array<Insn>(TARGET_PAGE_SIZE);
      this.pages[p] = arr;
      this.as.codePages[p] = 1;
      for (const m of this.mmus) m.tlbProtectCode(p);
    }
    return arr;
  }

  /** Drops the cached decodes of RAM page `p` (self-modifying code, DMA, loaders). */
  invalidatePage(p: number): void {
    this.pages[p] = null;
    this.as.codePages[p] = 0;
    for (const e of this.envs) e.fetchGen++;
  }

  /** Drops every cached decode. */
  flush(): void {
    for (let p = 0; p < this.pages.length; p++) if (this.pages[p] !== null) this.invalidatePage(p);
  }
}
