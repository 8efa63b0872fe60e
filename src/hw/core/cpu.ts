/*
 * The generic CPU (hw/core/cpu-common.c): cpu_index, the stopped/halted state
 * and the execution context an accelerator attaches (qemu_init_vcpu).
 */
import { typeRegisterStatic } from '../../qom/object.js';
import { DeviceState, TYPE_DEVICE } from './qdev.js';

export const TYPE_CPU = 'cpu';

/** What an accelerator gives a vCPU: QEMU's cpu->thread + accel state. */
export interface VcpuContext {
  /** Host thread id shown by query-cpus-fast (a KVM worker's tid, or the main thread's for TCG). */
  threadId: number;
  /** Thread name, as QEMU names it ("CPU 0/KVM", "ALL CPUs/TCG"). */
  threadName: string;
}

export class CPUState extends DeviceState {
  cpuIndex = -1;
  /** Stopped until the VM starts (cpu->stopped). */
  stopped = true;
  halted = false;
  vcpu: VcpuContext | undefined;
}

/** Every realized CPU, in creation order (QEMU's `cpus` list). */
export const cpus: CPUState[] = [];

export function cpuListAdd(cpu: CPUState): void {
  if (cpu.cpuIndex < 0) cpu.cpuIndex = cpus.length;
  cpus.push(cpu);
}

export function cpuListReset(): void {
  cpus.length = 0;
}

export function registerCpuTypes(): void {
  typeRegisterStatic({ name: TYPE_CPU, parent: TYPE_DEVICE, abstract: true, instance: CPUState });
}
