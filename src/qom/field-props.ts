/*
 * Class properties backed by an instance field, the shape of QEMU's
 * DEFINE_PROP_BOOL/UINT32/STRING/... (hw/core/qdev-properties.c).  The field
 * holds the typed value; the property parses command-line strings and JSON.
 */
import { ObjectClass, QObject, objectClassPropertyAdd, type PropValue } from './object.js';
import { visitBool, visitEnum, visitInt, visitStr, visitUint } from './visitor.js';

type Fields = Record<string, unknown>;

interface FieldPropOpts<T> {
  name: string;
  /** The instance field; defaults to the property name. */
  field?: string;
  defaultValue?: T;
  description?: string;
  /** Called after a successful set (e.g. to refuse changes after realize). */
  check?: (obj: QObject, v: T) => void;
}

function addFieldProp<T extends PropValue>(
  oc: ObjectClass,
  type: string,
  o: FieldPropOpts<T>,
  parse: (name: string, v: unknown) => T,
): void {
  const field = o.field ?? o.name;
  objectClassPropertyAdd(oc, {
    name: o.name,
    type,
    description: o.description,
    defaultValue: o.defaultValue,
    get: (obj) => ((obj as unknown as Fields)[field] ?? o.defaultValue ?? null) as PropValue,
    set: (obj, v) => {
      const val = parse(o.name, v);
      o.check?.(obj, val);
      (obj as unknown as Fields)[field] = val;
    },
  });
}

export function defineBoolProp(oc: ObjectClass, o: FieldPropOpts<boolean>): void {
  addFieldProp(oc, 'bool', o, visitBool);
}

export function defineStrProp(oc: ObjectClass, o: FieldPropOpts<string>): void {
  addFieldProp(oc, 'str', o, visitStr);
}

export function defineUintProp(oc: ObjectClass, bits: 8 | 16 | 32 | 64, o: FieldPropOpts<number>): void {
  addFieldProp(oc, bits === 64 ? 'uint64' : `uint${bits}`, o, (n, v) => visitUint(n, v, bits));
}

export function defineIntProp(oc: ObjectClass, bits: 8 | 16 | 32 | 64, o: FieldPropOpts<number>): void {
  addFieldProp(oc, `int${bits}`, o, (n, v) => visitInt(n, v, bits));
}

export function defineEnumProp<T extends string>(
  oc: ObjectClass,
  typeName: string,
  values: readonly T[],
  o: FieldPropOpts<T>,
): void {
  addFieldProp(oc, typeName, o, (n, v) => visitEnum(n, v, values));
}
