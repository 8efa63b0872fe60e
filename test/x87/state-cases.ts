/*
 * Cases for the 0F AE state instructions: FXSAVE/FXRSTOR (32- and 64-bit forms, misaligned
 * operands, reserved MXCSR bits), LDMXCSR/STMXCSR, XSAVE/XRSTOR/XSAVEOPT with requested-feature
 * bitmaps over x87 and SSE, headers with XSTATE_BV bits clear (init), and invalid headers.
 */
import { MEM, XAREA, rnd, rnd32, newData, makeCase, genImage, type Case } from './cases.js';

function put32(b: Uint8Array, o: number, v: number): void { for (let i = 0; i < 4; i++) b[o + i] = v >>> (8 * i); }
/** ModRM mod=10 rm=rbx with a disp32. */
function m(reg: number, disp: number): number[] {
  return [0x80 | (reg << 3) | 3, disp & 0xff, (disp >> 8) & 0xff, 0, 0];
}
const MOV_EAX = (v: number): number[] => [0xb8, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
const XOR_EDX = [0x31, 0xd2];
/**
 * An MXCSR bit outside QEMU's MXCSR_MASK (0x0000ffff).  Bit 17 (MM) is left out: this host's
 * MXCSR_MASK (AMD, 0x0002ffff) makes it writable, QEMU's does not.
 */
function reservedMxcsrBit(): number {
  const b = 16 + rnd(15);
  return 1 << (b >= 17 ? b + 1 : b);
}

export function stateCases(n: number): Case[] {
  const out: Case[] = [];
  for (let k = 0; k < n; k++) {
    for (const w of [false, true]) {
      const rex = w ? [0x48] : [];
      const pre = w ? '48 ' : '';
      // FXSAVE to the XSAVE area, sometimes misaligned (#GP).
      {
        const d = newData({ unmasked: 0.3, tags: 'random' });
        const off = rnd(4) === 0 ? XAREA + 8 + 16 * rnd(4) : XAREA;
        out.push(makeCase(`${pre}fxsave`, [...rex, 0x0f, 0xae, ...m(0, off)], d, false, [`${pre}0fae/0 m`]));
      }
      // FXRSTOR of a prepared image, sometimes misaligned or with reserved MXCSR bits (#GP).
      {
        const d = newData({ unmasked: 0.3, tags: 'random' });
        const img = new Uint8Array(512);
        genImage(img, { unmasked: 0.3, tags: rnd(2) ? 'random' : 'natural' });
        if (rnd(6) === 0) put32(img, 24, 0x1f80 | reservedMxcsrBit());
        d.set(img, XAREA);
        const off = rnd(5) === 0 ? XAREA + 4 : XAREA;
        out.push(makeCase(`${pre}fxrstor`, [...rex, 0x0f, 0xae, ...m(1, off)], d, false, [`${pre}0fae/1 m`]));
      }
    }
    // LDMXCSR (reserved bits: #GP) and STMXCSR.
    {
      const d = newData({ unmasked: 0, tags: 'random' });
      const v = (rnd32() & 0xffff) | (rnd(4) === 0 ? reservedMxcsrBit() : 0);
      put32(d, MEM + 16, v);
      out.push(makeCase('ldmxcsr', [0x0f, 0xae, ...m(2, MEM + 16), 0x0f, 0xae, ...m(3, MEM + 32)], d, false, ['0fae/2 m', '0fae/3 m']));
    }
    // XSAVE / XSAVEOPT with RFBM 0-3, then XRSTOR of what was saved with a random XSTATE_BV.
    for (const op of [4, 6]) {
      const d = newData({ unmasked: 0.3, tags: 'random' });
      const rfbm = rnd(4);
      for (let i = XAREA; i < XAREA + 576; i++) d[i] = i >= XAREA + 512 ? 0 : rnd(256);
      const name = op === 4 ? 'xsave' : 'xsaveopt';
      out.push(makeCase(`${name} rfbm=${rfbm}`, [...MOV_EAX(rfbm), ...XOR_EDX, 0x0f, 0xae, ...m(op, XAREA)], d, false, [`0fae/${op} m`]));
    }
    {
      const d = newData({ unmasked: 0, tags: 'random' });
      const img = new Uint8Array(512);
      genImage(img, { unmasked: 0.3, tags: rnd(2) ? 'random' : 'natural' });
      d.set(img, XAREA);
      for (let i = XAREA + 512; i < XAREA + 576; i++) d[i] = 0;
      d[XAREA + 512] = rnd(4);
      const bad = rnd(8);
      if (bad === 0) d[XAREA + 512 + 8 + rnd(16)] = 1 << rnd(8); // XCOMP_BV / reserved
      if (bad === 1) d[XAREA + 513] |= 1; // bit 8 (PT, a supervisor component): never in XCR0
      if (bad === 2) put32(d, XAREA + 24, 0x1f80 | reservedMxcsrBit()); // reserved MXCSR bit
      const rfbm = rnd(4);
      // XSAVE after XRSTOR shows the result in the area (the FXSAVE image also does).
      out.push(makeCase(`xrstor rfbm=${rfbm} bv=${d[XAREA + 512]}`, [...MOV_EAX(rfbm), ...XOR_EDX, 0x0f, 0xae, ...m(5, XAREA)], d, false, ['0fae/5 m']));
    }
  }
  return out;
}
