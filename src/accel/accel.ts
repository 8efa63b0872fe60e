/*
 * Accelerators (accel/accel-common.c, accel/accel-softmmu.c) and
 * configure_accelerators() (system/vl.c): `tcg`, `kvm`, lists like `kvm:tcg`
 * tried in order, with QEMU's messages.
 */
import { ObjectClass, QObject, TYPE_OBJECT, objectClassByName, objectClassGetList, objectNew, objectPropertySet, typeRegisterStatic } from '../qom/object.js';
import { withStringInputVisitor } from '../qom/visitor.js';
import type { CPUState } from '../hw/core/cpu.js';
import { QemuError, QemuExit, errorReport, withLoc } from '../util/error.js';
import { strerrorErrno } from '../util/strerror.js';

export const TYPE_ACCEL = 'accel';

/** What an accelerator does for the vCPUs (AccelOpsClass). */
export interface AccelOps {
  /** qemu_init_vcpu() → create_vcpu_thread(): gives the CPU its execution context, stopped. */
  createVcpuThread(cpu: CPUState): void;
}

/** AccelClass fields. `name` is what "falling back to %s" prints (QEMU: "tcg", "KVM"). */
export interface AccelClassFields {
  name: string;
  /** Returns 0, or a negative errno; may print its own error lines first, as kvm_init does. */
  initMachine(accel: QObject): number;
  ops: AccelOps;
  /** Under KVM the CPUID filter is the host's ("host doesn't support ..."). */
  usesHostCpuid: boolean;
}

export function accelClass(oc: ObjectClass): AccelClassFields {
  return oc as unknown as AccelClassFields;
}

let current: { obj: QObject; klass: AccelClassFields } | undefined;

export function currentAccel(): AccelClassFields {
  if (!current) throw new Error('no accelerator configured');
  return current.klass;
}

export function accelReset(): void {
  current = undefined;
}

export function registerAccelBaseType(): void {
  typeRegisterStatic({ name: TYPE_ACCEL, parent: TYPE_OBJECT, abstract: true });
}

/** The names `-accel help` lists, in QEMU's order. */
export function accelHelpText(): string {
  const names = objectClassGetList(TYPE_ACCEL, false).map((oc) => oc.typeName.replace(/-accel$/, ''));
  return 'Accelerators supported in QEMU binary:\n' + names.join('\n') + '\n';
}

/** One `-accel` item: its location (for messages) and its properties, `accel` included. */
export interface AccelOption {
  loc: string | undefined;
  props: Record<string, string>;
}

/**
 * configure_accelerators(): `machineAccel` is the -machine accel= / -enable-kvm value;
 * `accelOpts` are the -accel options.  Returns the accelerator that initialised.
 */
export function configureAccelerators(machineAccel: string | undefined, accelOpts: AccelOption[]): AccelClassFields {
  let opts = accelOpts;
  if (opts.length === 0) {
    // QEMU's default with both TCG and KVM built in is "tcg:kvm".
    const list = machineAccel ?? 'tcg:kvm';
    opts = [];
    let initFailed = false;
    for (const name of list.split(':')) {
      if (!objectClassByName(`${name}-accel`)) {
        errorReport(`invalid accelerator ${name}`);
        initFailed = true;
        continue;
      }
      opts.push({ loc: undefined, props: { accel: name } });
    }
    return tryAccelerators(opts, initFailed);
  }
  if (machineAccel !== undefined) {
    throw new QemuError('The -accel and "-machine accel=" options are incompatible');
  }
  return tryAccelerators(opts, false);
}

function tryAccelerators(opts: AccelOption[], initFailedBefore: boolean): AccelClassFields {
  let initFailed = initFailedBefore;
  for (const o of opts) {
    const run = (): AccelClassFields | undefined => {
      const name = o.props.accel ?? '';
      const oc = objectClassByName(`${name}-accel`);
      if (!oc) throw new QemuError(`invalid accelerator ${name}`);
      const obj = objectNew(oc.typeName);
      // -accel's options are parsed by the string input visitor (object_property_parse).
      for (const [k, v] of Object.entries(o.props)) if (k !== 'accel') withStringInputVisitor(() => objectPropertySet(obj, k, v));
      const ac = accelClass(oc);
      const ret = ac.initMachine(obj);
      if (ret < 0) {
        initFailed = true;
        errorReport(`failed to initialize ${name}: ${strerrorErrno(-ret)}`);
        return undefined;
      }
      current = { obj, klass: ac };
      return ac;
    };
    const ac = o.loc !== undefined ? withLoc(o.loc, run) : run();
    if (ac) {
      if (initFailed) errorReport(`falling back to ${ac.name}`);
      return ac;
    }
  }
  if (!initFailed) throw new QemuError('no accelerator found');
  // Each failure has been reported already; QEMU then exits without another line.
  throw new QemuExit(1);
}
