import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  objectNew, objectPropertyAddChild, objectGetCanonicalPath, objectGetRoot, objectResolvePath,
  objectPropertyGet, objectPropertySet, objectRegisterGlobalProp, objectResetRoot, registerQomBaseTypes,
  typeRegisterStatic, objectClassGetList, objectClassByName, containerGet, QObject, typeExists,
} from '../../src/qom/object.js';
import { defineBoolProp, defineUintProp } from '../../src/qom/field-props.js';
import { QemuError } from '../../src/util/error.js';

// Expectations follow qom/object.c semantics (QEMU 7.2): lazy class init parent-first,
// "device[*]" auto-indexing, canonical paths, globals applied at creation.
if (!typeExists('object')) registerQomBaseTypes();

class Dev extends QObject { order: string[] = []; }
let classInits = 0;
typeRegisterStatic({
  name: 't-dev', parent: 'object', abstract: true, instance: Dev,
  instanceInit: (o) => (o as Dev).order.push('dev'),
  classInit: (oc) => { classInits++; defineBoolProp(oc, { name: 'flag', defaultValue: false }); },
});
typeRegisterStatic({
  name: 't-leaf', parent: 't-dev',
  instanceInit: (o) => (o as Dev).order.push('leaf'),
  classInit: (oc) => defineUintProp(oc, 32, { name: 'num', defaultValue: 7 }),
});

test('classes are initialised lazily, parents first, and inherit properties', () => {
  assert.equal(classInits, 0);
  const leaf = objectClassByName('t-leaf')!;
  assert.equal(classInits, 1);
  assert.ok(leaf.properties.has('flag') && leaf.properties.has('num'));
  assert.deepEqual(objectClassGetList('t-dev', false).map((c) => c.typeName), ['t-leaf']);
  assert.throws(() => objectNew('t-dev'), /abstract/);
});

test('instance_init runs from the root type down; typed properties parse QEMU syntax', () => {
  const o = objectNew('t-leaf') as Dev;
  assert.deepEqual(o.order, ['dev', 'leaf']);
  assert.equal(objectPropertyGet(o, 'num'), 7);
  objectPropertySet(o, 'num', '0x10');
  assert.equal(objectPropertyGet(o, 'num'), 16);
  objectPropertySet(o, 'flag', 'on');
  assert.equal(objectPropertyGet(o, 'flag'), true);
  assert.throws(() => objectPropertySet(o, 'flag', '1'), (e: unknown) =>
    e instanceof QemuError && e.message === "Parameter 'flag' expects 'on' or 'off'");
  assert.throws(() => objectPropertySet(o, 'bogus', 'x'), (e: unknown) =>
    e instanceof QemuError && e.message === "Property 't-leaf.bogus' not found");
});

test('composition tree: device[*] takes the first free index; paths resolve both ways', () => {
  objectResetRoot();
  const unattached = containerGet(objectGetRoot(), '/machine/unattached');
  const a = objectNew('t-leaf'), b = objectNew('t-leaf');
  assert.equal(objectPropertyAddChild(unattached, 'device[*]', a), 'device[0]');
  assert.equal(objectPropertyAddChild(unattached, 'device[*]', b), 'device[1]');
  assert.equal(objectGetCanonicalPath(b), '/machine/unattached/device[1]');
  assert.equal(objectResolvePath('/machine/unattached/device[0]'), a);
  assert.equal(objectResolvePath('device[1]'), b);
  assert.equal(objectPropertyGet(objectResolvePath('/machine/unattached')!, 'device[0]'), '/machine/unattached/device[0]');
});

test('global properties apply at creation, with QEMU\'s message when they fail', () => {
  objectResetRoot();
  objectRegisterGlobalProp({ driver: 't-dev', property: 'num', value: '9' });
  assert.equal(objectPropertyGet(objectNew('t-leaf'), 'num'), 9);
  objectRegisterGlobalProp({ driver: 't-leaf', property: 'bogus', value: 'on' });
  assert.throws(() => objectNew('t-leaf'), (e: unknown) =>
    e instanceof QemuError && e.message === "can't apply global t-leaf.bogus=on: Property 't-leaf.bogus' not found");
  objectResetRoot();
});
