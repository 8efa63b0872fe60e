/*
 * FNSTENV/FLDENV and FNSAVE/FRSTOR: the 14-byte (16-bit operand size) and 28-byte (32-bit)
 * environment, followed by ST(0)-ST(7) at 10 bytes each for the save forms.
 *
 * As in QEMU, one layout serves real and protected mode (FIP, FCS, FDP, FDS as plain words or
 * dwords, FOP not stored), FLDENV/FRSTOR do not reload the pointers, and 64-bit mode uses the
 * 32-bit layout.  As on the hardware, FNSTENV/FNSAVE then mask all exceptions (FNSAVE
 * reinitialises the FPU altogether).
 */
import type { TcgCpu } from './tcg-cpu.js';
import { fpuStatusWord, fpuSetStatusWord, fpuSetControlWord, fpuTagWord, fpuInit, stIndex } from './fpu-helper.js';

export function fstenv(c: TcgCpu, lin: number, data32: boolean): void {
  storeEnv(c, lin, data32);
  c.env.fpuc |= 0x3f;
}

function storeEnv(c: TcgCpu, lin: number, data32: boolean): void {
  const env = c.env;
  const mmu = c.mmu;
  const fields = [env.fpuc, fpuStatusWord(env), fpuTagWord(env), env.fpip, env.fpcs, env.fpdp, env.fpds];
  mmu.probeWrite(lin, data32 ? 28 : 14);
  for (let i = 0; i < 7; i++) {
    if (data32) mmu.st32(c.addrAdd(lin, 4 * i), fields[i] | 0);
    else mmu.st16(c.addrAdd(lin, 2 * i), fields[i] & 0xffff);
  }
}

export function fldenv(c: TcgCpu, lin: number, data32: boolean): void {
  const env = c.env;
  const mmu = c.mmu;
  const step = data32 ? 4 : 2;
  const fcw = mmu.ld16(lin);
  const fsw = mmu.ld16(c.addrAdd(lin, step));
  let ftw = mmu.ld16(c.addrAdd(lin, 2 * step));
  fpuSetControlWord(env, fcw);
  fpuSetStatusWord(env, fsw);
  for (let i = 0; i < 8; i++) {
    env.fptags[i] = (ftw & 3) === 3 ? 1 : 0;
    ftw >>= 2;
  }
}

export function fsave(c: TcgCpu, lin: number, data32: boolean): void {
  const env = c.env;
  const mmu = c.mmu;
  storeEnv(c, lin, data32);
  let a = c.addrAdd(lin, data32 ? 28 : 14);
  mmu.probeWrite(a, 80);
  for (let i = 0; i < 8; i++) {
    const p = stIndex(env, i);
    mmu.st32(a, env.fpregs[4 * p]);
    mmu.st32(c.addrAdd(a, 4), env.fpregs[4 * p + 1]);
    mmu.st16(c.addrAdd(a, 8), env.fpregs[4 * p + 2]);
    a = c.addrAdd(a, 10);
  }
  fpuInit(env);
}

export function frstor(c: TcgCpu, lin: number, data32: boolean): void {
  const env = c.env;
  const mmu = c.mmu;
  // Read everything first: a fault part-way leaves the FPU unchanged.
  let a = c.addrAdd(lin, data32 ? 28 : 14);
  const regs = new Int32Array(24);
  for (let i = 0; i < 8; i++) {
    regs[3 * i] = mmu.ld32(a);
    regs[3 * i + 1] = mmu.ld32(c.addrAdd(a, 4));
    regs[3 * i + 2] = mmu.ld16(c.addrAdd(a, 8));
    a = c.addrAdd(a, 10);
  }
  fldenv(c, lin, data32);
  for (let i = 0; i < 8; i++) {
    const p = stIndex(env, i);
    env.fpregs[4 * p] = regs[3 * i];
    env.fpregs[4 * p + 1] = regs[3 * i + 1];
    env.fpregs[4 * p + 2] = regs[3 * i + 2];
  }
}
