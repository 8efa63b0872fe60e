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
 * Unsigned integer of `bits` width.  Values above 2^53 are refused: no guest-visible
 * property of ours needs them, and a number cannot hold them exactly.
 */
export function visitUint(name: string, v: unknown, bits: 8 | 16 | 32 | 64): number {
  const typeName = bits === 64 ? 'uint64' : `uint${bits}`;
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = parseCInteger(v);
  else throw new QemuError(`Invalid parameter type for '${name}', expected: integer`);
  if (n === undefined || !Number.isInteger(n)) {
    throw new QemuError(`Parameter '${name}' expects ${bits === 64 ? 'uint64' : 'integer'}`);
  }
  const max = bits === 64 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  if (n < 0 || n > max) {
    throw new QemuError(`Parameter '${name}' expects ${typeName}`);
  }
  return n;
}

export function visitInt(name: string, v: unknown, bits: 8 | 16 | 32 | 64): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = parseCInteger(v);
  else throw new QemuError(`Invalid parameter type for '${name}', expected: integer`);
  if (n === undefined || !Number.isInteger(n)) throw new QemuError(`Parameter '${name}' expects integer`);
  const lim = bits === 64 ? Number.MAX_SAFE_INTEGER : 2 ** (bits - 1);
  if (n < -lim || n > lim - (bits === 64 ? 0 : 1)) throw new QemuError(`Parameter '${name}' expects int${bits}`);
  return n;
}

export function visitEnum<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  const s = visitStr(name, v);
  if ((values as readonly string[]).includes(s)) return s as T;
  throw new QemuError(`Parameter '${name}' does not accept value '${s}'`);
}

export const ON_OFF_AUTO = ['on', 'off', 'auto'] as const;
export type OnOffAuto = (typeof ON_OFF_AUTO)[number];
