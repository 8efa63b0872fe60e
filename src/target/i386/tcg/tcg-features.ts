/*
 * The CPUID feature bits our software CPU really implements, per QEMU FeatureWord
 * (names as in target/i386/cpu.h, e.g. 'FEAT_1_EDX').  The CPU model filters every
 * requested feature against this table under TCG and warns
 * "TCG doesn't support requested feature: ..." for each bit missing here.
 * A bit is added here only together with the instructions/behaviour behind it.
 */
export const TCG_FEATURES: Readonly<Record<string, number>> = {
  // fpu (0), tsc (4), cx8 (8), cmov (15), clflush (19), fxsr (24)
  FEAT_1_EDX: (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 19) | (1 << 24),
  // cx16 (13), movbe (22), popcnt (23), xsave (26: XSAVE/XRSTOR for x87 and SSE; OSXSAVE is dynamic)
  FEAT_1_ECX: (1 << 13) | (1 << 22) | (1 << 23) | (1 << 26),
  // bmi1 (3), bmi2 (8), adx (19)
  FEAT_7_0_EBX: (1 << 3) | (1 << 8) | (1 << 19),
  // xsaveopt (0)
  FEAT_XSAVE: 1 << 0,
  // rdtscp (27)
  FEAT_8000_0001_EDX: 1 << 27,
  // lahf_lm (0), abm (5: LZCNT)
  FEAT_8000_0001_ECX: (1 << 0) | (1 << 5),
};
