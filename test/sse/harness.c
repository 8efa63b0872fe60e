/*
 * SSE/MMX differential-test harness: runs instruction bytes on the host CPU (64-bit mode) from a
 * given state (GPRs, RFLAGS, a full FXSAVE image: XMM0-15, MXCSR, MMX/x87 registers, tags) and a
 * memory window, and reports the resulting state (GPRs, RFLAGS, FXSAVE image, changed bytes).
 * Faults (#GP -> SIGSEGV, #UD -> SIGILL, #XM -> SIGFPE) are caught by a signal handler that
 * records the state at the fault from the ucontext (its fpregs are in FXSAVE layout).
 *
 * Reads `struct tc_in` records on stdin, writes `struct tc_out` records on stdout
 * (test/sse/protocol.ts mirrors both).  Built at test time: gcc -O1 -no-pie.
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

#define DATA_ADDR 0x100000UL
#define DATA_SIZE 0x1000UL
#define CODE_ADDR 0x200000UL
#define CODE_SIZE 0x1000UL
#define MAX_CODE 32
#define MAX_DIFFS 64

struct tc_in {
	uint32_t code_len;
	uint8_t code[MAX_CODE];
	uint32_t seed;
	uint32_t memoff;
	uint8_t memop[32];
	uint32_t mode;        /* 64, or 32: compatibility mode through Linux's selector 0x23 */
	uint64_t regs[16];
	uint64_t flags;
	uint8_t fx[512];
};

struct tc_out {
	uint32_t signo;
	uint32_t ndiff;
	uint64_t rip;
	uint64_t regs[16];
	uint64_t flags;
	uint8_t fx[512];
	uint32_t diffs[MAX_DIFFS]; /* (offset << 8) | new byte */
};

uint64_t in_regs[16], in_flags, out_regs[16], out_flags, host_rsp, code_ptr;
uint8_t fx_in[512] __attribute__((aligned(16)));
uint8_t fx_out[512] __attribute__((aligned(16)));
uint8_t fx_host[512] __attribute__((aligned(16)));
uint64_t scratch_stack[64];
struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far_code, far_exit;

void enter64(void);
void enter32(void);
void exit64(void);

__asm__(
	".text\n"
	".globl enter64, enter32, exit64\n"
	"enter32:\n"
	"  pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
	"  movq %rsp, host_rsp\n"
	"  movl $0x2b, %eax\n"
	"  movl %eax, %ds\n"
	"  movl %eax, %es\n"
	"  leaq scratch_stack+256, %rsp\n"
	"  fxrstor64 fx_in\n"
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
	"enter64:\n"
	"  pushq %rbx; pushq %rbp; pushq %r12; pushq %r13; pushq %r14; pushq %r15\n"
	"  movq %rsp, host_rsp\n"
	"  leaq scratch_stack+256, %rsp\n"
	"  fxrstor64 fx_in\n"
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
	"  fxsave64 fx_out\n"
	"  fxrstor64 fx_host\n"
	"  cld\n"
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
	memcpy(fx_out, uc->uc_mcontext.fpregs, 512);
	siglongjmp(jb, 1);
}

static void fill(uint8_t *p, size_t n, uint32_t state) {
	for (size_t i = 0; i < n; i++) {
		state = state * 1103515245u + 12345u;
		p[i] = state >> 24;
	}
}

int main(void) {
	uint8_t *data = mmap((void *)DATA_ADDR, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	uint8_t *code = mmap((void *)CODE_ADDR, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (data != (void *)DATA_ADDR || code != (void *)CODE_ADDR) {
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
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
	__asm__ volatile("fxsave64 fx_host" ::: "memory");
	code_ptr = CODE_ADDR;
	far_code.off = CODE_ADDR;
	far_code.sel = 0x23;
	far_exit.off = (uint32_t)(uintptr_t)exit64;
	far_exit.sel = 0x33;

	static uint8_t init_data[DATA_SIZE];
	static struct tc_in in;
	static struct tc_out out;
	while (fread(&in, sizeof in, 1, stdin) == 1) {
		if (in.code_len > MAX_CODE || in.memoff + 32 > DATA_SIZE) return 3;
		fill(init_data, DATA_SIZE, in.seed);
		memcpy(init_data + in.memoff, in.memop, 32);
		memcpy(data, init_data, DATA_SIZE);
		memset(code, 0xcc, CODE_SIZE);
		memcpy(code, in.code, in.code_len);
		uint8_t *stub = code + in.code_len;
		if (in.mode == 64) {
			stub[0] = 0xff; stub[1] = 0x25; memset(stub + 2, 0, 4); /* jmp *0(%rip); .quad exit64 */
			uint64_t a = (uint64_t)(uintptr_t)exit64;
			memcpy(stub + 6, &a, 8);
		} else {
			stub[0] = 0xff; stub[1] = 0x2d; /* ljmp *far_exit (m16:32) */
			uint32_t a = (uint32_t)(uintptr_t)&far_exit;
			memcpy(stub + 2, &a, 4);
		}
		__builtin___clear_cache((char *)code, (char *)code + CODE_SIZE);
		memcpy(in_regs, in.regs, sizeof in_regs);
		in_flags = in.flags;
		memcpy(fx_in, in.fx, 512);
		memset(&out, 0, sizeof out);
		fault_sig = 0;
		fault_rip = 0;
		if (sigsetjmp(jb, 1) == 0) {
			if (in.mode == 64) enter64(); else enter32();
		}
		else __asm__ volatile("fxrstor64 fx_host" ::: "memory");
		out.signo = fault_sig;
		out.rip = fault_rip;
		memcpy(out.regs, out_regs, sizeof out.regs);
		out.flags = out_flags;
		memcpy(out.fx, fx_out, 512);
		uint32_t nd = 0;
		for (uint32_t i = 0; i < DATA_SIZE && nd < MAX_DIFFS; i++)
			if (data[i] != init_data[i]) out.diffs[nd++] = (i << 8) | data[i];
		out.ndiff = nd;
		fwrite(&out, sizeof out, 1, stdout);
	}
	return 0;
}
