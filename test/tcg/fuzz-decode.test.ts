/*
 * Robustness: random byte strings executed in 16-, 32- and 64-bit code must only ever end in an
 * architectural outcome (budget, HLT, or a CPU exception with a valid vector), never in an
 * internal JavaScript error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine } from './machine.js';
import { Rng } from '../diff/gen.js';
import { EXIT_EXCEPTION } from '../../src/target/i386/tcg/cpu-exec.js';
import {
  R_CS, R_SS, R_DS, R_ES, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, DESC_P_MASK, DESC_S_MASK, DESC_CS_MASK,
  DESC_L_MASK, DESC_W_MASK, DESC_B_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';

test('random instruction bytes never cause an internal error, in every code size', () => {
  const m = makeMachine(1 << 20);
  const env = m.cpu.env;
  const r = new Rng(4242);
  const code = new Uint8Array(64);
  let faults = 0;
  for (const mode of [2, 4, 8]) {
    for (let i = 0; i < 3000; i++) {
      for (let k = 0; k < code.length; k++) code[k] = r.int(256);
      m.as.loadBlob(0x10000, code);
      if (mode === 8) {
        // Long mode needs page tables: identity-map the first 2 MiB (PML4 at 0xf0000).
        m.as.loadBlob(0xf0000, Uint8Array.of(0x03, 0x10, 0x0f));
        m.as.loadBlob(0xf1000, Uint8Array.of(0x03, 0x20, 0x0f));
        m.as.loadBlob(0xf2000, Uint8Array.of(0x83, 0, 0));
        env.cr3 = 0xf0000;
        env.cr4 = 0x20; // PAE
      }
      env.cr0 = mode === 2 ? 0 : CR0_PE_MASK | (mode === 8 ? CR0_PG_MASK : 0);
      env.efer = mode === 8 ? EFER_LME | EFER_LMA : 0;
      const data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | (mode === 2 ? 0 : DESC_B_MASK);
      for (const s of [R_SS, R_DS, R_ES]) env.loadSegCache(s, mode === 2 ? 0 : 0x10, 0, mode === 2 ? 0xffff : 0xffffffff, data);
      const cs = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | (mode === 8 ? DESC_L_MASK : mode === 4 ? DESC_B_MASK : 0);
      env.loadSegCache(R_CS, mode === 2 ? 0 : 0x8, 0, mode === 2 ? 0xffff : 0xffffffff, cs);
      env.gdtBase = 0; env.gdtLimit = 0xffff;
      for (let reg = 0; reg < 16; reg++) { env.regs[2 * reg] = r.int(0x8000); env.regs[2 * reg + 1] = 0; }
      env.regs[8] = 0x8000; // SP
      env.rip = 0x10000 & (mode === 2 ? 0xffff : -1);
      if (mode === 2) { env.loadSegCache(R_CS, 0x1000, 0x10000, 0xffff, cs); env.rip = 0; }
      env.exception_is_int = false;
      const exit = m.cpu.run(40);
      if (exit === EXIT_EXCEPTION) {
        faults++;
        assert.ok(env.exception_index >= 0 && env.exception_index < 256);
      }
    }
  }
  assert.ok(faults > 1000, `random bytes fault often (${faults})`);
});
