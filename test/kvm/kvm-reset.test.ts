import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { kvmRamAlloc, kvmRamFree, kvmSlotAdd, kvmState } from '../../src/accel/kvm/kvm-all.js';
import { kvmResetVcpu, kvmSetCpuInfoProvider, kvmVcpuOf } from '../../src/accel/kvm/kvm-accel-ops.js';
import { kvmSupportedCpuidFunction } from '../../src/target/i386/kvm/kvm.js';
import { kvmCpuDumpState } from '../../src/target/i386/kvm/kvm-regs.js';
import { vmStart, vmStop } from '../../src/system/runstate.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: real QEMU 7.2 (-accel kvm -smp 2 -S, `info registers` on each CPU)
// shows the reset state QEMU puts into KVM; after a triple fault and
// kvmResetVcpu() ours must read back the same.  EDX holds CPUID.1:EAX, so the
// vCPUs here get QEMU's model's value in that leaf.  Then the BSP must restart
// at the reset vector (CS.base 0xffff0000 + 0xfff0).
requireKvmTools();

function qemuResetDumps(): string[] {
  const r = spawnSync('qemu-system-x86_64', ['-accel', 'kvm', '-smp', '2', '-M', 'pc', '-display', 'none', '-S', '-monitor', 'stdio', '-nodefaults'],
    { encoding: 'utf8', input: 'info registers\ncpu 1\ninfo registers\nquit\n', timeout: 30000 });
  // eslint-disable-next-line no-control-regex
  const out = r.stdout.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');
  const dumps = [...out.matchAll(/(EAX=[\s\S]*?EFER=[0-9a-f]+\n)/g)].map((m) => m[1]!);
  assert.equal(dumps.length, 2, out);
  return dumps;
}

test('CPU reset after a triple fault puts QEMU 7.2\'s reset state; the BSP restarts at the reset vector', { skip: KVM_SKIP }, async () => {
  const expected = qemuResetDumps();
  const version = parseInt(/EDX=([0-9a-f]{8})/.exec(expected[0]!)![1]!, 16);
  kvmSetCpuInfoProvider((cpu) => {
    const host = kvmSupportedCpuidFunction(cpu.cpuIndex);
    return { apicId: cpu.cpuIndex, cpuid: (l, sl) => (l === 1 ? { ...host(1, sl), eax: version } : host(l, sl)) };
  });
  let dumps: string[] = [];
  const vm = createVm({
    cpus: 2,
    hooks: {
      resetRequest: () => {
        vmStop();
        for (const cpu of vm.cpus) kvmResetVcpu(cpu);
        dumps = vm.cpus.map((cpu) => kvmCpuDumpState(kvmState(), kvmVcpuOf(cpu)!.fd, () => undefined, false));
        vmStart();
      },
    },
  });
  const top = kvmRamAlloc(0x10000);
  try {
    // The reset vector: mov al, 'R'; out 0xe9, al; cli; hlt
    new Uint8Array(top.buffer).set([0xb0, 0x52, 0xe6, 0xe9, 0xfa, 0xf4], 0xfff0);
    kvmSlotAdd({ gpa: 0xffff0000, size: 0x10000, hostBuffer: top.buffer });
    vm.ram.set(assemble(`
      bits 16
      org 0x1000
      cli
      mov eax, 0x11111111
      mov edx, 0x22222222
      lgdt [gdtr]
      lidt [idt0]
      mov eax, cr0
      or al, 1
      mov cr0, eax
      jmp 8:pm
      bits 32
    pm:
      mov ax, 16
      mov ds, ax
      mov ss, ax
      mov esp, 0x9000
      ud2
      align 8
    gdt: dq 0
         dq 0x00cf9b000000ffff
         dq 0x00cf93000000ffff
    gdtr: dw 23
          dd gdt
    idt0: dw 0
          dd 0
    `), 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => text(vm.e9) === 'R', 20000, 'the BSP to run from the reset vector');
    assert.equal(dumps[0], expected[0]);
    assert.equal(dumps[1], expected[1]);
  } finally {
    destroyVm(vm);
    kvmRamFree(top.buffer);
    kvmSetCpuInfoProvider((cpu) => ({ apicId: cpu.cpuIndex, cpuid: kvmSupportedCpuidFunction(cpu.cpuIndex) }));
  }
});
