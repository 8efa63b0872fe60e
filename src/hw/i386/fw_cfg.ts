/*
 * What the PC puts in fw_cfg (hw/i386/fw_cfg.c fw_cfg_arch_create, the
 * e820 table of pc_memory_init, and the generic items of fw_cfg_init1 /
 * fw_cfg_machine_reset), QEMU 7.2, for what tsqemu's pc machine has.
 * The ACPI files come from acpi-build.ts.  Not produced (see
 * docs/known-gaps.md): SMBIOS, the kvmvapic option ROM, etc/tpm/log.
 */
import {
  FW_CFG_ARCH_LOCAL, FW_CFG_BOOT_MENU, FW_CFG_MAX_CPUS, FW_CFG_NB_CPUS, FW_CFG_NOGRAPHIC, FW_CFG_NUMA, FW_CFG_RAM_SIZE,
  FW_CFG_UUID, fwCfgAddBytes, fwCfgAddFile, fwCfgAddI16, fwCfgAddI32, fwCfgAddI64, fwCfgInitIoDma, fwCfgModifyFile,
  type FWCfgState,
} from '../nvram/fw_cfg.js';
import type { IOPortSpace } from '../../exec/ioport.js';
import type { AddressSpace } from '../../exec/memory.js';
import { cpus } from '../core/cpu.js';
import { X86CPU, isAmdCpu } from '../../target/i386/cpu.js';
import type { X86MachineState } from './x86.js';
import { E820_RAM, E820_RESERVED, e820EarlyEntries, type E820Entry } from './e820.js';
import { pcMachineClass, type PCMachineState } from './pc.js';

export const FW_CFG_ACPI_TABLES = FW_CFG_ARCH_LOCAL + 0;
export const FW_CFG_IRQ0_OVERRIDE = FW_CFG_ARCH_LOCAL + 2;
export const FW_CFG_HPET = FW_CFG_ARCH_LOCAL + 4;

const GiB = 1024 * 1024 * 1024;
/** AMD_HT_START / AMD_HT_SIZE: the HyperTransport hole below 1 TiB. */
const AMD_HT_START = 0xfd00000000;
const AMD_HT_SIZE = 0x0300000000;
/** sizeof(struct hpet_fw_config): a count and 8 { u32 id; u64 address; u16 min_tick }. */
const HPET_FW_CONFIG_SIZE = 1 + 8 * 14;

/**
 * The e820 map: entries from before the board (e820AddEntry: KVM's identity
 * map), then pc_memory_init()'s: on an AMD CPU with 40+ physical address bits
 * (7.1+ machines) the HyperTransport range reserved, RAM below 4 GiB and above it.
 */
export function pcE820Table(pcms: PCMachineState): E820Entry[] {
  const table: E820Entry[] = [...e820EarlyEntries()];
  const cpu = cpus[0];
  if (cpu instanceof X86CPU && isAmdCpu(cpu.env) && pcMachineClass(pcms.klass).enforceAmd1tbHole && cpu.physBits >= 40) {
    table.push({ address: AMD_HT_START, length: AMD_HT_SIZE, type: E820_RESERVED });
  }
  table.push({ address: 0, length: pcms.belowFourGMemSize, type: E820_RAM });
  if (pcms.aboveFourGMemSize > 0) table.push({ address: 4 * GiB, length: pcms.aboveFourGMemSize, type: E820_RAM });
  return table;
}

/** struct e820_entry { le64 address; le64 length; le32 type } packed. */
function e820Bytes(table: E820Entry[]): Uint8Array {
  const b = new Uint8Array(20 * table.length);
  const dv = new DataView(b.buffer);
  table.forEach((e, i) => {
    dv.setBigUint64(20 * i, BigInt(e.address), true);
    dv.setBigUint64(20 * i + 8, BigInt(e.length), true);
    dv.setUint32(20 * i + 16, e.type, true);
  });
  return b;
}

/**
 * numa_complete_configuration() without -numa: a 7.2 pc machine with memory
 * hotplug (slots, or maxmem above mem) gets one NUMA node holding all RAM
 * (auto_enable_numa_with_memhp / _with_memdev); tsqemu has no -numa yet.
 */
function pcAutoNumaNodes(pcms: PCMachineState): number {
  return pcms.ramSlots > 0 || pcms.maxramSize > pcms.ramSize ? 1 : 0;
}

const le = (n: number, bytes: number): Uint8Array => {
  const b = new Uint8Array(bytes);
  for (let i = 0, v = n; i < bytes; i++, v = Math.floor(v / 256)) b[i] = v % 256;
  return b;
};

export interface PcFwCfgOptions {
  /** Where to register the ports, and the memory the DMA interface reaches. */
  io: IOPortSpace;
  dmaAs: AddressSpace | undefined;
  dmaEnabled: boolean;
  fileSlots: number;
  /** The machine's UUID (-uuid), 16 bytes; all zeros without one. */
  uuid?: Uint8Array;
  /** hpet_cfg as the HPET device leaves it; without an HPET, the count stays 0xff (UINT8_MAX). */
  hpet?: { id: number; address: number }[];
  /** etc/reserved-memory-end when the machine has hotplug memory (maxmem > mem). */
  reservedMemoryEnd?: number;
}

/**
 * fw_cfg_arch_create() and fw_cfg_init1()'s generic items, the e820 file,
 * the boot items, and the files fw_cfg_machine_reset() keeps current.
 */
export function fwCfgArchCreate(pcms: PCMachineState, o: PcFwCfgOptions): FWCfgState {
  const x86ms = pcms as unknown as X86MachineState;
  const s = fwCfgInitIoDma(o.io, o.dmaAs, o.dmaEnabled, o.fileSlots);
  // fw_cfg_init1()
  fwCfgAddBytes(s, FW_CFG_UUID, o.uuid ?? new Uint8Array(16));
  fwCfgAddI16(s, FW_CFG_NOGRAPHIC, pcms.enableGraphics ? 0 : 1);
  fwCfgAddI16(s, FW_CFG_BOOT_MENU, pcms.boot.menu === true ? 1 : 0);
  const splashTime = pcms.boot['splash-time'];
  if (splashTime !== undefined && splashTime >= 0 && splashTime <= 0xffff) fwCfgAddFile(s, 'etc/boot-menu-wait', le(splashTime, 2));
  // fw_cfg_reboot(): -1 (no reboot after a failed boot) unless reboot-timeout is given.
  const rebootTimeout = pcms.boot['reboot-timeout'];
  fwCfgAddFile(s, 'etc/boot-fail-wait', le(rebootTimeout === undefined ? 0xffffffff : rebootTimeout >>> 0, 4));
  // fw_cfg_arch_create()
  fwCfgAddI16(s, FW_CFG_NB_CPUS, x86ms.bootCpus);
  fwCfgAddI16(s, FW_CFG_MAX_CPUS, x86ms.apicIdLimit);
  fwCfgAddI64(s, FW_CFG_RAM_SIZE, pcms.ramSize);
  fwCfgAddBytes(s, FW_CFG_ACPI_TABLES, new Uint8Array(0));
  fwCfgAddI32(s, FW_CFG_IRQ0_OVERRIDE, 1);
  const hpet = new Uint8Array(HPET_FW_CONFIG_SIZE);
  hpet[0] = o.hpet ? o.hpet.length : 0xff;
  (o.hpet ?? []).forEach((h, i) => {
    const dv = new DataView(hpet.buffer, 1 + 14 * i, 14);
    dv.setUint32(0, h.id, true);
    dv.setBigUint64(4, BigInt(h.address), true);
  });
  fwCfgAddBytes(s, FW_CFG_HPET, hpet);
  // The NUMA channel: a node count, a node per possible APIC ID, memory per node.
  const nodes = pcAutoNumaNodes(pcms);
  const numa = new Uint8Array(8 * (1 + x86ms.apicIdLimit + nodes));
  numa[0] = nodes;
  if (nodes) numa.set(le(pcms.ramSize, 8), 8 * (1 + x86ms.apicIdLimit));
  fwCfgAddBytes(s, FW_CFG_NUMA, numa);
  fwCfgAddFile(s, 'etc/e820', e820Bytes(pcE820Table(pcms)));
  if (o.reservedMemoryEnd !== undefined) fwCfgAddFile(s, 'etc/reserved-memory-end', le(o.reservedMemoryEnd, 8));
  fwCfgMachineReset(s);
  return s;
}

/**
 * fw_cfg_machine_reset(): the boot order and the disk geometries from the
 * devices' bootindex properties; tsqemu's devices have none yet, so both
 * files are empty, as QEMU's are without bootindex devices.
 */
export function fwCfgMachineReset(s: FWCfgState): void {
  fwCfgModifyFile(s, 'bootorder', new Uint8Array(0));
  fwCfgModifyFile(s, 'bios-geometry', new Uint8Array(0));
}
