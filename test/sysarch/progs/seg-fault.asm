; Exceptions and software interrupts at CPL 0: vectors, error codes, saved EIP/CS/EFLAGS,
; interrupt vs trap gates, 16-bit gates, gate checks (limit, type, present, null selector),
; segment-register load checks (#GP/#NP/#SS), LDT selectors, far JMP limit check.
%include "lib.inc"
%include "seg.inc"

; TRY label: the kit's fault handler resumes at `label`
%macro TRY 1
    mov dword [fault_resume], %1
%endmacro

main:
    call seg_init
    SET_DESC 0x50, 0, 0xfffff, 0xc098       ; execute-only code
    SET_DESC 0x58, 0, 0xfffff, 0xc012       ; data, not present
    SET_DESC 0x60, 0, 0xfffff, 0xc0f2       ; data DPL 3
    IDT_GATE 0x40, int40, 0x8e00            ; 32-bit interrupt gate
    IDT_GATE 0x41, int41, 0x8f00            ; 32-bit trap gate
    IDT_GATE 0x42, int40, 0x8000            ; type 0: invalid
    IDT_GATE 0x43, int40, 0x0e00            ; not present
    SET_GATE idt + 0x44 * 8, 0, int40, 0x8e00 ; null target selector
    IDT_GATE 0x45, int45, 0x8600            ; 16-bit interrupt gate
    SET_GATE idt + 0x46 * 8, 0x10, int40, 0x8e00 ; target is a data segment

    PRINTLN "de"
    TRY .r1
    xor edx, edx
    xor ecx, ecx
    mov eax, 1
    div ecx
.r1:
    PRINTLN "ud"
    TRY .r2
    ud2
.r2:
    PRINTLN "gp beyond gdt limit"
    TRY .r3
    mov ax, 0x108
    mov ds, ax
.r3:
    PRINTLN "gp execute-only into ds"
    TRY .r4
    mov ax, 0x50
    mov ds, ax
.r4:
    PRINTLN "np data"
    TRY .r5
    mov ax, 0x58
    mov es, ax
.r5:
    PRINTLN "ss not present"
    TRY .r6
    mov ax, 0x58
    mov ss, ax
.r6:
    PRINTLN "gp dpl3 ss"
    TRY .r7
    mov ax, 0x63
    mov ss, ax
.r7:
    PRINTLN "gp null ss"
    TRY .r8
    xor eax, eax
    mov ss, ax
.r8:
    PRINTLN "dpl3 data into fs with rpl3 at cpl0"
    mov ax, 0x63
    mov fs, ax
    mov ax, fs
    SHOW "fs", eax
    mov ax, 0x10
    mov fs, ax
    PRINTLN "lldt null, ldt selector"
    xor eax, eax
    lldt ax
    TRY .r9
    mov ax, 0x0c
    mov gs, ax
.r9:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    PRINTLN "int3 into"
    TRY .r10
    int3
.r10:
    TRY .r11
    mov al, 0x7f
    add al, 1
    into
.r11:
    PRINTLN "icebp"
    TRY .r11b
    db 0xf1
.r11b:
    PRINTLN "interrupt gate with IF=1"
    sti
    int 0x40
    cli
    SHOW "frame.eip", [saved_eip]
    SHOW "frame.cs", [saved_cs]
    SHOW "frame.eflags", [saved_eflags]
    SHOW "handler.eflags", [saved_hflags]
    PRINTLN "trap gate with IF=1"
    sti
    int 0x41
    cli
    SHOW "frame.eflags", [saved_eflags]
    SHOW "handler.eflags", [saved_hflags]
    PRINTLN "invalid gate type"
    TRY .r12
    int 0x42
.r12:
    PRINTLN "gate not present"
    TRY .r13
    int 0x43
.r13:
    PRINTLN "null gate selector"
    TRY .r14
    int 0x44
.r14:
    PRINTLN "gate to a data segment"
    TRY .r15
    int 0x46
.r15:
    PRINTLN "vector beyond the idt limit"
    lidt [small_idtr]
    TRY .r16
    int 0x20
.r16:
    lidt [idtr]
    PRINTLN "16-bit interrupt gate"
    mov [saved_esp], esp
    int 0x45
.r17:
    PRINTLN "far jmp beyond the limit"
    TRY .r18
    jmp 0x18:0x12345
.r18:
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit

int40:
    push eax
    pushfd
    pop eax
    mov [saved_hflags], eax
    mov eax, [esp + 4]
    mov [saved_eip], eax
    mov eax, [esp + 8]
    mov [saved_cs], eax
    mov eax, [esp + 12]
    mov [saved_eflags], eax
    pop eax
    iret
int41 equ int40

int45:
    ; a 16-bit frame: IP, CS, FLAGS words
    movzx eax, word [esp]
    SHOW "frame16.ip", eax
    movzx eax, word [esp + 2]
    SHOW "frame16.cs", eax
    movzx eax, word [esp + 4]
    SHOW "frame16.flags", eax
    mov eax, [saved_esp]
    sub eax, esp
    SHOW "frame16.size", eax
    mov esp, [saved_esp]
    jmp main.r17

section .data
small_idtr:
    dw 16 * 8 - 1
    dd idt
saved_eip: dd 0
saved_cs: dd 0
saved_eflags: dd 0
saved_hflags: dd 0
saved_esp: dd 0
