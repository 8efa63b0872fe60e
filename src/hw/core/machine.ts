/*
 * The machine base (hw/core/machine.c): TYPE_MACHINE, its class fields and the
 * properties every machine has (smp, memory, kernel, ...), the /machine object
 * with its unattached/peripheral/peripheral-anon containers, and
 * machine_run_board_init().
 */
import {
  ObjectClass, QObject, TYPE_OBJECT, containerGet, objectClassByName, objectClassDynamicCast,
  objectClassGetList, objectClassPropertyAdd, objectGetRoot, objectNew, objectPropertyAddChild, objectPropertyGet,
  objectDynamicCast, objectGetCanonicalPath, objectRegisterGlobalProp, GlobalPropPriority, objectResolveChild, objectResolvePath, typeRegisterStatic,
  type GlobalProperty, type PropValue,
} from '../../qom/object.js';
import { visitBool, visitInt, visitStr, visitUint } from '../../qom/visitor.js';
import { QemuError, warnReport } from '../../util/error.js';
import type { DeviceState, HotplugHandler } from './qdev.js';
import { machineParseSmpConfig, type SMPConfiguration } from './machine-smp.js';
import { visitSize } from './qdev-properties.js';
import { qbusResetAutomaticIds } from './bus.js';
import { sysbusGetDefault, sysbusReset } from './sysbus.js';

export const TYPE_MACHINE = 'machine';
export const TYPE_MACHINE_SUFFIX = '-machine';

/** One possible CPU slot (CPUArchId): its APIC ID, topology and the CPU plugged into it. */
export interface CPUArchId {
  archId: number;
  vcpusCount: number;
  props: { socketId?: number; dieId?: number; coreId?: number; threadId?: number };
  type: string;
  cpu: DeviceState | undefined;
}

/** MachineClass fields (include/hw/boards.h), stored on the QOM class. */
export interface MachineClassFields {
  /** The name users type: the type name without "-machine". */
  name: string;
  alias?: string;
  desc?: string;
  /** machine_class_cmp() groups versioned machines by family. */
  family?: string;
  isDefault?: boolean;
  deprecationReason?: string;
  init?: (ms: MachineState) => void;
  maxCpus: number;
  minCpus: number;
  defaultCpus: number;
  defaultRamSize: number;
  defaultRamId?: string;
  defaultCpuType?: string;
  /** When set, -cpu must name one of these (or a subtype). */
  validCpuTypes?: string[];
  /** keyval text applied to a new machine before the user's -machine options. */
  defaultMachineOpts?: string;
  defaultBootOrder?: string;
  defaultDisplay?: string;
  defaultNic?: string;
  hwVersion?: string;
  smpProps: { preferSockets: boolean; diesSupported: boolean; clustersSupported: boolean };
  /** Versioned machines' compat globals (hw_compat_X_Y + pc_compat_X_Y). */
  compatProps: GlobalProperty[];
  noSerial?: boolean;
  noParallel?: boolean;
  noFloppy?: boolean;
  noCdrom?: boolean;
  noSdcard?: boolean;
  nvdimmSupported?: boolean;
  numaMemSupported?: boolean;
  hasHotpluggableCpus?: boolean;
  /** mc->wakeup exists: the machine can wake from suspend (query-current-machine). */
  wakeupSupported?: boolean;
  possibleCpuArchIds?: (ms: MachineState) => CPUArchId[];
  /** mc->get_hotplug_handler: who pre_plugs/plugs `dev` (CPUs on x86). */
  getHotplugHandler?: (ms: MachineState, dev: DeviceState) => HotplugHandler | undefined;
}

export function machineClass(oc: ObjectClass): MachineClassFields {
  return oc as unknown as MachineClassFields;
}

/** CpuTopology (include/hw/boards.h). */
export interface CpuTopology {
  cpus: number;
  sockets: number;
  dies: number;
  clusters: number;
  cores: number;
  threads: number;
  maxCpus: number;
}

/** BootConfiguration (qapi/machine.json), kept as given. */
export interface BootConfiguration {
  order?: string;
  once?: string;
  menu?: boolean;
  splash?: string;
  'splash-time'?: number;
  'reboot-timeout'?: number;
  strict?: boolean;
}

export class MachineState extends QObject {
  smp: CpuTopology = { cpus: 1, sockets: 1, dies: 1, clusters: 1, cores: 1, threads: 1, maxCpus: 1 };
  ramSize = 0;
  maxramSize = 0;
  ramSlots = 0;
  /** -machine memory-backend=<id>. */
  ramMemdevId: string | undefined;
  kernelFilename: string | undefined;
  initrdFilename: string | undefined;
  kernelCmdline = '';
  firmware: string | undefined;
  dtb: string | undefined;
  dumpdtb: string | undefined;
  dtCompatible: string | undefined;
  phandleStart = 0;
  dumpGuestCore = true;
  memMerge = true;
  /** usb=on|off as given; undefined means the machine's default (off for pc). */
  usb: boolean | undefined;
  enableGraphics = true;
  suppressVmdesc = false;
  memoryEncryption: string | undefined;
  boot: BootConfiguration = {};
  /** The QOM type of the CPUs (-cpu, or the class default). */
  cpuType: string | undefined;
  possibleCpus: CPUArchId[] | undefined;

  get mc(): MachineClassFields {
    return machineClass(this.klass);
  }
}

function strProp(
  oc: ObjectClass, name: string, description: string,
  get: (m: MachineState) => string | undefined, set: (m: MachineState, v: string) => void,
): void {
  objectClassPropertyAdd(oc, {
    name, type: 'string', description,
    get: (o) => get(o as MachineState) ?? '',
    set: (o, v) => set(o as MachineState, visitStr(name, v)),
  });
}

function boolProp(
  oc: ObjectClass, name: string, description: string,
  get: (m: MachineState) => boolean, set: (m: MachineState, v: boolean) => void,
): void {
  objectClassPropertyAdd(oc, {
    name, type: 'bool', description,
    get: (o) => get(o as MachineState),
    set: (o, v) => set(o as MachineState, visitBool(name, v)),
  });
}

/** A QAPI struct arrives as a dict (JSON, or keyval strings). */
function visitStruct(name: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new QemuError(`Invalid parameter type for '${name}', expected: object`);
  }
  return v as Record<string, unknown>;
}

/** visit_check_struct(): after the members, a key the struct does not have is refused. */
function visitCheckStruct(name: string, dict: Record<string, unknown>, members: readonly string[]): void {
  for (const k of Object.keys(dict)) {
    if (!members.includes(k)) throw new QemuError(`Parameter '${name}.${k}' is unexpected`);
  }
}

const SMP_MEMBERS = ['cpus', 'sockets', 'dies', 'clusters', 'cores', 'threads', 'maxcpus'] as const;

/** machine_set_smp(): the visitor reads int64 members; machine_parse_smp_config() does the rest. */
function machineSetSmp(ms: MachineState, v: unknown): void {
  const dict = visitStruct('smp', v);
  const config: SMPConfiguration = {};
  for (const k of SMP_MEMBERS) {
    if (dict[k] !== undefined) config[k] = visitInt(`smp.${k}`, dict[k], 64);
  }
  visitCheckStruct('smp', dict, SMP_MEMBERS);
  machineParseSmpConfig(ms, config);
}

function machineGetSmp(ms: MachineState): PropValue {
  const s = ms.smp;
  return {
    cpus: s.cpus, sockets: s.sockets, dies: s.dies, clusters: s.clusters,
    cores: s.cores, threads: s.threads, maxcpus: s.maxCpus,
  };
}

const hex = (n: number): string => n.toString(16);

/** machine_set_mem(): size defaults to the class's RAM size and is rounded up to 8 KiB. */
function machineSetMem(ms: MachineState, v: unknown): void {
  const dict = visitStruct('memory', v);
  let size = dict.size !== undefined ? visitSize('memory.size', dict.size) : ms.mc.defaultRamSize;
  const maxSize = dict['max-size'] !== undefined ? visitSize('memory.max-size', dict['max-size']) : undefined;
  const hasSlots = dict.slots !== undefined;
  const slots = hasSlots ? visitUint('memory.slots', dict.slots, 64) : 0;
  visitCheckStruct('memory', dict, ['size', 'max-size', 'slots']);
  size = Math.ceil(size / 8192) * 8192;
  let maxram = size;
  if (maxSize !== undefined) {
    maxram = maxSize;
    if (maxram < size) {
      throw new QemuError('invalid value of maxmem: maximum memory size ' +
        `(0x${hex(maxram)}) must be at least the initial memory size (0x${hex(size)})`);
    }
    if (hasSlots && slots && maxram === size) {
      throw new QemuError('invalid value of maxmem: memory slots were specified but maximum memory size ' +
        `(0x${hex(maxram)}) is equal to the initial memory size (0x${hex(size)})`);
    }
  } else if (hasSlots) {
    throw new QemuError('slots specified but no max-size');
  }
  ms.ramSize = size;
  ms.maxramSize = maxram;
  ms.ramSlots = slots;
}

function machineGetMem(ms: MachineState): PropValue {
  const out: { [k: string]: PropValue } = { size: ms.ramSize };
  if (ms.ramSlots) {
    out['max-size'] = ms.maxramSize;
    out.slots = ms.ramSlots;
  }
  return out;
}

const BOOT_MEMBERS = ['order', 'once', 'menu', 'splash', 'splash-time', 'reboot-timeout', 'strict'] as const;

function machineSetBoot(ms: MachineState, v: unknown): void {
  const dict = visitStruct('boot', v);
  const b: BootConfiguration = {};
  if (dict.order !== undefined) b.order = visitStr('boot.order', dict.order);
  if (dict.once !== undefined) b.once = visitStr('boot.once', dict.once);
  if (dict.menu !== undefined) b.menu = visitBool('boot.menu', dict.menu);
  if (dict.splash !== undefined) b.splash = visitStr('boot.splash', dict.splash);
  if (dict['splash-time'] !== undefined) b['splash-time'] = visitInt('boot.splash-time', dict['splash-time'], 64);
  if (dict['reboot-timeout'] !== undefined) b['reboot-timeout'] = visitInt('boot.reboot-timeout', dict['reboot-timeout'], 64);
  if (dict.strict !== undefined) b.strict = visitBool('boot.strict', dict.strict);
  visitCheckStruct('boot', dict, BOOT_MEMBERS);
  if (b.order !== undefined) validateBootdevices(b.order);
  if (b.once !== undefined) validateBootdevices(b.once);
  ms.boot = b;
}

/**
 * validate_bootdevices(): letters a-p (floppies a-b, disks c-f, machine-specific
 * g-m, network n-p), each at most once.
 */
export function validateBootdevices(devices: string): void {
  const seen = new Set<string>();
  for (const c of devices) {
    if (c < 'a' || c > 'p') throw new QemuError(`Invalid boot device '${c}'`);
    if (seen.has(c)) throw new QemuError(`Boot device '${c}' was given twice`);
    seen.add(c);
  }
}

function machineGetBoot(ms: MachineState): PropValue {
  const out: { [k: string]: PropValue } = { order: ms.boot.order ?? ms.mc.defaultBootOrder ?? '' };
  for (const [k, val] of Object.entries(ms.boot)) if (k !== 'order' && val !== undefined) out[k] = val;
  return out;
}

function machineClassInit(oc: ObjectClass): void {
  const mc = machineClass(oc);
  mc.defaultRamSize = 128 * 1024 * 1024;
  mc.maxCpus = 1;
  mc.minCpus = 0;
  mc.defaultCpus = 1;
  mc.smpProps = { preferSockets: false, diesSupported: false, clustersSupported: false };
  mc.compatProps = [];
  strProp(oc, 'kernel', 'Linux kernel image file', (m) => m.kernelFilename, (m, v) => (m.kernelFilename = v));
  strProp(oc, 'initrd', 'Linux initial ramdisk file', (m) => m.initrdFilename, (m, v) => (m.initrdFilename = v));
  strProp(oc, 'append', 'Linux kernel command line', (m) => m.kernelCmdline, (m, v) => (m.kernelCmdline = v));
  strProp(oc, 'dtb', 'Linux kernel device tree file', (m) => m.dtb, (m, v) => (m.dtb = v));
  strProp(oc, 'dumpdtb', 'Dump current dtb to a file and quit', (m) => m.dumpdtb, (m, v) => (m.dumpdtb = v));
  objectClassPropertyAdd(oc, {
    name: 'phandle-start', type: 'int', description: 'The first phandle ID we may generate dynamically',
    get: (o) => (o as MachineState).phandleStart,
    set: (o, v) => ((o as MachineState).phandleStart = visitInt('phandle-start', v, 64)),
  });
  strProp(oc, 'dt-compatible', 'Overrides the "compatible" property of the dt root node',
    (m) => m.dtCompatible, (m, v) => (m.dtCompatible = v));
  boolProp(oc, 'dump-guest-core', 'Include guest memory in a core dump', (m) => m.dumpGuestCore, (m, v) => (m.dumpGuestCore = v));
  boolProp(oc, 'mem-merge', 'Enable/disable memory merge support', (m) => m.memMerge, (m, v) => (m.memMerge = v));
  boolProp(oc, 'usb', 'Set on/off to enable/disable usb', (m) => m.usb ?? false, (m, v) => (m.usb = v));
  boolProp(oc, 'graphics', 'Set on/off to enable/disable graphics emulation',
    (m) => m.enableGraphics, (m, v) => (m.enableGraphics = v));
  strProp(oc, 'firmware', 'Firmware image', (m) => m.firmware, (m, v) => (m.firmware = v));
  boolProp(oc, 'suppress-vmdesc', 'Set on to disable self-describing migration',
    (m) => m.suppressVmdesc, (m, v) => (m.suppressVmdesc = v));
  strProp(oc, 'memory-encryption', 'Set memory encryption object to use',
    (m) => m.memoryEncryption, (m, v) => (m.memoryEncryption = v));
  objectClassPropertyAdd(oc, {
    name: 'confidential-guest-support', type: 'link<confidential-guest-support>',
    description: 'Set confidential guest scheme to support',
    get: () => '',
    set: (_o, v) => {
      throw new QemuError(`Device '${visitStr('confidential-guest-support', v)}' not found`);
    },
  });
  objectClassPropertyAdd(oc, {
    name: 'memory-backend', type: 'link<memory-backend>',
    description: 'Set RAM backendValid value is ID of hostmem based backend',
    get: (o) => (o as MachineState).ramMemdevId ?? '',
    set: (o, v) => ((o as MachineState).ramMemdevId = visitStr('memory-backend', v)),
  });
  objectClassPropertyAdd(oc, {
    name: 'smp', type: 'SMPConfiguration', description: 'CPU topology',
    get: (o) => machineGetSmp(o as MachineState),
    set: (o, v) => machineSetSmp(o as MachineState, v),
  });
  objectClassPropertyAdd(oc, {
    name: 'boot', type: 'BootConfiguration', description: 'Boot configuration',
    get: (o) => machineGetBoot(o as MachineState),
    set: (o, v) => machineSetBoot(o as MachineState, v),
  });
  objectClassPropertyAdd(oc, {
    name: 'memory', type: 'MemorySizeConfiguration', description: 'Memory size configuration',
    get: (o) => machineGetMem(o as MachineState),
    set: (o, v) => machineSetMem(o as MachineState, v),
  });
}

/** machine_initfn(): the defaults the class gives every new machine. */
function machineInstanceInit(obj: QObject): void {
  const ms = obj as MachineState;
  const mc = ms.mc;
  ms.ramSize = mc.defaultRamSize;
  ms.maxramSize = mc.defaultRamSize;
  ms.smp = {
    cpus: mc.defaultCpus, maxCpus: mc.defaultCpus, sockets: 1, dies: 1, clusters: 1, cores: 1, threads: 1,
  };
}

export function registerMachineTypes(): void {
  typeRegisterStatic({
    name: TYPE_MACHINE,
    parent: TYPE_OBJECT,
    abstract: true,
    instance: MachineState,
    classInit: machineClassInit,
    instanceInit: machineInstanceInit,
  });
}

/** Sets mc.name from the type name, as machine_class_base_init() does. */
export function machineClassSetName(oc: ObjectClass): void {
  const t = oc.typeName;
  if (t.endsWith(TYPE_MACHINE_SUFFIX)) machineClass(oc).name = t.slice(0, -TYPE_MACHINE_SUFFIX.length);
}

/** Every concrete machine class, in registration order. */
export function machineClassList(): ObjectClass[] {
  return objectClassGetList(TYPE_MACHINE, false);
}

/** find_machine(): by name or alias, exactly. */
export function findMachine(name: string): ObjectClass | undefined {
  return machineClassList().find((oc) => {
    const mc = machineClass(oc);
    return mc.name === name || mc.alias === name;
  });
}

export function findDefaultMachine(): ObjectClass | undefined {
  return machineClassList().find((oc) => machineClass(oc).isDefault);
}

const MACHINE_HELP_HINT = 'Use -machine help to list supported machines';

/**
 * select_machine(): the class for `-machine type=...`, or the default one.  The
 * messages are QEMU 7.2's.
 */
export function selectMachine(type: string | undefined): ObjectClass {
  const oc = type !== undefined ? findMachine(type) : findDefaultMachine();
  if (!oc) {
    if (type !== undefined) throw new QemuError('unsupported machine type', MACHINE_HELP_HINT);
    throw new QemuError('No machine specified, and there is no default', MACHINE_HELP_HINT);
  }
  return oc;
}

let currentMachine: MachineState | undefined;

/** QEMU_HW_VERSION: what machines without a hw_version report. */
const QEMU_HW_VERSION = '2.5+';
let hwVersion = QEMU_HW_VERSION;

/** qemu_hw_version(): e.g. the qemu64 CPU's model-id "QEMU Virtual CPU version 2.0.0" on pc-i440fx-2.0. */
export function qemuHwVersion(): string {
  return hwVersion;
}

export function qdevGetMachine(): MachineState {
  if (!currentMachine) throw new Error('no machine has been created');
  return currentMachine;
}

/** Splits "a=b,c=d" (the class's default_machine_opts) into a dict; the values have no commas. */
function parseDefaultOpts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/**
 * qemu_create_machine(): registers the class's compat globals, creates the
 * machine at /machine with its containers and the system bus, and applies the
 * class's default_machine_opts.  It warns for a deprecated machine type.
 */
export function qemuCreateMachine(oc: ObjectClass): MachineState {
  const mc = machineClass(oc);
  if (mc.deprecationReason) {
    warnReport(`Machine type '${mc.name}' is deprecated: ${mc.deprecationReason}`);
  }
  hwVersion = mc.hwVersion ?? QEMU_HW_VERSION;
  for (const g of mc.compatProps) objectRegisterGlobalProp({ ...g, priority: GlobalPropPriority.MachineCompat });
  const ms = objectNew(oc.typeName) as MachineState;
  const root = objectGetRoot();
  const old = objectResolveChild(root, 'machine');
  if (old) throw new Error('a machine already exists at /machine');
  objectPropertyAddChild(root, 'machine', ms);
  currentMachine = ms;
  containerGet(ms, '/peripheral');
  containerGet(ms, '/peripheral-anon');
  containerGet(ms, '/unattached');
  qbusResetAutomaticIds();
  sysbusReset();
  sysbusGetDefault();
  if (mc.defaultMachineOpts) {
    for (const [k, v] of Object.entries(parseDefaultOpts(mc.defaultMachineOpts))) machinePropertySet(ms, k, v);
  }
  // qemu_init() starts from the class's CPU type; -cpu replaces it.
  ms.cpuType = mc.defaultCpuType;
  return ms;
}

function machinePropertySet(ms: MachineState, name: string, v: unknown): void {
  const p = ms.klass.properties.get(name) ?? ms.properties.get(name);
  if (!p) throw new QemuError(`Property '${ms.typeName}.${name}' not found`);
  if (!p.set) throw new QemuError(`Property '${ms.typeName}.${name}' is not writable`);
  p.set(ms, v);
}

/**
 * qemu_apply_machine_options() for the machine's own properties: each key of the
 * -machine dict (type, accel and the other legacy keys already removed) plus
 * "smp" and "memory" dicts, in the dict's order.
 */
export function machineSetPropertiesFromDict(ms: MachineState, dict: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(dict)) machinePropertySet(ms, k, v);
}

/**
 * qemu_resolve_machine_memdev() (vl.c): -machine memory-backend=<id> must name a
 * memory backend under /objects; without -m (`customRamSize` false) RAM takes
 * the backend's size, with -m the two must agree.
 */
export function machineResolveMemdev(ms: MachineState, customRamSize: boolean): void {
  if (ms.ramMemdevId === undefined) return;
  const backend = objectResolvePath(`/objects/${ms.ramMemdevId}`);
  if (!backend || !objectDynamicCast(backend, 'memory-backend')) {
    throw new QemuError(`Memory backend '${ms.ramMemdevId}' not found`);
  }
  const size = objectPropertyGet(backend, 'size') as number;
  if (!customRamSize) ms.ramSize = size;
  else if (ms.ramSize !== size) throw new QemuError('Machine memory size does not match the size of the memory backend');
}

/**
 * machine_run_board_init(): checks the CPU type against the class's list, then
 * runs the board's init (pc_init1, machine_none_init).  The memory-backend= object
 * was resolved before (qemu_resolve_machine_memdev in vl.ts).
 */
export function machineRunBoardInit(ms: MachineState): void {
  const mc = ms.mc;
  if (mc.validCpuTypes && ms.cpuType) {
    const coc = objectClassByName(ms.cpuType);
    const ok = coc !== undefined && mc.validCpuTypes.some((t) => objectClassDynamicCast(coc, t));
    if (!ok) {
      throw new QemuError(`Invalid CPU type: ${ms.cpuType}`,
        `The valid types are: ${mc.validCpuTypes.join(', ')}\n`);
    }
  }
  mc.init?.(ms);
}

/** qmp_query_machines(): one entry per machine type, in QEMU's (prepended) order. */
export function qmpQueryMachines(): Array<{ [k: string]: PropValue }> {
  const out: Array<{ [k: string]: PropValue }> = [];
  for (const oc of machineClassList()) {
    const mc = machineClass(oc);
    const info: { [k: string]: PropValue } = {};
    if (mc.isDefault) info['is-default'] = true;
    if (mc.alias) info.alias = mc.alias;
    info.name = mc.name;
    info['cpu-max'] = mc.maxCpus || 1;
    info['hotpluggable-cpus'] = !!mc.hasHotpluggableCpus;
    info['numa-mem-supported'] = !!mc.numaMemSupported;
    info.deprecated = !!mc.deprecationReason;
    if (mc.defaultCpuType) info['default-cpu-type'] = mc.defaultCpuType;
    if (mc.defaultRamId) info['default-ram-id'] = mc.defaultRamId;
    out.unshift(info);
  }
  return out;
}

/**
 * machine_query_hotpluggable_cpus(): every possible CPU slot, the last first,
 * with its topology ids and the path of the CPU in it, if any.
 */
export function qmpQueryHotpluggableCpus(ms: MachineState): Array<{ [k: string]: PropValue }> {
  const slots = ms.mc.possibleCpuArchIds?.(ms) ?? [];
  const out: Array<{ [k: string]: PropValue }> = [];
  for (const s of slots) {
    const props: { [k: string]: PropValue } = {};
    if (s.props.socketId !== undefined) props['socket-id'] = s.props.socketId;
    if (s.props.dieId !== undefined) props['die-id'] = s.props.dieId;
    if (s.props.coreId !== undefined) props['core-id'] = s.props.coreId;
    if (s.props.threadId !== undefined) props['thread-id'] = s.props.threadId;
    const info: { [k: string]: PropValue } = { type: s.type, 'vcpus-count': s.vcpusCount, props };
    if (s.cpu) info['qom-path'] = objectGetCanonicalPath(s.cpu);
    out.unshift(info);
  }
  return out;
}

/** qmp_query_current_machine(). */
export function qmpQueryCurrentMachine(ms: MachineState): { [k: string]: PropValue } {
  return { 'wakeup-suspend-support': !!ms.mc.wakeupSupported };
}

/** Forgets the current machine (tests create several in one process, after objectResetRoot()). */
export function machineReset(): void {
  currentMachine = undefined;
}
