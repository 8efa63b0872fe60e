/*
 * The x86 machine base (hw/i386/x86.c, QEMU 7.2): the properties every x86
 * machine has (smm, acpi, pit, pic, ...), the possible CPU slots with their APIC
 * IDs, x86_cpus_init() → x86_cpu_new(), and the CPU hotplug hooks that derive
 * socket-id/die-id/core-id/thread-id from the APIC ID (or the APIC ID from them).
 */
import {
  ObjectClass, QObject, objectClassPropertyAdd, objectDynamicCast, objectNew, objectPropertyGet,
  objectPropertySet, objectResolvePath, typeRegisterStatic, type PropValue,
} from '../../qom/object.js';
import { visitEnum, visitStr, visitUint } from '../../qom/visitor.js';
import { QemuError } from '../../util/error.js';
import { DeviceState, qdevRealize, type HotplugHandler } from '../../hw/core/qdev.js';
import { CPUState, TYPE_CPU } from '../../hw/core/cpu.js';
import { MachineState, TYPE_MACHINE, machineClass, type CPUArchId } from '../../hw/core/machine.js';
import {
  x86ApicidFromCpuIdx, x86ApicidFromTopoIds, x86TopoIdsFromApicid, type X86CPUTopoInfo,
} from './topology.js';
import { X86CPU, x86CpuSetDefaultVersion, x86CpuSetSmpCpus } from '../../target/i386/cpu.js';
import { x86CpuSetOsxsaveCompat } from '../../target/i386/cpu-featurestr.js';

export const TYPE_X86_MACHINE = 'x86-machine';
/** CPU_VERSION_LEGACY (target/i386/cpu.h): unversioned model names mean the v1 definitions, unchanged. */
export const CPU_VERSION_LEGACY = 0;
const UNASSIGNED_APIC_ID = 0xffffffff;

/** What the accelerator and the CPU models tell the x86 machine (set by their modules). */
export interface X86CpuHooks {
  /** KVM with an in-kernel irqchip and the X2APIC API: APIC IDs above 254 work. */
  x2apicApiAvailable?: () => boolean;
  /** kvm_set_max_apic_id(). */
  setMaxApicId?: (limit: number) => void;
  /** Whether the accelerator offers SMM (TCG does; KVM asks the kernel). */
  smmAvailable?: () => boolean;
}

const cpuHooks: X86CpuHooks = {};

export function x86SetCpuHooks(h: X86CpuHooks): void {
  Object.assign(cpuHooks, h);
}

export class X86MachineState extends MachineState {
  smm: 'on' | 'off' | 'auto' = 'auto';
  acpi: 'on' | 'off' | 'auto' = 'auto';
  pit: 'on' | 'off' | 'auto' = 'auto';
  pic: 'on' | 'off' | 'auto' = 'auto';
  oemId = 'BOCHS ';
  oemTableId = 'BXPC    ';
  busLockRatelimit = 0;
  /** One past the highest APIC ID (FW_CFG_MAX_CPUS). */
  apicIdLimit = 0;
  bootCpus = 0;
  belowFourGMemSize = 0;
  aboveFourGMemSize = 0;
}

/** X86MachineClass fields. */
export interface X86MachineClassFields {
  fwcfgDmaEnabled: boolean;
  saveTscKhz: boolean;
  /** QEMU 2.0's -cpu still named CPUID.01H:ECX[27]: machines of that era accept +osxsave. */
  cpuOsxsaveCompat?: boolean;
}

export function x86MachineClass(oc: ObjectClass): X86MachineClassFields {
  return oc as unknown as X86MachineClassFields;
}

/** init_topo_info(). */
export function x86TopoInfo(ms: MachineState): X86CPUTopoInfo {
  return { diesPerPkg: ms.smp.dies, coresPerDie: ms.smp.cores, threadsPerCore: ms.smp.threads };
}

/** x86_cpu_apic_id_from_index(). */
export function x86CpuApicIdFromIndex(ms: MachineState, idx: number): number {
  return x86ApicidFromCpuIdx(x86TopoInfo(ms), idx);
}

/** x86_possible_cpu_arch_ids(): max_cpus slots, made once per machine. */
export function x86PossibleCpuArchIds(ms: MachineState): CPUArchId[] {
  if (ms.possibleCpus) return ms.possibleCpus;
  const topo = x86TopoInfo(ms);
  const list: CPUArchId[] = [];
  for (let i = 0; i < ms.smp.maxCpus; i++) {
    const archId = x86ApicidFromCpuIdx(topo, i);
    const ids = x86TopoIdsFromApicid(archId, topo);
    list.push({
      archId,
      vcpusCount: 1,
      type: ms.cpuType ?? '',
      cpu: undefined,
      props: {
        socketId: ids.pkgId,
        dieId: ms.smp.dies > 1 ? ids.dieId : undefined,
        coreId: ids.coreId,
        threadId: ids.smtId,
      },
    });
  }
  ms.possibleCpus = list;
  return list;
}

/** x86_find_cpu_slot(): the slot and its index for an APIC ID. */
function x86FindCpuSlot(ms: MachineState, apicId: number): [CPUArchId, number] | undefined {
  const list = x86PossibleCpuArchIds(ms);
  const idx = list.findIndex((s) => s.archId === apicId);
  return idx < 0 ? undefined : [list[idx]!, idx];
}

const getInt = (o: QObject, name: string): number => objectPropertyGet(o, name) as number;

/**
 * x86_cpu_pre_plug(): with no APIC ID, computes it from socket/die/core/thread-id
 * (checking each against the topology); then finds the slot, refuses a taken
 * one, and fills in the ids the APIC ID implies.  Sets the CPU's cpu_index.
 */
export function x86CpuPrePlug(ms: X86MachineState, dev: DeviceState): void {
  if (!ms.cpuType || !objectDynamicCast(dev, ms.cpuType)) {
    throw new QemuError(`Invalid CPU type, expected cpu type: '${ms.cpuType ?? ''}'`);
  }
  const topo = x86TopoInfo(ms);
  const { cores, threads, dies } = ms.smp;
  let apicId = getInt(dev, 'apic-id');
  let socketId = getInt(dev, 'socket-id');
  let dieId = getInt(dev, 'die-id');
  let coreId = getInt(dev, 'core-id');
  let threadId = getInt(dev, 'thread-id');

  if (apicId === UNASSIGNED_APIC_ID) {
    const maxSocket = Math.floor(Math.floor(Math.floor((ms.smp.maxCpus - 1) / threads) / cores) / dies);
    // die-id was optional up to QEMU 4.0; it stays optional with one die per socket.
    if (dieId < 0 && dies === 1) dieId = 0;
    const check = (name: string, v: number, max: number): void => {
      if (v < 0) throw new QemuError(`CPU ${name} is not set`);
      if (v > max) throw new QemuError(`Invalid CPU ${name}: ${v} must be in range 0:${max}`);
    };
    check('socket-id', socketId, maxSocket);
    check('die-id', dieId, dies - 1);
    check('core-id', coreId, cores - 1);
    check('thread-id', threadId, threads - 1);
    apicId = x86ApicidFromTopoIds(topo, { pkgId: socketId, dieId, coreId, smtId: threadId });
    objectPropertySet(dev, 'apic-id', apicId);
  }

  const found = x86FindCpuSlot(ms, apicId);
  if (!found) {
    const ids = x86TopoIdsFromApicid(apicId, topo);
    throw new QemuError(`Invalid CPU [socket: ${ids.pkgId}, die: ${ids.dieId}, core: ${ids.coreId}, ` +
      `thread: ${ids.smtId}] with APIC ID ${apicId}, valid index range 0:${x86PossibleCpuArchIds(ms).length - 1}`);
  }
  const [slot, idx] = found;
  if (slot.cpu) throw new QemuError(`CPU[${idx}] with APIC ID ${apicId} exists`);

  const ids = x86TopoIdsFromApicid(apicId, topo);
  const match = (name: string, given: number, derived: number): number => {
    if (given !== -1 && given !== derived) {
      throw new QemuError(`property ${name}: ${given} doesn't match set apic-id: 0x${apicId.toString(16)} (${name}: ${derived})`);
    }
    return derived;
  };
  socketId = match('socket-id', socketId, ids.pkgId);
  dieId = match('die-id', dieId, ids.dieId);
  coreId = match('core-id', coreId, ids.coreId);
  threadId = match('thread-id', threadId, ids.smtId);
  objectPropertySet(dev, 'socket-id', socketId);
  objectPropertySet(dev, 'die-id', dieId);
  objectPropertySet(dev, 'core-id', coreId);
  objectPropertySet(dev, 'thread-id', threadId);
  (dev as CPUState).cpuIndex = idx;
}

/** x86_cpu_plug(): counts the CPU and marks its slot taken. */
export function x86CpuPlug(ms: X86MachineState, dev: DeviceState): void {
  ms.bootCpus++;
  const found = x86FindCpuSlot(ms, getInt(dev, 'apic-id'));
  if (found) found[0].cpu = dev;
}

/** The machine as the hotplug handler of its CPUs (pc_machine_device_pre_plug_cb / plug_cb). */
export function x86CpuHotplugHandler(ms: X86MachineState): HotplugHandler {
  return {
    prePlug: (dev) => x86CpuPrePlug(ms, dev),
    plug: (dev) => x86CpuPlug(ms, dev),
  };
}

/** Routes CPUs to the x86 hooks (get_hotplug_handler); other devices use their bus's. */
export function x86GetHotplugHandler(ms: MachineState, dev: DeviceState): HotplugHandler | undefined {
  return objectDynamicCast(dev, TYPE_CPU) ? x86CpuHotplugHandler(ms as X86MachineState) : undefined;
}

/** x86_cpu_new(): one CPU of the machine's type with the given APIC ID, realized. */
export function x86CpuNew(ms: X86MachineState, apicId: number): CPUState {
  const cpu = objectNew(ms.cpuType!) as CPUState;
  objectPropertySet(cpu, 'apic-id', apicId);
  // What CPUID's topology leaves describe (7.2 copies these in qemu_init_vcpu / pre_plug).
  const xcpu = objectDynamicCast<X86CPU>(cpu, 'x86_64-cpu');
  if (xcpu) {
    xcpu.env.nrDies = ms.smp.dies;
    xcpu.nrCores = ms.smp.cores;
    xcpu.nrThreads = ms.smp.threads;
  }
  cpu.hotplugHandler = x86CpuHotplugHandler(ms);
  qdevRealize(cpu);
  return cpu;
}

/** x86_cpus_init(): the boot CPUs, one per -smp cpus, in APIC ID order. */
export function x86CpusInit(ms: X86MachineState, defaultCpuVersion: number): void {
  x86CpuSetDefaultVersion(defaultCpuVersion);
  x86CpuSetSmpCpus(ms.smp.cpus);
  ms.apicIdLimit = x86CpuApicIdFromIndex(ms, ms.smp.maxCpus - 1) + 1;
  if (ms.apicIdLimit > 255 && !(cpuHooks.x2apicApiAvailable?.() ?? false)) {
    throw new QemuError('current -smp configuration requires kernel irqchip and X2APIC API support.');
  }
  cpuHooks.setMaxApicId?.(ms.apicIdLimit);
  const slots = x86PossibleCpuArchIds(ms);
  for (let i = 0; i < ms.smp.cpus; i++) x86CpuNew(ms, slots[i]!.archId);
}

/** x86_machine_is_smm_enabled(). */
export function x86SmmEnabled(ms: X86MachineState): boolean {
  if (ms.smm === 'off') return false;
  if (cpuHooks.smmAvailable?.() ?? true) return true;
  if (ms.smm === 'on') throw new QemuError('System Management Mode not supported by this hypervisor.');
  return false;
}

const ON_OFF_AUTO = ['on', 'off', 'auto'] as const;

function onOffAutoProp(oc: ObjectClass, name: 'smm' | 'acpi' | 'pit' | 'pic', description: string): void {
  objectClassPropertyAdd(oc, {
    name, type: 'OnOffAuto', description,
    get: (o) => (o as X86MachineState)[name],
    set: (o, v) => ((o as X86MachineState)[name] = visitEnum(name, v, ON_OFF_AUTO)),
  });
}

function oemProp(oc: ObjectClass, name: string, label: string, max: number, field: 'oemId' | 'oemTableId'): void {
  objectClassPropertyAdd(oc, {
    name, type: 'string',
    description: `Override the default value of field ${label} in ACPI table header.` +
      `The string may be up to ${max} bytes in size`,
    get: (o) => (o as X86MachineState)[field],
    set: (o, v) => {
      const s = visitStr(name, v);
      if (Buffer.byteLength(s) > max) {
        throw new QemuError(`User specified ${label === 'OEMID' ? 'x-oem-id' : 'x-oem-table-id'} value is bigger than ${max} bytes in size`);
      }
      (o as X86MachineState)[field] = s;
    },
  });
}

/**
 * The SgxEPCList visitor: a list of {memdev, node}.  Each memdev must name a
 * memory backend; SGX EPC sections themselves are not emulated.
 */
function x86MachineSetSgxEpc(v: unknown): void {
  if (!Array.isArray(v)) throw new QemuError("Invalid parameter type for 'sgx-epc', expected: array");
  v.forEach((item: unknown, i) => {
    const d = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (d.memdev === undefined) throw new QemuError(`Parameter 'sgx-epc.${i}.memdev' is missing`);
    const memdev = visitStr(`sgx-epc.${i}.memdev`, d.memdev);
    if (d.node === undefined) throw new QemuError(`Parameter 'sgx-epc.${i}.node' is missing`);
    visitUint(`sgx-epc.${i}.node`, d.node, 32);
    if (!objectResolvePath(`/objects/${memdev}`)) throw new QemuError(`Device '${memdev}' not found`);
    throw new QemuError('SGX EPC is not supported yet');
  });
}

function x86MachineClassInit(oc: ObjectClass): void {
  const mc = machineClass(oc);
  mc.possibleCpuArchIds = x86PossibleCpuArchIds;
  mc.getHotplugHandler = x86GetHotplugHandler;
  x86MachineClass(oc).fwcfgDmaEnabled = true;
  x86MachineClass(oc).saveTscKhz = true;
  onOffAutoProp(oc, 'smm', 'Enable SMM');
  onOffAutoProp(oc, 'acpi', 'Enable ACPI');
  onOffAutoProp(oc, 'pit', 'Enable i8254 PIT');
  onOffAutoProp(oc, 'pic', 'Enable i8259 PIC');
  oemProp(oc, 'x-oem-id', 'OEMID', 6, 'oemId');
  oemProp(oc, 'x-oem-table-id', 'OEM Table ID', 8, 'oemTableId');
  objectClassPropertyAdd(oc, {
    name: 'bus-lock-ratelimit', type: 'uint64_t', description: 'Set the ratelimit for the bus locks acquired in VMs',
    get: (o) => (o as X86MachineState).busLockRatelimit,
    set: (o, v) => ((o as X86MachineState).busLockRatelimit = visitUint('bus-lock-ratelimit', v, 64)),
  });
  objectClassPropertyAdd(oc, {
    name: 'sgx-epc', type: 'SgxEPC', description: 'SGX EPC device',
    get: (): PropValue => [],
    set: (_o, v) => x86MachineSetSgxEpc(v),
  });
}

export function registerX86MachineTypes(): void {
  typeRegisterStatic({
    name: TYPE_X86_MACHINE,
    parent: TYPE_MACHINE,
    abstract: true,
    instance: X86MachineState,
    classInit: x86MachineClassInit,
    instanceInit: (o) => x86CpuSetOsxsaveCompat(!!x86MachineClass(o.klass).cpuOsxsaveCompat),
  });
}
