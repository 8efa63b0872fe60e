/*
 * The pc (i440FX/PIIX) machine's ACPI tables (hw/i386/acpi-build.c and
 * hw/i386/acpi-common.c, QEMU 7.2): acpi_build() lays out FACS, DSDT, FACP
 * (revision 1), APIC (MADT), HPET (with the HPET), WAET and RSDT in
 * "etc/acpi/tables", the revision 0 RSDP in "etc/acpi/rsdp", and the loader
 * script in "etc/table-loader"; acpi_setup() publishes them in fw_cfg at
 * machine-done time.  The fixed tables match QEMU's byte for byte; the DSDT
 * (pc-dsdt.ts) has QEMU's objects for what tsqemu's pc has.
 *
 * acpiInstallDirect() runs the loader script host-side (as SeaBIOS would)
 * for a direct kernel boot without firmware.
 */
import type { MachineState } from '../core/machine.js';
import { pcBoard } from './pc-board.js';
import type { PCMachineState } from './pc.js';
import { x86PossibleCpuArchIds, type X86MachineState } from './x86.js';
import { fwCfgModifyFile } from '../nvram/fw_cfg.js';
import { pciConfigWrite, type PCIDevice } from '../pci/pci.js';
import { qdevPropGet } from '../core/qdev-properties.js';
import { BIOSLinker, BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG, biosLinkerLoaderExec } from '../acpi/bios-linker-loader.js';
import {
  AML_AS_SYSTEM_MEMORY, TableData, acpiTableBegin, acpiTableEnd, buildAppendGas, type AcpiTable,
} from '../acpi/aml-build.js';
import { HPET_BASE, buildPcDsdt, pcDsdtConfig } from './pc-dsdt.js';

export const ACPI_BUILD_TABLE_FILE = 'etc/acpi/tables';
export const ACPI_BUILD_RSDP_FILE = 'etc/acpi/rsdp';
export const ACPI_BUILD_LOADER_FILE = 'etc/table-loader';
/** ACPI_BUILD_TABLE_SIZE: the tables blob is padded to this, so its size stays stable. */
const ACPI_BUILD_TABLE_SIZE = 0x20000;
/** ACPI_BUILD_ALIGN_SIZE: the loader script is padded to this. */
const ACPI_BUILD_ALIGN_SIZE = 0x1000;

const APIC_DEFAULT_ADDRESS = 0xfee00000;
const IO_APIC_DEFAULT_ADDRESS = 0xfec00000;
/** ACPI_BUILD_IOAPIC_ID */
const ACPI_BUILD_IOAPIC_ID = 0x0;
/** ACPI_BUILD_PCI_IRQS: the ISA IRQs PCI interrupts are routed to (level, active high). */
const ACPI_BUILD_PCI_IRQS = (1 << 5) | (1 << 9) | (1 << 10) | (1 << 11);
/** RTC_CENTURY: the CMOS century register. */
const RTC_CENTURY = 0x32;

/** The PIIX4 PM facts acpi_get_pm_info() reads from the device. */
const PIIX4_SCI_INT = 9;
const ACPI_PORT_SMI_CMD = 0xb2;
const ACPI_ENABLE_CMD = 0xf1;
const ACPI_DISABLE_CMD = 0xf0;
const PIIX4_GPE0_BLK = 0xafe0;
const PIIX4_GPE0_BLK_LEN = 4;

/** FADT flags (ACPI 5.2.9, table 5-35). */
const ACPI_FADT_F_WBINVD = 0;
const ACPI_FADT_F_PROC_C1 = 2;
const ACPI_FADT_F_SLP_BUTTON = 5;
const ACPI_FADT_F_RTC_S4 = 7;
const ACPI_FADT_F_USE_PLATFORM_CLOCK = 15;
const ACPI_FADT_F_FORCE_APIC_CLUSTER_MODEL = 18;

/** MADT structure types. */
const ACPI_APIC_PROCESSOR = 0;
const ACPI_APIC_IO = 1;
const ACPI_APIC_XRUPT_OVERRIDE = 2;
const ACPI_APIC_LOCAL_NMI = 4;
const ACPI_APIC_LOCAL_X2APIC = 9;
const ACPI_APIC_LOCAL_X2APIC_NMI = 10;

/** WAET: the ACPI PM timer reads do not need a workaround. */
const ACPI_WAET_PM_TIMER_GOOD = 1 << 1;

/** The PIIX4 PM register block addresses (acpi_get_pm_info for piix4). */
export interface AcpiPmInfo {
  ioBase: number;
  gpe0Blk: number;
  gpe0BlkLen: number;
  sciInt: number;
  s3Disabled: boolean;
  s4Disabled: boolean;
  s4Val: number;
}

/** PMBA (0x40) & 0xffc0: where the PM block is, as the firmware (or nobody yet) set it. */
function acpiGetPmInfo(pm: PCIDevice): AcpiPmInfo {
  const c = pm.config;
  return {
    ioBase: (c[0x40]! | (c[0x41]! << 8)) & 0xffc0,
    gpe0Blk: PIIX4_GPE0_BLK,
    gpe0BlkLen: PIIX4_GPE0_BLK_LEN,
    sciInt: PIIX4_SCI_INT,
    s3Disabled: !!(qdevPropGet(pm, 'disable_s3') as number),
    s4Disabled: !!(qdevPropGet(pm, 'disable_s4') as number),
    s4Val: qdevPropGet(pm, 's4_val') as number,
  };
}

/** build_facs(): 64 bytes, aligned to 64 by the tables file's allocation. */
function buildFacs(t: TableData): void {
  const start = t.len;
  t.appendPadded('FACS', 4);
  t.appendInt(64, 4); // Length
  t.appendZeros(64 - (t.len - start)); // hardware signature, waking vectors, lock, flags: all zero
}

/**
 * build_fadt() for revision 1 (the pc keeps a rev 1 FADT for old Windows):
 * 116 bytes up to the flags, 32-bit block addresses, pointers to FACS and DSDT.
 */
function buildFadtRev1(t: TableData, linker: BIOSLinker, x86ms: X86MachineState, pm: AcpiPmInfo, facsOffset: number, dsdtOffset: number): void {
  const table: AcpiTable = { sig: 'FACP', rev: 1, oemId: x86ms.oemId, oemTableId: x86ms.oemTableId };
  acpiTableBegin(table, t);
  const fieldOffset = t.len;
  t.appendInt(facsOffset, 4); // FIRMWARE_CTRL
  linker.addPointer(ACPI_BUILD_TABLE_FILE, fieldOffset, 4, ACPI_BUILD_TABLE_FILE);
  t.appendInt(dsdtOffset, 4); // DSDT
  linker.addPointer(ACPI_BUILD_TABLE_FILE, fieldOffset + 4, 4, ACPI_BUILD_TABLE_FILE);
  t.appendInt(1, 1); // INT_MODEL: multiple APIC
  t.appendInt(0, 1); // Preferred_PM_Profile: unspecified
  t.appendInt(pm.sciInt, 2);
  t.appendInt(ACPI_PORT_SMI_CMD, 4);
  t.appendInt(ACPI_ENABLE_CMD, 1);
  t.appendInt(ACPI_DISABLE_CMD, 1);
  t.appendInt(0, 1); // S4BIOS_REQ
  t.appendInt(0, 1); // PSTATE_CNT
  t.appendInt(pm.ioBase, 4); // PM1a_EVT_BLK
  t.appendInt(0, 4); // PM1b_EVT_BLK
  t.appendInt(pm.ioBase + 0x04, 4); // PM1a_CNT_BLK
  t.appendInt(0, 4); // PM1b_CNT_BLK
  t.appendInt(0, 4); // PM2_CNT_BLK
  t.appendInt(pm.ioBase + 0x08, 4); // PM_TMR_BLK
  t.appendInt(pm.gpe0Blk, 4); // GPE0_BLK
  t.appendInt(0, 4); // GPE1_BLK
  t.appendInt(4, 1); // PM1_EVT_LEN (32 bits)
  t.appendInt(2, 1); // PM1_CNT_LEN (16 bits)
  t.appendInt(0, 1); // PM2_CNT_LEN
  t.appendInt(4, 1); // PM_TMR_LEN (32 bits)
  t.appendInt(pm.gpe0BlkLen, 1);
  t.appendInt(0, 1); // GPE1_BLK_LEN
  t.appendInt(0, 1); // GPE1_BASE
  t.appendInt(0, 1); // CST_CNT
  t.appendInt(0xfff, 2); // P_LVL2_LAT: C2 not supported
  t.appendInt(0xfff, 2); // P_LVL3_LAT: C3 not supported
  t.appendInt(0, 2); // FLUSH_SIZE
  t.appendInt(0, 2); // FLUSH_STRIDE
  t.appendInt(0, 1); // DUTY_OFFSET
  t.appendInt(0, 1); // DUTY_WIDTH
  t.appendInt(0, 1); // DAY_ALRM
  t.appendInt(0, 1); // MON_ALRM
  t.appendInt(RTC_CENTURY, 1);
  t.appendInt(0, 2); // IAPC_BOOT_ARCH (reserved in rev 1)
  t.appendInt(0, 1); // reserved
  // "Flat logical" APIC destination mode only reaches 8 CPUs.
  const flags = (1 << ACPI_FADT_F_WBINVD) | (1 << ACPI_FADT_F_PROC_C1) | (1 << ACPI_FADT_F_SLP_BUTTON) |
    (1 << ACPI_FADT_F_RTC_S4) | (1 << ACPI_FADT_F_USE_PLATFORM_CLOCK) |
    (x86ms.smp.maxCpus > 8 ? 1 << ACPI_FADT_F_FORCE_APIC_CLUSTER_MODEL : 0);
  t.appendInt(flags >>> 0, 4);
  acpiTableEnd(linker, ACPI_BUILD_TABLE_FILE, table, t);
}

/**
 * acpi_build_madt(): the local APIC of every possible CPU (disabled when not
 * plugged; x2APIC entries for APIC IDs above 254), the I/O APIC, IRQ0 → GSI2,
 * the PCI IRQs as level/active-high, and LINT1 as NMI on every CPU.
 */
function buildMadt(t: TableData, linker: BIOSLinker, x86ms: X86MachineState, irq0Override: boolean): void {
  const table: AcpiTable = { sig: 'APIC', rev: 1, oemId: x86ms.oemId, oemTableId: x86ms.oemTableId };
  acpiTableBegin(table, t);
  t.appendInt(APIC_DEFAULT_ADDRESS, 4);
  t.appendInt(1, 4); // PCAT_COMPAT: dual 8259s present
  const cpus = x86PossibleCpuArchIds(x86ms);
  let x2apicMode = false;
  cpus.forEach((slot, uid) => {
    const enabled = slot.cpu !== undefined ? 1 : 0;
    if (slot.archId < 255) {
      t.appendBytes([ACPI_APIC_PROCESSOR, 8, uid, slot.archId]);
      t.appendInt(enabled, 4);
    } else {
      t.appendBytes([ACPI_APIC_LOCAL_X2APIC, 16, 0, 0]);
      t.appendInt(slot.archId, 4);
      t.appendInt(enabled, 4);
      t.appendInt(uid, 4);
    }
    if (slot.archId > 254) x2apicMode = true;
  });
  t.appendBytes([ACPI_APIC_IO, 12, ACPI_BUILD_IOAPIC_ID, 0]);
  t.appendInt(IO_APIC_DEFAULT_ADDRESS, 4);
  t.appendInt(0, 4); // GSI base
  if (irq0Override) {
    t.appendBytes([ACPI_APIC_XRUPT_OVERRIDE, 10, 0, 0]);
    t.appendInt(2, 4);
    t.appendInt(0, 2); // conforms to the bus
  }
  for (let i = 1; i < 16; i++) {
    if (!(ACPI_BUILD_PCI_IRQS & (1 << i))) continue;
    t.appendBytes([ACPI_APIC_XRUPT_OVERRIDE, 10, 0, i]);
    t.appendInt(i, 4);
    t.appendInt(0xd, 2); // active high, level triggered
  }
  if (x2apicMode) {
    t.appendBytes([ACPI_APIC_LOCAL_X2APIC_NMI, 12]);
    t.appendInt(0, 2); // flags
    t.appendInt(0xffffffff, 4); // all processors
    t.appendBytes([1, 0, 0, 0]); // LINT1, reserved
  } else {
    t.appendBytes([ACPI_APIC_LOCAL_NMI, 6, 0xff]); // all processors
    t.appendInt(0, 2);
    t.appendInt(1, 1); // LINT1
  }
  acpiTableEnd(linker, ACPI_BUILD_TABLE_FILE, table, t);
}

/** build_hpet(): the one HPET block at HPET_BASE. */
function buildHpet(t: TableData, linker: BIOSLinker, x86ms: X86MachineState): void {
  const table: AcpiTable = { sig: 'HPET', rev: 1, oemId: x86ms.oemId, oemTableId: x86ms.oemTableId };
  acpiTableBegin(table, t);
  // Event Timer Block ID, as the emulated HPET's capabilities register reports it.
  t.appendInt(0x8086a201, 4);
  buildAppendGas(t, AML_AS_SYSTEM_MEMORY, 0, 0, 0, HPET_BASE);
  t.appendInt(0, 1); // HPET number
  t.appendInt(0, 2); // minimum clock tick
  t.appendInt(0, 1); // page protection
  acpiTableEnd(linker, ACPI_BUILD_TABLE_FILE, table, t);
}

/** build_waet(): Windows ACPI Emulated Devices Table. */
function buildWaet(t: TableData, linker: BIOSLinker, x86ms: X86MachineState): void {
  const table: AcpiTable = { sig: 'WAET', rev: 1, oemId: x86ms.oemId, oemTableId: x86ms.oemTableId };
  acpiTableBegin(table, t);
  t.appendInt(ACPI_WAET_PM_TIMER_GOOD, 4);
  acpiTableEnd(linker, ACPI_BUILD_TABLE_FILE, table, t);
}

/** build_rsdt(): 32-bit pointers to the tables at `offsets`. */
function buildRsdt(t: TableData, linker: BIOSLinker, x86ms: X86MachineState, offsets: number[]): void {
  const table: AcpiTable = { sig: 'RSDT', rev: 1, oemId: x86ms.oemId, oemTableId: x86ms.oemTableId };
  acpiTableBegin(table, t);
  for (const off of offsets) {
    linker.addPointer(ACPI_BUILD_TABLE_FILE, t.len, 4, ACPI_BUILD_TABLE_FILE);
    t.appendInt(off, 4);
  }
  acpiTableEnd(linker, ACPI_BUILD_TABLE_FILE, table, t);
}

/** build_rsdp() for revision 0 (ACPI 1.0): 20 bytes pointing at the RSDT. */
function buildRsdpRev0(linker: BIOSLinker, oemId: string, rsdtOffset: number): TableData {
  const t = new TableData();
  t.appendPadded('RSD PTR ', 8);
  t.appendInt(0, 1); // checksum, the loader's
  t.appendPadded(oemId, 6);
  t.appendInt(0, 1); // revision
  t.appendInt(rsdtOffset, 4);
  linker.addPointer(ACPI_BUILD_RSDP_FILE, 16, 4, ACPI_BUILD_TABLE_FILE);
  linker.addChecksum(ACPI_BUILD_RSDP_FILE, 0, 20, 8);
  return t;
}

export interface AcpiBuildTables {
  /** etc/acpi/tables, padded to ACPI_BUILD_TABLE_SIZE. */
  tables: Uint8Array;
  /** etc/acpi/rsdp */
  rsdp: Uint8Array;
  /** etc/table-loader, padded to ACPI_BUILD_ALIGN_SIZE. */
  loader: Uint8Array;
}

/** x86_machine_is_acpi_enabled(): acpi=on or auto. */
export function x86MachineIsAcpiEnabled(ms: MachineState): boolean {
  return (ms as X86MachineState).acpi !== 'off';
}

/** acpi_build() for the pc machine; undefined when there is nothing to build (no ACPI device). */
export function acpiBuild(ms: MachineState): AcpiBuildTables | undefined {
  const pcms = ms as PCMachineState;
  const x86ms = ms as X86MachineState;
  const board = pcBoard(ms);
  if (!board?.pm || !x86MachineIsAcpiEnabled(ms)) return undefined;
  const pm = acpiGetPmInfo(board.pm);
  const linker = new BIOSLinker();
  const t = new TableData();
  const tableOffsets: number[] = [];

  const facs = t.len;
  buildFacs(t);
  const dsdt = t.len;
  buildPcDsdt(t, linker, ACPI_BUILD_TABLE_FILE, x86ms, pcDsdtConfig(pcms, board, pm));
  tableOffsets.push(t.len);
  buildFadtRev1(t, linker, x86ms, pm, facs, dsdt);
  tableOffsets.push(t.len);
  // TCG (and KVM with GSI routing) allow the IRQ0 → GSI2 override.
  buildMadt(t, linker, x86ms, true);
  if (pcms.hpetEnabled) {
    tableOffsets.push(t.len);
    buildHpet(t, linker, x86ms);
  }
  tableOffsets.push(t.len);
  buildWaet(t, linker, x86ms);
  const rsdt = t.len;
  buildRsdt(t, linker, x86ms, tableOffsets);
  const rsdp = buildRsdpRev0(linker, x86ms.oemId, rsdt);
  // The tables are allocated before the RSDP; each ALLOCATE goes to the front of the script.
  t.alignSize(ACPI_BUILD_TABLE_SIZE);
  linker.alloc(ACPI_BUILD_TABLE_FILE, t.data, 64, false);
  linker.alloc(ACPI_BUILD_RSDP_FILE, rsdp.data, 16, true);
  const loader = new TableData();
  loader.appendBytes(linker.serialize());
  loader.alignSize(ACPI_BUILD_ALIGN_SIZE);
  return { tables: t.data, rsdp: rsdp.data, loader: loader.data };
}

/** acpi_setup() from pc_machine_done(): the three fw_cfg files (replaced if already there). */
export function acpiSetup(ms: MachineState): void {
  const board = pcBoard(ms);
  if (!board) return;
  const b = acpiBuild(ms);
  if (!b) return;
  fwCfgModifyFile(board.fwCfgState, ACPI_BUILD_TABLE_FILE, b.tables);
  fwCfgModifyFile(board.fwCfgState, ACPI_BUILD_RSDP_FILE, b.rsdp);
  fwCfgModifyFile(board.fwCfgState, ACPI_BUILD_LOADER_FILE, b.loader);
}

/**
 * acpi_build_update(): QEMU rebuilds the tables when the firmware first
 * selects one of the three files (after it has placed the PM block), and
 * copies them over the published ones, whose sizes the padding keeps.  For
 * a fw_cfg select hook on "etc/acpi/tables", "etc/acpi/rsdp" and
 * "etc/table-loader" (fw_cfg_add_file_callback); once per reset in QEMU.
 */
export function acpiBuildUpdate(ms: MachineState): void {
  const board = pcBoard(ms);
  const b = board && acpiBuild(ms);
  if (!b) return;
  const update = (name: string, data: Uint8Array): void => {
    const f = board.fwCfgState.files.find((x) => x.name === name);
    if (f?.entry.data && f.entry.data.length === data.length) f.entry.data.set(data);
    else fwCfgModifyFile(board.fwCfgState, name, data);
  };
  update(ACPI_BUILD_TABLE_FILE, b.tables);
  update(ACPI_BUILD_RSDP_FILE, b.rsdp);
  update(ACPI_BUILD_LOADER_FILE, b.loader);
}

/**
 * What SeaBIOS's piix4_pm_setup() does before the tables are read: the PM
 * block at `ioBase` (PMBA, enabled by PMREGMISC) and the SMBus at 0x700.
 * A direct kernel boot has no firmware to do it; call before acpiInstallDirect.
 */
export function pcAcpiPmFirmwareSetup(ms: MachineState, ioBase = 0x600): void {
  const pm = pcBoard(ms)?.pm;
  if (!pm) return;
  pciConfigWrite(pm, 0x40, ioBase | 1, 4);
  pciConfigWrite(pm, 0x80, 0x01, 1);
  pciConfigWrite(pm, 0x90, 0x700 | 1, 4);
  pciConfigWrite(pm, 0xd2, 0x09, 1);
}

export interface AcpiDirectInstall {
  /** Guest-physical address of the RSDP (for boot_params.acpi_rsdp_addr). */
  rsdpAddr: number;
  /** One past the last byte written from `base`: [base, end) should be reserved (E820 ACPI) for the guest. */
  end: number;
}

/**
 * Builds the tables as they are now (acpi_build_update: the PM block
 * address is read from the device) and runs the loader script host-side:
 * each file goes at the next free address from `base`, aligned as its
 * ALLOCATE asks, its pointers and checksums patched, then written with
 * `writeGuest`.  With `fsegAddr`, the files the script wants in the
 * F segment (the RSDP) go there instead (aligned up), where an OS that
 * does not get the RSDP address from its loader scans for it.  Returns
 * undefined when the machine has no ACPI.
 */
export function acpiInstallDirect(
  ms: MachineState, writeGuest: (addr: number, data: Uint8Array) => void, base: number, fsegAddr?: number,
): AcpiDirectInstall | undefined {
  const b = acpiBuild(ms);
  if (!b) return undefined;
  const files: Record<string, Uint8Array> = {
    [ACPI_BUILD_TABLE_FILE]: b.tables, [ACPI_BUILD_RSDP_FILE]: b.rsdp, [ACPI_BUILD_LOADER_FILE]: b.loader,
  };
  let next = base;
  let nextFseg = fsegAddr;
  const placed = biosLinkerLoaderExec(b.loader, (n) => files[n], {
    allocate: (_name, size, align, zone) => {
      if (zone === BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG && nextFseg !== undefined) {
        const addr = Math.ceil(nextFseg / align) * align;
        nextFseg = addr + size;
        return addr;
      }
      const addr = Math.ceil(next / align) * align;
      next = addr + size;
      return addr;
    },
  });
  for (const f of placed) writeGuest(f.addr, f.data);
  return { rsdpAddr: placed.find((f) => f.name === ACPI_BUILD_RSDP_FILE)!.addr, end: next };
}

