/*
 * module_call_init() (util/module.c).  QEMU registers each module's type_init
 * function with a constructor before main(); in TypeScript the list is explicit:
 * one register…() per module, called here and nowhere else.
 */
import { registerQomBaseTypes } from '../qom/object.js';
import { registerQdevTypes } from '../hw/core/qdev.js';
import { registerBusTypes } from '../hw/core/bus.js';
import { registerSysbusTypes } from '../hw/core/sysbus.js';
import { registerCpuTypes } from '../hw/core/cpu.js';
import { registerAccelBaseType } from '../accel/accel.js';
import { registerTcgAccel } from '../accel/tcg/tcg-accel.js';
import { registerKvmAccel } from '../accel/kvm/kvm-accel.js';
import { registerChardevTypes } from '../chardev/chardev-types.js';
import { registerX86CpuTypes } from '../target/i386/cpu.js';
import { registerMachineTypes } from '../hw/core/machine.js';
import { registerNullMachineTypes } from '../hw/core/null-machine.js';
import { registerX86MachineTypes } from '../hw/i386/x86.js';
import { registerPcMachineTypes } from '../hw/i386/pc.js';
import { registerPcPiixTypes } from '../hw/i386/pc-piix.js';
import { registerPciTypes } from '../hw/pci/pci.js';
import { registerIsaTypes } from '../hw/isa/isa-bus.js';
import { registerI440fxTypes } from '../hw/pci/i440fx.js';
import { registerPiixTypes } from '../hw/pci/piix.js';
import { registerPcBoardTypes } from '../hw/i386/pc-board.js';
import { registerPendingDeviceTypes } from '../hw/i386/pending-devices.js';
import { registerHostmemTypes } from '../backends/hostmem.js';

export type ModuleInitType = 'qom';

/* Parents before children: a type's parent must be registered when it is first used. */
const qomModules: Array<() => void> = [
  registerQomBaseTypes,
  registerQdevTypes,
  registerBusTypes,
  registerSysbusTypes,
  registerCpuTypes,
  registerAccelBaseType,
  registerTcgAccel,
  registerKvmAccel,
  registerChardevTypes,
  registerX86CpuTypes,
  registerMachineTypes,
  registerNullMachineTypes,
  registerX86MachineTypes,
  registerPcMachineTypes,
  registerPcPiixTypes,
  registerPciTypes,
  registerIsaTypes,
  registerI440fxTypes,
  registerPiixTypes,
  registerPcBoardTypes,
  registerPendingDeviceTypes,
  registerHostmemTypes,
];

const done = new Set<ModuleInitType>();

export function moduleCallInit(type: ModuleInitType): void {
  if (done.has(type)) return;
  done.add(type);
  for (const init of qomModules) init();
}
