; 16-bit privilege transfers: a 16-bit call gate from CPL 3 to a 16-bit ring-0 code segment
; (16-bit stack frame with copied word parameters), 16-bit RETF to the outer level, and a
; 16-bit IRET from CPL 0 to 16-bit CPL-3 code.
%include "lib.inc"
%include "seg.inc"

%define OFF16(l) ((l) - 0x100000)

main:
    call seg_init
    call tss_init
    SET_DESC 0x60, 0x100000, 0xffff, 0x009a   ; 16-bit code DPL 0, base 1 MiB
    SET_DESC 0x68, 0x100000, 0xffff, 0x00fa   ; 16-bit code DPL 3, base 1 MiB
    mov eax, OFF16(gate_target)
    SET_GATE seg_gdt + 0x70, 0x60, eax, 0xe402   ; 16-bit call gate DPL 3, 2 word params
    IDT_GATE 0x82, h82, 0xee00
    mov dword [exp_ip], OFF16(ring3_16.ret)
    PRINTLN "to 16-bit ring 3"
    push dword 0x3b
    push dword ring3_stack_top
    pushfd
    push dword 0x6b
    push dword OFF16(ring3_16)
    iret

bits 16
ring3_16:
    mov ax, 0x3b
    mov ds, ax
    mov [dword r3_esp], esp
    push word 0x1111
    push word 0x2222
    call 0x73:0
.ret:
    mov [dword r3_esp_after], esp
    int 0x82
bits 32

bits 16
gate_target:
    ; frame (16-bit): IP, CS, p0, p1, SP, SS
    mov ebp, esp
    movzx eax, word [ss:ebp]
    cmp eax, [dword exp_ip]
    sete al
    movzx eax, al
    mov [dword g_ip_ok], eax
    movzx eax, word [ss:ebp + 2]
    mov [dword g_cs], eax
    movzx eax, word [ss:ebp + 4]
    mov [dword g_p0], eax
    movzx eax, word [ss:ebp + 6]
    mov [dword g_p1], eax
    movzx eax, word [ss:ebp + 8]
    mov ebx, [dword r3_esp]
    sub ebx, 4
    and ebx, 0xffff
    cmp eax, ebx
    sete al
    movzx eax, al
    mov [dword g_sp_ok], eax
    movzx eax, word [ss:ebp + 10]
    mov [dword g_ss], eax
    mov ax, cs
    movzx eax, ax
    mov [dword g_mycs], eax
    mov ax, ss
    movzx eax, ax
    mov [dword g_myss], eax
    o16 retf 4
bits 32

h82:
    cmp byte [phase], 1
    je .second
    mov byte [phase], 1
    mov eax, [r3_esp]
    sub eax, [r3_esp_after]
    SHOW "esp.delta", eax
    SHOW "g.ip.ok", [g_ip_ok]
    SHOW "g.cs", [g_cs]
    SHOW "g.p0", [g_p0]
    SHOW "g.p1", [g_p1]
    SHOW "g.sp.ok", [g_sp_ok]
    SHOW "g.ss", [g_ss]
    SHOW "g.mycs", [g_mycs]
    SHOW "g.myss", [g_myss]
    mov eax, [esp + 4]
    SHOW "f.cs", eax
    PRINTLN "16-bit iret to 16-bit ring-3 code"
    push word 0x3b
    push word 0x7000
    push word 0x0002
    push word 0x6b
    mov eax, OFF16(r3code16)
    push ax
    o16 iret
.second:
    mov eax, [esp]
    SHOW "f.eip", eax
    mov eax, [esp + 4]
    SHOW "f.cs", eax
    mov eax, [esp + 12]
    SHOW "f.esp", eax
    mov eax, [esp + 16]
    SHOW "f.ss", eax
    mov al, 0
    jmp exit

bits 16
r3code16:
    nop
    int 0x82
bits 32

section .data
r3_esp: dd 0
r3_esp_after: dd 0
g_ip_ok: dd 0
g_cs: dd 0
g_p0: dd 0
g_p1: dd 0
g_sp_ok: dd 0
g_ss: dd 0
g_mycs: dd 0
g_myss: dd 0
phase: db 0
align 4
exp_ip: dd 0
