/*
 * QemuOpts: QEMU's "key=value,key=value" option groups (util/qemu-option.c).
 *
 * A QemuOptsList describes one group (-rtc, -chardev, ...): its keys and
 * their types, the implied name of the first key, whether repeated options
 * merge into one QemuOpts.  Each parsed option string becomes a QemuOpts,
 * an ordered list of (name, string) pairs; lookups search from the end, so
 * the last value of a repeated key wins.
 *
 * Errors are thrown as QemuError with QEMU 7.2's wording; the location prefix
 * ("-rtc base=utc: ") comes from error.ts's current location, which the
 * caller sets (withLoc) while it handles one command-line option.
 */
import { QemuError, errorPrintf, locGet, withLoc, warnReport, type Writer } from './error.js';
import { idWellformed, isHelpOption, parseQapiBool, qemuStrtosz, qemuStrtou64, EINVAL, ERANGE } from './cutils.js';

export enum QemuOptType {
  STRING = 'str',
  BOOL = 'bool (on/off)',
  NUMBER = 'num',
  SIZE = 'size',
}

export interface QemuOptDesc {
  readonly name: string;
  readonly type: QemuOptType;
  readonly help?: string;
  readonly defValueStr?: string;
}

export interface QemuOptsList {
  readonly name: string;
  readonly impliedOptName?: string;
  readonly mergeLists?: boolean;
  /** Empty means "accept any key"; the keys are checked by a later layer. */
  readonly desc: readonly QemuOptDesc[];
  /** Every QemuOpts of this list, in creation order. */
  readonly head: QemuOpts[];
}

export interface QemuOpt {
  readonly name: string;
  readonly str: string;
  readonly desc: QemuOptDesc | undefined;
  /** Parsed value: boolean for BOOL, number for NUMBER/SIZE (see cutils.ts on 2^53). */
  readonly value: boolean | number | undefined;
}

export interface QemuOpts {
  readonly id: string | undefined;
  readonly list: QemuOptsList;
  /** The location (e.g. "-chardev null,id=c0") at creation: qemuOptsForeach restores it. */
  readonly loc: string | undefined;
  /** The options in the order they were given. */
  readonly head: QemuOpt[];
}

/* ---- output helpers (printf / error_printf) ---- */

let stdoutWriter: Writer = (t) => process.stdout.write(t);

/** Lets tests capture what QEMU prints on stdout (help texts). */
export function setStdoutWriter(w: Writer): Writer {
  const old = stdoutWriter;
  stdoutWriter = w;
  return old;
}

/** QEMU's printf() to stdout. */
export function qemuPrintf(text: string): void {
  stdoutWriter(text);
}

/** QemuOptsList with an empty head, from its static description. */
export function qemuOptsListNew(def: Omit<QemuOptsList, 'head'>): QemuOptsList {
  return { ...def, head: [] };
}

/* ---- parsing of the "a=b,c=d" string ---- */

/* get_opt_value(): up to the next single ',', with ",," meaning ','. */
function getOptValue(params: string, p: number): { value: string; next: number } {
  let value = '';
  for (;;) {
    const i = params.indexOf(',', p);
    if (i < 0) {
      value += params.slice(p);
      return { value, next: params.length };
    }
    value += params.slice(p, i);
    if (params[i + 1] !== ',') return { value, next: i };
    value += ',';
    p = i + 2;
  }
}

interface NameValue {
  name: string;
  value: string;
  isHelp: boolean;
  next: number;
}

/* strcspn(params + p, "=,") */
function nameLength(params: string, p: number): number {
  let i = p;
  while (i < params.length && params[i] !== '=' && params[i] !== ',') i++;
  return i - p;
}

/*
 * get_opt_name_value(): one item at params[p].  Without '=', the item is the
 * value of the implied first key when there is one, else a short-form
 * boolean ("foo" = foo=on, "nofoo" = foo=off), deprecated since 6.0.
 */
function getOptNameValue(params: string, p: number, firstname: string | undefined,
                         warnOnFlag: boolean): NameValue {
  const len = nameLength(params, p);
  let name: string;
  let value: string;
  let next: number;
  let isHelp = false;
  if (params[p + len] !== '=') {
    if (firstname !== undefined) {
      name = firstname;
      ({ value, next } = getOptValue(params, p));
    } else {
      name = params.slice(p, p + len);
      next = p + len;
      let prefix = '';
      if (name.startsWith('no')) {
        name = name.slice(2);
        value = 'off';
        prefix = 'no';
      } else {
        value = 'on';
        isHelp = isHelpOption(name);
      }
      if (!isHelp && warnOnFlag) {
        warnReport(`short-form boolean option '${prefix}${name}' deprecated`);
        if (name === 'delay') {
          errorPrintf(`Please use nodelay=${prefix ? 'on' : 'off'} instead\n`);
        } else {
          errorPrintf(`Please use ${name}=${value} instead\n`);
        }
      }
    }
  } else {
    name = params.slice(p, p + len);
    ({ value, next } = getOptValue(params, p + len + 1));
  }
  if (next < params.length) next++; // skip the ','
  return { name, value, isHelp, next };
}

/* ---- values ---- */

function parseOptValue(name: string, str: string, desc: QemuOptDesc | undefined): boolean | number | undefined {
  if (!desc) return undefined;
  switch (desc.type) {
    case QemuOptType.STRING:
      return undefined;
    case QemuOptType.BOOL: {
      const b = parseQapiBool(str);
      if (b === undefined) throw new QemuError(`Parameter '${name}' expects 'on' or 'off'`);
      return b;
    }
    case QemuOptType.NUMBER: {
      const r = qemuStrtou64(str, 0);
      if (r.err === -ERANGE) throw new QemuError(`Value '${str}' is too large for parameter '${name}'`);
      if (r.err) throw new QemuError(`Parameter '${name}' expects a number`);
      return r.value;
    }
    case QemuOptType.SIZE: {
      const r = qemuStrtosz(str);
      if (r.err === -ERANGE) throw new QemuError(`Value '${str}' is out of range for parameter '${name}'`);
      if (r.err === -EINVAL) {
        throw new QemuError(`Parameter '${name}' expects a non-negative number below 2^64`,
          'Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n' +
          'and exabytes, respectively.\n');
      }
      return r.value;
    }
  }
}

function optsAcceptsAny(list: QemuOptsList): boolean {
  return list.desc.length === 0;
}

function findDescByName(desc: readonly QemuOptDesc[], name: string): QemuOptDesc | undefined {
  return desc.find((d) => d.name === name);
}

/* opt_create() + opt_validate(): adds the option, or throws without adding it. */
function optSet(opts: QemuOpts, name: string, value: string, prepend: boolean): void {
  const desc = findDescByName(opts.list.desc, name);
  if (!desc && !optsAcceptsAny(opts.list)) throw new QemuError(`Invalid parameter '${name}'`);
  const opt: QemuOpt = { name, str: value, desc, value: parseOptValue(name, value, desc) };
  if (prepend) opts.head.unshift(opt);
  else opts.head.push(opt);
}

/* ---- QemuOpts objects ---- */

export function qemuOptsFind(list: QemuOptsList, id: string | undefined): QemuOpts | undefined {
  return list.head.find((o) => o.id === id);
}

/**
 * qemu_opts_create(): for a merge_lists list, returns the one QemuOpts
 * (creating it); otherwise a new one, checking that `id` is well formed and
 * unused.
 */
export function qemuOptsCreate(list: QemuOptsList, id: string | undefined, failIfExists = true): QemuOpts {
  if (list.mergeLists) {
    if (id !== undefined) throw new QemuError("Invalid parameter 'id'");
    const existing = qemuOptsFind(list, undefined);
    if (existing) return existing;
  } else if (id !== undefined) {
    if (!idWellformed(id)) {
      throw new QemuError("Parameter 'id' expects an identifier",
        "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n");
    }
    const existing = qemuOptsFind(list, id);
    if (existing) {
      if (failIfExists) throw new QemuError(`Duplicate ID '${id}' for ${list.name}`);
      return existing;
    }
  }
  const opts: QemuOpts = { id, list, loc: locGet(), head: [] };
  list.head.push(opts);
  return opts;
}

export function qemuOptsDel(opts: QemuOpts): void {
  const i = opts.list.head.indexOf(opts);
  if (i >= 0) opts.list.head.splice(i, 1);
}

export function qemuOptsId(opts: QemuOpts): string | undefined {
  return opts.id;
}

/** qemu_find_opts_singleton(): the id-less QemuOpts of a list, created if needed. */
export function qemuFindOptsSingleton(list: QemuOptsList): QemuOpts {
  return qemuOptsFind(list, undefined) ?? qemuOptsCreate(list, undefined, false);
}

/* opts_parse_id(): the value of the first "id=" item. */
function optsParseId(params: string): string | undefined {
  for (let p = 0; p < params.length;) {
    const nv = getOptNameValue(params, p, undefined, false);
    if (nv.name === 'id') return nv.value;
    p = nv.next;
  }
  return undefined;
}

/** has_help_option(): does an item "help" or "?" appear as a flag? */
export function hasHelpOption(params: string): boolean {
  for (let p = 0; p < params.length;) {
    const nv = getOptNameValue(params, p, undefined, false);
    if (nv.isHelp) return true;
    p = nv.next;
  }
  return false;
}

/* opts_do_parse(): returns false when help was requested (helpWanted). */
function optsDoParse(opts: QemuOpts, params: string, firstname: string | undefined, prepend: boolean,
                     warnOnFlag: boolean, helpWanted: boolean): boolean {
  for (let p = 0; p < params.length;) {
    const nv = getOptNameValue(params, p, firstname, warnOnFlag);
    p = nv.next;
    if (helpWanted && nv.isHelp) return false;
    firstname = undefined;
    if (nv.name === 'id') continue;
    optSet(opts, nv.name, nv.value, prepend);
  }
  return true;
}

/* opts_parse(): undefined only when help was wanted. */
function optsParse(list: QemuOptsList, params: string, permitAbbrev: boolean, warnOnFlag: boolean,
                   helpWanted: boolean): QemuOpts | undefined {
  const id = optsParseId(params);
  const firstname = permitAbbrev ? list.impliedOptName : undefined;
  const opts = qemuOptsCreate(list, id, !list.mergeLists);
  let ok: boolean;
  try {
    ok = optsDoParse(opts, params, firstname, false, warnOnFlag, helpWanted);
  } catch (e) {
    qemuOptsDel(opts);
    throw e;
  }
  if (!ok) {
    qemuOptsDel(opts);
    return undefined;
  }
  return opts;
}

/**
 * qemu_opts_parse_noisily(): parses `params` into a new (or, for merge_lists,
 * the merged) QemuOpts.  Short-form booleans warn.  When the list has a desc
 * and help is asked ("help" or "?" as an item), prints the list's help on
 * stdout and returns undefined; vl.c then exits 1.
 *
 * Errors throw QemuError (QEMU reports them here and returns NULL; every
 * caller in vl.c then exits 1, except -accel, which goes on to list the
 * accelerators: such a caller catches the error and prints it).
 */
export function qemuOptsParseNoisily(list: QemuOptsList, params: string, permitAbbrev: boolean): QemuOpts | undefined {
  const opts = optsParse(list, params, permitAbbrev, true, !optsAcceptsAny(list));
  if (!opts) qemuOptsPrintHelp(list, true);
  return opts;
}

/** qemu_opts_parse(): as above but silent on short-form booleans and with no help. */
export function qemuOptsParse(list: QemuOptsList, params: string, permitAbbrev: boolean): QemuOpts {
  return optsParse(list, params, permitAbbrev, false, false)!;
}

/** qemu_opts_do_parse(): adds the items of `params` to existing opts. */
export function qemuOptsDoParse(opts: QemuOpts, params: string, firstname?: string): void {
  optsDoParse(opts, params, firstname, false, false, false);
}

/** qemu_opts_set_defaults(): prepends the items, so options given later win. Merge lists only. */
export function qemuOptsSetDefaults(list: QemuOptsList, params: string, permitAbbrev: boolean): void {
  const opts = qemuOptsCreate(list, optsParseId(params), false);
  optsDoParse(opts, params, permitAbbrev ? list.impliedOptName : undefined, true, false, false);
}

/* ---- getters and setters ---- */

function qemuOptFind(opts: QemuOpts, name: string): QemuOpt | undefined {
  for (let i = opts.head.length - 1; i >= 0; i--) {
    if (opts.head[i]!.name === name) return opts.head[i];
  }
  return undefined;
}

/* find_default_by_name(): a key's default string from the list's desc. */
function findDefaultByName(opts: QemuOpts, name: string): string | undefined {
  return findDescByName(opts.list.desc, name)?.defValueStr;
}

/** qemu_opt_get(): the last value of the key, else its desc default. */
export function qemuOptGet(opts: QemuOpts, name: string): string | undefined {
  return qemuOptFind(opts, name)?.str ?? findDefaultByName(opts, name);
}

/** qemu_opt_get_del(): the last value, removing every occurrence of the key. */
export function qemuOptGetDel(opts: QemuOpts, name: string): string | undefined {
  const v = qemuOptGet(opts, name);
  for (let i = opts.head.length - 1; i >= 0; i--) {
    if (opts.head[i]!.name === name) opts.head.splice(i, 1);
  }
  return v;
}

/* The last occurrence, else a pseudo-option from the desc default. */
function typedGet(opts: QemuOpts, name: string): QemuOpt | undefined {
  const opt = qemuOptFind(opts, name);
  if (opt) return opt;
  const def = findDefaultByName(opts, name);
  return def === undefined ? undefined : { name, str: def, desc: undefined, value: undefined };
}

/**
 * Typed getters.  For a key in the list's desc the value parsed at
 * validation is returned; for an "accept any" list, the string is parsed
 * now (a QemuError if it is bad).  Numbers and sizes above 2^53 come back
 * rounded; the exact value is qemuStrtou64/qemuStrtosz(opt.str).text.
 */
export function qemuOptGetBool(opts: QemuOpts, name: string, defval: boolean): boolean {
  const opt = typedGet(opts, name);
  if (!opt) return defval;
  if (typeof opt.value === 'boolean') return opt.value;
  return parseOptValue(name, opt.str, { name, type: QemuOptType.BOOL }) as boolean;
}

export function qemuOptGetNumber(opts: QemuOpts, name: string, defval: number): number {
  const opt = typedGet(opts, name);
  if (!opt) return defval;
  if (typeof opt.value === 'number') return opt.value;
  return parseOptValue(name, opt.str, { name, type: QemuOptType.NUMBER }) as number;
}

export function qemuOptGetSize(opts: QemuOpts, name: string, defval: number): number {
  const opt = typedGet(opts, name);
  if (!opt) return defval;
  if (typeof opt.value === 'number') return opt.value;
  return parseOptValue(name, opt.str, { name, type: QemuOptType.SIZE }) as number;
}

/** qemu_opt_set(): validates as parsing does; throws on a bad key or value. */
export function qemuOptSet(opts: QemuOpts, name: string, value: string): void {
  optSet(opts, name, value, false);
}

export function qemuOptSetBool(opts: QemuOpts, name: string, value: boolean): void {
  optSet(opts, name, value ? 'on' : 'off', false);
}

export function qemuOptSetNumber(opts: QemuOpts, name: string, value: number): void {
  optSet(opts, name, String(value), false);
}

/** qemu_opt_unset(): removes the last occurrence; false if absent. */
export function qemuOptUnset(opts: QemuOpts, name: string): boolean {
  for (let i = opts.head.length - 1; i >= 0; i--) {
    if (opts.head[i]!.name === name) {
      opts.head.splice(i, 1);
      return true;
    }
  }
  return false;
}

/** qemu_opt_foreach(): every option in order; a non-zero return stops and is returned. */
export function qemuOptForeach(opts: QemuOpts, fn: (name: string, value: string) => number | void): number {
  for (const opt of opts.head) {
    const r = fn(opt.name, opt.str);
    if (r) return r;
  }
  return 0;
}

/**
 * qemu_opts_foreach(): every QemuOpts of the list in order, with the
 * location restored to where each was given (so errors read "-chardev ...: ").
 * A non-zero return stops the walk and is returned.
 */
export function qemuOptsForeach(list: QemuOptsList, fn: (opts: QemuOpts) => number | void): number {
  for (const opts of [...list.head]) {
    const r = opts.loc !== undefined ? withLoc(opts.loc, () => fn(opts)) : fn(opts);
    if (r) return r;
  }
  return 0;
}

/**
 * qemu_opts_to_qdict(): the options as a plain dict of strings ("id" first
 * when set), later values overriding earlier ones, for QOM / the block layer.
 */
export function qemuOptsToQdict(opts: QemuOpts): Record<string, string> {
  const dict: Record<string, string> = {};
  if (opts.id !== undefined) dict.id = opts.id;
  for (const opt of opts.head) dict[opt.name] = opt.str;
  return dict;
}

/**
 * qemu_opts_validate(): checks every option of an "accept any" QemuOpts
 * against `desc`, as the net and block layers do once they know the type.
 */
export function qemuOptsValidate(opts: QemuOpts, desc: readonly QemuOptDesc[]): void {
  for (let i = 0; i < opts.head.length; i++) {
    const opt = opts.head[i]!;
    const d = findDescByName(desc, opt.name);
    if (!d) throw new QemuError(`Invalid parameter '${opt.name}'`);
    opts.head[i] = { ...opt, desc: d, value: parseOptValue(opt.name, opt.str, d) };
  }
}

/* ---- help ---- */

/** The text of qemu_opts_print_help(): one "  key=<type>" line per key, sorted. */
export function qemuOptsHelpText(list: Pick<QemuOptsList, 'name' | 'desc'>, printCaption: boolean): string {
  const lines = list.desc.map((d) => {
    let s = `  ${d.name}=<${d.type}>`;
    if (d.help !== undefined) {
      if (s.length < 24) s += ' '.repeat(24 - s.length);
      s += ` - ${d.help}`;
    }
    return s;
  });
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  if (printCaption && lines.length > 0) {
    out += list.name ? `${list.name} options:\n` : 'Options:\n';
  } else if (lines.length === 0) {
    out += list.name ? `There are no options for ${list.name}.\n` : 'No options.\n';
  }
  for (const l of lines) out += l + '\n';
  return out;
}

/** qemu_opts_print_help(): prints the help on stdout. */
export function qemuOptsPrintHelp(list: Pick<QemuOptsList, 'name' | 'desc'>, printCaption: boolean): void {
  qemuPrintf(qemuOptsHelpText(list, printCaption));
}
