/*
 * qdev properties (hw/core/qdev-properties.c, qdev-properties-system.c): the
 * DEFINE_PROP_* kinds a device class declares.  Each becomes a QOM class property
 * (for -device, -global, qom-get/set and `-device x,help`), and the class keeps
 * the list in declaration order, which is what `info qtree` prints.
 */
import { ObjectClass, QObject, objectClassPropertyAdd, objectPropertyFind, type PropValue } from '../../qom/object.js';
import { visitBool, visitEnum, visitInt, visitStr, visitUint } from '../../qom/visitor.js';
import { QemuError } from '../../util/error.js';
import { checkNotRealized } from './qdev.js';

export type QdevPropKind =
  | 'bool' | 'bit' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int32' | 'int64' | 'size' | 'str'
  | 'OnOffAuto' | 'BlockdevOnError' | 'LostTickPolicy' | 'BiosAtaTranslation' | 'chr' | 'netdev' | 'drive' | 'macaddr'
  | 'pci-devfn' | 'blocksize' | 'audiodev';

/** One DEFINE_PROP_*: `def` is the default (absent for strings and backends). */
export interface QdevProp {
  name: string;
  kind: QdevPropKind;
  def?: PropValue;
}

/** A backend property (chardev=, netdev=, drive=) refers to an object by id; its owner registers the lookup. */
export type BackendKind = 'chr' | 'netdev' | 'drive' | 'audiodev';
const backendLookup = new Map<BackendKind, (id: string) => boolean>();

/** The chardev/net/block layers call this so that devices can find their backends. */
export function qdevRegisterBackendLookup(kind: BackendKind, exists: (id: string) => boolean): void {
  backendLookup.set(kind, exists);
}

const ON_OFF_AUTO = ['on', 'off', 'auto'] as const;
const BLOCKDEV_ON_ERROR = ['report', 'ignore', 'enospc', 'stop', 'auto'] as const;
const LOST_TICK_POLICY = ['discard', 'delay', 'slew'] as const;
const BIOS_ATA_TRANSLATION = ['auto', 'none', 'lba', 'large', 'rechs'] as const;

/** What `-device x,help` shows after the type (PropertyInfo.description). */
const kindDescription: Partial<Record<QdevPropKind, string>> = {
  bit: 'on/off',
  OnOffAuto: 'on/off/auto',
  BlockdevOnError: 'Error handling policy, report/ignore/enospc/stop/auto',
  LostTickPolicy: 'Policy for handling lost ticks (discard/delay/slew)',
  BiosAtaTranslation: 'Logical CHS translation algorithm, auto/none/lba/large/rechs',
  chr: 'ID of a chardev to use as a backend',
  netdev: 'ID of a netdev to use as a backend',
  drive: 'Node name or ID of a block device to use as a backend',
  macaddr: 'Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56',
  'pci-devfn': 'Slot and optional function number, example: 06.0 or 06',
  blocksize: 'A power of two between 512 B and 2 MiB',
  audiodev: 'ID of an audiodev to use as a backend',
};

const kindType: Record<QdevPropKind, string> = {
  bool: 'bool', bit: 'bool', uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64',
  int32: 'int32', int64: 'int64', size: 'size', str: 'str', OnOffAuto: 'OnOffAuto',
  BlockdevOnError: 'BlockdevOnError', LostTickPolicy: 'LostTickPolicy', BiosAtaTranslation: 'BiosAtaTranslation', chr: 'str', netdev: 'str',
  drive: 'str', macaddr: 'str', 'pci-devfn': 'int32', blocksize: 'size', audiodev: 'str',
};

const SIZE_HINT = 'Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.';

/**
 * qemu_strtosz() with the binary suffixes b/k/M/G/T/P/E (any case) and `defaultSuffix`
 * when none is given; undefined when the text is not a size.  Fractions are allowed
 * with a suffix ("1.5G"), as in QEMU.
 */
export function qemuStrtosz(text: string, defaultSuffix = 'B'): number | undefined {
  const m = /^\s*(0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?)([bBkKmMgGtTpPeE]?)$/.exec(text);
  if (!m) return undefined;
  const isHex = /^0[xX]/.test(m[1]!);
  const num = isHex ? parseInt(m[1]!.slice(2), 16) : Number(m[1]);
  const suffix = (m[2] || defaultSuffix).toUpperCase();
  const shift = 'BKMGTPE'.indexOf(suffix) * 10;
  if (isHex && m[2]) return undefined;
  // A fraction needs a scale: "1.5k" is a size, "1.5" and "1.5b" are not.
  if (!Number.isInteger(num) && shift === 0) return undefined;
  const v = Math.floor(num * 2 ** shift);
  if (v >= 2 ** 64) return undefined;
  return v;
}

/** The visitor for QAPI 'size': a number from JSON, or a size string from the command line. */
export function visitSize(name: string, v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) throw new QemuError(`Parameter '${name}' expects size`);
    return v;
  }
  if (typeof v !== 'string') throw new QemuError(`Invalid parameter type for '${name}', expected: size`);
  const n = qemuStrtosz(v);
  if (n === undefined) {
    throw new QemuError(`Parameter '${name}' expects a non-negative number below 2^64`, SIZE_HINT);
  }
  return n;
}

/** set_pci_devfn(): "slot[.fn]" in hex (slot ≤ 31, fn ≤ 7), or a devfn number from JSON. */
function parsePciDevfn(obj: QObject, name: string, v: unknown): number {
  if (typeof v === 'number') {
    const n = visitInt(name, v, 32);
    if (n < -1 || n > 255) throw new QemuError(`Parameter '${name}' expects a value between -1 and 255`);
    return n;
  }
  const s = visitStr(name, v);
  const m = /^\s*[+]?(?:0[xX])?([0-9a-fA-F]+)(?:\.\s*[+]?(?:0[xX])?([0-9a-fA-F]+))?$/.exec(s);
  const slot = m ? parseInt(m[1]!, 16) : NaN;
  const fn = m?.[2] !== undefined ? parseInt(m[2], 16) : 0;
  if (!m || slot > 31 || fn > 7) {
    throw new QemuError(`Property '${obj.typeName}.${name}' doesn't take value '${s}'`);
  }
  return (slot << 3) | fn;
}

/** set_mac(): six two-digit hex bytes, each separated by ':' or '-'. */
function parseMacaddr(obj: QObject, name: string, v: unknown): string {
  const s = visitStr(name, v);
  if (!/^(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s)) {
    throw new QemuError(`Property '${obj.typeName}.${name}' doesn't take value '${s}'`);
  }
  return s.split(/[:-]/).map((b) => b.toLowerCase()).join(':');
}

function parseBlocksize(obj: QObject, name: string, v: unknown): number {
  const n = visitSize(name, v);
  if (n !== 0 && (n < 512 || n > 2 * 1024 * 1024)) {
    throw new QemuError(`Property ${obj.typeName}.${name} doesn't take value ${n} (minimum: 512, maximum: 2097152)`);
  }
  if (n & (n - 1)) {
    throw new QemuError(`Property ${obj.typeName}.${name} doesn't take value '${n}', it's not a power of 2`);
  }
  return n;
}

function parseBackend(obj: QObject, kind: BackendKind, name: string, v: unknown): string {
  const id = visitStr(name, v);
  const exists = backendLookup.get(kind);
  if (!exists || !exists(id)) throw new QemuError(`Property '${obj.typeName}.${name}' can't find value '${id}'`);
  return id;
}

function parseValue(obj: QObject, p: QdevProp, v: unknown): PropValue {
  switch (p.kind) {
    case 'bool': case 'bit': return visitBool(p.name, v);
    case 'uint8': return visitUint(p.name, v, 8);
    case 'uint16': return visitUint(p.name, v, 16);
    case 'uint32': return visitUint(p.name, v, 32);
    case 'uint64': return visitUint(p.name, v, 64);
    case 'int32': return visitInt(p.name, v, 32);
    case 'int64': return visitInt(p.name, v, 64);
    case 'size': return visitSize(p.name, v);
    case 'str': return visitStr(p.name, v);
    case 'OnOffAuto': return visitEnum(p.name, v, ON_OFF_AUTO);
    case 'BlockdevOnError': return visitEnum(p.name, v, BLOCKDEV_ON_ERROR);
    case 'LostTickPolicy': return visitEnum(p.name, v, LOST_TICK_POLICY);
    case 'BiosAtaTranslation': return visitEnum(p.name, v, BIOS_ATA_TRANSLATION);
    case 'chr': case 'netdev': case 'drive': case 'audiodev': return parseBackend(obj, p.kind, p.name, v);
    case 'macaddr': return parseMacaddr(obj, p.name, v);
    case 'pci-devfn': return parsePciDevfn(obj, p.name, v);
    case 'blocksize': return parseBlocksize(obj, p.name, v);
  }
}

/** Own qdev properties of each class (DeviceClass.props_), by type name. */
const classProps = new Map<string, QdevProp[]>();

/** The value of a qdev property on an instance (its default until set). */
export function qdevPropGet(obj: QObject, name: string): PropValue | undefined {
  return objectPropertyFind(obj, name)?.get?.(obj);
}

/** device_class_set_props(). */
export function deviceClassSetProps(oc: ObjectClass, props: QdevProp[]): void {
  classProps.set(oc.typeName, props);
  for (const p of props) {
    const field = `qdev:${p.name}`;
    objectClassPropertyAdd(oc, {
      name: p.name,
      type: kindType[p.kind],
      description: kindDescription[p.kind],
      defaultValue: p.def,
      get: (obj) => {
        const v = (obj as unknown as Record<string, PropValue | undefined>)[field];
        return v === undefined ? (p.def ?? (kindType[p.kind] === 'str' ? '' : null)) : v;
      },
      set: (obj, v) => {
        checkNotRealized(obj, p.name);
        (obj as unknown as Record<string, PropValue>)[field] = parseValue(obj, p, v);
      },
    });
    if (p.kind === 'pci-devfn') {
      // The legacy printer `info qtree` uses: "01.3", or "<unset>".
      objectClassPropertyAdd(oc, {
        name: `legacy-${p.name}`,
        type: 'str',
        get: (obj) => {
          const v = ((obj as unknown as Record<string, PropValue | undefined>)[field] ?? p.def) as number;
          return v === -1 ? '<unset>' : `${(v >> 3).toString(16).padStart(2, '0')}.${(v & 7).toString(16)}`;
        },
      });
    }
  }
}

/** The qdev properties a class declares itself (not its parents'), in declaration order. */
export function qdevClassOwnProps(oc: ObjectClass): readonly QdevProp[] {
  return classProps.get(oc.typeName) ?? [];
}

/** Sets a qdev property's default-free initial value from code (qdev_prop_set_*), bypassing the string parser. */
export function qdevPropSetRaw(obj: QObject, name: string, v: PropValue): void {
  (obj as unknown as Record<string, PropValue>)[`qdev:${name}`] = v;
}

const SIZE_PREFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * size_to_str(): "2 GiB", "512 B", "1.5 MiB": three significant digits; the unit
 * switches up once the number would reach 1000 (QEMU scales by 1024/1000 first).
 */
export function sizeToStr(n: number): string {
  const i = n === 0 ? 0 : Math.floor(Math.floor(Math.log2(n * 1.024)) / 10);
  const v = n / 2 ** (i * 10);
  const s = v.toPrecision(3).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return `${s} ${SIZE_PREFIXES[i]}B`;
}

/** The "human" print of a qdev property for `info qtree` (object_property_print(human=true)). */
export function qdevPropPrint(p: QdevProp, v: PropValue): string | undefined {
  switch (p.kind) {
    case 'bool': case 'bit': return v ? 'true' : 'false';
    case 'uint8': case 'uint16': case 'uint32': case 'uint64': case 'int32': case 'int64': {
      const n = v as number;
      const hex = n < 0 ? (BigInt(n) & 0xffffffffffffffffn).toString(16) : n.toString(16);
      return `${n} (0x${hex})`;
    }
    case 'size': case 'blocksize': return `${v as number} (${sizeToStr(v as number)})`;
    default: return `"${String(v ?? '')}"`;
  }
}
