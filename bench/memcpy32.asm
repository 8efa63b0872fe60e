; bench/memcpy32.asm: the `rep movsb` memcpy kernel of the CPU benchmark (bench/cpu-kernels.ts).
;   nasm -f bin -o memcpy32.bin bench/memcpy32.asm
; Each pass copies 16 blocks of 64 KiB from SRC to DST with REP MOVSB, alternating the source
; offset by one byte so that both aligned and misaligned copies run.  At the end EAX/EDX hold a
; sum and a rotating xor of DST; each side appends its own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
SRC  equ 0x110000
DST  equ 0x120000
top:    sub dword [VARS], 1
        jb done
        mov ebx, 16
.b:     mov esi, ebx
        and esi, 1
        add esi, SRC
        mov edi, DST
        mov ecx, 0xffff
        rep movsb
        dec ebx
        jnz .b
        jmp top
done:   mov esi, DST
        mov ecx, 0x3fff
        xor eax, eax
        xor edx, edx
.c:     add eax, [esi]
        rol edx, 5
        xor edx, [esi]
        add esi, 4
        dec ecx
        jnz .c
        xor ebp, ebp
