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
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>
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

/* SSE4.1 ROUNDSS/ROUNDSD with immediates 0-3 (RC), 4 (MXCSR.RC), +8 (suppress PE) */
SSE_BIN32(roundss0, "roundss $0,") SSE_BIN32(roundss1, "roundss $1,") SSE_BIN32(roundss2, "roundss $2,")
SSE_BIN32(roundss3, "roundss $3,") SSE_BIN32(roundss4, "roundss $4,") SSE_BIN32(roundss8, "roundss $8,")
SSE_BIN32(roundss9, "roundss $9,") SSE_BIN32(roundss10, "roundss $10,") SSE_BIN32(roundss11, "roundss $11,")
SSE_BIN32(roundss12, "roundss $12,")
SSE_BIN64(roundsd0, "roundsd $0,") SSE_BIN64(roundsd1, "roundsd $1,") SSE_BIN64(roundsd2, "roundsd $2,")
SSE_BIN64(roundsd3, "roundsd $3,") SSE_BIN64(roundsd4, "roundsd $4,") SSE_BIN64(roundsd8, "roundsd $8,")
SSE_BIN64(roundsd9, "roundsd $9,") SSE_BIN64(roundsd10, "roundsd $10,") SSE_BIN64(roundsd11, "roundsd $11,")
SSE_BIN64(roundsd12, "roundsd $12,")

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
    {"roundss0", roundss0}, {"roundss1", roundss1}, {"roundss2", roundss2}, {"roundss3", roundss3},
    {"roundss4", roundss4}, {"roundss8", roundss8}, {"roundss9", roundss9}, {"roundss10", roundss10},
    {"roundss11", roundss11}, {"roundss12", roundss12},
  };
  static const struct { const char *name; bin64 f; } ops64[] = {
    {"addsd", addsd}, {"subsd", subsd}, {"mulsd", mulsd}, {"divsd", divsd}, {"sqrtsd", sqrtsd},
    {"minsd", minsd}, {"maxsd", maxsd}, {"cmpsd0", cmpsd0}, {"cmpsd1", cmpsd1},
    {"cmpsd2", cmpsd2}, {"cmpsd3", cmpsd3}, {"cmpsd4", cmpsd4}, {"cmpsd5", cmpsd5},
    {"cmpsd6", cmpsd6}, {"cmpsd7", cmpsd7},
    {"roundsd0", roundsd0}, {"roundsd1", roundsd1}, {"roundsd2", roundsd2}, {"roundsd3", roundsd3},
    {"roundsd4", roundsd4}, {"roundsd8", roundsd8}, {"roundsd9", roundsd9}, {"roundsd10", roundsd10},
    {"roundsd11", roundsd11}, {"roundsd12", roundsd12},
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


/* Unmasked underflow: operands near the denormal range; a trapping op is printed as "trap"
 * with the MXCSR flags saved at the #XM. */
static sigjmp_buf trap_jb;
static volatile uint32_t trap_mxcsr;
static void on_sigfpe(int sig, siginfo_t *si, void *ucv) {
  (void)sig; (void)si;
  ucontext_t *uc = ucv;
  trap_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
  siglongjmp(trap_jb, 1);
}

static uint32_t tiny32(void) {
  uint32_t s = (uint32_t)(rnd() & 1) << 31;
  return rnd() % 4 ? s | (uint32_t)(rnd() % 20) << 23 | mant_pattern32() : gen32();
}
static uint64_t tiny64(void) {
  uint64_t s = (rnd() & 1) << 63;
  return rnd() % 4 ? s | (rnd() % 40) << 52 | mant_pattern64() : gen64();
}

static uint32_t huge32(void) {
  return (uint32_t)(rnd() & 1) << 31 | (uint32_t)(234 + rnd() % 20) << 23 | mant_pattern32();
}
static uint64_t huge64(void) {
  return (rnd() & 1) << 63 | (2007 + rnd() % 39) << 52 | mant_pattern64();
}

static void sse_unmasked_suite(int n) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigfpe;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &sa, 0);
  typedef uint32_t (*bin32)(uint32_t, uint32_t, uint32_t);
  typedef uint64_t (*bin64)(uint64_t, uint64_t, uint32_t);
  static const struct { const char *name; bin32 f; } ops32[] = {
    {"addss", addss}, {"subss", subss}, {"mulss", mulss}, {"divss", divss},
  };
  static const struct { const char *name; bin64 f; } ops64[] = {
    {"addsd", addsd}, {"subsd", subsd}, {"mulsd", mulsd}, {"divsd", divsd},
  };
  for (int ctl = 0; ctl < 32; ctl++) {
    /* UE unmasked (tiny operands) or OE unmasked (huge operands), everything else masked */
    int over = ctl >= 16;
    uint32_t m = (0x1f80 & ~(over ? 0x400u : 0x800u)) | (uint32_t)(ctl & 3) << 13 | (ctl & 4 ? 0x40 : 0) | (ctl & 8 ? 0x8000 : 0);
    for (unsigned k = 0; k < 4; k++)
      for (int i = 0; i < n; i++) {
        uint32_t a = over ? huge32() : tiny32(), b = k >= 2 ? (uint32_t)(rnd() & 0x80000000) | (uint32_t)(100 + rnd() % 60) << 23 | mant_pattern32() : over ? huge32() : tiny32();
        volatile uint32_t r = 0;
        if (sigsetjmp(trap_jb, 1) == 0) {
          r = ops32[k].f(a, b, m);
          printf("%s %x %x %x = %x %x\n", ops32[k].name, m, a, b, r, mx_out & 0x3f);
        } else {
          printf("%s %x %x %x = trap %x\n", ops32[k].name, m, a, b, trap_mxcsr & 0x3f);
        }
        uint64_t c = over ? huge64() : tiny64(), d = k >= 2 ? (rnd() & 0x8000000000000000ull) | (900 + rnd() % 250) << 52 | mant_pattern64() : over ? huge64() : tiny64();
        volatile uint64_t q = 0;
        if (sigsetjmp(trap_jb, 1) == 0) {
          q = ops64[k].f(c, d, m);
          printf("%s %x %llx %llx = %llx %x\n", ops64[k].name, m, (unsigned long long)c, (unsigned long long)d, (unsigned long long)q, mx_out & 0x3f);
        } else {
          printf("%s %x %llx %llx = trap %x\n", ops64[k].name, m, (unsigned long long)c, (unsigned long long)d, trap_mxcsr & 0x3f);
        }
      }
  }
}

/* ------------------------------------------------------------------ x87 */

typedef struct { uint64_t m; uint16_t se; } __attribute__((packed)) x80;

static x80 mk(uint16_t se, uint64_t m) { x80 v; v.m = m; v.se = se; return v; }

static const struct { uint16_t se; uint64_t m; } edge80[] = {
  {0, 0}, {0x8000, 0}, {0x7fff, 0x8000000000000000ull}, {0xffff, 0x8000000000000000ull},
  {0x7fff, 0xc000000000000000ull}, {0xffff, 0xc000000000000000ull}, {0x7fff, 0xc000000000000001ull},
  {0xffff, 0xe123456789abcdefull}, {0x7fff, 0x8000000000000001ull}, {0xffff, 0xa000000000000000ull},
  {0x7fff, 0x4000000000000000ull}, {0x7fff, 0x0000000000000001ull}, {0x7fff, 0},
  {0x0001, 0x4000000000000000ull}, {0x3fff, 0x0000000000000001ull}, {0x4000, 0},
  {0x0000, 0x8000000000000000ull}, {0x8000, 0xc000000000000000ull}, {0x0000, 1},
  {0x8000, 0x7fffffffffffffffull}, {0x0001, 0x8000000000000000ull}, {0x7ffe, 0xffffffffffffffffull},
  {0xfffe, 0xffffffffffffffffull}, {0x3fff, 0x8000000000000000ull}, {0xbfff, 0x8000000000000000ull},
  {0x3ffe, 0x8000000000000000ull}, {0x3fff, 0xc000000000000000ull}, {0x403e, 0xffffffffffffffffull},
  {0x403e, 0x8000000000000000ull}, {0xc03e, 0x8000000000000000ull}, {0x401e, 0x8000000000000000ull},
  {0xc01e, 0x8000000000000000ull}, {0x400e, 0x8000000000000000ull}, {0xc00e, 0x8000000000000000ull},
  {0x400d, 0xfffe000000000000ull}, {0x403a, 0xde0b6b3a763fffffull}, {0xc03a, 0xde0b6b3a76400000ull},
  {0x3ffe, 0xffffffffffffffffull}, {0x3c01, 0x8000000000000000ull}, {0x3c00, 0xfffffffffffff800ull},
  {0x3f81, 0x8000000000000000ull}, {0x3f80, 0xffffff0000000000ull}, {0x407f, 0xffffff8000000000ull},
  {0x43ff, 0xfffffffffffffc00ull}, {0x43fe, 0xfffffffffffffc00ull},
};
#define NE80 (sizeof edge80 / sizeof edge80[0])

static uint64_t mant80(void) {
  switch (rnd() % 4) {
    case 0: return rnd();
    case 1: return ~0ull >> (rnd() % 64);
    case 2: return ~0ull << (rnd() % 64);
    default: return rnd() & ~(0xffffffull << (rnd() % 40));
  }
}

static x80 gen80(void) {
  uint16_t s = (uint16_t)((rnd() & 1) << 15);
  switch (rnd() % 14) {
    case 0: case 1: {
      /* an edge value, sometimes with another edge value's significand */
      unsigned i = (unsigned)(rnd() % NE80), j = (unsigned)(rnd() % NE80);
      return mk(edge80[i].se, rnd() % 4 ? edge80[i].m : edge80[j].m);
    }
    case 2: return mk((uint16_t)rnd(), rnd());
    case 3: return mk(s, rnd() % 8 == 0 ? rnd() | 1ull << 63 : mant80() >> (1 + rnd() % 63));
    case 4: return mk(s | (uint16_t)(0x7ffc + rnd() % 3), mant80() | 1ull << 63);
    case 5: return mk(s | (uint16_t)(1 + rnd() % 3), mant80() | 1ull << 63);
    case 6: return mk(s | (uint16_t)(16383 - 100 + rnd() % 200), (rnd() | 1ull << 63) & ~0x7ffull);
    case 7: return mk(s | (uint16_t)(16383 - 30 + rnd() % 60), (rnd() | 1ull << 63) & ~0xffffffffffull);
    case 8: return mk(s | (uint16_t)(16383 - 40 + rnd() % 80), mant80() | 1ull << 63);
    case 9: return mk(s | (uint16_t)(16383 - 16382 + rnd() % 100), mant80() | 1ull << 63);
    case 10: return mk(s | (uint16_t)(16383 + 14 + rnd() % 52), mant80() | 1ull << 63);
    default: return mk(s | (uint16_t)(16383 - 60 + rnd() % 120), rnd() | 1ull << 63);
  }
}
static x80 near80(x80 a) {
  x80 b = a;
  switch (rnd() % 5) {
    case 0: b.se ^= (uint16_t)(rnd() & 0x8000); return b;
    case 1: b.m += rnd() % 5 - 2; b.se ^= 0x8000; return b;
    case 2: b.se -= (uint16_t)(rnd() % 70); return b;
    case 3: b.se += (uint16_t)(rnd() % 70); return b;
    default: return gen80();
  }
}

static uint16_t sw_out;
#define X87_BIN(name, insn)                                                              \
  static x80 name(x80 a, x80 b, uint16_t cw) {                                           \
    x80 r;                                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"  \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfninit"                             \
                     : [r] "=m"(r), [sw] "=m"(sw_out)                                    \
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));                            \
    return r;                                                                            \
  }
X87_BIN(x_fadd, "fadd %%st(1), %%st") X87_BIN(x_fsub, "fsub %%st(1), %%st")
X87_BIN(x_fmul, "fmul %%st(1), %%st") X87_BIN(x_fdiv, "fdiv %%st(1), %%st")
X87_BIN(x_fsqrt, "fsqrt") X87_BIN(x_fprem, "fprem") X87_BIN(x_fprem1, "fprem1")
X87_BIN(x_fscale, "fscale") X87_BIN(x_frndint, "frndint")
X87_BIN(x_fcom, "fcom %%st(1)") X87_BIN(x_fucom, "fucom %%st(1)")
/* two-result ops: ST0 then ST1 */
#define X87_TWO(name, insn)                                                              \
  static x80 name(x80 a, x80 b, uint16_t cw, x80 *r2) {                                  \
    x80 r;                                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"  \
                     "fnstsw %[sw]\n\tfstpt %[r]\n\tfstpt %[r2]\n\tfninit"               \
                     : [r] "=m"(r), [r2] "=m"(*r2), [sw] "=m"(sw_out)                    \
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));                            \
    return r;                                                                            \
  }
X87_TWO(x_fxtract, "fxtract")
static uint32_t x_fcomi(x80 a, x80 b, uint16_t cw, int quiet) {
  uint8_t z, p, c;
  if (quiet)
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfucomi %%st(1), %%st\n\t"
                     "setz %[z]\n\tsetp %[p]\n\tsetc %[c]\n\tfnstsw %[sw]\n\tfninit"
                     : [z] "=r"(z), [p] "=r"(p), [c] "=r"(c), [sw] "=m"(sw_out)
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "cc");
  else
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfcomi %%st(1), %%st\n\t"
                     "setz %[z]\n\tsetp %[p]\n\tsetc %[c]\n\tfnstsw %[sw]\n\tfninit"
                     : [z] "=r"(z), [p] "=r"(p), [c] "=r"(c), [sw] "=m"(sw_out)
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw) : "cc");
  return (uint32_t)z << 2 | (uint32_t)p << 1 | c;
}

/* constants: FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8..EE) */
#define X87_K(name, insn)                                                                \
  static x80 name(uint16_t cw) {                                                         \
    x80 r;                                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn "\n\tfnstsw %[sw]\n\t"              \
                     "fstpt %[r]\n\tfninit"                                              \
                     : [r] "=m"(r), [sw] "=m"(sw_out)                                    \
                     : [cw] "m"(cw));                                                    \
    return r;                                                                            \
  }
X87_K(x_fld1, "fld1") X87_K(x_fldl2t, "fldl2t") X87_K(x_fldl2e, "fldl2e") X87_K(x_fldpi, "fldpi")
X87_K(x_fldlg2, "fldlg2") X87_K(x_fldln2, "fldln2") X87_K(x_fldz, "fldz")
static x80 (*const x_consts[7])(uint16_t) = { x_fld1, x_fldl2t, x_fldl2e, x_fldpi, x_fldlg2, x_fldln2, x_fldz };

/* FXAM: C3 C2 C1 C0 of ST0 */
static void x_fxam(x80 a, uint16_t cw) {
  __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfxam\n\tfnstsw %[sw]\n\tfninit"
                   : [sw] "=m"(sw_out) : [a] "m"(a), [cw] "m"(cw));
}

/* loads: memory -> ST0 -> m80 */
#define X87_LD(name, T, insn)                                                            \
  static x80 name(T a, uint16_t cw) {                                                    \
    x80 r;                                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn " %[a]\n\tfnstsw %[sw]\n\t"       \
                     "fstpt %[r]\n\tfninit"                                              \
                     : [r] "=m"(r), [sw] "=m"(sw_out)                                    \
                     : [a] "m"(a), [cw] "m"(cw));                                        \
    return r;                                                                            \
  }
X87_LD(x_flds, uint32_t, "flds") X87_LD(x_fldl, uint64_t, "fldl")
X87_LD(x_filds, uint16_t, "filds") X87_LD(x_fildl, uint32_t, "fildl") X87_LD(x_fildll, uint64_t, "fildll")
X87_LD(x_fbld, x80, "fbld")
/* stores: m80 -> ST0 -> memory */
#define X87_ST(name, T, insn)                                                            \
  static T name(x80 a, uint16_t cw) {                                                    \
    T r;                                                                                 \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[r]\n\t"          \
                     "fnstsw %[sw]\n\tfninit"                                            \
                     : [r] "=m"(r), [sw] "=m"(sw_out)                                    \
                     : [a] "m"(a), [cw] "m"(cw));                                        \
    return r;                                                                            \
  }
X87_ST(x_fsts, uint32_t, "fstps") X87_ST(x_fstl, uint64_t, "fstpl")
X87_ST(x_fists, uint16_t, "fistps") X87_ST(x_fistl, uint32_t, "fistpl") X87_ST(x_fistll, uint64_t, "fistpll")
X87_ST(x_fisttps, uint16_t, "fisttps") X87_ST(x_fisttpl, uint32_t, "fisttpl") X87_ST(x_fisttpll, uint64_t, "fisttpll")
X87_ST(x_fbstp, x80, "fbstp")

#define SWM(sw) ((sw) & 0x473f)
static void p80(x80 v) { printf(" %04x%016llx", v.se, (unsigned long long)v.m); }

static x80 genint80(int bits) {
  /* values around the integer limits and rounding boundaries */
  uint16_t s = (uint16_t)((rnd() & 1) << 15);
  switch (rnd() % 4) {
    case 0: return gen80();
    case 1: return mk(s | (uint16_t)(16383 + bits - 3 + rnd() % 4), mant80() | 1ull << 63);
    case 2: return mk(s | (uint16_t)(16383 + bits - 2), (1ull << 63) | (~0ull >> (bits + 1 - rnd() % 3)) | (rnd() & 1));
    default: return mk(s | (uint16_t)(16383 - 2 + rnd() % 8), mant80() | 1ull << 63);
  }
}

static x80 genbcd(void) {
  x80 v; v.m = 0;
  int nd = (int)(rnd() % 19);
  /* mostly valid digits; sometimes A-F, which the SDM leaves undefined (checked as the host does) */
  uint64_t base = rnd() % 8 ? 10 : 16;
  for (int i = 0; i < nd; i++) v.m |= (rnd() % base) << (4 * i);
  v.se = (uint16_t)(rnd() & 0x8000) | (uint16_t)((rnd() % base) | (rnd() % base) << 4);
  return v;
}

/* Unmasked x87 underflow: the masked-off UE makes the x87 store a biased result and
 * leave the exception pending; FNSAVE reads ST0 without triggering it. */
#define X87_UNM(name, insn)                                                              \
  static x80 name(x80 a, x80 b, uint16_t cw) {                                           \
    unsigned char env[108];                                                              \
    x80 r;                                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"  \
                     "fnstsw %[sw]\n\tfnsave %[env]\n\tfninit"                         \
                     : [env] "=m"(env), [sw] "=m"(sw_out)                                \
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));                            \
    memcpy(&r, env + 28, 10);                                                            \
    return r;                                                                            \
  }
X87_UNM(xu_fadd, "fadd %%st(1), %%st") X87_UNM(xu_fsub, "fsub %%st(1), %%st")
X87_UNM(xu_fmul, "fmul %%st(1), %%st") X87_UNM(xu_fdiv, "fdiv %%st(1), %%st")

static x80 tiny80(void) {
  uint16_t s = (uint16_t)((rnd() & 1) << 15);
  return rnd() % 4 ? mk(s | (uint16_t)(rnd() % 90), mant80() | (rnd() % 8 ? 1ull << 63 : 0)) : gen80();
}

static x80 huge80(void) {
  uint16_t s = (uint16_t)((rnd() & 1) << 15);
  return mk(s | (uint16_t)(0x7ffe - rnd() % 90), mant80() | 1ull << 63);
}

static void x87_unmasked_suite(int n) {
  static const struct { const char *name; x80 (*f)(x80, x80, uint16_t); } ops[] = {
    {"fadd", xu_fadd}, {"fsub", xu_fsub}, {"fmul", xu_fmul}, {"fdiv", xu_fdiv},
  };
  for (int over = 0; over < 2; over++)
  for (int pc = 0; pc < 4; pc++)
    for (int rc = 0; rc < 4; rc++) {
      /* all exceptions masked except UE (tiny operands) or OE (huge operands) */
      uint16_t cw = (uint16_t)((over ? 0x0377 : 0x036f) & ~0x0f00) | (uint16_t)(pc << 8) | (uint16_t)(rc << 10);
      for (unsigned k = 0; k < 4; k++)
        for (int i = 0; i < n; i++) {
          x80 a = over ? huge80() : tiny80();
          x80 b = k >= 2 ? mk((uint16_t)(rnd() & 0x8000) | (uint16_t)(16383 - 60 + rnd() % 120), mant80() | 1ull << 63) : over ? huge80() : tiny80();
          if (over && k == 3) b.se ^= 0x3f00; /* divide by a tiny number */
          if (k < 2 && rnd() % 2) b = near80(a);
          x80 r = ops[k].f(a, b, cw);
          printf("%s %x", ops[k].name, cw); p80(a); p80(b); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
        }
    }
}

static void x87_suite(int n) {
  static const struct { const char *name; x80 (*f)(x80, x80, uint16_t); int arith; } bins[] = {
    {"fadd", x_fadd, 1}, {"fsub", x_fsub, 1}, {"fmul", x_fmul, 1}, {"fdiv", x_fdiv, 1},
    {"fsqrt", x_fsqrt, 1}, {"fprem", x_fprem, 0}, {"fprem1", x_fprem1, 0}, {"fscale", x_fscale, 0},
    {"frndint", x_frndint, 0}, {"fcom", x_fcom, 0}, {"fucom", x_fucom, 0},
  };
  for (int pc = 0; pc < 4; pc++)
    for (int rc = 0; rc < 4; rc++) {
      uint16_t cw = (uint16_t)(0x037f & ~0x0f00) | (uint16_t)(pc << 8) | (uint16_t)(rc << 10);
      for (unsigned k = 0; k < sizeof bins / sizeof bins[0]; k++) {
        /* PC only affects the arithmetic; the rest is checked under other PCs with fewer cases */
        int cnt = bins[k].arith || pc == 3 ? n : n / 4;
        for (int i = 0; i < cnt; i++) {
          x80 a = gen80(), b = near80(a);
          if (rnd() & 1) { x80 t = a; a = b; b = t; }
          if (!strcmp(bins[k].name, "fscale") && rnd() % 2) b = mk((uint16_t)(rnd() & 0x8000) | (uint16_t)(16383 + rnd() % 16), mant80() | 1ull << 63);
          x80 r = bins[k].f(a, b, cw);
          printf("%s %x", bins[k].name, cw); p80(a); p80(b); printf(" ="); p80(r);
          printf(" %x\n", SWM(sw_out));
        }
      }
      int cnt = pc == 3 ? n : n / 4;
      for (int k = 0; k < 7; k++) {
        x80 r = x_consts[k](cw);
        printf("fldconst %x %x =", cw, k); p80(r); printf(" %x\n", SWM(sw_out));
      }
      for (int i = 0; i < cnt; i++) {
        x80 v = gen80();
        x_fxam(v, cw);
        printf("fxam %x", cw); p80(v); printf(" = %x\n", SWM(sw_out));
      }
      for (int i = 0; i < cnt; i++) {
        x80 a = gen80(), b = near80(a), r2;
        x80 r = x_fxtract(a, b, cw, &r2);
        printf("fxtract %x", cw); p80(a); printf(" ="); p80(r); p80(r2); printf(" %x\n", SWM(sw_out));
        uint32_t e = x_fcomi(a, b, cw, 0);
        printf("fcomi %x", cw); p80(a); p80(b); printf(" = %x %x\n", e, SWM(sw_out));
        e = x_fcomi(a, b, cw, 1);
        printf("fucomi %x", cw); p80(a); p80(b); printf(" = %x %x\n", e, SWM(sw_out));
        uint32_t f = gen32();
        r = x_flds(f, cw);
        printf("flds %x %08x =", cw, f); p80(r); printf(" %x\n", SWM(sw_out));
        uint64_t d = gen64();
        r = x_fldl(d, cw);
        printf("fldl %x %016llx =", cw, (unsigned long long)d); p80(r); printf(" %x\n", SWM(sw_out));
        uint64_t j = genint64();
        r = x_fildll(j, cw);
        printf("fildll %x %016llx =", cw, (unsigned long long)j); p80(r); printf(" %x\n", SWM(sw_out));
        r = x_fildl((uint32_t)j, cw);
        printf("fildl %x %016llx =", cw, (unsigned long long)(int64_t)(int32_t)(uint32_t)j); p80(r); printf(" %x\n", SWM(sw_out));
        r = x_filds((uint16_t)j, cw);
        printf("filds %x %016llx =", cw, (unsigned long long)(int64_t)(int16_t)(uint16_t)j); p80(r); printf(" %x\n", SWM(sw_out));
        x80 bcd = genbcd();
        r = x_fbld(bcd, cw);
        printf("fbld %x", cw); p80(bcd); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
        a = gen80();
        uint32_t r32 = x_fsts(a, cw);
        printf("fsts %x", cw); p80(a); printf(" = %08x %x\n", r32, SWM(sw_out));
        uint64_t r64 = x_fstl(a, cw);
        printf("fstl %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        a = genint80(16);
        r64 = (uint64_t)(int64_t)(int16_t)x_fists(a, cw);
        printf("fists %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        r64 = (uint64_t)(int64_t)(int16_t)x_fisttps(a, cw);
        printf("fisttps %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        a = genint80(32);
        r64 = (uint64_t)(int64_t)(int32_t)x_fistl(a, cw);
        printf("fistl %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        r64 = (uint64_t)(int64_t)(int32_t)x_fisttpl(a, cw);
        printf("fisttpl %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        a = genint80(64);
        r64 = x_fistll(a, cw);
        printf("fistll %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        r64 = x_fisttpll(a, cw);
        printf("fisttpll %x", cw); p80(a); printf(" = %016llx %x\n", (unsigned long long)r64, SWM(sw_out));
        a = rnd() % 2 ? genint80(60) : gen80();
        r = x_fbstp(a, cw);
        printf("fbstp %x", cw); p80(a); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
      }
    }
}

/* ------------------------------------------------------------------ x87 transcendentals */

X87_BIN(x_fsin, "fsin") X87_BIN(x_fcos, "fcos") X87_BIN(x_f2xm1, "f2xm1")
X87_TWO(x_fptan, "fptan") X87_TWO(x_fsincos, "fsincos")
/* FPATAN/FYL2X/FYL2XP1 pop: the result is in ST0 afterwards */
X87_BIN(x_fpatan, "fpatan") X87_BIN(x_fyl2x, "fyl2x") X87_BIN(x_fyl2xp1, "fyl2xp1")

/* A value with exponent in [lo, hi] (unbiased). */
static x80 genrange(int lo, int hi, int anysign) {
  uint16_t s = anysign ? (uint16_t)((rnd() & 1) << 15) : 0;
  return mk(s | (uint16_t)(16383 + lo + (int)(rnd() % (uint64_t)(hi - lo + 1))), mant80() | 1ull << 63);
}

static void trans_suite(int n) {
  /* 64-bit precision, and 53-bit (the Windows/FreeBSD default) with fewer cases */
  for (int ctl = 0; ctl < 8; ctl++) {
    int rc = ctl & 3;
    uint16_t cw = (uint16_t)((ctl < 4 ? 0x037f : 0x027f) | (rc << 10));
    for (int i = 0; i < (ctl < 4 ? n : n / 4); i++) {
      x80 a, b, r, r2;
      int k = (int)(rnd() % 8);
      /* trig: mostly the reduced range, also larger arguments and specials */
      a = k == 0 ? gen80() : k < 5 ? genrange(-40, 0, 1) : k < 7 ? genrange(0, 8, 1) : genrange(8, 64, 1);
      r = x_fsin(a, a, cw);
      printf("fsin %x", cw); p80(a); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
      r = x_fcos(a, a, cw);
      printf("fcos %x", cw); p80(a); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
      r = x_fsincos(a, a, cw, &r2);
      printf("fsincos %x", cw); p80(a); printf(" ="); p80(r); p80(r2); printf(" %x\n", SWM(sw_out));
      r = x_fptan(a, a, cw, &r2);
      printf("fptan %x", cw); p80(a); printf(" ="); p80(r); p80(r2); printf(" %x\n", SWM(sw_out));
      /* f2xm1: |x| <= 1 */
      a = k == 0 ? gen80() : genrange(-30, -1, 1);
      if (k == 7) a = mk((uint16_t)(rnd() & 0x8000) | 0x3fff, 1ull << 63);
      r = x_f2xm1(a, a, cw);
      printf("f2xm1 %x", cw); p80(a); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
      /* fpatan: atan(b / a) with ST0 = a, ST1 = b */
      a = k == 0 ? gen80() : genrange(-20, 20, 1);
      b = k == 0 ? near80(a) : genrange(-20, 20, 1);
      r = x_fpatan(a, b, cw);
      printf("fpatan %x", cw); p80(a); p80(b); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
      /* fyl2x: b * log2(a), a > 0 */
      a = k == 0 ? gen80() : k < 4 ? genrange(-2, 1, 0) : genrange(-100, 100, 0);
      b = k == 0 ? near80(a) : k < 6 ? mk(0x3fff, 1ull << 63) : genrange(-10, 10, 1);
      r = x_fyl2x(a, b, cw);
      printf("fyl2x %x", cw); p80(a); p80(b); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
      /* fyl2xp1: b * log2(a + 1), |a| < 1 - sqrt(2)/2 */
      a = k == 0 ? gen80() : genrange(-40, -3, 1);
      r = x_fyl2xp1(a, b, cw);
      printf("fyl2xp1 %x", cw); p80(a); p80(b); printf(" ="); p80(r); printf(" %x\n", SWM(sw_out));
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: harness sse|x87|trans <n> <seed>\n"); return 2; }
  int n = atoi(argv[2]);
  rng ^= strtoull(argv[3], 0, 0) * 0x9e3779b97f4a7c15ull;
  if (!rng) rng = 1;
  if (!strcmp(argv[1], "sse")) sse_suite(n);
  else if (!strcmp(argv[1], "sse-unmasked")) sse_unmasked_suite(n);
  else if (!strcmp(argv[1], "x87")) x87_suite(n);
  else if (!strcmp(argv[1], "x87-unmasked")) x87_unmasked_suite(n);
  else if (!strcmp(argv[1], "trans")) trans_suite(n);
  else { fprintf(stderr, "unknown suite %s\n", argv[1]); return 2; }
  return 0;
}
