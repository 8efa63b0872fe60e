import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvmRamAlloc, kvmRamFree, kvmSetMemoryMap, kvmSlotAdd, kvmSlotRemove, kvmState } from '../../src/accel/kvm/kvm-all.js';
import { vmStop } from '../../src/system/runstate.js';
import { assemble, createVm, destroyVm, KVM_SKIP, requireKvmTools, startVcpus, text, waitFor } from './kvm-helpers.js';

// Oracle: the SDM's semantics of OUT/REP OUTSB/INSB in real mode; QEMU's
// kvm_handle_io() performs `count` accesses of `size` bytes each.
requireKvmTools();

test('a real-mode guest writes a string to port 0xe9', { skip: KVM_SKIP }, async () => {
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

test('rep outsb / rep insb reach the device once per element, in order', { skip: KVM_SKIP }, async () => {
  const code = assemble(`
    bits 16
    org 0x1000
    cld
    mov si, src
    mov cx, 300          ; more than fits in one exit on some hosts: count is honoured either way
    mov dx, 0x80
    rep outsb
    mov di, dst
    mov cx, 5
    mov dx, 0x81
    rep insb
    mov si, dst
    mov cx, 5
    mov dx, 0xe9
    rep outsb
    mov ax, 0x4241
    out 0x82, ax         ; one 16-bit access
  halt:
    cli
    hlt
    jmp halt
  src: times 300 db 0
  dst: times 5 db 0
  `);
  const port80: number[] = [];
  const port82: Array<[number, number]> = [];
  let next81 = 0x61; // 'a'
  const vm = createVm({
    io: {
      pio: (port, size, isWrite, data, off) => {
        if (port === 0x80 && isWrite && size === 1) port80.push(data[off]!);
        else if (port === 0x81 && !isWrite && size === 1) data[off] = next81++;
        else if (port === 0x82 && isWrite) port82.push([size, data[off]! | (data[off + 1]! << 8)]);
        else if (!isWrite) data.fill(0xff, off, off + size);
      },
    },
  });
  try {
    vm.ram.set(code, 0x1000);
    const srcOff = 0x1000 + code.length - 305;
    for (let i = 0; i < 300; i++) vm.ram[srcOff + i] = (i * 7 + 3) & 0xff;
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => port82.length > 0, 20000, 'the final 16-bit write');
    assert.equal(port80.length, 300);
    assert.deepEqual(port80, Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff));
    assert.equal(text(vm.e9), 'abcde');
    assert.deepEqual(port82, [[2, 0x4241]]);
  } finally {
    destroyVm(vm);
  }
});

test('MMIO outside guest RAM exits to the device with address, size and data', { skip: KVM_SKIP }, async () => {
  const code = assemble(`
    bits 16
    org 0x1000
    mov ax, 0xa000
    mov es, ax
    mov dword [es:0x10], 0x12345678
    mov al, [es:0x20]
    out 0xe9, al
    mov word [es:0x30], 0xbeef
  halt:
    cli
    hlt
    jmp halt
  `);
  const accesses: string[] = [];
  const vm = createVm({
    ramSize: 0x80000,
    io: {
      mmio: (addr, size, isWrite, data, off) => {
        const bytes = Array.from(data.subarray(off, off + size), (b) => b.toString(16).padStart(2, '0')).join('');
        if (isWrite) accesses.push(`W ${addr.toString(16)} ${size} ${bytes}`);
        else {
          accesses.push(`R ${addr.toString(16)} ${size}`);
          data[off] = 0x5a;
        }
      },
    },
  });
  try {
    vm.ram.set(code, 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => accesses.length >= 3, 20000, 'three MMIO accesses');
    assert.deepEqual(accesses, ['W a0010 4 78563412', 'R a0020 1', 'W a0030 2 efbe']);
    assert.equal(text(vm.e9), 'Z');
  } finally {
    destroyVm(vm);
  }
});

test('a triple fault is KVM_EXIT_SHUTDOWN: a guest reset request', { skip: KVM_SKIP }, async () => {
  const code = assemble(`
    bits 16
    org 0x1000
    mov al, 'T'
    out 0xe9, al
    cli
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
    ud2                   ; empty IDT: #UD, #GP, #DF, then shutdown
    align 8
  gdt: dq 0
       dq 0x00cf9b000000ffff
       dq 0x00cf93000000ffff
  gdtr: dw 23
        dd gdt
  idt0: dw 0
        dd 0
  `);
  const resets: string[] = [];
  const vm = createVm({ hooks: { resetRequest: (cause) => void resets.push(cause) } });
  try {
    vm.ram.set(code, 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => resets.length > 0, 20000, 'the reset request');
    assert.equal(text(vm.e9), 'T');
    assert.equal(resets[0], 'guest-reset');
  } finally {
    destroyVm(vm);
  }
});

test('a read-only slot (ROM): reads come from memory, writes exit as MMIO and change nothing', { skip: KVM_SKIP }, async () => {
  // Oracle: KVM api.rst, KVM_MEM_READONLY: "writes ... will be posted to userspace as KVM_EXIT_MMIO exits".
  const writes: string[] = [];
  const vm = createVm({
    ramSize: 0x80000,
    io: {
      mmio: (addr, size, isWrite, data, off) => {
        if (isWrite) writes.push(`${addr.toString(16)} ${size} ${data[off]!.toString(16)}`);
        else data.fill(0, off, off + size);
      },
    },
  });
  const rom = kvmRamAlloc(0x10000);
  try {
    new Uint8Array(rom.buffer).set([0x52, 0x4f, 0x4d], 0x10); // "ROM"
    kvmSlotAdd({ gpa: 0xf0000, size: 0x10000, hostBuffer: rom.buffer, readonly: true });
    vm.ram.set(assemble(`
      bits 16
      org 0x1000
      mov ax, 0xf000
      mov es, ax
      mov byte [es:0x10], 0x58     ; 'X' into ROM: an MMIO exit
      mov al, [es:0x10]
      out 0xe9, al
      mov al, [es:0x11]
      out 0xe9, al
      mov al, [es:0x12]
      out 0xe9, al
    halt:
      cli
      hlt
      jmp halt
    `), 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => vm.e9.length >= 3, 20000, 'the ROM bytes');
    assert.equal(text(vm.e9), 'ROM');
    assert.deepEqual(writes, ['f0010 1 58']);
  } finally {
    destroyVm(vm);
    kvmRamFree(rom.buffer);
  }
});

test('guest RAM can be a shared WebAssembly.Memory (the TCG RAM buffer), seen by device code as it is', { skip: KVM_SKIP }, async () => {
  // The same SharedArrayBuffer backs the slot and the main thread's view: what
  // the guest stores is what device code reads, with no copy.
  const mem = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true }); // 1 MiB
  const sab = mem.buffer as unknown as SharedArrayBuffer;
  const ram = new Uint8Array(sab);
  const vm = createVm({ ramSize: 0x1000 }); // its own RAM is not mapped below
  try {
    kvmSlotRemove(0);
    kvmSlotAdd({ gpa: 0, size: sab.byteLength, hostBuffer: sab });
    ram.set(assemble(`
      bits 16
      org 0x1000
      xor ax, ax
      mov ds, ax
      mov dword [0x8000], 0xcafef00d
      mov al, [0x9000]              ; put there by the host before the start
      out 0xe9, al
    halt:
      cli
      hlt
      jmp halt
    `), 0x1000);
    ram[0x9000] = 0x57; // 'W'
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => vm.e9.length > 0, 20000, 'the guest');
    assert.equal(text(vm.e9), 'W');
    assert.equal(new DataView(sab).getUint32(0x8000, true), 0xcafef00d);
  } finally {
    destroyVm(vm);
  }
});

test('kvmSetMemoryMap: page-trimmed slots from the flat map; what is left out exits as MMIO', { skip: KVM_SKIP }, async () => {
  // Oracle: QEMU's kvm_align_section() (slots cover whole host pages only) and
  // KVM's rule that guest-physical addresses without a slot exit as MMIO.
  const mem = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
  const sab = mem.buffer as unknown as SharedArrayBuffer;
  const ram = new Uint8Array(sab);
  const mmio: string[] = [];
  const vm = createVm({
    ramSize: 0x1000,
    io: {
      mmio: (addr, size, isWrite, data, off) => {
        mmio.push(`${isWrite ? 'W' : 'R'} ${addr.toString(16)}`);
        if (!isWrite) data.fill(0, off, off + size);
      },
    },
  });
  try {
    kvmSetMemoryMap([
      { gpa: 0, size: 0x80000, hostBuffer: sab },
      { gpa: 0xc0100, size: 0x2000, hostBuffer: sab, hostOffset: 0xc0100 }, // → [0xc1000, 0xc2000)
    ]);
    const slots = kvmState().slots.filter((e) => e !== undefined).map((e) => `${e!.gpa.toString(16)}+${e!.size.toString(16)}`);
    assert.deepEqual(slots, ['0+80000', 'c1000+1000']);
    ram.set(assemble(`
      bits 16
      org 0x1000
      mov ax, 0xc000
      mov ds, ax
      mov byte [0x0800], 1          ; 0xc0800: trimmed away, MMIO
      mov byte [0x1800], 2          ; 0xc1800: in the slot
      mov ax, 0x9000
      mov ds, ax
      mov byte [0], 3               ; 0x90000: no slot, MMIO
      mov al, 'K'
      out 0xe9, al
    halt:
      cli
      hlt
      jmp halt
    `), 0x1000);
    startVcpus(vm, { cs: 0, ip: 0x1000 });
    await waitFor(() => vm.e9.length > 0, 20000, 'the guest');
    assert.deepEqual(mmio, ['W c0800', 'W 90000']);
    assert.equal(ram[0xc1800], 2);
    assert.equal(ram[0xc0800], 0);
    vmStop();
    kvmSetMemoryMap([{ gpa: 0, size: 0x80000, hostBuffer: sab }]);
    assert.deepEqual(kvmState().slots.filter((e) => e !== undefined).map((e) => e!.gpa), [0]);
  } finally {
    destroyVm(vm);
  }
});
