/*
 * The CPUID feature bits our software CPU really implements, per QEMU FeatureWord
 * (names as in target/i386/cpu.h, e.g. 'FEAT_1_EDX').  The CPU model filters every
 * requested feature against this table under TCG and warns
 * "TCG doesn't support requested feature: ..." for each bit missing here.
 * A bit is added here only together with the instructions/behaviour behind it.
 */
export const TCG_FEATURES: Readonly<Record<string, number>> = {
  // fpu (0), tsc (4), cx8 (8), cmov (15), clflush (19), fxsr (24); de (2), msr (5), mce (7), sep (11),
  // mtrr (12), mca (14); paging: pse (3), pae (6), pge (13), pse36 (17); mmx (23), sse (25), sse2 (26);
  // apic (9: the local APIC, src/hw/intc/apic.ts); pat (16: the IA32_PAT MSR; memory types do not
  // change what an emulated access does)
  FEAT_1_EDX: (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 19) | (1 << 24) | (1 << 2) | (1 << 5) | (1 << 7) |
    (1 << 11) | (1 << 12) | (1 << 14) | (1 << 3) | (1 << 6) | (1 << 13) | (1 << 17) | (1 << 23) | (1 << 25) | (1 << 26) |
    (1 << 9) | (1 << 16),
  // cx16 (13), movbe (22), popcnt (23); monitor (3), rdrand (30); pni (0: SSE3), ssse3 (9); xsave (26);
  // hypervisor (31: with the TCG leaves 0x40000000.. as QEMU's cpuid gives them)
  FEAT_1_ECX: (1 << 13) | (1 << 22) | (1 << 23) | (1 << 3) | (1 << 30) | (1 << 0) | (1 << 9) | (1 << 26) | (1 << 31),
  // xsaveopt (0)
  FEAT_XSAVE: 1 << 0,
  // XSAVE state components: x87 (0) and SSE (1), which XSAVE/XRSTOR save (fpu-xsave.ts)
  FEAT_XSAVE_COMP_LO: (1 << 0) | (1 << 1),
  // bmi1 (3), bmi2 (8), adx (19); paging: smep (7), smap (20)
  FEAT_7_0_EBX: (1 << 3) | (1 << 8) | (1 << 19) | (1 << 7) | (1 << 20),
  // rdtscp (27); syscall (11); paging: nx (20), pdpe1gb (26); long mode: lm (29)
  FEAT_8000_0001_EDX: (1 << 27) | (1 << 11) | (1 << 20) | (1 << 26) | (1 << 29),
  // lahf_lm (0), abm (5: LZCNT)
  FEAT_8000_0001_ECX: (1 << 0) | (1 << 5),
};
