; bench/fft32.asm: the SSE2 FFT kernel of the CPU benchmark (bench/cpu-kernels.ts).
;   nasm -f bin -o fft32.bin bench/fft32.asm
; Each pass: a 64-point radix-2 decimation-in-time FFT of the complex doubles at X (re, im pairs,
; one per XMM register): a bit-reversed copy to W (byte offsets from REV), then 6 stages of
; butterflies with the twiddles at TW ([wr, wr] and [-wi, wi] per k, so that w*b is
; MULPD, SHUFPD, MULPD, ADDPD); then X = W * [VARS+16] (1/8), so each pass transforms the last.
; At the end EAX/EDX hold a sum and a rotating xor of W's bits (W is also compared whole); each
; side appends its own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
X    equ 0x110000
TW   equ 0x111000
REV  equ 0x112000
W    equ 0x118000
top:    sub dword [VARS], 1
        jb done
        xor ecx, ecx
.r:     mov eax, [REV+ecx*4]
        movapd xmm0, [X+eax]
        mov edx, ecx
        shl edx, 4
        movapd [W+edx], xmm0
        inc ecx
        cmp ecx, 64
        jb .r
        mov ebx, 1
        mov ebp, 1024
.st:    xor esi, esi
.g:     xor edi, edi
.k:     lea eax, [esi+edi]
        shl eax, 4
        mov edx, ebx
        shl edx, 4
        add edx, eax
        mov ecx, edi
        imul ecx, ebp
        movapd xmm1, [W+edx]
        movapd xmm2, xmm1
        shufpd xmm2, xmm2, 1
        mulpd xmm1, [TW+ecx]
        mulpd xmm2, [TW+ecx+16]
        addpd xmm1, xmm2
        movapd xmm0, [W+eax]
        movapd xmm3, xmm0
        addpd xmm0, xmm1
        subpd xmm3, xmm1
        movapd [W+eax], xmm0
        movapd [W+edx], xmm3
        inc edi
        cmp edi, ebx
        jb .k
        lea esi, [esi+ebx*2]
        cmp esi, 64
        jb .g
        shr ebp, 1
        add ebx, ebx
        cmp ebx, 64
        jb .st
        movapd xmm4, [VARS+16]
        xor ecx, ecx
.x:     movapd xmm0, [W+ecx]
        mulpd xmm0, xmm4
        movapd [X+ecx], xmm0
        add ecx, 16
        cmp ecx, 1024
        jb .x
        jmp top
done:   mov esi, W
        mov ecx, 256
        xor eax, eax
        xor edx, edx
.c:     add eax, [esi]
        rol edx, 5
        xor edx, [esi]
        add esi, 4
        dec ecx
        jnz .c
        xor ebp, ebp
