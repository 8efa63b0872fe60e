; Delivery with paging: GDT, IDT, TSS and the ring-0 stack on supervisor-only pages are used
; from CPL 3 (implicit supervisor accesses); a user-mode #PF on a supervisor page; a #PF while
; pushing the frame on a not-present ring-0 stack, then again while delivering that #PF ->
; #DF, delivered through a task gate to a task with its own stack.
%include "lib.inc"
%include "seg.inc"

PD      equ 0xa00000            ; 32-bit page directory, 4 MiB pages
GDT2    equ 0x800000            ; supervisor-only copies of the GDT and IDT
IDT2    equ 0x801000
STACK0  equ 0x81f000            ; ring-0 stack top
TSS_A   equ 0x820000
TSS_DF  equ 0x821000
STACKDF equ 0x830000

%macro GATE2 3
    SET_GATE IDT2 + (%1) * 8, 0x08, %2, %3
%endmacro

main:
    call seg_init
    ; page directory: 0-4 MiB user, 4-64 MiB supervisor, 44-48 MiB not present
    mov edi, PD
    mov ecx, 1024
    xor eax, eax
    rep stosd
    xor ecx, ecx
.pd:
    mov eax, ecx
    shl eax, 22
    or eax, 0x83                ; P, RW, PS
    test ecx, ecx
    jnz .sup
    or eax, 4                   ; US for the first 4 MiB (the program)
.sup:
    mov [PD + ecx * 4], eax
    inc ecx
    cmp ecx, 16
    jb .pd
    mov dword [PD + 11 * 4], 0
    ; TSSs: A (current task), DF (the #DF handler task)
    mov edi, TSS_A
    mov ecx, 0x2000 / 4
    xor eax, eax
    rep stosd
    mov dword [TSS_A + 4], STACK0
    mov dword [TSS_A + 8], 0x10
    mov word [TSS_A + 0x66], 104
    mov dword [TSS_DF + 0x1c], PD
    mov dword [TSS_DF + 0x20], df_task
    mov dword [TSS_DF + 0x24], 2
    mov dword [TSS_DF + 0x38], STACKDF
    mov word [TSS_DF + 0x48], 0x10
    mov word [TSS_DF + 0x4c], 0x08
    mov word [TSS_DF + 0x50], 0x10
    mov word [TSS_DF + 0x54], 0x10
    mov word [TSS_DF + 0x66], 104
    SET_DESC 0x40, TSS_A, 103, 0x0089
    SET_DESC 0x58, TSS_DF, 103, 0x0089
    ; the GDT and IDT copies
    mov esi, seg_gdt
    mov edi, GDT2
    mov ecx, 32 * 2
    rep movsd
    mov esi, idt
    mov edi, IDT2
    mov ecx, 256 * 2
    rep movsd
    GATE2 0x80, h80, 0xee00
    GATE2 0x81, h81, 0xee00
    SET_GATE IDT2 + 8 * 8, 0x58, 0, 0x8500     ; #DF: task gate
    lgdt [gdtr2]
    lidt [idtr2]
    mov eax, cr4
    or eax, 0x10                ; PSE
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov ax, 0x40
    ltr ax
    PRINTLN "paging on, to ring 3"
    TO_RING3 ring3

ring3:
    mov ax, 0x3b
    mov ds, ax
    mov es, ax
    int 0x80
    mov dword [fault_resume], .r1
    mov eax, [GDT2]
.r1:
    int 0x81
    int 0x80
    jmp $

h80:
    push eax
    PRINTLN "int 0x80 at ring 0"
    mov eax, [esp + 8]
    SHOW "frame.cs", eax
    mov eax, [esp + 20]
    SHOW "frame.ss", eax
    mov eax, esp
    SHOW "esp", eax
    pop eax
    iret

h81:
    PRINTLN "ring-0 stack -> not present"
    mov dword [TSS_A + 4], 0x3000000
    iret

df_task:
    PRINTLN "#df task"
    pop eax
    SHOW "error", eax
    movzx eax, word [TSS_DF]
    SHOW "backlink", eax
    mov eax, cr2
    SHOW "cr2", eax
    mov eax, [TSS_A + 0x20]
    cmp eax, ring3.r1 + 2
    sete al
    movzx eax, al
    SHOW "a.eip.ok", eax
    movzx eax, word [TSS_A + 0x4c]
    SHOW "a.cs", eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit

section .data
gdtr2:
    dw 32 * 8 - 1
    dd GDT2
idtr2:
    dw 256 * 8 - 1
    dd IDT2
