; The system instructions at CPL 3: the privileged ones raise #GP(0) (MOV CR5 too: the
; privilege check comes first), SGDT/SIDT/SMSW work (no UMIP), SWAPGS is #UD outside 64-bit mode.
%include "lib.inc"
%include "sys.inc"

section .data
pd: times 8 db 0

section .text
main:
    call sys_to_ring3
    mov ax, 0x3b
    mov ds, ax
    mov es, ax
    mov eax, cs
    SHOW "cs", eax
%macro GP 2
    PRINTLN %1
    TRY %%c
    %2
    CATCH %%c
%endmacro
    GP "lgdt", {lgdt [pd]}
    GP "lidt", {lidt [pd]}
    GP "lmsw", {lmsw ax}
    GP "clts", clts
    GP "mov eax, cr0", {mov eax, cr0}
    GP "mov cr0, eax", {mov cr0, eax}
    GP "mov eax, cr5", {db 0x0f, 0x20, 0xe8}
    GP "mov eax, dr7", {mov eax, dr7}
    GP "mov dr0, eax", {mov dr0, eax}
    GP "rdmsr", rdmsr
    GP "wrmsr", wrmsr
    GP "invd", invd
    GP "wbinvd", wbinvd
    GP "invlpg", {invlpg [pd]}
    GP "sysexit", sysexit
    GP "rdpmc", rdpmc
    GP "swapgs", {db 0x0f, 0x01, 0xf8}
    GP "sysret without SCE", {db 0x0f, 0x07}
    sgdt [pd]
    mov eax, [pd + 2]
    sub eax, gdt
    SHOW "sgdt base-gdt", eax
    sidt [pd]
    movzx eax, word [pd]
    SHOW "sidt limit", eax
    smsw eax
    and eax, 0xffff
    SHOW "smsw", eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
