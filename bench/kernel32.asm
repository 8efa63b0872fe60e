; The 32-bit benchmark kernel (bench/kernel32.ts holds its bytes as KERNEL32; the test
; test/bench/kernel32.test.ts checks that this source assembles to them).
;   nasm -f bin -o kernel32.bin bench/kernel32.asm
; It is bench/cpu-mips.ts's 64-bit kernel with r8/r9 replaced by edi/ebp, the checksum kept in
; memory across the sort, and an outer loop over the pass count at [VARS].  Each side appends its
; own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
CSUM equ 0x110000
SORT equ 0x118000
top:    sub dword [VARS], 1
        jb done
        mov edi, 40
.co:    mov esi, CSUM
        mov ecx, 4096
        xor eax, eax
        xor edx, edx
.ci:    mov ebx, [esi]
        add eax, ebx
        add edx, eax
        rol edx, 3
        xor eax, edx
        add esi, 4
        dec ecx
        jnz .ci
        dec edi
        jnz .co
        mov [VARS+4], eax
        mov [VARS+8], edx
        mov edi, 30
        mov ebp, 1
.so:    mov esi, SORT
        mov ecx, 256
        mov eax, ebp
.fill:  imul eax, eax, 1103515245
        add eax, 12345
        mov [esi+ecx*4-4], eax
        dec ecx
        jnz .fill
        mov ebp, eax
        mov ecx, 1
.i:     mov eax, [esi+ecx*4]
        mov edx, ecx
.j:     test edx, edx
        jz .place
        mov ebx, [esi+edx*4-4]
        cmp ebx, eax
        jbe .place
        mov [esi+edx*4], ebx
        dec edx
        jmp .j
.place: mov [esi+edx*4], eax
        inc ecx
        cmp ecx, 256
        jb .i
        dec edi
        jnz .so
        jmp top
done:   mov eax, [VARS+4]
        mov edx, [VARS+8]
