/*
 * The seed's `-cpu SandyBridge,+erms,…,+vme` line (libvirt on Ubuntu 14.04, whose machine was
 * pc-i440fx-trusty) boots Debian's kernel on our software CPU, and the guest's /proc/cpuinfo shows
 * the SandyBridge model name and exactly the flags our TCG provides for that model.
 *
 * Oracles:
 *  - model name: QEMU 7.2's model-id of SandyBridge-v1 as `-cpu help` lists it (the unversioned
 *    name is "alias configured by machine type"; QEMU's own guest on the same machine type must
 *    show that model-id, which confirms the alias resolves to v1 there);
 *  - flags: the same kernel booted by QEMU 7.2 under TCG with the same -cpu line.  Our flags must
 *    equal QEMU's minus the /proc/cpuinfo names of the CPUID bits that we filter under TCG and QEMU
 *    does not — both emulators print one "TCG doesn't support requested feature" warning per
 *    filtered bit, parsed from the stderr of the same runs — and nothing else.  The CPUID bit →
 *    /proc/cpuinfo name table is Linux's arch/x86/include/asm/cpufeatures.h (a quoted name in the
 *    comment wins over the define's name; "" means the flag is never shown).
 *
 * Command lines:
 *  - QEMU 7.2 has no `osxsave` property any more (it refuses the seed's line: "Property
 *    'SandyBridge-x86_64-cpu.osxsave' not found", checked below); only QEMU 2.0-era machines of
 *    ours accept and ignore it.  So we run the seed's machine (pc-i440fx-trusty, our alias of
 *    pc-i440fx-2.0) with the seed's line verbatim, and QEMU pc-i440fx-2.0 with the line minus
 *    +osxsave.  OSXSAVE is a "" flag in Linux (never shown), so that cannot change a flags line.
 *  - The 2.0 machines' compat properties set check=off, which silences the filter warnings;
 *    `-global SandyBridge-x86_64-cpu.check=on` turns them back on (warnings only; nothing else).
 *
 * Linux-synthetic flags (cpuid, nopl, rep_good, constant_tsc, pti, tsc_known_freq, xtopology,
 * nonstop_tsc, …) are NOT exempted: they follow from family/model/stepping (the same model on
 * both), from MSRs (rep_good needs IA32_MISC_ENABLE's fast-strings bit; pti follows from the model
 * and the absence of IA32_ARCH_CAPABILITIES.RDCL_NO) or from CPUID leaves (0xB, 0x15, 0x80000007) that both emulators
 * derive from the model, so they must agree too and a difference fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bootAndRun, linuxArgs, TSQEMU, type BootRun } from '../../bench/linux-boot.js';

const QEMU = 'qemu-system-x86_64';
const SEED_CPU = 'SandyBridge,+erms,+smep,+fsgsbase,+pdpe1gb,+rdrand,+f16c,+osxsave,+dca,+pcid,+pdcm,+xtpr,' +
  '+tm2,+est,+smx,+vmx,+ds_cpl,+monitor,+dtes64,+pbe,+tm,+ht,+ss,+acpi,+ds,+vme';
const QEMU_CPU = SEED_CPU.replace(',+osxsave', '');
const CHECK_ON = ['-global', 'SandyBridge-x86_64-cpu.check=on'];
const COMMANDS = ['grep -E "^(processor|model name|flags)" /proc/cpuinfo', 'poweroff'];

/*
 * /proc/cpuinfo names per CPUID register and bit, from Linux 6.1's cpufeatures.h (words 0, 1, 4,
 * 6, 9, 10, 14).  null: the bit has no flag in /proc/cpuinfo (reserved, or a "" name).  Bits that
 * QEMU duplicates from leaf 1 into 80000001H:EDX are not Linux features there (null).
 */
const n = null;
const LINUX_NAMES: Record<string, readonly (string | null)[]> = {
  '01H:EDX': ['fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', n, 'sep', 'mtrr', 'pge', 'mca',
    'cmov', 'pat', 'pse36', 'pn', 'clflush', n, 'dts', 'acpi', 'mmx', 'fxsr', 'sse', 'sse2', 'ss', 'ht', 'tm', 'ia64', 'pbe'],
  '01H:ECX': ['pni', 'pclmulqdq', 'dtes64', 'monitor', 'ds_cpl', 'vmx', 'smx', 'est', 'tm2', 'ssse3', 'cid', 'sdbg',
    'fma', 'cx16', 'xtpr', 'pdcm', n, 'pcid', 'dca', 'sse4_1', 'sse4_2', 'x2apic', 'movbe', 'popcnt',
    'tsc_deadline_timer', 'aes', 'xsave', n /* osxsave: "" */, 'avx', 'f16c', 'rdrand', 'hypervisor'],
  '07H:EBX': ['fsgsbase', 'tsc_adjust', 'sgx', 'bmi1', 'hle', 'avx2', n, 'smep', 'bmi2', 'erms', 'invpcid', 'rtm',
    'cqm', n, 'mpx', 'rdt_a', 'avx512f', 'avx512dq', 'rdseed', 'adx', 'smap', 'avx512ifma', n, 'clflushopt', 'clwb',
    'intel_pt', 'avx512pf', 'avx512er', 'avx512cd', 'sha_ni', 'avx512bw', 'avx512vl'],
  '80000001H:EDX': [n, n, n, n, n, n, n, n, n, n, n, 'syscall', n, n, n, n, n, n, n, 'mp', 'nx', n, 'mmxext', n, n,
    'fxsr_opt', 'pdpe1gb', 'rdtscp', n, 'lm', '3dnowext', '3dnow'],
  '80000001H:ECX': ['lahf_lm', 'cmp_legacy', 'svm', 'extapic', 'cr8_legacy', 'abm', 'sse4a', 'misalignsse',
    '3dnowprefetch', 'osvw', 'ibs', 'xop', 'skinit', 'wdt', n, 'lwp', 'fma4', 'tce', n, 'nodeid_msr', n, 'tbm',
    'topoext', 'perfctr_core', 'perfctr_nb', n, 'bpext', 'ptsc', 'perfctr_llc', 'mwaitx', n, n],
  '06H:EAX': ['dtherm', 'ida', 'arat', n, 'pln', n, 'pts', 'hwp', 'hwp_notify', 'hwp_act_window', 'hwp_epp',
    'hwp_pkg_req'],
  // CPUID.(EAX=0DH,ECX=1):EAX (QEMU names these bits); the unnamed CPUID.0DH:EAX bits QEMU also
  // prints are XCR0 state components of ECX=0, which have no flags (handled in linuxName).
  '0DH:EAX': ['xsaveopt', 'xsavec', 'xgetbv1', 'xsaves'],
};

interface FilteredBit { reg: string; name: string; bit: number; text: string }

/**
 * The CPUID bits a run filtered, from its "TCG doesn't support requested feature" warnings (each
 * vCPU prints them, so they are taken once).  The MSR(48xH) warnings are VMX capabilities, moot
 * since both emulators filter vmx itself.
 */
function filteredCpuidBits(run: BootRun): FilteredBit[] {
  const stderr = run.output.slice(run.output.lastIndexOf('\n[stderr]\n') + 1);
  const re = /TCG doesn't support requested feature: (CPUID\.([0-9A-F]+H):(E[A-D]X)(?:\.(\S+))? \[bit (\d+)\])/g;
  const bits = new Map<string, FilteredBit>();
  for (const m of stderr.matchAll(re)) bits.set(m[1]!, { reg: `${m[2]}:${m[3]}`, name: m[4] ?? '', bit: Number(m[5]), text: m[1]! });
  return [...bits.values()];
}

/** The /proc/cpuinfo flag of a filtered bit, or null when Linux shows none for it. */
function linuxName(f: FilteredBit): string | null {
  if (f.reg === '0DH:EAX' && f.name === '') return null; // an XCR0 state component (leaf 0DH, ECX=0)
  const names = LINUX_NAMES[f.reg];
  assert.ok(names && f.bit < names.length, `no /proc/cpuinfo name known for ${f.text}: extend LINUX_NAMES from Linux's cpufeatures.h`);
  return names[f.bit] ?? null;
}

interface CpuInfo { processors: number; modelNames: string[]; flags: Set<string> }

/** The reply to the grep of /proc/cpuinfo: every CPU's model name and flags line, which must agree. */
function parseCpuinfo(who: string, reply: string): CpuInfo {
  const lines = reply.split(/\r?\n/);
  const field = (key: string): string[] =>
    lines.map((l) => new RegExp(`^${key}\\s*: ?(.*)$`).exec(l)?.[1]?.trim()).filter((v): v is string => v !== undefined);
  const processors = field('processor').length;
  const modelNames = field('model name');
  const flagLines = field('flags');
  assert.equal(flagLines.length, processors, `${who}: one flags line per processor in:\n${reply}`);
  assert.equal(new Set(flagLines).size, 1, `${who}: the CPUs' flags lines differ:\n${flagLines.join('\n')}`);
  return { processors, modelNames, flags: new Set(flagLines[0]!.split(/\s+/)) };
}

/** QEMU 7.2's model-id of SandyBridge (v1, what the unversioned name means on the pc machines). */
function qemuSandyBridgeModelId(): string {
  const help = spawnSync(QEMU, ['-cpu', 'help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, `${QEMU} -cpu help: ${help.error ?? help.stderr}`);
  const m = /^x86 SandyBridge-v1\s+(.+?)\s*$/m.exec(help.stdout);
  assert.ok(m, `no SandyBridge-v1 in ${QEMU} -cpu help`);
  return m[1]!;
}

const sorted = (s: Iterable<string>): string => [...s].sort().join(' ') || '(none)';

test('seed -cpu SandyBridge,+… line: Debian kernel boots; /proc/cpuinfo model name and flags match QEMU 7.2 TCG minus our filtered bits', { timeout: 900_000 }, async () => {
  const modelId = qemuSandyBridgeModelId();
  const refused = spawnSync(QEMU, ['-M', 'pc-i440fx-2.0', '-cpu', SEED_CPU, '-display', 'none', '-S'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(refused.status, 1, 'QEMU 7.2 refuses +osxsave (the reason its line lacks it)');
  assert.match(refused.stderr, /Property 'SandyBridge-x86_64-cpu\.osxsave' not found/);

  const [ours, qemu] = await Promise.all([
    bootAndRun(TSQEMU, linuxArgs(2, 512, ['-M', 'pc-i440fx-trusty', ...CHECK_ON, '-cpu', SEED_CPU]), COMMANDS, 840_000),
    bootAndRun(QEMU, linuxArgs(2, 512, ['-M', 'pc-i440fx-2.0', ...CHECK_ON, '-accel', 'tcg', '-cpu', QEMU_CPU]), COMMANDS, 300_000),
  ]);
  const tail = (r: BootRun): string => r.output.slice(-3000);
  assert.equal(qemu.exitCode, 0, `QEMU's exit status; its console ends with:\n${tail(qemu)}`);
  assert.ok(!Number.isNaN(ours.markerMs), `no guest marker from tsqemu; console ends with:\n${tail(ours)}`);
  assert.equal(ours.exitCode, 0, `tsqemu's exit status; console ends with:\n${tail(ours)}`);
  assert.match(ours.output, /CPU feature '\+osxsave' ignored/, 'tsqemu takes the seed line on the seed machine');

  const mine = parseCpuinfo('tsqemu', ours.replies[0] ?? '');
  const theirs = parseCpuinfo('QEMU', qemu.replies[0] ?? '');
  assert.equal(theirs.processors, 2, 'QEMU guest CPUs');
  assert.equal(mine.processors, 2, 'tsqemu guest CPUs');
  assert.deepEqual(theirs.modelNames, [modelId, modelId], 'QEMU guest model names (oracle check)');
  assert.deepEqual(mine.modelNames, [modelId, modelId], 'tsqemu guest model names');

  const key = (f: FilteredBit): string => f.text; // the name tells 0DH's ECX=1 bits from its (unnamed) ECX=0 ones
  const ourFiltered = filteredCpuidBits(ours), qemuFiltered = filteredCpuidBits(qemu);
  assert.ok(ourFiltered.length > 0 && qemuFiltered.length > 0, 'both runs print their filter warnings (check=on)');
  const qemuKeys = new Set(qemuFiltered.map(key)), ourKeys = new Set(ourFiltered.map(key));
  const onlyOurs = ourFiltered.filter((f) => !qemuKeys.has(key(f)));
  const onlyQemu = qemuFiltered.filter((f) => !ourKeys.has(key(f)));
  const removed = new Set(onlyOurs.map(linuxName).filter((x): x is string => x !== null));

  const expected = new Set([...theirs.flags].filter((f) => !removed.has(f)));
  const missing = [...expected].filter((f) => !mine.flags.has(f));
  const extra = [...mine.flags].filter((f) => !expected.has(f));
  const fpuLog = ours.output.split('\n').filter((l) => l.includes('x86/fpu')).join('\n');
  assert.ok(missing.length === 0 && extra.length === 0,
    `tsqemu's /proc/cpuinfo flags differ from QEMU's minus our extra filtered bits:\n` +
    `  missing (QEMU shows them, and we filter no bit named so): ${sorted(missing)}\n` +
    `  extra (we show them, QEMU does not): ${sorted(extra)}\n` +
    `  bits only we filter: ${onlyOurs.map((f) => f.text).join(', ') || '(none)'}\n` +
    `  bits only QEMU filters: ${onlyQemu.map((f) => f.text).join(', ') || '(none)'}\n` +
    `  QEMU's flags: ${sorted(theirs.flags)}\n  our flags:    ${sorted(mine.flags)}\n` +
    `  our guest's x86/fpu lines:\n${fpuLog}`);
});
