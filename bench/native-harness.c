/*
 * Runs the 32-bit benchmark kernel (bench/kernel32.ts) on the host CPU: the same bytes at the same
 * addresses as in the guests, in compatibility mode (Linux's 32-bit user code selector 0x23).
 *
 * stdin: u32 code length, code, u32 data length, data (loaded at 0x100000 and 0x108000; the
 * mapping covers 0x100000-0x13ffff).  The
 * harness appends `jmp far 0x33:back64` to the code, so the kernel returns to 64-bit mode.
 * stdout: one line "eax edx ebp wall_ns cpu_ns sorted_hex".
 *
 * Built by bench/native.ts with: gcc -O1 -no-pie -o native-harness native-harness.c
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define CODE_ADDR 0x100000UL
#define DATA_ADDR 0x108000UL
#define SORT_ADDR 0x118000UL
#define REGION_SIZE 0x40000UL

/* Used by the trampolines by absolute address (the binary is not PIE). */
uint64_t saved_rsp;
uint32_t res_eax, res_edx, res_ebp;
struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far_kernel;

void enter32(void);
void back64(void);

__asm__(
	".text\n"
	".globl enter32, back64\n"
	"enter32:\n"
	"  pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
	"  movq %rsp, saved_rsp\n"
	/* Compatibility mode needs usable DS/ES: Linux's user data selector. */
	"  movl $0x2b, %eax\n"
	"  movl %eax, %ds\n"
	"  movl %eax, %es\n"
	"  ljmpl *far_kernel\n"
	".code32\n"
	"back64:\n"
	".code64\n"
	"  movl %eax, res_eax\n"
	"  movl %edx, res_edx\n"
	"  movl %ebp, res_ebp\n"
	"  movq saved_rsp, %rsp\n"
	"  cld\n"
	"  popq %r15; popq %r14; popq %r13; popq %r12; popq %rbp; popq %rbx\n"
	"  ret\n");

static int64_t ns(clockid_t c) {
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int read_blob(uint8_t *dst, uint32_t max) {
	uint32_t n;
	if (fread(&n, 4, 1, stdin) != 1 || n > max || fread(dst, 1, n, stdin) != n) return -1;
	return (int)n;
}

int main(void) {
	uint8_t *mem = mmap((void *)CODE_ADDR, REGION_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
	                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mem != (void *)CODE_ADDR) {
		fprintf(stderr, "native-harness: cannot map 0x%lx\n", CODE_ADDR);
		return 2;
	}
	int code_len = read_blob(mem, DATA_ADDR - CODE_ADDR - 7);
	if (code_len < 0 || read_blob(mem + (DATA_ADDR - CODE_ADDR), REGION_SIZE - (DATA_ADDR - CODE_ADDR)) < 0) {
		fprintf(stderr, "native-harness: bad input\n");
		return 3;
	}
	/* jmp far 0x33:back64 */
	uint8_t *tail = mem + code_len;
	uint32_t back = (uint32_t)(uintptr_t)back64;
	tail[0] = 0xea;
	memcpy(tail + 1, &back, 4);
	tail[5] = 0x33;
	tail[6] = 0x00;
	far_kernel.off = CODE_ADDR;
	far_kernel.sel = 0x23;

	int64_t w0 = ns(CLOCK_MONOTONIC), c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
	enter32();
	int64_t w1 = ns(CLOCK_MONOTONIC), c1 = ns(CLOCK_PROCESS_CPUTIME_ID);

	printf("%u %u %u %lld %lld ", res_eax, res_edx, res_ebp, (long long)(w1 - w0), (long long)(c1 - c0));
	const uint8_t *sorted = mem + (SORT_ADDR - CODE_ADDR);
	for (int i = 0; i < 1024; i++) printf("%02x", sorted[i]);
	printf("\n");
	return 0;
}
