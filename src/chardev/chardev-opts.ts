/*
 * The "chardev" option group (qemu_chardev_opts in chardev/char.c): which keys
 * -chardev accepts and their QemuOpts types, and typed getters with QemuOpts'
 * messages.  Options arrive as a plain key -> string dict from the QemuOpts
 * parser (or from qemuChrParseCompat); the checks here are the ones QemuOpts
 * makes against this table, so a dict built by hand is checked the same way.
 */
import { QemuError } from '../util/error.js';

export type ChardevOpts = Record<string, string>;

type OptType = 'string' | 'bool' | 'number' | 'size';

/** qemu_chardev_opts.desc in QEMU 7.2 (Linux build). */
const CHARDEV_OPT_DESC: Record<string, OptType> = {
  backend: 'string', path: 'string', host: 'string', port: 'string', fd: 'string',
  localaddr: 'string', localport: 'string', to: 'number', ipv4: 'bool', ipv6: 'bool',
  wait: 'bool', server: 'bool', delay: 'bool', nodelay: 'bool', reconnect: 'number',
  telnet: 'bool', tn3270: 'bool', 'tls-creds': 'string', 'tls-authz': 'string',
  websocket: 'bool', width: 'number', height: 'number', cols: 'number', rows: 'number',
  mux: 'bool', signal: 'bool', name: 'string', debug: 'number', size: 'size',
  chardev: 'string', append: 'bool', logfile: 'string', logappend: 'bool', mouse: 'bool',
  clipboard: 'bool', tight: 'bool', abstract: 'bool',
};

/** QemuOpts' checks: unknown keys, and values of bool/number keys. `id` is separate, as in QemuOpts. */
export function chardevOptsValidate(opts: ChardevOpts): void {
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'id') continue;
    const t = CHARDEV_OPT_DESC[k];
    if (!t) throw new QemuError(`Invalid parameter '${k}'`);
    if (t === 'bool') parseBool(k, v);
    else if (t === 'number') parseNumber(k, v);
  }
}

function parseBool(name: string, v: string): boolean {
  switch (v) {
    case 'on': case 'yes': case 'true': case 'y': return true;
    case 'off': case 'no': case 'false': case 'n': return false;
  }
  throw new QemuError(`Parameter '${name}' expects 'on' or 'off'`);
}

/** qemu_strtou64(base 0): decimal, 0x hex, leading-0 octal. */
function parseNumber(name: string, v: string): number {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) throw new QemuError(`Parameter '${name}' expects a number`);
  if (/^0[xX]/.test(v)) return parseInt(v.slice(2), 16);
  if (v.length > 1 && v[0] === '0') return parseInt(v.slice(1), 8);
  return parseInt(v, 10);
}

export function optBool(opts: ChardevOpts, name: string, def: boolean): boolean {
  const v = opts[name];
  return v === undefined ? def : parseBool(name, v);
}

export function optNumber(opts: ChardevOpts, name: string, def: number): number {
  const v = opts[name];
  return v === undefined ? def : parseNumber(name, v);
}

/** A chardev id must be a QemuOpts identifier (id_wellformed). */
export function chardevIdCheck(id: string): void {
  if (!/^[A-Za-z][A-Za-z0-9\-._]*$/.test(id)) {
    throw new QemuError("Parameter 'id' expects an identifier",
      "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
  }
}

/**
 * qemu_opts_do_parse() for the tail of a legacy chardev string
 * ("/path,server=on,wait=off"): `key=value` items split at single commas, with
 * ",," as an escaped comma, `implied` naming the first item when it has no "=",
 * and short-form booleans (`server`, `nowait`), which this path of QEMU 7.2
 * accepts without the deprecation warning.
 */
export function parseOptsTail(s: string, into: ChardevOpts, implied?: string): void {
  let i = 0;
  let first = true;
  while (i < s.length) {
    const eq = s.slice(i).search(/[=,]/);
    const nameEnd = eq < 0 ? s.length : i + eq;
    if (eq < 0 || s[nameEnd] === ',') {
      // No "=": the implied key for the first item, else a short-form boolean.
      if (first && implied) {
        const [value, next] = readValue(s, i);
        into[implied] = value;
        i = next;
      } else {
        const word = s.slice(i, nameEnd);
        let key = word;
        let value = 'on';
        if (word.startsWith('no') && !CHARDEV_OPT_DESC[word]) {
          key = word.slice(2);
          value = 'off';
        }
        into[key] = value;
        i = nameEnd + 1;
      }
    } else {
      const key = s.slice(i, nameEnd);
      const [value, next] = readValue(s, nameEnd + 1);
      into[key] = value;
      i = next;
    }
    first = false;
  }
}

/** get_opt_value(): up to the next single comma; ",," is a literal comma. Returns [value, index after the comma]. */
function readValue(s: string, i: number): [string, number] {
  let out = '';
  while (i < s.length) {
    if (s[i] === ',') {
      if (s[i + 1] === ',') {
        out += ',';
        i += 2;
        continue;
      }
      return [out, i + 1];
    }
    out += s[i++];
  }
  return [out, i];
}
