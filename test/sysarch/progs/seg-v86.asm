; Virtual-8086 mode: IRETD to V86, INT n from V86 through a DPL-3 gate to ring 0 (the frame with
; GS/FS/DS/ES, null data segments in the handler), IRETD back, the I/O bitmap in V86 mode,
; IOPL-sensitive INT n/PUSHF with IOPL 0, INT to a DPL-0 gate and to a DPL-3 code segment.
%include "lib.inc"
%include "seg.inc"

V86_CS equ 0xffff                 ; CS base 0xffff0: code at 1 MiB+ is reachable
%define V86IP(l) ((l) - 0xffff0)
V86_SS equ 0x1000
V86_SP equ 0x0ff0

; TO_V86 ip, eflags
%macro TO_V86 2
    push dword 0x2222             ; GS
    push dword 0x3333             ; FS
    push dword V86_CS             ; DS
    push dword 0x4444             ; ES
    push dword V86_SS
    push dword V86_SP
    push dword %2
    push dword V86_CS
    push dword V86IP(%1)
    iret
%endmacro

main:
    call seg_init
    call tss_init
    IDT_GATE 0x30, int30, 0xee00          ; DPL 3
    IDT_GATE 0x31, int31, 0xee00          ; DPL 3: leaves V86 mode for good
    IDT_GATE 0x32, int30, 0x8e00          ; DPL 0
    SET_GATE idt + 0x33 * 8, 0x33, int30, 0xee00 ; to DPL-3 code
    IDT_GATE 13, v86_gp, 0x8e00
    PRINTLN "to v86 (iopl 3)"
    TO_V86 v86_a, 0x23002

; (the data segment registers are null on entry from V86 mode: read them into registers only)
int30:
    movzx edx, ax
    mov ebx, ds
    mov ecx, gs
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    SHOW "ax", edx
    SHOW "h.ds", ebx
    SHOW "h.gs", ecx
    mov eax, [esp]
    SHOW "f.eip", eax
    mov eax, [esp + 4]
    SHOW "f.cs", eax
    mov eax, [esp + 8]
    SHOW "f.eflags", eax
    mov eax, [esp + 12]
    SHOW "f.esp", eax
    mov eax, [esp + 16]
    SHOW "f.ss", eax
    mov eax, [esp + 20]
    SHOW "f.es", eax
    mov eax, [esp + 24]
    SHOW "f.ds", eax
    mov eax, [esp + 28]
    SHOW "f.fs", eax
    mov eax, [esp + 32]
    SHOW "f.gs", eax
    mov eax, ring0_stack_top - 36
    cmp eax, esp
    sete al
    movzx eax, al
    SHOW "h.esp.ok", eax
    iret

; #GP: print the error code and the V86 IP, skip the 2-byte faulting instruction (or, from
; ring 0, resume at [fault_resume])
v86_gp:
    push eax
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov eax, [esp + 4]
    SHOW "gp.err", eax
    mov eax, [esp + 8]
    SHOW "gp.eip", eax
    test dword [esp + 16], 0x20000
    jz .prot
    ; a HLT in V86 mode ends the test
    movzx eax, word [esp + 12]
    shl eax, 4
    add eax, [esp + 8]
    cmp byte [eax], 0xf4
    je finish
    pop eax
    add esp, 4
    add dword [esp], 2
    iret
.prot:
    mov eax, [fault_resume]
    mov [esp + 8], eax
    pop eax
    add esp, 4
    iret

int31:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    PRINTLN "v86 done"
    mov eax, [esp + 8]
    SHOW "f.eflags", eax
    PRINTLN "int 0x33 from ring 0 to dpl 3 code"
    mov dword [fault_resume], .r
    int 0x33
.r:
    PRINTLN "to v86 (iopl 0)"
    TO_V86 v86_b, 0x20002

bits 16
v86_a:
    mov ax, 0x1234
    int 0x30
    in al, 0xe9
    mov ah, 0
    int 0x30
    out 0x80, al
    cli
    sti
    pushf
    pop ax
    int 0x30
    int 0x32
    mov ax, 0x5678
    int 0x33
    int 0x31
v86_b:
    int 0x30
    pushf
    nop
    popf
    nop
    iret
    nop
    hlt
bits 32

finish:
    PRINTLN "v86 hlt"
    mov al, 0
    jmp exit
