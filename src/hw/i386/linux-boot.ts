/*
 * -kernel bzImage on the PC: the Linux x86 boot protocol (Documentation/arch/x86/boot.rst) as
 * QEMU 7.2's x86_load_linux() lays it out (hw/i386/x86.c), with what SeaBIOS's linuxboot_dma
 * option ROM and the kernel's real-mode setup code then do, done by us: the protected-mode
 * kernel at 0x100000, the command line at 0x20000, the initrd just below the ACPI area at the
 * top of low RAM, and a zero page (struct boot_params) at 0x10000 holding the image's setup
 * header and the e820 map SeaBIOS would report.  The BSP then enters the compressed kernel's
 * 32-bit entry (code32_start), which decompresses the kernel in the guest as under QEMU.
 * docs/boot.md lists what differs from booting through SeaBIOS.
 */
import { QemuError, QemuExit, errorPrintf } from '../../util/error.js';
import type { AddressSpace } from '../../exec/memory.js';
import type { MachineState } from '../core/machine.js';
import { acpiInstallDirect, pcAcpiPmFirmwareSetup } from './acpi-build.js';
import { e820Map, type MultibootMemory } from './multiboot.js';
import { vmlinuxFromBzImage, type Vmlinux } from './linux-vmlinux.js';

/** x86_load_linux()'s addresses for a "high and recent" kernel (protocol >= 2.02). */
const REAL_ADDR = 0x10000, CMDLINE_ADDR = 0x20000, PROT_ADDR = 0x100000;
/** The room pc-i440fx-7.2 keeps for the ACPI tables when it checks the initrd (acpi_data_size). */
const ACPI_DATA_SIZE = 0x28000;
/** What SeaBIOS reserves at the top of low RAM (e820); the ACPI tables go there. */
export const BIOS_RESERVED_TOP = 0x20000;
/** Where we put the boot GDT (free conventional memory above the BIOS data area). */
const BOOT_GDT_ADDR = 0x500;
/** __BOOT_CS and __BOOT_DS of the 32-bit boot protocol. */
export const BOOT_CS = 0x10, BOOT_DS = 0x18;

const HDRS = 0x53726448;
const LOADED_HIGH = 0x01, CAN_USE_HEAP = 0x80;
const XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;
/* struct boot_params offsets. */
const BP_ALT_MEM_K = 0x1e0, BP_E820_ENTRIES = 0x1e8, BP_HDR = 0x1f1, BP_E820_TABLE = 0x2d0;
const BP_ACPI_RSDP_ADDR = 0x070;
const E820_MAX_ENTRIES_ZEROPAGE = 128;

export interface LinuxImage {
  kind: 'linux';
  /** The zero page, written at zeroPageAddr. */
  zeroPage: Uint8Array;
  zeroPageAddr: number;
  /** The protected-mode kernel, written at its load address (code32_start). */
  kernel: Uint8Array;
  kernelAddr: number;
  entry: number;
  cmdline: Uint8Array;
  cmdlineAddr: number;
  initrd: Uint8Array | undefined;
  initrdAddr: number;
  /** The boot GDT (null, null, __BOOT_CS, __BOOT_DS) and where it goes. */
  gdt: Uint8Array;
  gdtAddr: number;
  /**
   * The host-decompressed kernel (linux-vmlinux.ts), entered in 64-bit mode at entry64 with
   * pageTables (identity map of the low 4 GiB) at pageTablesAddr; undefined: the 32-bit entry.
   */
  vmlinux: Vmlinux | undefined;
  pageTables: Uint8Array | undefined;
  pageTablesAddr: number;
}

/** PML4, PDPT and four page directories of 2 MiB pages: the low 4 GiB identity-mapped. */
const PAGE_TABLES_ADDR = 0x9000;

function identityMap4G(): Uint8Array {
  const t = new Uint8Array(6 * 4096);
  const v = new DataView(t.buffer);
  const PRESENT_RW = 0x3, PS = 0x80;
  v.setUint32(0, (PAGE_TABLES_ADDR + 0x1000) | PRESENT_RW, true);
  for (let i = 0; i < 4; i++) v.setUint32(0x1000 + i * 8, (PAGE_TABLES_ADDR + 0x2000 + i * 0x1000) | PRESENT_RW, true);
  for (let i = 0; i < 4 * 512; i++) {
    const addr = i * 0x200000; // < 4 GiB: the high dword stays 0
    v.setUint32(0x2000 + i * 8, (addr | PRESENT_RW | PS) >>> 0, true);
  }
  return t;
}

function fatal(msg: string): never {
  errorPrintf(`${msg}\n`);
  throw new QemuExit(1);
}

/**
 * Lays out a bzImage (file has "HdrS" at 0x202) with its initrd and command line, with
 * x86_load_linux()'s messages for what QEMU refuses.
 */
export function loadLinux(file: Uint8Array, initrdData: Uint8Array | undefined, cmdline: string,
  mem: MultibootMemory, hostDecompress: boolean): LinuxImage {
  const header = new Uint8Array(8192);
  header.set(file.subarray(0, 8192));
  const hv = new DataView(header.buffer);
  if (hv.getUint32(0x202, true) !== HDRS) throw new Error('loadLinux: not a Linux boot image');
  const protocol = hv.getUint16(0x206, true);
  if (protocol < 0x202 || (header[0x211]! & LOADED_HIGH) === 0) {
    // Low and ancient kernels need their real-mode setup code, which needs a BIOS.
    throw new QemuError('Linux boot protocol < 2.02 (a kernel that is not loaded high) is not supported');
  }

  let headerMax: number;
  if (protocol >= 0x20c && (hv.getUint16(0x236, true) & XLF_CAN_BE_LOADED_ABOVE_4G) !== 0) headerMax = 0xffffffff;
  else if (protocol >= 0x203) headerMax = hv.getUint32(0x22c, true);
  else headerMax = 0x37ffffff;
  const initrdMax = Math.min(headerMax, mem.belowFourG - ACPI_DATA_SIZE - 1);

  hv.setUint32(0x228, CMDLINE_ADDR, true);
  const vga = /vga=(\S*)/.exec(cmdline);
  if (vga) hv.setUint16(0x1fa, videoMode(vga[1]!), true);
  header[0x210] = 0xb0; // type_of_loader: QEMU's nybble
  header[0x211]! |= CAN_USE_HEAP;
  hv.setUint16(0x224, CMDLINE_ADDR - REAL_ADDR - 0x200, true);

  let initrdAddr = 0;
  if (initrdData !== undefined) {
    if (initrdData.length >= initrdMax) {
      fatal(`qemu: initrd is too large, cannot support.(max: ${initrdMax >>> 0}, need ${initrdData.length})`);
    }
    // QEMU's linuxboot_dma ROM moves the initrd up to the end of the RAM SeaBIOS reports
    // (below its reserved top), where the kernel finds it under QEMU.
    initrdAddr = (Math.min(headerMax + 1, mem.belowFourG - BIOS_RESERVED_TOP) - initrdData.length) & ~4095;
    hv.setUint32(0x218, initrdAddr >>> 0, true);
    hv.setUint32(0x21c, initrdData.length, true);
  }

  const setupSects = header[0x1f1] || 4;
  const setupSize = (setupSects + 1) * 512;
  if (setupSize > file.length) fatal('qemu: invalid kernel header');
  const kernel = file.subarray(setupSize);
  const kernelAddr = hv.getUint32(0x214, true) || PROT_ADDR;
  if (kernelAddr + kernel.length > mem.belowFourG) throw new QemuError('the kernel does not fit in RAM');

  const zeroPage = new Uint8Array(4096);
  const zv = new DataView(zeroPage.buffer);
  // The setup header, from 0x1f1 to the end the header's own length byte (at 0x201) gives.
  const hdrEnd = Math.min(0x202 + header[0x201]!, 4096);
  zeroPage.set(header.subarray(BP_HDR, hdrEnd), BP_HDR);
  zv.setUint32(0x214, kernelAddr, true);
  // What the real-mode setup code would have asked the BIOS: INT 15h E820 and E801.
  const map = e820Map(mem);
  const n = Math.min(map.length, E820_MAX_ENTRIES_ZEROPAGE);
  for (let i = 0; i < n; i++) {
    const e = map[i]!, o = BP_E820_TABLE + i * 20;
    zv.setUint32(o, e.base % 2 ** 32, true);
    zv.setUint32(o + 4, Math.floor(e.base / 2 ** 32), true);
    zv.setUint32(o + 8, e.length % 2 ** 32, true);
    zv.setUint32(o + 12, Math.floor(e.length / 2 ** 32), true);
    zv.setUint32(o + 16, e.type, true);
  }
  zeroPage[BP_E820_ENTRIES] = n;
  zv.setUint32(BP_ALT_MEM_K, Math.floor((mem.belowFourG - 0x100000) / 1024), true);

  const gdt = new Uint8Array(32);
  const gv = new DataView(gdt.buffer);
  // Flat 4 GiB code (execute/read) and data (read/write) segments, as boot.rst asks.
  gv.setUint32(0x10, 0x0000ffff, true); gv.setUint32(0x14, 0x00cf9b00, true);
  gv.setUint32(0x18, 0x0000ffff, true); gv.setUint32(0x1c, 0x00cf9300, true);

  let vmlinux = hostDecompress ? vmlinuxFromBzImage(hv, kernel, mem.belowFourG) : undefined;
  // The initrd sits at the top of low RAM; a small guest may leave it no room above the kernel.
  if (vmlinux !== undefined && initrdData !== undefined && initrdAddr < vmlinux.high) vmlinux = undefined;
  if (vmlinux !== undefined) {
    // 64-bit entry: the code segment is a long-mode one (boot.rst, "64-bit boot protocol").
    gv.setUint32(0x14, 0x00af9b00, true);
  }

  return {
    kind: 'linux', zeroPage, zeroPageAddr: REAL_ADDR, kernel, kernelAddr, entry: kernelAddr,
    cmdline: new TextEncoder().encode(`${cmdline}\0`), cmdlineAddr: CMDLINE_ADDR,
    initrd: initrdData, initrdAddr, gdt, gdtAddr: BOOT_GDT_ADDR,
    vmlinux, pageTables: vmlinux === undefined ? undefined : identityMap4G(), pageTablesAddr: PAGE_TABLES_ADDR,
  };
}

/** The vga= parameter's value as x86_load_linux() reads it (qemu_strtoui, base 0). */
function videoMode(v: string): number {
  if (v.startsWith('normal')) return 0xffff;
  if (v.startsWith('ext')) return 0xfffe;
  if (v.startsWith('ask')) return 0xfffd;
  let n = NaN;
  if (/^0[xX][0-9a-fA-F]+$/.test(v)) n = parseInt(v.slice(2), 16);
  else if (/^0[0-7]*$/.test(v)) n = parseInt(v, 8);
  else if (/^[1-9][0-9]*$/.test(v)) n = Number(v);
  if (!(n <= 0xffffffff)) fatal("qemu: invalid 'vga=' kernel parameter.");
  return n & 0xffff;
}

/** Sets the RSDP address in the zero page (boot protocol 2.14's acpi_rsdp_addr). */
function linuxSetRsdp(img: LinuxImage, rsdpAddr: number): void {
  new DataView(img.zeroPage.buffer).setUint32(BP_ACPI_RSDP_ADDR, rsdpAddr, true);
}

/**
 * What SeaBIOS does before it runs linuxboot_dma.bin and that Linux needs: the PIIX4 PM block
 * mapped at 0x600, and the ACPI tables installed in the reserved top 128 KiB of low RAM, the RSDP
 * address in the zero page.  (SeaBIOS's PCI BAR and PIRQ set-up is left to the kernel, which
 * assigns them itself.)
 */
export function linuxFirmwareSetup(ms: MachineState, as: AddressSpace, img: LinuxImage, belowFourG: number): void {
  pcAcpiPmFirmwareSetup(ms);
  const acpi = acpiInstallDirect(ms, (addr, data) => as.dmaWrite(addr, data), belowFourG - BIOS_RESERVED_TOP);
  if (acpi !== undefined) linuxSetRsdp(img, acpi.rsdpAddr);
}

/** Writes the image into guest RAM (what linuxboot_dma.bin copies out of fw_cfg). */
export function linuxBootLoad(as: AddressSpace, img: LinuxImage): void {
  if (img.vmlinux === undefined) as.dmaWrite(img.kernelAddr, img.kernel);
  else {
    for (const seg of img.vmlinux.segments) {
      as.dmaWrite(seg.addr, seg.data);
      if (seg.memsz > seg.data.length) as.dmaWrite(seg.addr + seg.data.length, new Uint8Array(seg.memsz - seg.data.length));
    }
    as.dmaWrite(img.pageTablesAddr, img.pageTables!);
  }
  as.dmaWrite(img.cmdlineAddr, img.cmdline);
  if (img.initrd !== undefined) as.dmaWrite(img.initrdAddr, img.initrd);
  as.dmaWrite(img.zeroPageAddr, img.zeroPage);
  as.dmaWrite(img.gdtAddr, img.gdt);
}
