/*
 * The QMP commands of the monitor itself and of the core (monitor/qmp-cmds.c,
 * qmp-cmds-control.c, qom/qom-qmp-cmds.c, softmmu/runstate.c, hw/core/machine-qmp-cmds.c).
 */
import {
  objectResolvePath, objectPropertyList, objectPropertyGet, objectPropertySet, objectPropertyFind,
  objectClassGetList, objectGetCanonicalPath, type ObjectClass, type QObject,
} from '../qom/object.js';
import { cpus, type CPUState } from '../hw/core/cpu.js';
import { runstateGet, runstateIsRunning, vmStart, vmStop, qemuSystemShutdownRequest } from '../system/runstate.js';
import { QEMU_COMPAT_VERSION, TSQEMU_VERSION } from '../system/version.js';
import { QemuError } from '../util/error.js';
import { qemuName } from './monitor.js';
import {
  chardevBackendNames, qemuChrList, qmpChardevAdd, qmpChardevRemove, type ChardevBackendQapi,
} from '../chardev/char.js';
import type { ArgSpec, UnionType } from './qmp-dispatch.js';
import { QmpError, qmpCommandNames, qmpRegisterCommand, qmpFindCommand } from './qmp-dispatch.js';
import type { QJson } from './qjson.js';
import type { MonitorQMP } from './qmp.js';

/** The package string of query-version and the QMP greeting: "tsqemu-<version>". */
export const QEMU_PKGVERSION = `tsqemu-${TSQEMU_VERSION}`;

/** VersionInfo, as in the greeting and query-version. */
export function qmpVersionInfo(): { [k: string]: QJson } {
  const [major, minor, micro] = QEMU_COMPAT_VERSION.split('.').map(Number);
  return { qemu: { major: major ?? 0, minor: minor ?? 0, micro: micro ?? 0 }, package: QEMU_PKGVERSION };
}

/** qmp_cont(). */
export function qmpCont(): void {
  const s = runstateGet();
  if (s === 'internal-error' || s === 'shutdown' || s === 'guest-panicked') {
    throw new QemuError('Resetting the Virtual Machine is required');
  }
  if (s === 'inmigrate' || runstateIsRunning()) return;
  vmStart();
}

/** qmp_stop(). */
export function qmpStop(): void {
  if (runstateGet() === 'inmigrate') return;
  vmStop('paused');
}

/** qmp_quit(): SHUTDOWN (host-qmp-quit) now; the main loop ends the process. */
export function qmpQuit(): void {
  qemuSystemShutdownRequest('host-qmp-quit');
}

/** StatusInfo. */
export function qmpQueryStatus(): { running: boolean; singlestep: boolean; status: string } {
  return { running: runstateIsRunning(), singlestep: false, status: runstateGet() };
}

function resolve(path: string): QObject {
  const obj = objectResolvePath(path);
  if (!obj) throw new QmpError('DeviceNotFound', `Device '${path}' not found`);
  return obj;
}

function qomList(obj: QObject): Array<{ name: string; type: string }> {
  return objectPropertyList(obj).map((p) => ({ name: p.name, type: p.type }));
}

function objectTypeInfo(oc: ObjectClass): { [k: string]: QJson } {
  const info: { [k: string]: QJson } = { name: oc.typeName };
  if (oc.abstract) info.abstract = true;
  if (oc.parentClass) info.parent = oc.parentClass.typeName;
  // (ObjectTypeInfo's members are in three different buckets: insertion order does not matter.)
  return info;
}

/** CpuInstanceProperties of a CPU: the topology ids its QOM properties carry. */
function cpuProps(cpu: CPUState, withDie: boolean): { [k: string]: QJson } {
  const props: { [k: string]: QJson } = {};
  // CpuInstanceProperties schema order (node-id, socket-id, die-id, cluster-id, core-id, thread-id).
  const names = withDie ? ['socket-id', 'die-id', 'core-id', 'thread-id'] : ['socket-id', 'core-id', 'thread-id'];
  for (const n of names) {
    if (objectPropertyFind(cpu, n)) props[n] = objectPropertyGet(cpu, n) as QJson;
  }
  return props;
}

/**
 * query-cpus-fast.  QEMU shows die-id only when the machine has more than one
 * die; with every CPU present, that is when some CPU has a die-id above 0.
 */
export function qmpQueryCpusFast(): QJson[] {
  const withDie = cpus.some((c) => objectPropertyFind(c, 'die-id') && Number(objectPropertyGet(c, 'die-id')) > 0);
  return cpus.map((cpu) => ({
    'cpu-index': cpu.cpuIndex,
    'qom-path': objectGetCanonicalPath(cpu),
    'thread-id': cpu.vcpu?.threadId ?? process.pid,
    props: cpuProps(cpu, withDie),
    target: 'x86_64',
  }));
}

const CHARDEV_COMMON: ArgSpec = { '*logfile': 'str', '*logappend': 'bool' };

/** SocketAddressLegacy. */
const SOCKET_ADDRESS_LEGACY: UnionType = {
  union: 'type',
  variants: {
    inet: { data: { host: 'str', port: 'str', '*numeric': 'bool', '*to': 'uint', '*ipv4': 'bool', '*ipv6': 'bool', '*keep-alive': 'bool' } },
    unix: { data: { path: 'str', '*abstract': 'bool', '*tight': 'bool' } },
    vsock: { data: { cid: 'str', port: 'str' } },
    fd: { data: { str: 'str' } },
  },
};

/** ChardevBackend (QEMU 7.2): the backends we have, checked member by member; the others by their tag only. */
const CHARDEV_BACKEND: UnionType = {
  union: 'type',
  variants: {
    file: { data: { '*in': 'str', out: 'str', '*append': 'bool', ...CHARDEV_COMMON } },
    null: { data: CHARDEV_COMMON },
    socket: {
      data: {
        addr: SOCKET_ADDRESS_LEGACY, '*tls-creds': 'str', '*tls-authz': 'str', '*server': 'bool', '*wait': 'bool',
        '*nodelay': 'bool', '*telnet': 'bool', '*tn3270': 'bool', '*websocket': 'bool', '*reconnect': 'int', ...CHARDEV_COMMON,
      },
    },
    stdio: { data: { '*signal': 'bool', ...CHARDEV_COMMON } },
    mux: { data: { chardev: 'str', ...CHARDEV_COMMON } },
    pty: { data: CHARDEV_COMMON },
    ...Object.fromEntries(['serial', 'parallel', 'pipe', 'udp', 'msmouse', 'wctablet', 'braille', 'testdev', 'spicevmc',
      'spiceport', 'qemu-vdagent', 'dbus', 'vc', 'ringbuf', 'memory'].map((t) => [t, { data: 'any' }])),
  },
};

/** query-chardev: ChardevInfo per chardev. */
export function qmpQueryChardev(): Array<{ [k: string]: QJson }> {
  return qemuChrList().map((c) => ({ label: c.label, filename: c.filename, 'frontend-open': !!c.be?.feOpen }));
}

let registered = false;

/** Registers this file's commands once per process. */
export function registerQmpCommands(): void {
  if (registered) return;
  registered = true;

  qmpRegisterCommand('qmp_capabilities', (args, ctx) => {
    const mon = ctx.monitor as MonitorQMP | undefined;
    if (!mon || mon.commandMode) {
      throw new QmpError('CommandNotFound', 'Capabilities negotiation is already complete, command ignored');
    }
    const enable = (args.enable ?? []) as string[];
    mon.negotiate(enable.includes('oob'));
  }, { '*enable': [{ enum: ['oob'] }] }, { allowOob: true });

  qmpRegisterCommand('query-version', () => qmpVersionInfo());
  qmpRegisterCommand('query-commands', () => qmpCommandNames().map((name) => ({ name })));
  qmpRegisterCommand('query-status', () => qmpQueryStatus());
  qmpRegisterCommand('query-name', () => {
    const name = qemuName();
    const info: { [k: string]: QJson } = {};
    if (name !== undefined) info.name = name;
    return info;
  });
  qmpRegisterCommand('cont', () => qmpCont());
  qmpRegisterCommand('stop', () => qmpStop());
  qmpRegisterCommand('quit', () => qmpQuit());

  qmpRegisterCommand('qom-list', (args) => qomList(resolve(args.path as string)), { path: 'str' });
  qmpRegisterCommand('qom-get', (args) => objectPropertyGet(resolve(args.path as string), args.property as string) as QJson,
    { path: 'str', property: 'str' });
  qmpRegisterCommand('qom-set', (args) => {
    objectPropertySet(resolve(args.path as string), args.property as string, args.value);
  }, { path: 'str', property: 'str', value: 'any' });
  qmpRegisterCommand('qom-list-types', (args) => {
    const implementsType = args.implements as string | undefined;
    const abstract = (args.abstract as boolean | undefined) ?? false;
    const classes = implementsType !== undefined
      ? objectClassGetList(implementsType, abstract)
      : [...objectClassGetList('object', abstract), ...objectClassGetList('interface', abstract)];
    return classes.map(objectTypeInfo);
  }, { '*implements': 'str', '*abstract': 'bool' });

  qmpRegisterCommand('query-chardev', () => qmpQueryChardev());
  qmpRegisterCommand('chardev-add',
    async (args) => qmpChardevAdd(args.id as string, args.backend as unknown as ChardevBackendQapi),
    { id: 'str', backend: CHARDEV_BACKEND });
  qmpRegisterCommand('chardev-remove', (args) => qmpChardevRemove(args.id as string), { id: 'str' });
  // QEMU builds this list by prepending, so it comes out in reverse of -chardev help's order.
  qmpRegisterCommand('query-chardev-backends', () => chardevBackendNames().reverse().map((name) => ({ name })));

  if (!qmpFindCommand('query-cpus-fast')) qmpRegisterCommand('query-cpus-fast', () => qmpQueryCpusFast());
}
