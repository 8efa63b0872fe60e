/*
 * keyval: the option syntax of -machine, -smp, -boot, -display, -blockdev...
 * (util/keyval.c).
 *
 * "a=1,b.c=2,b.d=3" becomes { a: '1', b: { c: '2', d: '3' } }; keys whose
 * fragments are all numbers become lists ("x.0=a,x.1=b" is x: ['a', 'b']).
 * Values stay strings: the consumer (QOM, QAPI) converts them.  Unlike
 * QemuOpts there are no short-form booleans, and the implied first key's
 * value ends at the first ',' (",," is not an escape there).
 *
 * Dicts are created with a null prototype so that keys such as
 * "constructor" are plain keys.
 */
import { QemuError } from './error.js';
import { qemuStrtou64 } from './cutils.js';

export type KeyvalValue = string | KeyvalDict | KeyvalValue[];
export interface KeyvalDict {
  [key: string]: KeyvalValue;
}

export function keyvalDictNew(): KeyvalDict {
  return Object.create(null) as KeyvalDict;
}

function isDict(v: KeyvalValue | undefined): v is KeyvalDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const INT_MAX = 2147483647;

/*
 * key_to_index(): a fragment that starts with a digit is a list index.
 * Returns the index (INT_MAX on overflow) and its length, or undefined.
 */
function keyToIndex(key: string, p = 0): { index: number; len: number } | undefined {
  const c = key[p];
  if (c === undefined || c < '0' || c > '9') return undefined;
  const r = qemuStrtou64(key.slice(p), 10, true);
  if (r.err) return { index: INT_MAX, len: r.end };
  return { index: r.exact && r.value <= INT_MAX ? r.value : INT_MAX, len: r.end };
}

function isAlpha(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

function isAlnum(c: string | undefined): boolean {
  return isAlpha(c) || (c !== undefined && c >= '0' && c <= '9');
}

/*
 * parse_qapi_name(str, false): the length of the QAPI name at str[p]
 * (letter first, then letters, digits, '-', '_', with an optional
 * downstream "__RFQDN_" prefix), or -1.
 */
export function parseQapiName(str: string, p: number, complete = false): number {
  const start = p;
  if (str[p] === '_') {
    p++;
    if (str[p] !== '_') return -1;
    for (p++; p < str.length; p++) {
      const c = str[p];
      if (!isAlnum(c) && c !== '-' && c !== '.') break;
    }
    if (str[p] !== '_') return -1;
    p++;
  }
  if (!isAlpha(str[p])) return -1;
  for (p++; p < str.length; p++) {
    const c = str[p];
    if (!isAlnum(c) && c !== '-' && c !== '_') break;
  }
  if (complete && p < str.length) return -1;
  return p - start;
}

/*
 * keyval_parse_put(): stores a string value (or, with value undefined, makes
 * sure a sub-dict exists) under cur[keyInCur].  `shownKey` is the key up to
 * the fragment being stored, for the error message.
 */
function keyvalParsePut(cur: KeyvalDict, keyInCur: string, value: string | undefined, shownKey: string): KeyvalDict | undefined {
  const old = cur[keyInCur];
  if (old !== undefined) {
    if ((value !== undefined) !== (typeof old === 'string')) {
      throw new QemuError(`Parameters '${shownKey}.*' used inconsistently`);
    }
    if (value === undefined) return old as KeyvalDict;
  }
  if (value === undefined) {
    const d = keyvalDictNew();
    cur[keyInCur] = d;
    return d;
  }
  cur[keyInCur] = value;
  return undefined;
}

/* "help" or "?" as a whole item: starts_with_help_option(key) == len. */
function isHelpItem(params: string, p: number, len: number): boolean {
  if (params[p] === '?') return len === 1;
  return params.startsWith('help', p) && len === 4;
}

/* strcspn(params + p, "=,") */
function itemNameLength(params: string, p: number): number {
  let i = p;
  while (i < params.length && params[i] !== '=' && params[i] !== ',') i++;
  return i - p;
}

/* keyval_parse_one(): parses one item at params[p]; returns the index of the next. */
function keyvalParseOne(qdict: KeyvalDict, params: string, p: number, impliedKey: string | undefined,
                        help: { wanted: boolean }): number {
  let key = params;
  let keyStart = p;
  let len = itemNameLength(params, p);
  let valEnd = -1;
  let implied = false;
  if (len && params[p + len] !== '=') {
    if (isHelpItem(params, p, len)) {
      help.wanted = true;
      let s = p + len;
      if (params[s] === ',') s++;
      return s;
    }
    if (impliedKey !== undefined) {
      key = impliedKey;
      keyStart = 0;
      valEnd = p + len;
      len = impliedKey.length;
      implied = true;
    }
  }
  const keyEnd = keyStart + len;
  const shown = (end: number) => key.slice(keyStart, end);

  // Walk the key fragments: cur is the dict the current fragment applies to.
  let cur = qdict;
  let s = keyStart;
  let keyInCur = '';
  for (;;) {
    let flen: number;
    const idx = s !== keyStart ? keyToIndex(key, s) : undefined;
    if (idx) {
      flen = idx.len;
    } else {
      const r = parseQapiName(key, s);
      flen = r < 0 ? 0 : r;
    }
    if (flen > keyEnd - s) flen = keyEnd - s; // a name never runs past '=' or ','
    if (!flen || (s + flen < keyEnd && key[s + flen] !== '.')) {
      throw new QemuError(`Invalid parameter '${shown(keyEnd)}'`);
    }
    if (flen >= 128) {
      const frag = s !== keyStart || s + flen !== keyEnd ? ' fragment' : '';
      throw new QemuError(`Parameter${frag} '${key.slice(s, s + flen)}' is too long`);
    }
    if (s !== keyStart) {
      cur = keyvalParsePut(cur, keyInCur, undefined, shown(s - 1))!;
    }
    keyInCur = key.slice(s, s + flen);
    s += flen;
    if (key[s] !== '.' || s >= keyEnd) break;
    s++;
  }

  let value: string;
  let next: number;
  if (implied) {
    value = params.slice(p, valEnd);
    next = valEnd;
    if (params[next] === ',') next++;
  } else {
    if (params[s] !== '=') {
      throw new QemuError(`Expected '=' after parameter '${shown(s)}'`);
    }
    s++;
    value = '';
    for (;;) {
      if (s >= params.length) break;
      if (params[s] === ',') {
        s++;
        if (params[s] !== ',') break;
      }
      value += params[s++];
    }
    next = s;
  }
  keyvalParsePut(cur, keyInCur, value, shown(keyEnd));
  return next;
}

/*
 * keyval_listify(): turns every dict whose keys are all indexes into a list.
 * `path` is the key of `cur` as fragments.
 */
function keyvalListify(cur: KeyvalDict, path: string[]): KeyvalValue {
  let hasIndex = false;
  let hasMember = false;
  for (const k of Object.keys(cur)) {
    if (keyToIndex(k)) hasIndex = true;
    else hasMember = true;
    const v = cur[k]!;
    if (isDict(v)) cur[k] = keyvalListify(v, [...path, k]);
  }
  const prefix = path.map((f) => f + '.').join('');
  if (hasIndex && hasMember) {
    throw new QemuError(`Parameters '${prefix}*' used inconsistently`);
  }
  if (!hasIndex) return cur;

  const keys = Object.keys(cur);
  const nelt = keys.length + 1; // one extra, as a sentinel
  const elt: (KeyvalValue | undefined)[] = new Array(nelt);
  let maxIndex = -1;
  for (const k of keys) {
    const index = keyToIndex(k)!.index;
    if (index > maxIndex) maxIndex = index;
    if (index >= nelt - 1) continue;
    elt[index] = cur[k];
  }
  const list: KeyvalValue[] = [];
  for (let i = 0; i < Math.min(nelt, maxIndex + 1); i++) {
    const v = elt[i];
    if (v === undefined) throw new QemuError(`Parameter '${prefix}${i}' missing`);
    list.push(v);
  }
  return list;
}

/**
 * keyval_parse_into(): parses `params` into `qdict`.  With `wantHelp`
 * false, a "help" item is an error, as when QEMU passes p_help == NULL.
 * Returns whether help was requested.
 */
export function keyvalParseInto(qdict: KeyvalDict, params: string, impliedKey: string | undefined,
                                wantHelp = true): boolean {
  const help = { wanted: false };
  let implied = impliedKey;
  for (let p = 0; p < params.length;) {
    p = keyvalParseOne(qdict, params, p, implied, help);
    implied = undefined;
  }
  if (!wantHelp && help.wanted) throw new QemuError('Help is not available for this option');
  keyvalListify(qdict, []);
  return help.wanted;
}

/** keyval_parse(): a new dict from `params`, and whether help was asked. */
export function keyvalParse(params: string, impliedKey?: string, wantHelp = true): { dict: KeyvalDict; help: boolean } {
  const dict = keyvalDictNew();
  const help = keyvalParseInto(dict, params, impliedKey, wantHelp);
  return { dict, help };
}

/*
 * keyval_merge(): merges `merged` into `dest`: sub-dicts are merged, lists
 * appended, strings replaced (the last -M/-smp wins per key).
 */
export function keyvalMerge(dest: KeyvalDict, merged: KeyvalDict): void {
  doMerge(dest, merged, '');
}

function doMerge(dest: KeyvalDict, merged: KeyvalDict, prefix: string): void {
  for (const k of Object.keys(merged)) {
    const nv = merged[k]!;
    const old = dest[k];
    if (old !== undefined) {
      const kindOld = isDict(old) ? 'dict' : Array.isArray(old) ? 'list' : 'string';
      const kindNew = isDict(nv) ? 'dict' : Array.isArray(nv) ? 'list' : 'string';
      if (kindOld !== kindNew) {
        throw new QemuError(`Parameter '${prefix}${k}' used inconsistently`);
      }
      if (isDict(old)) {
        doMerge(old, nv as KeyvalDict, `${prefix}${k}.`);
        continue;
      }
      if (Array.isArray(old)) {
        old.push(...(nv as KeyvalValue[]));
        continue;
      }
    }
    dest[k] = nv;
  }
}

/**
 * keyval_dashify() (vl.c): renames top-level keys with '_' to use '-'
 * (legacy -machine spellings such as kernel_irqchip).
 */
export function keyvalDashify(qdict: KeyvalDict): void {
  for (const k of Object.keys(qdict)) {
    if (!k.includes('_')) continue;
    const nk = k.replace(/_/g, '-');
    if (nk in qdict) throw new QemuError(`Conflict between '${k}' and '${nk}'`);
    qdict[nk] = qdict[k]!;
    delete qdict[k];
  }
}
