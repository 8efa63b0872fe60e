/*
 * The empty machine (hw/core/null-machine.c): no devices, at most one CPU, and
 * only when -cpu asks for it.
 */
import { typeRegisterStatic, objectNew } from '../../qom/object.js';
import { QemuError } from '../../util/error.js';
import { TYPE_MACHINE, machineClass, machineClassSetName, type MachineState } from './machine.js';
import { qdevRealize, type DeviceState } from './qdev.js';

/** machine_none_init(). */
function machineNoneInit(ms: MachineState): void {
  if (ms.cpuType) {
    const cpu = objectNew(ms.cpuType) as DeviceState;
    qdevRealize(cpu);
  }
  if (ms.kernelFilename) {
    throw new QemuError("The -kernel parameter is not supported (use the generic 'loader' device instead).");
  }
}

export function registerNullMachineTypes(): void {
  typeRegisterStatic({
    name: 'none-machine',
    parent: TYPE_MACHINE,
    classInit: (oc) => {
      machineClassSetName(oc);
      const mc = machineClass(oc);
      mc.desc = 'empty machine';
      mc.init = machineNoneInit;
      mc.maxCpus = 1;
      mc.defaultRamSize = 0;
      mc.defaultRamId = 'ram';
      mc.noSerial = true;
      mc.noParallel = true;
      mc.noFloppy = true;
      mc.noCdrom = true;
      mc.noSdcard = true;
    },
  });
}
