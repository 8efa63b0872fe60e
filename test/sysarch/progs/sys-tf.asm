; EFLAGS.TF single-step: #DB (DR6.BS) after each instruction that starts with TF set, with the
; return address of the next instruction; POPF that sets TF does not trap, one that clears it does.
%include "lib.inc"
%include "sys.inc"

section .text
db_handler:
    push eax
    PRINT "#DB eip="
    mov eax, [esp + 4]
    call puthex
    PRINT " dr6="
    mov eax, dr6
    call puthex
    call putnl
    mov eax, 0xffff0ff0
    mov dr6, eax
    pop eax
    iret

main:
    mov eax, db_handler
    mov [idt + 8], ax
    shr eax, 16
    mov [idt + 8 + 6], ax
    mov eax, 0xffff0ff0
    mov dr6, eax
    xor eax, eax
    pushfd
    or dword [esp], 0x100
    popfd
.s1: nop
.s2: inc eax
.s3: mov ebx, 5
.s4: pushfd
.s5: and dword [esp], ~0x100
.s6: popfd
.s7: nop
    PRINTLN "tf off"
    mov eax, .s1
    SHOW "s1", eax
    mov eax, .s7
    SHOW "s7", eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
