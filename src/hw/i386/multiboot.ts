/*
 * -kernel for the PC (x86_load_linux()'s first steps, hw/i386/x86.c, and load_multiboot(),
 * hw/i386/multiboot.c, QEMU 7.2): the kernel file is read, a multiboot header is looked for in
 * its first 8 KiB, and a multiboot image (ELF32, or a binary with the a.out kludge) is laid
 * out with its command lines, -initrd modules and the multiboot information structure (MBI).
 *
 * QEMU hands that layout to SeaBIOS's multiboot option ROM through fw_cfg; the ROM copies it
 * into RAM, builds the memory map with INT 15h E820 and fills mem_lower/mem_upper, then enters
 * the kernel.  We write the same bytes into RAM ourselves (multibootLoad) and start the BSP in
 * the multiboot machine state (multibootCpuState); docs/tcg.md lists what differs.  A bzImage
 * goes to linux-boot.ts; PVH ELF images are refused.
 */
import { closeSync, openSync, readSync, fstatSync, readFileSync } from 'node:fs';
import { loadLinux, type LinuxImage } from './linux-boot.js';
import { QemuError, QemuExit, errorPrintf, errorReport } from '../../util/error.js';
import { strerror } from '../../util/strerror.js';
import type { AddressSpace } from '../../exec/memory.js';

/** Where the loader puts the E820 map, and the MBI 0x500 bytes above it (MULTIBOOT_STRUCT_ADDR). */
export const MULTIBOOT_STRUCT_ADDR = 0x9000;
export const ADDR_E820_MAP = MULTIBOOT_STRUCT_ADDR;
export const ADDR_MBI = MULTIBOOT_STRUCT_ADDR + 0x500;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
const MBI_SIZE = 88;
const MB_MOD_SIZE = 16;
const PAGE = 4096;
const EM_386 = 3, EM_X86_64 = 62;
/* The MBI's flags QEMU sets: memory, boot device, cmdline, modules, mmap, boot loader name. */
const MBI_FLAGS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9);
const E820_RAM = 1, E820_RESERVED = 2;

/** The physical memory layout the E820 map describes (what SeaBIOS reports under QEMU). */
export interface MultibootMemory {
  belowFourG: number;
  aboveFourG: number;
  /** AMD CPUs get QEMU's reserved HyperTransport range below 1 TiB (pc_memory_init). */
  amdHtHole: boolean;
}

/** A multiboot kernel laid out for RAM: one buffer at its load address, the MBI and the map. */
export interface MultibootImage {
  kind: 'multiboot';
  entry: number;
  loadAddr: number;
  /** Kernel, module table, command lines, boot loader name and modules (QEMU's mb_buf). */
  buf: Uint8Array;
  mbi: Uint8Array;
  e820: Uint8Array;
}

const pageAlign = (n: number): number => Math.ceil(n / PAGE) * PAGE;

/** The whole kernel file, with QEMU's messages (x86_load_linux) when it cannot be read. */
function readKernelFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    errorPrintf(`qemu: could not open kernel file '${path}': ${strerror(e as NodeJS.ErrnoException)}\n`);
    throw new QemuExit(1);
  }
  try {
    const size = fstatSync(fd).size;
    const data = new Uint8Array(size);
    if (size === 0 || readSync(fd, data, 0, size, 0) !== size) {
      // QEMU prints errno here, which an empty file leaves at ENOENT from its earlier probing.
      errorPrintf(`qemu: could not load kernel '${path}': No such file or directory\n`);
      throw new QemuExit(1);
    }
    return data;
  } finally {
    closeSync(fd);
  }
}

/** An error_report() followed by exit(1), as load_multiboot does. */
function fatal(msg: string): never {
  errorReport(msg);
  throw new QemuExit(1);
}

/**
 * x86_load_linux() up to the multiboot decision: returns the multiboot image, or refuses the
 * kernels we cannot boot yet with QEMU's messages where QEMU refuses them too.
 */
export function x86LoadKernel(kernelFilename: string, initrd: string | undefined, cmdline: string,
  mem: MultibootMemory, hostDecompress: boolean): MultibootImage | LinuxImage {
  const file = readKernelFile(kernelFilename);
  const header = new Uint8Array(8192);
  header.set(file.subarray(0, 8192));
  const hv = new DataView(header.buffer);
  if (hv.getUint32(0x202, true) !== 0x53726448) { // not "HdrS": maybe multiboot
    const mb = loadMultiboot(file, header, kernelFilename, initrd, cmdline, mem);
    if (mb) return mb;
    if (hv.getUint32(0, true) === 0x464c457f) {
      if (!hasPvhNote(file)) fatal('Error loading uncompressed kernel without PVH ELF Note');
      throw new QemuError('booting an uncompressed kernel through its PVH entry is not supported');
    }
    // A protocol-0 image: its setup sectors must fit in the file.
    const setup = ((header[0x1f1] || 4) + 1) * 512;
    if (setup > file.length) {
      errorPrintf('qemu: invalid kernel header\n');
      throw new QemuExit(1);
    }
    throw new QemuError('Linux boot protocol < 2.02 (a kernel that is not loaded high) is not supported');
  }
  return loadLinux(file, initrd === undefined ? undefined : readInitrd(initrd), cmdline, mem, hostDecompress);
}

/** The -initrd file of a Linux kernel, with x86_load_linux()'s message when it cannot be read. */
function readInitrd(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    errorPrintf(`qemu: error reading initrd ${path}: Failed to open file “${path}”: open() failed: ${strerror(err)}\n`);
    throw new QemuExit(1);
  }
}

/** load_elfboot()'s test: an ELF note of type XEN_ELFNOTE_PHYS32_ENTRY (18) named "Xen". */
function hasPvhNote(file: Uint8Array): boolean {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const is64 = file[4] === 2;
  try {
    const phoff = is64 ? Number(v.getBigUint64(32, true)) : v.getUint32(28, true);
    const phentsize = v.getUint16(is64 ? 54 : 42, true), phnum = v.getUint16(is64 ? 56 : 44, true);
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * phentsize;
      if (v.getUint32(ph, true) !== 4) continue; // PT_NOTE
      const off = is64 ? Number(v.getBigUint64(ph + 8, true)) : v.getUint32(ph + 4, true);
      const size = is64 ? Number(v.getBigUint64(ph + 32, true)) : v.getUint32(ph + 16, true);
      for (let p = off; p + 12 <= off + size;) {
        const namesz = v.getUint32(p, true), descsz = v.getUint32(p + 4, true), type = v.getUint32(p + 8, true);
        if (type === 18 && namesz === 4 && new TextDecoder().decode(file.subarray(p + 12, p + 15)) === 'Xen') return true;
        p += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
      }
    }
  } catch {
    return false;
  }
  return false;
}

/** load_elf() for an i386 multiboot kernel: segments at their physical addresses. */
function loadElf32(file: Uint8Array): { entry: number; low: number; image: Uint8Array } {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 52 || v.getUint32(0, false) !== 0x7f454c46 || file[4] !== 1 || file[5] !== 1 ||
    v.getUint16(18, true) !== EM_386) {
    fatal('Error while loading elf kernel');
  }
  const phoff = v.getUint32(28, true), phentsize = v.getUint16(42, true), phnum = v.getUint16(44, true);
  const segs: Array<{ paddr: number; off: number; filesz: number; memsz: number }> = [];
  let low = Infinity, high = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 32 > file.length) fatal('Error while loading elf kernel');
    if (v.getUint32(ph, true) !== 1) continue; // PT_LOAD
    const seg = { off: v.getUint32(ph + 4, true), paddr: v.getUint32(ph + 12, true), filesz: v.getUint32(ph + 16, true), memsz: v.getUint32(ph + 20, true) };
    if (seg.memsz === 0) continue;
    if (seg.off + seg.filesz > file.length) fatal('Error while loading elf kernel');
    segs.push(seg);
    low = Math.min(low, seg.paddr);
    high = Math.max(high, seg.paddr + seg.memsz);
  }
  if (segs.length === 0) fatal('Error while loading elf kernel');
  const image = new Uint8Array(high - low);
  for (const s of segs) image.set(file.subarray(s.off, s.off + s.filesz), s.paddr - low);
  return { entry: v.getUint32(24, true), low, image };
}

/** get_opt_value(): -initrd's comma-separated list, ",," standing for a comma. */
function splitModules(list: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < list.length; i++) {
    if (list[i] === ',') {
      if (list[i + 1] === ',') {
        cur += ',';
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
      continue;
    }
    cur += list[i];
  }
  out.push(cur);
  return out;
}

function readModule(name: string): Uint8Array {
  try {
    const fd = openSync(name, 'r');
    try {
      const size = fstatSync(fd).size;
      const data = new Uint8Array(size);
      readSync(fd, data, 0, size, 0);
      return data;
    } finally {
      closeSync(fd);
    }
  } catch {
    fatal(`Failed to open file '${name}'`);
  }
}

/** load_multiboot(): null when the first 8 KiB hold no multiboot header. */
export function loadMultiboot(file: Uint8Array, header: Uint8Array, kernelFilename: string, initrd: string | undefined,
  cmdline: string, mem: MultibootMemory): MultibootImage | null {
  const hv = new DataView(header.buffer, header.byteOffset, header.byteLength);
  let at = -1;
  // The header is 12 dwords long, so the last place it may start is 8192 - 48.
  for (let i = 0; i < 8192 - 48; i += 4) {
    if (hv.getUint32(i, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    if (((hv.getUint32(i + 8, true) + hv.getUint32(i + 4, true) + MULTIBOOT_HEADER_MAGIC) >>> 0) === 0) {
      at = i;
      break;
    }
  }
  if (at < 0) return null;
  const flags = hv.getUint32(at + 4, true);
  if (flags & 4) errorReport('multiboot knows VBE. we don\'t');

  let entry: number, loadAddr: number, kernel: Uint8Array;
  if ((flags & 0x10000) === 0) {
    if (hv.getUint16(18, true) === EM_X86_64) fatal('Cannot load x86-64 image, give a 32bit one.');
    const elf = loadElf32(file);
    entry = elf.entry;
    loadAddr = elf.low;
    kernel = elf.image;
  } else {
    // The a.out kludge: the header gives the load addresses.
    const headerAddr = hv.getUint32(at + 12, true);
    loadAddr = hv.getUint32(at + 16, true);
    const loadEndAddr = hv.getUint32(at + 20, true), bssEndAddr = hv.getUint32(at + 24, true);
    entry = hv.getUint32(at + 28, true);
    if (headerAddr < loadAddr) fatal('invalid load_addr address');
    const textOffset = (at - (headerAddr - loadAddr)) >>> 0;
    let loadSize: number;
    if (loadEndAddr) {
      if (loadEndAddr < loadAddr) fatal('invalid load_end_addr address');
      loadSize = loadEndAddr - loadAddr;
    } else {
      if (file.length < textOffset) fatal('invalid kernel_file_size');
      loadSize = file.length - textOffset;
    }
    let kernelSize = loadSize;
    if (bssEndAddr) {
      if (bssEndAddr < loadAddr + loadSize) fatal('invalid bss_end_addr address');
      kernelSize = bssEndAddr - loadAddr;
    }
    kernel = new Uint8Array(kernelSize);
    const part = file.subarray(textOffset, textOffset + loadSize);
    if (part.length !== loadSize) fatal('fread() failed');
    kernel.set(part);
  }

  // mb_buf: the kernel, page-aligned, then the module table, the command lines, the loader name.
  const enc = new TextEncoder();
  const mods = initrd !== undefined ? splitModules(initrd) : [];
  const kcmdline = enc.encode(`${kernelFilename} ${cmdline}\0`);
  const bootloader = enc.encode('qemu\0');
  const modCmdlines = mods.map((m) => enc.encode(`${m}\0`));
  const offsetMbinfo = pageAlign(kernel.length);
  const offsetCmdlines = offsetMbinfo + mods.length * MB_MOD_SIZE;
  // QEMU sizes the command-line area by the file names (kernel, -append, -initrd list).
  const cmdlineLen = enc.encode(kernelFilename).length + 1 + enc.encode(cmdline).length + 1 +
    (initrd !== undefined ? enc.encode(initrd).length + 1 : 0);
  const offsetBootloader = offsetCmdlines + cmdlineLen;
  let size = pageAlign(offsetMbinfo + cmdlineLen + mods.length * MB_MOD_SIZE + bootloader.length);
  const modData = mods.map((m) => readModule(m.split(' ')[0]!));
  const modOffsets: number[] = [];
  for (const d of modData) {
    modOffsets.push(size);
    size = pageAlign(size + d.length);
  }
  const buf = new Uint8Array(size);
  const bv = new DataView(buf.buffer);
  buf.set(kernel);
  let cmdOff = offsetCmdlines;
  const addCmdline = (s: Uint8Array): number => {
    buf.set(s, cmdOff);
    const phys = loadAddr + cmdOff;
    cmdOff += s.length;
    return phys;
  };
  modData.forEach((d, k) => {
    const c = addCmdline(modCmdlines[k]!);
    buf.set(d, modOffsets[k]!);
    const p = offsetMbinfo + k * MB_MOD_SIZE;
    bv.setUint32(p, loadAddr + modOffsets[k]!, true);
    bv.setUint32(p + 4, loadAddr + modOffsets[k]! + d.length, true);
    bv.setUint32(p + 8, c, true);
  });
  const mbi = new Uint8Array(MBI_SIZE);
  const mv = new DataView(mbi.buffer);
  mv.setUint32(16, addCmdline(kcmdline), true);
  buf.set(bootloader, offsetBootloader);
  mv.setUint32(64, loadAddr + offsetBootloader, true);
  mv.setUint32(24, loadAddr + offsetMbinfo, true);
  mv.setUint32(20, mods.length, true);
  mv.setUint32(0, MBI_FLAGS, true);
  mv.setUint32(12, 0x8000ffff, true); // boot device: QEMU does not follow -boot here
  mv.setUint32(48, ADDR_E820_MAP, true);
  // What the option ROM adds: mem_lower/mem_upper and the map's length (from INT 15h E820).
  const map = e820Map(mem);
  const ramAt1M = map.find((e) => e.type === E820_RAM && e.base === 0x100000);
  mv.setUint32(4, 639, true);
  mv.setUint32(8, ramAt1M ? ramAt1M.length / 1024 : 0, true);
  mv.setUint32(44, map.length * 24, true);
  const e820 = new Uint8Array(map.length * 24);
  const ev = new DataView(e820.buffer);
  map.forEach((e, k) => {
    const p = k * 24;
    ev.setUint32(p, 20, true); // the entry's size field (the entry itself follows it)
    ev.setBigUint64(p + 4, BigInt(e.base), true);
    ev.setBigUint64(p + 12, BigInt(e.length), true);
    ev.setUint32(p + 20, e.type, true);
  });
  return { kind: 'multiboot', entry, loadAddr, buf, mbi, e820 };
}

/**
 * The E820 map SeaBIOS reports for QEMU's pc (what the multiboot option ROM copies): low RAM
 * with the EBDA, the BIOS area, RAM above 1 MiB less SeaBIOS's top 128 KiB, the BIOS ROM,
 * RAM above 4 GiB, and on AMD CPUs the HyperTransport hole.  Checked against QEMU 7.2.
 */
export function e820Map(mem: MultibootMemory): Array<{ base: number; length: number; type: number }> {
  const map = [
    { base: 0, length: 0x9fc00, type: E820_RAM },
    { base: 0x9fc00, length: 0x400, type: E820_RESERVED },
    { base: 0xf0000, length: 0x10000, type: E820_RESERVED },
  ];
  if (mem.belowFourG > 0x100000 + 0x20000) {
    map.push({ base: 0x100000, length: mem.belowFourG - 0x20000 - 0x100000, type: E820_RAM });
    map.push({ base: mem.belowFourG - 0x20000, length: 0x20000, type: E820_RESERVED });
  }
  map.push({ base: 0xfffc0000, length: 0x40000, type: E820_RESERVED });
  if (mem.aboveFourG > 0) map.push({ base: 2 ** 32, length: mem.aboveFourG, type: E820_RAM });
  if (mem.amdHtHole) map.push({ base: 0xfd00000000, length: 0x300000000, type: E820_RESERVED });
  return map;
}

/** Writes the image, the MBI and the map into guest memory (the option ROM's copies). */
export function multibootLoad(as: AddressSpace, img: MultibootImage): void {
  as.dmaWrite(img.loadAddr, img.buf);
  as.dmaWrite(ADDR_E820_MAP, img.e820);
  as.dmaWrite(ADDR_MBI, img.mbi);
}
