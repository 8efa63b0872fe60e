/*
 * Registers the machine's QMP commands (hw/core/machine-qmp-cmds.c,
 * target/i386/cpu.c, qdev-monitor.c): the answers are computed by the
 * machine and CPU modules; this file only binds them to command names.
 */
import { qmpFindCommand, qmpRegisterCommand } from '../monitor/qmp-dispatch.js';
import type { QJson } from '../monitor/qjson.js';
import {
  qdevGetMachine, qmpQueryCurrentMachine, qmpQueryHotpluggableCpus, qmpQueryMachines,
} from '../hw/core/machine.js';
import { qmpDeviceListProperties } from '../hw/core/qdev-monitor.js';
import { x86CpuDefinitions } from '../target/i386/cpu-query.js';
import { currentAccel } from '../accel/accel.js';

export function registerMachineQmpCommands(): void {
  if (qmpFindCommand('query-machines')) return;
  qmpRegisterCommand('query-machines', () => qmpQueryMachines() as QJson);
  qmpRegisterCommand('query-current-machine', () => qmpQueryCurrentMachine(qdevGetMachine()) as QJson);
  qmpRegisterCommand('query-hotpluggable-cpus', () => qmpQueryHotpluggableCpus(qdevGetMachine()) as QJson);
  qmpRegisterCommand('query-cpu-definitions', () => x86CpuDefinitions() as unknown as QJson);
  qmpRegisterCommand('device-list-properties', (args) => qmpDeviceListProperties(args.typename as string) as unknown as QJson,
    { typename: 'str' });
  qmpRegisterCommand('query-target', () => ({ arch: 'x86_64' }));
  // "present" is whether this build has KVM support at all (ours always has).
  qmpRegisterCommand('query-kvm', () => ({ enabled: currentAccel().name === 'KVM', present: true }));
}
