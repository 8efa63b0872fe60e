/*
 * module_call_init() (util/module.c).  QEMU registers each module's type_init
 * function with a constructor before main(); in TypeScript the list is explicit:
 * one register…() per module, called here and nowhere else.
 */
import { registerQomBaseTypes } from '../qom/object.js';
import { registerQdevTypes } from '../hw/core/qdev.js';
import { registerCpuTypes } from '../hw/core/cpu.js';
import { registerAccelBaseType } from '../accel/accel.js';
import { registerTcgAccel } from '../accel/tcg/tcg-accel.js';
import { registerKvmAccel } from '../accel/kvm/kvm-accel.js';

export type ModuleInitType = 'qom';

const qomModules: Array<() => void> = [
  registerQomBaseTypes,
  registerQdevTypes,
  registerCpuTypes,
  registerAccelBaseType,
  registerTcgAccel,
  registerKvmAccel,
];

const done = new Set<ModuleInitType>();

export function moduleCallInit(type: ModuleInitType): void {
  if (done.has(type)) return;
  done.add(type);
  for (const init of qomModules) init();
}
