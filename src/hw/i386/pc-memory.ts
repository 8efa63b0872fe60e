/*
 * pc_memory_init() (hw/i386/pc.c) and x86_bios_rom_init() (hw/i386/x86.c), QEMU 7.2: guest RAM
 * split below and above 4 GiB, the BIOS ROM at the top of the 4 GiB space with its last
 * 128 KiB aliased below 1 MiB ("isa-bios"), and the option ROM area "pc.rom" at 0xc0000.
 *
 * All of it lives in one shared WebAssembly.Memory (exec/memory.ts), which holds at most
 * 4 GiB: a larger machine is built (it can be inspected under -S) but cannot run yet, and
 * pcMemory() says why.
 */
import { readFileSync, statSync } from 'node:fs';
import { AddressSpace, MemoryRegion, RamBlockAllocator } from '../../exec/memory.js';
import { QemuExit } from '../../util/error.js';
import { qemuFindFile } from '../../system/datadir.js';
import type { MachineState } from '../core/machine.js';
import type { PCMachineState } from './pc.js';

export const BIOS_FILENAME = 'bios-256k.bin';
const PC_ROM_MIN_VGA = 0xc0000;
const PC_ROM_SIZE = 0x20000;
const GiB = 1024 * 1024 * 1024;
/** The most one RamBlockAllocator (one WebAssembly.Memory) can hold. */
const MAX_GUEST_BUFFER = 4 * GiB;

export interface PcMemory {
  alloc: RamBlockAllocator;
  /** address_space_memory */
  as: AddressSpace;
  ram: MemoryRegion;
  bios: MemoryRegion;
  /** The guest-physical address of the BIOS ROM (4 GiB - its size). */
  biosBase: number;
}

interface PcMemoryLayout {
  memory: PcMemory | undefined;
  /** Why the machine cannot run (its RAM does not fit the guest buffer). */
  unsupported: string | undefined;
}

const layouts = new WeakMap<MachineState, PcMemoryLayout>();

/** The machine's guest memory, or a reason it has none that can run. */
export function pcMemory(ms: MachineState): PcMemoryLayout | undefined {
  return layouts.get(ms);
}

/** x86_bios_rom_init()'s file checks; the BIOS image is needed even under -S, as in QEMU. */
function loadBiosImage(name: string): Uint8Array {
  const path = qemuFindFile(name);
  let size = -1;
  try {
    if (path !== undefined) size = statSync(path).size;
  } catch {
    size = -1;
  }
  if (path === undefined || size <= 0 || size % 65536 !== 0) {
    // QEMU prints this one without the usual program-name prefix.
    process.stderr.write(`qemu: could not load PC BIOS '${name}'\n`);
    throw new QemuExit(1);
  }
  return readFileSync(path);
}

export function pcMemoryInit(pcms: PCMachineState): void {
  const image = loadBiosImage(pcms.firmware ?? BIOS_FILENAME);
  const below = pcms.belowFourGMemSize, above = pcms.aboveFourGMemSize;
  const total = below + above + image.length + PC_ROM_SIZE;
  if (total > MAX_GUEST_BUFFER) {
    layouts.set(pcms, {
      memory: undefined,
      unsupported: `guest RAM of ${pcms.ramSize / (1024 * 1024)} MiB does not fit in one 4 GiB guest buffer; running it is not supported yet`,
    });
    return;
  }
  const alloc = new RamBlockAllocator(total);
  const as = new AddressSpace(alloc);
  const ram = MemoryRegion.ram(alloc, 'pc.ram', pcms.ramSize);
  as.addAlias(0, ram, 0, below);
  if (above > 0) as.addAlias(4 * GiB, ram, below, above);

  const optionRom = MemoryRegion.rom(alloc, 'pc.rom', PC_ROM_SIZE);
  as.addRegion(PC_ROM_MIN_VGA, optionRom, 1);

  const bios = MemoryRegion.rom(alloc, 'pc.bios', image.length);
  const biosBase = 4 * GiB - image.length;
  as.addRegion(biosBase, bios);
  const isaSize = Math.min(image.length, 128 * 1024);
  as.addAlias(0x100000 - isaSize, bios, image.length - isaSize, isaSize, 1);
  as.loadBlob(biosBase, image);
  layouts.set(pcms, { memory: { alloc, as, ram, bios, biosBase }, unsupported: undefined });
}
