import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ourStartupLines, qemuStartupLines, qemu72TcgOps, requireTool } from './helpers.js';

/*
 * Oracle: QEMU 7.2's stderr for -cpu strings, good and bad (-M pc, TCG).  Ours
 * runs with 7.2's TCG feature set, so every line must match, warnings included.
 */
const CASES = [
  'x', 'SandyBridge-v9', 'host', 'SandyBridge', 'SandyBridge,,+ssse3', 'SandyBridge-IBRS',
  'SandyBridge,family=300', 'SandyBridge,family=-1', 'SandyBridge,family=abc', 'SandyBridge,model=256',
  'SandyBridge,stepping=16', 'SandyBridge,vendor=abc', 'SandyBridge,level=abc', 'SandyBridge,level=0x100000000',
  'SandyBridge,level=-1', 'SandyBridge,phys-bits=abc', 'SandyBridge,phys-bits=20', 'qemu32,phys-bits=36',
  'SandyBridge,bogus=on', 'SandyBridge,+bogus', 'SandyBridge,-bogus', 'max,+bogus', 'SandyBridge,+osxsave',
  'SandyBridge,sse3=maybe', 'SandyBridge,check=maybe', 'SandyBridge,tsc-freq=abc', 'SandyBridge,tsc-freq=2.5G',
  'SandyBridge,+avx,avx=off', 'SandyBridge,-avx,avx=on', 'SandyBridge,+x2apic,x2apic=off,-ssse3,ssse3=on',
  'SandyBridge,sse4_1=off,+sse4_1', 'SandyBridge,vmx-ept=on', 'SandyBridge,+vmx,-vmx-ept', 'SandyBridge,check=off,+vmx',
  'SandyBridge,enforce,+vme', 'SandyBridge,enforce', 'Haswell-noTSX-IBRS,+hle,+rtm', 'EPYC,-svm,npt=on',
  'SandyBridge,+ds_cpl,+lahf_lm,-sse4.2,+pclmuldq,+i64', 'SandyBridge,model-id=My CPU,vendor=AuthenticAMD',
  'Skylake-Server,+intel-pt,x-intel-pt-auto-level=off', 'SandyBridge,xlevel=0x80000001,level=3',
  'SandyBridge,hv_relaxed,hv_spinlocks=0x1fff,hv-vendor-id=abc', 'SandyBridge,hv-no-nonarch-coresharing=x',
  'SandyBridge,hv-spinlocks=abc', 'SandyBridge,+', 'SandyBridge,-', 'SandyBridge,=on', 'SandyBridge,avx=',
  'SandyBridge,level=', 'SandyBridge,tsc_freq=1.5G', 'SandyBridge,tsc-freq=2.5', 'SandyBridge,family=0x10,model=0x3a',
  'SandyBridge,vendor=GenuineIntelX', 'SandyBridge,model-id=', 'qemu64,+la57,+pku,+umip', 'SandyBridge,level=0x1f,+avx2',
  'Conroe,+xsave,+avx,+xsaveopt', 'EPYC,-xsave', 'kvm64,+kvmclock,kvm_pv_eoi=on', 'SandyBridge,+hypervisor,-hypervisor',
  'SandyBridge,apic-id=0x3', 'max,-sse4.2,pmu=off', ',', 'sandybridge',
];

test('-cpu strings: every stderr line and the outcome match QEMU 7.2', () => {
  requireTool('qemu-system-x86_64');
  for (const c of CASES) {
    const q = qemuStartupLines(['-M', 'pc', '-accel', 'tcg', '-cpu', c]);
    const ours = ourStartupLines({ machine: '7.2', cpu: c }, qemu72TcgOps());
    assert.deepEqual(ours, q.lines, `-cpu ${c}`);
  }
});

test('+osxsave: refused as 7.2 refuses it, except on QEMU 2.0-era machines (documented)', () => {
  const q = qemuStartupLines(['-M', 'pc', '-accel', 'tcg', '-cpu', 'SandyBridge,+osxsave']);
  assert.deepEqual(q.lines, ["Property 'SandyBridge-x86_64-cpu.osxsave' not found"]);
  assert.deepEqual(ourStartupLines({ machine: '7.2', cpu: 'SandyBridge,+osxsave' }, qemu72TcgOps()), q.lines);
  // Spec (docs/cpu-models.md): QEMU 2.0 took the name; we ignore it there with one warning, even with -smp 2.
  const ours = ourStartupLines({ machine: '2.0', cpu: 'SandyBridge,+vme,+osxsave,check=on', smp: 2 }, qemu72TcgOps());
  const warn = "warning: CPU feature '+osxsave' ignored: CPUID.01H:ECX.osxsave [bit 27] is set by the guest OS (CR4.OSXSAVE), not by -cpu";
  assert.equal(ours.filter((l) => l === warn).length, 1);
  // Everything else is what 7.2 prints without +osxsave.
  const q20 = qemuStartupLines(['-M', 'pc-i440fx-2.0', '-accel', 'tcg', '-smp', '2', '-cpu', 'SandyBridge,+vme,check=on']);
  assert.deepEqual(ours.filter((l) => l !== warn), q20.lines);
});

test('-global and -cpu features win over the machine\'s compat globals, whatever the registration order', () => {
  requireTool('qemu-system-x86_64');
  // pc-i440fx-2.0's compat props set x86_64-cpu.check=off; the user's check=on must win, and +ds is then reported.
  for (const [globals, cpu] of [[['x86_64-cpu.check=on'], 'SandyBridge,+ds'], [[], 'SandyBridge,+ds,check=on'],
    [['x86_64-cpu.check=on'], 'SandyBridge,+ds,check=off']] as Array<[string[], string]>) {
    const q = qemuStartupLines(['-M', 'pc-i440fx-2.0', '-accel', 'tcg', ...globals.flatMap((g) => ['-global', g]), '-cpu', cpu]);
    assert.deepEqual(ourStartupLines({ machine: '2.0', cpu, globals }, qemu72TcgOps()), q.lines, `${globals} -cpu ${cpu}`);
  }
});

test('AMD models without topoext warn once about SMT, as 7.2 does', () => {
  for (const cpu of ['qemu64', 'EPYC', 'Opteron_G3,+topoext']) {
    const q = qemuStartupLines(['-M', 'pc', '-accel', 'tcg', '-smp', '4,sockets=1,cores=2,threads=2', '-cpu', cpu]);
    assert.deepEqual(ourStartupLines({ machine: '7.2', cpu, smp: 4, threads: 2 }, qemu72TcgOps()), q.lines, cpu);
  }
});
