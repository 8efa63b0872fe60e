/*
 * pc_init1() (hw/i386/pc_piix.c, QEMU 7.2) as far as the QOM/qdev tree goes:
 * the RAM split, the boot CPUs, fw_cfg, the i440FX host bridge with pci.0 and
 * its 00.0 function, PIIX3 (ISA bridge) at 01.0, its IDE function at 01.1, USB
 * at 01.2 with usb=on, and ACPI (PIIX4_PM with the SMBus EEPROMs) at 01.3.
 * pc_basic_device_init() adds the legacy ISA devices (PIC pair, RTC, PIT with
 * the speaker port, COM ports from -serial, i8042, port 0x92) on isa.0, with
 * the I/O port space and the gsi lines they use; pc_cmos_init() fills CMOS.
 * The IOAPIC (/machine/i440fx/ioapic) and the HPET take the gsi lines too.
 * Devices still to come (floppy, ...) are added by their issues.
 */
import { objectNew, objectPropertyAddChild, objectPropertyAddLink, typeRegisterStatic } from '../../qom/object.js';
import { QemuError, warnReport } from '../../util/error.js';
import { deviceClass, type DeviceState } from '../../hw/core/qdev.js';
import { deviceClassSetProps, qdevPropGet, qdevPropSetRaw } from '../../hw/core/qdev-properties.js';
import { TYPE_SYS_BUS_DEVICE, sysbusMmioMap, sysbusRealize } from '../../hw/core/sysbus.js';
import type { MachineState } from '../../hw/core/machine.js';
import { pciBusReset, pciCreateSimple, pciNew, pciRealize, type PCIBus, type PCIDevice } from '../pci/pci.js';
import {
  I440fxPciHost, TYPE_I440FX_PCI_DEVICE, TYPE_I440FX_PCI_HOST_BRIDGE, i440fxInitMemory, i440fxPcihostInitIo, pciHostRootBus,
} from '../pci/i440fx.js';
import { TYPE_PIIX3_DEVICE, TYPE_PIIX3_IDE, TYPE_PIIX4_PM, piix3Wire, piixChildBus, smbusEepromInit } from '../pci/piix.js';
import { piix4PmMachineReady, piix4PmWire } from '../acpi/piix4.js';
import { acpiSetup } from './acpi-build.js';
import { fwCfgAddBytes, fwCfgReset, type FWCfgState } from '../nvram/fw_cfg.js';
import { FW_CFG_HPET, fwCfgArchCreate, fwCfgMachineReset } from './fw_cfg.js';
import { PCMachineState, pcMachineClass } from './pc.js';
import { x86CpusInit, x86MachineClass, x86SmmEnabled, type X86MachineState } from './x86.js';
import { IOPortSpace } from '../../exec/ioport.js';
import { qemuAllocateIrq, qemuAllocateIrqs, qemuSetIrq, type IRQState, type QemuIrq } from '../core/irq.js';
import { isaBusSetResources } from '../isa/isa-io.js';
import { i8259Init, picGetOutput, picReadIrq, type PICCommonState } from '../intc/i8259.js';
import { i8254PitInit, pitGetOut, type PITCommonState } from '../timer/i8254.js';
import { IO_APIC_DEFAULT_ADDRESS, IOAPIC_NUM_PINS, TYPE_IOAPIC, registerIoapicTypes, type IOAPICCommonState } from '../intc/ioapic.js';
import {
  HPET_BASE, HPET_LEGACY_PIT_INT, HPET_LEGACY_RTC_INT, TYPE_HPET, registerHpetTypes, type HPETState,
} from '../timer/hpet.js';
import { QEMU_CLOCK_VIRTUAL, qemuClockGetNs } from '../../qemu/timer.js';
import type { AddressSpace } from '../../exec/memory.js';
import { pcspkInit } from '../audio/pcspk.js';
import { mc146818RtcInit, rtcGetMemory, rtcSetMemory, type RTCState } from '../rtc/mc146818rtc.js';
import { serialHdsIsaInit, serialIsaResetIndex, type ISASerialState } from '../char/serial-isa.js';
import { i8042Init, type KBDState } from '../input/i8042.js';
import { port92Init } from './port92.js';
import { pcMemory, pcMemoryInit } from './pc-memory.js';
import { pcKvmGsiHandler, pcKvmInit, pcKvmIrqchipInKernel, pcKvmPitCreate } from './pc-kvm.js';
import type { Chardev } from '../../chardev/char.js';
import type { BusState } from '../core/bus.js';

export const TYPE_FW_CFG_IO = 'fw_cfg_io';
export const TYPE_PIIX3_USB_UHCI = 'piix3-usb-uhci';

/** What pc_init1 built, for the modules that wire guest-visible behaviour onto it. */
export interface PcBoard {
  pciBus: PCIBus;
  i440fx: DeviceState;
  piix3: DeviceState;
  ide: DeviceState;
  pm: PCIDevice | undefined;
  fwCfg: DeviceState;
  /** The fw_cfg items and files (hw/nvram/fw_cfg.ts). */
  fwCfgState: FWCfgState;
  /** The I/O port space (address_space_io) every ISA device registers in. */
  io: IOPortSpace;
  /** The 24 gsi lines (x86ms->gsi); 0-15 reach the PIC, all reach the IOAPIC. */
  gsi: IRQState[];
  /** The IOAPIC (absent with KVM's in-kernel irqchip). */
  ioapic: IOAPICCommonState | undefined;
  /**
   * The IOAPIC inputs the gsi lines drive (GSIState.ioapic_irq): replacing an
   * entry intercepts that line, as qtest's irq_intercept_in does.
   */
  ioapicIrqs: QemuIrq[];
  /** The HPET, when the machine has one (hpet=on, the default). */
  hpet: HPETState | undefined;
  pic: { master: PICCommonState; slave: PICCommonState };
  pit: PITCommonState;
  rtc: RTCState;
  serials: ISASerialState[];
  i8042: KBDState | undefined;
  /** The CPU's INTR input, driven by the master PIC's INT output; set with pcSetCpuIntr. */
  cpuIntr: { line: QemuIrq };
  /** The A20 gate as the i8042 and port 0x92 drive it (1 = enabled); set with pcSetA20Handler. */
  a20: { level: number; handler: ((level: number) => void) | undefined };
}

/** The -serial chardevs in order (serial_hd(i)); the start-up code sets them before board init. */
let serialHds: Array<Chardev | undefined> = [];

export function pcSetSerialHds(chrs: Array<Chardev | undefined>): void {
  serialHds = chrs;
}

const boards = new WeakMap<MachineState, PcBoard>();

export function pcBoard(ms: MachineState): PcBoard | undefined {
  return boards.get(ms);
}

/** machine_usb(): usb=on, or -usb. */
function machineUsb(ms: MachineState): boolean {
  return ms.usb === true;
}

const GiB = 1024 * 1024 * 1024;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/**
 * The below/above 4 GiB RAM split of pc_init1: up to max-ram-below-4g (3.5 GiB)
 * below; a machine that must split moves the split down to 3 GiB, for alignment.
 */
function pcRamSplit(pcms: PCMachineState): void {
  if (!pcms.maxRamBelow4g) pcms.maxRamBelow4g = 0xe0000000;
  let lowmem = pcms.maxRamBelow4g;
  if (pcms.ramSize >= pcms.maxRamBelow4g && pcMachineClass(pcms.klass).gigabyteAlign) {
    if (lowmem > 0xc0000000) lowmem = 0xc0000000;
    if (lowmem % GiB) {
      warnReport(`Large machine and max_ram_below_4g (${pcms.maxRamBelow4g}) not a multiple of 1G; possible bad performance.`);
    }
  }
  if (pcms.ramSize >= lowmem) {
    pcms.aboveFourGMemSize = pcms.ramSize - lowmem;
    pcms.belowFourGMemSize = lowmem;
  } else {
    pcms.aboveFourGMemSize = 0;
    pcms.belowFourGMemSize = pcms.ramSize;
  }
}

/** pc_above_4g_end(): RAM above 4 GiB starts at 4 GiB. */
function pcAbove4gEnd(pcms: PCMachineState): number {
  return 4 * GiB + pcms.aboveFourGMemSize;
}

/**
 * pc_pci_hole64_start(): after the hotplug memory region when there is one
 * (machines with broken_reserved_end put it at the region's start), else after
 * RAM; rounded up to 1 GiB.
 */
export function pcPciHole64Start(pcms: PCMachineState): number {
  const pcmc = pcMachineClass(pcms.klass);
  let start: number;
  if (pcmc.hasReservedMemory && pcms.ramSize < pcms.maxramSize) {
    start = roundUp(pcAbove4gEnd(pcms), GiB);
    let size = pcms.maxramSize - pcms.ramSize;
    if (pcmc.enforceAlignedDimm) size += GiB * pcms.ramSlots;
    if (!pcmc.brokenReservedEnd) start += size;
  } else {
    start = pcAbove4gEnd(pcms);
  }
  return roundUp(start, GiB);
}

/** ACPI_MAX_RAM_SLOTS: memory hotplug slots the PC's ACPI tables describe. */
const ACPI_MAX_RAM_SLOTS = 256;
const TARGET_PAGE_SIZE = 4096;

/** pc_memory_init()'s checks of the hotplug memory configuration. */
function pcMemoryChecks(pcms: PCMachineState): void {
  const pcmc = pcMachineClass(pcms.klass);
  if (!pcmc.hasReservedMemory && (pcms.ramSlots || pcms.maxramSize > pcms.ramSize)) {
    throw new QemuError(`"-memory 'slots|maxmem'" is not supported by: ${pcms.mc.name}`);
  }
  if (!pcmc.hasReservedMemory || pcms.ramSize >= pcms.maxramSize) return;
  if (pcms.ramSlots > ACPI_MAX_RAM_SLOTS) {
    throw new QemuError(`unsupported amount of memory slots: ${pcms.ramSlots}`);
  }
  if (pcms.maxramSize % TARGET_PAGE_SIZE) {
    throw new QemuError(`maximum memory size must by aligned to multiple of ${TARGET_PAGE_SIZE} bytes`);
  }
}

/**
 * fw_cfg_arch_create() → fw_cfg_init_io_dma(): /machine/fw_cfg on the system
 * bus, with the PC's items (hw/i386/fw_cfg.ts) on ports 0x510/0x514.
 */
function fwCfgIoCreate(pcms: PCMachineState, io: IOPortSpace): { dev: DeviceState; state: FWCfgState } {
  const dev = objectNew(TYPE_FW_CFG_IO) as DeviceState;
  if (!x86MachineClass(pcms.klass).fwcfgDmaEnabled) qdevPropSetRaw(dev, 'dma_enabled', false);
  objectPropertyAddChild(pcms, 'fw_cfg', dev);
  sysbusRealize(dev);
  const pcmc = pcMachineClass(pcms.klass);
  const state = fwCfgArchCreate(pcms, {
    io,
    dmaAs: pcMemory(pcms)?.memory?.as,
    dmaEnabled: qdevPropGet(dev, 'dma_enabled') === true,
    fileSlots: qdevPropGet(dev, 'x-file-slots') as number,
    reservedMemoryEnd: pcmc.hasReservedMemory && pcms.ramSize < pcms.maxramSize ? pcPciHole64Start(pcms) : undefined,
  });
  return { dev, state };
}

/** pc_vga_init() → pci_vga_init(): the chosen adapter in the first free slot (02.0). */
function pcVgaInit(pcms: PCMachineState, bus: PCIBus): void {
  const type = { std: 'VGA', cirrus: 'cirrus-vga' }[pcms.vgaInterfaceType ?? 'none'];
  if (type) pciCreateSimple(bus, -1, type);
}

/** pc_init1(machine, TYPE_I440FX_PCI_HOST_BRIDGE, TYPE_I440FX_PCI_DEVICE). */
export function pcInit1(ms: MachineState): void {
  const pcms = ms as PCMachineState;
  const pcmc = pcMachineClass(pcms.klass);
  pcRamSplit(pcms);
  x86CpusInit(pcms, pcmc.defaultCpuVersion);
  pcMemoryChecks(pcms);

  // The host bridge exists before RAM and fw_cfg are set up, but is realized after them (7.2 order).
  const host = objectNew(TYPE_I440FX_PCI_HOST_BRIDGE) as I440fxPciHost;
  objectPropertyAddChild(pcms, 'i440fx', host);
  host.belowFourGMemSize = pcms.belowFourGMemSize;
  host.pciHole64Start = () => pcPciHole64Start(pcms);

  // address_space_io, which the host bridge, fw_cfg and the ISA devices share.
  const io = new IOPortSpace();

  // pc_memory_init(): RAM, the BIOS and option ROMs, then fw_cfg.
  pcMemoryInit(pcms);
  const { dev: fwCfg, state: fwCfgState } = fwCfgIoCreate(pcms, io);

  // i440fx_init()
  sysbusRealize(host);
  i440fxPcihostInitIo(host, io);
  const pciBus = pciHostRootBus(host)!;
  const i440fx = pciCreateSimple(pciBus, 0, TYPE_I440FX_PCI_DEVICE);
  const mem = pcMemory(pcms)?.memory;
  i440fxInitMemory(i440fx, mem?.as, mem?.ram, pcms.ramSize);

  const piix3 = pciCreateSimple(pciBus, -1, TYPE_PIIX3_DEVICE, true);
  const isaBus = piixChildBus(piix3)!;
  // x86ms->gsi, routed by gsi_handler to the PIC and the IOAPIC.
  const gsiState: GSIState = { i8259Irq: [], ioapicIrq: [] };
  const gsi = qemuAllocateIrqs(gsiHandler, gsiState, GSI_NUM_PINS);
  // PCI INTA-D through PIIX3's PIRQ routing to the gsi lines, and the reset control register.
  piix3Wire(piix3, pciBus, gsi, io);
  isaBusSetResources(isaBus, io, gsi);
  const cpuIntr: { line: QemuIrq } = { line: null };
  const pic = i8259Init(isaBus, qemuAllocateIrq((_o, _n, level) => qemuSetIrq(cpuIntr.line, level), null, 0));
  gsiState.i8259Irq.push(...pic.irqs);
  // With KVM's in-kernel irqchip the kernel's IOAPIC takes the gsi lines (pcKvmGsiHandler).
  const ioapic = pcKvmIrqchipInKernel() ? undefined : ioapicInitGsi(gsiState, host, mem?.as, () => picReadIrq(pic.master, pic.slave));
  pcVgaInit(pcms, pciBus);

  // Without Xen, vmport=auto means on (the vmport device itself comes with the ISA devices).
  if (pcms.vmport === 'auto') pcms.vmport = 'on';

  const a20: PcBoard['a20'] = { level: 1, handler: undefined };
  const basic = pcBasicDeviceInit(pcms, isaBus, gsi, a20, mem?.as);
  // fw_cfg's HPET item is hpet_cfg, which the HPET fills in (its count stays 0xff without one).
  if (basic.hpet) fwCfgAddBytes(fwCfgState, FW_CFG_HPET, hpetFwConfig(basic.hpet));
  const ide = pciCreateSimple(pciBus, piix3.devfn + 1, TYPE_PIIX3_IDE);
  pcCmosInit(pcms, basic.rtc);

  if (machineUsb(pcms)) pciCreateSimple(pciBus, piix3.devfn + 2, TYPE_PIIX3_USB_UHCI);

  let pm: PCIDevice | undefined;
  if (pcms.acpi !== 'off') {
    const acpiDev = pciNew(piix3.devfn + 3, TYPE_PIIX4_PM);
    qdevPropSetRaw(acpiDev, 'smb_io_base', 0xb100);
    qdevPropSetRaw(acpiDev, 'smm-enabled', x86SmmEnabled(pcms));
    pciRealize(acpiDev, pciBus);
    // SCI on gsi 9; the SMI output waits for a CPU with SMM.
    piix4PmWire(acpiDev, io, gsi[9]!, null);
    smbusEepromInit(piixChildBus(acpiDev)!, 8);
    objectPropertyAddLink(pcms, 'acpi-device', 'hotplug-handler', () => acpiDev);
    pm = acpiDev;
  }
  pcKvmInit(ms, io);
  boards.set(ms, { pciBus, i440fx, piix3, ide, pm, fwCfg, fwCfgState, io, gsi, ioapic, ioapicIrqs: gsiState.ioapicIrq, pic, cpuIntr, a20, ...basic });
  pcMachineDone(ms);
}

/**
 * pc_machine_done() / machine-init-done notifiers: the parts that depend on
 * every device being there (PIIX4 PM's device-present bits).  pcInit1 runs it
 * for the board's own devices; the start-up code runs it again after -device.
 */
export function pcMachineDone(ms: MachineState): void {
  const b = boards.get(ms)!;
  const isaBus = piixChildBus(b.piix3)!;
  // memory_region_present(io, port) for the ports it asks about: the ISA serial and parallel ports.
  const present = (port: number): boolean => isaBus.children.some((dev) => qdevPropGet(dev, 'iobase') === port);
  if (b.pm) piix4PmMachineReady(b.pm, present);
  acpiSetup(ms);
}

/**
 * The system reset of the system-bus devices (HPET, IOAPIC), the PCI functions
 * and fw_cfg (qemu_devices_reset over main-system-bus, fw_cfg_machine_reset):
 * for a guest reset (0xcf9, i8042, port 0x92) together with pcIsaDevicesReset.
 */
export function pcPciDevicesReset(ms: MachineState): void {
  const b = boards.get(ms)!;
  for (const dev of [b.hpet, b.ioapic]) if (dev) deviceClass(dev.klass).reset?.(dev);
  pciBusReset(b.pciBus);
  fwCfgReset(b.fwCfgState);
  fwCfgMachineReset(b.fwCfgState);
}

const ISA_NUM_IRQS = 16;
const GSI_NUM_PINS = IOAPIC_NUM_PINS;
/** hpet_irqs of pc_basic_device_init for pc-piix: the HPET's timers may use IRQ 2 only. */
const PIIX_HPET_INTCAP = 0x4;

/**
 * hpet_cfg (struct hpet_fw_config) with this machine's one HPET: the count,
 * then per HPET { u32 event_timer_block_id; u64 address; u16 min_tick; u8 page_prot }.
 */
function hpetFwConfig(hpet: HPETState): Uint8Array {
  const b = new Uint8Array(1 + 8 * 15);
  const dv = new DataView(b.buffer);
  b[0] = 1;
  dv.setUint32(1, hpet.capabilityLo, true);
  dv.setUint32(5, HPET_BASE, true);
  return b;
}

/** GSIState: where each gsi line goes. */
interface GSIState {
  i8259Irq: QemuIrq[];
  ioapicIrq: QemuIrq[];
}

/**
 * gsi_handler(): gsi 0-15 drive their PIC input and the IOAPIC input of the
 * same number, 16-23 the IOAPIC only (the IOAPIC itself takes ISA IRQ 0 on pin 2).
 */
function gsiHandler(opaque: unknown, n: number, level: number): void {
  if (pcKvmIrqchipInKernel()) return pcKvmGsiHandler(n, level);
  const s = opaque as GSIState;
  if (n < ISA_NUM_IRQS) qemuSetIrq(s.i8259Irq[n] ?? null, level);
  qemuSetIrq(s.ioapicIrq[n] ?? null, level);
}

/**
 * ioapic_init_gsi(): the IOAPIC as /machine/i440fx/ioapic at 0xfec00000, its
 * inputs on the gsi lines; its MSI writes go to the system address space.
 */
function ioapicInitGsi(gsiState: GSIState, parent: DeviceState, as: AddressSpace | undefined, picAck: () => number): IOAPICCommonState {
  const dev = objectNew(TYPE_IOAPIC) as IOAPICCommonState;
  objectPropertyAddChild(parent, 'ioapic', dev);
  dev.as = as;
  dev.picReadIrq = picAck;
  sysbusRealize(dev);
  sysbusMmioMap(dev, 0, IO_APIC_DEFAULT_ADDRESS, as);
  gsiState.ioapicIrq.push(...dev.irqIn);
  return dev;
}

/**
 * Whether pc_basic_device_init creates the HPET: hpet=on, and not beside KVM's
 * in-kernel PIT (QEMU's case without KVM_CAP_PIT_STATE2: tsqemu cannot stop
 * the kernel's PIT when the HPET takes IRQ 0 over).
 */
function pcHasHpet(pcms: PCMachineState): boolean {
  return pcms.hpetEnabled && !pcKvmIrqchipInKernel();
}

/** The HPET at 0xfed00000 with intcap IRQ 2, its 24 sysbus IRQs on the gsi lines. */
function pcHpetCreate(gsi: IRQState[], as: AddressSpace | undefined): HPETState {
  const hpet = objectNew(TYPE_HPET) as HPETState;
  // An intcap set by -global stays, unless its low byte is 0 (QEMU reads it into a uint8_t).
  if (((qdevPropGet(hpet, 'hpet-intcap') as number) & 0xff) === 0) qdevPropSetRaw(hpet, 'hpet-intcap', PIIX_HPET_INTCAP);
  hpet.as = as;
  sysbusRealize(hpet);
  sysbusMmioMap(hpet, 0, HPET_BASE, as);
  for (let i = 0; i < GSI_NUM_PINS; i++) hpet.irqs[i] = gsi[i]!;
  return hpet;
}

/**
 * The PIT's gpio-in 0 (pit_irq_control) as the HPET's legacy mode drives it:
 * enabled again, the PIT's line takes its current OUT level.  While disabled
 * the PIT keeps counting, but the HPET does not pass its line on.
 */
function pcPitIrqControl(opaque: unknown, _n: number, enable: number): void {
  const ch0 = (opaque as PITCommonState).channels[0]!;
  if (enable) qemuSetIrq(ch0.irq, pitGetOut(ch0, qemuClockGetNs(QEMU_CLOCK_VIRTUAL)));
}

/**
 * pc_basic_device_init(): in 7.2's order, the RTC (IRQ 8), the PIT (IRQ 0)
 * with port 0x61, the COM ports, then pc_superio_init's i8042 and port 0x92,
 * whose A20 outputs meet in one line.
 */
function pcBasicDeviceInit(pcms: PCMachineState, isaBus: BusState, gsi: IRQState[], a20: PcBoard['a20'], as: AddressSpace | undefined) {
  // With an HPET, the PIT's and the RTC's lines go through it (its legacy replacement cuts them off).
  const hpet = pcHasHpet(pcms) ? pcHpetCreate(gsi, as) : undefined;
  const rtc = mc146818RtcInit(isaBus, 0, hpet?.legacyIn[HPET_LEGACY_RTC_INT]);
  const pit = i8254PitInit(isaBus, 0x40, hpet ? hpet.legacyIn[HPET_LEGACY_PIT_INT]! : gsi[0]!);
  if (hpet) hpet.pitEnabled = qemuAllocateIrq(pcPitIrqControl, pit, 0);
  if (pcKvmIrqchipInKernel()) pcKvmPitCreate();
  pcspkInit(isaBus, pit);
  serialIsaResetIndex();
  const serials = serialHdsIsaInit(isaBus, serialHds);
  const a20Line = qemuAllocateIrq((_o, _n, level) => {
    a20.level = level;
    a20.handler?.(level);
  }, null, 0);
  // Without the i8042 (i8042=off) there is no port 0x92 either.
  let i8042: KBDState | undefined;
  if (pcms.i8042Enabled) {
    i8042 = i8042Init(isaBus, a20Line);
    port92Init(isaBus, a20Line);
  }
  return { rtc, pit, serials, i8042, hpet };
}

/** set_boot_dev()'s device codes: floppy, hard disk, CD-ROM, network. */
const BOOT_DEV_CODE: Record<string, number> = { a: 1, c: 2, d: 3, n: 4 };

/**
 * pc_cmos_init(): the memory sizes, the CPU count, the boot order and the
 * equipment byte, as QEMU 7.2 writes them (SeaBIOS reads them).
 */
function pcCmosInit(pcms: PCMachineState, rtc: RTCState): void {
  const x86ms = pcms as unknown as X86MachineState;
  // Base memory: 640 KiB.
  rtcSetMemory(rtc, 0x15, 640 & 0xff);
  rtcSetMemory(rtc, 0x16, 640 >> 8);
  // Extended memory above 1 MiB, in KiB (at most 65535).
  let val = Math.min(pcms.belowFourGMemSize / 1024 - 1024, 65535);
  rtcSetMemory(rtc, 0x17, val & 0xff);
  rtcSetMemory(rtc, 0x18, val >> 8);
  rtcSetMemory(rtc, 0x30, val & 0xff);
  rtcSetMemory(rtc, 0x31, val >> 8);
  // Memory between 16 MiB and 4 GiB, in 64 KiB units.
  val = pcms.belowFourGMemSize > 16 * 1024 * 1024 ? Math.min((pcms.belowFourGMemSize - 16 * 1024 * 1024) / 65536, 65535) : 0;
  rtcSetMemory(rtc, 0x34, val & 0xff);
  rtcSetMemory(rtc, 0x35, val >> 8);
  // Memory above 4 GiB, in 64 KiB units.
  val = Math.floor(pcms.aboveFourGMemSize / 65536);
  rtcSetMemory(rtc, 0x5b, val & 0xff);
  rtcSetMemory(rtc, 0x5c, (val >> 8) & 0xff);
  rtcSetMemory(rtc, 0x5d, (val >> 16) & 0xff);
  rtcSetMemory(rtc, 0x5f, x86ms.bootCpus - 1);
  // The IBM PS/2 century byte repeats the RTC's century.
  rtcSetMemory(rtc, 0x37, rtcGetMemory(rtc, 0x32));
  // Boot order (set_boot_dev), with the floppy boot signature check on.
  const order = pcms.boot.order ?? pcms.mc.defaultBootOrder ?? 'cad';
  const code = (i: number): number => BOOT_DEV_CODE[order[i] ?? ''] ?? 0;
  rtcSetMemory(rtc, 0x3d, (code(1) << 4) | code(0));
  rtcSetMemory(rtc, 0x38, (code(2) << 4) | 0);
  // Equipment byte: an FPU and a PS/2 mouse; no floppy drives yet.
  rtcSetMemory(rtc, 0x14, 0x02 | 0x04);
  // pc_cmos_init_late(): no IDE disks yet.
  rtcSetMemory(rtc, 0x12, 0);
  rtcSetMemory(rtc, 0x39, 0);
}

/** Connects the CPU's INTR input to the master PIC's INT output (x86_allocate_cpu_irq / pic_irq_request). */
export function pcSetCpuIntr(ms: MachineState, line: QemuIrq): void {
  const b = boards.get(ms)!;
  b.cpuIntr.line = line;
  qemuSetIrq(line, picGetOutput(b.pic.master) ? 1 : 0);
}

/** The CPU's interrupt acknowledge (cpu_get_pic_interrupt → pic_read_irq): the vector to take. */
export function pcPicReadIrq(ms: MachineState): number {
  const b = boards.get(ms)!;
  return picReadIrq(b.pic.master, b.pic.slave);
}

/**
 * The system reset of the legacy devices (qemu_devices_reset over isa.0): each
 * device's reset in bus order, oldest first, as a power-on leaves them.
 */
export function pcIsaDevicesReset(ms: MachineState): void {
  const b = boards.get(ms)!;
  const isaBus = piixChildBus(b.piix3)!;
  for (const dev of [...isaBus.children].reverse()) deviceClass(dev.klass).reset?.(dev);
}

/** Who follows the A20 gate (the memory map / CPU's address mask); called with the current level at once. */
export function pcSetA20Handler(ms: MachineState, h: (level: number) => void): void {
  const b = boards.get(ms)!;
  b.a20.handler = h;
  h(b.a20.level);
}

export function registerPcBoardTypes(): void {
  registerIoapicTypes();
  registerHpetTypes();
  typeRegisterStatic({
    name: TYPE_FW_CFG_IO,
    parent: TYPE_SYS_BUS_DEVICE,
    classInit: (oc) => {
      deviceClass(oc).desc = 'QEMU fw_cfg';
      deviceClassSetProps(oc, [
        { name: 'dma_enabled', kind: 'bool', def: true },
        { name: 'x-file-slots', kind: 'uint16', def: 32 },
        { name: 'acpi-mr-restore', kind: 'bool', def: true },
      ]);
    },
  });
}
