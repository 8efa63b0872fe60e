/*
 * An AML builder and the ACPI table helpers (hw/acpi/aml-build.c, QEMU 7.2):
 * terms are built bottom-up as Aml nodes; amlAppend() encodes a child (its
 * opcode, PkgLength and body, per its block kind) into the parent's body, so
 * a finished tree is plain bytes.  Encodings follow the ACPI 6.x spec, ch. 20
 * (AML grammar) and 6.4 (resource descriptors).
 */

/** How a node's body becomes bytes when appended (QEMU's AmlBlockFlags). */
const enum AmlBlock {
  /** The body as is. */
  NoOpcode,
  /** The opcode, then the body. */
  Opcode,
  /** The opcode, a PkgLength, the body. */
  Package,
  /** ExtOpPrefix, the opcode, a PkgLength, the body. */
  ExtPackage,
  /** BufferOp, a PkgLength, the byte count, the body. */
  Buffer,
  /** A Buffer whose body ends with an End Tag (resource template). */
  ResTemplate,
}

const EXT_OP_PREFIX = 0x5b;

export class Aml {
  readonly buf: number[] = [];
  constructor(readonly op: number, readonly block: AmlBlock) {}
}

function amlNode(op: number, block: AmlBlock, ...bytes: number[]): Aml {
  const a = new Aml(op, block);
  a.buf.push(...bytes);
  return a;
}

/** Raw bytes (an already-encoded term). */
function amlBytes(bytes: ArrayLike<number>): Aml {
  const a = new Aml(0, AmlBlock.NoOpcode);
  for (let i = 0; i < bytes.length; i++) a.buf.push(bytes[i]!);
  return a;
}

/**
 * PkgLength (ACPI 20.2.4) covering `length` body bytes plus itself: one byte
 * up to 63, else a lead byte (count of following bytes in bits 7:6, the low
 * nibble of the length) and 1-3 more bytes of the length.
 */
export function amlPkgLength(length: number): number[] {
  let n: number;
  if (length + 1 < 1 << 6) n = 1;
  else if (length + 2 < 1 << 12) n = 2;
  else if (length + 3 < 1 << 20) n = 3;
  else n = 4;
  const total = length + n;
  if (n === 1) return [total];
  const out = [((n - 1) << 6) | (total & 0xf)];
  for (let i = 1, v = total >>> 4; i < n; i++, v >>>= 8) out.push(v & 0xff);
  return out;
}

/** The bytes `child` contributes to its parent. */
export function amlEncode(child: Aml): number[] {
  switch (child.block) {
    case AmlBlock.NoOpcode:
      return child.buf;
    case AmlBlock.Opcode:
      return [child.op, ...child.buf];
    case AmlBlock.Package:
      return [child.op, ...amlPkgLength(child.buf.length), ...child.buf];
    case AmlBlock.ExtPackage:
      return [EXT_OP_PREFIX, child.op, ...amlPkgLength(child.buf.length), ...child.buf];
    case AmlBlock.Buffer:
    case AmlBlock.ResTemplate: {
      // A resource template ends with End Tag and a zero checksum ("treat as valid", 6.4.2.9).
      const body = child.block === AmlBlock.ResTemplate ? [...child.buf, 0x79, 0x00] : child.buf;
      const size = amlIntBytes(body.length);
      return [0x11, ...amlPkgLength(size.length + body.length), ...size, ...body];
    }
  }
}

/** aml_append(). */
export function amlAppend(parent: Aml, child: Aml): void {
  const bytes = amlEncode(child);
  for (const b of bytes) parent.buf.push(b);
}

function withChildren(node: Aml, children: Aml[]): Aml {
  for (const c of children) amlAppend(node, c);
  return node;
}

// ---- Data objects ----

/** ComputationalData for an integer: Zero/One, else the shortest of Byte/Word/DWord/QWord. */
function amlIntBytes(v: number | bigint): number[] {
  const n = BigInt(v);
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`AML integer out of range: ${v}`);
  if (n === 0n) return [0x00];
  if (n === 1n) return [0x01];
  const [prefix, size] = n <= 0xffn ? [0x0a, 1] : n <= 0xffffn ? [0x0b, 2] : n <= 0xffffffffn ? [0x0c, 4] : [0x0e, 8];
  return [prefix, ...leBytes(n, size)];
}

export function leBytes(v: number | bigint, size: number): number[] {
  let n = BigInt(v);
  const out: number[] = [];
  for (let i = 0; i < size; i++, n >>= 8n) out.push(Number(n & 0xffn));
  return out;
}

/** aml_int(). */
export function amlInt(v: number | bigint): Aml {
  return amlBytes(amlIntBytes(v));
}

/** aml_string(): StringPrefix, ASCII, NUL. */
export function amlString(s: string): Aml {
  return amlBytes([0x0d, ...Buffer.from(s, 'latin1'), 0x00]);
}

/**
 * NameString (ACPI 20.2.2): root/parent prefixes, then NullName, one
 * NameSeg, DualNamePrefix + 2, or MultiNamePrefix + count + segments; each
 * segment padded to 4 characters with '_'.
 */
export function amlNameString(path: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (path[i] === '\\' || path[i] === '^') out.push(path.charCodeAt(i++));
  const rest = path.slice(i);
  const segs = rest === '' ? [] : rest.split('.');
  for (const s of segs) {
    if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(s)) throw new Error(`invalid AML name segment '${s}' in '${path}'`);
  }
  if (segs.length === 0) out.push(0x00);
  else if (segs.length === 2) out.push(0x2e);
  else if (segs.length > 2) out.push(0x2f, segs.length);
  for (const s of segs) out.push(...Buffer.from(s.padEnd(4, '_'), 'latin1'));
  return out;
}

/** aml_name(): a reference to a named object. */
export function amlName(path: string): Aml {
  return amlBytes(amlNameString(path));
}

/** A method invocation (aml_call0..7): the method's NameString, then its arguments. */
export function amlCall(method: string, args: Aml[] = []): Aml {
  return withChildren(amlBytes(amlNameString(method)), args);
}

/** aml_name_decl(): Name(name, value). */
export function amlNameDecl(name: string, value: Aml): Aml {
  return withChildren(amlNode(0x08, AmlBlock.Opcode, ...amlNameString(name)), [value]);
}

/** aml_eisaid(): "PNP0A03" as the compressed EISA ID DWord (ACPI 19.3.4). */
export function amlEisaid(id: string): Aml {
  if (!/^[A-Z]{3}[0-9A-F]{4}$/.test(id)) throw new Error(`invalid EISA ID '${id}'`);
  const c = (i: number): number => id.charCodeAt(i) - 0x40;
  const hex = parseInt(id.slice(3), 16);
  const v = ((c(0) << 26) | (c(1) << 21) | (c(2) << 16) | hex) >>> 0;
  // The ID is big-endian in memory.
  return amlBytes([0x0c, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/** aml_package(): Package with a fixed element count. */
export function amlPackage(elements: Aml[]): Aml {
  return withChildren(amlNode(0x12, AmlBlock.Package, elements.length), elements);
}

/** aml_package(n) with no elements (an uninitialized package of n). */
export function amlPackageEmpty(count: number): Aml {
  return amlNode(0x12, AmlBlock.Package, count);
}

/** aml_buffer(): a Buffer with the given bytes. */
export function amlBuffer(bytes: ArrayLike<number>): Aml {
  const a = new Aml(0x11, AmlBlock.Buffer);
  for (let i = 0; i < bytes.length; i++) a.buf.push(bytes[i]!);
  return a;
}

/** aml_resource_template(): a Buffer of resource descriptors closed by End Tag. */
export function amlResourceTemplate(descriptors: Aml[]): Aml {
  return withChildren(new Aml(0x11, AmlBlock.ResTemplate), descriptors);
}

export const amlLocal = (n: number): Aml => amlBytes([0x60 + n]);
export const amlArg = (n: number): Aml => amlBytes([0x68 + n]);

// ---- Namespace modifiers and named objects ----

/** aml_scope(). */
export function amlScope(path: string, children: Aml[] = []): Aml {
  return withChildren(amlNode(0x10, AmlBlock.Package, ...amlNameString(path)), children);
}

/** aml_device(). */
export function amlDevice(path: string, children: Aml[] = []): Aml {
  return withChildren(amlNode(0x82, AmlBlock.ExtPackage, ...amlNameString(path)), children);
}

export const enum AmlSerialize { NotSerialized = 0, Serialized = 1 }

/** aml_method(): MethodFlags = ArgCount | Serialize << 3 (SyncLevel 0). */
export function amlMethod(name: string, argCount: number, serialize: AmlSerialize, body: Aml[] = []): Aml {
  return withChildren(amlNode(0x14, AmlBlock.Package, ...amlNameString(name), argCount | (serialize << 3)), body);
}

/** aml_processor(): the deprecated Processor object (ProcID, PBlkAddr, PBlkLen). */
export function amlProcessor(name: string, procId: number, pblkAddr: number, pblkLen: number, children: Aml[] = []): Aml {
  const a = amlNode(0x83, AmlBlock.ExtPackage, ...amlNameString(name), procId, ...leBytes(pblkAddr, 4), pblkLen);
  return withChildren(a, children);
}

/** aml_mutex(). */
export function amlMutex(name: string, syncLevel: number): Aml {
  return amlBytes([EXT_OP_PREFIX, 0x01, ...amlNameString(name), syncLevel]);
}

export const enum AmlRegionSpace { SystemMemory = 0, SystemIO = 1, PciConfig = 2 }

/** aml_operation_region(). */
export function amlOperationRegion(name: string, space: AmlRegionSpace, offset: Aml, length: number): Aml {
  const a = amlNode(EXT_OP_PREFIX, AmlBlock.Opcode, 0x80, ...amlNameString(name), space);
  amlAppend(a, offset);
  amlAppend(a, amlInt(length));
  return a;
}

export const enum AmlAccess { Any = 0, Byte = 1, Word = 2, DWord = 3, QWord = 4, Buffer = 5 }
export const enum AmlLockRule { NoLock = 0, Lock = 1 }
export const enum AmlUpdateRule { Preserve = 0, WriteAsOnes = 1, WriteAsZeros = 2 }

/** A field list entry: a named field of `bits`, or unnamed padding (name undefined). */
export interface AmlFieldUnit {
  name?: string;
  bits: number;
}

/** aml_field() with aml_named_field()/aml_reserved_field() elements. */
export function amlField(region: string, access: AmlAccess, lock: AmlLockRule, update: AmlUpdateRule, units: AmlFieldUnit[]): Aml {
  const a = amlNode(0x81, AmlBlock.ExtPackage, ...amlNameString(region), access | (lock << 4) | (update << 5));
  for (const u of units) {
    const seg = u.name === undefined ? [0x00] : Buffer.from(u.name.padEnd(4, '_'), 'latin1');
    a.buf.push(...seg, ...amlPkgLengthRaw(u.bits));
  }
  return a;
}

/** The field-unit length: a PkgLength encoding that does not count itself. */
function amlPkgLengthRaw(v: number): number[] {
  if (v < 1 << 6) return [v];
  const n = v < 1 << 12 ? 2 : v < 1 << 20 ? 3 : 4;
  const out = [((n - 1) << 6) | (v & 0xf)];
  for (let i = 1, x = v >>> 4; i < n; i++, x >>>= 8) out.push(x & 0xff);
  return out;
}

/** aml_create_dword_field(): CreateDWordField(source, index, name). */
export function amlCreateDwordField(source: Aml, index: Aml, name: string): Aml {
  const a = amlNode(0x8a, AmlBlock.Opcode);
  amlAppend(a, source);
  amlAppend(a, index);
  a.buf.push(...amlNameString(name));
  return a;
}

// ---- Statements and expressions ----

function amlOp(op: number, operands: Aml[]): Aml {
  return withChildren(amlNode(op, AmlBlock.Opcode), operands);
}

/** An operation with a Target; QEMU passes NullName when the result is not stored. */
function amlOpTarget(op: number, a: Aml, b: Aml, target?: Aml): Aml {
  return amlOp(op, [a, b, target ?? amlBytes([0x00])]);
}

export const amlReturn = (v: Aml): Aml => amlOp(0xa4, [v]);
export const amlStore = (src: Aml, dst: Aml): Aml => amlOp(0x70, [src, dst]);
export const amlAdd = (a: Aml, b: Aml, t?: Aml): Aml => amlOpTarget(0x72, a, b, t);
export const amlSubtract = (a: Aml, b: Aml, t?: Aml): Aml => amlOpTarget(0x74, a, b, t);
export const amlAnd = (a: Aml, b: Aml, t?: Aml): Aml => amlOpTarget(0x7b, a, b, t);
export const amlOr = (a: Aml, b: Aml, t?: Aml): Aml => amlOpTarget(0x7d, a, b, t);
export const amlShiftLeft = (a: Aml, n: Aml): Aml => amlOpTarget(0x79, a, n);
export const amlShiftRight = (a: Aml, n: Aml, t?: Aml): Aml => amlOpTarget(0x7a, a, n, t);
export const amlIncrement = (a: Aml): Aml => amlOp(0x75, [a]);
export const amlLand = (a: Aml, b: Aml): Aml => amlOp(0x90, [a, b]);
export const amlLor = (a: Aml, b: Aml): Aml => amlOp(0x91, [a, b]);
export const amlLnot = (a: Aml): Aml => amlOp(0x92, [a]);
export const amlEqual = (a: Aml, b: Aml): Aml => amlOp(0x93, [a, b]);
export const amlLgreater = (a: Aml, b: Aml): Aml => amlOp(0x94, [a, b]);
export const amlLless = (a: Aml, b: Aml): Aml => amlOp(0x95, [a, b]);
export const amlDerefOf = (a: Aml): Aml => amlOp(0x83, [a]);
export const amlIndex = (obj: Aml, idx: Aml): Aml => amlOpTarget(0x88, obj, idx);
export const amlNotify = (obj: Aml, value: Aml): Aml => amlOp(0x86, [obj, value]);

/** aml_if(). */
export function amlIf(predicate: Aml, body: Aml[]): Aml {
  return withChildren(amlNode(0xa0, AmlBlock.Package, ...amlEncode(predicate)), body);
}

/** aml_else(): appended right after its If. */
export function amlElse(body: Aml[]): Aml {
  return withChildren(amlNode(0xa1, AmlBlock.Package), body);
}

/** aml_while(). */
export function amlWhile(predicate: Aml, body: Aml[]): Aml {
  return withChildren(amlNode(0xa2, AmlBlock.Package, ...amlEncode(predicate)), body);
}

// ---- Resource descriptors (ACPI 6.4) ----

/** aml_io(): I/O Port Descriptor (16-bit decode when `decode16`). */
export function amlIo(decode16: boolean, min: number, max: number, align: number, len: number): Aml {
  return amlBytes([0x47, decode16 ? 1 : 0, ...leBytes(min, 2), ...leBytes(max, 2), align, len]);
}

/** aml_irq_no_flags(): IRQ Descriptor without the information byte. */
export function amlIrqNoFlags(irq: number): Aml {
  const mask = 1 << irq;
  return amlBytes([0x22, mask & 0xff, mask >> 8]);
}

/** aml_memory32_fixed(). */
export function amlMemory32Fixed(base: number, size: number, readWrite: boolean): Aml {
  return amlBytes([0x86, ...leBytes(9, 2), readWrite ? 1 : 0, ...leBytes(base, 4), ...leBytes(size, 4)]);
}

export interface AmlInterruptFlags {
  consumer: boolean;
  level: boolean;
  activeHigh: boolean;
  shared: boolean;
}

/** aml_interrupt(): Extended Interrupt Descriptor with a list of interrupt numbers. */
export function amlInterrupt(f: AmlInterruptFlags, irqs: number[]): Aml {
  const flags = (f.consumer ? 1 : 0) | (f.level ? 0 : 2) | (f.activeHigh ? 0 : 4) | (f.shared ? 8 : 0);
  const len = 2 + 4 * irqs.length;
  return amlBytes([0x89, ...leBytes(len, 2), flags, irqs.length, ...irqs.flatMap((i) => leBytes(i, 4))]);
}

export const enum AmlResourceType { Memory = 0, Io = 1, BusNumber = 2 }

export interface AmlAddressSpace {
  type: AmlResourceType;
  /** General flags: producer/consumer, decode, min/max fixed. */
  minFixed: boolean;
  maxFixed: boolean;
  /** Type-specific flags (ACPI 6.4.3.5.2-4). */
  typeFlags: number;
  granularity: number | bigint;
  min: number | bigint;
  max: number | bigint;
  translation: number | bigint;
  length: number | bigint;
}

/**
 * The Word/DWord/QWord Address Space Descriptors (resource producers with
 * positive decode, as QEMU's aml_word_bus_number / aml_dword_memory / ...).
 */
function amlAddressSpace(tag: number, size: number, a: AmlAddressSpace): Aml {
  const general = (a.maxFixed ? 8 : 0) | (a.minFixed ? 4 : 0);
  const body = [a.granularity, a.min, a.max, a.translation, a.length].flatMap((v) => leBytes(v, size));
  return amlBytes([tag, ...leBytes(3 + body.length, 2), a.type, general, a.typeFlags, ...body]);
}

export const amlWordAddressSpace = (a: AmlAddressSpace): Aml => amlAddressSpace(0x88, 2, a);
export const amlDwordAddressSpace = (a: AmlAddressSpace): Aml => amlAddressSpace(0x87, 4, a);
export const amlQwordAddressSpace = (a: AmlAddressSpace): Aml => amlAddressSpace(0x8a, 8, a);

/** aml_word_bus_number(). */
export function amlWordBusNumber(min: number, max: number): Aml {
  return amlWordAddressSpace({
    type: AmlResourceType.BusNumber, minFixed: true, maxFixed: true, typeFlags: 0, granularity: 0, min, max, translation: 0,
    length: max - min + 1,
  });
}

/** IO type flags: ISA ranges, non-ISA ranges, or the entire range (3), static, dense. */
export const AML_ENTIRE_RANGE = 3;

/** aml_word_io(). */
export function amlWordIo(min: number, max: number, isaRanges = AML_ENTIRE_RANGE): Aml {
  return amlWordAddressSpace({
    type: AmlResourceType.Io, minFixed: true, maxFixed: true, typeFlags: isaRanges, granularity: 0, min, max, translation: 0,
    length: max - min + 1,
  });
}

/** aml_dword_io(). */
export function amlDwordIo(min: number, max: number, isaRanges = AML_ENTIRE_RANGE): Aml {
  return amlDwordAddressSpace({
    type: AmlResourceType.Io, minFixed: true, maxFixed: true, typeFlags: isaRanges, granularity: 0, min, max, translation: 0,
    length: max - min + 1,
  });
}

/** Memory type flags: read-write (bit 0), cacheability in bits 2:1 (0 non-cacheable, 1 cacheable). */
export const enum AmlCacheable { NonCacheable = 0, Cacheable = 1 }

function memFlags(cache: AmlCacheable, readWrite: boolean): number {
  return (cache << 1) | (readWrite ? 1 : 0);
}

/** aml_dword_memory() for a fixed [min, max] range. */
export function amlDwordMemory(cache: AmlCacheable, readWrite: boolean, min: number, max: number): Aml {
  return amlDwordAddressSpace({
    type: AmlResourceType.Memory, minFixed: true, maxFixed: true, typeFlags: memFlags(cache, readWrite), granularity: 0, min, max,
    translation: 0, length: max - min + 1,
  });
}

/** aml_qword_memory() for a fixed [min, max] range. */
export function amlQwordMemory(cache: AmlCacheable, readWrite: boolean, min: bigint, max: bigint): Aml {
  return amlQwordAddressSpace({
    type: AmlResourceType.Memory, minFixed: true, maxFixed: true, typeFlags: memFlags(cache, readWrite), granularity: 0n, min, max,
    translation: 0n, length: max - min + 1n,
  });
}

// ---- Tables ----

/** The table blob being built: bytes that grow, with little-endian writers. */
export class TableData {
  private a = new Uint8Array(4096);
  len = 0;

  private grow(n: number): void {
    if (this.len + n <= this.a.length) return;
    let size = this.a.length;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.a.subarray(0, this.len));
    this.a = b;
  }

  /** build_append_int_noprefix(): a little-endian integer of `size` bytes. */
  appendInt(v: number | bigint, size: number): void {
    this.appendBytes(leBytes(v, size));
  }

  appendBytes(bytes: ArrayLike<number>): void {
    this.grow(bytes.length);
    this.a.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** A fixed-width, space- or NUL-padded ASCII field. */
  appendPadded(s: string, size: number, pad = ' '): void {
    this.appendBytes(Buffer.from(s.padEnd(size, pad).slice(0, size), 'latin1'));
  }

  appendZeros(n: number): void {
    this.grow(n);
    this.a.fill(0, this.len, this.len + n);
    this.len += n;
  }

  setInt(offset: number, v: number, size: number): void {
    this.a.set(leBytes(v, size), offset);
  }

  /** acpi_align_size(): zero-pads to a multiple of `align`. */
  alignSize(align: number): void {
    const n = Math.ceil(this.len / align) * align - this.len;
    this.appendZeros(n);
  }

  get data(): Uint8Array {
    return this.a.subarray(0, this.len);
  }
}

/** Generic Address Structure address space IDs. */
export const AML_AS_SYSTEM_MEMORY = 0;

/** build_append_gas(): a 12-byte Generic Address Structure. */
export function buildAppendGas(t: TableData, spaceId: number, bitWidth: number, bitOffset: number, accessWidth: number, address: number): void {
  t.appendBytes([spaceId, bitWidth, bitOffset, accessWidth]);
  t.appendInt(BigInt(address), 8);
}

/** ACPI table header offsets. */
export const ACPI_TABLE_LENGTH_OFFSET = 4;
export const ACPI_TABLE_CHECKSUM_OFFSET = 9;

/** QEMU's ASL compiler ID and revision in every table header (ACPI_BUILD_APPNAME4 "BXPC", 1). */
const ACPI_BUILD_APPNAME4 = 'BXPC';

/** An ACPI table in progress (QEMU's AcpiTable + acpi_table_begin/acpi_table_end). */
export interface AcpiTable {
  sig: string;
  rev: number;
  oemId: string;
  oemTableId: string;
  /** Where the table starts in the blob (set by acpiTableBegin). */
  tableOffset?: number;
}

/**
 * acpi_table_begin(): the 36-byte header with the length and checksum left
 * zero (acpiTableEnd fills the length; the checksum is the loader's job).
 */
export function acpiTableBegin(t: AcpiTable, data: TableData): void {
  t.tableOffset = data.len;
  data.appendPadded(t.sig, 4);
  data.appendInt(0, 4); // Length
  data.appendInt(t.rev, 1);
  data.appendInt(0, 1); // Checksum
  data.appendPadded(t.oemId, 6);
  data.appendPadded(t.oemTableId, 8);
  data.appendInt(1, 4); // OEM Revision
  data.appendPadded(ACPI_BUILD_APPNAME4, 4);
  data.appendInt(1, 4); // Creator Revision
}

/** acpi_table_end(): the length, and the checksum command covering the table. */
export function acpiTableEnd(linker: { addChecksum(file: string, start: number, size: number, checksumOffset: number): void },
  file: string, t: AcpiTable, data: TableData): void {
  const start = t.tableOffset!;
  const len = data.len - start;
  data.setInt(start + ACPI_TABLE_LENGTH_OFFSET, len, 4);
  linker.addChecksum(file, start, len, start + ACPI_TABLE_CHECKSUM_OFFSET);
}

/** The DSDT/SSDT body: the definition block's terms after the header. */
export function amlTableBody(terms: Aml[]): number[] {
  const root = new Aml(0, AmlBlock.NoOpcode);
  for (const t of terms) amlAppend(root, t);
  return root.buf;
}
