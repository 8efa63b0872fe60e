/*
 * Programmable Attribute Map (hw/pci-host/pam.c): the i440FX's PAM registers
 * decide, per segment of 0xc0000-0xfffff, whether CPU accesses reach RAM or
 * the PCI address space (the option ROM area "pc.rom" and the "isa-bios" alias).
 * QEMU's four attributes, as aliases over RAM or PCI:
 *   0 (PCI)        reads and writes go to PCI;
 *   1 (read-only)  reads come from RAM, writes are dropped;
 *   2 (write-only) RAM for both reads and writes, as QEMU 7.2 maps it
 *                  ("should distinguish read/write cases" there);
 *   3 (read/write) RAM.
 * SeaBIOS shadows itself by copying the BIOS to RAM under attribute 3 and
 * then locking it with attribute 1.
 */
import { MemoryRegion, type AddressSpace } from '../../exec/memory.js';

export const PAM_BIOS_BASE = 0xf0000;
export const PAM_BIOS_SIZE = 0x10000;
export const PAM_EXPAN_BASE = 0xc0000;
export const PAM_EXPAN_SIZE = 0x4000;
export const PAM_REGIONS_COUNT = 13;
const PAM_ATTR_MASK = 3;
/** Above RAM and above the PCI space's ROM mappings (priority 1). */
const PAM_PRIORITY = 2;

export class PAMMemoryRegion {
  current = 0;
  readonly ram: MemoryRegion;
  readonly rom: MemoryRegion;
  constructor(readonly start: number, ramMemory: MemoryRegion, size: number) {
    this.ram = MemoryRegion.alias('pam-ram', ramMemory, start, size, false);
    this.rom = MemoryRegion.alias('pam-rom', ramMemory, start, size, true);
  }
}

/** init_pam() for the 13 PAM segments: region 0 is the 64 KiB BIOS segment, 1-12 the 16 KiB ones. */
export function initPams(ramMemory: MemoryRegion): PAMMemoryRegion[] {
  const pams = [new PAMMemoryRegion(PAM_BIOS_BASE, ramMemory, PAM_BIOS_SIZE)];
  for (let i = 0; i < PAM_REGIONS_COUNT - 1; i++) {
    pams.push(new PAMMemoryRegion(PAM_EXPAN_BASE + i * PAM_EXPAN_SIZE, ramMemory, PAM_EXPAN_SIZE));
  }
  return pams;
}

/** pam_update(): region `idx` takes its nibble of PAM register `val` (high nibble for even idx). */
export function pamUpdate(as: AddressSpace, pam: PAMMemoryRegion, idx: number, val: number): void {
  const attr = (val >> (idx & 1 ? 0 : 4)) & PAM_ATTR_MASK;
  if (attr === pam.current) return;
  if (pam.current === 1) as.removeRegion(pam.rom);
  if (pam.current >= 2) as.removeRegion(pam.ram);
  pam.current = attr;
  if (attr === 1) as.addRegion(pam.start, pam.rom, PAM_PRIORITY);
  if (attr >= 2) as.addRegion(pam.start, pam.ram, PAM_PRIORITY);
}
