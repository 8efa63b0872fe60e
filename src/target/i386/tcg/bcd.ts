/*
 * Decimal adjust instructions (legacy modes only): AAA AAS AAM AAD DAA DAS.
 * Flags the SDM leaves undefined: OF for all six, SF/ZF/PF for AAA/AAS, OF/AF/CF for AAM/AAD.
 * We compute SF/ZF/PF from AL and clear OF (what current Intel CPUs do).
 */
import type { TcgCpu } from './tcg-cpu.js';
import { computeAll, parityTable } from './flags.js';
import { CC_C, CC_A, CC_Z, CC_S, R_EAX, EXCP00_DIVZ } from './cpu-state.js';

function szp(v: number): number {
  v &= 0xff;
  return parityTable[v] | (v === 0 ? CC_Z : 0) | (v & 0x80 ? CC_S : 0);
}

export function aaa(c: TcgCpu, sub: boolean): void {
  const f = computeAll(c.env);
  let ax = c.getReg(2, R_EAX);
  let nf = 0;
  if ((ax & 0xf) > 9 || (f & CC_A) !== 0) {
    ax = sub ? (ax - 6 - 0x100) & 0xffff : (ax + 0x106) & 0xffff; // AX-wide, as current CPUs do
    nf = CC_A | CC_C;
  }
  ax &= 0xff0f;
  c.setReg(2, R_EAX, ax, 0);
  c.setFlags(nf | szp(ax));
}

export function aam(c: TcgCpu, base: number): void {
  if (base === 0) c.raise(EXCP00_DIVZ);
  const al = c.getReg(1, R_EAX);
  const r = al % base;
  c.setReg(2, R_EAX, ((Math.floor(al / base) & 0xff) << 8) | r, 0);
  c.setFlags(szp(r));
}

export function aad(c: TcgCpu, base: number): void {
  const ax = c.getReg(2, R_EAX);
  const al = ((ax & 0xff) + (ax >> 8) * base) & 0xff;
  c.setReg(2, R_EAX, al, 0);
  c.setFlags(szp(al));
}

export function daa(c: TcgCpu, sub: boolean): void {
  const f = computeAll(c.env);
  const oldAl = c.getReg(1, R_EAX);
  const oldCf = f & CC_C;
  let al = oldAl;
  let nf = 0;
  if ((al & 0xf) > 9 || (f & CC_A) !== 0) {
    al = sub ? al - 6 : al + 6;
    nf |= CC_A;
    if (oldCf || al > 0xff || al < 0) nf |= CC_C;
    al &= 0xff;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (sub ? al - 0x60 : al + 0x60) & 0xff;
    nf |= CC_C;
  }
  c.setReg(1, R_EAX, al, 0);
  c.setFlags(nf | szp(al));
}

/** SALC (undocumented, legacy modes): AL = CF ? 0xff : 0. */
export function salc(c: TcgCpu): void {
  c.setReg(1, R_EAX, (computeAll(c.env) & CC_C) !== 0 ? 0xff : 0, 0);
}
