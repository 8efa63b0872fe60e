/*
 * Input conversion for property values, as QEMU's visitors do it.  A value
 * comes either typed from JSON (QMP, JSON -device) or as a string from the
 * command line (-device/-global/-cpu/-machine keyval), where QEMU's string and
 * keyval visitors parse it.  The messages are the visitors' messages.
 */
import { QemuError } from '../util/error.js';

export function visitBool(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    switch (v) {
      case 'on': case 'yes': case 'true': case 'y': return true;
      case 'off': case 'no': case 'false': case 'n': return false;
    }
    throw new QemuError(`Parameter '${name}' expects 'on' or 'off'`);
  }
  throw new QemuError(`Invalid parameter type for '${name}', expected: boolean`);
}

export function visitStr(name: string, v: unknown): string {
  if (typeof v === 'string') return v;
  throw new QemuError(`Invalid parameter type for '${name}', expected: string`);
}

/** Parses a C-style integer (base 0: decimal, 0x hex, leading-0 octal), as qemu_strtou64 does. */
function parseCInteger(s: string): number | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body[0] === '0') n = parseInt(body.slice(1), 8);
  else n = parseInt(body, 10);
  return m[1] === '-' ? -n : n;
}

/**
 * Command-line text reaches a property through one of two QEMU visitors: the
 * keyval visitor (-device, -machine), whose bad-syntax message is "expects
 * integer", or the string input visitor (-global, -cpu features, -accel), whose
 * message names the 64-bit type ("expects uint64", "expects int64").  The
 * caller that picks the visitor in QEMU runs its property sets under this.
 */
let stringInputVisitor = false;

export function withStringInputVisitor<T>(fn: () => T): T {
  const old = stringInputVisitor;
  stringInputVisitor = true;
  try {
    return fn();
  } finally {
    stringInputVisitor = old;
  }
}

/**
 * visit_type_uintN: the value is read as 64 bits, then checked against the C
 * type's range ("expects uint32_t").  Negative text wraps as in qemu_strtou64,
 * so it is out of range too.  A JSON value that is not a number gets the
 * qobject input visitor's "expects uint64".  Text beyond 64 bits is a syntax
 * error (ERANGE).  A 64-bit value above 2^53, or a negative one wrapped as QEMU
 * wraps it, is held inexactly in a number.
 */
export function visitUint(name: string, v: unknown, bits: 8 | 16 | 32 | 64): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    n = parseCInteger(v);
    if (n === undefined || Math.abs(n) >= 2 ** 64) {
      throw new QemuError(`Parameter '${name}' expects ${stringInputVisitor ? 'uint64' : 'integer'}`);
    }
  }
  if (n === undefined || !Number.isInteger(n) || n >= 2 ** 64 || n < -(2 ** 63)) {
    throw new QemuError(`Parameter '${name}' expects uint64`);
  }
  if (bits === 64) {
    if (n < 0) n += 2 ** 64;
  } else if (n < 0 || n > 2 ** bits - 1) {
    throw new QemuError(`Parameter '${name}' expects uint${bits}_t`);
  }
  return n;
}

/** visit_type_intN, with the same 64-bit read and C-type range check ("expects int32_t"). */
export function visitInt(name: string, v: unknown, bits: 8 | 16 | 32 | 64): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = parseCInteger(v);
  else throw new QemuError(`Invalid parameter type for '${name}', expected: integer`);
  if (n === undefined || !Number.isInteger(n) || n >= 2 ** 63 || n < -(2 ** 63)) {
    throw new QemuError(`Parameter '${name}' expects ${stringInputVisitor ? 'int64' : 'integer'}`);
  }
  if (bits < 64 && (n < -(2 ** (bits - 1)) || n > 2 ** (bits - 1) - 1)) {
    throw new QemuError(`Parameter '${name}' expects int${bits}_t`);
  }
  return n;
}

export function visitEnum<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  const s = visitStr(name, v);
  if ((values as readonly string[]).includes(s)) return s as T;
  throw new QemuError(`Parameter '${name}' does not accept value '${s}'`);
}

export const ON_OFF_AUTO = ['on', 'off', 'auto'] as const;
export type OnOffAuto = (typeof ON_OFF_AUTO)[number];
