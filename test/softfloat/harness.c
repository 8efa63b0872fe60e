/*
 * Oracle for the soft-float tests: runs the host CPU's real SSE and x87 instructions on
 * generated operands under every rounding mode (and DAZ/FTZ, x87 precision control) and
 * prints one line per case:
 *   <op> <control> <operand>... = <result>... <flags>
 * all numbers in hex.  SSE flags are MXCSR[5:0]; x87 flags are the status word masked
 * to C3 C2 C1 C0 and the six exception bits (or EFLAGS ZF/PF/CF for FCOMI).
 *
 * Usage: harness sse|x87|trans <cases-per-op> <seed>
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return rng;
}

/* ------------------------------------------------------------------ SSE */

static const uint32_t edge32[] = {
  0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000,
  0x00800000, 0x80800000, 0x00800001, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
  0x7fc00000, 0xffc00000, 0x7fc12345, 0xffd00001, 0x7f800001, 0xff812345, 0x7fbfffff,
  0x3f800000, 0xbf800000, 0x3f800001, 0x3fffffff, 0x4f000000, 0xcf000000, 0x4effffff,
  0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff, 0xdf000001, 0x3f000000, 0xbf000000,
  0x3fc00000, 0x40200000, 0x4b7fffff, 0x4b000001, 0x34000000, 0x33800000, 0x00000003,
};
static const uint64_t edge64[] = {
  0, 0x8000000000000000ull, 1, 0x8000000000000001ull, 0x000fffffffffffffull,
  0x800fffffffffffffull, 0x0008000000000000ull, 0x0010000000000000ull, 0x8010000000000000ull,
  0x0010000000000001ull, 0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull,
  0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8123456789abcull,
  0xfffc000000000001ull, 0x7ff0000000000001ull, 0xfff0123456789abcull, 0x7ff7ffffffffffffull,
  0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff0000000000001ull, 0x41e0000000000000ull,
  0xc1e0000000000000ull, 0x41dfffffffffffffull, 0x41dfffffffc00000ull, 0xc1e0000000100000ull,
  0xc1e00000001fffffull, 0x43e0000000000000ull, 0xc3e0000000000000ull, 0x43dfffffffffffffull,
  0xc3e0000000000001ull, 0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x3ff8000000000000ull,
  0x4004000000000000ull, 0x433fffffffffffffull, 0x36a0000000000000ull, 0x3690000000000000ull,
  0x47efffffe0000000ull, 0x47efffffefffffffull, 0x47effffff0000000ull, 0x3810000000000000ull,
  0x380fffffffffffffull, 0x3800000000000000ull, 0x36a0000000000001ull, 0x381fffffe0000000ull,
  0x381ffffff0000000ull,
};
#define NE32 (sizeof edge32 / sizeof edge32[0])
#define NE64 (sizeof edge64 / sizeof edge64[0])

static uint32_t mant_pattern32(void) {
  switch (rnd() % 4) {
    case 0: return (uint32_t)rnd() & 0x7fffff;
    case 1: return 0x7fffff >> (rnd() % 24);               /* runs of ones */
    case 2: return (0x7fffff << (rnd() % 24)) & 0x7fffff;  /* ones then zeros */
    default: return ((uint32_t)rnd() & 0x7fffff) & ~(0xffu << (rnd() % 20));
  }
}
static uint64_t mant_pattern64(void) {
  const uint64_t m = 0xfffffffffffffull;
  switch (rnd() % 4) {
    case 0: return rnd() & m;
    case 1: return m >> (rnd() % 53);
    case 2: return (m << (rnd() % 53)) & m;
    default: return (rnd() & m) & ~(0xffffull << (rnd() % 40));
  }
}

static uint32_t gen32(void) {
  uint32_t s = (uint32_t)(rnd() & 1) << 31;
  switch (rnd() % 10) {
    case 0: case 1: return edge32[rnd() % NE32];
    case 2: return (uint32_t)rnd();
    case 3: return s | ((uint32_t)(rnd() % 3) << 23) | mant_pattern32();
    case 4: return s | ((uint32_t)(252 + rnd() % 3) << 23) | mant_pattern32();
    case 5: return s | ((uint32_t)(120 + rnd() % 70) << 23) | mant_pattern32();
    default: return s | ((uint32_t)(100 + rnd() % 60) << 23) | ((uint32_t)rnd() & 0x7fffff);
  }
}
static uint64_t gen64(void) {
  uint64_t s = (rnd() & 1) << 63;
  switch (rnd() % 10) {
    case 0: case 1: return edge64[rnd() % NE64];
    case 2: return rnd();
    case 3: return s | ((rnd() % 3) << 52) | mant_pattern64();
    case 4: return s | ((2044 + rnd() % 3) << 52) | mant_pattern64();
    case 5: return s | ((1000 + rnd() % 100) << 52) | mant_pattern64();
    case 6: return s | ((0x380 + rnd() % 4) << 52) | mant_pattern64(); /* float32 denormal range */
    default: return s | ((900 + rnd() % 250) << 52) | (rnd() & 0xfffffffffffffull);
  }
}
/* A second operand close to the first, for cancellation and tie cases. */
static uint32_t near32(uint32_t a) {
  switch (rnd() % 4) {
    case 0: return a ^ (uint32_t)(rnd() & 0x80000000);
    case 1: return (a + (uint32_t)(rnd() % 5) - 2) ^ 0x80000000;
    case 2: return a - (uint32_t)((rnd() % 30) << 23);
    default: return gen32();
  }
}
static uint64_t near64(uint64_t a) {
  switch (rnd() % 4) {
    case 0: return a ^ (rnd() & 0x8000000000000000ull);
    case 1: return (a + rnd() % 5 - 2) ^ 0x8000000000000000ull;
    case 2: return a - ((rnd() % 60) << 52);
    default: return gen64();
  }
}
static uint64_t genint64(void) {
  switch (rnd() % 4) {
    case 0: return rnd();
    case 1: return rnd() >> (rnd() % 64);
    case 2: return -(rnd() >> (rnd() % 64));
    default: return (uint64_t)(int64_t)(int32_t)(uint32_t)rnd();
  }
}

static uint32_t mx_out;
#define SSE_BIN32(name, insn)                                                           \
  static uint32_t name(uint32_t a, uint32_t b, uint32_t m) {                            \
    uint32_t r;                                                                         \
    __asm__ volatile("ldmxcsr %[m]\n\tmovd %[a], %%xmm0\n\tmovd %[b], %%xmm1\n\t" insn \
                     " %%xmm1, %%xmm0\n\tmovd %%xmm0, %[r]\n\tstmxcsr %[o]"             \
                     : [r] "=r"(r), [o] "=m"(mx_out)                                    \
                     : [a] "r"(a), [b] "r"(b), [m] "m"(m)                               \
                     : "xmm0", "xmm1");                                                 \
    return r;                                                                           \
  }
#define SSE_BIN64(name, insn)                                                           \
  static uint64_t name(uint64_t a, uint64_t b, uint32_t m) {                            \
    uint64_t r;                                                                         \
    __asm__ volatile("ldmxcsr %[m]\n\tmovq %[a], %%xmm0\n\tmovq %[b], %%xmm1\n\t" insn \
                     " %%xmm1, %%xmm0\n\tmovq %%xmm0, %[r]\n\tstmxcsr %[o]"             \
                     : [r] "=r"(r), [o] "=m"(mx_out)                                    \
                     : [a] "r"(a), [b] "r"(b), [m] "m"(m)                               \
                     : "xmm0", "xmm1");                                                 \
    return r;                                                                           \
  }
SSE_BIN32(addss, "addss") SSE_BIN32(subss, "subss") SSE_BIN32(mulss, "mulss")
SSE_BIN32(divss, "divss") SSE_BIN32(minss, "minss") SSE_BIN32(maxss, "maxss")
SSE_BIN32(sqrtss, "sqrtss")
SSE_BIN32(cmpss0, "cmpss $0,") SSE_BIN32(cmpss1, "cmpss $1,") SSE_BIN32(cmpss2, "cmpss $2,")
SSE_BIN32(cmpss3, "cmpss $3,") SSE_BIN32(cmpss4, "cmpss $4,") SSE_BIN32(cmpss5, "cmpss $5,")
SSE_BIN32(cmpss6, "cmpss $6,") SSE_BIN32(cmpss7, "cmpss $7,")
SSE_BIN64(addsd, "addsd") SSE_BIN64(subsd, "subsd") SSE_BIN64(mulsd, "mulsd")
SSE_BIN64(divsd, "divsd") SSE_BIN64(minsd, "minsd") SSE_BIN64(maxsd, "maxsd")
SSE_BIN64(sqrtsd, "sqrtsd")
SSE_BIN64(cmpsd0, "cmpsd $0,") SSE_BIN64(cmpsd1, "cmpsd $1,") SSE_BIN64(cmpsd2, "cmpsd $2,")
SSE_BIN64(cmpsd3, "cmpsd $3,") SSE_BIN64(cmpsd4, "cmpsd $4,") SSE_BIN64(cmpsd5, "cmpsd $5,")
SSE_BIN64(cmpsd6, "cmpsd $6,") SSE_BIN64(cmpsd7, "cmpsd $7,")

/* COMIS*: EFLAGS as ZF<<2 | PF<<1 | CF. */
#define SSE_COMI(name, mov, insn, T)                                                    \
  static uint32_t name(T a, T b, uint32_t m) {                                          \
    uint8_t z, p, c;                                                                    \
    __asm__ volatile("ldmxcsr %[m]\n\t" mov " %[a], %%xmm0\n\t" mov " %[b], %%xmm1\n\t" \
                     insn " %%xmm1, %%xmm0\n\tsetz %[z]\n\tsetp %[p]\n\tsetc %[c]\n\t"  \
                     "stmxcsr %[o]"                                                     \
                     : [z] "=r"(z), [p] "=r"(p), [c] "=r"(c), [o] "=m"(mx_out)          \
                     : [a] "r"(a), [b] "r"(b), [m] "m"(m)                               \
                     : "xmm0", "xmm1", "cc");                                           \
    return (uint32_t)z << 2 | (uint32_t)p << 1 | c;                                     \
  }
SSE_COMI(comiss, "movd", "comiss", uint32_t) SSE_COMI(ucomiss, "movd", "ucomiss", uint32_t)
SSE_COMI(comisd, "movq", "comisd", uint64_t) SSE_COMI(ucomisd, "movq", "ucomisd", uint64_t)

/* Conversions: float -> int, int -> float, float <-> float. */
#define CVT(name, RT, AT, ld, insn, st)                                                \
  static RT name(AT a, uint32_t m) {                                                   \
    RT r;                                                                              \
    __asm__ volatile("ldmxcsr %[m]\n\t" ld "\n\t" insn "\n\t" st "\n\tstmxcsr %[o]"    \
                     : [r] "=r"(r), [o] "=m"(mx_out)                                   \
                     : [a] "r"(a), [m] "m"(m)                                          \
                     : "xmm0", "xmm1");                                                \
    return r;                                                                          \
  }
CVT(cvtss2si32, uint32_t, uint32_t, "movd %[a], %%xmm0", "cvtss2si %%xmm0, %[r]", "")
CVT(cvtss2si64, uint64_t, uint32_t, "movd %[a], %%xmm0", "cvtss2si %%xmm0, %[r]", "")
CVT(cvttss2si32, uint32_t, uint32_t, "movd %[a], %%xmm0", "cvttss2si %%xmm0, %[r]", "")
CVT(cvttss2si64, uint64_t, uint32_t, "movd %[a], %%xmm0", "cvttss2si %%xmm0, %[r]", "")
CVT(cvtsd2si32, uint32_t, uint64_t, "movq %[a], %%xmm0", "cvtsd2si %%xmm0, %[r]", "")
CVT(cvtsd2si64, uint64_t, uint64_t, "movq %[a], %%xmm0", "cvtsd2si %%xmm0, %[r]", "")
CVT(cvttsd2si32, uint32_t, uint64_t, "movq %[a], %%xmm0", "cvttsd2si %%xmm0, %[r]", "")
CVT(cvttsd2si64, uint64_t, uint64_t, "movq %[a], %%xmm0", "cvttsd2si %%xmm0, %[r]", "")
CVT(cvtsi2ss32, uint32_t, uint32_t, "", "cvtsi2ss %[a], %%xmm0", "movd %%xmm0, %[r]")
CVT(cvtsi2ss64, uint32_t, uint64_t, "", "cvtsi2ss %[a], %%xmm0", "movd %%xmm0, %[r]")
CVT(cvtsi2sd32, uint64_t, uint32_t, "", "cvtsi2sd %[a], %%xmm0", "movq %%xmm0, %[r]")
CVT(cvtsi2sd64, uint64_t, uint64_t, "", "cvtsi2sd %[a], %%xmm0", "movq %%xmm0, %[r]")
CVT(cvtss2sd, uint64_t, uint32_t, "movd %[a], %%xmm1", "cvtss2sd %%xmm1, %%xmm0", "movq %%xmm0, %[r]")
CVT(cvtsd2ss, uint32_t, uint64_t, "movq %[a], %%xmm1", "cvtsd2ss %%xmm1, %%xmm0", "movd %%xmm0, %[r]")

static void sse_suite(int n) {
  typedef uint32_t (*bin32)(uint32_t, uint32_t, uint32_t);
  typedef uint64_t (*bin64)(uint64_t, uint64_t, uint32_t);
  static const struct { const char *name; bin32 f; } ops32[] = {
    {"addss", addss}, {"subss", subss}, {"mulss", mulss}, {"divss", divss}, {"sqrtss", sqrtss},
    {"minss", minss}, {"maxss", maxss}, {"cmpss0", cmpss0}, {"cmpss1", cmpss1},
    {"cmpss2", cmpss2}, {"cmpss3", cmpss3}, {"cmpss4", cmpss4}, {"cmpss5", cmpss5},
    {"cmpss6", cmpss6}, {"cmpss7", cmpss7}, {"comiss", comiss}, {"ucomiss", ucomiss},
  };
  static const struct { const char *name; bin64 f; } ops64[] = {
    {"addsd", addsd}, {"subsd", subsd}, {"mulsd", mulsd}, {"divsd", divsd}, {"sqrtsd", sqrtsd},
    {"minsd", minsd}, {"maxsd", maxsd}, {"cmpsd0", cmpsd0}, {"cmpsd1", cmpsd1},
    {"cmpsd2", cmpsd2}, {"cmpsd3", cmpsd3}, {"cmpsd4", cmpsd4}, {"cmpsd5", cmpsd5},
    {"cmpsd6", cmpsd6}, {"cmpsd7", cmpsd7},
  };
  for (int ctl = 0; ctl < 16; ctl++) {
    /* rounding in bits 0-1, DAZ bit 2, FTZ bit 3 of the loop index */
    uint32_t m = 0x1f80 | (uint32_t)(ctl & 3) << 13 | (ctl & 4 ? 0x40 : 0) | (ctl & 8 ? 0x8000 : 0);
    for (unsigned k = 0; k < sizeof ops32 / sizeof ops32[0]; k++)
      for (int i = 0; i < n; i++) {
        uint32_t a = gen32(), b = near32(a);
        if (rnd() & 1) { uint32_t t = a; a = b; b = t; }
        uint32_t r = ops32[k].f(a, b, m);
        printf("%s %x %x %x = %x %x\n", ops32[k].name, m, a, b, r, mx_out & 0x3f);
      }
    /* COMISD/UCOMISD */
    for (unsigned k = 0; k < sizeof ops64 / sizeof ops64[0]; k++)
      for (int i = 0; i < n; i++) {
        uint64_t a = gen64(), b = near64(a);
        if (rnd() & 1) { uint64_t t = a; a = b; b = t; }
        uint64_t r = ops64[k].f(a, b, m);
        printf("%s %x %llx %llx = %llx %x\n", ops64[k].name, m, (unsigned long long)a,
               (unsigned long long)b, (unsigned long long)r, mx_out & 0x3f);
      }
    for (int i = 0; i < n; i++) {
      uint64_t a = gen64(), b = near64(a);
      uint32_t r = comisd(a, b, m);
      printf("comisd %x %llx %llx = %x %x\n", m, (unsigned long long)a, (unsigned long long)b, r, mx_out & 0x3f);
      r = ucomisd(a, b, m);
      printf("ucomisd %x %llx %llx = %x %x\n", m, (unsigned long long)a, (unsigned long long)b, r, mx_out & 0x3f);
    }
    for (int i = 0; i < n; i++) {
      uint32_t a = gen32();
      uint64_t d = gen64(), j = genint64();
#define P32(nm, v) { uint64_t v_ = (v); printf(nm " %x %x = %x %x\n", m, a, (unsigned) v_, mx_out & 0x3f); }
#define P64(nm, v) { uint64_t v_ = (v); printf(nm " %x %x = %llx %x\n", m, a, (unsigned long long) v_, mx_out & 0x3f); }
#define D32(nm, v) { uint64_t v_ = (v); printf(nm " %x %llx = %x %x\n", m, (unsigned long long)d, (unsigned) v_, mx_out & 0x3f); }
#define D64(nm, v) { uint64_t v_ = (v); printf(nm " %x %llx = %llx %x\n", m, (unsigned long long)d, (unsigned long long) v_, mx_out & 0x3f); }
#define J32(nm, v) { uint64_t v_ = (v); printf(nm " %x %llx = %x %x\n", m, (unsigned long long)j, (unsigned) v_, mx_out & 0x3f); }
#define J64(nm, v) { uint64_t v_ = (v); printf(nm " %x %llx = %llx %x\n", m, (unsigned long long)j, (unsigned long long) v_, mx_out & 0x3f); }
      P32("cvtss2si32", cvtss2si32(a, m)); P64("cvtss2si64", cvtss2si64(a, m));
      P32("cvttss2si32", cvttss2si32(a, m)); P64("cvttss2si64", cvttss2si64(a, m));
      P64("cvtss2sd", cvtss2sd(a, m));
      D32("cvtsd2si32", cvtsd2si32(d, m)); D64("cvtsd2si64", cvtsd2si64(d, m));
      D32("cvttsd2si32", cvttsd2si32(d, m)); D64("cvttsd2si64", cvttsd2si64(d, m));
      D32("cvtsd2ss", cvtsd2ss(d, m));
      J32("cvtsi2ss64", cvtsi2ss64(j, m)); J64("cvtsi2sd64", cvtsi2sd64(j, m));
      j = (uint32_t)j;
      J32("cvtsi2ss32", cvtsi2ss32((uint32_t)j, m)); J64("cvtsi2sd32", cvtsi2sd32((uint32_t)j, m));
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: harness sse|x87|trans <n> <seed>\n"); return 2; }
  int n = atoi(argv[2]);
  rng ^= strtoull(argv[3], 0, 0) * 0x9e3779b97f4a7c15ull;
  if (!rng) rng = 1;
  if (!strcmp(argv[1], "sse")) sse_suite(n);
  else { fprintf(stderr, "unknown suite %s\n", argv[1]); return 2; }
  return 0;
}
