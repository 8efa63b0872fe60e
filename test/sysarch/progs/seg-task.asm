; Hardware task switches: CALL to a TSS (back link, NT, busy bits, CR0.TS, LDT load), IRET
; back through the back link, JMP through a task gate, INT through a task gate, and #GP
; delivered through a task gate with its error code on the new task's stack.
%include "lib.inc"
%include "seg.inc"

; TSS_INIT tss, eip, esp, ldt: a 32-bit TSS running at CPL 0 with flat segments
%macro TSS_INIT 4
    mov edi, %1
    mov ecx, 104
    xor eax, eax
    rep stosb
    mov dword [%1 + 0x20], %2
    mov dword [%1 + 0x24], 2
    mov dword [%1 + 0x38], %3
    mov word [%1 + 0x48], 0x10
    mov word [%1 + 0x4c], 0x08
    mov word [%1 + 0x50], 0x10
    mov word [%1 + 0x54], 0x10
    mov word [%1 + 0x58], 0x10
    mov word [%1 + 0x5c], 0x10
    mov word [%1 + 0x60], %4
    mov word [%1 + 0x66], 104
%endmacro

; SHOW_TYPE sel: the type nibble of a GDT descriptor (busy bit = 2)
%macro SHOW_TYPE 2
    movzx eax, byte [seg_gdt + %2 + 5]
    and eax, 15
    SHOW %1, eax
%endmacro

main:
    call seg_init
    call tss_init
    SET_DESC 0x78, ldt_table, 15, 0x0082
    TSS_INIT tss_b, task_b, stack_b_top, 0x78
    TSS_INIT tss_c, task_c, stack_c_top, 0
    SET_DESC 0xb0, tss_b, 103, 0x0089
    SET_DESC 0xc0, tss_c, 103, 0x0089
    SET_GATE seg_gdt + 0xb8, 0xb0, 0, 0x8500   ; task gate to B
    SET_GATE idt + 0x50 * 8, 0xb0, 0, 0x8500   ; INT 0x50: task gate to B
    PRINTLN "call tss b"
    mov eax, 0x11111111
    mov ebx, 0x22222222
    call 0xb0:0
    PRINTLN "back in a"
    SHOW "eax", eax
    SHOW "ebx", ebx
    str eax
    SHOW "tr", eax
    pushfd
    pop eax
    SHOW "eflags", eax
    SHOW_TYPE "type.a", 0x40
    SHOW_TYPE "type.b", 0xb0
    sldt eax
    SHOW "ldtr", eax
    PRINTLN "jmp task gate"
    jmp 0xb8:0
    PRINTLN "back in a after jmp"
    SHOW_TYPE "type.a", 0x40
    SHOW_TYPE "type.b", 0xb0
    PRINTLN "int 0x50 task gate"
    int 0x50
    PRINTLN "back in a after int"
    SHOW_TYPE "type.b", 0xb0
    PRINTLN "call 16-bit tss"
    SET_DESC 0xd0, 0x100000, 0xffff, 0x009a  ; 16-bit code, base 1 MiB
    SET_DESC 0xc8, tss16, 43, 0x0081         ; 16-bit TSS, available
    mov edi, tss16
    mov ecx, 44
    xor eax, eax
    rep stosb
    mov eax, task16 - 0x100000
    mov [tss16 + 0x0e], ax                          ; IP
    mov word [tss16 + 0x10], 2                      ; FLAGS
    mov word [tss16 + 0x12], 0x5555                 ; AX
    mov word [tss16 + 0x1a], 0x7000                 ; SP (the task pushes nothing)
    mov word [tss16 + 0x22], 0x10                   ; ES
    mov word [tss16 + 0x24], 0xd0                   ; CS
    mov word [tss16 + 0x26], 0x10                   ; SS
    mov word [tss16 + 0x28], 0x10                   ; DS
    mov eax, 0xaaaabbbb
    call 0xc8:0
    SHOW "after16.eax", eax
    SHOW_TYPE "type.16", 0xc8
    movzx eax, word [tss16 + 0x12]
    SHOW "tss16.ax", eax
    movzx eax, word [tss16 + 0x10]
    SHOW "tss16.flags", eax
    movzx eax, word [tss16 + 0x0e]
    SHOW "tss16.ip", eax
    PRINTLN "#gp through a task gate"
    SET_GATE idt + 13 * 8, 0xc0, 0, 0x8500
    mov ax, 0x108
gp_here:
    mov ds, ax
gp_resume:
    PRINTLN "back in a after #gp"
    mov eax, cr0
    and eax, 8
    SHOW "cr0.ts", eax
    mov al, 0
    jmp exit

task_b:
    PRINTLN "in b (call)"
    movzx eax, word [tss_b]
    SHOW "backlink", eax
    pushfd
    pop eax
    SHOW "eflags", eax
    str eax
    SHOW "tr", eax
    sldt eax
    SHOW "ldtr", eax
    SHOW_TYPE "type.a", 0x40
    SHOW_TYPE "type.b", 0xb0
    mov eax, cr0
    and eax, 8
    SHOW "cr0.ts", eax
    SHOW "saved.eax", [seg_tss + 0x28]
    SHOW "saved.ebx", [seg_tss + 0x34]
    mov eax, [seg_tss + 0x20]
    sub eax, main
    SHOW "saved.eip.off", eax
    iret
    PRINTLN "in b (jmp)"
    pushfd
    pop eax
    SHOW "eflags", eax
    SHOW_TYPE "type.a", 0x40
    SHOW_TYPE "type.b", 0xb0
    jmp 0x40:0
    PRINTLN "in b (int)"
    pushfd
    pop eax
    SHOW "eflags", eax
    movzx eax, word [tss_b]
    SHOW "backlink", eax
    iret
    PRINTLN "b resumed unexpectedly"
    mov al, 0x7e
    jmp exit

bits 16
task16:
    mov al, 'x'
    out 0xe9, al
    mov ax, 0x1234
    mov al, ah
    add al, 0x30
    out 0xe9, al
    mov al, 10
    out 0xe9, al
    ; QEMU 7.2's IRET helper reads a stale env->cc_op when a flag-setting instruction precedes
    ; it in the same translation block, so end the block first
    jmp .iret
.iret:
    iret
    jmp task16
bits 32

task_c:
    pop eax
    SHOW "c.error", eax
    mov eax, [seg_tss + 0x20]
    cmp eax, gp_here
    sete al
    movzx eax, al
    SHOW "c.saved.eip.ok", eax
    mov dword [seg_tss + 0x20], gp_resume
    iret

section .data
align 8
ldt_table:
    dq 0
    dq 0x00CFF2000000FFFF

section .bss
alignb 16
tss_b: resb 104
tss_c: resb 104
tss16: resb 44
resb 1024
stack_b_top:
resb 1024
stack_c_top:
