import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvmPitCreate, kvmState } from '../../src/accel/kvm/kvm-all.js';
import { kvmVcpus } from '../../src/accel/kvm/kvm-accel-ops.js';
import { kvmGetMsr } from '../../src/target/i386/kvm/kvm.js';
import { vmStart } from '../../src/system/runstate.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: the 8254 datasheet (1.193182 MHz input; mode 2 rate generator, so
// divisor 1193 gives 1000.15 interrupts a second) and the 8259A's model; the
// in-kernel PIT and PIC handle ports 0x40-0x43/0x20-0x21 without exits.
// MSR reset values: QEMU's (PAT 0x0007040600070406, MISC_ENABLE fast strings).
requireKvmTools();

const guest = `
  bits 16
  org 0x1000
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  mov word [8*4], tick          ; IRQ0 -> vector 8
  mov word [8*4+2], 0
  mov al, 0x11
  out 0x20, al
  mov al, 0x08
  out 0x21, al
  mov al, 0x04
  out 0x21, al
  mov al, 0x01
  out 0x21, al
  mov al, 0xfe                  ; only IR0
  out 0x21, al
  mov al, 0x34                  ; channel 0, lobyte/hibyte, mode 2
  out 0x43, al
  mov ax, 1193
  out 0x40, al
  mov al, ah
  out 0x40, al
  mov al, 'S'
  out 0x99, al
  out 0xe9, al
  sti
idle:
  hlt
  jmp idle
tick:
  push ax
  inc word [0x600]
  cmp word [0x600], 300
  jne .eoi
  mov al, 'P'
  out 0x99, al
  out 0xe9, al
.eoi:
  mov al, 0x20
  out 0x20, al
  pop ax
  iret
`;

test('the in-kernel PIT (KVM_CREATE_PIT2) interrupts through the in-kernel PIC at the programmed rate', { skip: KVM_SKIP }, async () => {
  const ports = new Set<number>();
  const stamps: number[] = []; // when the guest's 'S' and 'P' reached us
  const vm = createVm({
    io: {
      pio: (port, size, isWrite, data, off) => {
        ports.add(port);
        if (port === 0x99) stamps.push(performance.now());
        if (!isWrite) data.fill(0xff, off, off + size);
      },
    },
  });
  try {
    kvmPitCreate();
    vm.ram.set(assemble(guest), 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 }, false);
    const s = kvmState();
    const bsp = kvmVcpus()[0]!;
    assert.deepEqual(kvmGetMsr(s, bsp.fd, 0x277), [0x00070406, 0x00070406]);
    assert.deepEqual(kvmGetMsr(s, bsp.fd, 0x1a0)[0]! & 1, 1);
    vmStart();
    await waitFor(() => text(vm.e9) === 'SP', 20000, '300 timer interrupts');
    const ms = stamps[1]! - stamps[0]!;
    // Ticks missed while the exit for 'S' waited are reinjected at once: allow 50 ms for that.
    assert.ok(ms >= 250, `300 ticks at 1 kHz took only ${ms} ms`);
    assert.equal(stamps.length, 2);
    for (const p of [0x20, 0x21, 0x40, 0x43]) assert.equal(ports.has(p), false, `port 0x${p.toString(16)} exited to userspace`);
  } finally {
    destroyVm(vm);
  }
});
