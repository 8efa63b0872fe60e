/*
 * The PC machine base (hw/i386/pc.c, QEMU 7.2): TYPE_PC_MACHINE with the
 * PCMachineClass fields the versioned i440fx machines tweak, the PC machine
 * properties (-M pc,help), and the hotplug handler that routes CPUs to the x86
 * hooks.
 */
import {
  ObjectClass, QObject, objectClassPropertyAdd, objectPropertyAdd, typeRegisterStatic,
} from '../../qom/object.js';
import { visitBool, visitEnum, visitStr } from '../../qom/visitor.js';
import { QemuError, warnReport } from '../../util/error.js';
import { machineClass } from '../../hw/core/machine.js';
import { visitSize } from '../../hw/core/qdev-properties.js';
import { TYPE_X86_MACHINE, X86MachineState } from './x86.js';

export const TYPE_PC_MACHINE = 'generic-pc-machine';
const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

/** PCMachineClass fields (include/hw/i386/pc.h) that differ between machine versions. */
export interface PCMachineClassFields {
  pciEnabled: boolean;
  /** What an unversioned -cpu model name means (x86_cpu_set_default_version). */
  defaultCpuVersion: number;
  kvmclockEnabled: boolean;
  kvmclockCreateAlways: boolean;
  gigabyteAlign: boolean;
  hasReservedMemory: boolean;
  brokenReservedEnd: boolean;
  enforceAlignedDimm: boolean;
  enforceAmd1tbHole: boolean;
  rsdpInRam: boolean;
  smbiosDefaults: boolean;
  smbiosUuidEncoded: boolean;
  smbiosLegacyMode: boolean;
  pvhEnabled: boolean;
  legacyCpuHotplug: boolean;
  pciRootUid: number;
  acpiDataSize: number;
  legacyAcpiTableSize: number;
}

export function pcMachineClass(oc: ObjectClass): PCMachineClassFields {
  return oc as unknown as PCMachineClassFields;
}

export class PCMachineState extends X86MachineState {
  /** 0 until pc_init1 applies the 3.5 GiB default. */
  maxRamBelow4g = 0;
  vmport: 'on' | 'off' | 'auto' = 'auto';
  smbusEnabled = true;
  sataEnabled = true;
  hpetEnabled = true;
  i8042Enabled = true;
  defaultBusBypassIommu = false;
  maxFwSize = 8 * MiB;
  smbiosEntryPointType: '32' | '64' = '32';
  nvdimmEnabled = false;
  nvdimmPersistence = '';
  hmat = false;
  cxl = false;
  pcspkAudiodev = '';
  /**
   * The display adapter vl.c chose (-vga, or the class's default_display when
   * defaults are on): 'std', 'cirrus' or 'none'.  Unset means none.
   */
  vgaInterfaceType: string | undefined;
}

type PcField = {
  [K in keyof PCMachineState]: PCMachineState[K] extends boolean ? K : never
}[keyof PCMachineState];

function pcBoolProp(oc: ObjectClass, name: string, field: PcField, description?: string): void {
  objectClassPropertyAdd(oc, {
    name, type: 'bool', description,
    get: (o) => (o as PCMachineState)[field] as boolean,
    set: (o, v) => {
      (o as unknown as Record<string, boolean>)[field] = visitBool(name, v);
    },
  });
}

function pcMachineClassInit(oc: ObjectClass): void {
  const mc = machineClass(oc);
  const pcmc = pcMachineClass(oc);
  Object.assign(pcmc, {
    pciEnabled: true, defaultCpuVersion: 1, kvmclockEnabled: true, kvmclockCreateAlways: true,
    gigabyteAlign: true, hasReservedMemory: true, brokenReservedEnd: false, enforceAlignedDimm: true,
    enforceAmd1tbHole: true, rsdpInRam: true, smbiosDefaults: true, smbiosUuidEncoded: true,
    smbiosLegacyMode: false, pvhEnabled: true, legacyCpuHotplug: false, pciRootUid: 0,
    acpiDataSize: 0x20000 + 0x8000, legacyAcpiTableSize: 0,
  } satisfies PCMachineClassFields);
  mc.maxCpus = 255;
  mc.hasHotpluggableCpus = true;
  mc.wakeupSupported = true;
  mc.defaultBootOrder = 'cad';
  mc.defaultCpuType = 'qemu64-x86_64-cpu';
  mc.nvdimmSupported = true;
  mc.defaultRamId = 'pc.ram';
  mc.smpProps = { ...mc.smpProps, diesSupported: true };

  objectClassPropertyAdd(oc, {
    name: 'device-memory-region-size', type: 'int',
    get: (o) => {
      const ms = o as PCMachineState;
      return ms.maxramSize > ms.ramSize ? ms.maxramSize - ms.ramSize : 0;
    },
  });
  objectClassPropertyAdd(oc, {
    name: 'max-ram-below-4g', type: 'size', description: 'Maximum ram below the 4G boundary (32bit boundary)',
    get: (o) => (o as PCMachineState).maxRamBelow4g,
    set: (o, v) => {
      const value = visitSize('max-ram-below-4g', v);
      if (value > 4 * GiB) {
        throw new QemuError(`Machine option 'max-ram-below-4g=${value}' expects size less than or equal to 4G`);
      }
      if (value < MiB) {
        warnReport(`Only ${value} bytes of RAM below the 4GiB boundary,BIOS may not work with less than 1MiB`);
      }
      (o as PCMachineState).maxRamBelow4g = value;
    },
  });
  objectClassPropertyAdd(oc, {
    name: 'vmport', type: 'OnOffAuto', description: 'Enable vmport (pc & q35)',
    get: (o) => (o as PCMachineState).vmport,
    set: (o, v) => ((o as PCMachineState).vmport = visitEnum('vmport', v, ['on', 'off', 'auto'] as const)),
  });
  pcBoolProp(oc, 'smbus', 'smbusEnabled', 'Enable/disable system management bus');
  pcBoolProp(oc, 'sata', 'sataEnabled', 'Enable/disable Serial ATA bus');
  pcBoolProp(oc, 'hpet', 'hpetEnabled', 'Enable/disable high precision event timer emulation');
  pcBoolProp(oc, 'i8042', 'i8042Enabled');
  pcBoolProp(oc, 'default-bus-bypass-iommu', 'defaultBusBypassIommu');
  objectClassPropertyAdd(oc, {
    name: 'max-fw-size', type: 'size', description: 'Maximum combined firmware size',
    get: (o) => (o as PCMachineState).maxFwSize,
    set: (o, v) => {
      const value = visitSize('max-fw-size', v);
      if (value > 16 * MiB) {
        // QEMU 7.2's text, typos included.
        throw new QemuError(`User specified max allowed firmware size ${value} is greater than 16MiB. ` +
          'If combined firwmare size exceeds 16MiB the system may not boot, or experience intermittentstability issues.');
      }
      (o as PCMachineState).maxFwSize = value;
    },
  });
  objectClassPropertyAdd(oc, {
    name: 'smbios-entry-point-type', type: 'str', description: 'SMBIOS Entry Point type [32, 64]',
    get: (o) => (o as PCMachineState).smbiosEntryPointType,
    set: (o, v) => ((o as PCMachineState).smbiosEntryPointType = visitEnum('smbios-entry-point-type', v, ['32', '64'] as const)),
  });
}

/** pc_machine_initfn() and machine_initfn()'s instance properties for the PC (nvdimm, hmat, cxl, pcspk-audiodev). */
function pcMachineInstanceInit(obj: QObject): void {
  const ms = obj as PCMachineState;
  objectPropertyAdd(ms, {
    name: 'nvdimm', type: 'bool', description: 'Set on/off to enable/disable NVDIMM instantiation',
    get: () => ms.nvdimmEnabled, set: (_o, v) => (ms.nvdimmEnabled = visitBool('nvdimm', v)),
  });
  objectPropertyAdd(ms, {
    name: 'nvdimm-persistence', type: 'string',
    description: 'Set NVDIMM persistence Valid values are cpu, mem-ctrl',
    get: () => ms.nvdimmPersistence,
    set: (_o, v) => {
      const s = visitStr('nvdimm-persistence', v);
      if (s !== 'cpu' && s !== 'mem-ctrl') {
        throw new QemuError(`-machine nvdimm-persistence=${s}: unsupported option`);
      }
      ms.nvdimmPersistence = s;
    },
  });
  objectPropertyAdd(ms, {
    name: 'hmat', type: 'bool', description: 'Set on/off to enable/disable ACPI Heterogeneous Memory Attribute Table (HMAT)',
    get: () => ms.hmat, set: (_o, v) => (ms.hmat = visitBool('hmat', v)),
  });
  objectPropertyAdd(ms, {
    name: 'cxl', type: 'bool', description: 'Set on/off to enable/disable CXL instantiation',
    get: () => ms.cxl, set: (_o, v) => (ms.cxl = visitBool('cxl', v)),
  });
  objectPropertyAdd(ms, {
    name: 'pcspk-audiodev', type: 'str', description: 'ID of an audiodev to use as a backend',
    get: () => ms.pcspkAudiodev, set: (_o, v) => (ms.pcspkAudiodev = visitStr('pcspk-audiodev', v)),
  });
}

export function registerPcMachineTypes(): void {
  typeRegisterStatic({
    name: TYPE_PC_MACHINE,
    parent: TYPE_X86_MACHINE,
    abstract: true,
    instance: PCMachineState,
    classInit: pcMachineClassInit,
    instanceInit: pcMachineInstanceInit,
  });
}
