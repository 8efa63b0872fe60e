/*
 * Builds a machine the way vl.c's start-up sequence does (select, create, apply
 * -machine/-smp/-m, board init) and captures what it prints, for comparing
 * with the oracle.
 */
import { QemuError, setStderrWriter } from '../../src/util/error.js';
import {
  machineResolveMemdev, machineRunBoardInit, machineSetPropertiesFromDict, qemuCreateMachine, selectMachine, type MachineState,
} from '../../src/hw/core/machine.js';
import { resetMachine, TEST_CPU } from './setup.js';

export interface OurResult {
  code: number;
  stderr: string;
  machine: MachineState | undefined;
}

export function runOurs(
  type: string | undefined, props: Record<string, unknown>, withCpu = true, beforeInit?: (ms: MachineState) => void,
): OurResult {
  resetMachine();
  let stderr = '';
  const old = setStderrWriter((t) => (stderr += t));
  let machine: MachineState | undefined;
  try {
    const ms = qemuCreateMachine(selectMachine(type));
    machine = ms;
    machineSetPropertiesFromDict(ms, props);
    if (withCpu && ms.mc.defaultCpuType) ms.cpuType = TEST_CPU;
    beforeInit?.(ms);
    machineResolveMemdev(ms, props.memory !== undefined);
    machineRunBoardInit(ms);
    return { code: 0, stderr, machine };
  } catch (e) {
    if (!(e instanceof QemuError)) throw e;
    stderr += e.format();
    return { code: 1, stderr, machine };
  } finally {
    setStderrWriter(old);
  }
}
