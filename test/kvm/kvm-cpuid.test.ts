import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { kvmInit, kvmState, kvmStateReset } from '../../src/accel/kvm/kvm-all.js';
import { kvmCreateVcpu } from '../../src/accel/kvm/kvm-all.js';
import { kvmBuildCpuidTable, kvmGetCpuid2, kvmSetCpuid2, kvmSupportedCpuidFunction, supportedFeatureWord, type CpuidReg } from '../../src/target/i386/kvm/kvm.js';
import { KVM_SKIP, requireKvmTools } from './kvm-helpers.js';

// Oracle: real QEMU 7.2 with -accel kvm filters the requested features with
// kvm_arch_get_supported_cpuid() and warns "host doesn't support requested
// feature: CPUID.<leaf>H:<reg>.<name> [bit n]" for each one missing.  The
// features below are named as QEMU names them; their places are the SDM's.
requireKvmTools();

const features: Array<[string, number, CpuidReg, number]> = [
  ['pni', 1, 'ecx', 0], ['vmx', 1, 'ecx', 5], ['ssse3', 1, 'ecx', 9], ['fma', 1, 'ecx', 12], ['cx16', 1, 'ecx', 13],
  ['sse4.1', 1, 'ecx', 19], ['sse4.2', 1, 'ecx', 20], ['x2apic', 1, 'ecx', 21], ['movbe', 1, 'ecx', 22], ['popcnt', 1, 'ecx', 23],
  ['tsc-deadline', 1, 'ecx', 24], ['aes', 1, 'ecx', 25], ['xsave', 1, 'ecx', 26], ['avx', 1, 'ecx', 28], ['f16c', 1, 'ecx', 29],
  ['rdrand', 1, 'ecx', 30], ['hypervisor', 1, 'ecx', 31],
  ['mtrr', 1, 'edx', 12], ['pat', 1, 'edx', 16], ['ss', 1, 'edx', 27], ['ht', 1, 'edx', 28],
  ['arat', 6, 'eax', 2],
  ['fsgsbase', 7, 'ebx', 0], ['bmi1', 7, 'ebx', 3], ['avx2', 7, 'ebx', 5], ['smep', 7, 'ebx', 7], ['bmi2', 7, 'ebx', 8],
  ['erms', 7, 'ebx', 9], ['invpcid', 7, 'ebx', 10], ['avx512f', 7, 'ebx', 16], ['rdseed', 7, 'ebx', 18], ['adx', 7, 'ebx', 19],
  ['smap', 7, 'ebx', 20], ['clflushopt', 7, 'ebx', 23], ['sha-ni', 7, 'ebx', 29],
  ['umip', 7, 'ecx', 2], ['pku', 7, 'ecx', 3], ['rdpid', 7, 'ecx', 22],
  ['lahf-lm', 0x80000001, 'ecx', 0], ['svm', 0x80000001, 'ecx', 2], ['abm', 0x80000001, 'ecx', 5], ['sse4a', 0x80000001, 'ecx', 6],
  ['3dnowprefetch', 0x80000001, 'ecx', 8], ['topoext', 0x80000001, 'ecx', 22],
  ['pdpe1gb', 0x80000001, 'edx', 26], ['rdtscp', 0x80000001, 'edx', 27],
];

function key(leaf: number, reg: string, bit: number): string {
  return `${leaf.toString(16)}:${reg}:${bit}`;
}

test('supportedFeatureWord() matches the features QEMU 7.2 reports the host (KVM) lacks', { skip: KVM_SKIP }, () => {
  const cpu = 'qemu64,' + features.map(([n]) => `+${n}`).join(',');
  const r = spawnSync('qemu-system-x86_64', ['-accel', 'kvm', '-cpu', cpu, '-M', 'pc', '-display', 'none', '-S', '-monitor', 'stdio', '-nodefaults'],
    { encoding: 'utf8', input: 'quit\n', timeout: 30000 });
  const warned = new Set<string>();
  for (const m of r.stderr.matchAll(/host doesn't support requested feature: CPUID\.([0-9A-F]+)H:(E[A-D]X)\.\S+ \[bit (\d+)\]/g)) {
    warned.add(key(parseInt(m[1]!, 16), m[2]!.toLowerCase(), Number(m[3])));
  }
  assert.equal(r.status, 0, `QEMU did not run with KVM: ${r.stderr}`);
  assert.equal(kvmInit({ smpCpus: 1, maxCpus: 1, kernelIrqchip: 'on' }), 0);
  try {
    for (const [name, leaf, reg, bit] of features) {
      const supported = ((supportedFeatureWord(leaf, 0, reg) >>> bit) & 1) === 1;
      assert.equal(!supported, warned.has(key(leaf, reg, bit)), `${name}: KVM ${supported ? 'supports' : 'lacks'} it, QEMU ${warned.has(key(leaf, reg, bit)) ? 'warned' : 'did not warn'}`);
    }
    // Every warning QEMU printed (base model features too) is a bit we call unsupported.
    for (const k of warned) {
      const [leaf, reg, bit] = k.split(':');
      assert.equal((supportedFeatureWord(parseInt(leaf!, 16), 0, reg as CpuidReg) >>> Number(bit)) & 1, 0, k);
    }
  } finally {
    kvmStateReset();
  }
});

test('the CPUID table given to a vCPU is what KVM_GET_CPUID2 reads back', { skip: KVM_SKIP }, () => {
  assert.equal(kvmInit({ smpCpus: 1, maxCpus: 1, kernelIrqchip: 'on' }), 0);
  try {
    const s = kvmState();
    const v = kvmCreateVcpu(3);
    const table = kvmBuildCpuidTable(kvmSupportedCpuidFunction(3));
    assert.equal(kvmSetCpuid2(s, v.fd, table), 0);
    const back = kvmGetCpuid2(s, v.fd);
    assert.equal(back.length, table.length);
    const leaf1 = back.find((e) => e.function === 1)!;
    assert.equal(leaf1.ebx >>> 24, 3, 'CPUID.1:EBX[31:24] is the APIC id');
    const sig = back.find((e) => e.function === 0x40000000)!;
    assert.equal(Buffer.from(new Uint32Array([sig.ebx, sig.ecx, sig.edx]).buffer).toString('latin1'), 'KVMKVMKVM\0\0\0');
    s.sys.close(v.fd);
  } finally {
    kvmStateReset();
  }
});
