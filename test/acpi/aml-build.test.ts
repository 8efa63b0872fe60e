/*
 * The AML builder against the reference ASL compiler: the same definitions
 * written in ASL and compiled by iasl (-oa: no namepath or integer
 * optimisations beyond the shortest encodings AML itself has), and built
 * with aml-build.ts, must be the same bytes.  Covers integers of every
 * width, name strings (root, parent, dual, multi), strings, packages,
 * buffers across the 1/2/3-byte PkgLength boundaries, Scope, Device,
 * Method, Name, If/Else, While, Return, Store and the arithmetic/logical
 * operators, Index/DerefOf, CreateDWordField, Notify, OperationRegion and
 * Field (with a reserved gap), Mutex, Processor, and every resource
 * descriptor the pc DSDT uses plus DWordIO.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AmlAccess, AmlCacheable, AmlLockRule, AmlRegionSpace, AmlSerialize, AmlUpdateRule, amlAdd, amlAnd, amlArg, amlBuffer, amlCall,
  amlCreateDwordField, amlDerefOf, amlDevice, amlDwordIo, amlDwordMemory, amlEisaid, amlElse, amlEqual, amlField, amlIf, amlIncrement,
  amlIndex, amlInt, amlInterrupt, amlIo, amlIrqNoFlags, amlLand, amlLgreater, amlLless, amlLnot, amlLocal, amlLor, amlMemory32Fixed,
  amlMethod, amlMutex, amlName, amlNameDecl, amlNotify, amlOperationRegion, amlOr, amlPackage, amlPackageEmpty, amlPkgLength,
  amlProcessor, amlQwordMemory, amlResourceTemplate, amlReturn, amlScope, amlShiftLeft, amlShiftRight, amlStore, amlString,
  amlSubtract, amlTableBody, amlWhile, amlWordBusNumber, amlWordIo, type Aml,
} from '../../src/hw/acpi/aml-build.js';

const dir = mkdtempSync(join(tmpdir(), 'tsqemu-aml-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** iasl -oa of a definition block holding `body`; returns the AML after the 36-byte header. */
function iasl(name: string, body: string): Buffer {
  const asl = join(dir, `${name}.asl`);
  writeFileSync(asl, `DefinitionBlock ("", "SSDT", 2, "BOCHS ", "BXPC    ", 1)\n{\n${body}\n}\n`);
  try {
    execFileSync('iasl', ['-oa', '-p', join(dir, name), asl], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stdout?: Buffer; stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('iasl (Debian package acpica-tools) is required for the AML tests');
    throw new Error(`iasl failed: ${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`);
  }
  return readFileSync(join(dir, `${name}.aml`)).subarray(36);
}

const hex = (b: ArrayLike<number>): string => Buffer.from(b as Uint8Array).toString('hex');
const ours = (terms: Aml[]): string => hex(amlTableBody(terms));
const L = amlLocal;
const A = amlArg;
const i = amlInt;
const n = amlName;

test('integers, strings, name strings, packages, buffers', () => {
  const ints = [0, 1, 2, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff, 0x100000000, 0xfffffffffffffffen];
  const asl = [
    // ZeroOp and OneOp are what the builder uses for 0 and 1 (iasl -oa would not shorten the literals).
    ...ints.map((v, k) => `Name (I${k}, ${v === 0 ? 'Zero' : v === 1 ? 'One' : `0x${v.toString(16)}`})`),
    'Name (STR, "hello")',
    'Name (\\_SB.EID, EisaId ("PNP0C0F"))',
    'Scope (\\_SB) { Device (DEV) { Name (_HID, EisaId ("PNP0A03")) } }',
    'Scope (\\_SB.DEV) { Name (Z, Package (0x06) { One, "x", \\I2, Zero, ^^STR, \\_SB.DEV._HID }) }',
    'Name (PKE, Package (0x80) {})',
    'Name (BUF, Buffer (0x03) { 0x01, 0x02, 0x03 })',
  ].join('\n');
  const terms = [
    ...ints.map((v, k) => amlNameDecl(`I${k}`, i(v))),
    amlNameDecl('STR', amlString('hello')),
    amlNameDecl('\\_SB.EID', amlEisaid('PNP0C0F')),
    amlScope('\\_SB', [amlDevice('DEV', [amlNameDecl('_HID', amlEisaid('PNP0A03'))])]),
    amlScope('\\_SB.DEV', [
      amlNameDecl('Z', amlPackage([i(1), amlString('x'), n('\\I2'), i(0), n('^^STR'), n('\\_SB.DEV._HID')])),
    ]),
    amlNameDecl('PKE', amlPackageEmpty(0x80)),
    amlNameDecl('BUF', amlBuffer([1, 2, 3])),
  ];
  assert.equal(ours(terms), hex(iasl('data', asl)));
});

test('PkgLength across the 1-, 2- and 3-byte encodings (buffers of 59..62 and 4089..4092 bytes)', () => {
  // A Buffer's PkgLength covers itself, the BufferSize integer and the bytes: these sizes straddle 63/64 and 4095/4096.
  const sizes = [59, 60, 61, 62, 4089, 4090, 4091, 4092];
  const asl = sizes.map((s, k) => `Name (B${k.toString(16).toUpperCase().padStart(3, '0')}, Buffer (0x${s.toString(16)}) { ${Array.from({ length: s }, (_, j) => `0x${(j & 0xff).toString(16)}`).join(', ')} })`).join('\n');
  const terms = sizes.map((s, k) => amlNameDecl(`B${k.toString(16).toUpperCase().padStart(3, '0')}`, amlBuffer(Array.from({ length: s }, (_, j) => j & 0xff))));
  assert.equal(ours(terms), hex(iasl('pkglen', asl)));
  // The 4-byte form (over 1 MiB) against the spec's layout: lead byte 0xc0 | low nibble, then bits 4-11, 12-19, 20-27.
  assert.deepEqual(amlPkgLength(0x123456 - 4), [0xc6, 0x45, 0x23, 0x01]);
});

test('methods, control flow, operators, fields, regions, mutex, processor', () => {
  const asl = `
    OperationRegion (REG, SystemMemory, 0xFED00000, 0x0400)
    Field (REG, DWordAcc, Lock, Preserve) { VEND, 32, PRD, 32 }
    OperationRegion (PIO, SystemIO, 0xAF00, 0x0C)
    Field (PIO, ByteAcc, NoLock, WriteAsZeros) { Offset (0x04), CPEN, 1, CINS, 1, , 6, CCMD, 8 }
    OperationRegion (PCFG, PCI_Config, 0x60, 0x04)
    Mutex (MTX, 0x00)
    Device (\\_SB.CPUS) { Processor (C000, 0x00, 0x00000000, 0x00) { Name (_STA, 0x0F) } }
    Method (IQST, 1, NotSerialized) { If (And (0x80, Arg0)) { Return (0x09) } Return (0x0B) }
    Method (M1, 2, Serialized)
    {
      Name (PRR0, Buffer (0x08) { 0, 0, 0, 0, 0, 0, 0, 0 })
      CreateDWordField (PRR0, 0x05, PRRI)
      Store (Zero, Local1)
      Store (Package (0x80) {}, Local0)
      While (LLess (Local1, 0x80))
      {
        Store (ShiftRight (Local1, 0x02), Local2)
        Store (And (Add (Local1, Local2), 0x03), Local3)
        If (LEqual (Local3, One)) { Store (Arg0, PRRI) } Else { Store (Subtract (Local3, One), Local4) }
        If (LOr (LEqual (Local2, Zero), LGreater (Local2, 0x05F5E100))) { Return (Zero) }
        If (LAnd (LNot (Local2), One)) { Notify (\\_SB.CPUS.C000, 0x03) }
        Store (Or (ShiftLeft (Local2, 0x10), 0xFFFF), Index (Local0, Local1))
        ShiftRight (Local1, 0x10, Local1)
        Or (Local3, 0x80, Local3)
        Store (DerefOf (Index (Local0, Zero)), Local5)
        Increment (Local1)
      }
      Return (IQST (Arg1))
    }`;
  const m1 = amlMethod('M1', 2, AmlSerialize.Serialized, [
    amlNameDecl('PRR0', amlBuffer(new Array(8).fill(0))),
    amlCreateDwordField(n('PRR0'), i(5), 'PRRI'),
    amlStore(i(0), L(1)),
    amlStore(amlPackageEmpty(0x80), L(0)),
    amlWhile(amlLless(L(1), i(0x80)), [
      amlStore(amlShiftRight(L(1), i(2)), L(2)),
      amlStore(amlAnd(amlAdd(L(1), L(2)), i(3)), L(3)),
      amlIf(amlEqual(L(3), i(1)), [amlStore(A(0), n('PRRI'))]),
      amlElse([amlStore(amlSubtract(L(3), i(1)), L(4))]),
      amlIf(amlLor(amlEqual(L(2), i(0)), amlLgreater(L(2), i(100000000))), [amlReturn(i(0))]),
      amlIf(amlLand(amlLnot(L(2)), i(1)), [amlNotify(n('\\_SB.CPUS.C000'), i(3))]),
      amlStore(amlOr(amlShiftLeft(L(2), i(0x10)), i(0xffff)), amlIndex(L(0), L(1))),
      amlShiftRight(L(1), i(0x10), L(1)),
      amlOr(L(3), i(0x80), L(3)),
      amlStore(amlDerefOf(amlIndex(L(0), i(0))), L(5)),
      amlIncrement(L(1)),
    ]),
    amlReturn(amlCall('IQST', [A(1)])),
  ]);
  const terms = [
    amlOperationRegion('REG', AmlRegionSpace.SystemMemory, i(0xfed00000), 0x400),
    amlField('REG', AmlAccess.DWord, AmlLockRule.Lock, AmlUpdateRule.Preserve, [{ name: 'VEND', bits: 32 }, { name: 'PRD', bits: 32 }]),
    amlOperationRegion('PIO', AmlRegionSpace.SystemIO, i(0xaf00), 0x0c),
    amlField('PIO', AmlAccess.Byte, AmlLockRule.NoLock, AmlUpdateRule.WriteAsZeros, [
      { bits: 32 }, { name: 'CPEN', bits: 1 }, { name: 'CINS', bits: 1 }, { bits: 6 }, { name: 'CCMD', bits: 8 },
    ]),
    amlOperationRegion('PCFG', AmlRegionSpace.PciConfig, i(0x60), 0x04),
    amlMutex('MTX', 0),
    amlDevice('\\_SB.CPUS', [amlProcessor('C000', 0, 0, 0, [amlNameDecl('_STA', i(0x0f))])]),
    amlMethod('IQST', 1, AmlSerialize.NotSerialized, [amlIf(amlAnd(i(0x80), A(0)), [amlReturn(i(9))]), amlReturn(i(0x0b))]),
    m1,
  ];
  assert.equal(ours(terms), hex(iasl('code', asl)));
});

test('resource templates', () => {
  const asl = `Name (RES, ResourceTemplate ()
  {
    WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,,)
    IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08,)
    IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08,)
    WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300,,, , TypeStatic, DenseTranslation)
    DWordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0x00000000, 0x00001000, 0x00001FFF, 0x00000000, 0x00001000,,, , TypeStatic, DenseTranslation)
    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000,,, , AddressRangeMemory, TypeStatic)
    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0x00000000, 0x20000000, 0xFEBFFFFF, 0x00000000, 0xDEC00000,,, , AddressRangeMemory, TypeStatic)
    QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0x0000000000000000, 0x0000000100000000, 0x000000017FFFFFFF, 0x0000000000000000, 0x0000000080000000,,, , AddressRangeMemory, TypeStatic)
    Memory32Fixed (ReadOnly, 0xFED00000, 0x00000400,)
    Memory32Fixed (ReadWrite, 0xFEE00000, 0x00001000,)
    IRQNoFlags () {12}
    IRQNoFlags () {1}
    Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, ) {5, 10, 11}
    Interrupt (ResourceConsumer, Edge, ActiveLow, Exclusive, ,, ) {9}
  })`;
  const terms = [amlNameDecl('RES', amlResourceTemplate([
    amlWordBusNumber(0, 0xff),
    amlIo(true, 0xcf8, 0xcf8, 1, 8),
    amlIo(true, 0x3f8, 0x3f8, 0, 8),
    amlWordIo(0x0d00, 0xffff),
    amlDwordIo(0x1000, 0x1fff),
    amlDwordMemory(AmlCacheable.Cacheable, true, 0xa0000, 0xbffff),
    amlDwordMemory(AmlCacheable.NonCacheable, true, 0x20000000, 0xfebfffff),
    amlQwordMemory(AmlCacheable.Cacheable, true, 0x100000000n, 0x17fffffffn),
    amlMemory32Fixed(0xfed00000, 0x400, false),
    amlMemory32Fixed(0xfee00000, 0x1000, true),
    amlIrqNoFlags(12),
    amlIrqNoFlags(1),
    amlInterrupt({ consumer: true, level: true, activeHigh: true, shared: true }, [5, 10, 11]),
    amlInterrupt({ consumer: true, level: false, activeHigh: false, shared: false }, [9]),
  ]))];
  assert.equal(ours(terms), hex(iasl('res', asl)));
});
