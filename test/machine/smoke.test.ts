import { test } from 'node:test';
import { setupMachineTypes, resetMachine, TEST_CPU } from './setup.js';
import { selectMachine, qemuCreateMachine, machineRunBoardInit, machineSetPropertiesFromDict } from '../../src/hw/core/machine.js';
import { hmpInfoQtree } from '../../src/hw/core/qdev-monitor.js';
import { objectChildren, objectGetRoot } from '../../src/qom/object.js';
setupMachineTypes();
test('smoke', () => {
  resetMachine();
  const ms = qemuCreateMachine(selectMachine('pc'));
  machineSetPropertiesFromDict(ms, { smp: { cpus: '2' } });
  ms.cpuType = TEST_CPU;
  machineRunBoardInit(ms);
  console.log(hmpInfoQtree());
  const walk = (o: any, ind: string) => { for (const [n, c] of objectChildren(o)) { console.log(ind + n + ' ' + c.typeName); walk(c, ind + '  '); } };
  walk(objectGetRoot(), '');
});
