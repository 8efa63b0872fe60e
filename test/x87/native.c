/*
 * Oracle for the x87 differential test: runs instruction byte sequences on the host CPU.
 *
 * stdin: cases of { u32 code_len; u8 code[code_len]; u8 data[DATA_SIZE] }.  The code is copied
 * to CODE_ADDR with a RET appended and called; it finds its data (initial FXSAVE image,
 * memory operands, initial RAX/RFLAGS) at DATA_ADDR, and leaves its results there (see
 * test/x87/cases.ts for the layout).  stdout: per case { u32 signo; u32 pad; u64 fault_offset;
 * u8 data[DATA_SIZE] } - signo 0 when the code returned.  After each case the FPU and MXCSR
 * are reset for the C code around it.
 *
 * Built at test time: gcc -O1 -no-pie -o native native.c
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
#define DATA_SIZE 0x840
#define CODE_ADDR 0x110000UL
#define CODE_MAX 4000

static sigjmp_buf jb;
static volatile uint64_t fault_rip;

static void on_fault(int sig, siginfo_t *si, void *uc_) {
	ucontext_t *uc = uc_;
	(void)si;
	fault_rip = uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(jb, sig);
}

static int read_all(void *p, size_t n) {
	uint8_t *b = p;
	while (n) {
		ssize_t r = read(0, b, n);
		if (r <= 0) return 0;
		b += r; n -= (size_t)r;
	}
	return 1;
}

static void write_all(const void *p, size_t n) {
	if (fwrite(p, 1, n, stdout) != n) exit(2);
}

int main(void) {
	if (mmap((void *)DATA_ADDR, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    mmap((void *)CODE_ADDR, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGFPE, &sa, 0);
	sigaction(SIGSEGV, &sa, 0);
	sigaction(SIGILL, &sa, 0);
	sigaction(SIGBUS, &sa, 0);
	uint8_t *code = (uint8_t *)CODE_ADDR;
	uint8_t *data = (uint8_t *)DATA_ADDR;
	uint32_t len;
	while (read_all(&len, 4)) {
		if (len > CODE_MAX || !read_all(code, len) || !read_all(data, DATA_SIZE)) return 3;
		code[len] = 0xc3;
		struct { uint32_t signo, pad; uint64_t off; } hdr = { 0, 0, 0 };
		int sig = sigsetjmp(jb, 1);
		if (sig == 0) {
			((void (*)(void))code)();
		} else {
			hdr.signo = (uint32_t)sig;
			hdr.off = fault_rip - CODE_ADDR;
		}
		uint32_t mx = 0x1f80;
		__asm__ volatile("fninit; ldmxcsr %0; cld" : : "m"(mx));
		write_all(&hdr, sizeof hdr);
		write_all(data, DATA_SIZE);
	}
	fflush(stdout);
	return 0;
}
