/*
 * The PIIX4 power management function's registers (hw/acpi/piix4.c, QEMU
 * 7.2): PMBA (0x40) and PMREGMISC (0x80) place and enable the 64-byte ACPI
 * I/O block (PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8), GPE0 sits at
 * 0xafe0, the APM ports 0xb2/0xb3 switch SCI_EN (ACPI_ENABLE/ACPI_DISABLE)
 * or raise an SMI, SMBBA (0x90) and SMBHSTCFG (0xd2) hold the SMBus base.
 * SCI goes to gsi 9, as pc_init1 wires it.
 */
import type { IOPortOps, IOPortSpace } from '../../exec/ioport.js';
import { qemuIrqRaise, type QemuIrq } from '../core/irq.js';
import { PCIDevice, pciDefaultWriteConfig, type PCIDeviceClassFields } from '../pci/pci.js';
import { qdevPropGet } from '../core/qdev-properties.js';
import { fwCfgAddFile, fwCfgFind } from '../nvram/fw_cfg.js';
import {
  ACPIREGS, acpiGpeOps, acpiPm1CntUpdate, acpiPmCntOps, acpiPmEvtOps, acpiPmTmrOps, acpiRegsReset, acpiUpdateSci,
} from './core.js';

const PIIX4_PM_IO_SIZE = 64;
const GPE_BASE = 0xafe0;
const GPE_LEN = 4;
const APM_CNT_IOPORT = 0xb2;
const ACPI_ENABLE = 0xf1;
const ACPI_DISABLE = 0xf0;

/** The PIIX4_PM function's state beyond its config space. */
interface PIIX4PMState {
  ar: ACPIREGS;
  io: IOPortSpace | undefined;
  /** Where the PM block is decoded now (-1: disabled). */
  ioBase: number;
  smbIoBase: number;
  smmEnabled: boolean;
  apmc: number;
  apms: number;
  /** The SMI output ("smi-irq"); the CPU's SMI input when the board connects it. */
  smiIrq: QemuIrq;
}

const states = new WeakMap<PCIDevice, PIIX4PMState>();

function pmState(d: PCIDevice): PIIX4PMState {
  let s = states.get(d);
  if (!s) {
    s = { ar: new ACPIREGS(GPE_LEN), io: undefined, ioBase: -1, smbIoBase: 0, smmEnabled: false, apmc: 0, apms: 0, smiIrq: null };
    states.set(d, s);
  }
  return s;
}

/**
 * The 64-byte PM block at `base`: its registers, each a range of its own so
 * that wider accesses split at their ends as in QEMU; the rest reads all ones.
 */
function pmIoMap(s: PIIX4PMState, base: number, on: boolean): void {
  const io = s.io!;
  if (on) {
    io.register(base, 4, acpiPmEvtOps, s.ar);
    io.register(base + 4, 2, acpiPmCntOps, s.ar);
    io.register(base + 8, 4, acpiPmTmrOps, s.ar);
  } else {
    io.unregister(base, PIIX4_PM_IO_SIZE);
  }
}

/** pm_io_space_update(): PMBA & 0xffc0, enabled by PMREGMISC bit 0. */
function pmIoSpaceUpdate(d: PCIDevice): void {
  const s = pmState(d);
  if (!s.io) return;
  const c = d.config;
  const base = (c[0x40]! | (c[0x41]! << 8)) & 0xffc0;
  const next = c[0x80]! & 1 ? base : -1;
  if (next === s.ioBase) return;
  if (s.ioBase >= 0) pmIoMap(s, s.ioBase, false);
  s.ioBase = next;
  if (next >= 0) pmIoMap(s, next, true);
}

/**
 * smbus_io_space_update(): SMBBA & 0xffc0, enabled by SMBHSTCFG bit 0.  The
 * SMBus host controller's registers are not modelled yet: only the base moves.
 */
function smbusIoSpaceUpdate(d: PCIDevice): void {
  const c = d.config;
  pmState(d).smbIoBase = (c[0x90]! | (c[0x91]! << 8)) & 0xffc0;
}

/** pm_write_config(). */
function pmWriteConfig(d: PCIDevice, addr: number, val: number, len: number): void {
  pciDefaultWriteConfig(d, addr, val, len);
  const end = addr + len;
  if ((addr <= 0x80 && 0x80 < end) || (addr < 0x44 && 0x40 < end)) pmIoSpaceUpdate(d);
  if ((addr <= 0xd2 && 0xd2 < end) || (addr < 0x94 && 0x90 < end)) smbusIoSpaceUpdate(d);
}

/** piix4_pm_realize()'s config values. */
function piix4PmRealize(d: PCIDevice): void {
  const s = pmState(d);
  s.smmEnabled = qdevPropGet(d, 'smm-enabled') === true;
  const c = d.config;
  c[0x06] = 0x80;
  c[0x07] = 0x02;
  c[0x09] = 0x00;
  c[0x3d] = 0x01; // INTA
  // With SMM off, SMM is marked as already initialized so the firmware does not try to use it.
  if (!s.smmEnabled) c[0x5b] = 0x02;
  const smb = qdevPropGet(d, 'smb_io_base') as number;
  c[0x90] = smb | 1;
  c[0x91] = smb >> 8;
  c[0xd2] = 0x09;
  smbusIoSpaceUpdate(d);
  // acpi_pm1_cnt_init(): SCI_EN is hard-wired on when there is no SMM to switch it.
  s.ar.acpiOnly = !(qdevPropGet(d, 'smm-compat') === true) && !s.smmEnabled;
  s.ar.s4Val = qdevPropGet(d, 's4_val') as number;
  const fwCfg = fwCfgFind();
  if (fwCfg) {
    const disableS3 = qdevPropGet(d, 'disable_s3') as number, disableS4 = qdevPropGet(d, 'disable_s4') as number;
    // etc/system-states: for S0-S5, bit 7 = state enabled, low bits = SLP_TYP.
    const suspend = Uint8Array.from([128, 0, 0, 1 | ((disableS3 ? 0 : 1) << 7), s.ar.s4Val | ((disableS4 ? 0 : 1) << 7), 128]);
    fwCfgAddFile(fwCfg, 'etc/system-states', suspend);
  }
}

/** piix4_pm_reset(). */
function piix4PmReset(d: PCIDevice): void {
  const s = pmState(d);
  const c = d.config;
  c[0x58] = c[0x59] = c[0x5a] = c[0x5b] = 0;
  c[0x40] = 0x01; // PMBA's I/O space indicator
  c[0x80] = 0;
  if (!s.smmEnabled) c[0x5b] = 0x02;
  acpiRegsReset(s.ar);
  acpiUpdateSci(s.ar);
  pmIoSpaceUpdate(d);
}

/**
 * The APM ports (hw/isa/apm.c, byte registers): APMC at 0xb2, APMS at 0xb3;
 * apm_ioport_writeb() with piix4's apm_ctrl_changed(): SCI_EN commands, else an SMI if APMC_EN.
 */
const apmOps: IOPortOps = {
  read: (o, off, size) => {
    const s = pmState(o as PCIDevice);
    let v = 0;
    for (let i = 0; i < size; i++) v |= (off + i === 0 ? s.apmc : s.apms) << (8 * i);
    return v;
  },
  write: (o, off, val) => {
    const d = o as PCIDevice;
    const s = pmState(d);
    if (off !== 0) {
      s.apms = val & 0xff;
      return;
    }
    s.apmc = val & 0xff;
    acpiPm1CntUpdate(s.ar, s.apmc === ACPI_ENABLE, s.apmc === ACPI_DISABLE);
    if (s.apmc === ACPI_ENABLE || s.apmc === ACPI_DISABLE) return;
    if (d.config[0x5b]! & 2) qemuIrqRaise(s.smiIrq);
  },
};

/**
 * The board's wiring (pc_init1 / piix4_pm_init): the I/O space the blocks
 * live in, SCI on `sci` (gsi 9), the SMI output, and the fixed APM and GPE0 ports.
 */
export function piix4PmWire(d: PCIDevice, io: IOPortSpace, sci: QemuIrq, smi: QemuIrq): void {
  const s = pmState(d);
  s.io = io;
  s.ar.sci = sci;
  s.smiIrq = smi;
  io.register(APM_CNT_IOPORT, 2, apmOps, d);
  io.register(GPE_BASE, GPE_LEN, acpiGpeOps, s.ar);
  s.ioBase = -1;
  pmIoSpaceUpdate(d);
}

/**
 * piix4_pm_machine_ready(): the "device present" bits the firmware reads:
 * LPT at 0x378 (0x5f bit 7), COM1 at 0x3f8 and COM2 at 0x2f8 (0x67).
 */
export function piix4PmMachineReady(d: PCIDevice, present: (port: number) => boolean): void {
  const c = d.config;
  c[0x5f] = 0x10 | (present(0x378) ? 0x80 : 0);
  c[0x63] = 0x60;
  c[0x67] = (present(0x3f8) ? 0x08 : 0) | (present(0x2f8) ? 0x90 : 0);
}

/** The PM block's ACPI registers (for the board and tests). */
export function piix4PmRegs(d: PCIDevice): ACPIREGS {
  return pmState(d).ar;
}

/** PIIX4_PM's PCIDeviceClass hooks. */
export function piix4PmClassInit(pc: PCIDeviceClassFields): void {
  pc.pciRealize = ((orig) => (d: PCIDevice) => {
    orig?.(d);
    piix4PmRealize(d);
  })(pc.pciRealize);
  pc.pciReset = piix4PmReset;
  pc.configWrite = pmWriteConfig;
}
