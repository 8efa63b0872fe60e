; bench/hash32.asm: the hash kernel of the CPU benchmark (bench/cpu-kernels.ts).
;   nasm -f bin -o hash32.bin bench/hash32.asm
; Each pass: FNV-1a over a 16 KiB buffer, then 16 rounds of the SHA-256 message schedule
; (w[i] = s1(w[i-2]) + w[i-7] + s0(w[i-15]) + w[i-16], 48 expansions per round) seeded with the
; hash, each round restarting from the last 16 words (copied with REP MOVSD).  At the end EAX is
; the running hash, EDX and EBP two schedule words; each side appends its own exit after `done`.
bits 32
org 0x100000
VARS equ 0x108000
W    equ 0x10c000
BUF  equ 0x110000
top:    sub dword [VARS], 1
        jb done
        mov esi, BUF
        mov ecx, 0x4000
        mov eax, [VARS+4]
.h:     movzx edx, byte [esi]
        xor eax, edx
        imul eax, eax, 0x01000193
        inc esi
        dec ecx
        jnz .h
        mov [VARS+4], eax
        mov edi, W
        mov ecx, 16
        rep stosd
        mov edi, W
        mov dword [VARS+8], 16
.r:     mov ebx, 16
.s:     mov eax, [edi+ebx*4-8]
        mov edx, eax
        mov ebp, eax
        ror eax, 17
        ror edx, 19
        shr ebp, 10
        xor eax, edx
        xor eax, ebp
        add eax, [edi+ebx*4-28]
        add eax, [edi+ebx*4-64]
        mov edx, [edi+ebx*4-60]
        mov ebp, edx
        mov ecx, edx
        ror edx, 7
        ror ebp, 18
        shr ecx, 3
        xor edx, ebp
        xor edx, ecx
        add eax, edx
        mov [edi+ebx*4], eax
        inc ebx
        cmp ebx, 64
        jb .s
        lea esi, [edi+48*4]
        mov ecx, 16
        rep movsd
        mov edi, W
        sub dword [VARS+8], 1
        jnz .r
        mov eax, [W+15*4]
        xor [VARS+4], eax
        jmp top
done:   mov eax, [VARS+4]
        mov edx, [W+15*4]
        mov ebp, [W]
