import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kvmRamAlloc, kvmRamFree, kvmSlotAdd } from '../../src/accel/kvm/kvm-all.js';
import { runstateGet } from '../../src/system/runstate.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: real QEMU 7.2 with -accel kvm running the same BIOS image.  The guest
// enters long mode through its own page tables and runs `lock cmpxchg16b`,
// which this host's KVM (kvm_pvm) cannot emulate: KVM_EXIT_INTERNAL_ERROR.
// QEMU prints the suberror, the extra data, "emulation failure" and the
// register dump (64-bit format, Code= bytes through the guest page tables).
requireKvmTools();

const here = fileURLToPath(new URL('.', import.meta.url));
const source = readFileSync(join(here, '..', '..', '..', 'test', 'kvm', 'guests', 'longmode-cmpxchg16b.asm'), 'utf8');

/** Runs QEMU on the image until the dump's last line, then stops it. */
function qemuOracle(image: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tsqemu-kvm-oracle-'));
  writeFileSync(join(dir, 'bios.bin'), image);
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-system-x86_64', ['-accel', 'kvm', '-bios', join(dir, 'bios.bin'), '-vga', 'none', '-display', 'none',
      '-nodefaults', '-monitor', 'none', '-serial', 'none'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 20000);
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/\nCode=.*\n/.test(err)) p.kill('SIGKILL');
    });
    p.on('error', reject);
    p.on('close', () => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const start = err.indexOf('KVM internal error');
      const end = err.search(/\nCode=.*\n/);
      if (start < 0 || end < 0) reject(new Error(`QEMU did not report the internal error:\n${err}`));
      else resolve(err.slice(start, err.indexOf('\n', end + 1) + 1));
    });
  });
}

test('KVM internal error: QEMU 7.2\'s message, extra data and register dump; VM in internal-error', { skip: KVM_SKIP }, async () => {
  const image = assemble(source);
  const expected = await qemuOracle(image);
  const vm = createVm({ ramSize: 0x80000 });
  const bios = kvmRamAlloc(0x10000);
  let err = '';
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    new Uint8Array(bios.buffer).set(image);
    kvmSlotAdd({ gpa: 0xf0000, size: 0x10000, hostBuffer: bios.buffer });
    startVcpus(vm, { cs: 0xf000, ip: 0 });
    await waitFor(() => runstateGet() === 'internal-error', 30000, 'the internal error');
  } finally {
    process.stderr.write = write;
    destroyVm(vm);
    kvmRamFree(bios.buffer);
  }
  assert.equal(text(vm.e9), 'L');
  assert.equal(err, expected);
});
