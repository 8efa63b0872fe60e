import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { freshCpuWorld, captureStderr, newRealizedCpu, requireTool } from './helpers.js';
import { GlobalPropPriority, objectPropertyGet, objectPropertyList, objectRegisterGlobalProp } from '../../src/qom/object.js';
import {
  x86CpuSetDefaultVersion, x86CpuClass, x86CpuClassGetModelName, CPU_VERSION_AUTO, CPU_VERSION_LEGACY, type X86CPU,
} from '../../src/target/i386/cpu.js';
import { parseCpuOption } from '../../src/target/i386/cpu-featurestr.js';
import { x86CpuSortedClasses } from '../../src/target/i386/cpu-query.js';
import { PC_I440FX_2_0_CPU_COMPAT } from '../../src/target/i386/cpu-compat.js';

/*
 * Oracle: QEMU 7.2, -M pc-i440fx-2.0, one run per model: qom-get of every property
 * of the realized CPU (device[0]).  Ours: the same model with the 2.0 compat
 * globals and the legacy default version.  Topology IDs are the machine's (pre_plug).
 */
const SKIP = new Set(['socket-id', 'die-id', 'core-id', 'thread-id', 'node-id', 'feature-words', 'filtered-features', 'realized']);

function qomGetAll(model: string, names: string[]): Promise<Record<string, unknown>> {
  const path = '/machine/unattached/device[0]';
  const cmds = [{ execute: 'qmp_capabilities' }, ...names.map((property) => ({ execute: 'qom-get', arguments: { path, property } })),
    { execute: 'quit' }];
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', ['-M', 'pc-i440fx-2.0', '-accel', 'tcg', '-cpu', model, '-S', '-display', 'none',
      '-nodefaults', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.on('error', reject);
    p.on('exit', () => {
      const replies = out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { return?: unknown; error?: unknown })
        .filter((r) => 'return' in r || 'error' in r).slice(1, 1 + names.length);
      resolve(Object.fromEntries(names.map((n, i) => [n, replies[i]?.return])));
    });
    p.stdin.end(cmds.map((c) => JSON.stringify(c)).join('\n') + '\n');
  });
}

test('pc-i440fx-2.0 CPU compat globals give every model QEMU 7.2\'s property values', async () => {
  requireTool('qemu-system-x86_64');
  freshCpuWorld();
  const models = x86CpuSortedClasses().filter((oc) => x86CpuClass(oc).model?.version === CPU_VERSION_AUTO)
    .map((oc) => x86CpuClassGetModelName(oc));
  assert.equal(models.length, 38);
  const names = objectPropertyList(captureStderr(() => newRealizedCpu(parseCpuOption('qemu64'))).value!)
    .map((p) => p.name).filter((n) => !SKIP.has(n));

  const qemu: Array<Record<string, unknown>> = new Array(models.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < models.length) { const i = next++; qemu[i] = await qomGetAll(models[i]!, names); }
  };
  await Promise.all([worker(), worker()]);

  models.forEach((model, i) => {
    freshCpuWorld();
    x86CpuSetDefaultVersion(CPU_VERSION_LEGACY);
    for (const g of PC_I440FX_2_0_CPU_COMPAT) objectRegisterGlobalProp({ ...g, priority: GlobalPropPriority.MachineCompat });
    const cpu: X86CPU = captureStderr(() => newRealizedCpu(parseCpuOption(model))).value!;
    const diffs = names.filter((n) => JSON.stringify(objectPropertyGet(cpu, n)) !== JSON.stringify(qemu[i]![n]))
      .map((n) => `${model}.${n}: ours ${JSON.stringify(objectPropertyGet(cpu, n))}, QEMU ${JSON.stringify(qemu[i]![n])}`);
    assert.deepEqual(diffs, []);
  });
});
