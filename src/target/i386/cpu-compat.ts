/*
 * The x86 CPU entries of QEMU 7.2's PC compat properties (hw/i386/pc.c
 * pc_compat_2_0 … pc_compat_7_1), as they add up for pc-i440fx-2.0 and
 * Ubuntu's pc-i440fx-trusty, which mirrors it.  The machine registers them as
 * global properties before -cpu is parsed, so -cpu key=value still wins.
 *
 * Like QEMU's, the per-model entries name the unversioned type
 * ("SandyBridge-x86_64-cpu"): they do not apply to "-cpu SandyBridge-v1".
 * Measured against QEMU 7.2 (qom-get on the CPU of -M pc-i440fx-2.0 vs
 * -M pc-i440fx-7.2, every model); test/cpu/compat.test.ts repeats that check.
 */
import type { GlobalProperty } from '../../qom/object.js';
import { TYPE_X86_CPU, X86_CPU_TYPE_SUFFIX } from './cpu.js';

const all = (property: string, value: string): GlobalProperty => ({ driver: TYPE_X86_CPU, property, value });
const m = (model: string, property: string, value: string): GlobalProperty =>
  ({ driver: model + X86_CPU_TYPE_SUFFIX, property, value });

export const PC_I440FX_2_0_CPU_COMPAT: readonly GlobalProperty[] = [
  all('check', 'off'),
  all('cpuid-0xb', 'off'),
  all('fill-mtrr-mask', 'off'),
  all('full-cpuid-auto-level', 'off'),
  all('l3-cache', 'off'),
  all('tcg-cpuid', 'off'),
  all('vmware-cpuid-freq', 'off'),
  all('x-intel-pt-auto-level', 'off'),
  all('x-migrate-smi-count', 'off'),
  all('x-vendor-cpuid-only', 'off'),
  all('arat', 'off'),
  all('legacy-cache', 'on'),
  all('kvm-no-smi-migration', 'on'),
  all('hv-version-id-build', '7100'),
  all('hv-version-id-major', '6'),
  all('hv-version-id-minor', '1'),
  all('x-hv-max-vps', '64'),
  all('x-hv-synic-kvm-only', 'on'),
  m('qemu64', 'model-id', 'QEMU Virtual CPU version 2.0.0'),
  m('qemu32', 'model-id', 'QEMU Virtual CPU version 2.0.0'),
  m('athlon', 'model-id', 'QEMU Virtual CPU version 2.0.0'),
  m('qemu64', 'min-level', '4'),
  m('qemu64', 'popcnt', 'on'),
  m('qemu64', 'abm', 'on'),
  m('qemu64', 'sse4a', 'on'),
  m('qemu64', 'family', '6'),
  m('qemu64', 'model', '6'),
  m('qemu64', 'stepping', '3'),
  m('qemu32', 'popcnt', 'on'),
  m('kvm64', 'min-level', '5'),
  m('pentium3', 'min-level', '2'),
  m('n270', 'min-level', '5'),
  m('Conroe', 'min-level', '4'),
  m('Penryn', 'min-level', '4'),
  m('Nehalem', 'min-level', '4'),
  m('n270', 'min-xlevel', '0x8000000a'),
  m('Penryn', 'min-xlevel', '0x8000000a'),
  m('Conroe', 'min-xlevel', '0x8000000a'),
  m('Nehalem', 'min-xlevel', '0x8000000a'),
  m('Westmere', 'min-xlevel', '0x8000000a'),
  m('SandyBridge', 'min-xlevel', '0x8000000a'),
  m('IvyBridge', 'min-xlevel', '0x8000000a'),
  m('Haswell', 'min-xlevel', '0x8000000a'),
  m('Broadwell', 'min-xlevel', '0x8000000a'),
  m('Haswell', 'stepping', '1'),
  m('Haswell', 'rdrand', 'off'),
  m('Haswell', 'abm', 'off'),
  m('Haswell', 'f16c', 'off'),
  m('Broadwell', 'rdrand', 'off'),
  m('Broadwell', 'abm', 'off'),
  m('Broadwell', 'f16c', 'off'),
  m('Opteron_G2', 'rdtscp', 'on'),
  m('Opteron_G3', 'family', '15'),
  m('Opteron_G3', 'model', '6'),
  m('Opteron_G3', 'stepping', '1'),
  m('Opteron_G4', 'npt', 'off'),
  m('Opteron_G5', 'npt', 'off'),
  m('EPYC', 'npt', 'off'),
  m('EPYC', 'xlevel', '0x8000000a'),
  m('Skylake-Client', 'mpx', 'on'),
  m('Skylake-Server', 'mpx', 'on'),
  m('Skylake-Server', 'pku', 'off'),
  m('Skylake-Server', 'clflushopt', 'off'),
  m('Cascadelake-Server', 'mpx', 'on'),
  m('Cascadelake-Server', 'stepping', '5'),
  m('Icelake-Server', 'mpx', 'on'),
];
