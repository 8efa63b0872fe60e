/*
 * Guest memory access for the software CPU: a soft-MMU TLB in front of the physical map.
 *
 * Each access type (read, write, code fetch) has a direct-mapped TLB from linear page to the
 * page's offset in the RAM buffer.  The fast path is one tag compare and a typed-array access;
 * everything else (misses, MMIO, ROM writes, page-crossing accesses, pages holding translated
 * code) takes the slow path.  Paging is not implemented yet, so tlbFill() maps linear ==
 * physical; the page walk, CR2 and #PF slot into tlbFill() without touching the fast path.
 */
import { AddressSpace, TARGET_PAGE_BITS, TARGET_PAGE_MASK } from '../../../exec/memory.js';
import type { DebugWatch } from './breakpoint.js';

export const MMU_DATA_LOAD = 0, MMU_DATA_STORE = 1, MMU_INST_FETCH = 2;
const TLB_BITS = 8;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;

export class SoftMMU {
  readonly as: AddressSpace;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  /** Linear page address per entry, per access type (NaN = invalid). */
  readonly tlbTag = new Float64Array(3 * TLB_SIZE).fill(NaN);
  /** RAM-buffer offset of the page per entry. */
  readonly tlbHost = new Int32Array(3 * TLB_SIZE);
  private asGen: number;
  /** Data breakpoints (breakpoint.ts): accesses to their pages take the slow path and are reported. */
  watch: DebugWatch | null = null;

  constructor(as: AddressSpace) {
    this.as = as;
    this.u8 = as.alloc.u8;
    this.u16 = as.alloc.u16;
    this.i32 = as.alloc.i32;
    this.view = as.alloc.view;
    this.asGen = as.generation;
  }

  tlbFlush(): void {
    this.tlbTag.fill(NaN);
    this.asGen = this.as.generation;
  }

  /** INVLPG: drops every entry for the linear page holding `lin`. */
  tlbFlushPage(lin: number): void {
    const pageLin = lin - (lin & TARGET_PAGE_MASK);
    const idx = (lin >>> TARGET_PAGE_BITS) & TLB_MASK;
    for (let a = 0; a < 3; a++) if (this.tlbTag[a * TLB_SIZE + idx] === pageLin) this.tlbTag[a * TLB_SIZE + idx] = NaN;
  }

  /** A CR3 load: drops the entries of non-global pages (without global pages yet: everything). */
  tlbFlushNonGlobal(): void {
    this.tlbFlush();
  }

  /** Drops write entries that point at RAM page `ramPage` (it now holds translated code). */
  tlbProtectCode(ramPage: number): void {
    const host = ramPage << TARGET_PAGE_BITS;
    for (let i = MMU_DATA_STORE * TLB_SIZE; i < (MMU_DATA_STORE + 1) * TLB_SIZE; i++) {
      if (this.tlbHost[i] === host) this.tlbTag[i] = NaN;
    }
  }

  /** Checks the map generation; call between slices. */
  checkMapChange(): void {
    if (this.as.generation !== this.asGen) this.tlbFlush();
  }

  /** Linear → physical.  Paging arrives with the system instructions; until then, identity. */
  translate(lin: number, _access: number): number {
    return lin;
  }

  /** Fills the TLB for `lin` if its page is plain RAM; returns the page's RAM offset or -1. */
  tlbFill(lin: number, access: number): number {
    const pageLin = lin - (lin & TARGET_PAGE_MASK);
    if (this.watch !== null && this.watch.pageWatched(pageLin, access)) return -1;
    const phys = this.translate(pageLin, access);
    const host = this.as.ramPageOffset(phys, access === MMU_DATA_STORE);
    if (host < 0 || host > 0x7ffff000) return -1;
    if (access === MMU_DATA_STORE && this.as.codePages[host >>> TARGET_PAGE_BITS] !== 0) return -1;
    const idx = access * TLB_SIZE + ((lin >>> TARGET_PAGE_BITS) & TLB_MASK);
    this.tlbTag[idx] = pageLin;
    this.tlbHost[idx] = host;
    return host;
  }

  /** RAM offset of the code page holding `lin`, or -1 (code outside RAM is decoded but not cached). */
  codePageHost(lin: number): number {
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

  private ldSlow(lin: number, size: number, access: number): number {
    if (this.watch !== null) this.watch.access(lin, size, access);
    const off = lin & TARGET_PAGE_MASK;
    if (off + size > TARGET_PAGE_MASK + 1) {
      // Crosses a page: assemble from bytes (each byte may fault separately, low address first).
      let v = 0;
      for (let i = 0; i < size; i++) v |= this.ldSlow(lin + i, 1, access) << (8 * i);
      return size === 4 ? v : v & ((1 << (size * 8)) - 1);
    }
    const host = this.tlbFill(lin, access);
    if (host >= 0) {
      const a = host + off;
      if (size === 1) return this.u8[a];
      if (size === 2) return this.u8[a] | (this.u8[a + 1] << 8);
      return this.view.getInt32(a, true);
    }
    return this.as.readSlow(this.translate(lin, access), size);
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
      for (let i = 0; i < size; i++) this.stSlow(lin + i, v >>> (8 * i), 1);
      return;
    }
    const host = this.tlbFill(lin, MMU_DATA_STORE);
    if (host >= 0) {
      const a = host + off;
      this.u8[a] = v;
      if (size >= 2) this.u8[a + 1] = v >>> 8;
      if (size === 4) {
        this.u8[a + 2] = v >>> 16;
        this.u8[a + 3] = v >>> 24;
      }
      return;
    }
    // MMIO, ROM, holes, or a page holding code (writeSlow invalidates the code).
    this.as.writeSlow(this.translate(lin, MMU_DATA_STORE), v, size);
  }

  /**
   * Probes that [lin, lin+size) is writable before a read-modify-write touches it, so a store
   * fault is raised before any part of the instruction took effect.  No-op until paging.
   */
  probeWrite(_lin: number, _size: number): void {}
}
