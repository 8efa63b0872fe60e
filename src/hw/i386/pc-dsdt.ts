/*
 * The pc machine's DSDT (build_dsdt() in hw/i386/acpi-build.c, QEMU 7.2, for
 * PIIX): \_SB.PCI0 (PNP0A03) with its _CRS windows and QEMU's _PRT over the
 * PIIX3 PIRQ links LNKA-LNKD plus LNKS (the SCI), the HPET device, the
 * processor container, the GPE0 resources, \_S3/\_S4/\_S5, the fw_cfg
 * device, and the ISA devices under the PIIX3 function (S08): PS/2 keyboard
 * and mouse, COM ports, RTC.  The AML of each object is built as QEMU builds
 * it, so iasl disassembles them the same.
 *
 * Left out, as tsqemu's pc has no such hardware: the PCI hotplug registers
 * at 0xae00 (PCST, SEJ, BNMR, PHPR, the per-slot Sxx devices and _E01), the
 * CPU hotplug registers at 0xaf00 (PRES, CSCN, _E02: processors are declared
 * with a static _STA instead), the floppy controller, and the debug port
 * method DBUG.
 */
import {
  type Aml, AmlAccess, AmlCacheable, AmlLockRule, AmlRegionSpace, AmlSerialize, AmlUpdateRule, TableData, acpiTableBegin, acpiTableEnd,
  amlAdd, amlAnd, amlAppend, amlArg, amlBuffer, amlCall, amlCreateDwordField, amlDevice, amlDwordMemory, amlEisaid, amlElse, amlEqual,
  amlField, amlIf, amlIncrement, amlIndex, amlInt, amlInterrupt, amlIo, amlIrqNoFlags, amlLgreater, amlLless, amlLocal, amlLor,
  amlMemory32Fixed, amlMethod, amlName, amlNameDecl, amlOperationRegion, amlOr, amlPackage, amlPackageEmpty,
  amlProcessor, amlQwordMemory, amlResourceTemplate, amlReturn, amlScope, amlShiftLeft, amlShiftRight, amlStore, amlString,
  amlTableBody, amlWhile, amlWordBusNumber, amlWordIo, type AcpiTable,
} from '../acpi/aml-build.js';
import type { BIOSLinker } from '../acpi/bios-linker-loader.js';
import { objectDynamicCast, objectGetCanonicalPath, objectPropertyGet, objectResolvePath } from '../../qom/object.js';
import { qdevPropGet } from '../core/qdev-properties.js';
import type { DeviceState } from '../core/qdev.js';
import type { PCIDevice } from '../pci/pci.js';
import { piixChildBus } from '../pci/piix.js';
import { TYPE_ISA_SERIAL } from '../char/serial-isa.js';
import { TYPE_I8042 } from '../input/i8042.js';
import { TYPE_MC146818_RTC } from '../rtc/mc146818rtc.js';
import { FW_CFG_IO_BASE } from '../nvram/fw_cfg.js';
import type { PcBoard } from './pc-board.js';
import { pcMachineClass, type PCMachineState } from './pc.js';
import { x86PossibleCpuArchIds, type X86MachineState } from './x86.js';
import type { AcpiPmInfo } from './acpi-build.js';

export const HPET_BASE = 0xfed00000;
const HPET_LEN = 0x400;
/** FW_CFG_CTL_SIZE, and the DMA register after it (rounded to 4). */
const FW_CFG_CTL_SIZE = 2;
const FW_CFG_DMA_SIZE = 8;

/** What the DSDT describes, collected from the machine. */
export interface PcDsdtConfig {
  hpet: boolean;
  pm: AcpiPmInfo;
  /** The 32-bit PCI hole [start, end) and the 64-bit one (empty when start >= end). */
  pciHole: { start: number; end: number };
  pciHole64: { start: bigint; end: bigint };
  piix3Devfn: number;
  /** The ISA devices in bus order (newest first, as QEMU walks isa.0). */
  isaDevices: DeviceState[];
  fwCfgDma: boolean;
  cpus: { uid: number; apicId: number; present: boolean }[];
  /** PCI0's _UID (1 on machine types before 5.1). */
  pciRootUid: number;
}

export function pcDsdtConfig(pcms: PCMachineState, board: PcBoard, pm: AcpiPmInfo): PcDsdtConfig {
  // acpi_get_pci_holes(): the host bridge's pci-hole properties.
  const host = objectResolvePath(objectGetCanonicalPath(pcms) + '/i440fx');
  const prop = (n: string): number => (host ? Number(objectPropertyGet(host, n)) : 0);
  const cpus = x86PossibleCpuArchIds(pcms as unknown as X86MachineState).map((s, uid) => ({ uid, apicId: s.archId, present: s.cpu !== undefined }));
  return {
    hpet: pcms.hpetEnabled,
    pm,
    pciHole: { start: prop('pci-hole-start'), end: prop('pci-hole-end') },
    pciHole64: { start: BigInt(prop('pci-hole64-start')), end: BigInt(prop('pci-hole64-end')) },
    piix3Devfn: (board.piix3 as PCIDevice).devfn,
    isaDevices: [...(piixChildBus(board.piix3)?.children ?? [])],
    fwCfgDma: board.fwCfgState.dmaEnabled,
    cpus,
    pciRootUid: pcMachineClass(pcms.klass).pciRootUid,
  };
}

const L = amlLocal;
const i = amlInt;
const n = amlName;

/** Interrupt(ResourceConsumer, Level, ActiveHigh, Shared) {irqs}. */
const pciLinkIrqs = (irqs: number[]): Aml => amlInterrupt({ consumer: true, level: true, activeHigh: true, shared: true }, irqs);

/**
 * build_prt(): _PRT as a loop over the 128 (slot, pin) entries: slot s pin p
 * goes to link (s + p) & 3 (0: LNKD, 1: LNKA, 2: LNKB, 3: LNKC), except the
 * PIIX4 PM function's pin (slot 1, INTA) which is LNKS, the SCI.
 */
function buildPrt(): Aml {
  const pkg = (link: string): Aml => amlPackage([i(0), i(0), n(link), i(0)]);
  const body: Aml[] = [];
  const whileBody: Aml[] = [
    amlStore(amlShiftRight(L(1), i(2)), L(2)),
    amlStore(amlAnd(amlAdd(L(1), L(2)), i(3)), L(3)),
    amlIf(amlEqual(L(3), i(0)), [amlStore(pkg('LNKD'), L(4))]),
    amlIf(amlEqual(L(3), i(1)), [
      amlIf(amlEqual(L(1), i(4)), [amlStore(pkg('LNKS'), L(4))]),
      amlElse([amlStore(pkg('LNKA'), L(4))]),
    ]),
    amlIf(amlEqual(L(3), i(2)), [amlStore(pkg('LNKB'), L(4))]),
    amlIf(amlEqual(L(3), i(3)), [amlStore(pkg('LNKC'), L(4))]),
    amlStore(amlOr(amlShiftLeft(L(2), i(16)), i(0xffff)), amlIndex(L(4), i(0))),
    amlStore(amlAnd(L(1), i(3)), amlIndex(L(4), i(1))),
    amlStore(L(4), amlIndex(L(0), L(1))),
    amlIncrement(L(1)),
  ];
  body.push(
    amlStore(amlPackageEmpty(128), L(0)),
    amlStore(i(0), L(1)),
    amlWhile(amlLless(L(1), i(128)), whileBody),
    amlReturn(L(0)),
  );
  return amlMethod('_PRT', 0, AmlSerialize.NotSerialized, body);
}

/** One PIRQ link device over PIIX3 register PRQn (build_link_dev). */
function buildLinkDev(name: string, uid: number, reg: string): Aml {
  return amlDevice(name, [
    amlNameDecl('_HID', amlEisaid('PNP0C0F')),
    amlNameDecl('_UID', i(uid)),
    amlNameDecl('_PRS', amlResourceTemplate([pciLinkIrqs([5, 10, 11])])),
    amlMethod('_STA', 0, AmlSerialize.NotSerialized, [amlReturn(amlCall('IQST', [n(reg)]))]),
    amlMethod('_DIS', 0, AmlSerialize.NotSerialized, [amlOr(n(reg), i(0x80), n(reg))]),
    amlMethod('_CRS', 0, AmlSerialize.NotSerialized, [amlReturn(amlCall('IQCR', [n(reg)]))]),
    amlMethod('_SRS', 1, AmlSerialize.NotSerialized, [
      amlCreateDwordField(amlArg(0), i(5), 'PRRI'),
      amlStore(n('PRRI'), n(reg)),
    ]),
  ]);
}

/** build_gsi_link_dev() for the SCI: LNKS, fixed at IRQ 9. */
function buildSciLink(sci: number): Aml {
  return amlDevice('LNKS', [
    amlNameDecl('_HID', amlEisaid('PNP0C0F')),
    amlNameDecl('_UID', i(4)),
    amlNameDecl('_PRS', amlResourceTemplate([pciLinkIrqs([sci])])),
    amlMethod('_STA', 0, AmlSerialize.NotSerialized, [amlReturn(i(0x0b))]),
    amlMethod('_DIS', 0, AmlSerialize.NotSerialized, []),
    amlMethod('_CRS', 0, AmlSerialize.NotSerialized, [amlReturn(n('_PRS'))]),
    amlMethod('_SRS', 1, AmlSerialize.NotSerialized, []),
  ]);
}

/** build_piix4_pci0_int(): _PRT, IQST/IQCR and the link devices, in \_SB. */
function buildPiix4Pci0Int(sci: number): Aml {
  const iqst = amlMethod('IQST', 1, AmlSerialize.NotSerialized, [
    amlIf(amlAnd(i(0x80), amlArg(0)), [amlReturn(i(0x09))]),
    amlReturn(i(0x0b)),
  ]);
  const iqcr = amlMethod('IQCR', 1, AmlSerialize.Serialized, [
    amlNameDecl('PRR0', amlResourceTemplate([pciLinkIrqs([0])])),
    amlCreateDwordField(n('PRR0'), i(5), 'PRRI'),
    amlIf(amlLless(amlArg(0), i(0x80)), [amlStore(amlArg(0), n('PRRI'))]),
    amlReturn(n('PRR0')),
  ]);
  return amlScope('_SB', [
    amlScope('PCI0', [buildPrt()]),
    iqst,
    iqcr,
    buildLinkDev('LNKA', 0, 'PRQ0'),
    buildLinkDev('LNKB', 1, 'PRQ1'),
    buildLinkDev('LNKC', 2, 'PRQ2'),
    buildLinkDev('LNKD', 3, 'PRQ3'),
    buildSciLink(sci),
  ]);
}

/** build_hpet_aml(): present when the block answers with a vendor and a sane period. */
function buildHpetAml(): Aml {
  const sta = amlMethod('_STA', 0, AmlSerialize.NotSerialized, [
    amlStore(n('VEND'), L(0)),
    amlStore(n('PRD'), L(1)),
    amlShiftRight(L(0), i(0x10), L(0)),
    amlIf(amlLor(amlEqual(L(0), i(0)), amlEqual(L(0), i(0xffff))), [amlReturn(i(0))]),
    // A period above 100 ns in femtoseconds is out of spec.
    amlIf(amlLor(amlEqual(L(1), i(0)), amlLgreater(L(1), i(100000000))), [amlReturn(i(0))]),
    amlReturn(i(0x0f)),
  ]);
  return amlScope('_SB', [
    amlDevice('HPET', [
      amlNameDecl('_HID', amlEisaid('PNP0103')),
      amlNameDecl('_UID', i(0)),
      amlOperationRegion('HPTM', AmlRegionSpace.SystemMemory, i(HPET_BASE), HPET_LEN),
      amlField('HPTM', AmlAccess.DWord, AmlLockRule.Lock, AmlUpdateRule.Preserve, [{ name: 'VEND', bits: 32 }, { name: 'PRD', bits: 32 }]),
      sta,
      amlNameDecl('_CRS', amlResourceTemplate([amlMemory32Fixed(HPET_BASE, HPET_LEN, false)])),
    ]),
  ]);
}

/**
 * The processor container (QEMU's build_cpus_aml without the hotplug
 * registers): a Processor object per possible CPU, named C<uid in hex>, with
 * its MADT entry as _MAT and a fixed _STA (present and enabled, or absent).
 */
function buildCpusAml(cpus: PcDsdtConfig['cpus']): Aml {
  const dev = amlDevice('\\_SB.CPUS', [amlNameDecl('_HID', amlString('ACPI0010')), amlNameDecl('_CID', amlEisaid('PNP0A05'))]);
  for (const c of cpus) {
    if (c.uid > 0xff || c.apicId > 254) continue; // Processor() has an 8-bit ID; x2APIC CPUs need ACPI0007 devices.
    const name = 'C' + c.uid.toString(16).toUpperCase().padStart(3, '0');
    amlAppend(dev, amlProcessor(name, c.uid, 0, 0, [
      amlNameDecl('_STA', i(c.present ? 0x0f : 0)),
      // As QEMU, _MAT is the entry a plugged CPU would have: enabled.
      amlNameDecl('_MAT', amlBuffer([0, 8, c.uid, c.apicId, 1, 0, 0, 0])),
    ]));
  }
  return amlScope('_SB', [dev]);
}

/** The PCI0 _CRS (build_crs for the root bus with no expander bridges) and the GPE0 resources. */
function buildPci0Crs(cfg: PcDsdtConfig): Aml {
  const crs: Aml[] = [
    amlWordBusNumber(0x00, 0xff),
    amlIo(true, 0x0cf8, 0x0cf8, 0x01, 0x08),
    amlWordIo(0x0000, 0x0cf7),
    amlWordIo(0x0d00, 0xffff),
    // The legacy VGA window.
    amlDwordMemory(AmlCacheable.Cacheable, true, 0x000a0000, 0x000bffff),
    amlDwordMemory(AmlCacheable.NonCacheable, true, cfg.pciHole.start, cfg.pciHole.end - 1),
  ];
  if (cfg.pciHole64.start < cfg.pciHole64.end) {
    crs.push(amlQwordMemory(AmlCacheable.Cacheable, true, cfg.pciHole64.start, cfg.pciHole64.end - 1n));
  }
  const gpe0 = amlDevice('GPE0', [
    amlNameDecl('_HID', amlString('PNP0A06')),
    amlNameDecl('_UID', amlString('GPE0 resources')),
    amlNameDecl('_STA', i(0x0b)),
    amlNameDecl('_CRS', amlResourceTemplate([amlIo(true, cfg.pm.gpe0Blk, cfg.pm.gpe0Blk, 1, cfg.pm.gpe0BlkLen)])),
  ]);
  return amlScope('\\_SB.PCI0', [amlNameDecl('_CRS', amlResourceTemplate(crs)), gpe0]);
}

/** \_S3 (unless disable_s3), \_S4 with s4_val (unless disable_s4), \_S5: the SLP_TYP values. */
function buildSleepStates(pm: AcpiPmInfo): Aml {
  const scope = amlScope('\\');
  if (!pm.s3Disabled) amlAppend(scope, amlNameDecl('_S3', amlPackage([i(1), i(1), i(0), i(0)])));
  if (!pm.s4Disabled) amlAppend(scope, amlNameDecl('_S4', amlPackage([i(pm.s4Val), i(pm.s4Val), i(0), i(0)])));
  amlAppend(scope, amlNameDecl('_S5', amlPackage([i(0), i(0), i(0), i(0)])));
  return scope;
}

/** fw_cfg_add_acpi_dsdt(): QEMU0002 with the control (and DMA) ports. */
function buildFwCfgAml(dma: boolean): Aml {
  const size = dma ? Math.ceil(FW_CFG_CTL_SIZE / 4) * 4 + FW_CFG_DMA_SIZE : FW_CFG_CTL_SIZE;
  return amlScope('\\_SB.PCI0', [
    amlDevice('FWCF', [
      amlNameDecl('_HID', amlString('QEMU0002')),
      amlNameDecl('_STA', i(0x0b)),
      amlNameDecl('_CRS', amlResourceTemplate([amlIo(true, FW_CFG_IO_BASE, FW_CFG_IO_BASE, 0x01, size)])),
    ]),
  ]);
}

/** The ISA devices' build_aml hooks (isa_build_aml), in isa.0's order. */
function buildIsaDevicesAml(devs: DeviceState[]): Aml[] {
  const out: Aml[] = [];
  const sta = amlNameDecl('_STA', i(0x0f));
  for (const d of devs) {
    if (objectDynamicCast(d, TYPE_I8042)) {
      out.push(amlDevice('KBD', [
        amlNameDecl('_HID', amlEisaid('PNP0303')),
        sta,
        amlNameDecl('_CRS', amlResourceTemplate([amlIo(true, 0x60, 0x60, 1, 1), amlIo(true, 0x64, 0x64, 1, 1), amlIrqNoFlags(1)])),
      ]));
      out.push(amlDevice('MOU', [
        amlNameDecl('_HID', amlEisaid('PNP0F13')),
        sta,
        amlNameDecl('_CRS', amlResourceTemplate([amlIrqNoFlags(12)])),
      ]));
    } else if (objectDynamicCast(d, TYPE_ISA_SERIAL)) {
      const index = qdevPropGet(d, 'index') as number;
      const iobase = qdevPropGet(d, 'iobase') as number;
      out.push(amlDevice(`COM${index + 1}`, [
        amlNameDecl('_HID', amlEisaid('PNP0501')),
        amlNameDecl('_UID', i(index + 1)),
        sta,
        amlNameDecl('_CRS', amlResourceTemplate([amlIo(true, iobase, iobase, 0x00, 0x08), amlIrqNoFlags(qdevPropGet(d, 'irq') as number)])),
      ]));
    } else if (objectDynamicCast(d, TYPE_MC146818_RTC)) {
      const iobase = qdevPropGet(d, 'iobase') as number;
      out.push(amlDevice('RTC', [
        amlNameDecl('_HID', amlEisaid('PNP0B00')),
        amlNameDecl('_CRS', amlResourceTemplate([amlIo(true, iobase, iobase, 0x01, 0x08), amlIrqNoFlags(qdevPropGet(d, 'irq') as number)])),
      ]));
    }
  }
  return out;
}

/**
 * The PIIX3 function (S08 for 01.0, as QEMU names slots S<devfn in hex>):
 * its PIRQ route registers as \_SB.PRQ0-3 (a PCI_Config region at 0x60),
 * then the ISA devices.
 */
function buildIsaBridge(cfg: PcDsdtConfig): Aml {
  const devfn = cfg.piix3Devfn;
  const name = 'S' + devfn.toString(16).toUpperCase().padStart(2, '0');
  const adr = ((devfn >> 3) << 16) | (devfn & 7);
  const dev = amlDevice(name, [
    amlNameDecl('_ADR', i(adr)),
    amlOperationRegion('P40C', AmlRegionSpace.PciConfig, i(0x60), 0x04),
    amlScope('\\_SB', [
      amlField(`PCI0.${name}.P40C`, AmlAccess.Byte, AmlLockRule.NoLock, AmlUpdateRule.Preserve,
        [0, 1, 2, 3].map((k) => ({ name: `PRQ${k}`, bits: 8 }))),
    ]),
    ...buildIsaDevicesAml(cfg.isaDevices),
  ]);
  return amlScope('\\_SB', [amlScope('PCI0', [dev])]);
}

/** build_dsdt() for PIIX. */
export function buildPcDsdt(t: TableData, linker: BIOSLinker, file: string, x86ms: X86MachineState, cfg: PcDsdtConfig): void {
  const table: AcpiTable = { sig: 'DSDT', rev: 1, oemId: x86ms.oemId, oemTableId: x86ms.oemTableId };
  acpiTableBegin(table, t);
  const terms: Aml[] = [];
  terms.push(amlScope('_SB', [
    amlDevice('PCI0', [amlNameDecl('_HID', amlEisaid('PNP0A03')), amlNameDecl('_ADR', i(0)), amlNameDecl('_UID', i(cfg.pciRootUid))]),
  ]));
  terms.push(buildPiix4Pci0Int(cfg.pm.sciInt));
  if (cfg.hpet) terms.push(buildHpetAml());
  terms.push(amlScope('_GPE', [amlNameDecl('_HID', amlString('ACPI0006'))]));
  terms.push(buildCpusAml(cfg.cpus));
  terms.push(buildPci0Crs(cfg));
  terms.push(buildSleepStates(cfg.pm));
  terms.push(buildFwCfgAml(cfg.fwCfgDma));
  terms.push(buildIsaBridge(cfg));
  t.appendBytes(amlTableBody(terms));
  acpiTableEnd(linker, file, table, t);
}
