/*
 * The machine's QMP commands (hw/core/machine-qmp-cmds.c, target/i386/cpu.c):
 * query-machines, query-current-machine, query-hotpluggable-cpus and
 * query-cpu-definitions, with QEMU 7.2's member names.
 */
import { qmpFindCommand, qmpRegisterCommand } from '../monitor/qmp-dispatch.js';
import type { QJson } from '../monitor/qjson.js';
import { currentMachineOrUndefined, machineClass, machineClassList } from '../hw/core/machine.js';
import { objectGetCanonicalPath } from '../qom/object.js';
import { x86CpuDefinitions } from '../target/i386/cpu-query.js';

function queryMachines(): QJson {
  return machineClassList().map((oc) => {
    const mc = machineClass(oc);
    const info: { [k: string]: QJson } = { name: mc.name };
    if (mc.alias) info.alias = mc.alias;
    if (mc.isDefault) info['is-default'] = true;
    info['cpu-max'] = mc.maxCpus;
    info['hotpluggable-cpus'] = mc.possibleCpuArchIds !== undefined;
    info['numa-mem-supported'] = !!mc.numaMemSupported;
    info.deprecated = !!mc.deprecationReason;
    if (mc.defaultCpuType) info['default-cpu-type'] = mc.defaultCpuType;
    if (mc.defaultRamId) info['default-ram-id'] = mc.defaultRamId;
    return info;
  });
}

/** query-hotpluggable-cpus: every possible slot, last first, as QEMU lists them. */
function queryHotpluggableCpus(): QJson {
  const ms = currentMachineOrUndefined();
  if (!ms || !ms.mc.possibleCpuArchIds) return [];
  const out: QJson[] = [];
  for (const slot of ms.mc.possibleCpuArchIds(ms)) {
    const props: { [k: string]: QJson } = {};
    if (slot.props.coreId !== undefined) props['core-id'] = slot.props.coreId;
    if (slot.props.threadId !== undefined) props['thread-id'] = slot.props.threadId;
    if (slot.props.dieId !== undefined) props['die-id'] = slot.props.dieId;
    if (slot.props.socketId !== undefined) props['socket-id'] = slot.props.socketId;
    const e: { [k: string]: QJson } = { props, 'vcpus-count': slot.vcpusCount };
    if (slot.cpu) e['qom-path'] = objectGetCanonicalPath(slot.cpu);
    e.type = slot.type;
    out.unshift(e);
  }
  return out;
}

let registered = false;

export function registerMachineQmpCommands(): void {
  if (registered || qmpFindCommand('query-machines')) return;
  registered = true;
  qmpRegisterCommand('query-machines', queryMachines);
  qmpRegisterCommand('query-current-machine', () => ({ 'wakeup-suspend-support': false }));
  qmpRegisterCommand('query-hotpluggable-cpus', queryHotpluggableCpus);
  qmpRegisterCommand('query-cpu-definitions', () => x86CpuDefinitions() as unknown as QJson);
  qmpRegisterCommand('query-target', () => ({ arch: 'x86_64' }));
}
