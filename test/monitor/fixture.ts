/*
 * The tsqemu side of the differential tests: what `-machine none -S -name vm1`
 * leaves in the QOM tree that the tests look at (/machine of type
 * none-machine with its three containers, /chardevs), plus monitors on unix sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  containerGet, objectGetRoot, objectNew, objectPropertyAddChild, objectResetRoot, registerQomBaseTypes,
  typeExists, typeRegisterStatic,
} from '../../src/qom/object.js';
import { registerQdevTypes } from '../../src/hw/core/qdev.js';
import { registerCpuTypes, cpuListReset } from '../../src/hw/core/cpu.js';
import { registerChardevTypes } from '../../src/chardev/chardev-types.js';
import { qemuChrCleanup, qemuChrNewFromOpts, qemuChrParseCompat } from '../../src/chardev/char.js';
import { monitorCleanup, setQemuName } from '../../src/monitor/monitor.js';
import { monitorInitOpts, monitorParse, monitorParseReset } from '../../src/monitor/monitor-init.js';
import { runstateReset, onShutdownRequest, type ShutdownCause } from '../../src/system/runstate.js';

export function registerTypesOnce(): void {
  if (typeExists('object')) return;
  registerQomBaseTypes();
  registerQdevTypes();
  registerCpuTypes();
  registerChardevTypes();
  typeRegisterStatic({ name: 'none-machine', parent: 'object' });
}

export interface Fixture {
  dir: string;
  shutdowns: ShutdownCause[];
  teardown: () => void;
}

/** A fresh tree and run state: prelaunch, name vm1. */
export function buildFixture(): Fixture {
  registerTypesOnce();
  monitorCleanup();
  qemuChrCleanup();
  objectResetRoot();
  runstateReset();
  cpuListReset();
  monitorParseReset();
  const root = objectGetRoot();
  objectPropertyAddChild(root, 'machine', objectNew('none-machine'));
  for (const c of ['unattached', 'peripheral', 'peripheral-anon']) containerGet(root, `/machine/${c}`);
  containerGet(root, '/chardevs');
  setQemuName('vm1');
  const shutdowns: ShutdownCause[] = [];
  onShutdownRequest((r) => shutdowns.push(r));
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-fix-'));
  return {
    dir,
    shutdowns,
    teardown: () => {
      monitorCleanup();
      qemuChrCleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** -qmp / -monitor as the start-up code will do it: chardev first, then the monitor. */
export async function addCompatMonitor(arg: string, mode: 'readline' | 'control'): Promise<void> {
  const p = monitorParse(arg, mode);
  if (!p) return;
  if (p.chardev) {
    const chr = qemuChrNewFromOpts(p.chardev);
    await chr.ready;
  }
  monitorInitOpts(p.mon);
}

export { qemuChrParseCompat };
