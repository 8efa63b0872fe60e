/*
 * The KVM accelerator type (accel/kvm/kvm-all.c kvm_accel_class_init,
 * kvm-accel-ops.c): its properties, kvm_init() and the vCPU thread creation.
 */
import { objectClassPropertyAdd, typeRegisterStatic, type QObject } from '../../qom/object.js';
import { visitEnum, visitInt, visitUint } from '../../qom/visitor.js';
import { TYPE_ACCEL, type AccelClassFields } from '../accel.js';
import { kvmInit } from './kvm-all.js';
import { kvmSetCpuInfoProvider, kvmStartVcpuThread } from './kvm-accel-ops.js';
import { setX86AccelCpuOps, type X86CPU } from '../../target/i386/cpu.js';
import { kvmX86AccelCpuOps, kvmX86CpuInfo } from '../../target/i386/kvm/kvm-cpu.js';
import { qemuInitVcpu } from '../../system/cpus.js';

export const TYPE_KVM_ACCEL = 'kvm-accel';
export { KVM_DEVICE } from './kvm-all.js';

type IrqchipMode = 'on' | 'off' | 'split';
const irqchipMode = new WeakMap<QObject, IrqchipMode>();

/** The -smp numbers kvm_init() checks against KVM's limits; the machine sets them before configure_accelerators. */
let smp = { cpus: 1, maxCpus: 1 };

export function kvmSetSmp(cpus: number, maxCpus: number): void {
  smp = { cpus, maxCpus };
}

export function registerKvmAccel(): void {
  typeRegisterStatic({
    name: TYPE_KVM_ACCEL,
    parent: TYPE_ACCEL,
    classInit: (oc) => {
      const ac = oc as unknown as AccelClassFields;
      ac.name = 'KVM';
      ac.usesHostCpuid = true;
      ac.initMachine = (obj) => {
        const ret = kvmInit({ smpCpus: smp.cpus, maxCpus: smp.maxCpus, kernelIrqchip: irqchipMode.get(obj) ?? 'on' });
        if (ret === 0) {
          setX86AccelCpuOps(kvmX86AccelCpuOps(qemuInitVcpu));
          kvmSetCpuInfoProvider((cpu) => kvmX86CpuInfo(cpu as X86CPU));
        }
        return ret;
      };
      ac.ops = { createVcpuThread: kvmStartVcpuThread };
      objectClassPropertyAdd(oc, {
        name: 'kernel-irqchip',
        type: 'on|off|split',
        set: (o, v) => void irqchipMode.set(o, visitEnum('kernel-irqchip', v, ['on', 'off', 'split'] as const)),
        get: (o) => irqchipMode.get(o) ?? 'on',
      });
      objectClassPropertyAdd(oc, { name: 'kvm-shadow-mem', type: 'int', set: (_o, v) => void visitInt('kvm-shadow-mem', v, 64), get: () => -1 });
      objectClassPropertyAdd(oc, { name: 'dirty-ring-size', type: 'uint32', set: (_o, v) => void visitUint('dirty-ring-size', v, 32), get: () => 0 });
    },
  });
}
