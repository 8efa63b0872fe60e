import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kvmVcpus } from '../../src/accel/kvm/kvm-accel-ops.js';
import { STATE_PARKED, MB_STATE } from '../../src/accel/kvm/kvm-mailbox.js';
import { runstateGet, vmStart, vmStop } from '../../src/system/runstate.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, waitFor } from './kvm-helpers.js';

// Oracle: QEMU's stop/cont semantics (pause_all_vcpus returns with every vCPU
// out of KVM_RUN; the guest makes no progress until cont) and the issue's
// promptness bound: a guest spinning forever is kicked out at once and the
// process exits within about a second.
requireKvmTools();

const spin = 'bits 16\norg 0x1000\nspin: inc dword [0x500]\njmp spin\n';

test('stop kicks a spinning vCPU out of KVM_RUN at once; cont resumes it', { skip: KVM_SKIP }, async () => {
  const vm = createVm();
  const counter = new DataView(vm.ramBuffer);
  try {
    vm.ram.set(assemble(spin), 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => counter.getUint32(0x500, true) > 100, 20000, 'the guest to spin');
    const t0 = performance.now();
    vmStop();
    const stopMs = performance.now() - t0;
    assert.ok(stopMs < 1000, `stop took ${stopMs} ms`);
    assert.equal(runstateGet(), 'paused');
    assert.equal(Atomics.load(kvmVcpus()[0]!.mb, MB_STATE), STATE_PARKED);
    assert.equal(vm.cpus[0]!.stopped, true);
    const frozen = counter.getUint32(0x500, true);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(counter.getUint32(0x500, true), frozen, 'the guest ran while stopped');
    vmStart();
    await waitFor(() => counter.getUint32(0x500, true) > frozen + 100, 20000, 'the guest to run again after cont');
    assert.equal(vm.cpus[0]!.stopped, false);
  } finally {
    destroyVm(vm);
  }
});

test('quit: process.exit() returns promptly although vCPU threads are inside KVM_RUN', { skip: KVM_SKIP }, async () => {
  const child = fileURLToPath(new URL('./kvm-spin-child.js', import.meta.url));
  const p = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const killer = setTimeout(() => p.kill('SIGKILL'), 30000);
  const code = await new Promise<number | null>((r) => p.on('close', (c) => r(c)));
  const exitedAt = Date.now();
  clearTimeout(killer);
  const m = /EXIT (\d+)/.exec(out);
  assert.ok(m, `the child never asked to exit: ${out}${err}`);
  assert.equal(code, 0, err);
  const ms = exitedAt - Number(m[1]);
  assert.ok(ms < 1000, `exit took ${ms} ms`);
});
