/*
 * The monitor's view of the software vCPUs: "info registers" (hmp_info_registers →
 * cpu_dump_state) for one CPU, by cpu_index.
 */
import { x86CpuDumpState } from '../../target/i386/tcg/cpu-dump.js';
import { tcgRrVcpus } from './tcg-accel-ops-rr.js';

/** The register dump of CPU `cpuIndex`, or undefined when no software vCPU has that index. */
export function tcgCpuDumpState(cpuIndex: number): string | undefined {
  const v = tcgRrVcpus().find((x) => x.cpu.cpuIndex === cpuIndex);
  return v === undefined ? undefined : x86CpuDumpState(v.tcg.env, true);
}
