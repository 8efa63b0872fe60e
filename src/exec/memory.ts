/*
 * Guest physical memory (QEMU's memory API, reduced to what a PC needs).
 *
 * All guest RAM lives in one shared WebAssembly.Memory buffer (architecture §4), so a later
 * WebAssembly tier and worker vCPUs see it with no copy.  MemoryRegions (RAM, ROM, MMIO) are
 * mapped into an AddressSpace which is flattened into a page map: a Uint16Array section index
 * per 4 KiB page below 4 GiB, and a short sorted list above.  The soft-MMU fills its TLB from
 * here (addressSpaceTranslate) and device DMA goes through the bounds-checked dma* helpers.
 */

export const TARGET_PAGE_BITS = 12;
export const TARGET_PAGE_SIZE = 1 << TARGET_PAGE_BITS;
export const TARGET_PAGE_MASK = TARGET_PAGE_SIZE - 1;

/** A device's MMIO callbacks, TinyEMU-small: (opaque, offset, value, size).  Values are at most 32 bits. */
export interface MemoryRegionOps {
  read(opaque: unknown, offset: number, size: number): number;
  write(opaque: unknown, offset: number, value: number, size: number): void;
}

export type MemoryRegionKind = 'ram' | 'rom' | 'mmio';

/** Guest RAM: one shared WebAssembly.Memory, carved into RAM/ROM blocks by a bump allocator. */
export class RamBlockAllocator {
  readonly memory: WebAssembly.Memory;
  readonly buffer: SharedArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  private used = 0;

  constructor(totalBytes: number) {
    const pages = Math.max(1, Math.ceil(totalBytes / 65536));
    if (pages > 65536) throw new RangeError('guest RAM above 4 GiB needs a second buffer');
    // The OS backs the reservation lazily: untouched guest RAM costs nothing.
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.buffer = this.memory.buffer as unknown as SharedArrayBuffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.view = new DataView(this.buffer);
  }

  /** Reserves `size` bytes (page aligned) and returns their offset in the buffer. */
  alloc(size: number): number {
    const off = this.used;
    const end = off + Math.ceil(size / TARGET_PAGE_SIZE) * TARGET_PAGE_SIZE; // sizes reach 4 GiB: no 32-bit masks
    if (end > this.u8.length) throw new RangeError(`cannot allocate ${size} bytes of guest RAM`);
    this.used = end;
    return off;
  }
}

export class MemoryRegion {
  /** Offset of this region's bytes in the RAM buffer (RAM and ROM only, else -1). */
  ramOffset = -1;

  private constructor(
    readonly name: string,
    readonly kind: MemoryRegionKind,
    readonly size: number,
    readonly ops: MemoryRegionOps | null,
    readonly opaque: unknown,
  ) {}

  /** memory_region_init_ram */
  static ram(alloc: RamBlockAllocator, name: string, size: number): MemoryRegion {
    const mr = new MemoryRegion(name, 'ram', size, null, null);
    mr.ramOffset = alloc.alloc(size);
    return mr;
  }

  /** memory_region_init_rom: RAM-backed, guest writes are ignored. */
  static rom(alloc: RamBlockAllocator, name: string, size: number): MemoryRegion {
    const mr = new MemoryRegion(name, 'rom', size, null, null);
    mr.ramOffset = alloc.alloc(size);
    return mr;
  }

  /**
   * memory_region_init_alias (+ memory_region_set_readonly) of a RAM/ROM region: a region of its
   * own, so it can be mapped and unmapped on its own, over `size` bytes of `target` from `offset`.
   */
  static alias(name: string, target: MemoryRegion, offset: number, size: number, readonly: boolean): MemoryRegion {
    if (target.ramOffset < 0 || offset < 0 || offset + size > target.size) throw new RangeError(`alias outside ${target.name}`);
    const mr = new MemoryRegion(name, readonly ? 'rom' : target.kind, size, null, null);
    mr.ramOffset = target.ramOffset + offset;
    return mr;
  }

  /** memory_region_init_io */
  static mmio(name: string, size: number, ops: MemoryRegionOps, opaque: unknown): MemoryRegion {
    return new MemoryRegion(name, 'mmio', size, ops, opaque);
  }
}

/** One flattened piece of the physical map: [start, start+size) → region at regionOffset. */
export class FlatRange {
  constructor(
    readonly start: number,
    readonly size: number,
    readonly mr: MemoryRegion,
    readonly regionOffset: number,
    readonly priority: number,
  ) {}
}

const LOW_PAGES = 1 << 20; // pages below 4 GiB

/** A physical address space (address_space_memory). */
export class AddressSpace {
  readonly alloc: RamBlockAllocator;
  private mappings: FlatRange[] = [];
  /** Flattened, non-overlapping ranges; index 0 is "unassigned". */
  private ranges: FlatRange[] = [];
  /** Section index for each page below 4 GiB (0 = unassigned or split page). */
  private lowMap = new Uint16Array(LOW_PAGES);
  /** Pages whose map is not one whole-page section (sub-page regions): look them up by search. */
  private highRanges: FlatRange[] = [];
  /** Called with a RAM-buffer page number when a non-CPU write touches a page holding code. */
  codeWriteHook: ((ramPage: number) => void) | null = null;
  /** One byte per RAM-buffer page: nonzero while translated code for the page is cached. */
  readonly codePages: Uint8Array;
  /** Bumped on every map change so TLBs know to flush. */
  generation = 0;
  /** Memory listeners (QEMU's MemoryListener commit): called after every map change. */
  private listeners: Array<() => void> = [];

  constructor(alloc: RamBlockAllocator) {
    this.alloc = alloc;
    this.codePages = new Uint8Array(alloc.u8.length >>> TARGET_PAGE_BITS);
  }

  /** memory_region_add_subregion(_overlap): later or higher-priority mappings win. */
  addRegion(start: number, mr: MemoryRegion, priority = 0): void {
    this.mappings.push(new FlatRange(start, mr.size, mr, 0, priority));
    this.rebuild();
  }

  /** An alias (memory_region_init_alias): [offset, offset+size) of `mr` mapped at `start`. */
  addAlias(start: number, mr: MemoryRegion, offset: number, size: number, priority = 0): void {
    if (offset < 0 || size <= 0 || offset + size > mr.size) throw new RangeError(`alias outside ${mr.name}`);
    this.mappings.push(new FlatRange(start, size, mr, offset, priority));
    this.rebuild();
  }

  removeRegion(mr: MemoryRegion): void {
    this.mappings = this.mappings.filter((m) => m.mr !== mr);
    this.rebuild();
  }

  private rebuild(): void {
    // Flatten: collect boundaries, and for each elementary interval pick the winning mapping.
    const bounds = new Set<number>();
    for (const m of this.mappings) {
      bounds.add(m.start);
      bounds.add(m.start + m.size);
    }
    const pts = [...bounds].sort((a, b) => a - b);
    const flat: FlatRange[] = [];
    for (let i = 0; i + 1 < pts.length; i++) {
      const a = pts[i], b = pts[i + 1];
      let win: FlatRange | null = null;
      let winIdx = -1;
      this.mappings.forEach((m, idx) => {
        if (m.start <= a && m.start + m.size >= b) {
          if (!win || m.priority > win.priority || (m.priority === win.priority && idx > winIdx)) {
            win = m;
            winIdx = idx;
          }
        }
      });
      if (win) {
        const w = win as FlatRange;
        const last = flat[flat.length - 1];
        if (last && last.mr === w.mr && last.start + last.size === a && last.regionOffset + last.size === w.regionOffset + (a - w.start)) {
          flat[flat.length - 1] = new FlatRange(last.start, last.size + (b - a), w.mr, last.regionOffset, w.priority);
        } else {
          flat.push(new FlatRange(a, b - a, w.mr, w.regionOffset + (a - w.start), w.priority));
        }
      }
    }
    if (flat.length > 0xfffe) throw new RangeError('too many memory sections');
    this.ranges = [new FlatRange(0, 0, MemoryRegion.mmio('unassigned', 0, unassignedOps, null), 0, -1), ...flat];
    this.lowMap.fill(0);
    this.highRanges = [];
    for (let i = 1; i < this.ranges.length; i++) {
      const r = this.ranges[i];
      const end = r.start + r.size;
      const p0 = Math.ceil(r.start / TARGET_PAGE_SIZE);
      const p1 = Math.floor(end / TARGET_PAGE_SIZE);
      for (let p = p0; p < p1 && p < LOW_PAGES; p++) this.lowMap[p] = i;
      if (r.start % TARGET_PAGE_SIZE !== 0 || end % TARGET_PAGE_SIZE !== 0 || end > LOW_PAGES * TARGET_PAGE_SIZE) {
        this.highRanges.push(r);
      }
    }
    this.generation++;
    for (const l of this.listeners) l();
  }

  /** memory_listener_register(): `commit` runs after each map change (not now). */
  addListener(commit: () => void): void {
    this.listeners.push(commit);
  }

  /** The RAM and ROM pieces of the flat map (what a KVM memory listener registers as slots). */
  ramSections(): Array<{ start: number; size: number; ramOffset: number; readonly: boolean }> {
    const out: Array<{ start: number; size: number; ramOffset: number; readonly: boolean }> = [];
    for (let i = 1; i < this.ranges.length; i++) {
      const r = this.ranges[i];
      if (r.mr.ramOffset < 0) continue;
      out.push({ start: r.start, size: r.size, ramOffset: r.mr.ramOffset + r.regionOffset, readonly: r.mr.kind === 'rom' });
    }
    return out;
  }

  /** The flat range holding physical address `addr` (the unassigned range if none). */
  findRange(addr: number): FlatRange {
    if (addr >= 0 && addr < LOW_PAGES * TARGET_PAGE_SIZE) {
      const idx = this.lowMap[Math.floor(addr / TARGET_PAGE_SIZE)];
      if (idx !== 0) return this.ranges[idx];
    }
    for (const r of this.highRanges) if (addr >= r.start && addr < r.start + r.size) return r;
    return this.ranges[0];
  }

  /**
   * For the TLB: the RAM-buffer offset of the page at physical page address `pageAddr` if the
   * whole page is RAM (or ROM when !forWrite), else -1 (the access takes the slow path).
   */
  ramPageOffset(pageAddr: number, forWrite: boolean): number {
    const r = this.findRange(pageAddr);
    if (r.mr.ramOffset < 0 || (forWrite && r.mr.kind === 'rom')) return -1;
    if (pageAddr < r.start || pageAddr + TARGET_PAGE_SIZE > r.start + r.size) return -1;
    return r.mr.ramOffset + r.regionOffset + (pageAddr - r.start);
  }

  /** Slow-path read of 1, 2 or 4 bytes that do not cross a page (any region kind). */
  readSlow(addr: number, size: number): number {
    const r = this.findRange(addr);
    const off = r.regionOffset + (addr - r.start);
    const mr = r.mr;
    if (mr.ramOffset >= 0) {
      const a = mr.ramOffset + off;
      const u8 = this.alloc.u8;
      if (size === 1) return u8[a];
      if (size === 2) return u8[a] | (u8[a + 1] << 8);
      return u8[a] | (u8[a + 1] << 8) | (u8[a + 2] << 16) | (u8[a + 3] << 24);
    }
    if (mr.ops === unassignedOps || addr + size > r.start + r.size) {
      // Unassigned physical memory reads as all ones.
      return size === 4 ? -1 : (1 << (size * 8)) - 1;
    }
    return mr.ops!.read(mr.opaque, off, size);
  }

  /** Slow-path write of 1, 2 or 4 bytes that do not cross a page (RAM writes invalidate cached code). */
  writeSlow(addr: number, value: number, size: number): void {
    const r = this.findRange(addr);
    const off = r.regionOffset + (addr - r.start);
    const mr = r.mr;
    if (mr.kind === 'ram') {
      const a = mr.ramOffset + off;
      const u8 = this.alloc.u8;
      u8[a] = value;
      if (size >= 2) u8[a + 1] = value >>> 8;
      if (size === 4) {
        u8[a + 2] = value >>> 16;
        u8[a + 3] = value >>> 24;
      }
      this.noteRamWrite(a, size);
      return;
    }
    if (mr.kind === 'rom' || mr.ops === unassignedOps) return; // writes to ROM and holes are dropped
    mr.ops!.write(mr.opaque, off, size === 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1), size);
  }

  /** Invalidates cached code on the RAM-buffer pages covering [a, a+len). */
  noteRamWrite(a: number, len: number): void {
    const p0 = a >>> TARGET_PAGE_BITS;
    const p1 = (a + len - 1) >>> TARGET_PAGE_BITS;
    for (let p = p0; p <= p1; p++) {
      if (this.codePages[p] !== 0 && this.codeWriteHook) this.codeWriteHook(p);
    }
  }

  /** Bounds-checked DMA read (address_space_read): RAM/ROM bytes, MMIO via its ops, holes as 0xff. */
  dmaRead(addr: number, dst: Uint8Array): void {
    let i = 0;
    while (i < dst.length) {
      const a = addr + i;
      const r = this.findRange(a);
      const avail = r.size === 0 ? 1 : Math.min(dst.length - i, r.start + r.size - a);
      if (r.mr.ramOffset >= 0) {
        const src = r.mr.ramOffset + r.regionOffset + (a - r.start);
        dst.set(this.alloc.u8.subarray(src, src + avail), i);
      } else {
        for (let k = 0; k < avail; k++) dst[i + k] = this.readSlow(a + k, 1);
      }
      i += avail;
    }
  }

  /** Bounds-checked DMA write (address_space_write): ROM and holes drop the bytes. */
  dmaWrite(addr: number, src: Uint8Array): void {
    let i = 0;
    while (i < src.length) {
      const a = addr + i;
      const r = this.findRange(a);
      const avail = r.size === 0 ? 1 : Math.min(src.length - i, r.start + r.size - a);
      if (r.mr.kind === 'ram') {
        const dst = r.mr.ramOffset + r.regionOffset + (a - r.start);
        this.alloc.u8.set(src.subarray(i, i + avail), dst);
        this.noteRamWrite(dst, avail);
      } else {
        for (let k = 0; k < avail; k++) this.writeSlow(a + k, src[i + k], 1);
      }
      i += avail;
    }
  }

  /** Writes ROM/RAM contents at load time (rom_add_blob): ignores ROM write protection. */
  loadBlob(addr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; ) {
      const r = this.findRange(addr + i);
      if (r.mr.ramOffset < 0) throw new RangeError(`no RAM/ROM at 0x${(addr + i).toString(16)} for blob`);
      const avail = Math.min(data.length - i, r.start + r.size - (addr + i));
      const dst = r.mr.ramOffset + r.regionOffset + (addr + i - r.start);
      this.alloc.u8.set(data.subarray(i, i + avail), dst);
      this.noteRamWrite(dst, avail);
      i += avail;
    }
  }
}

const unassignedOps: MemoryRegionOps = {
  read: (_o, _off, size) => (size === 4 ? -1 : (1 << (size * 8)) - 1),
  write: () => {},
};
