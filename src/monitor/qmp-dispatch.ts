/*
 * The QMP command registry and dispatcher (qapi/qmp-registry.c,
 * qapi/qmp-dispatch.c), with argument checking in the manner of QAPI's
 * generated unmarshalling code and the QObject input visitor.
 *
 * Other modules register their commands:
 *   qmpRegisterCommand('query-foo', (args) => ({...}), { 'id': 'str', '*verbose': 'bool' });
 * An argument spec uses QAPI schema syntax: '*' marks optional members; types
 * are 'str', 'int', 'uint', 'bool', 'number', 'any', { enum: [...] }, a
 * one-element array for a list, or a nested spec object for a struct.
 * Handlers get plain JSON values (numbers unboxed), throw QemuError
 * (GenericError) or QmpError (another class), and return the command's
 * `return` value (undefined stands for {}).
 */
import { QemuError } from '../util/error.js';
import { QBigInt, QDouble, isQDict, qdictOrder, qjsonUnbox, type QJson } from './qjson.js';

export type QapiErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotFound' | 'DeviceNotActive' | 'KVMMissingCap';

export class QmpError extends Error {
  constructor(readonly errorClass: QapiErrorClass, message: string) {
    super(message);
    this.name = 'QmpError';
  }
}

export type ArgType =
  | 'str' | 'int' | 'uint' | 'bool' | 'number' | 'any'
  | { enum: readonly string[] }
  | UnionType
  | [ArgType]
  | ArgSpec;

/** A QAPI union: the discriminator member picks which variant's members follow. */
export interface UnionType {
  union: string;
  variants: { [tag: string]: ArgSpec };
}

export interface ArgSpec {
  [member: string]: ArgType;
}

export type QmpArgs = { [k: string]: QJson };

/** What a handler learns about the request (the monitor it came from). */
export interface QmpContext {
  monitor: unknown;
}

export type QmpHandler = (args: QmpArgs, ctx: QmpContext) => QJson | void | Promise<QJson | void>;

export interface QmpCommandOptions {
  /** QCO_ALLOW_OOB: may be run with exec-oob. */
  allowOob?: boolean;
}

export interface QmpCommand {
  name: string;
  handler: QmpHandler;
  args: ArgSpec;
  options: QmpCommandOptions;
}

const commands = new Map<string, QmpCommand>();

/** qmp_register_command(). */
export function qmpRegisterCommand(name: string, handler: QmpHandler, args: ArgSpec = {}, options: QmpCommandOptions = {}): void {
  if (commands.has(name)) throw new Error(`QMP command '${name}' registered twice`);
  commands.set(name, { name, handler, args, options });
}

export function qmpFindCommand(name: string): QmpCommand | undefined {
  return commands.get(name);
}

/** Registered command names, newest first (query-commands builds its list by prepending). */
export function qmpCommandNames(): string[] {
  return [...commands.keys()].reverse();
}

function invalidType(name: string, expected: string): QemuError {
  return new QemuError(`Invalid parameter type for '${name}', expected: ${expected}`);
}

function isUnion(t: ArgType): t is UnionType {
  return typeof t === 'object' && !Array.isArray(t) && typeof (t as UnionType).union === 'string' && 'variants' in t;
}

/**
 * Checks `v` against `type`.  `name` is the visitor's full name ("a.b[0]"),
 * used by most messages; an enum's "does not accept value" uses the member's
 * own name, and list elements have none, so QEMU says 'null' there.
 */
function checkValue(name: string, v: QJson, type: ArgType, bare: string | null): void {
  if (typeof type === 'string') {
    switch (type) {
      case 'any': return;
      case 'str': if (typeof v !== 'string') throw invalidType(name, 'string'); return;
      case 'bool': if (typeof v !== 'boolean') throw invalidType(name, 'boolean'); return;
      case 'number':
        if (typeof v !== 'number' && !(v instanceof QDouble) && !(v instanceof QBigInt)) throw invalidType(name, 'number');
        return;
      case 'int':
        // int64: a double (even 1.0) is refused, as qnum_get_try_int does.
        if (typeof v === 'number' || (v instanceof QBigInt && v.value < 2n ** 63n)) return;
        throw invalidType(name, 'integer');
      case 'uint':
        // uint64 also takes negative integers, "for backward compatibility" (qobject_input_type_uint64).
        if (typeof v === 'number' || v instanceof QBigInt) return;
        throw new QemuError(`Parameter '${name}' expects uint64`);
    }
  }
  if (Array.isArray(type)) {
    if (!Array.isArray(v)) throw invalidType(name, 'array');
    v.forEach((x, i) => checkValue(`${name}[${i}]`, x, type[0], null));
    return;
  }
  if ('enum' in type && Array.isArray(type.enum)) {
    const values = type.enum as readonly string[];
    if (typeof v !== 'string') throw invalidType(name, 'string');
    if (!values.includes(v)) throw new QemuError(`Parameter '${bare ?? 'null'}' does not accept value '${v}'`);
    return;
  }
  if (!isQDict(v)) throw invalidType(name, 'object');
  if (isUnion(type)) {
    // The discriminator first; then its variant's members, with the discriminator among them.
    const tagSpec: ArgSpec = { [type.union]: { enum: Object.keys(type.variants) } };
    checkStruct(v, tagSpec, name + '.', false);
    const tag = v[type.union] as string;
    checkStruct(v, { ...tagSpec, ...type.variants[tag]! }, name + '.');
    return;
  }
  checkStruct(v, type as ArgSpec, name + '.');
}

/** Members in schema order (missing first), then leftovers (visit_check_struct). */
function checkStruct(obj: { [k: string]: QJson }, spec: ArgSpec, prefix: string, checkLeftovers = true): void {
  for (const [key, type] of Object.entries(spec)) {
    const optional = key.startsWith('*');
    const name = optional ? key.slice(1) : key;
    if (!Object.prototype.hasOwnProperty.call(obj, name)) {
      if (optional) continue;
      throw new QemuError(`Parameter '${prefix}${name}' is missing`);
    }
    checkValue(prefix + name, obj[name]!, type, name);
  }
  if (!checkLeftovers) return;
  const known = new Set(Object.keys(spec).map((k) => (k.startsWith('*') ? k.slice(1) : k)));
  const unexpected = ghashIterOrder(qdictOrder(Object.keys(obj))).find((k) => !known.has(k));
  if (unexpected !== undefined) throw new QemuError(`Parameter '${prefix}${unexpected}' is unexpected`);
}

/** glib's g_str_hash() (djb2 over signed chars). */
function gStrHash(key: string): number {
  let h = 5381;
  for (const b of Buffer.from(key, 'utf8')) h = (Math.imul(h, 33) + (b >= 0x80 ? b - 0x100 : b)) >>> 0;
  return h;
}

/**
 * The order a GHashTable holding `keys` (inserted in that order) iterates in.
 * QEMU's input visitor keeps a struct's member names in one and reports the
 * first left over as unexpected.  Exact for up to 7 keys (the table's first
 * size: 8 slots, index (hash * 11) mod 7, quadratic probing); larger tables fall back to insertion order.
 */
function ghashIterOrder(keys: string[]): string[] {
  if (keys.length > 7) return keys;
  const slots: Array<string | undefined> = new Array(8);
  for (const k of keys) {
    let h = gStrHash(k);
    if (h < 2) h = 2;
    // g_hash_table_hash_to_index(): the hash times 11, modulo the table's prime.
    let i = (Math.imul(h, 11) >>> 0) % 7;
    for (let step = 0; slots[i] !== undefined; ) i = (i + ++step) & 7;
    slots[i] = k;
  }
  return slots.filter((k): k is string => k !== undefined);
}

export function qmpCheckArgs(args: QmpArgs, spec: ArgSpec): void {
  checkStruct(args, spec, '');
}

export type QmpResponse = { [k: string]: QJson };

export function qmpErrorResponse(e: unknown): QmpResponse {
  if (e instanceof QmpError) return { error: { class: e.errorClass, desc: e.message } };
  if (e instanceof QemuError) return { error: { class: 'GenericError', desc: e.message } };
  // A bug in a handler: still a well-formed reply.
  const msg = e instanceof Error ? e.message : String(e);
  return { error: { class: 'GenericError', desc: `internal error: ${msg}` } };
}

/**
 * qmp_dispatch_check_obj(): the request's own members.  Returns the command
 * name and whether it came as exec-oob.
 */
export function qmpDispatchCheckObj(req: { [k: string]: QJson }, allowOob: boolean): { name: string; oob: boolean } {
  let name: string | undefined;
  let oob = false;
  // QEMU walks the request QDict in its hash order: the first bad member it meets is reported.
  for (const k of qdictOrder(Object.keys(req))) {
    const v = req[k]!;
    if (k === 'execute' || (k === 'exec-oob' && allowOob)) {
      if (typeof v !== 'string') throw new QemuError(`QMP input member '${k}' must be a string`);
      if (name !== undefined) throw new QemuError("QMP input must not contain both 'execute' and 'exec-oob'");
      name = v;
      oob = k === 'exec-oob';
    } else if (k === 'arguments') {
      if (!isQDict(v)) {
        throw new QemuError("QMP input member 'arguments' must be an object");
      }
    } else if (k !== 'id') {
      throw new QemuError(`QMP input member '${k}' is unexpected`);
    }
  }
  if (name === undefined) throw new QemuError("QMP input lacks member 'execute'");
  return { name, oob };
}

/**
 * qmp_dispatch(): runs one request against `available` (the negotiation-mode
 * list or the full registry) and builds the response, echoing `id`.
 */
export async function qmpDispatch(
  request: QJson,
  lookup: (name: string) => QmpCommand | undefined,
  allowOob: boolean,
  ctx: QmpContext,
): Promise<QmpResponse> {
  if (!isQDict(request)) return qmpErrorResponse(new QemuError('QMP input must be a JSON object'));
  const id = request.id;
  let rsp: QmpResponse;
  try {
    const { name, oob } = qmpDispatchCheckObj(request, allowOob);
    const cmd = lookup(name);
    if (!cmd) throw new QmpError('CommandNotFound', `The command ${name} has not been found`);
    if (oob && !cmd.options.allowOob) throw new QemuError(`The command ${name} does not support OOB`);
    const args = (request.arguments ?? {}) as QmpArgs;
    qmpCheckArgs(args, cmd.args);
    const ret = await cmd.handler(qjsonUnbox(args) as QmpArgs, ctx);
    rsp = { return: ret === undefined ? {} : ret };
  } catch (e) {
    rsp = qmpErrorResponse(e);
  }
  if (id !== undefined) rsp.id = id;
  return rsp;
}
