import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ourStartupLines, qemuStartupLines, requireTool, QEMU72_TCG_FEATURES } from './helpers.js';
import { tcgX86AccelCpuOps } from '../../src/target/i386/tcg-accel-cpu.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';
import {
  FEATURE_WORDS, FeatureWord, featureBitsByName, featureWordDescription, featureWordInfo, featureWordName,
} from '../../src/target/i386/cpu-features.js';

/*
 * Oracle: QEMU 7.2's filtering warnings for the seed's -cpu string (minus
 * +osxsave, which 7.2 refuses).  Our TCG (TCG_FEATURES) and 7.2's TCG support
 * different sets, so the comparison keeps the lines for features that neither
 * supports: those must be identical and in the same relative order.
 */
const SEED = '+erms,+smep,+fsgsbase,+pdpe1gb,+rdrand,+f16c,+dca,+pcid,+pdcm,+xtpr,+tm2,+est,+smx,+vmx,+ds_cpl,'
  + '+monitor,+dtes64,+pbe,+tm,+ht,+ss,+acpi,+ds,+vme';

const LINE = /^(.*): (CPUID\.[0-9A-F]+H:E[A-D]X|MSR\([0-9A-F]+H\))(?:\.(\S+))? \[bit (\d+)\]$/;

/** The feature word and bit a warning line is about. */
function lineBit(line: string): { w: FeatureWord; bit: number } | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const bit = Number(m[4]);
  if (m[3]) return featureBitsByName.get(m[3])!.find((b) => b.bit === bit)!;
  for (let w = 0; w < FEATURE_WORDS; w++) {
    if (featureWordDescription(w) === m[2] && !featureWordInfo[w as FeatureWord].names[bit]) return { w, bit };
  }
  throw new Error(`no word for ${line}`);
}

const supports = (table: Readonly<Record<string, number>>, b: { w: FeatureWord; bit: number }): boolean =>
  b.bit < 32 && (((table[featureWordName(b.w)] ?? 0) >>> b.bit) & 1) === 1;

/** Drops the lines about features the other accelerator supports. */
function commonLines(lines: string[], otherTcg: Readonly<Record<string, number>>): string[] {
  return lines.filter((l) => {
    const b = lineBit(l);
    return !b || !supports(otherTcg, b);
  });
}

function compare(qemuArgs: string[], ours: Parameters<typeof ourStartupLines>[0]): { qemu: string[]; ours: string[] } {
  const q = qemuStartupLines(qemuArgs).lines.map((l) => l.replace(/^warning: /, ''));
  const o = ourStartupLines(ours, tcgX86AccelCpuOps()).map((l) => l.replace(/^warning: /, ''));
  const qc = commonLines(q, TCG_FEATURES);
  const oc = commonLines(o, QEMU72_TCG_FEATURES as Record<string, number>);
  assert.deepEqual(oc, qc);
  return { qemu: q, ours: o };
}

requireTool('qemu-system-x86_64');

test('pc-i440fx-2.0: check is off (compat), so the seed prints no warnings', () => {
  const r = compare(['-M', 'pc-i440fx-2.0', '-accel', 'tcg', '-cpu', `SandyBridge,${SEED}`],
    { machine: '2.0', cpu: `SandyBridge,${SEED}` });
  assert.deepEqual(r.qemu, []);
  assert.deepEqual(r.ours, []);
});

test('pc-i440fx-2.0 with check=on: the same warning lines, in the same order', () => {
  const r = compare(['-M', 'pc-i440fx-2.0', '-accel', 'tcg', '-cpu', `SandyBridge,${SEED},check=on`],
    { machine: '2.0', cpu: `SandyBridge,${SEED},check=on` });
  // The seed's unsupported bits span 01H:EDX, 01H:ECX and the VMX MSRs (named and unnamed).
  assert.ok(r.qemu.length > 40, `QEMU printed ${r.qemu.length} lines`);
  for (const s of ['CPUID.01H:EDX.vme [bit 1]', 'CPUID.01H:ECX.ds-cpl [bit 4]', 'MSR(48CH) [bit 14]']) {
    assert.ok(r.qemu.some((l) => l.endsWith(s)), s);
  }
});

test('-smp 2 prints the warnings once per vCPU', () => {
  const r = compare(['-M', 'pc', '-accel', 'tcg', '-smp', '2', '-cpu', `SandyBridge,${SEED}`],
    { machine: '7.2', cpu: `SandyBridge,${SEED}`, smp: 2 });
  const half = r.qemu.length / 2;
  assert.ok(half > 0);
  assert.deepEqual(r.qemu.slice(0, half), r.qemu.slice(half));
  assert.deepEqual(r.ours.slice(0, r.ours.length / 2), r.ours.slice(r.ours.length / 2));
});

test('enforce: the warnings, then "TCG doesn\'t support requested features"', () => {
  const q = qemuStartupLines(['-M', 'pc', '-accel', 'tcg', '-cpu', `SandyBridge,${SEED},enforce`]);
  assert.equal(q.status, 1);
  const r = compare(['-M', 'pc', '-accel', 'tcg', '-cpu', `SandyBridge,${SEED},enforce`],
    { machine: '7.2', cpu: `SandyBridge,${SEED},enforce` });
  assert.equal(r.qemu.at(-1), "TCG doesn't support requested features");
  assert.equal(r.ours.at(-1), "TCG doesn't support requested features");
});
