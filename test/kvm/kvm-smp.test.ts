import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kvmSetDebugThreads } from '../../src/accel/kvm/kvm-accel-ops.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: the SDM's MP start-up (INIT, then SIPI with vector v: the AP starts
// in real mode at v << 12) through KVM's in-kernel LAPIC; CPUID.1:EBX[31:24]
// is each vCPU's initial APIC id (KVM_CREATE_VCPU id).  QEMU names the threads
// "CPU n/KVM" with -name debug-threads=on (7.2 tested: shared/reference).
requireKvmTools();

const guest = `
  bits 16
  org 0x1000
  cli
  xor ax, ax
  mov ds, ax
  mov word [0x500], 0
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp 8:pm
  bits 32
pm:
  mov ax, 16
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov dword [0xfee000f0], 0x1ff          ; SVR: APIC software-enabled
  mov dword [0xfee00310], 0
  mov dword [0xfee00300], 0x000c4500     ; INIT to all excluding self
  mov dword [0xfee00300], 0x000c4608     ; SIPI, vector 8: APs start at 0x8000
  mov dword [0xfee00300], 0x000c4608
waitaps:
  cmp word [0x500], NAPS
  jne waitaps
  mov al, 'D'
  out 0xe9, al
halt:
  hlt
  jmp halt
  align 8
gdt: dq 0
     dq 0x00cf9b000000ffff
     dq 0x00cf93000000ffff
gdtr: dw 23
      dd gdt

  times 0x7000-($-$$) db 0
  ; 0x8000: the APs, in real mode
  bits 16
  xor ax, ax
  mov ds, ax
  mov eax, 1
  cpuid
  shr ebx, 24
  mov al, bl
  out 0x99, al
  lock inc word [0x500]
aphalt:
  cli
  hlt
  jmp aphalt
`;

test('SMP: the BSP starts 3 APs by INIT/SIPI through the in-kernel LAPIC; each reports its APIC id', { skip: KVM_SKIP }, async () => {
  const n = 4;
  const code = assemble(guest.replace('NAPS', String(n - 1)));
  const ap: number[] = [];
  kvmSetDebugThreads(true);
  const vm = createVm({
    cpus: n,
    io: {
      pio: (port, size, isWrite, data, off) => {
        if (port === 0x99 && isWrite) ap.push(data[off]!);
        else if (!isWrite) data.fill(0xff, off, off + size);
      },
    },
  });
  try {
    vm.ram.set(code, 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    // query-cpus-fast's thread-id: one real thread per vCPU, named as QEMU names it.
    const tids = vm.cpus.map((c) => c.vcpu!.threadId);
    assert.equal(new Set(tids).size, n);
    for (const [i, cpu] of vm.cpus.entries()) {
      assert.notEqual(cpu.vcpu!.threadId, process.pid);
      assert.equal(cpu.vcpu!.threadName, `CPU ${i}/KVM`);
      assert.equal(readFileSync(`/proc/self/task/${cpu.vcpu!.threadId}/comm`, 'utf8').trim(), `CPU ${i}/KVM`);
    }
    await waitFor(() => vm.e9.length > 0, 60000, 'the BSP to see every AP');
    assert.equal(text(vm.e9), 'D');
    assert.deepEqual([...ap].sort(), [1, 2, 3]);
  } finally {
    destroyVm(vm);
    kvmSetDebugThreads(false);
  }
});
