/*
 * The board's ISA devices with -serial, against QEMU 7.2: `info qtree` of
 * isa.0 (our device types' blocks, in order) and the composition tree under
 * each isa-serial (its "serial" core), for -serial null ×4 on pc and on
 * pc-i440fx-2.0 (compat properties), and with -M pc,i8042=off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupMachineTypes } from '../machine/setup.js';
import { runOurs } from '../machine/run-machine.js';
import { requireQemu, runQemu } from '../machine/oracle.js';
import { pcSetSerialHds } from '../../src/hw/i386/pc-board.js';
import { qemuChrCleanup, qemuChrNewFromOpts } from '../../src/chardev/char.js';
import { hmpInfoQtree } from '../../src/hw/core/qdev-monitor.js';
import { objectChildren, objectResolvePath } from '../../src/qom/object.js';

setupMachineTypes();

/** The device blocks on isa.0 ("dev: type, ..." and the lines under it), as text. */
function isaBlocks(qtree: string): string[] {
  const lines = qtree.replace(/\r/g, '').split('\n');
  const start = lines.findIndex((l) => /bus: isa\.0$/.test(l));
  const indent = lines[start]!.length - lines[start]!.trimStart().length;
  const blocks: string[] = [];
  for (let i = start + 2; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim() || l.length - l.trimStart().length <= indent) break;
    if (/^\s*dev: /.test(l)) blocks.push(l.trim());
    else blocks[blocks.length - 1] += '\n' + l.trim();
  }
  return blocks;
}

const CASES: Array<{ machine: string; serials: number; props: Record<string, unknown> }> = [
  { machine: 'pc', serials: 4, props: {} },
  { machine: 'pc-i440fx-2.0', serials: 2, props: {} },
  { machine: 'pc,i8042=off', serials: 1, props: { i8042: 'off' } },
];

test('isa.0 in info qtree and the isa-serial composition, with -serial, as QEMU 7.2 has them', async () => {
  requireQemu();
  for (const c of CASES) {
    const q = await runQemu(['-M', c.machine, '-cpu', 'kvm64', '-nodefaults', '-accel', 'tcg',
      ...Array.from({ length: c.serials }, () => ['-serial', 'null']).flat()],
    [['human-monitor-command', { 'command-line': 'info qtree' }], ['qom-list', { path: '/machine/unattached' }]]);
    runOurs(c.machine.split(',')[0], c.props, true, () => {
      qemuChrCleanup();
      pcSetSerialHds(Array.from({ length: c.serials }, (_, i) => qemuChrNewFromOpts({ id: `serial${i}`, backend: 'null' })));
    });
    const mine = isaBlocks(hmpInfoQtree());
    const types = new Set(mine.map((b) => /^dev: ([^,]+),/.exec(b)![1]!));
    const theirs = isaBlocks(q.replies[0] as string).filter((b) => types.has(/^dev: ([^,]+),/.exec(b)![1]!));
    assert.deepEqual(mine, theirs, c.machine);
    assert.equal(mine.filter((b) => b.startsWith('dev: isa-serial')).length, c.serials);
    // Each isa-serial has its 16550 core as child "serial".
    for (const [, dev] of objectChildren(objectResolvePath('/machine/unattached')!)) {
      if (dev.typeName === 'isa-serial') assert.equal(objectChildren(dev).find(([n]) => n === 'serial')?.[1].typeName, 'serial');
    }
  }
});
