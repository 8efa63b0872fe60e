/*
 * Puts a built PC under the software CPU: each realized X86CPU gets its X86TcgCpu on the
 * machine's memory and I/O port spaces and its local APIC (on one APIC bus, registers and MSI
 * at 0xfee00000), the master PIC's output reaches the CPUs through LINT0, and a
 * system reset resets the devices and the CPUs (and reloads a -kernel image, as SeaBIOS's
 * multiboot option ROM does on every boot).  QEMU does this in pc_init1 (x86_cpu_new,
 * x86_cpu_apic_create, pic_irq_request), qemu_init_vcpu and qemu_system_reset.
 */
import { cpus } from '../../hw/core/cpu.js';
import type { MachineState } from '../../hw/core/machine.js';
import { qemuAllocateIrq } from '../../hw/core/irq.js';
import { setSystemResetHandler } from '../../hw/core/reset-request.js';
import { pcBoard, pcIsaDevicesReset, pcPciDevicesReset, pcPicReadIrq, pcSetCpuIntr } from '../../hw/i386/pc-board.js';
import { pcMemory } from '../../hw/i386/pc-memory.js';
import type { PCMachineState } from '../../hw/i386/pc.js';
import {
  x86LoadKernel, multibootLoad, MULTIBOOT_BOOTLOADER_MAGIC, ADDR_MBI, type MultibootImage,
} from '../../hw/i386/multiboot.js';
import { linuxBootLoad, linuxFirmwareSetup, BOOT_CS, BOOT_DS, type LinuxImage } from '../../hw/i386/linux-boot.js';
import { isAmdCpu, type X86CPU } from '../../target/i386/cpu.js';
import { FeatureWord } from '../../target/i386/cpu-features.js';
import { CR4_PAE_MASK } from '../../target/i386/tcg/mmu-walk.js';
import { tcgX86CpuCreate, x86CpuInitTcg, x86CpuResetTcg } from '../../target/i386/tcg-accel-cpu.js';
import { tcgCpuSetApic } from '../../target/i386/tcg/msr.js';
import { MemoryRegion } from '../../exec/memory.js';
import {
  APICCommonState, ApicBus, APIC_DEFAULT_ADDRESS, APIC_MSI_REGION_SIZE, APIC_SV_ENABLE, APIC_LVT_LINT0, APIC_LVT_LINT1,
  apicMsiOps, apicResetCommon, apicSetEoiListener, apicUpdateIrq,
} from '../../hw/intc/apic.js';
import { ioapicEoiBroadcast } from '../../hw/intc/ioapic.js';
import {
  CPUX86State, R_CS, R_DS, R_ES, R_FS, R_GS, R_SS, R_EAX, R_EBX, R_EBP, R_EDI, R_ESI, CR0_PE_MASK, CR0_PG_MASK, EFER_LME, EFER_LMA,
} from '../../target/i386/tcg/cpu-state.js';
import { qemuRegisterReset, qemuSystemResetRequest } from '../../system/runstate.js';
import { QemuError } from '../../util/error.js';
import {
  tcgRrAddVcpu, tcgRrApicEvent, tcgRrInit, tcgRrPicIrqRequest, tcgRrSetCpuInit, tcgRrUpdateIntr, tcgRrVcpus, type TcgVcpu,
} from './tcg-accel-ops-rr.js';

/** What -kernel gave: a multiboot image or a Linux bzImage. */
export type KernelImage = MultibootImage | LinuxImage;

/* Flat 4 GiB segments as the option ROM's GDT gives them (selectors 0x08 code, 0x10 data; accessed). */
const FLAT_CODE32 = 0x00cf9b00, FLAT_DATA32 = 0x00cf9300, FLAT_CODE64 = 0x00af9b00;

/**
 * -kernel on the PC (x86_load_linux from pc_memory_init): read and lay out the image now, with
 * QEMU's errors, so a bad file ends start-up where QEMU's does.
 */
export function pcLoadKernel(ms: MachineState): KernelImage | undefined {
  if (ms.kernelFilename === undefined || pcBoard(ms) === undefined) return undefined;
  const pcms = ms as PCMachineState;
  const bsp = cpus[0] as X86CPU | undefined;
  return x86LoadKernel(ms.kernelFilename, ms.initrdFilename, ms.kernelCmdline, {
    belowFourG: pcms.belowFourGMemSize,
    aboveFourG: pcms.aboveFourGMemSize,
    amdHtHole: bsp !== undefined && isAmdCpu(bsp.env),
  }, process.env.TSQEMU_LINUXBOOT_HOST_DECOMPRESS !== '0');
}

/**
 * The machine state the multiboot option ROM leaves (Multiboot 0.6.96 §3.2): EAX = the boot
 * loader magic, EBX = the MBI, protected mode with flat 32-bit CS/DS/ES/FS/GS/SS, paging off,
 * interrupts off.  GDTR/IDTR keep their reset values (the spec leaves them undefined).
 */
export function multibootCpuState(env: CPUX86State, img: MultibootImage): void {
  env.cr0 |= CR0_PE_MASK;
  env.loadSegCache(R_CS, 0x08, 0, 0xffffffff, FLAT_CODE32);
  for (const s of [R_DS, R_ES, R_FS, R_GS, R_SS]) env.loadSegCache(s, 0x10, 0, 0xffffffff, FLAT_DATA32);
  env.updateMode();
  env.eflags = 0x2;
  env.regs[R_EAX << 1] = MULTIBOOT_BOOTLOADER_MAGIC | 0;
  env.regs[R_EBX << 1] = ADDR_MBI;
  env.rip = img.entry;
}

/** QEMU maps the APIC page over whatever else claims 0xfee00000 (memory_region_add_subregion_overlap). */
const APIC_REGION_PRIORITY = 0x1000;

/**
 * The local APIC state SeaBIOS leaves on the BSP (smp_setup): software-enabled, LINT0 ExtINT
 * and LINT1 NMI, both level-triggered.  A -kernel boot skips the firmware, so it is set here.
 */
function seabiosLapicSetup(s: APICCommonState): void {
  s.spuriousVec |= APIC_SV_ENABLE;
  s.lvt[APIC_LVT_LINT0] = 0x8700;
  s.lvt[APIC_LVT_LINT1] = 0x8400;
  apicUpdateIrq(s);
}

/**
 * x86_cpu_apic_create(): a CPU has a local APIC when its CPUID has the APIC bit or there is
 * more than one CPU.  Its APIC ID is the CPU's apic-id; the hooks reach the vCPU's loop state.
 */
function tcgCpuApicCreate(bus: ApicBus, v: TcgVcpu, smpCpus: number): void {
  const cpu = v.cpu as X86CPU;
  if (!(cpu.env.features[2 * FeatureWord.FEAT_1_EDX]! & (1 << 9)) && smpCpus <= 1) return;
  const s = new APICCommonState(bus, cpu.apicId, {
    setIntr: () => tcgRrUpdateIntr(v),
    cpuEvent: (_s, ev, vector) => tcgRrApicEvent(v, ev, vector),
  });
  v.apic = s;
  apicResetCommon(s, v.cpu.cpuIndex === 0);
  tcgCpuSetApic(v.tcg.c, s);
}

/**
 * The 32-bit boot protocol's entry state (boot.rst, "32-bit boot protocol"): protected mode with
 * paging off, CS = __BOOT_CS and DS/ES/SS = __BOOT_DS (flat 4 GiB, from the boot GDT), ESI =
 * the zero page, EBP/EDI/EBX = 0, interrupts off.
 */
export function linuxCpuState(env: CPUX86State, img: LinuxImage): void {
  env.cr0 |= CR0_PE_MASK;
  env.gdtBase = img.gdtAddr;
  env.gdtLimit = img.gdt.length - 1;
  const long = img.vmlinux !== undefined;
  if (long) {
    // The 64-bit boot protocol: long mode, paging with the identity map, CS a 64-bit segment.
    env.cr3 = img.pageTablesAddr;
    env.cr4 |= CR4_PAE_MASK;
    env.efer |= EFER_LME | EFER_LMA;
    env.cr0 |= CR0_PG_MASK;
  }
  env.loadSegCache(R_CS, BOOT_CS, 0, 0xffffffff, long ? FLAT_CODE64 : FLAT_CODE32);
  for (const s of [R_DS, R_ES, R_FS, R_GS, R_SS]) env.loadSegCache(s, BOOT_DS, 0, 0xffffffff, FLAT_DATA32);
  env.updateMode();
  env.eflags = 0x2;
  for (const r of [R_EBX, R_EBP, R_EDI]) env.regs[r << 1] = 0;
  env.regs[R_ESI << 1] = img.zeroPageAddr;
  env.rip = long ? img.vmlinux!.entry64 : img.entry;
}

/**
 * Gives every CPU of a built PC its software-CPU context and wires the reset path.  Returns
 * false when the machine has nothing to run (no PC board: -M none), or cannot run (its RAM does
 * not fit one guest buffer), which only -S may inspect.
 */
export function tcgMachineInit(ms: MachineState, kernel: KernelImage | undefined, autostart: boolean): boolean {
  const layout = pcMemory(ms);
  const board = pcBoard(ms);
  if (layout === undefined || board === undefined) return false;
  if (layout.memory === undefined) {
    if (autostart) throw new QemuError(layout.unsupported!);
    return false;
  }
  const as = layout.memory.as;
  tcgRrInit({ readIrq: () => pcPicReadIrq(ms) });
  const bus = new ApicBus();
  for (const cpu of cpus) tcgCpuApicCreate(bus, tcgRrAddVcpu(cpu, tcgX86CpuCreate(cpu as X86CPU, as, board.io)), cpus.length);
  // One region for all APICs: each CPU access reaches the running vCPU's APIC (QEMU's apic-msi).
  if (bus.apics.length > 0) {
    as.addRegion(APIC_DEFAULT_ADDRESS, MemoryRegion.mmio('apic-msi', APIC_MSI_REGION_SIZE, apicMsiOps, bus), APIC_REGION_PRIORITY);
  }
  // Level-triggered EOIs reach the I/O APIC (apic_eoi → ioapic_eoi_broadcast).
  apicSetEoiListener(board.ioapic !== undefined ? ioapicEoiBroadcast : null);
  tcgRrSetCpuInit((v) => x86CpuInitTcg(v.tcg, v.cpu as X86CPU));
  const bsp = tcgRrVcpus()[0];
  if (bsp !== undefined) pcSetCpuIntr(ms, qemuAllocateIrq((_o, _n, level) => tcgRrPicIrqRequest(level), null, 0));
  const boot = (): void => {
    if (kernel === undefined || bsp === undefined) return;
    if (kernel.kind === 'linux') {
      linuxFirmwareSetup(ms, as, kernel, (ms as PCMachineState).belowFourGMemSize);
      linuxBootLoad(as, kernel);
      linuxCpuState(bsp.tcg.env, kernel);
    } else {
      multibootLoad(as, kernel);
      multibootCpuState(bsp.tcg.env, kernel);
    }
    if (bsp.apic !== null) seabiosLapicSetup(bsp.apic);
  };
  // qemu_system_reset(): devices, then CPUs (x86_cpu_reset; APs wait for SIPI), then the boot image.
  qemuRegisterReset(() => {
    pcIsaDevicesReset(ms);
    pcPciDevicesReset(ms);
    for (const v of tcgRrVcpus()) {
      x86CpuResetTcg(v.tcg, v.cpu as X86CPU);
      if (v.apic !== null) apicResetCommon(v.apic, v.cpu.cpuIndex === 0);
      v.waitForSipi = v.cpu.cpuIndex !== 0;
      v.tripleFaulted = false;
      v.requests = 0;
      tcgRrUpdateIntr(v);
    }
    boot();
  });
  setSystemResetHandler(() => qemuSystemResetRequest('guest-reset'));
  boot();
  return true;
}
