import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshCpuWorld, requireTool } from './helpers.js';
import { x86CpuListText } from '../../src/target/i386/cpu-help.js';
import { spawnSync } from 'node:child_process';

// Oracle: `qemu-system-x86_64 -cpu help` of QEMU 7.2, run live.
test('-cpu help is byte-identical to QEMU 7.2', () => {
  requireTool('qemu-system-x86_64');
  const r = spawnSync('qemu-system-x86_64', ['-cpu', 'help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  freshCpuWorld();
  const ours = x86CpuListText();
  const a = ours.split('\n'), b = r.stdout.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) assert.equal(a[i], b[i], `line ${i + 1}`);
  assert.equal(ours, r.stdout);
});
