/*
 * Test set-up for the machine tests: the QOM base types, then this branch's
 * register functions in dependency order, and a stand-in x86 CPU type (the real
 * CPU models are another module's).  Each test file is its own process.
 */
import { moduleCallInit } from '../../src/system/modules.js';
import {
  objectClassPropertyAdd, objectResetRoot, typeExists, typeRegisterStatic,
} from '../../src/qom/object.js';
import { defineIntProp, defineUintProp } from '../../src/qom/field-props.js';
import { TYPE_CPU, cpuListAdd, cpuListReset, type CPUState } from '../../src/hw/core/cpu.js';
import { deviceClass } from '../../src/hw/core/qdev.js';
import { registerBusTypes } from '../../src/hw/core/bus.js';
import { registerSysbusTypes } from '../../src/hw/core/sysbus.js';
import { registerMachineTypes, machineReset } from '../../src/hw/core/machine.js';
import { registerNullMachineTypes } from '../../src/hw/core/null-machine.js';
import { registerX86MachineTypes } from '../../src/hw/i386/x86.js';
import { registerPcMachineTypes } from '../../src/hw/i386/pc.js';
import { registerPcPiixTypes } from '../../src/hw/i386/pc-piix.js';
import { registerPciTypes } from '../../src/hw/pci/pci.js';
import { registerIsaTypes } from '../../src/hw/isa/isa-bus.js';
import { registerI440fxTypes } from '../../src/hw/pci/i440fx.js';
import { registerPiixTypes } from '../../src/hw/pci/piix.js';
import { registerPcBoardTypes } from '../../src/hw/i386/pc-board.js';
import { registerPendingDeviceTypes } from '../../src/hw/i386/pending-devices.js';
import { qdevMonitorReset } from '../../src/hw/core/qdev-monitor.js';

/** A CPU type with the topology properties x86 machines set (apic-id, socket-id, ...). */
export const TEST_CPU = 'test-x86_64-cpu';

let done = false;

export function setupMachineTypes(): void {
  if (done) return;
  done = true;
  moduleCallInit('qom');
  if (!typeExists('bus')) {
    registerBusTypes();
    registerSysbusTypes();
    registerMachineTypes();
    registerNullMachineTypes();
    registerX86MachineTypes();
    registerPcMachineTypes();
    registerPcPiixTypes();
    registerPciTypes();
    registerIsaTypes();
    registerI440fxTypes();
    registerPiixTypes();
    registerPcBoardTypes();
    registerPendingDeviceTypes();
  }
  typeRegisterStatic({
    name: TEST_CPU,
    parent: TYPE_CPU,
    classInit: (oc) => {
      defineUintProp(oc, 32, { name: 'apic-id', field: 'apicId', defaultValue: 0xffffffff });
      for (const n of ['socket-id', 'die-id', 'core-id', 'thread-id']) defineIntProp(oc, 32, { name: n, defaultValue: -1 });
      deviceClass(oc).realize = (dev) => cpuListAdd(dev as CPUState);
      deviceClass(oc).category = 'cpu';
      objectClassPropertyAdd(oc, { name: 'test', type: 'bool', get: () => true });
    },
  });
}

/** A fresh QOM tree for the next machine. */
export function resetMachine(): void {
  objectResetRoot();
  machineReset();
  cpuListReset();
  qdevMonitorReset();
}
