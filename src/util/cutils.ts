/*
 * Number parsing with QEMU's rules (util/cutils.c): qemu_strtou64(),
 * qemu_strtoi(), qemu_strtosz() and friends.
 *
 * These mirror C's strtoull()/strtoll() as glibc implements them (leading
 * white space, an optional sign, base 0 = "0x" hex / "0" octal / decimal),
 * and return QEMU's error codes (0, -EINVAL, -ERANGE) instead of throwing,
 * so that each caller can word its own message as QEMU does.
 *
 * 64-bit results: a parsed value may exceed 2^53, where a JS number is no
 * longer exact.  Every result therefore carries `value` (a number, exact
 * whenever `exact` is true, i.e. value <= 2^53) and `text` (the exact decimal
 * value as a string, always exact).  Callers that need the full range (rare:
 * sizes near 2^64 are rejected later by every consumer) read `text`.
 * BigInt is used inside these functions only: this is start-up code, not a
 * hot path.
 */
import { warnReport } from './error.js';

export const EINVAL = 22;
export const ERANGE = 34;

/** 0, -EINVAL or -ERANGE. */
export type StrtoErr = number;

export interface StrtoResult {
  err: StrtoErr;
  /** The value as a JS number; exact when `exact` is true. */
  value: number;
  /** True when `value` is the exact integer (|value| <= 2^53). */
  exact: boolean;
  /** The exact value in decimal. */
  text: string;
  /** Index in the input just after the parsed text (C's *endptr). */
  end: number;
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const SAFE = 1n << 53n;

function result(err: StrtoErr, v: bigint, end: number): StrtoResult {
  const abs = v < 0n ? -v : v;
  return { err, value: Number(v), exact: abs <= SAFE, text: v.toString(), end };
}

/** C isspace() in the "C" locale. */
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 122) return x - 87;
  if (x >= 65 && x <= 90) return x - 55;
  return 99;
}

interface RawStrto {
  /** Magnitude as parsed (not clamped), sign separately. */
  mag: bigint;
  neg: boolean;
  /** Index after the last digit; 0 when nothing was converted. */
  end: number;
  converted: boolean;
}

/* The common scanner of glibc's strtol family. */
function scanInteger(s: string, base: number): RawStrto {
  let i = 0;
  while (isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  if ((base === 0 || base === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') &&
      digitValue(s[i + 2]) < 16) {
    i += 2;
    base = 16;
  } else if (base === 0) {
    base = s[i] === '0' ? 8 : 10;
  }
  const start = i;
  let mag = 0n;
  const b = BigInt(base);
  while (digitValue(s[i]) < base) {
    mag = mag * b + BigInt(digitValue(s[i]));
    i++;
  }
  if (i === start) return { mag: 0n, neg: false, end: 0, converted: false };
  return { mag, neg, end: i, converted: true };
}

/*
 * check_strtox_error(): "no conversion" is -EINVAL; when the caller does not
 * take the end index (allowTrailing false), trailing characters are -EINVAL.
 */
function checkStrtox(s: string, r: RawStrto, rangeErr: boolean, allowTrailing: boolean): StrtoErr {
  if (!r.converted) return -EINVAL;
  if (!allowTrailing && r.end < s.length) return -EINVAL;
  return rangeErr ? -ERANGE : 0;
}

/**
 * qemu_strtou64(): strtoull() semantics, so "-1" is 2^64-1 as in C.
 * allowTrailing=false is QEMU's endptr == NULL (the whole string must parse).
 */
export function qemuStrtou64(s: string, base = 0, allowTrailing = false): StrtoResult {
  const r = scanInteger(s, base);
  let v = r.mag;
  let range = false;
  if (v > U64_MAX) {
    v = U64_MAX;
    range = true;
  } else if (r.neg) {
    v = (U64_MAX + 1n - v) & U64_MAX;
  }
  return result(checkStrtox(s, r, range, allowTrailing), v, r.end);
}

/** qemu_strtoi64(): strtoll() semantics, clamped with -ERANGE. */
export function qemuStrtoi64(s: string, base = 0, allowTrailing = false): StrtoResult {
  const r = scanInteger(s, base);
  let v = r.neg ? -r.mag : r.mag;
  let range = false;
  if (v > I64_MAX) { v = I64_MAX; range = true; }
  if (v < I64_MIN) { v = I64_MIN; range = true; }
  return result(checkStrtox(s, r, range, allowTrailing), v, r.end);
}

/** qemu_strtoi(): like qemu_strtoi64 but for a C int. */
export function qemuStrtoi(s: string, base = 0, allowTrailing = false): StrtoResult {
  const r = scanInteger(s, base);
  let v = r.neg ? -r.mag : r.mag;
  let range = false;
  if (v > I64_MAX || v < I64_MIN) range = true;
  if (v > INT_MAX) { v = INT_MAX; range = true; }
  if (v < INT_MIN) { v = INT_MIN; range = true; }
  return result(checkStrtox(s, r, range, allowTrailing), v, r.end);
}

/* suffix_mul(): B K M G T P E, case-insensitive; -1 when not a suffix. */
function suffixMul(c: string | undefined, unit: bigint): bigint {
  switch (c?.toUpperCase()) {
    case 'B': return 1n;
    case 'K': return unit;
    case 'M': return unit ** 2n;
    case 'G': return unit ** 3n;
    case 'T': return unit ** 4n;
    case 'P': return unit ** 5n;
    case 'E': return unit ** 6n;
  }
  return -1n;
}

/*
 * strtod() applied at a '.', as do_strtosz() does for the fraction: returns
 * the fraction and the index after it, or undefined for "no conversion" or
 * a range error (denormal/underflow), which QEMU treats alike.
 */
function scanFraction(s: string, i: number): { f: number; end: number; exp: boolean } | undefined {
  const m = /^\.(\d+)([eE][+-]?\d+)?/.exec(s.slice(i));
  if (!m) return undefined;
  const f = Number(m[0]);
  if (!Number.isFinite(f) || (f !== 0 && f < 2.2250738585072014e-308)) return undefined;
  return { f, end: i + m[0].length, exp: m[2] !== undefined };
}

const TWO64 = 18446744073709551616; // 2^64 as a double

/*
 * do_strtosz() as in QEMU 7.2: decimal integer part, optional fraction
 * (64-bit fixed point, rounded half up), hex allowed (no fraction), optional
 * suffix.  A suffix on a hex number is accepted with a deprecation warning.
 */
function doStrtosz(s: string, defaultSuffix: string, unit: bigint, allowTrailing: boolean): StrtoResult {
  const fail = (err: StrtoErr, end: number): StrtoResult => {
    if (!allowTrailing && end < s.length) err = -EINVAL;
    return { err, value: 0, exact: true, text: '0', end };
  };
  let r = qemuStrtou64(s, 10, true);
  if (r.err) return fail(r.err, r.end);
  let end = r.end;
  if (s.slice(0, end).includes('-')) return fail(-EINVAL, 0);
  let val = BigInt(r.text);
  let valf = 0n;
  let hex = false;
  if (val === 0n && (s[end] === 'x' || s[end] === 'X')) {
    r = qemuStrtou64(s, 16, true);
    if (r.err) return fail(r.err, r.end);
    end = r.end;
    if (s[end] === '.') return fail(-EINVAL, 0);
    val = BigInt(r.text);
    hex = true;
  } else if (s[end] === '.') {
    const fr = scanFraction(s, end);
    if (!fr) {
      end++;
    } else if (fr.exp) {
      return fail(-EINVAL, 0);
    } else {
      end = fr.end;
      const scaled = fr.f * TWO64; // exact: scaling by a power of two
      // (uint64_t) of 2^64 gives 0 with gcc on x86-64.
      valf = scaled >= TWO64 ? 0n : BigInt(Math.floor(scaled));
    }
  }
  let mul = suffixMul(s[end], unit);
  if (mul > 0n) {
    if (hex) warnReport(`Using a multiplier suffix on hex numbers is deprecated: ${s}`);
    end++;
  } else {
    mul = suffixMul(defaultSuffix, unit);
  }
  if (mul === 1n) {
    if (valf !== 0n) return fail(-EINVAL, 0);
  } else {
    const fracProduct = valf * mul;
    val = val * mul + (fracProduct >> 64n) + ((fracProduct >> 63n) & 1n);
    if (val > U64_MAX) return fail(-ERANGE, end);
  }
  if (!allowTrailing && end < s.length) return fail(-EINVAL, end);
  return result(0, val, end);
}

/** qemu_strtosz(): bytes by default, suffixes are powers of 1024. */
export function qemuStrtosz(s: string, allowTrailing = false): StrtoResult {
  return doStrtosz(s, 'B', 1024n, allowTrailing);
}

/** qemu_strtosz_MiB(): MiB by default. */
export function qemuStrtoszMiB(s: string, allowTrailing = false): StrtoResult {
  return doStrtosz(s, 'M', 1024n, allowTrailing);
}

/** qemu_strtosz_metric(): bytes by default, suffixes are powers of 1000. */
export function qemuStrtoszMetric(s: string, allowTrailing = false): StrtoResult {
  return doStrtosz(s, 'B', 1000n, allowTrailing);
}

/** qapi_bool_parse()'s accepted spellings; undefined for anything else. */
export function parseQapiBool(s: string): boolean | undefined {
  if (s === 'on' || s === 'yes' || s === 'true' || s === 'y') return true;
  if (s === 'off' || s === 'no' || s === 'false' || s === 'n') return false;
  return undefined;
}

/** id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
export function idWellformed(id: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.-]*$/.test(id);
}

/** is_help_option(). */
export function isHelpOption(s: string | undefined): boolean {
  return s === 'help' || s === '?';
}
