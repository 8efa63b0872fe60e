/*
 * cpu_x86_cpuid() (target/i386/cpu.c, QEMU 7.2): what the CPUID instruction
 * returns for a realized CPU, from its model, its features after filtering,
 * its topology and a little guest state (CR4.OSXSAVE/PKE, XCR0, EFER.LMA).
 *
 * Topology follows 7.2: the counts come from -smp cores/threads (dies only
 * in leaf 0x1F and the APIC-ID layout); no module level.
 */
import {
  apicidCoreOffset, apicidDieOffset, apicidPkgOffset, x86TopoIdsFromApicid, type X86CPUTopoInfo,
} from '../../hw/i386/topology.js';
import { FeatureWord } from './cpu-features.js';
import type { CPUCacheInfo } from './cpu-models.js';
import {
  CR4_OSXSAVE_MASK, CR4_PKE_MASK, X86_LEGACY_XSAVE_AREA_SIZE, isAmdCpu, isIntelCpu, x86ExtSaveAreas,
  getX86AccelCpuOps, type X86CPU,
} from './cpu.js';

const W = FeatureWord;

/* CPUID leaf 0xB/0x1F level types. */
const CPUID_TOPOLOGY_LEVEL_INVALID = 0 << 8;
const CPUID_TOPOLOGY_LEVEL_SMT = 1 << 8;
const CPUID_TOPOLOGY_LEVEL_CORE = 2 << 8;
const CPUID_TOPOLOGY_LEVEL_DIE = 5 << 8;

/* The fixed TLB geometry QEMU reports in 0x80000005/6. */
const L1_DTLB_2M_ASSOC = 1, L1_DTLB_2M_ENTRIES = 255, L1_DTLB_4K_ASSOC = 1, L1_DTLB_4K_ENTRIES = 255;
const L1_ITLB_2M_ASSOC = 1, L1_ITLB_2M_ENTRIES = 255, L1_ITLB_4K_ASSOC = 1, L1_ITLB_4K_ENTRIES = 255;
const L2_DTLB_2M_ASSOC = 0, L2_DTLB_2M_ENTRIES = 0, L2_DTLB_4K_ASSOC = 4, L2_DTLB_4K_ENTRIES = 512;
const L2_ITLB_2M_ASSOC = 0, L2_ITLB_2M_ENTRIES = 0, L2_ITLB_4K_ASSOC = 4, L2_ITLB_4K_ENTRIES = 512;

/* Intel PT capabilities QEMU reports in leaf 0x14 (a common subset of Icelake's). */
const INTEL_PT_MAX_SUBLEAF = 0x1;
const INTEL_PT_MINIMAL_EBX = 0xf;
const INTEL_PT_MINIMAL_ECX = 0x7;
const INTEL_PT_ADDR_RANGES_NUM = 0x2;
const INTEL_PT_MTC_BITMAP = 0x0249 << 16;
const INTEL_PT_CYCLE_BITMAP = 0x1fff;
const INTEL_PT_PSB_BITMAP = 0x003f << 16;

/* AMX for Sapphire Rapids (leaves 0x1D, 0x1E). */
const INTEL_AMX_TILE_MAX_SUBLEAF = 0x1;
const INTEL_AMX_TOTAL_TILE_BYTES = 0x2000;
const INTEL_AMX_BYTES_PER_TILE = 0x400;
const INTEL_AMX_BYTES_PER_ROW = 0x40;
const INTEL_AMX_TILE_MAX_NAMES = 0x8;
const INTEL_AMX_TILE_MAX_ROWS = 0x10;
const INTEL_AMX_TMUL_MAX_K = 0x10;
const INTEL_AMX_TMUL_MAX_N = 0x40;

const CPUID2_DESCRIPTOR_UNAVAILABLE = 0xff;

/** Known CPUID[2] descriptors QEMU can report: [descriptor, level, type, size KiB, ways, line]. */
const cpuid2Descriptors: ReadonlyArray<readonly [number, number, CPUCacheInfo['type'], number, number, number]> = [
  [0x06, 1, 'instruction', 8, 4, 32], [0x08, 1, 'instruction', 16, 4, 32], [0x09, 1, 'instruction', 32, 4, 64],
  [0x0a, 1, 'data', 8, 2, 32], [0x0c, 1, 'data', 16, 4, 32], [0x0d, 1, 'data', 16, 4, 64], [0x0e, 1, 'data', 24, 6, 64],
  [0x1d, 2, 'unified', 128, 2, 64], [0x21, 2, 'unified', 256, 8, 64], [0x24, 2, 'unified', 1024, 16, 64],
  [0x2c, 1, 'data', 32, 8, 64], [0x30, 1, 'instruction', 32, 8, 64], [0x41, 2, 'unified', 128, 4, 32],
  [0x42, 2, 'unified', 256, 4, 32], [0x43, 2, 'unified', 512, 4, 32], [0x44, 2, 'unified', 1024, 4, 32],
  [0x45, 2, 'unified', 2048, 4, 32], [0x46, 3, 'unified', 4096, 4, 64], [0x47, 3, 'unified', 8192, 8, 64],
  [0x48, 2, 'unified', 3072, 12, 64], [0x4a, 3, 'unified', 6144, 12, 64], [0x4b, 3, 'unified', 8192, 16, 64],
  [0x4c, 3, 'unified', 12288, 12, 64], [0x4d, 3, 'unified', 16384, 16, 64], [0x4e, 2, 'unified', 6144, 24, 64],
  [0x60, 1, 'data', 16, 8, 64], [0x66, 1, 'data', 8, 4, 64], [0x67, 1, 'data', 16, 4, 64], [0x68, 1, 'data', 32, 4, 64],
  [0x78, 2, 'unified', 1024, 4, 64], [0x7d, 2, 'unified', 2048, 8, 64], [0x7f, 2, 'unified', 512, 2, 64],
  [0x80, 2, 'unified', 512, 8, 64], [0x82, 2, 'unified', 256, 8, 32], [0x83, 2, 'unified', 512, 8, 32],
  [0x84, 2, 'unified', 1024, 8, 32], [0x85, 2, 'unified', 2048, 8, 32], [0x86, 2, 'unified', 512, 4, 64],
  [0x87, 2, 'unified', 1024, 8, 64], [0xd0, 3, 'unified', 512, 4, 64], [0xd1, 3, 'unified', 1024, 4, 64],
  [0xd2, 3, 'unified', 2048, 4, 64], [0xd6, 3, 'unified', 1024, 8, 64], [0xd7, 3, 'unified', 2048, 8, 64],
  [0xd8, 3, 'unified', 4096, 8, 64], [0xdc, 3, 'unified', 1536, 12, 64], [0xdd, 3, 'unified', 3072, 12, 64],
  [0xde, 3, 'unified', 6144, 12, 64], [0xe2, 3, 'unified', 2048, 16, 64], [0xe3, 3, 'unified', 4096, 16, 64],
  [0xe4, 3, 'unified', 8192, 16, 64], [0xea, 3, 'unified', 12288, 24, 64], [0xeb, 3, 'unified', 18432, 24, 64],
  [0xec, 3, 'unified', 24576, 24, 64],
];

function cpuid2CacheDescriptor(c: CPUCacheInfo): number {
  for (const [d, level, type, kib, ways, line] of cpuid2Descriptors) {
    if (level === c.level && type === c.type && kib * 1024 === c.size && line === c.lineSize && ways === c.associativity) return d;
  }
  return CPUID2_DESCRIPTOR_UNAVAILABLE;
}

function cacheTypeCode(c: CPUCacheInfo): number {
  return c.type === 'data' ? 1 : c.type === 'instruction' ? 2 : 3;
}

function cacheEbxEcxEdx(c: CPUCacheInfo, out: Uint32Array): void {
  out[1] = ((c.lineSize - 1) | ((c.partitions - 1) << 12) | ((c.associativity - 1) << 22)) >>> 0;
  out[2] = c.sets - 1;
  out[3] = (c.noInvdSharing ? 1 : 0) | (c.inclusive ? 2 : 0) | (c.complexIndexing ? 4 : 0);
}

/** encode_cache_cpuid4() as in 7.2: sharing given as a count of APIC IDs. */
function encodeCacheCpuid4(c: CPUCacheInfo, numApicIds: number, numCores: number, out: Uint32Array): void {
  out[0] = (cacheTypeCode(c) | (c.level << 5) | (c.selfInit ? 0x100 : 0) |
    ((numCores - 1) << 26) | ((numApicIds - 1) << 14)) >>> 0;
  cacheEbxEcxEdx(c, out);
}

/** encode_cache_cpuid8000001d() as in 7.2: L3 shared by the die's cores, L1/L2 by a core's threads. */
function encodeCacheCpuid8000001d(c: CPUCacheInfo, topo: X86CPUTopoInfo, out: Uint32Array): void {
  const sharing = c.level === 3 ? topo.coresPerDie * topo.threadsPerCore : topo.threadsPerCore;
  out[0] = (cacheTypeCode(c) | (c.level << 5) | (c.selfInit ? 0x100 : 0) | ((sharing - 1) << 14)) >>> 0;
  cacheEbxEcxEdx(c, out);
}

function encodeCacheCpuid80000005(c: CPUCacheInfo): number {
  return (((c.size / 1024) << 24) | (c.associativity << 16) | (c.linesPerTag << 8) | c.lineSize) >>> 0;
}

/** AMD_ENC_ASSOC(): the 4-bit associativity code of 0x80000006. */
function amdEncAssoc(a: number): number {
  switch (a) {
    case 0: case 1: return a;
    case 2: return 2;
    case 4: return 4;
    case 8: return 6;
    case 16: return 8;
    case 32: return 0xa;
    case 48: return 0xb;
    case 64: return 0xc;
    case 96: return 0xd;
    case 128: return 0xe;
    default: return 0;
  }
}

/** xsave_area_size(): the XSAVE area for the components in `mask`, standard or compacted format. */
export function xsaveAreaSize(mask: number, compacted: boolean): number {
  let ret = X86_LEGACY_XSAVE_AREA_SIZE;
  for (let i = 2; i < x86ExtSaveAreas.length; i++) {
    const esa = x86ExtSaveAreas[i];
    if (esa && (mask >>> i) & 1) ret = Math.max(ret, (compacted ? ret : esa.offset) + esa.size);
  }
  return ret;
}

function topoInfo(cpu: X86CPU): X86CPUTopoInfo {
  return { diesPerPkg: cpu.env.nrDies, coresPerDie: cpu.nrCores, threadsPerCore: cpu.nrThreads };
}

function feat(cpu: X86CPU, w: FeatureWord): number {
  return cpu.env.features[2 * w]!;
}

/**
 * One subleaf of the extended topology leaves 0xB and 0x1F: EAX = the APIC ID shift to
 * the next level, EBX = logical CPUs at this level (16 bits), ECX = subleaf | level type.
 */
function setTopoLevel(out: Uint32Array, count: number, shift: number, logicalCpus: number, type: number): void {
  out[0] = shift;
  out[1] = logicalCpus & 0xffff;
  out[2] = ((count & 0xff) | type) >>> 0;
}

/**
 * cpu_x86_cpuid(): fills out[0..3] with EAX, EBX, ECX, EDX for leaf `index`,
 * subleaf `count`.  `out` is the caller's, so the CPUID instruction allocates nothing.
 */
export function cpuX86Cpuid(cpu: X86CPU, index: number, count: number, out: Uint32Array): void {
  const env = cpu.env;
  index >>>= 0;
  count >>>= 0;
  const accel = getX86AccelCpuOps();
  const tcg = accel?.name === 'tcg';
  const threadsPerPkg = cpu.nrCores * cpu.nrThreads;

  // Leaves above the range's limit answer as the highest basic leaf (Intel SDM).
  let limit: number;
  if (index >= 0xc0000000) limit = env.cpuidXlevel2;
  else if (index >= 0x80000000) limit = env.cpuidXlevel;
  else if (index >= 0x40000000) limit = 0x40000001;
  else limit = env.cpuidLevel;
  if (index > limit) index = env.cpuidLevel;

  out[0] = out[1] = out[2] = out[3] = 0;
  switch (index) {
    case 0:
      out[0] = env.cpuidLevel;
      out[1] = env.cpuidVendor1;
      out[3] = env.cpuidVendor2;
      out[2] = env.cpuidVendor3;
      break;
    case 1: {
      out[0] = env.cpuidVersion;
      out[1] = ((cpu.apicId << 24) | (8 << 8)) >>> 0; // CLFLUSH line: 8 quadwords
      let ecx = feat(cpu, W.FEAT_1_ECX);
      if ((ecx & (1 << 26)) && (env.cr4 & CR4_OSXSAVE_MASK)) ecx |= 1 << 27;
      let edx = feat(cpu, W.FEAT_1_EDX);
      if (threadsPerPkg > 1) {
        out[1] = (out[1]! | (threadsPerPkg << 16)) >>> 0;
        edx |= 1 << 28; // HTT
      }
      if (!cpu.enablePmu) ecx &= ~(1 << 15); // PDCM
      out[2] = ecx >>> 0;
      out[3] = edx >>> 0;
      break;
    }
    case 2: {
      // Intel-only leaves read as zero on AMD (x-vendor-cpuid-only, pc-6.1 and later).
      if (cpu.vendorCpuidOnly && isAmdCpu(env)) break;
      const c = env.cacheInfoCpuid2;
      out[0] = 1; // one CPUID[2] call describes everything
      out[2] = cpu.enableL3Cache ? cpuid2CacheDescriptor(c.l3) : 0;
      out[3] = ((cpuid2CacheDescriptor(c.l1d) << 16) | (cpuid2CacheDescriptor(c.l1i) << 8) | cpuid2CacheDescriptor(c.l2)) >>> 0;
      break;
    }
    case 4: {
      if (cpu.vendorCpuidOnly && isAmdCpu(env)) break;
      const c = env.cacheInfoCpuid4;
      const topo = topoInfo(cpu);
      switch (count) {
        case 0: encodeCacheCpuid4(c.l1d, 1, cpu.nrCores, out); break;
        case 1: encodeCacheCpuid4(c.l1i, 1, cpu.nrCores, out); break;
        case 2: encodeCacheCpuid4(c.l2, cpu.nrThreads, cpu.nrCores, out); break;
        case 3:
          if (cpu.enableL3Cache) encodeCacheCpuid4(c.l3, 1 << apicidDieOffset(topo), cpu.nrCores, out);
          break;
      }
      break;
    }
    case 5:
      out[0] = cpu.mwait.eax;
      out[1] = cpu.mwait.ebx;
      out[2] = cpu.mwait.ecx;
      out[3] = cpu.mwait.edx;
      break;
    case 6:
      out[0] = feat(cpu, W.FEAT_6_EAX);
      break;
    case 7:
      if (count === 0) {
        out[0] = env.cpuidLevelFunc7;
        out[1] = feat(cpu, W.FEAT_7_0_EBX);
        let ecx = feat(cpu, W.FEAT_7_0_ECX);
        if ((ecx & (1 << 3)) && (env.cr4 & CR4_PKE_MASK)) ecx |= 1 << 4; // OSPKE
        out[2] = ecx >>> 0;
        out[3] = feat(cpu, W.FEAT_7_0_EDX);
      } else if (count === 1) {
        out[0] = feat(cpu, W.FEAT_7_1_EAX);
      }
      break;
    case 0xb: {
      if (!cpu.enableCpuid0xb) break;
      const topo = topoInfo(cpu);
      out[3] = cpu.apicId;
      if (count === 0) setTopoLevel(out, count, apicidCoreOffset(topo), cpu.nrThreads, CPUID_TOPOLOGY_LEVEL_SMT);
      else if (count === 1) setTopoLevel(out, count, apicidPkgOffset(topo), threadsPerPkg, CPUID_TOPOLOGY_LEVEL_CORE);
      else setTopoLevel(out, count, 0, 0, CPUID_TOPOLOGY_LEVEL_INVALID);
      break;
    }
    case 0x1f: {
      if (env.nrDies < 2) break;
      const topo = topoInfo(cpu);
      out[3] = cpu.apicId;
      if (count === 0) setTopoLevel(out, count, apicidCoreOffset(topo), cpu.nrThreads, CPUID_TOPOLOGY_LEVEL_SMT);
      else if (count === 1) setTopoLevel(out, count, apicidDieOffset(topo), threadsPerPkg, CPUID_TOPOLOGY_LEVEL_CORE);
      else if (count === 2) setTopoLevel(out, count, apicidPkgOffset(topo), env.nrDies * threadsPerPkg, CPUID_TOPOLOGY_LEVEL_DIE);
      else setTopoLevel(out, count, 0, 0, CPUID_TOPOLOGY_LEVEL_INVALID);
      break;
    }
    case 0xd: {
      if (!(feat(cpu, W.FEAT_1_ECX) & (1 << 26))) break;
      const xcr0Components = feat(cpu, W.FEAT_XSAVE_COMP_LO);
      const xssComponents = feat(cpu, W.FEAT_XSAVE_XSS_LO);
      if (count === 0) {
        out[2] = xsaveAreaSize(xcr0Components, false);
        out[0] = xcr0Components;
        out[3] = feat(cpu, W.FEAT_XSAVE_COMP_HI);
        // KVM reports the maximum; TCG the size for what XCR0 enables now.
        out[1] = accel?.usesHostCpuid ? out[2]! : xsaveAreaSize(env.xcr0, false);
      } else if (count === 1) {
        out[0] = feat(cpu, W.FEAT_XSAVE);
        out[1] = xsaveAreaSize(xcr0Components | xssComponents, true);
        out[2] = xssComponents;
        out[3] = feat(cpu, W.FEAT_XSAVE_XSS_HI);
        // Arch LBR state is only exposed with KVM and a vPMU.
        const lbr = accel?.name === 'kvm' && cpu.enablePmu && (feat(cpu, W.FEAT_7_0_EDX) & (1 << 19)) && (out[0]! & (1 << 3));
        out[2] = lbr ? (out[2]! | (1 << 15)) >>> 0 : (out[2]! & ~(1 << 15)) >>> 0;
      } else if (count < x86ExtSaveAreas.length) {
        const esa = x86ExtSaveAreas[count];
        if (esa && (xcr0Components >>> count) & 1) {
          out[0] = esa.size;
          out[1] = esa.offset;
        } else if (esa && (xssComponents >>> count) & 1) {
          out[0] = esa.size;
          out[2] = 1;
        }
      }
      break;
    }
    case 0x12:
      // SGX: leaves are only filled from the host's EPC with KVM; TCG has no SGX.
      break;
    case 0x14:
      // 7.2 describes Intel PT only under KVM.
      if (!(feat(cpu, W.FEAT_7_0_EBX) & (1 << 25)) || accel?.name !== 'kvm') break;
      if (count === 0) {
        out[0] = INTEL_PT_MAX_SUBLEAF;
        out[1] = INTEL_PT_MINIMAL_EBX;
        out[2] = (INTEL_PT_MINIMAL_ECX | feat(cpu, W.FEAT_14_0_ECX)) >>> 0;
      } else if (count === 1) {
        out[0] = (INTEL_PT_MTC_BITMAP | INTEL_PT_ADDR_RANGES_NUM) >>> 0;
        out[1] = (INTEL_PT_PSB_BITMAP | INTEL_PT_CYCLE_BITMAP) >>> 0;
      }
      break;
    case 0x1d:
      if (!(feat(cpu, W.FEAT_7_0_EDX) & (1 << 24))) break;
      if (count === 0) out[0] = INTEL_AMX_TILE_MAX_SUBLEAF;
      else if (count === 1) {
        out[0] = (INTEL_AMX_TOTAL_TILE_BYTES | (INTEL_AMX_BYTES_PER_TILE << 16)) >>> 0;
        out[1] = (INTEL_AMX_BYTES_PER_ROW | (INTEL_AMX_TILE_MAX_NAMES << 16)) >>> 0;
        out[2] = INTEL_AMX_TILE_MAX_ROWS;
      }
      break;
    case 0x1e:
      if (!(feat(cpu, W.FEAT_7_0_EDX) & (1 << 24))) break;
      if (count === 0) out[1] = (INTEL_AMX_TMUL_MAX_K | (INTEL_AMX_TMUL_MAX_N << 8)) >>> 0;
      break;
    case 0x40000000:
      // Only TCG answers here; KVM builds its own hypervisor leaves.
      if (tcg && cpu.exposeTcg) {
        out[0] = 0x40000001;
        out[1] = 0x54474354; // "TCGT"
        out[2] = 0x43544743; // "CGTC"
        out[3] = 0x47435447; // "GTCG"
      }
      break;
    case 0x80000000:
      out[0] = env.cpuidXlevel;
      out[1] = env.cpuidVendor1;
      out[3] = env.cpuidVendor2;
      out[2] = env.cpuidVendor3;
      break;
    case 0x80000001: {
      out[0] = env.cpuidVersion;
      let ecx = feat(cpu, W.FEAT_8000_0001_ECX);
      const edx = feat(cpu, W.FEAT_8000_0001_EDX);
      // CmpLegacy makes Linux drop multi-thread info: only for non-Intel vendors.
      if (threadsPerPkg > 1 && !isIntelCpu(env)) ecx |= 1 << 1;
      out[2] = ecx >>> 0;
      out[3] = edx >>> 0;
      break;
    }
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const base = (index - 0x80000002) * 4;
      for (let i = 0; i < 4; i++) out[i] = env.cpuidModel[base + i]!;
      break;
    }
    case 0x80000005: {
      out[0] = ((L1_DTLB_2M_ASSOC << 24) | (L1_DTLB_2M_ENTRIES << 16) | (L1_ITLB_2M_ASSOC << 8) | L1_ITLB_2M_ENTRIES) >>> 0;
      out[1] = ((L1_DTLB_4K_ASSOC << 24) | (L1_DTLB_4K_ENTRIES << 16) | (L1_ITLB_4K_ASSOC << 8) | L1_ITLB_4K_ENTRIES) >>> 0;
      out[2] = encodeCacheCpuid80000005(env.cacheInfoAmd.l1d);
      out[3] = encodeCacheCpuid80000005(env.cacheInfoAmd.l1i);
      break;
    }
    case 0x80000006: {
      out[0] = ((amdEncAssoc(L2_DTLB_2M_ASSOC) << 28) | (L2_DTLB_2M_ENTRIES << 16) |
        (amdEncAssoc(L2_ITLB_2M_ASSOC) << 12) | L2_ITLB_2M_ENTRIES) >>> 0;
      out[1] = ((amdEncAssoc(L2_DTLB_4K_ASSOC) << 28) | (L2_DTLB_4K_ENTRIES << 16) |
        (amdEncAssoc(L2_ITLB_4K_ASSOC) << 12) | L2_ITLB_4K_ENTRIES) >>> 0;
      const l2 = env.cacheInfoAmd.l2;
      out[2] = (((l2.size / 1024) << 16) | (amdEncAssoc(l2.associativity) << 12) | (l2.linesPerTag << 8) | l2.lineSize) >>> 0;
      if (cpu.enableL3Cache) {
        const l3 = env.cacheInfoAmd.l3;
        out[3] = (((l3.size / (512 * 1024)) << 18) | (amdEncAssoc(l3.associativity) << 12) | (l3.linesPerTag << 8) | l3.lineSize) >>> 0;
      }
      break;
    }
    case 0x80000007:
      out[3] = feat(cpu, W.FEAT_8000_0007_EDX);
      break;
    case 0x80000008: {
      const la57 = feat(cpu, W.FEAT_7_0_ECX) & (1 << 16);
      if (feat(cpu, W.FEAT_8000_0001_EDX) & (1 << 29)) out[0] = (cpu.physBits | (la57 ? 0x3900 : 0x3000)) >>> 0;
      else out[0] = cpu.physBits;
      out[1] = feat(cpu, W.FEAT_8000_0008_EBX);
      if (threadsPerPkg > 1) out[2] = ((apicidPkgOffset(topoInfo(cpu)) << 12) | (threadsPerPkg - 1)) >>> 0;
      break;
    }
    case 0x8000000a:
      if (feat(cpu, W.FEAT_8000_0001_ECX) & (1 << 2)) {
        out[0] = 1; // SVM revision
        out[1] = 0x10; // number of ASIDs
        out[3] = feat(cpu, W.FEAT_SVM);
      }
      break;
    case 0x8000001d: {
      const c = env.cacheInfoAmd;
      const topo = topoInfo(cpu);
      switch (count) {
        case 0: encodeCacheCpuid8000001d(c.l1d, topo, out); break;
        case 1: encodeCacheCpuid8000001d(c.l1i, topo, out); break;
        case 2: encodeCacheCpuid8000001d(c.l2, topo, out); break;
        case 3: encodeCacheCpuid8000001d(c.l3, topo, out); break;
      }
      break;
    }
    case 0x8000001e: {
      const topo = topoInfo(cpu);
      const ids = x86TopoIdsFromApicid(cpu.apicId, topo);
      out[0] = cpu.apicId;
      out[1] = (((topo.threadsPerCore - 1) << 8) | (ids.coreId & 0xff)) >>> 0;
      out[2] = (((topo.diesPerPkg - 1) << 8) | ((cpu.apicId >>> apicidDieOffset(topo)) & 0xff)) >>> 0;
      break;
    }
    case 0xc0000000:
      out[0] = env.cpuidXlevel2;
      break;
    case 0xc0000001:
      out[0] = env.cpuidVersion;
      out[3] = feat(cpu, W.FEAT_C000_0001_EDX);
      break;
    default:
      // Reserved leaves (and 0x40000001, 0x8000001F without SEV, 0xC0000002-4) read as zero.
      break;
  }
}
