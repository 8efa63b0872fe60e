/*
 * hpet-guest.asm, a bare-metal program, on QEMU 7.2 TCG and on tsqemu with the same command
 * line (test/sysarch/harness.ts): the IOAPIC and the HPET reached by the CPU's own MMIO while
 * it runs, timers firing from the vCPU loop, the HPET's rate against the PIT, legacy replacement.
 * The debug console's lines must be identical, and a few of QEMU's are checked so that a program
 * that printed nothing could not pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSARCH_DIR, runOnQemu, runOnTsqemu } from '../sysarch/harness.js';

/** Assembles and links hpet-guest.asm with the bare-metal kit (test/sysarch/lib.inc, link.ld). */
function build(): { elf: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hpet-guest-'));
  const obj = join(dir, 'hpet-guest.o'), elf = join(dir, 'hpet-guest.elf');
  const asm = spawnSync('nasm', ['-f', 'elf32', '-I', `${SYSARCH_DIR}/`, '-o', obj, join(SYSARCH_DIR, '..', 'devices', 'hpet-guest.asm')], { encoding: 'utf8' });
  if (asm.error || asm.status !== 0) throw new Error(`nasm: ${asm.error?.message ?? asm.stderr}`);
  const ld = spawnSync('ld', ['-m', 'elf_i386', '-T', join(SYSARCH_DIR, 'link.ld'), '-o', elf, obj], { encoding: 'utf8' });
  if (ld.error || ld.status !== 0) throw new Error(`ld: ${ld.error?.message ?? ld.stderr}`);
  return { elf, dir };
}

test('a guest program drives the IOAPIC and the HPET as under QEMU 7.2: one-shot, rate against the PIT, periodic comparator, legacy replacement', async () => {
  const { elf, dir } = build();
  try {
    const qemu = runOnQemu(elf);
    qemu.catch(() => undefined);
    const ours = runOnTsqemu(elf);
    const q = await qemu;
    for (const line of ['ioapic.ver=00170020', 'hpet.id=8086a201', 'hpet.period=00989680', 'oneshot.counter>=cmp=00000001',
      'rate.ok=00000001', 'periodic.isr=00000002', 'periodic.cmp.moved=00000001', 'periodic.cmp.mod=00000000', 'legacy.pit.irr0=00000000', 'legacy.timer0.irr0=00000001', 'faults=00000000']) {
      assert.ok(q.output.includes(`${line}\n`), `QEMU's output lacks ${line}:\n${q.output}`);
    }
    assert.equal(ours.output, q.output);
    assert.equal(ours.status, q.status);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
