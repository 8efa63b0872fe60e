; Long-mode checks where QEMU 7.2's TCG is laxer than the SDM (the oracle here): clearing
; CR0.PG in 64-bit mode, clearing CR4.PAE while EFER.LMA is set, toggling EFER.LME with paging
; on, CR3 bits above MAXPHYADDR, CR8 bits 63:4, SYSRET to a non-canonical RIP.  Each case prints
; "expect #<vector> at=<address>"; the report line that follows must match it.
%include "lib.inc"
%include "sys.inc"
%include "sys64.inc"

bits 64
%macro EXPECT64 2+
    TRY64 %%c
    PRINT64 "expect #"
    push rax
    mov eax, %1
    call puthex32_64
    PRINT64 " at="
    lea rax, [rel %%i]
    call puthex32_64
    mov al, 10
    call putc64
    pop rax
%%i:
    %2
    PRINTLN64 "no fault"
    CATCH64 %%c
%endmacro

section .text
bits 32
main:
    mov eax, 0x11
    mov cr0, eax
    mov ecx, 0xc0000080
    rdmsr
    or eax, 1                   ; SCE
    wrmsr
    jmp lm_enter

bits 64
lm_main:
    mov rax, cr0
    mov rbx, rax
    and ebx, 0x7fffffff
    EXPECT64 13, mov cr0, rbx
    mov rbx, rax
    bts rbx, 32                 ; CR0 bits 63:32 are reserved
    EXPECT64 13, mov cr0, rbx
    mov rax, cr4
    mov rbx, rax
    and ebx, ~0x20
    EXPECT64 13, mov cr4, rbx
    mov ecx, 0xc0000080
    rdmsr
    and eax, ~0x100
    EXPECT64 13, wrmsr
    mov rax, cr3
    mov rbx, rax
    bts rbx, 40                 ; MAXPHYADDR is 40 under TCG
    EXPECT64 13, mov cr3, rbx
    mov ebx, 0x10
    EXPECT64 13, mov cr8, rbx
    mov rax, cr8
    SHOWQ "cr8", rax
    mov ecx, 0xc0000100
    xor eax, eax
    mov edx, 0x00008000
    EXPECT64 13, wrmsr
    mov rcx, 0x0000800000000000
    mov r11, 0x202
    EXPECT64 13, o64 sysret
    mov ecx, 0xc0000080
    rdmsr
    SHOWQ "efer", rax
    mov eax, [rel fault_count]
    SHOWQ "faults", rax
    mov al, 0
    out 0xf4, al
    hlt
