/* Helpers shared by the qemu-img subcommands (qemu-img.c). */
import { QemuError, getProgName } from '../util/error.js';
import { bdrvOpen, RAW_PROBE_WARNING } from '../block/block.js';
import { DEFAULT_OPEN_FLAGS, type BlockDriverState, type OpenFlags } from '../block/block-int.js';

/** error_exit(): the message, then a pointer to --help; exit status 1. */
export function errorExit(msg: string): QemuError {
  return new QemuError(msg, `Try '${getProgName()} --help' for more information`);
}

export interface ParsedArgs {
  opts: Array<[string, string]>;
  args: string[];
}

/**
 * getopt_long() as qemu-img uses it: `short` is an optstring ("f:hq"), `long` maps long
 * names to [takes an argument, the short key to report].  Options stop at "--".
 */
export function getopt(argv: string[], short: string, long: Record<string, [boolean, string]>): ParsedArgs {
  const opts: Array<[string, string]> = [];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const spec = long[name];
      if (!spec) throw errorExit(`unrecognized option '${a}'`);
      if (spec[0]) {
        if (eq >= 0) opts.push([spec[1], a.slice(eq + 1)]);
        else if (i + 1 < argv.length) opts.push([spec[1], argv[++i]!]);
        else throw errorExit(`missing argument for option '${a}'`);
      } else {
        if (eq >= 0) throw errorExit(`option '--${name}' doesn't allow an argument`);
        opts.push([spec[1], '']);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const k = short.indexOf(c);
        if (k < 0 || c === ':') throw errorExit(`unrecognized option '-${c}'`);
        if (short[k + 1] === ':') {
          if (j + 1 < a.length) opts.push([c, a.slice(j + 1)]);
          else if (i + 1 < argv.length) opts.push([c, argv[++i]!]);
          else throw errorExit(`missing argument for option '-${c}'`);
          break;
        }
        opts.push([c, '']);
      }
      continue;
    }
    args.push(a);
  }
  return { opts, args };
}

/** img_open(): errors come back as "Could not open '<file>': <reason>". */
export async function imgOpen(filename: string, fmt: string | undefined, flags: Partial<OpenFlags>): Promise<BlockDriverState> {
  try {
    const r = await bdrvOpen(filename, fmt, { ...DEFAULT_OPEN_FLAGS, ...flags });
    if (r.probed && r.bs.drvName === 'raw' && !flags.readOnly) process.stderr.write(RAW_PROBE_WARNING(filename));
    return r.bs;
  } catch (e) {
    if (e instanceof QemuError) throw new QemuError(`Could not open '${filename}': ${e.message}`);
    throw e;
  }
}

/**
 * qemu_strtosz() for image sizes: a number with an optional k/M/G/T/P/E suffix (binary);
 * "b" bytes too.  Returns undefined when invalid.
 */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([bkKmMgGtTpPeE]?)$/.exec(s.trim());
  if (!m) return undefined;
  const units = 'bkmgtpe';
  const u = m[2] ? units.indexOf(m[2].toLowerCase()) : 0;
  const v = parseFloat(m[1]!) * 2 ** (10 * u);
  if (m[1]!.includes('.') && u === 0) return undefined;
  if (!Number.isFinite(v) || v > Number.MAX_SAFE_INTEGER) return undefined;
  return Math.floor(v);
}

export function invalidSizeError(): QemuError {
  return new QemuError(
    'Invalid image size specified. You may use k, M, G, T, P or E suffixes for',
    `${getProgName()}: kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.`,
  );
}

/** Splits "-o a=b,c=d" (commas doubled to escape them), several -o joined by commas. */
export function parseOptionString(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(/,(?!,)/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.set(part, 'on');
    else out.set(part.slice(0, eq), part.slice(eq + 1).replace(/,,/g, ','));
  }
  return out;
}
