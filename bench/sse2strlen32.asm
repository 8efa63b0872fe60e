; bench/sse2strlen32.asm: the SSE2 strlen kernel of the CPU benchmark (bench/cpu-kernels.ts).
;   nasm -f bin -o sse2strlen32.bin bench/sse2strlen32.asm
; Each pass measures the [VARS+4] NUL-terminated strings packed one after another from STRS, 16
; bytes at a time: PCMPEQB against zero, PMOVMSKB, BSF, reading aligned blocks (the first one
; shifted past the bytes before the string).  At the end EAX is the sum of all lengths over all
; passes, EDX a hash of them (h = h*31 + len); each side appends its own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
STRS equ 0x110000
        xor ebp, ebp
        xor edi, edi
        pxor xmm0, xmm0
top:    sub dword [VARS], 1
        jb done
        mov esi, STRS
        mov ebx, [VARS+4]
.s:     mov eax, esi
        and eax, -16
        mov ecx, esi
        and ecx, 15
        movdqa xmm1, [eax]
        pcmpeqb xmm1, xmm0
        pmovmskb edx, xmm1
        shr edx, cl
        bsf edx, edx
        jnz .f
.l:     add eax, 16
        movdqa xmm1, [eax]
        pcmpeqb xmm1, xmm0
        pmovmskb edx, xmm1
        bsf edx, edx
        jz .l
        add edx, eax
        sub edx, esi
.f:     add ebp, edx
        imul edi, edi, 31
        add edi, edx
        lea esi, [esi+edx+1]
        dec ebx
        jnz .s
        jmp top
done:   mov eax, ebp
        mov edx, edi
