/*
 * The PC under KVM: what QEMU's KVM memory listener (kvm_region_add/del), its PIO/MMIO exit
 * dispatch (address_space_rw on address_space_io/memory) and kvm_pc_gsi_handler do.
 *
 * Guest RAM and ROM are slots over the machine's one shared guest buffer, kept in step with
 * the map; port and MMIO exits reach the same device models TCG uses; device interrupt lines
 * go to the in-kernel irqchip (PIC and IOAPIC) with KVM_IRQ_LINE, and the PIT is the
 * in-kernel one (KVM_CREATE_PIT2), as with QEMU's default kernel-irqchip=on.
 */
import { QemuError } from '../../util/error.js';
import { kvmEnabled, kvmIrqchipInKernel, kvmPitCreate, kvmSetIrq, kvmSetMemoryMap } from '../../accel/kvm/kvm-all.js';
import { kvmSetIoHandler } from '../../accel/kvm/kvm-accel-ops.js';
import type { IOPortSpace } from '../../exec/ioport.js';
import type { AddressSpace } from '../../exec/memory.js';
import type { MachineState } from '../core/machine.js';
import { pcMemory } from './pc-memory.js';

function readLe(data: Uint8Array, off: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + data[off + i];
  return v;
}

function writeLe(data: Uint8Array, off: number, size: number, v: number): void {
  for (let i = 0; i < size; i++) {
    data[off + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

/** One MMIO access of up to 8 bytes, split into naturally sized pieces the flat map serves. */
function mmioAccess(as: AddressSpace, addr: number, size: number, isWrite: boolean, data: Uint8Array, off: number): void {
  for (let done = 0; done < size; ) {
    const n = size - done >= 4 && ((addr + done) & 3) === 0 ? 4 : size - done >= 2 && ((addr + done) & 1) === 0 ? 2 : 1;
    if (isWrite) as.writeSlow(addr + done, readLe(data, off + done, n), n);
    else writeLe(data, off + done, n, as.readSlow(addr + done, n) >>> 0);
    done += n;
  }
}

/** The KVM side of pc_memory_init and the board's I/O: called by pcInit1 once RAM and the port space exist. */
export function pcKvmInit(ms: MachineState, io: IOPortSpace): void {
  if (!kvmEnabled()) return;
  const layout = pcMemory(ms);
  const mem = layout?.memory;
  if (mem === undefined) throw new QemuError(layout?.unsupported ?? 'the machine has no guest memory');
  const { as, alloc } = mem;
  const syncSlots = (): void => kvmSetMemoryMap(as.ramSections().map((r) => ({
    gpa: r.start, size: r.size, hostBuffer: alloc.buffer, hostOffset: r.ramOffset, readonly: r.readonly,
  })));
  syncSlots();
  as.addListener(syncSlots);
  kvmSetIoHandler({
    pio: (port, size, isWrite, data, off) => {
      if (isWrite) io.write(port, readLe(data, off, size), size);
      else writeLe(data, off, size, io.read(port, size));
    },
    mmio: (addr, size, isWrite, data, off) => mmioAccess(as, addr, size, isWrite, data, off),
  });
}

/** kvm_irqchip_in_kernel(): the PIC, IOAPIC and PIT are KVM's (the board's models stay for their QOM state). */
export function pcKvmIrqchipInKernel(): boolean {
  return kvmEnabled() && kvmIrqchipInKernel();
}

/** kvm_pit_init()'s realize: the in-kernel PIT serves ports 0x40-0x43 and raises IRQ 0 itself. */
export function pcKvmPitCreate(): void {
  kvmPitCreate();
}

/** kvm_pc_gsi_handler(): a device's interrupt line goes to the in-kernel PIC and IOAPIC. */
export function pcKvmGsiHandler(gsi: number, level: number): void {
  kvmSetIrq(gsi, level);
}
