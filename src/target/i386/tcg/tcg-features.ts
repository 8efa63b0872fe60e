/*
 * The CPUID feature bits our software CPU really implements, per QEMU FeatureWord
 * (names as in target/i386/cpu.h, e.g. 'FEAT_1_EDX').  The CPU model filters every
 * requested feature against this table under TCG and warns
 * "TCG doesn't support requested feature: ..." for each bit missing here.
 * A bit is added here only together with the instructions/behaviour behind it.
 */
export const TCG_FEATURES: Readonly<Record<string, number>> = {
};
