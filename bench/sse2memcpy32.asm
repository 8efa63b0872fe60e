; bench/sse2memcpy32.asm: the SSE2 memcpy kernel of the CPU benchmark (bench/cpu-kernels.ts).
;   nasm -f bin -o sse2memcpy32.bin bench/sse2memcpy32.asm
; Each pass copies 16 blocks of 65472 bytes from SRC to DST, 64 bytes per iteration through four
; XMM registers: even blocks with aligned MOVDQA loads, odd blocks from SRC+block (misaligned) with
; MOVDQU loads; stores are MOVDQA.  At the end EAX/EDX hold a sum and a rotating xor of DST; each
; side appends its own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
SRC  equ 0x110000
DST  equ 0x120000
top:    sub dword [VARS], 1
        jb done
        mov ebx, 16
.b:     mov edi, DST
        mov ecx, 0xffc0 / 64
        test ebx, 1
        jnz .u
        mov esi, SRC
.a:     movdqa xmm0, [esi]
        movdqa xmm1, [esi+16]
        movdqa xmm2, [esi+32]
        movdqa xmm3, [esi+48]
        movdqa [edi], xmm0
        movdqa [edi+16], xmm1
        movdqa [edi+32], xmm2
        movdqa [edi+48], xmm3
        add esi, 64
        add edi, 64
        dec ecx
        jnz .a
        jmp .n
.u:     lea esi, [ebx+SRC]
.m:     movdqu xmm0, [esi]
        movdqu xmm1, [esi+16]
        movdqu xmm2, [esi+32]
        movdqu xmm3, [esi+48]
        movdqa [edi], xmm0
        movdqa [edi+16], xmm1
        movdqa [edi+32], xmm2
        movdqa [edi+48], xmm3
        add esi, 64
        add edi, 64
        dec ecx
        jnz .m
.n:     dec ebx
        jnz .b
        jmp top
done:   mov esi, DST
        mov ecx, 0x3ff0
        xor eax, eax
        xor edx, edx
.c:     add eax, [esi]
        rol edx, 5
        xor edx, [esi]
        add esi, 4
        dec ecx
        jnz .c
        xor ebp, ebp
