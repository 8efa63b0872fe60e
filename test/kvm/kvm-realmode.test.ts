import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, createVm, destroyVm, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: the SDM's semantics of OUT/REP OUTSB/INSB in real mode; QEMU's
// kvm_handle_io() performs `count` accesses of `size` bytes each.
requireKvmTools();

test('a real-mode guest writes a string to port 0xe9', async () => {
  const code = assemble(`
    bits 16
    org 0x1000
    mov si, msg
  next:
    lodsb
    test al, al
    jz done
    out 0xe9, al
    jmp next
  done:
    cli
    hlt
    jmp done
  msg: db "Hello from KVM", 10, 0
  `);
  const vm = createVm();
  try {
    vm.ram.set(code, 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => vm.e9.length >= 15, 20000, 'the guest string');
    assert.equal(text(vm.e9), 'Hello from KVM\n');
  } finally {
    destroyVm(vm);
  }
});
