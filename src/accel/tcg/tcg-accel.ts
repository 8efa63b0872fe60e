/*
 * The TCG accelerator (accel/tcg/tcg-all.c, tcg-accel-ops-rr.c).  Our first
 * version runs every vCPU round-robin on the main thread, as QEMU's
 * `thread=single` does, so each vCPU's context names that one thread.
 */
import { objectClassPropertyAdd, typeRegisterStatic } from '../../qom/object.js';
import { visitStr, visitUint, visitBool } from '../../qom/visitor.js';
import { QemuError } from '../../util/error.js';
import { TYPE_ACCEL, type AccelClassFields } from '../accel.js';
import type { CPUState } from '../../hw/core/cpu.js';
import { setX86AccelCpuOps } from '../../target/i386/cpu.js';
import { tcgX86AccelCpuOps } from '../../target/i386/tcg-accel-cpu.js';
import { qemuInitVcpu } from '../../system/cpus.js';

export const TYPE_TCG_ACCEL = 'tcg-accel';

function rrStartVcpuThread(cpu: CPUState): void {
  cpu.vcpu = { threadId: process.pid, threadName: 'ALL CPUs/TCG' };
}

export function registerTcgAccel(): void {
  typeRegisterStatic({
    name: TYPE_TCG_ACCEL,
    parent: TYPE_ACCEL,
    classInit: (oc) => {
      const ac = oc as unknown as AccelClassFields;
      ac.name = 'tcg';
      ac.usesHostCpuid = false;
      ac.initMachine = () => {
        setX86AccelCpuOps(tcgX86AccelCpuOps(qemuInitVcpu));
        return 0;
      };
      ac.ops = { createVcpuThread: rrStartVcpuThread };
      objectClassPropertyAdd(oc, {
        name: 'thread',
        type: 'string',
        set: (_o, v) => {
          const s = visitStr('thread', v);
          if (s === 'single') return;
          if (s === 'multi') throw new QemuError('multi-threaded TCG (thread=multi) is not supported yet');
          throw new QemuError(`Invalid 'thread' setting ${s}`);
        },
        get: () => 'single',
      });
      objectClassPropertyAdd(oc, { name: 'tb-size', type: 'int', set: (_o, v) => void visitUint('tb-size', v, 32), get: () => 0 });
      objectClassPropertyAdd(oc, { name: 'split-wx', type: 'bool', set: (_o, v) => void visitBool('split-wx', v), get: () => false });
    },
  });
}
