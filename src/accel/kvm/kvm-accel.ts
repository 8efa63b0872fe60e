/*
 * The KVM accelerator (accel/kvm/kvm-all.c).  Today it only detects /dev/kvm,
 * as kvm_init() starts by doing; running vCPUs on KVM is the KVM issue's work,
 * so a usable /dev/kvm still fails initialisation with a clear message, and
 * `accel=kvm:tcg` falls back to TCG with QEMU's lines.
 */
import { closeSync, openSync, constants as fsc } from 'node:fs';
import { constants as osc } from 'node:os';
import { objectClassPropertyAdd, typeRegisterStatic } from '../../qom/object.js';
import { visitEnum, visitInt, visitUint } from '../../qom/visitor.js';
import { errorReport } from '../../util/error.js';
import { strerror } from '../../util/strerror.js';
import { TYPE_ACCEL, type AccelClassFields } from '../accel.js';

export const TYPE_KVM_ACCEL = 'kvm-accel';
export const KVM_DEVICE = '/dev/kvm';

function kvmInit(): number {
  let fd: number;
  try {
    fd = openSync(KVM_DEVICE, fsc.O_RDWR);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    errorReport(`Could not access KVM kernel module: ${strerror(err)}`);
    return -(osc.errno[err.code as keyof typeof osc.errno] ?? osc.errno.ENODEV);
  }
  closeSync(fd);
  errorReport('the KVM accelerator is not supported yet');
  return -osc.errno.ENOSYS;
}

export function registerKvmAccel(): void {
  typeRegisterStatic({
    name: TYPE_KVM_ACCEL,
    parent: TYPE_ACCEL,
    classInit: (oc) => {
      const ac = oc as unknown as AccelClassFields;
      ac.name = 'KVM';
      ac.usesHostCpuid = true;
      ac.initMachine = kvmInit;
      ac.ops = {
        createVcpuThread: () => {
          throw new Error('KVM vCPUs cannot be created before kvm_init succeeds');
        },
      };
      objectClassPropertyAdd(oc, {
        name: 'kernel-irqchip',
        type: 'on|off|split',
        set: (_o, v) => void visitEnum('kernel-irqchip', v, ['on', 'off', 'split'] as const),
        get: () => 'on',
      });
      objectClassPropertyAdd(oc, { name: 'kvm-shadow-mem', type: 'int', set: (_o, v) => void visitInt('kvm-shadow-mem', v, 64), get: () => -1 });
      objectClassPropertyAdd(oc, { name: 'dirty-ring-size', type: 'uint32', set: (_o, v) => void visitUint('dirty-ring-size', v, 32), get: () => 0 });
    },
  });
}
