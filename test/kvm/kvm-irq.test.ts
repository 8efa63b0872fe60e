import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvmEventfdNew, kvmFdWatch, kvmIoeventfdAssign, kvmIrqfdAssign, kvmSetIrq, kvmState } from '../../src/accel/kvm/kvm-all.js';
import { kvmVcpus } from '../../src/accel/kvm/kvm-accel-ops.js';
import { APIC_LVT0, APIC_LVT1, kvmGetLapic } from '../../src/target/i386/kvm/kvm.js';
import { vmStart } from '../../src/system/runstate.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: the 8259A's programming model (ICW1-4, OCW1 mask, EOI) and the
// SDM's real-mode interrupt delivery through the IVT; QEMU's LAPIC reset
// (apic_reset_common: BSP LINT0 = ExtINT 0x700, others masked) which lets the
// PIC's INTR reach the BSP; KVM's irqfd/ioeventfd semantics (api.rst).
requireKvmTools();

const guest = `
  bits 16
  org 0x1000
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  mov word [13*4], irq5         ; IVT: IRQ 5 -> vector 8 + 5
  mov word [13*4+2], 0
  mov al, 0x11                  ; ICW1: edge, cascade, ICW4
  out 0x20, al
  mov al, 0x08                  ; ICW2: vectors 8..15
  out 0x21, al
  mov al, 0x04                  ; ICW3: slave on IR2
  out 0x21, al
  mov al, 0x01                  ; ICW4: 8086 mode
  out 0x21, al
  mov al, 0xdf                  ; OCW1: only IR5 unmasked
  out 0x21, al
  mov al, 'R'
  out 0xe9, al
  sti
idle:
  hlt
  jmp idle
irq5:
  push ax
  push dx
  mov al, 'I'
  out 0xe9, al
  inc byte [0x600]
  cmp byte [0x600], 2
  jne .eoi
  mov dx, 0x510                 ; the second interrupt rings the ioeventfd
  mov al, 0x42
  out dx, al
  mov al, 'E'
  out 0xe9, al
.eoi:
  mov al, 0x20
  out 0x20, al
  pop dx
  pop ax
  iret
`;

test('KVM_IRQ_LINE, irqfd and ioeventfd through the in-kernel PIC', { skip: KVM_SKIP }, async () => {
  const seenPorts = new Set<number>();
  const vm = createVm({
    cpus: 2,
    io: {
      pio: (port, size, isWrite, data, off) => {
        seenPorts.add(port);
        if (!isWrite) data.fill(0xff, off, off + size);
      },
    },
  });
  const s = kvmState();
  const irqfd = kvmEventfdNew();
  const ioeventfd = kvmEventfdNew();
  const rings: number[] = [];
  let stopWatch: (() => void) | undefined;
  try {
    vm.ram.set(assemble(guest), 0x1000);
    assert.equal(kvmIoeventfdAssign(ioeventfd, 0x510, 1, true, true, 0x42), 0);
    stopWatch = kvmFdWatch(ioeventfd, () => rings.push(s.sys.eventfdRead(ioeventfd)));
    startVcpus(vm, { cs: 0, ip: 0x1000 }, false);
    const [bsp, ap] = kvmVcpus();
    assert.equal(kvmGetLapic(s, bsp!.fd).getUint32(APIC_LVT0, true), 0x700);
    assert.equal(kvmGetLapic(s, bsp!.fd).getUint32(APIC_LVT1, true), 0x10000);
    assert.equal(kvmGetLapic(s, ap!.fd).getUint32(APIC_LVT0, true), 0x10000);
    vmStart();
    await waitFor(() => text(vm.e9) === 'R', 20000, 'the guest to program the PIC');
    await new Promise((r) => setTimeout(r, 50)); // let it reach hlt with IF=1
    kvmSetIrq(5, 1);
    kvmSetIrq(5, 0);
    await waitFor(() => text(vm.e9) === 'RI', 20000, 'the KVM_IRQ_LINE interrupt');
    assert.equal(kvmIrqfdAssign(irqfd, 5, true), 0);
    assert.equal(s.sys.eventfdWrite(irqfd, 1), 0);
    await waitFor(() => text(vm.e9) === 'RIIE' && rings.length > 0, 20000, 'the irqfd interrupt and the ioeventfd');
    assert.deepEqual(rings, [1]);
    assert.equal(seenPorts.has(0x510), false, 'the ioeventfd write must not exit to userspace');
    assert.equal(kvmIrqfdAssign(irqfd, 5, false), 0);
  } finally {
    stopWatch?.();
    s.sys.close(irqfd);
    s.sys.close(ioeventfd);
    destroyVm(vm);
  }
});
