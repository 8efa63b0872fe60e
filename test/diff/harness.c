/*
 * Differential-test harness: runs instruction bytes on the host CPU and reports the state.
 *
 * Reads test cases from stdin, writes one result per case to stdout (formats in
 * test/diff/protocol.ts).  64-bit cases run natively; 32-bit cases run in compatibility mode
 * after a far jump to Linux's 32-bit user code selector 0x23, and come back to 64-bit mode
 * (selector 0x33) through a far jump in the exit stub.  Faults are caught by a signal handler
 * that records the signal and the state at the fault (ucontext), then siglongjmps back.
 *
 * Built at test time with: gcc -O1 -no-pie -o harness harness.c
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define DATA_ADDR 0x100000UL
#define DATA_SIZE 0x2000UL
#define CODE_ADDR 0x200000UL
#define CODE_SIZE 0x1000UL
#define STACK_ADDR 0x300000UL
#define STACK_SIZE 0x1000UL
#define MAX_CODE 2048
#define MAX_DIFFS 64

/* Followed on the wire by code_len code bytes. */
struct tc_in {
	uint32_t mode;        /* 64 or 32 */
	uint32_t code_len;
	uint32_t seed;
	uint32_t pad;
	uint64_t regs[16];
	uint64_t flags;
};

struct tc_out {
	uint32_t signo;       /* 0 = reached the exit stub */
	uint32_t ndiff;
	uint64_t rip;         /* faulting RIP (signal) or 0 */
	uint64_t regs[16];
	uint64_t flags;
	uint32_t ndiff_total; /* changed bytes in all */
	uint32_t hash;        /* FNV-1a over the final data then stack regions */
	uint32_t diffs[MAX_DIFFS]; /* (offset << 8) | new byte; stack offsets are + DATA_SIZE */
};

/* Shared with the trampolines (absolute addresses: this binary is not PIE). */
uint64_t in_regs[16], in_flags, out_regs[16], out_flags, host_rsp, code_ptr;
struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far_code, far_exit;
uint64_t scratch_stack[64];

void enter64(void);
void enter32(void);
void exit64(void);

__asm__(
	".text\n"
	".globl enter64, enter32, exit64\n"
	"enter64:\n"
	"  pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
	"  movq %rsp, host_rsp\n"
	"  movl $0x2b, %eax\n"
	"  movl %eax, %ds\n"
	"  movl %eax, %es\n"
	"  leaq scratch_stack+256, %rsp\n"
	"  pushq in_flags\n"
	"  popfq\n"
	"  movq in_regs+0, %rax\n"
	"  movq in_regs+8, %rcx\n"
	"  movq in_regs+16, %rdx\n"
	"  movq in_regs+24, %rbx\n"
	"  movq in_regs+40, %rbp\n"
	"  movq in_regs+48, %rsi\n"
	"  movq in_regs+56, %rdi\n"
	"  movq in_regs+64, %r8\n"
	"  movq in_regs+72, %r9\n"
	"  movq in_regs+80, %r10\n"
	"  movq in_regs+88, %r11\n"
	"  movq in_regs+96, %r12\n"
	"  movq in_regs+104, %r13\n"
	"  movq in_regs+112, %r14\n"
	"  movq in_regs+120, %r15\n"
	"  movq in_regs+32, %rsp\n"
	"  jmp *code_ptr\n"
	"enter32:\n"
	"  pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
	"  movq %rsp, host_rsp\n"
	"  movl $0x2b, %eax\n"
	"  movl %eax, %ds\n"
	"  movl %eax, %es\n"
	"  leaq scratch_stack+256, %rsp\n"
	"  pushq in_flags\n"
	"  popfq\n"
	"  movq in_regs+0, %rax\n"
	"  movq in_regs+8, %rcx\n"
	"  movq in_regs+16, %rdx\n"
	"  movq in_regs+24, %rbx\n"
	"  movq in_regs+40, %rbp\n"
	"  movq in_regs+48, %rsi\n"
	"  movq in_regs+56, %rdi\n"
	"  movq in_regs+32, %rsp\n"
	"  ljmpl *far_code\n"
	"exit64:\n"
	"  movq %rax, out_regs+0\n"
	"  movq %rcx, out_regs+8\n"
	"  movq %rdx, out_regs+16\n"
	"  movq %rbx, out_regs+24\n"
	"  movq %rsp, out_regs+32\n"
	"  movq %rbp, out_regs+40\n"
	"  movq %rsi, out_regs+48\n"
	"  movq %rdi, out_regs+56\n"
	"  movq %r8, out_regs+64\n"
	"  movq %r9, out_regs+72\n"
	"  movq %r10, out_regs+80\n"
	"  movq %r11, out_regs+88\n"
	"  movq %r12, out_regs+96\n"
	"  movq %r13, out_regs+104\n"
	"  movq %r14, out_regs+112\n"
	"  movq %r15, out_regs+120\n"
	"  leaq scratch_stack+256, %rsp\n"
	"  pushfq\n"
	"  popq %rax\n"
	"  movq %rax, out_flags\n"
	"  cld\n" /* the C library expects DF = 0 */
	"  movq host_rsp, %rsp\n"
	"  popq %r15; popq %r14; popq %r13; popq %r12; popq %rbp; popq %rbx\n"
	"  ret\n");

static sigjmp_buf jb;
static volatile int fault_sig;
static uint64_t fault_rip;

static void on_fault(int sig, siginfo_t *si, void *uc_) {
	ucontext_t *uc = uc_;
	greg_t *g = uc->uc_mcontext.gregs;
	(void)si;
	fault_sig = sig;
	fault_rip = g[REG_RIP];
	out_regs[0] = g[REG_RAX]; out_regs[1] = g[REG_RCX]; out_regs[2] = g[REG_RDX]; out_regs[3] = g[REG_RBX];
	out_regs[4] = g[REG_RSP]; out_regs[5] = g[REG_RBP]; out_regs[6] = g[REG_RSI]; out_regs[7] = g[REG_RDI];
	out_regs[8] = g[REG_R8]; out_regs[9] = g[REG_R9]; out_regs[10] = g[REG_R10]; out_regs[11] = g[REG_R11];
	out_regs[12] = g[REG_R12]; out_regs[13] = g[REG_R13]; out_regs[14] = g[REG_R14]; out_regs[15] = g[REG_R15];
	out_flags = g[REG_EFL];
	siglongjmp(jb, 1);
}

/* The data/stack fill both sides use: a 32-bit LCG, one byte per step (top byte). */
static void fill(uint8_t *p, size_t n, uint32_t *state) {
	for (size_t i = 0; i < n; i++) {
		*state = *state * 1103515245u + 12345u;
		p[i] = *state >> 24;
	}
}

int main(void) {
	uint8_t *data = mmap((void *)DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	uint8_t *code = mmap((void *)CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	uint8_t *stack = mmap((void *)STACK_ADDR, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (data != (void *)DATA_ADDR || code != (void *)CODE_ADDR || stack != (void *)STACK_ADDR) {
		fprintf(stderr, "harness: cannot map the fixed test regions\n");
		return 2;
	}
	static uint8_t altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	/* SIGALRM: a case that loops for ever (a generator bug) ends as a "fault" instead of hanging. */
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);

	far_exit.off = (uint32_t)(uintptr_t)exit64;
	far_exit.sel = 0x33;
	far_code.off = CODE_ADDR;
	far_code.sel = 0x23;
	code_ptr = CODE_ADDR;

	static uint8_t init_data[DATA_SIZE + STACK_SIZE];
	static uint8_t in_code[MAX_CODE];
	struct tc_in in;
	struct tc_out out;
	while (fread(&in, sizeof in, 1, stdin) == 1) {
		if (in.code_len > MAX_CODE || fread(in_code, 1, in.code_len, stdin) != in.code_len) return 3;
		uint32_t st = in.seed;
		fill(init_data, DATA_SIZE + STACK_SIZE, &st);
		memcpy(data, init_data, DATA_SIZE);
		memcpy(stack, init_data + DATA_SIZE, STACK_SIZE);
		memset(code, 0xcc, CODE_SIZE);
		memcpy(code, in_code, in.code_len);
		uint8_t *stub = code + in.code_len;
		if (in.mode == 64) {
			/* jmp *0(%rip); .quad exit64 */
			stub[0] = 0xff; stub[1] = 0x25; memset(stub + 2, 0, 4);
			uint64_t a = (uint64_t)(uintptr_t)exit64;
			memcpy(stub + 6, &a, 8);
		} else {
			/* ljmp *far_exit (m16:32) */
			stub[0] = 0xff; stub[1] = 0x2d;
			uint32_t a = (uint32_t)(uintptr_t)&far_exit;
			memcpy(stub + 2, &a, 4);
		}
		__builtin___clear_cache((char *)code, (char *)code + CODE_SIZE);
		memcpy(in_regs, in.regs, sizeof in_regs);
		in_flags = in.flags;
		memset(&out, 0, sizeof out);
		fault_sig = 0;
		fault_rip = 0;
		if (sigsetjmp(jb, 1) == 0) {
			alarm(2);
			if (in.mode == 64) enter64(); else enter32();
		}
		alarm(0);
		out.signo = fault_sig;
		out.rip = fault_rip;
		memcpy(out.regs, out_regs, sizeof out.regs);
		out.flags = out_flags;
		uint32_t nd = 0, total = 0, h = 0x811c9dc5u;
		for (uint32_t i = 0; i < DATA_SIZE + STACK_SIZE; i++) {
			uint8_t now = i < DATA_SIZE ? data[i] : stack[i - DATA_SIZE];
			h = (h ^ now) * 0x01000193u;
			if (now == init_data[i]) continue;
			total++;
			if (nd < MAX_DIFFS) out.diffs[nd++] = (i << 8) | now;
		}
		out.ndiff = nd;
		out.ndiff_total = total;
		out.hash = h;
		fwrite(&out, sizeof out, 1, stdout);
	}
	return 0;
}
