/*
 * machine_parse_smp_config() (hw/core/machine-smp.c) as QEMU 7.2 has it: fills
 * in the omitted topology levels from the given ones, then checks the result.
 * The arithmetic is C's unsigned 32-bit arithmetic, so odd inputs (negative
 * numbers, products that wrap) give QEMU's results, messages included.
 */
import { QemuError, warnReport } from '../../util/error.js';
import type { MachineState } from './machine.js';

/** SMPConfiguration (qapi/machine.json): each member is optional; values are int64. */
export interface SMPConfiguration {
  cpus?: number;
  sockets?: number;
  dies?: number;
  clusters?: number;
  cores?: number;
  threads?: number;
  maxcpus?: number;
}

/** C's (unsigned) conversion of an int64. */
const u32 = (n: number): number => Number(BigInt.asUintN(32, BigInt(n)));
/** C's unsigned multiplication. */
const mul = (...xs: number[]): number => xs.reduce((a, b) => Math.imul(a, b) >>> 0, 1);
/** C's unsigned division; x86 traps on a zero divisor and so does QEMU. */
function div(a: number, b: number): number {
  if (b === 0) throw new Error('SIGFPE: integer division by zero in the -smp computation');
  return Math.floor(a / b) >>> 0;
}
/** "%d" of an unsigned value. */
const asInt = (n: number): number => n | 0;

/** cpu_hierarchy_to_string(): the levels the machine supports, outermost first. */
export function cpuHierarchyToString(ms: MachineState): string {
  const s = ms.smp;
  const props = ms.mc.smpProps;
  let out = `sockets (${s.sockets})`;
  if (props.diesSupported) out += ` * dies (${s.dies})`;
  if (props.clustersSupported) out += ` * clusters (${s.clusters})`;
  out += ` * cores (${s.cores})`;
  out += ` * threads (${s.threads})`;
  return out;
}

export function machineParseSmpConfig(ms: MachineState, config: SMPConfiguration): void {
  const mc = ms.mc;
  const given = (v: number | undefined): number => (v === undefined ? 0 : u32(v));
  let cpus = given(config.cpus);
  let sockets = given(config.sockets);
  let dies = given(config.dies);
  let clusters = given(config.clusters);
  let cores = given(config.cores);
  let threads = given(config.threads);
  let maxcpus = given(config.maxcpus);

  // 7.2 only warns about explicit zeros; they then count as omitted.
  if (Object.values(config).some((v) => v === 0)) {
    warnReport('Deprecated CPU topology (considered invalid): CPU topology parameters must be greater than zero');
  }

  if (!mc.smpProps.diesSupported && dies > 1) {
    throw new QemuError("dies not supported by this machine's CPU topology");
  }
  if (!mc.smpProps.clustersSupported && clusters > 1) {
    throw new QemuError("clusters not supported by this machine's CPU topology");
  }
  dies = dies || 1;
  clusters = clusters || 1;

  if (cpus === 0 && maxcpus === 0) {
    sockets = sockets || 1;
    cores = cores || 1;
    threads = threads || 1;
  } else {
    maxcpus = maxcpus || cpus;
    if (mc.smpProps.preferSockets) {
      // Machines up to 6.1 fill in sockets first.
      if (sockets === 0) {
        cores = cores || 1;
        threads = threads || 1;
        sockets = div(maxcpus, mul(dies, clusters, cores, threads));
      } else if (cores === 0) {
        threads = threads || 1;
        cores = div(maxcpus, mul(sockets, dies, clusters, threads));
      }
    } else if (cores === 0) {
      sockets = sockets || 1;
      threads = threads || 1;
      cores = div(maxcpus, mul(sockets, dies, clusters, threads));
    } else if (sockets === 0) {
      threads = threads || 1;
      sockets = div(maxcpus, mul(dies, clusters, cores, threads));
    }
    if (threads === 0) threads = div(maxcpus, mul(sockets, dies, clusters, cores));
  }

  maxcpus = maxcpus || mul(sockets, dies, clusters, cores, threads);
  cpus = cpus || maxcpus;

  ms.smp = { cpus, sockets, dies, clusters, cores, threads, maxCpus: maxcpus };

  if (mul(sockets, dies, clusters, cores, threads) !== maxcpus) {
    throw new QemuError('Invalid CPU topology: product of the hierarchy must match maxcpus: ' +
      `${cpuHierarchyToString(ms)} != maxcpus (${maxcpus})`);
  }
  if (maxcpus < cpus) {
    throw new QemuError('Invalid CPU topology: maxcpus must be equal to or greater than smp: ' +
      `${cpuHierarchyToString(ms)} == maxcpus (${maxcpus}) < smp_cpus (${cpus})`);
  }
  if (cpus < mc.minCpus) {
    throw new QemuError(`Invalid SMP CPUs ${asInt(cpus)}. The min CPUs supported by machine '${mc.name}' is ${mc.minCpus}`);
  }
  if (maxcpus > mc.maxCpus) {
    throw new QemuError(`Invalid SMP CPUs ${asInt(maxcpus)}. The max CPUs supported by machine '${mc.name}' is ${mc.maxCpus}`);
  }
}
