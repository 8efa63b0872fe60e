/*
 * Integer property values with bad syntax or out of range, through each of
 * QEMU's visitors: keyval (-device, -machine), string input (-global, -cpu
 * features, -accel) and JSON (-device {...}).  Our binary's error line and exit
 * code must be QEMU 7.2's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { asTsqemu, pool, requireQemu, QEMU } from './oracle.js';

const CASES: string[][] = [
  ['-device', 'isa-debug-exit,iosize=x'], ['-device', 'isa-debug-exit,iosize=-1'],
  ['-device', 'isa-debug-exit,iosize=0x100000000'], ['-device', 'isa-debug-exit,iosize=99999999999999999999'],
  ['-global', 'fw_cfg_io.x-file-slots=70000'], ['-global', 'fw_cfg_io.x-file-slots=x'], ['-global', 'fw_cfg_io.x-file-slots=-1'],
  ['-device', 'e1000,bootindex=x'], ['-device', 'e1000,bootindex=3000000000'], ['-device', 'e1000,bootindex=-3000000000'],
  ['-device', 'piix3-ide,acpi-index=x'], ['-device', 'piix3-ide,acpi-index=5000000000'],
  ['-cpu', 'qemu64,level=x'], ['-cpu', 'qemu64,level=0x100000000'], ['-cpu', 'qemu64,node-id=3000000000'],
  ['-cpu', 'qemu64,node-id=x'], ['-cpu', 'qemu64,ucode-rev=x'], ['-global', 'x86_64-cpu.level=-1'],
  ['-M', 'pc,phandle-start=x'], ['-M', 'pc,phandle-start=99999999999999999999'], ['-M', 'pc,bus-lock-ratelimit=x'],
  ['-accel', 'tcg,tb-size=x'], ['-accel', 'tcg,tb-size=5000000000'],
  ['-device', '{"driver":"isa-debug-exit","iosize":-1}'], ['-device', '{"driver":"e1000","bootindex":3000000000}'],
];

function run(binary: string, args: string[]): Promise<{ code: number | null; last: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(binary, ['-M', 'pc', '-nodefaults', '-display', 'none', '-S', '-monitor', 'none', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (d: string) => (err += d));
    p.on('error', reject);
    const timer = setTimeout(() => p.kill('SIGKILL'), 20000);
    p.on('close', (code) => {
      clearTimeout(timer);
      const lines = err.split('\n').filter((l) => l);
      resolve({ code, last: lines[lines.length - 1] ?? '' });
    });
  });
}

test(`integer properties: ${CASES.length} bad values give QEMU 7.2's visitor messages`, async () => {
  requireQemu();
  const theirs = await pool(CASES, 4, (a) => run(QEMU, a));
  const ours = await pool(CASES, 4, (a) => run('bin/tsqemu-system-x86_64', a));
  CASES.forEach((a, i) => {
    assert.equal(theirs[i]!.code, 1, `QEMU accepted ${a.join(' ')}`);
    assert.deepEqual(ours[i], { code: 1, last: asTsqemu(theirs[i]!.last) }, a.join(' '));
  });
});
