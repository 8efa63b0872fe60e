/*
 * The x86 page walk: linear -> physical with protection (SDM Vol. 3 ch. 4; the rules QEMU 7.2
 * applies in target/i386/tcg/sysemu/excp_helper.c, mmu_translate).
 *
 * 32-bit paging (4 MiB PSE pages with PSE-36 bits), PAE paging (PDPTEs read on each walk, as
 * QEMU's TCG does) and 4-level long-mode paging (2 MiB and 1 GiB pages).  Entries are 64-bit
 * values handled as (lo, hi) int32 halves; physical addresses are doubles.  Accessed and dirty
 * bits are set as the walk goes (A on every entry used, D on the leaf for writes); the update
 * is a read-compare-write of the entry's low dword, which is atomic here since vCPUs of one
 * address space never run concurrently.
 */
import type { AddressSpace } from '../../../exec/memory.js';
import { CPUX86State, EFER_LMA } from './cpu-state.js';

export const MMU_DATA_LOAD = 0, MMU_DATA_STORE = 1, MMU_INST_FETCH = 2;
/** Protection bits of a translation, indexed by access type (1 << MMU_*). */
export const PAGE_READ = 1, PAGE_WRITE = 2, PAGE_EXEC = 4;

export const CR0_WP_MASK = 1 << 16;
export const CR4_PSE_MASK = 1 << 4, CR4_PAE_MASK = 1 << 5, CR4_PGE_MASK = 1 << 7;
export const CR4_PCIDE_MASK = 1 << 17, CR4_SMEP_MASK = 1 << 20, CR4_SMAP_MASK = 1 << 21;
export const EFER_NXE = 1 << 11;

/* Paging-structure entry bits (low dword) */
export const PG_PRESENT_MASK = 1, PG_RW_MASK = 2, PG_USER_MASK = 4, PG_ACCESSED_MASK = 0x20, PG_DIRTY_MASK = 0x40;
export const PG_PSE_MASK = 0x80, PG_GLOBAL_MASK = 0x100;
/** NX is bit 63: bit 31 of the high dword. */
const PG_NX_HI = 0x80000000 | 0;
/** Bits 52-62 (ignored in long mode, reserved in PAE mode as QEMU has it): high dword. */
const PG_HI_USER_HI = 0x7ff00000;

/* #PF error code bits */
export const PG_ERROR_P_MASK = 1, PG_ERROR_W_MASK = 2, PG_ERROR_U_MASK = 4, PG_ERROR_RSVD_MASK = 8, PG_ERROR_I_D_MASK = 0x10;

const TWO32 = 4294967296;

/**
 * Physical address width of the model as QEMU's TCG sets it (x86_cpu_realizefn): 40 bits
 * (TCG_PHYS_ADDR_BITS) with long mode, else 36 with PSE-36, else 32.
 */
export function tcgPhysBits(features: Readonly<Record<string, number>>): number {
  if (((features.FEAT_8000_0001_EDX ?? 0) & (1 << 29)) !== 0) return 40;
  return ((features.FEAT_1_EDX ?? 0) & (1 << 17)) !== 0 ? 36 : 32;
}

/** One page walk's result (fields reused: the walker never allocates). */
export class PageWalker {
  private readonly as: AddressSpace;
  private readonly env: CPUX86State;
  /** Address bits at and above the physical width (up to bit 51), in the high dword. */
  private readonly physRsvdHi: number;

  /* Results of the last successful translate() */
  /** Physical address of the 4 KiB page holding the linear address. */
  pagePhys = 0;
  /** PAGE_READ | PAGE_WRITE | PAGE_EXEC allowed for this privilege (WRITE only once dirty). */
  prot = 0;
  /** Size of the page the mapping belongs to (4 KiB, 2 MiB, 4 MiB or 1 GiB). */
  pageSize = 0;
  /** The leaf entry has G set. */
  global = false;
  /** The combined U/S of the walk is user. */
  userPage = false;
  /** The #PF error code of the last failed translate(). */
  errorCode = 0;

  /** Walks without setting accessed/dirty bits (debug translations). */
  debug = false;

  /* The entry being walked */
  private hi = 0;

  constructor(as: AddressSpace, env: CPUX86State, physBits: number) {
    this.as = as;
    this.env = env;
    this.physRsvdHi = physBits >= 52 ? 0 : (0xfffff & ~((1 << Math.max(0, physBits - 32)) - 1)) | 0;
  }

  /** Reads the 64-bit entry at `addr`: returns the low dword, high dword in this.hi. */
  private ldq(addr: number): number {
    const lo = this.as.readSlow(addr, 4);
    this.hi = this.as.readSlow(addr + 4, 4) | 0;
    return lo | 0;
  }

  /** Sets `bits` in the entry at `addr` whose low dword was read as `lo` (if not already set). */
  private setBits(addr: number, lo: number, bits: number): void {
    if ((lo & bits) !== bits && !this.debug) this.as.writeSlow(addr, lo | bits, 4);
  }

  /**
   * Translates linear address `lin` for an access of type `access` at privilege `isUser`;
   * `smap` marks a supervisor data access subject to SMAP.  Returns false with errorCode set
   * on a page fault.  Paging must be enabled (CR0.PG).
   */
  translate(lin: number, access: number, isUser: boolean, smap: boolean): boolean {
    const env = this.env;
    const cr4 = env.cr4;
    const pae = (cr4 & CR4_PAE_MASK) !== 0;
    const nxe = pae && (env.efer & EFER_NXE) !== 0;
    let rsvdHi = this.physRsvdHi | (nxe ? 0 : PG_NX_HI);
    /** Reserved bits of a large leaf's low dword (address bits below the page size, except PAT). */
    let rsvdLo = 0;
    let allow = PG_USER_MASK | PG_RW_MASK;
    let nx = false;
    let addr: number, lo: number, hi: number;
    let base: number;
    let pageSize: number;
    fault: {
      let kind = 0;
      walk: {
        if (pae) {
          if ((env.efer & EFER_LMA) !== 0) {
            // PML4E
            const cr3 = env.cr3;
            base = (Math.floor(cr3 / TWO32) & 0xfffff) * TWO32 + ((cr3 & 0xfffff000) >>> 0);
            addr = base + (Math.floor(lin / 549755813888) & 0x1ff) * 8;
            lo = this.ldq(addr); hi = this.hi;
            if ((lo & PG_PRESENT_MASK) === 0) break walk;
            if ((hi & rsvdHi) !== 0 || (lo & PG_PSE_MASK) !== 0) { kind = PG_ERROR_RSVD_MASK; break walk; }
            this.setBits(addr, lo, PG_ACCESSED_MASK);
            allow &= lo;
            nx = hi < 0;
            // PDPTE
            addr = entryBase(lo, hi) + (Math.floor(lin / 1073741824) & 0x1ff) * 8;
            lo = this.ldq(addr); hi = this.hi;
            if ((lo & PG_PRESENT_MASK) === 0) break walk;
            if ((hi & rsvdHi) !== 0) { kind = PG_ERROR_RSVD_MASK; break walk; }
            this.setBits(addr, lo, PG_ACCESSED_MASK);
            allow &= lo;
            nx = nx || hi < 0;
            if ((lo & PG_PSE_MASK) !== 0) {
              pageSize = 1 << 30;
              rsvdLo = 0x3fffe000;
              break fault;
            }
          } else {
            // PDPTE of PAE paging: no U/S, R/W or NX; QEMU also treats bits 52-62 as reserved
            // from here on.
            addr = ((env.cr3 & 0xffffffe0) >>> 0) + ((lin >>> 30) & 3) * 8;
            lo = this.ldq(addr); hi = this.hi;
            if ((lo & PG_PRESENT_MASK) === 0) break walk;
            rsvdHi |= PG_HI_USER_HI;
            if ((hi & (rsvdHi | PG_NX_HI)) !== 0) { kind = PG_ERROR_RSVD_MASK; break walk; }
            this.setBits(addr, lo, PG_ACCESSED_MASK);
          }
          // PDE
          addr = entryBase(lo, hi) + (Math.floor(lin / 2097152) & 0x1ff) * 8;
          lo = this.ldq(addr); hi = this.hi;
          if ((lo & PG_PRESENT_MASK) === 0) break walk;
          if ((hi & rsvdHi) !== 0) { kind = PG_ERROR_RSVD_MASK; break walk; }
          allow &= lo;
          nx = nx || hi < 0;
          if ((lo & PG_PSE_MASK) !== 0) {
            pageSize = 1 << 21;
            rsvdLo = 0x1fe000;
            break fault;
          }
          this.setBits(addr, lo, PG_ACCESSED_MASK);
          // PTE
          addr = entryBase(lo, hi) + ((lin >>> 12) & 0x1ff) * 8;
          lo = this.ldq(addr); hi = this.hi;
          if ((lo & PG_PRESENT_MASK) === 0) break walk;
          if ((hi & rsvdHi) !== 0) { kind = PG_ERROR_RSVD_MASK; break walk; }
          allow &= lo;
          nx = nx || hi < 0;
          pageSize = 4096;
          break fault;
        }
        // 32-bit paging: PDE
        addr = ((env.cr3 & 0xfffff000) >>> 0) + ((lin >>> 22) << 2);
        lo = this.as.readSlow(addr, 4) | 0;
        if ((lo & PG_PRESENT_MASK) === 0) break walk;
        allow &= lo;
        if ((lo & PG_PSE_MASK) !== 0 && (cr4 & CR4_PSE_MASK) !== 0) {
          // 4 MiB page: PDE bits 13-20 are physical address bits 32-39 (PSE-36), bit 21 is reserved.
          if ((lo & 0x200000) !== 0) { kind = PG_ERROR_RSVD_MASK; break walk; }
          hi = (lo >>> 13) & 0xff;
          pageSize = 1 << 22;
          rsvdLo = 0;
          break fault;
        }
        this.setBits(addr, lo, PG_ACCESSED_MASK);
        addr = ((lo & 0xfffff000) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
        lo = this.as.readSlow(addr, 4) | 0;
        if ((lo & PG_PRESENT_MASK) === 0) break walk;
        allow &= lo;
        hi = 0;
        pageSize = 4096;
        break fault;
      }
      return this.fail(kind, access, isUser, nxe);
    }
    // The leaf: `lo`/`hi` at `addr`, of `pageSize`.
    if ((lo & rsvdLo) !== 0) return this.fail(PG_ERROR_RSVD_MASK, access, isUser, nxe);
    const userPage = (allow & PG_USER_MASK) !== 0;
    if (isUser && !userPage) return this.fail(PG_ERROR_P_MASK, access, isUser, nxe);
    let prot = 0;
    if (!smap || !userPage) {
      prot = PAGE_READ;
      if ((allow & PG_RW_MASK) !== 0 || !(isUser || (env.cr0 & CR0_WP_MASK) !== 0)) prot |= PAGE_WRITE;
    }
    if (!nx && (isUser || !((cr4 & CR4_SMEP_MASK) !== 0 && userPage))) prot |= PAGE_EXEC;
    if ((prot & (1 << access)) === 0) return this.fail(PG_ERROR_P_MASK, access, isUser, nxe);
    if (access === MMU_DATA_STORE) this.setBits(addr, lo, PG_ACCESSED_MASK | PG_DIRTY_MASK);
    else {
      this.setBits(addr, lo, PG_ACCESSED_MASK);
      if ((lo & PG_DIRTY_MASK) === 0) prot &= ~PAGE_WRITE; // writable in the TLB only once dirty
    }
    // Physical page: the leaf's frame (bits 12..51, large frames aligned) plus the 4 KiB page
    // of the linear address within the large page.
    const frameLo = (lo & ~(pageSize - 1) & 0xfffff000) >>> 0;
    this.pagePhys = (hi & 0xfffff) * TWO32 + frameLo + ((lin & (pageSize - 1)) & 0xfffff000);
    this.prot = prot;
    this.pageSize = pageSize;
    this.global = (lo & PG_GLOBAL_MASK) !== 0;
    this.userPage = userPage;
    return true;
  }

  private fail(kind: number, access: number, isUser: boolean, nxe: boolean): false {
    let e = kind;
    if (isUser) e |= PG_ERROR_U_MASK;
    if (access === MMU_DATA_STORE) e |= PG_ERROR_W_MASK;
    else if (access === MMU_INST_FETCH && (nxe || (this.env.cr4 & CR4_SMEP_MASK) !== 0)) e |= PG_ERROR_I_D_MASK;
    this.errorCode = e;
    return false;
  }
}

/** The 4 KiB-aligned physical address in a 64-bit entry (bits 12..51). */
function entryBase(lo: number, hi: number): number {
  return (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
}
