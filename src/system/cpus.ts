/*
 * vCPU life cycle (system/cpus.c): qemu_init_vcpu() gives each realized CPU its
 * execution context from the accelerator, stopped; vm_start() resumes them all.
 */
import { cpus, type CPUState } from '../hw/core/cpu.js';
import { currentAccel } from '../accel/accel.js';
import { onVmResume, onVmStop, qemuSystemResetRequest } from './runstate.js';
import { qmpFindCommand, qmpRegisterCommand } from '../monitor/qmp-dispatch.js';
import { trace } from '../util/trace.js';

/** qemu_init_vcpu(). */
export function qemuInitVcpu(cpu: CPUState): void {
  cpu.stopped = true;
  currentAccel().ops.createVcpuThread(cpu);
  trace('qemu_init_vcpu', `cpu_index=${cpu.cpuIndex} thread="${cpu.vcpu?.threadName}"`);
}

/** resume_all_vcpus() / pause_all_vcpus(), hooked to the run state; QMP system_reset. */
export function cpusInit(): void {
  if (!qmpFindCommand('system_reset')) {
    qmpRegisterCommand('system_reset', () => void qemuSystemResetRequest('host-qmp-system-reset'));
  }
  onVmResume(() => {
    for (const cpu of cpus) cpu.stopped = false;
    trace('resume_all_vcpus', `cpus=${cpus.length}`);
  });
  onVmStop(() => {
    for (const cpu of cpus) cpu.stopped = true;
  });
}
