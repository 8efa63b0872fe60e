/*
 * CR0.NE=0: a waiting instruction with a pending unmasked exception signals FERR# instead of
 * #MF, unless IGNNE# is asserted (QEMU 7.2's fpu_raise_exception / fpu_check_raise_ferr_irq and
 * cpu_set_ignne, target/i386/tcg/fpu_helper.c).  QEMU 7.2 itself aborts on this path under TCG
 * (tcg_handle_interrupt asserts the iothread lock), so the oracle is its source and the SDM
 * (Vol. 1 §8.7: FERR# with CR0.NE=0), not a run of QEMU.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, loadRealMode } from '../tcg/machine.js';
import { EXIT_HLT, EXIT_EXCEPTION } from '../../src/target/i386/tcg/cpu-exec.js';
import { x87Irq } from '../../src/target/i386/tcg/fpu-helper.js';

const PROGRAM = [
  0xdb, 0xe3,             // fninit
  0xd9, 0x2e, 0x00, 0x05, // fldcw [0x500] (0x37b: ZE unmasked)
  0xd9, 0xee,             // fldz
  0xd9, 0xe8,             // fld1
  0xd8, 0xf1,             // fdiv st0, st1: ZE pending
  0x9b,                   // fwait
  0xdf, 0xe0,             // fnstsw ax
  0xf4,                   // hlt
];

function run(cr0: number, ignne: boolean): { exit: number; vector: number; ferr: number; calls: number; ax: number } {
  const m = makeMachine();
  loadRealMode(m, 0x7c00, PROGRAM);
  m.as.loadBlob(0x500, Uint8Array.from([0x7b, 0x03]));
  const env = m.cpu.env;
  env.cr0 = cr0;
  const irq = x87Irq(env);
  let calls = 0;
  irq.raiseFerr = () => void calls++;
  irq.ignne = ignne;
  const exit = m.cpu.run(100);
  return { exit, vector: env.exception_index, ferr: irq.ferrCount, calls, ax: env.regs[0] & 0xffff };
}

test('FWAIT with a pending unmasked exception: #MF with CR0.NE=1, FERR# with NE=0, nothing under IGNNE#', () => {
  const ne = run(0x60000030, false);
  assert.equal(ne.exit, EXIT_EXCEPTION);
  assert.equal(ne.vector, 16);
  assert.equal(ne.calls, 0);

  const ferr = run(0x60000010, false);
  assert.equal(ferr.exit, EXIT_HLT);
  assert.equal(ferr.calls, 1);
  assert.equal(ferr.ferr, 1);
  assert.equal(ferr.ax & 0x80ff, 0x8084); // B, ES and ZE stay set: FERR# does not clear them

  const ignne = run(0x60000010, true);
  assert.equal(ignne.exit, EXIT_HLT);
  assert.equal(ignne.calls, 0);
});
