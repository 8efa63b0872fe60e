/*
 * The i440FX + PIIX machines (hw/i386/pc_piix.c, QEMU 7.2): one class per
 * upstream version from pc-i440fx-2.0 to pc-i440fx-7.2 (alias "pc", the
 * default), plus Ubuntu's pc-i440fx-trusty, which is pc-i440fx-2.0 under
 * another name.  As in QEMU, each version's options start from the next newer
 * version's and then change what that release changed.  The 1.x machines,
 * deprecated in 7.2, are not provided.
 */
import { ObjectClass, typeRegisterStatic } from '../../qom/object.js';
import { machineClass, machineClassSetName, type MachineClassFields } from '../../hw/core/machine.js';
import { TYPE_PC_MACHINE, pcMachineClass } from './pc.js';
import { CPU_VERSION_LEGACY, x86MachineClass } from './x86.js';
import { pcInit1 } from './pc-board.js';
import { PC_I440FX_2_0_CPU_COMPAT } from '../../target/i386/cpu-compat.js';

const I440FX_DESC = 'Standard PC (i440FX + PIIX, 1996)';

/** pc_i440fx_machine_options(): what every i440fx version starts from. */
function pcI440fxMachineOptions(oc: ObjectClass): void {
  const mc = machineClass(oc);
  const pcmc = pcMachineClass(oc);
  pcmc.pciRootUid = 0;
  pcmc.defaultCpuVersion = 1;
  mc.family = 'pc_piix';
  mc.desc = I440FX_DESC;
  mc.defaultMachineOpts = 'firmware=bios-256k.bin';
  mc.defaultDisplay = 'std';
  mc.defaultNic = 'e1000';
  mc.init = pcInit1;
}

/**
 * Compat globals of one release (hw_compat_X_Y / pc_compat_X_Y): the entries for
 * devices this tree has, as `info qtree` shows them on each 7.2 machine version.
 */
function compat(mc: MachineClassFields, driver: string, property: string, value: string): void {
  mc.compatProps = [...mc.compatProps, { driver, property, value }];
}

/**
 * What each release changed relative to the next newer one, newest first.  A
 * version's class applies every step from 7.2 down to itself.
 */
const versionSteps: Array<[string, (oc: ObjectClass) => void]> = [
  ['7.2', (oc) => {
    machineClass(oc).alias = 'pc';
    machineClass(oc).isDefault = true;
  }],
  ['7.1', (oc) => {
    machineClass(oc).alias = undefined;
    machineClass(oc).isDefault = false;
  }],
  ['7.0', (oc) => {
    pcMachineClass(oc).enforceAmd1tbHole = false;
  }],
  ['6.2', (oc) => {
    compat(machineClass(oc), 'PIIX4_PM', 'x-not-migrate-acpi-index', 'on');
  }],
  ['6.1', (oc) => {
    machineClass(oc).smpProps = { ...machineClass(oc).smpProps, preferSockets: true };
  }],
  ['6.0', (oc) => {
    compat(machineClass(oc), 'i8042', 'extended-state', 'false');
  }],
  ['5.2', (oc) => {
    compat(machineClass(oc), 'PIIX4_PM', 'smm-compat', 'on');
  }],
  ['5.1', (oc) => {
    pcMachineClass(oc).kvmclockCreateAlways = false;
    pcMachineClass(oc).pciRootUid = 1;
  }],
  ['5.0', (oc) => {
    machineClass(oc).numaMemSupported = true;
    compat(machineClass(oc), 'pci-host-bridge', 'x-config-reg-migration-enabled', 'off');
  }],
  ['4.2', (oc) => {
    compat(machineClass(oc), 'fw_cfg_io', 'acpi-mr-restore', 'false');
  }],
  ['4.1', () => {}],
  ['4.0', (oc) => {
    pcMachineClass(oc).defaultCpuVersion = CPU_VERSION_LEGACY;
  }],
  ['3.1', (oc) => {
    pcMachineClass(oc).pvhEnabled = false;
  }],
  ['3.0', () => {}],
  ['2.12', () => {}],
  ['2.11', (oc) => {
    compat(machineClass(oc), 'hpet', 'hpet-offset-saved', 'false');
  }],
  ['2.10', (oc) => {
    compat(machineClass(oc), 'i440FX-pcihost', 'x-pci-hole64-fix', 'off');
  }],
  ['2.9', () => {}],
  ['2.8', (oc) => {
    compat(machineClass(oc), 'pci-device', 'x-pcie-extcap-init', 'off');
    compat(machineClass(oc), 'fw_cfg_io', 'x-file-slots', '0x10');
  }],
  ['2.7', (oc) => {
    compat(machineClass(oc), 'isa-pcspk', 'migrate', 'false');
    compat(machineClass(oc), 'ioapic', 'version', '0x11');
  }],
  ['2.6', (oc) => {
    pcMachineClass(oc).legacyCpuHotplug = true;
  }],
  ['2.5', (oc) => {
    x86MachineClass(oc).saveTscKhz = false;
  }],
  ['2.4', (oc) => {
    machineClass(oc).hwVersion = '2.4.0';
    pcMachineClass(oc).brokenReservedEnd = true;
    compat(machineClass(oc), 'fw_cfg_io', 'dma_enabled', 'off');
    // pc_compat_2_4: CPU feature filtering stays silent (observed on 7.2: pc-i440fx-2.4 warns nothing, 2.5 does).
    compat(machineClass(oc), 'x86_64-cpu', 'check', 'off');
  }],
  ['2.3', (oc) => {
    machineClass(oc).hwVersion = '2.3.0';
    compat(machineClass(oc), 'pci-device', 'x-pcie-lnksta-dllla', 'off');
  }],
  ['2.2', (oc) => {
    machineClass(oc).hwVersion = '2.2.0';
    machineClass(oc).defaultMachineOpts = 'firmware=bios-256k.bin,suppress-vmdesc=on';
    pcMachineClass(oc).rsdpInRam = false;
  }],
  ['2.1', (oc) => {
    machineClass(oc).hwVersion = '2.1.0';
    // No default display: the PC then gets a Cirrus VGA.
    machineClass(oc).defaultDisplay = undefined;
    pcMachineClass(oc).smbiosUuidEncoded = false;
    pcMachineClass(oc).enforceAlignedDimm = false;
  }],
  ['2.0', (oc) => {
    machineClass(oc).hwVersion = '2.0.0';
    pcMachineClass(oc).smbiosLegacyMode = true;
    pcMachineClass(oc).hasReservedMemory = false;
    pcMachineClass(oc).legacyAcpiTableSize = 6652;
    pcMachineClass(oc).acpiDataSize = 0x10000;
    compat(machineClass(oc), 'PIIX4_PM', 'memory-hotplug-support', 'off');
    for (const g of PC_I440FX_2_0_CPU_COMPAT) compat(machineClass(oc), g.driver, g.property, g.value);
    x86MachineClass(oc).cpuOsxsaveCompat = true;
  }],
];

/** pc_i440fx_X_Y_machine_options(). */
function pcI440fxVersionOptions(oc: ObjectClass, version: string): void {
  pcI440fxMachineOptions(oc);
  for (const [v, step] of versionSteps) {
    step(oc);
    if (v === version) return;
  }
  throw new Error(`unknown i440fx version ${version}`);
}

export function registerPcPiixTypes(): void {
  for (const [version] of versionSteps) {
    typeRegisterStatic({
      name: `pc-i440fx-${version}-machine`,
      parent: TYPE_PC_MACHINE,
      classInit: (oc) => {
        machineClassSetName(oc);
        pcI440fxVersionOptions(oc, version);
      },
    });
  }
  // Ubuntu 14.04's machine type (debian/patches/ubuntu/define-ubuntu-machine-types.patch).
  typeRegisterStatic({
    name: 'pc-i440fx-trusty-machine',
    parent: TYPE_PC_MACHINE,
    classInit: (oc) => {
      machineClassSetName(oc);
      pcI440fxVersionOptions(oc, '2.0');
      machineClass(oc).desc = 'Ubuntu 14.04 PC (i440FX + PIIX, 1996)';
    },
  });
}
