; Long mode: 64-bit interrupt gates, the 16-byte frame alignment, IST stacks, INT from CPL 3
; (RSP0 from the 64-bit TSS, SS = null selector), IRETQ to CPL 3, #GP error codes of 64-bit
; gates (vector * 16 + 2), LTR of a 16-byte TSS descriptor.
%include "lib.inc"
%include "seg.inc"

PT_BASE equ 0x900000
PML4    equ PT_BASE
PDPT    equ PT_BASE + 0x1000
PD      equ PT_BASE + 0x2000
IDT64   equ PT_BASE + 0x3000
TSS64   equ PT_BASE + 0x4000
STACK0  equ 0x920000            ; RSP0
IST1    equ 0x930000
IST2    equ 0x940000
STACK3  equ 0x950000            ; the CPL-3 stack
REC     equ 0x960000            ; records written by the 64-bit handlers

; GATE64 vector, handler, attr16 (type/DPL/IST): a 64-bit gate to selector 0x28
%macro GATE64 3
    mov eax, %2
    mov [IDT64 + (%1) * 16], ax
    mov word [IDT64 + (%1) * 16 + 2], 0x28
    mov word [IDT64 + (%1) * 16 + 4], %3
    shr eax, 16
    mov [IDT64 + (%1) * 16 + 6], ax
%endmacro

; SHOWQ "name", addr: "name=<hi>_<lo>"
%macro SHOWQ 2
    PRINT %1
    PRINT "="
    push eax
    mov eax, [%2 + 4]
    call puthex
    mov al, '_'
    call putc
    mov eax, [%2]
    call puthex
    pop eax
    call putnl
%endmacro

main:
    call seg_init
    mov edi, PT_BASE
    mov ecx, 0x70000 / 4
    xor eax, eax
    rep stosd
    xor ecx, ecx
.id:
    mov eax, ecx
    shl eax, 21
    or eax, 0x87                ; P, RW, US, PS
    mov [PD + ecx * 8], eax
    inc ecx
    cmp ecx, 32
    jb .id
    mov dword [PML4], PDPT | 7
    mov dword [PDPT], PD | 7
    GATE64 0x80, h_int, 0xee00          ; DPL 3
    GATE64 0x81, h_int, 0x8e00          ; DPL 0
    GATE64 0x82, h_done, 0xee00
    GATE64 0x83, h_int, 0xee01          ; DPL 3, IST1
    GATE64 13, h_gp, 0x8e02             ; IST2
    ; the 64-bit TSS: RSP0, IST1, IST2; a 16-byte descriptor at 0x40
    mov dword [TSS64 + 4], STACK0
    mov dword [TSS64 + 0x24], IST1
    mov dword [TSS64 + 0x2c], IST2
    mov word [TSS64 + 0x66], 104
    SET_DESC 0x40, TSS64, 103, 0x0089
    mov dword [seg_gdt + 0x48], 0
    mov dword [seg_gdt + 0x4c], 0
    SET_DESC 0x50, 0, 0xfffff, 0xa0fa   ; code64 DPL 3
    lidt [idtr64]
    mov eax, cr4
    or eax, 0x20
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    mov ecx, 0xc0000080
    rdmsr
    or eax, 0x100
    wrmsr
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov ax, 0x40
    ltr ax
    PRINTLN "long mode"
    movzx eax, byte [seg_gdt + 0x45]
    SHOW "tss.type", eax
    jmp 0x28:long64

bits 64
long64:
    ; 1. INT at CPL 0 with a misaligned RSP: the frame starts 16-byte aligned
    mov rsp, STACK0 - 0x1008
    mov qword [REC + 0x100], 1
    int 0x80
    ; 2. INT through an IST gate
    mov qword [REC + 0x100], 2
    int 0x83
    ; 3. #GP (selector beyond the GDT limit) through IST2
    mov ax, 0x108
    mov ds, ax
    ; 4. to CPL 3 with IRETQ
    push qword 0x3b
    push qword STACK3
    pushfq
    push qword 0x53
    mov eax, ring3
    push rax
    iretq
ring3:
    mov qword [REC + 0x100], 3
    int 0x80
    mov rax, cs
    mov [REC + 0x1f8], rax
    mov rax, ss
    mov [REC + 0x1f0], rax
    mov [REC + 0x1e8], rsp
    ; 5. INT to a DPL-0 gate from CPL 3: #GP(0x81 * 16 + 2)
    int 0x81
    int 0x82

; h_int: records the handler's RSP and SS and the 5-qword frame at REC + 0x40 * step
h_int:
    push rax
    push rbx
    mov rbx, [REC + 0x100]
    shl rbx, 6
    lea rax, [rsp + 16]
    mov [REC + rbx], rax
    mov rax, ss
    mov [REC + rbx + 8], rax
    mov rax, [rsp + 16]
    mov [REC + rbx + 16], rax
    mov rax, [rsp + 24]
    mov [REC + rbx + 24], rax
    mov rax, [rsp + 32]
    mov [REC + rbx + 32], rax
    mov rax, [rsp + 40]
    mov [REC + rbx + 40], rax
    mov rax, [rsp + 48]
    mov [REC + rbx + 48], rax
    pop rbx
    pop rax
    iretq

; h_gp: records the error code, RIP, CS and the handler's RSP, skips the 2-byte instruction
h_gp:
    push rax
    mov rax, [REC + 0x180]
    inc rax
    mov [REC + 0x180], rax
    shl rax, 5
    mov rbx, [rsp + 8]
    mov [REC + 0x180 + rax], rbx
    mov rbx, [rsp + 16]
    mov [REC + 0x188 + rax], rbx
    mov rbx, [rsp + 24]
    mov [REC + 0x190 + rax], rbx
    lea rbx, [rsp + 8]
    mov [REC + 0x198 + rax], rbx
    add qword [rsp + 16], 2
    pop rax
    add rsp, 8
    iretq

h_done:
    jmp far dword [to_compat]
to_compat:
    dd report
    dw 0x08

bits 32
report:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK0 - 0x2000
    PRINTLN "int 0x80 at cpl 0"
    SHOWQ "h.rsp", REC + 0x40
    SHOWQ "h.ss", REC + 0x48
    SHOWQ "f.rip", REC + 0x50
    SHOWQ "f.cs", REC + 0x58
    SHOWQ "f.rflags", REC + 0x60
    SHOWQ "f.rsp", REC + 0x68
    SHOWQ "f.ss", REC + 0x70
    PRINTLN "int 0x83 (ist1)"
    SHOWQ "h.rsp", REC + 0x80
    SHOWQ "f.rsp", REC + 0xa8
    PRINTLN "int 0x80 at cpl 3"
    SHOWQ "h.rsp", REC + 0xc0
    SHOWQ "h.ss", REC + 0xc8
    SHOWQ "f.rip", REC + 0xd0
    SHOWQ "f.cs", REC + 0xd8
    SHOWQ "f.rsp", REC + 0xe8
    SHOWQ "f.ss", REC + 0xf0
    SHOWQ "r3.cs", REC + 0x1f8
    SHOWQ "r3.ss", REC + 0x1f0
    SHOWQ "r3.rsp", REC + 0x1e8
    PRINTLN "#gp"
    SHOWQ "count", REC + 0x180
    SHOWQ "err1", REC + 0x1a0
    SHOWQ "rip1", REC + 0x1a8
    SHOWQ "cs1", REC + 0x1b0
    SHOWQ "rsp1", REC + 0x1b8
    SHOWQ "err2", REC + 0x1c0
    SHOWQ "cs2", REC + 0x1d0
    SHOWQ "rsp2", REC + 0x1d8
    mov al, 0
    jmp exit

section .data
idtr64:
    dw 256 * 16 - 1
    dd IDT64
