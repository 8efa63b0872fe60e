/*
 * QOM, the QEMU Object Model (qom/object.c), in TypeScript.
 *
 * Types are registered by name with a parent (type_register_static); a type's
 * class is built lazily on first use by copying the parent's class and running
 * class_init (type_initialize).  Instances are TypeScript objects whose
 * constructor is the nearest `instance` constructor up the type chain; the
 * per-type `instanceInit` hooks then run from the root type down, as QEMU runs
 * instance_init.  Properties live on classes (shared by all instances) and on
 * instances (children, links, dynamic ones); both are found by name.
 */
import { QemuError } from '../util/error.js';
import { withStringInputVisitor } from './visitor.js';

export type PropValue = boolean | number | string | null | PropValue[] | { [k: string]: PropValue };

/** One QOM property (ObjectProperty). `type` is what qom-list shows. */
export interface ObjectProperty {
  name: string;
  type: string;
  description?: string;
  /** Default value shown by `-device x,help` ("(default: ...)"). */
  defaultValue?: PropValue;
  get?: (obj: QObject) => PropValue;
  /** `v` comes either from JSON (QMP) or as a string (command line, -global). */
  set?: (obj: QObject, v: unknown) => void;
  /** The child object, for child<> properties. */
  child?: QObject;
}

export interface TypeInfo {
  name: string;
  parent?: string;
  abstract?: boolean;
  /** TypeScript class for instances; inherited from the parent type when absent. */
  instance?: new () => QObject;
  /** Runs once per instance, parents first (instance_init). */
  instanceInit?: (obj: QObject) => void;
  /** Runs after all instanceInit hooks, parents first (instance_post_init). */
  instancePostInit?: (obj: QObject) => void;
  classInit?: (oc: ObjectClass, data: unknown) => void;
  classData?: unknown;
  interfaces?: string[];
}

/** A class: properties and whatever fields the type's class_init sets. */
export class ObjectClass {
  typeName = '';
  parentClass: ObjectClass | undefined;
  abstract = false;
  interfaces: string[] = [];
  properties = new Map<string, ObjectProperty>();
  /** Free-form class fields (MachineClass.desc, DeviceClass.realize, ...). Typed by each subsystem's accessor. */
  [field: string]: unknown;
}

interface TypeImpl {
  info: TypeInfo;
  klass?: ObjectClass;
}

const types = new Map<string, TypeImpl>();

export const TYPE_OBJECT = 'object';
export const TYPE_INTERFACE = 'interface';
export const TYPE_CONTAINER = 'container';

export function typeRegisterStatic(info: TypeInfo): void {
  if (types.has(info.name)) throw new Error(`Registering '${info.name}' which already exists`);
  types.set(info.name, { info });
}

export function typeExists(name: string): boolean {
  return types.has(name);
}

function typeGetParent(t: TypeImpl): TypeImpl | undefined {
  if (!t.info.parent) return undefined;
  const p = types.get(t.info.parent);
  if (!p) throw new Error(`type '${t.info.name}' has unknown parent '${t.info.parent}'`);
  return p;
}

/** type_initialize(): builds the class on first use. */
function typeInitialize(t: TypeImpl): ObjectClass {
  if (t.klass) return t.klass;
  const parent = typeGetParent(t);
  const oc = new ObjectClass();
  if (parent) {
    const pc = typeInitialize(parent);
    for (const k of Object.keys(pc)) (oc as Record<string, unknown>)[k] = pc[k];
    oc.properties = new Map(pc.properties);
    oc.interfaces = [...pc.interfaces];
    oc.parentClass = pc;
  }
  oc.typeName = t.info.name;
  oc.abstract = !!t.info.abstract;
  for (const i of t.info.interfaces ?? []) if (!oc.interfaces.includes(i)) oc.interfaces.push(i);
  t.klass = oc;
  t.info.classInit?.(oc, t.info.classData);
  return oc;
}

export function objectClassByName(name: string): ObjectClass | undefined {
  const t = types.get(name);
  return t ? typeInitialize(t) : undefined;
}

/** True if `oc` is `typename` or derives from it, or implements it as an interface. */
export function objectClassDynamicCast(oc: ObjectClass, typename: string): boolean {
  for (let c: ObjectClass | undefined = oc; c; c = c.parentClass) {
    if (c.typeName === typename) return true;
  }
  return oc.interfaces.some((i) => i === typename || interfaceDerives(i, typename));
}

function interfaceDerives(iface: string, target: string): boolean {
  for (let t = types.get(iface); t; t = typeGetParent(t)) if (t.info.name === target) return true;
  return false;
}

/** object_class_get_list(): every class deriving from `implementsType`, in registration order. */
export function objectClassGetList(implementsType: string, includeAbstract: boolean): ObjectClass[] {
  const out: ObjectClass[] = [];
  for (const t of types.values()) {
    const oc = typeInitialize(t);
    if (!includeAbstract && oc.abstract) continue;
    if (objectClassDynamicCast(oc, implementsType)) out.push(oc);
  }
  return out;
}

/** Type names from the root down to `name`. */
function typeChain(name: string): TypeImpl[] {
  const chain: TypeImpl[] = [];
  for (let t = types.get(name); t; t = typeGetParent(t)) chain.unshift(t);
  return chain;
}

/** The base of every QOM instance. */
export class QObject {
  klass!: ObjectClass;
  /** The parent in the composition tree, set by objectPropertyAddChild. */
  parent: QObject | undefined;
  /** The name under the parent. */
  parentName: string | undefined;
  /** Instance properties: children, links, dynamic properties. */
  properties = new Map<string, ObjectProperty>();

  get typeName(): string {
    return this.klass.typeName;
  }
}

export function objectNew(typename: string): QObject {
  const t = types.get(typename);
  if (!t) throw new QemuError(`invalid object type: ${typename}`);
  const oc = typeInitialize(t);
  if (oc.abstract) throw new QemuError(`Object type '${typename}' is abstract`);
  const chain = typeChain(typename);
  let ctor: (new () => QObject) | undefined;
  for (const c of chain) if (c.info.instance) ctor = c.info.instance;
  const obj = ctor ? new ctor() : new QObject();
  obj.klass = oc;
  for (const c of chain) c.info.instanceInit?.(obj);
  for (const c of chain) c.info.instancePostInit?.(obj);
  objectApplyGlobalProps(obj);
  return obj;
}

export function objectDynamicCast<T extends QObject>(obj: QObject, typename: string): T | undefined {
  return objectClassDynamicCast(obj.klass, typename) ? (obj as T) : undefined;
}

export function objectPropertyFind(obj: QObject, name: string): ObjectProperty | undefined {
  return obj.properties.get(name) ?? obj.klass.properties.get(name);
}

/** All properties of an instance: its own first, then the class's (qom-list order is ours, not QEMU's hash order). */
export function objectPropertyList(obj: QObject): ObjectProperty[] {
  const seen = new Set<string>();
  const out: ObjectProperty[] = [];
  for (const m of [obj.klass.properties, obj.properties]) {
    for (const p of m.values()) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      out.push(p);
    }
  }
  return out;
}

function propertyNotFound(obj: QObject, name: string): QemuError {
  return new QemuError(`Property '${obj.typeName}.${name}' not found`);
}

export function objectPropertyGet(obj: QObject, name: string): PropValue {
  const p = objectPropertyFind(obj, name);
  if (!p) throw propertyNotFound(obj, name);
  if (p.child) return objectGetCanonicalPath(p.child);
  if (!p.get) throw new QemuError(`Property '${obj.typeName}.${name}' is not readable`);
  return p.get(obj);
}

export function objectPropertySet(obj: QObject, name: string, v: unknown): void {
  const p = objectPropertyFind(obj, name);
  if (!p) throw propertyNotFound(obj, name);
  if (!p.set) throw new QemuError(`Property '${obj.typeName}.${name}' is not writable`);
  p.set(obj, v);
}

export function objectClassPropertyAdd(oc: ObjectClass, prop: ObjectProperty): void {
  oc.properties.set(prop.name, prop);
}

export function objectPropertyAdd(obj: QObject, prop: ObjectProperty): void {
  if (objectPropertyFind(obj, prop.name)) {
    throw new QemuError(`attempt to add duplicate property '${prop.name}' to object (type '${obj.typeName}')`);
  }
  obj.properties.set(prop.name, prop);
}

/**
 * object_property_add_child(): `name` may end in "[*]", which takes the first free index,
 * as /machine/unattached/device[N] does.
 */
export function objectPropertyAddChild(parent: QObject, name: string, child: QObject): string {
  let n = name;
  if (name.endsWith('[*]')) {
    const base = name.slice(0, -3);
    for (let i = 0; ; i++) {
      n = `${base}[${i}]`;
      if (!objectPropertyFind(parent, n)) break;
    }
  }
  if (child.parent) throw new Error(`object '${child.typeName}' already has a parent`);
  objectPropertyAdd(parent, { name: n, type: `child<${child.typeName}>`, child });
  child.parent = parent;
  child.parentName = n;
  return n;
}

export function objectPropertyAddLink(obj: QObject, name: string, targetType: string, get: () => QObject | undefined): void {
  objectPropertyAdd(obj, {
    name,
    type: `link<${targetType}>`,
    get: () => {
      const t = get();
      return t ? objectGetCanonicalPath(t) : '';
    },
  });
}

export function objectUnparent(obj: QObject): void {
  if (!obj.parent || !obj.parentName) return;
  obj.parent.properties.delete(obj.parentName);
  obj.parent = undefined;
  obj.parentName = undefined;
}

export function objectChildren(obj: QObject): Array<[string, QObject]> {
  const out: Array<[string, QObject]> = [];
  for (const p of obj.properties.values()) if (p.child) out.push([p.name, p.child]);
  return out;
}

export function objectResolveChild(obj: QObject, name: string): QObject | undefined {
  return obj.properties.get(name)?.child;
}

// ---- the composition tree -------------------------------------------------

let root: QObject | undefined;

export function objectGetRoot(): QObject {
  if (!root) {
    root = objectNew(TYPE_CONTAINER);
  }
  return root;
}

/** Drops the whole tree (tests create several machines in one process). */
export function objectResetRoot(): void {
  root = undefined;
  globalProps.length = 0;
}

/** container_get(): walks /a/b/c under `from`, creating containers as needed. */
export function containerGet(from: QObject, path: string): QObject {
  let obj = from;
  for (const part of path.split('/').filter((s) => s)) {
    let child = objectResolveChild(obj, part);
    if (!child) {
      child = objectNew(TYPE_CONTAINER);
      objectPropertyAddChild(obj, part, child);
    }
    obj = child;
  }
  return obj;
}

export function objectGetCanonicalPath(obj: QObject): string {
  const parts: string[] = [];
  for (let o: QObject | undefined = obj; o && o !== root; o = o.parent) {
    if (!o.parent) return parts.length ? '/' + parts.reverse().join('/') : '/';
    parts.push(o.parentName!);
  }
  return '/' + parts.reverse().join('/');
}

/** object_resolve_path(): absolute paths only, following child<> properties and links. */
export function objectResolvePath(path: string): QObject | undefined {
  if (!path.startsWith('/')) return objectResolvePartialPath(path);
  let obj = objectGetRoot();
  for (const part of path.split('/').filter((s) => s)) {
    const child = objectResolveChild(obj, part);
    if (!child) return undefined;
    obj = child;
  }
  return obj;
}

/** A partial path ("i440fx") matches when exactly one object's canonical path ends with it. */
function objectResolvePartialPath(path: string): QObject | undefined {
  const suffix = '/' + path.split('/').filter((s) => s).join('/');
  const found: QObject[] = [];
  const walk = (o: QObject): void => {
    for (const [, c] of objectChildren(o)) {
      if (objectGetCanonicalPath(c).endsWith(suffix)) found.push(c);
      walk(c);
    }
  };
  walk(objectGetRoot());
  return found.length === 1 ? found[0] : undefined;
}

// ---- global properties (-global, -cpu features, machine compat props) ----

/**
 * Where a global comes from, lowest first: QEMU applies the machine's compat
 * props, then the sugar props of legacy options (object_compat_props[1], [2]),
 * then the user's -global and -cpu features (qdev_prop_set_globals), so a later
 * source wins whatever the registration order.  (QEMU's accelerator compat props,
 * slot 0, would come first; no accelerator here has any.)
 */
export const enum GlobalPropPriority {
  MachineCompat = 0,
  Sugar = 1,
  User = 2,
}

export interface GlobalProperty {
  driver: string;
  property: string;
  value: string;
  used?: boolean;
  /** User when absent. */
  priority?: GlobalPropPriority;
}

const globalProps: GlobalProperty[] = [];

export function objectRegisterGlobalProp(g: GlobalProperty): void {
  globalProps.push(g);
}

/** object_apply_global_props(): each global whose driver is this type or an ancestor, by priority, then in registration order. */
export function objectApplyGlobalProps(obj: QObject): void {
  for (let prio = GlobalPropPriority.MachineCompat; prio <= GlobalPropPriority.User; prio++) {
    for (const g of globalProps) {
      if ((g.priority ?? GlobalPropPriority.User) !== prio || !objectClassDynamicCast(obj.klass, g.driver)) continue;
      g.used = true;
      try {
        // object_property_parse(): globals go through the string input visitor.
        withStringInputVisitor(() => objectPropertySet(obj, g.property, g.value));
      } catch (e) {
        if (e instanceof QemuError) {
          throw new QemuError(`can't apply global ${g.driver}.${g.property}=${g.value}: ${e.message}`, e.hint);
        }
        throw e;
      }
    }
  }
}

export function registerQomBaseTypes(): void {
  typeRegisterStatic({
    name: TYPE_OBJECT,
    // object_class_init(): every object's read-only "type" (the first property qom-list shows).
    classInit: (oc) => objectClassPropertyAdd(oc, { name: 'type', type: 'string', get: (o) => o.typeName }),
  });
  typeRegisterStatic({ name: TYPE_INTERFACE, abstract: true });
  typeRegisterStatic({ name: TYPE_CONTAINER, parent: TYPE_OBJECT });
}
