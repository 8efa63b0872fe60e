/*
 * user_creatable_add_qapi() (qom/object_interfaces.c) for -object and, later,
 * object-add: the QAPI checks of ObjectOptions (qom-type, id, required and
 * unknown members) with QEMU's messages, then the object at /objects/<id>.
 */
import { QemuError } from '../util/error.js';
import {
  containerGet, objectClassByName, objectGetRoot, objectNew, objectPropertyAddChild, objectPropertyFind,
  objectPropertySet, objectResolveChild, type QObject,
} from './object.js';

/** QEMU 7.2's ObjectType enum, as `-object help` lists it. */
const OBJECT_TYPES = new Set([
  'authz-list', 'authz-list-file', 'authz-simple', 'can-bus', 'can-host-socketcan', 'colo-compare',
  'cryptodev-backend', 'cryptodev-backend-builtin', 'cryptodev-vhost-user', 'dbus-vmstate', 'filter-buffer',
  'filter-dump', 'filter-mirror', 'filter-redirector', 'filter-replay', 'filter-rewriter', 'input-barrier',
  'input-linux', 'iothread', 'main-loop', 'memory-backend-file', 'memory-backend-memfd', 'memory-backend-ram',
  'pr-manager-helper', 'qtest', 'rng-builtin', 'rng-egd', 'rng-random', 'secret', 'secret_keyring', 'sev-guest',
  'thread-context', 'throttle-group', 'tls-cipher-suites', 'tls-creds-anon', 'tls-creds-psk', 'tls-creds-x509',
  'x-remote-object',
]);

/** Members each type must have (QAPI's mandatory members), in the order QEMU checks them. */
export type RequiredMembers = Readonly<Record<string, readonly string[]>>;

/** An object's complete() hook (UserCreatableClass.complete), run once all properties are set. */
export type UserCreatableComplete = (obj: QObject) => void;
const completeHooks = new Map<string, UserCreatableComplete>();

export function userCreatableRegisterComplete(type: string, fn: UserCreatableComplete): void {
  completeHooks.set(type, fn);
}

/**
 * Creates one user object from its options: `fromJson` says whether they came
 * as JSON (typed values, "is unexpected") or QemuOpts (strings, "Invalid parameter").
 */
export function userCreatableAdd(opts: Record<string, unknown>, required: RequiredMembers, fromJson: boolean): QObject {
  const type = opts['qom-type'];
  if (typeof type !== 'string') throw new QemuError("Parameter 'qom-type' is missing");
  if (!OBJECT_TYPES.has(type)) throw new QemuError(`Parameter 'qom-type' does not accept value '${type}'`);
  const oc = objectClassByName(type);
  if (!oc) throw new QemuError(`object type '${type}' is not supported yet`);
  const id = opts.id;
  if (typeof id !== 'string') throw new QemuError("Parameter 'id' is missing");
  for (const m of required[type] ?? []) {
    if (!(m in opts)) throw new QemuError(`Parameter '${m}' is missing`);
  }
  const obj = objectNew(type);
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'qom-type' || k === 'id') continue;
    if (!objectPropertyFind(obj, k)) {
      throw new QemuError(fromJson ? `Parameter '${k}' is unexpected` : `Invalid parameter '${k}'`);
    }
    if (fromJson && typeof v === 'string' && oc.properties.get(k)?.type === 'int') {
      throw new QemuError(`Parameter '${k}' expects uint64`);
    }
    objectPropertySet(obj, k, v);
  }
  completeHooks.get(type)?.(obj);
  const objects = containerGet(objectGetRoot(), '/objects');
  if (objectResolveChild(objects, id)) {
    throw new QemuError(`attempt to add duplicate property '${id}' to object (type 'container')`);
  }
  objectPropertyAddChild(objects, id, obj);
  return obj;
}
