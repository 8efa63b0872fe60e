/*
 * Host memory backends (backends/hostmem.c, hostmem-ram.c, hostmem-file.c):
 * user-creatable objects that a machine uses as RAM (-machine memory-backend=)
 * or, later, NUMA nodes and DIMMs.  The properties are QEMU 7.2's, with its
 * types; guest RAM itself is allocated by the machine's memory map.
 */
import { ObjectClass, QObject, TYPE_OBJECT, objectClassPropertyAdd, typeRegisterStatic } from '../qom/object.js';
import { defineBoolProp, defineEnumProp, defineStrProp, defineUintProp } from '../qom/field-props.js';
import { qemuStrtosz } from '../util/cutils.js';
import { QemuError } from '../util/error.js';
import { userCreatableRegisterComplete } from '../qom/object-interfaces.js';

export const TYPE_MEMORY_BACKEND = 'memory-backend';
export const TYPE_MEMORY_BACKEND_RAM = 'memory-backend-ram';
export const TYPE_MEMORY_BACKEND_FILE = 'memory-backend-file';
export const TYPE_USER_CREATABLE = 'user-creatable';

export class HostMemoryBackend extends QObject {
  size = 0;
  /** Set once complete() ran; properties that shape the mapping are fixed from then on. */
  completed = false;
}

/** The members of each type that are required (QAPI's ObjectOptions), checked before the object exists. */
export const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  [TYPE_MEMORY_BACKEND_RAM]: ['size'],
  [TYPE_MEMORY_BACKEND_FILE]: ['size', 'mem-path'],
};

/** The size visitor of QOM's string input: a size with QEMU's suffixes, or a JSON integer. */
function visitHostmemSize(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  const r = typeof v === 'string' ? qemuStrtosz(v) : undefined;
  if (!r || r.err !== 0 || !r.exact) throw new QemuError("Parameter 'size' expects a size value");
  return r.value;
}

function hostmemClassInit(oc: ObjectClass): void {
  objectClassPropertyAdd(oc, {
    name: 'size', type: 'int', description: 'Size of the memory region (ex: 500M)',
    get: (o) => (o as HostMemoryBackend).size,
    set: (o, v) => {
      const b = o as HostMemoryBackend;
      if (b.completed) throw new QemuError('cannot change property size of memory-backend');
      b.size = visitHostmemSize(v);
    },
  });
  defineBoolProp(oc, { name: 'merge', defaultValue: true, description: 'Mark memory as mergeable' });
  defineBoolProp(oc, { name: 'dump', defaultValue: true, description: "Set to 'off' to exclude from core dump" });
  defineBoolProp(oc, { name: 'prealloc', defaultValue: false, description: 'Preallocate memory' });
  defineUintProp(oc, 32, { name: 'prealloc-threads', defaultValue: 1, description: 'Number of CPU threads to use for prealloc' });
  defineBoolProp(oc, { name: 'share', defaultValue: false, description: 'Mark the memory as private to QEMU or shared' });
  defineBoolProp(oc, { name: 'reserve', defaultValue: true, description: 'Reserve swap space (or huge pages) if applicable' });
  defineEnumProp(oc, 'HostMemPolicy', ['default', 'preferred', 'bind', 'interleave'] as const,
    { name: 'policy', defaultValue: 'default', description: 'Set the NUMA policy' });
  defineStrProp(oc, { name: 'host-nodes', description: 'Binds memory to the list of NUMA host nodes' });
  defineBoolProp(oc, { name: 'x-use-canonical-path-for-ramblock-id', defaultValue: false });
}

function hostmemFileClassInit(oc: ObjectClass): void {
  defineStrProp(oc, { name: 'mem-path', description: 'File to be used for backing memory' });
  defineUintProp(oc, 64, { name: 'align', defaultValue: 0, description: 'Alignment of the memory in bytes' });
  defineBoolProp(oc, { name: 'discard-data', defaultValue: false, description: 'Discard the data on close' });
  defineBoolProp(oc, { name: 'pmem', defaultValue: false, description: 'Backing storage is persistent memory' });
  defineBoolProp(oc, { name: 'readonly', defaultValue: false, description: 'Mark the memory as read-only' });
}

/** host_memory_backend_memory_complete(): a backend needs a size (reported without the option's location). */
function hostmemComplete(obj: QObject): void {
  const b = obj as HostMemoryBackend;
  if (b.size === 0) throw new QemuError(`property 'size' of ${obj.typeName} doesn't take value '0'`, undefined, null);
  b.completed = true;
}

export function registerHostmemTypes(): void {
  userCreatableRegisterComplete(TYPE_MEMORY_BACKEND_RAM, hostmemComplete);
  userCreatableRegisterComplete(TYPE_MEMORY_BACKEND_FILE, hostmemComplete);
  typeRegisterStatic({ name: TYPE_USER_CREATABLE, parent: 'interface', abstract: true });
  typeRegisterStatic({
    name: TYPE_MEMORY_BACKEND, parent: TYPE_OBJECT, abstract: true, instance: HostMemoryBackend,
    classInit: hostmemClassInit, interfaces: [TYPE_USER_CREATABLE],
  });
  typeRegisterStatic({ name: TYPE_MEMORY_BACKEND_RAM, parent: TYPE_MEMORY_BACKEND });
  typeRegisterStatic({ name: TYPE_MEMORY_BACKEND_FILE, parent: TYPE_MEMORY_BACKEND, classInit: hostmemFileClassInit });
}
