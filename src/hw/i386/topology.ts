/*
 * x86 CPU topology and APIC IDs (include/hw/i386/topology.h, QEMU 7.2).
 *
 * An APIC ID packs [package | die | core | SMT] bit fields; each field is as
 * wide as its count rounded up to a power of two, so counts that are not
 * powers of two leave holes in the APIC ID space.  7.2 has no module level.
 */

export interface X86CPUTopoInfo {
  diesPerPkg: number;
  coresPerDie: number;
  threadsPerCore: number;
}

export interface X86CPUTopoIDs {
  pkgId: number;
  dieId: number;
  coreId: number;
  smtId: number;
}

/** apicid_bitwidth_for_count(): ceil(log2(count)), 0 for count 1. */
export function apicidBitwidthForCount(count: number): number {
  count -= 1;
  return count ? 32 - Math.clz32(count) : 0;
}

export function apicidSmtWidth(t: X86CPUTopoInfo): number {
  return apicidBitwidthForCount(t.threadsPerCore);
}

export function apicidCoreWidth(t: X86CPUTopoInfo): number {
  return apicidBitwidthForCount(t.coresPerDie);
}

export function apicidDieWidth(t: X86CPUTopoInfo): number {
  return apicidBitwidthForCount(t.diesPerPkg);
}

export function apicidCoreOffset(t: X86CPUTopoInfo): number {
  return apicidSmtWidth(t);
}

export function apicidDieOffset(t: X86CPUTopoInfo): number {
  return apicidCoreOffset(t) + apicidCoreWidth(t);
}

export function apicidPkgOffset(t: X86CPUTopoInfo): number {
  return apicidDieOffset(t) + apicidDieWidth(t);
}

/** x86_apicid_from_topo_ids(). */
export function x86ApicidFromTopoIds(t: X86CPUTopoInfo, ids: X86CPUTopoIDs): number {
  return ((ids.pkgId << apicidPkgOffset(t)) | (ids.dieId << apicidDieOffset(t)) |
    (ids.coreId << apicidCoreOffset(t)) | ids.smtId) >>> 0;
}

/** x86_topo_ids_from_idx(): the IDs of the cpu_index-th CPU, counting threads first. */
export function x86TopoIdsFromIdx(t: X86CPUTopoInfo, cpuIndex: number): X86CPUTopoIDs {
  const nrDies = t.diesPerPkg;
  const nrCores = t.coresPerDie;
  const nrThreads = t.threadsPerCore;
  return {
    pkgId: Math.floor(cpuIndex / (nrDies * nrCores * nrThreads)),
    dieId: Math.floor(cpuIndex / (nrCores * nrThreads)) % nrDies,
    coreId: Math.floor(cpuIndex / nrThreads) % nrCores,
    smtId: cpuIndex % nrThreads,
  };
}

/** x86_topo_ids_from_apicid(): the reverse of x86ApicidFromTopoIds. */
export function x86TopoIdsFromApicid(apicId: number, t: X86CPUTopoInfo): X86CPUTopoIDs {
  const field = (off: number, width: number): number => (apicId >>> off) & ((1 << width) - 1);
  return {
    smtId: field(0, apicidSmtWidth(t)),
    coreId: field(apicidCoreOffset(t), apicidCoreWidth(t)),
    dieId: field(apicidDieOffset(t), apicidDieWidth(t)),
    pkgId: apicId >>> apicidPkgOffset(t),
  };
}

/** x86_apicid_from_cpu_idx(). */
export function x86ApicidFromCpuIdx(t: X86CPUTopoInfo, cpuIndex: number): number {
  return x86ApicidFromTopoIds(t, x86TopoIdsFromIdx(t, cpuIndex));
}
