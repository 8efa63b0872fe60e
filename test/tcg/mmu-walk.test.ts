/*
 * The soft-MMU's page walk and TLB, driven directly on a bare machine (control registers set in
 * env, page tables written by the test).  Expected values follow the SDM Vol. 3 ch. 4 rules;
 * where QEMU 7.2 differs from the SDM (the #PF error code of a reserved-bit fault has no P bit,
 * PAE PDPTEs get the accessed bit) the expectation is QEMU's, as its bare-metal runs show
 * (test/sysarch/mmu.test.ts compares whole programs with QEMU).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMachine, type TestMachine } from './machine.js';
import { CPU_EXCEPTION } from '../../src/target/i386/tcg/tcg-cpu.js';
import {
  R_CS, R_DS, R_ES, R_SS, CR0_PE_MASK, CR0_PG_MASK, EFER_LMA, EFER_LME, AC_MASK, DESC_P_MASK, DESC_S_MASK,
  DESC_CS_MASK, DESC_B_MASK, DESC_W_MASK, DESC_L_MASK,
} from '../../src/target/i386/tcg/cpu-state.js';
import { EXIT_HLT } from '../../src/target/i386/tcg/cpu-exec.js';
import { TCG_FEATURES } from '../../src/target/i386/tcg/tcg-features.js';

const WP = 1 << 16, PSE = 0x10, PAE = 0x20, PGE = 0x80, SMEP = 1 << 20, SMAP = 1 << 21, NXE = 1 << 11;
const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;

interface Ctx { m: TestMachine; dv: DataView }

/** The model's features: ours plus long mode, so the physical address width is QEMU's 40 bits. */
const FEATURES = { ...TCG_FEATURES, FEAT_8000_0001_EDX: TCG_FEATURES.FEAT_8000_0001_EDX | (1 << 29) };

function setup(): Ctx {
  const m = makeMachine(16 << 20, FEATURES);
  return { m, dv: new DataView(m.alloc.u8.buffer, m.alloc.u8.byteOffset) };
}

/** Flat protected-mode segments at `cpl`, 32-bit or 64-bit code. */
function setCpl(c: Ctx, cpl: number, long = false): void {
  const env = c.m.cpu.env;
  const dpl = cpl << 13;
  const data = DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_B_MASK | dpl;
  for (const s of [R_SS, R_DS, R_ES]) env.loadSegCache(s, 0x10 | cpl, 0, 0xffffffff, data);
  const code = DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | 0x200 | dpl | (long ? DESC_L_MASK : DESC_B_MASK);
  env.loadSegCache(R_CS, 0x08 | cpl, 0, 0xffffffff, code);
  c.m.cpu.mmu.checkMapChange(); // what the execution loop does before running
}

function paging32(c: Ctx, cr3: number, cr4 = 0, wp = false): void {
  const env = c.m.cpu.env;
  env.cr3 = cr3;
  env.cr4 = cr4;
  env.cr0 = CR0_PE_MASK | CR0_PG_MASK | (wp ? WP : 0);
  setCpl(c, 0);
  c.m.cpu.mmu.tlbFlush();
}

/** Runs `fn`; returns null, or the #PF it raised as [error code, CR2]. */
function fault(c: Ctx, fn: () => void): [number, number] | null {
  const env = c.m.cpu.env;
  try {
    fn();
    return null;
  } catch (e) {
    if (e !== CPU_EXCEPTION) throw e;
    assert.equal(env.exception_index, 14, 'a page fault');
    return [env.error_code, env.cr2];
  }
}

const q = (c: Ctx, a: number): number => c.dv.getUint32(a, true);
const setq = (c: Ctx, a: number, lo: number, hi = 0): void => {
  c.dv.setUint32(a, lo >>> 0, true);
  c.dv.setUint32(a + 4, hi >>> 0, true);
};

/* 32-bit paging layout: PD at 0x10000, PT (for 0x40000000) at 0x11000, pages at 0x20000... */
const PD = 0x10000, PT = 0x11000, PA = 0x20000, PB = 0x21000, WIN = 0x40000000;

function tables32(c: Ctx): void {
  c.dv.setUint32(PD + (WIN >>> 22) * 4, PT | P | RW | US, true);
  c.dv.setUint32(PA, 0xaaaa0001, true);
  c.dv.setUint32(PB, 0xbbbb0002, true);
}

test('32-bit paging: translation, A/D bits, not-present and read-only faults, CR0.WP', () => {
  const c = setup();
  tables32(c);
  paging32(c, PD);
  const mmu = c.m.cpu.mmu;
  c.dv.setUint32(PT, PA | P | RW, true);
  assert.equal(mmu.ld32(WIN) >>> 0, 0xaaaa0001);
  assert.equal(q(c, PD + (WIN >>> 22) * 4), PT | P | RW | US | A);
  assert.equal(q(c, PT), PA | P | RW | A, 'a read sets A, not D');
  mmu.st32(WIN + 4, 0x12345678);
  assert.equal(q(c, PT), PA | P | RW | A | D, 'a write sets D');
  assert.equal(q(c, PA + 4), 0x12345678);
  // Not present: error code 0 (read) / 2 (write), CR2 the address.
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 0x1000)), [0, WIN + 0x1000]);
  assert.deepEqual(fault(c, () => mmu.st8(WIN + 0x1008, 1)), [2, WIN + 0x1008]);
  // Read-only page at CPL 0: writable while CR0.WP is clear...
  c.dv.setUint32(PT + 2 * 4, PB | P, true);
  mmu.st32(WIN + 0x2010, 0x5555);
  assert.equal(q(c, PB + 0x10), 0x5555);
  assert.equal(q(c, PT + 2 * 4), PB | P | A | D);
  // ...a protection fault once it is set (after the flush that a CR0 write does).
  c.m.cpu.env.cr0 |= WP;
  mmu.tlbFlush();
  assert.deepEqual(fault(c, () => mmu.st32(WIN + 0x2014, 0x6666)), [3, WIN + 0x2014]);
  assert.equal(q(c, PB + 0x14), 0, 'nothing written');
});

test('32-bit paging: 4 MiB pages, PSE-36 address bits, reserved bit 21', () => {
  const c = setup();
  tables32(c);
  c.dv.setUint32(PD + 0x200 * 4, 0x400000 | P | RW | PS, true); // 0x80000000 -> 4 MiB
  c.dv.setUint32(0x400000 + 0x1234, 0x4004, true);
  c.dv.setUint32(PD + 0x300 * 4, 0x400000 | 0x200000 | P | RW | PS, true); // bit 21 reserved
  c.dv.setUint32(PD + 0x301 * 4, 0x400000 | (1 << 13) | P | RW | PS, true); // physical 4 GiB + 4 MiB
  paging32(c, PD, PSE);
  const mmu = c.m.cpu.mmu;
  assert.equal(mmu.ld32(0x80001234), 0x4004);
  assert.equal(q(c, PD + 0x200 * 4), 0x400000 | P | RW | PS | A);
  assert.deepEqual(fault(c, () => mmu.ld32(0xc0000000)), [8, 0xc0000000]); // RSVD; QEMU sets no P
  assert.equal(mmu.ld32(0xc0400000), -1, 'PSE-36: above 4 GiB, unassigned, reads as ones');
  // Without CR4.PSE the PS bit is ignored: the PDE points at a page table.
  c.m.cpu.env.cr4 = 0;
  mmu.tlbFlush();
  c.dv.setUint32(0x400000, 0x00021000 | P, true); // PT entry 0 of the "page table" at 4 MiB
  assert.equal(mmu.ld32(0x80000000) >>> 0, 0xbbbb0002);
});

test('user/supervisor: CPL 3 cannot use a page filled in the TLB at CPL 0', () => {
  const c = setup();
  tables32(c);
  c.dv.setUint32(PT, PA | P | RW, true); // supervisor
  c.dv.setUint32(PT + 4, PB | P | US, true); // user, read-only
  paging32(c, PD);
  const mmu = c.m.cpu.mmu;
  assert.equal(mmu.ld32(WIN) >>> 0, 0xaaaa0001);
  mmu.st32(WIN + 0x1000, 7); // supervisor write to a read-only user page with WP clear
  setCpl(c, 3);
  assert.deepEqual(fault(c, () => mmu.ld32(WIN)), [5, WIN]);
  assert.deepEqual(fault(c, () => mmu.st32(WIN + 0x1004, 1)), [7, WIN + 0x1004]);
  assert.equal(mmu.ld32(WIN + 0x1000), 7);
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 0x2000)), [4, WIN + 0x2000], 'not present, user');
  // Implicit supervisor accesses (descriptor tables, privilege-change stacks) at CPL 3.
  assert.equal(mmu.ldKernel32(WIN) >>> 0, 0xaaaa0001);
  mmu.stKernel32(WIN + 8, 0x88);
  assert.equal(q(c, PA + 8), 0x88);
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 8)), [5, WIN + 8], 'still CPL 3 afterwards');
  setCpl(c, 0);
  assert.equal(mmu.ld32(WIN + 8), 0x88);
});

test('stores and loads crossing pages: precise faults, no partial write', () => {
  const c = setup();
  tables32(c);
  c.dv.setUint32(PT + 5 * 4, PB | P | RW, true);
  c.dv.setUint32(PB + 0xffc, 0x11223344, true);
  paging32(c, PD);
  const mmu = c.m.cpu.mmu;
  assert.deepEqual(fault(c, () => mmu.st32(WIN + 0x5ffe, 0xdeadbeef)), [2, WIN + 0x6000]);
  assert.equal(q(c, PB + 0xffc), 0x11223344);
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 0x5ffe)), [0, WIN + 0x6000]);
  assert.deepEqual(fault(c, () => mmu.probeWrite(WIN + 0x5ff8, 16)), [2, WIN + 0x6000]);
  c.dv.setUint32(PT + 6 * 4, PA | P | RW, true);
  mmu.st32(WIN + 0x5ffe, 0xdeadbeef);
  assert.equal(q(c, PB + 0xffc) >>> 0, 0xbeef3344);
  assert.equal(q(c, PA) >>> 0, 0xaaaadead);
  assert.equal(mmu.ld32(WIN + 0x5ffe) >>> 0, 0xdeadbeef);
});

test('code: fetch faults at the instruction, aliases of a code page see stores through either', () => {
  const c = setup();
  tables32(c);
  const env = c.m.cpu.env;
  const CODE = 0x30000;
  c.dv.setUint32(PT + 7 * 4, CODE | P | RW, true);
  c.dv.setUint32(PT + 9 * 4, CODE | P | RW, true);
  paging32(c, PD);
  // mov eax, 1 at the end of the page: 5 bytes, 2 of them on the page not present.
  c.m.as.loadBlob(CODE + 0xffd, Uint8Array.of(0xb8, 0x01, 0x00));
  env.rip = WIN + 0x7ffd;
  assert.equal(c.m.cpu.run(10), 2);
  assert.deepEqual([env.exception_index, env.error_code, env.cr2, env.rip], [14, 0, WIN + 0x8000, WIN + 0x7ffd]);
  // mov eax, 1; hlt, run through linear page 7, patched through page 9, run again.
  c.m.as.loadBlob(CODE, Uint8Array.of(0xb8, 0x01, 0x00, 0x00, 0x00, 0xf4));
  env.rip = WIN + 0x7000;
  assert.equal(c.m.cpu.run(10), EXIT_HLT);
  assert.equal(env.regs[0], 1);
  c.m.cpu.mmu.st8(WIN + 0x9001, 2);
  env.rip = WIN + 0x7000;
  assert.equal(c.m.cpu.run(10), EXIT_HLT);
  assert.equal(env.regs[0], 2);
  // A CR3 load switching to tables that map the same linear page elsewhere runs the new code.
  const PD2 = 0x12000, PT2 = 0x13000, CODE2 = 0x31000;
  c.dv.setUint32(PD2 + (WIN >>> 22) * 4, PT2 | P | RW, true);
  c.dv.setUint32(PT2 + 7 * 4, CODE2 | P | RW, true);
  c.m.as.loadBlob(CODE2, Uint8Array.of(0xb8, 0x03, 0x00, 0x00, 0x00, 0xf4));
  env.cr3 = PD2;
  c.m.cpu.mmu.tlbFlushNonGlobal();
  env.rip = WIN + 0x7000;
  assert.equal(c.m.cpu.run(10), EXIT_HLT);
  assert.equal(env.regs[0], 3);
});

test('INVLPG and CR3 loads: 4 KiB and large pages, global pages', () => {
  const c = setup();
  tables32(c);
  c.dv.setUint32(PT + 4 * 4, PA | P | RW, true);
  paging32(c, PD, PSE | PGE);
  const mmu = c.m.cpu.mmu;
  assert.equal(mmu.ld32(WIN + 0x4000) >>> 0, 0xaaaa0001);
  c.dv.setUint32(PT + 4 * 4, PB | P | RW, true);
  mmu.tlbFlushPage(WIN + 0x4abc);
  assert.equal(mmu.ld32(WIN + 0x4000) >>> 0, 0xbbbb0002);
  c.dv.setUint32(PT + 4 * 4, PA | P | RW, true);
  mmu.tlbFlushNonGlobal();
  assert.equal(mmu.ld32(WIN + 0x4000) >>> 0, 0xaaaa0001);
  // A 4 MiB page cached at one 4 KiB page is flushed by INVLPG of another address inside it.
  c.dv.setUint32(PD + 0x200 * 4, 0x000000 | P | RW | PS, true);
  assert.equal(mmu.ld32(0x80000000 + PA) >>> 0, 0xaaaa0001);
  c.dv.setUint32(PD + 0x200 * 4, 0x400000 | P | RW | PS, true);
  mmu.tlbFlushPage(0x80300000);
  c.dv.setUint32(0x400000 + PA, 0x4444, true);
  assert.equal(mmu.ld32(0x80000000 + PA), 0x4444);
  // A global page is still translated after a CR3 load to tables that do not map it.
  c.dv.setUint32(PT + 8 * 4, PA | P | RW | G, true);
  assert.equal(mmu.ld32(WIN + 0x8000) >>> 0, 0xaaaa0001);
  c.m.cpu.env.cr3 = 0x12000; // an empty page directory
  mmu.tlbFlushNonGlobal();
  assert.equal(mmu.ld32(WIN + 0x8000) >>> 0, 0xaaaa0001, 'global entry kept');
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 0x4000)), [0, WIN + 0x4000], 'non-global entry dropped');
});

/* PAE: PDPT at 0x14000 (32-byte aligned), PD at 0x15000 for 0-1 GiB and 0x16000 for 1-2 GiB. */
const PDPT = 0x14000, PDA = 0x15000, PDB = 0x16000, PTB = 0x17000;

function paePaging(c: Ctx, nxe: boolean, cr4 = 0): void {
  setq(c, PDPT, PDA | P);
  setq(c, PDPT + 8, PDB | P);
  setq(c, PDA, 0 | P | RW | PS); // 0-2 MiB identity, 2 MiB page
  setq(c, PDB, PTB | P | RW | US);
  const env = c.m.cpu.env;
  env.efer = nxe ? NXE : 0;
  env.cr3 = PDPT;
  env.cr4 = PAE | cr4;
  env.cr0 = CR0_PE_MASK | CR0_PG_MASK | WP;
  setCpl(c, 0);
  c.m.cpu.mmu.tlbFlush();
}

test('PAE paging: 2 MiB pages, NX, reserved bits, PDPTE accessed bit', () => {
  const c = setup();
  c.dv.setUint32(PA, 0xaaaa0001, true);
  paePaging(c, true);
  const mmu = c.m.cpu.mmu;
  assert.equal(mmu.ld32(PA) >>> 0, 0xaaaa0001);
  assert.equal(q(c, PDA), P | RW | PS | A);
  assert.equal(q(c, PDPT), PDA | P | A, 'QEMU sets A in PDPTEs');
  setq(c, PTB, PA | P | RW, 0x80000000); // NX
  assert.equal(mmu.ld32(WIN) >>> 0, 0xaaaa0001, 'NX pages are readable');
  assert.deepEqual(fault(c, () => mmu.fetch8(WIN + 1)), [0x11, WIN + 1]);
  assert.deepEqual(fault(c, () => mmu.fetch8(WIN + 0x1000)), [0x10, WIN + 0x1000], 'I bit with NXE');
  setq(c, PTB + 8 * 2, PA | P | RW, 1 << (40 - 32)); // bit 40: above the 40-bit physical width
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 0x2000)), [8, WIN + 0x2000]);
  setq(c, PTB + 8 * 3, PA | P | RW, 1 << (39 - 32)); // bit 39: inside it (unassigned memory)
  assert.equal(mmu.ld32(WIN + 0x3000), -1);
  setq(c, PTB + 8 * 4, PA | P | RW, 1 << (52 - 32)); // bits 52-62 reserved in PAE mode (QEMU)
  assert.deepEqual(fault(c, () => mmu.ld32(WIN + 0x4000)), [8, WIN + 0x4000]);
  setq(c, PDA + 8, 0x200000 | 0x2000 | P | RW | PS); // 2 MiB PDE with bit 13 set
  assert.deepEqual(fault(c, () => mmu.ld32(0x200000)), [8, 0x200000]);
  setq(c, PDA + 16, 0x1000 | P | RW | PS); // bit 12 is PAT in a 2 MiB PDE: not reserved
  assert.equal(mmu.ld32(0x400000 + PA) >>> 0, 0xaaaa0001);
  // Without EFER.NXE, NX is a reserved bit.
  paePaging(c, false);
  assert.deepEqual(fault(c, () => mmu.ld32(WIN)), [8, WIN]);
  assert.deepEqual(fault(c, () => mmu.fetch8(WIN + 0x1000)), [0, WIN + 0x1000], 'no I bit without NXE/SMEP');
});

test('SMEP and SMAP (EFLAGS.AC read at each access)', () => {
  const c = setup();
  c.dv.setUint32(PA, 0xaaaa0001, true);
  paePaging(c, false, SMEP | SMAP);
  setq(c, PTB, PA | P | RW | US);
  const mmu = c.m.cpu.mmu;
  const env = c.m.cpu.env;
  assert.deepEqual(fault(c, () => mmu.fetch8(WIN)), [0x11, WIN], 'SMEP');
  assert.deepEqual(fault(c, () => mmu.ld32(WIN)), [1, WIN], 'SMAP, AC clear');
  env.eflags |= AC_MASK;
  assert.equal(mmu.ld32(WIN) >>> 0, 0xaaaa0001, 'SMAP, AC set');
  mmu.st32(WIN + 4, 5);
  env.eflags &= ~AC_MASK;
  assert.deepEqual(fault(c, () => mmu.st32(WIN + 4, 6)), [3, WIN + 4], 'AC cleared without a TLB flush');
  setCpl(c, 3);
  assert.equal(mmu.ld32(WIN + 4), 5, 'user accesses are not SMAP-checked');
  env.eflags |= AC_MASK;
  assert.deepEqual(fault(c, () => mmu.ldKernel32(WIN)), [1, WIN], 'implicit accesses at CPL 3 ignore AC');
});

/* Long mode: PML4 at 0x18000, PDPT 0x19000, PD 0x1a000; PML4 256 (0xffff8000_00000000) -> PDPT 0x1b000 */
test('4-level paging: 1 GiB and 2 MiB pages, high canonical addresses, reserved bits', () => {
  const c = setup();
  const PML4 = 0x18000, PDPT4 = 0x19000, PD4 = 0x1a000, PDPT_HI = 0x1b000;
  setq(c, PML4, PDPT4 | P | RW);
  setq(c, PML4 + 256 * 8, PDPT_HI | P | RW);
  setq(c, PDPT4, PD4 | P | RW);
  setq(c, PD4, 0 | P | RW | PS);
  setq(c, PDPT4 + 8 * 2, 0 | P | RW | PS); // 0x80000000 -> 0, a 1 GiB page
  setq(c, PDPT4 + 8 * 3, 0x2000 | P | RW | PS); // a 1 GiB page with bit 13 set: reserved
  setq(c, PDPT_HI + 8 * 1, 0 | P | RW | PS); // 0xffff8000_40000000 -> 0
  setq(c, PML4 + 8 * 1, PDPT4 | P | RW | PS); // PS in a PML4E: reserved
  c.dv.setUint32(PA, 0xaaaa0001, true);
  const env = c.m.cpu.env;
  env.cr3 = PML4;
  env.cr4 = PAE;
  env.efer = EFER_LME | EFER_LMA | NXE;
  env.cr0 = CR0_PE_MASK | CR0_PG_MASK | WP;
  setCpl(c, 0, true);
  const mmu = c.m.cpu.mmu;
  mmu.tlbFlush();
  assert.equal(mmu.ld32(PA) >>> 0, 0xaaaa0001);
  assert.equal(mmu.ld32(0x80000000 + PA) >>> 0, 0xaaaa0001);
  assert.equal(q(c, PDPT4 + 16), P | RW | PS | A);
  const hi = -0x800000000000 + 0x40000000; // 0xffff8000_40000000 as a signed canonical double
  assert.equal(mmu.ld32(hi + PA) >>> 0, 0xaaaa0001);
  mmu.st32(hi + PA + 4, 0x77);
  assert.equal(q(c, PA + 4), 0x77);
  assert.equal(q(c, PDPT_HI + 8), P | RW | PS | A | D);
  assert.deepEqual(fault(c, () => mmu.ld32(hi + 0x40000000)), [0, hi + 0x40000000]);
  assert.deepEqual(fault(c, () => mmu.ld32(0xc0000000)), [8, 0xc0000000]);
  assert.deepEqual(fault(c, () => mmu.ld32(0x8000000000)), [8, 0x8000000000]);
  // INVLPG at a high address inside the cached 1 GiB page flushes it.
  setq(c, PDPT_HI + 8 * 1, 0x40000000 | P | RW | PS);
  mmu.tlbFlushPage(hi + 0x3ffff000);
  assert.equal(mmu.ld32(hi + PA + 4), -1, 'remapped above the 16 MiB of RAM');
});

test('debug translation: no fault, no accessed bit', () => {
  const c = setup();
  tables32(c);
  c.dv.setUint32(PT + 4, PB | P, true);
  paging32(c, PD);
  const mmu = c.m.cpu.mmu;
  assert.equal(mmu.getPhysAddrDebug(WIN + 0x1234), PB + 0x234);
  assert.equal(mmu.getPhysAddrDebug(WIN + 0x2000), -1);
  assert.equal(q(c, PT + 4), PB | P, 'A untouched');
  assert.equal(q(c, PD + (WIN >>> 22) * 4), PT | P | RW | US);
});

test('a branch target linked in one address space is not followed in another', () => {
  // Physical page A is mapped at L1 by one page directory; another maps L1 to page C and A at
  // L2.  `jmp eax` in A to L1+0x20 must reach C's code under the second directory.
  const c = setup();
  const env = c.m.cpu.env;
  const L1 = 0x400000, L2 = 0x401000, PA2 = 0x20000, PC2 = 0x21000;
  c.dv.setUint32(0x10000 + 4, 0x11000 | P | RW, true);
  c.dv.setUint32(0x11000, PA2 | P | RW, true);
  c.dv.setUint32(0x12000 + 4, 0x13000 | P | RW, true);
  c.dv.setUint32(0x13000, PC2 | P | RW, true);
  c.dv.setUint32(0x13004, PA2 | P | RW, true);
  c.m.as.loadBlob(PA2 + 0x10, Uint8Array.of(0xff, 0xe0)); // jmp eax
  c.m.as.loadBlob(PA2 + 0x20, Uint8Array.of(0xbb, 1, 0, 0, 0, 0xf4)); // mov ebx, 1; hlt
  c.m.as.loadBlob(PC2 + 0x20, Uint8Array.of(0xbb, 2, 0, 0, 0, 0xf4)); // mov ebx, 2; hlt
  paging32(c, 0x10000);
  env.regs[0] = L1 + 0x20;
  env.rip = L1 + 0x10;
  assert.equal(c.m.cpu.run(10), EXIT_HLT);
  assert.equal(env.regs[6], 1);
  env.cr3 = 0x12000;
  c.m.cpu.mmu.tlbFlushNonGlobal();
  env.regs[0] = L1 + 0x20;
  env.rip = L2 + 0x10;
  assert.equal(c.m.cpu.run(10), EXIT_HLT);
  assert.equal(env.regs[6], 2);
});
