; bench/dotpd32.asm: the SSE2 double-precision dot product kernel of the CPU benchmark
; (bench/cpu-kernels.ts).
;   nasm -f bin -o dotpd32.bin bench/dotpd32.asm
; Each pass computes the dot product of two arrays of 2048 doubles at A and B with MULPD/ADDPD
; into two packed accumulators (four partial sums), folds them with UNPCKHPD/ADDSD and adds the
; pass's dot product to a running sum in XMM7.  At the end EDX:EAX are the bits of the running
; sum and EBP the low half of the last pass's; each side appends its own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
A    equ 0x110000
B    equ 0x120000
N    equ 2048
        xorpd xmm7, xmm7
top:    sub dword [VARS], 1
        jb done
        mov esi, A
        mov edi, B
        mov ecx, N / 4
        xorpd xmm0, xmm0
        xorpd xmm1, xmm1
.d:     movapd xmm2, [esi]
        mulpd xmm2, [edi]
        addpd xmm0, xmm2
        movapd xmm3, [esi+16]
        mulpd xmm3, [edi+16]
        addpd xmm1, xmm3
        add esi, 32
        add edi, 32
        dec ecx
        jnz .d
        addpd xmm0, xmm1
        movapd xmm1, xmm0
        unpckhpd xmm1, xmm1
        addsd xmm0, xmm1
        addsd xmm7, xmm0
        jmp top
done:   movd ebp, xmm0
        movd eax, xmm7
        psrlq xmm7, 32
        movd edx, xmm7
