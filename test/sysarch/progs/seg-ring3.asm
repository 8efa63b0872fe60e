; CPL 3: IRET to ring 3, INT through a DPL-3 gate with the stack switch from the TSS, INT to a
; DPL-0 gate (#GP), the TSS I/O permission bitmap, privileged instructions, a call gate with
; parameters and RETF to the outer level, a conforming code segment.
%include "lib.inc"
%include "seg.inc"

%macro TRY 1
    mov dword [fault_resume], %1
%endmacro

main:
    call seg_init
    call tss_init
    IDT_GATE 0x80, int80, 0xee00            ; DPL 3 interrupt gate
    IDT_GATE 0x81, int80, 0x8e00            ; DPL 0
    IDT_GATE 0x82, finish, 0xee00
    SET_GATE seg_gdt + 0x68, 0x08, callgate_target, 0xec02  ; DPL 3 32-bit call gate, 2 params
    SET_DESC 0x70, 0, 0xfffff, 0xc09e       ; conforming code, DPL 0
    SET_GATE seg_gdt + 0x88, 0x08, ring0_again, 0xec00  ; DPL 3 call gate, no params
    PRINTLN "to ring 3"
    TO_RING3 ring3

ring3:
    mov ax, 0x3b
    mov ds, ax
    mov es, ax
    mov eax, cs
    SHOW "r3.cs", eax
    mov eax, ss
    SHOW "r3.ss", eax
    PRINTLN "int 0x80"
    int 0x80
    SHOW "back.cs", cs
    PRINTLN "int 0x81 (dpl 0 gate)"
    TRY .r1
    int 0x81
.r1:
    PRINTLN "out 0x80 (denied by the bitmap)"
    TRY .r2
    out 0x80, al
.r2:
    PRINTLN "out dx=0xe8 word (0xe8 denied)"
    TRY .r3
    mov dx, 0xe8
    out dx, ax
.r3:
    PRINTLN "in 0xe9"
    in al, 0xe9
    movzx eax, al
    SHOW "in", eax
    PRINTLN "cli, hlt"
    TRY .r4
    cli
.r4:
    TRY .r5
    hlt
.r5:
    PRINTLN "mov ds, dpl0 data"
    TRY .r6
    mov ax, 0x10
    mov ds, ax
.r6:
    PRINTLN "call gate"
    mov [r3_esp], esp
    push dword 0x11111111
    push dword 0x22222222
    call 0x6b:0
.after_call:
    mov eax, [r3_esp]
    sub eax, esp
    SHOW "esp.delta", eax
    SHOW "gate.eip.ok", [cg_eip_ok]
    SHOW "gate.cs", [cg_cs]
    SHOW "gate.p0", [cg_p0]
    SHOW "gate.p1", [cg_p1]
    SHOW "gate.ss", [cg_ss]
    SHOW "gate.esp.ok", [cg_esp_ok]
    SHOW "gate.my.ss", [cg_myss]
    PRINTLN "conforming code"
    call 0x70:conforming
    SHOW "conf.cs", [conf_cs]
    PRINTLN "jmp far to dpl 0 code"
    TRY .r7
    jmp 0x08:ring0_nowhere
.r7:
    PRINTLN "call gate to ring 0, retf to ring 3"
    call 0x8b:0
.back3:
    mov eax, cs
    SHOW "retf.cs", eax
    mov eax, ss
    SHOW "retf.ss", eax
    mov eax, ds
    SHOW "retf.ds", eax
    mov eax, esp
    sub eax, ring3_stack_top
    SHOW "retf.esp.off", eax
    int 0x82

ring0_again:
    mov eax, cs
    SHOW "r0.cs", eax
    mov ax, 0x10
    mov ds, ax
    push dword 0x3b
    push dword ring3_stack_top - 0x40
    push dword 0x33
    push dword ring3.back3
    retf

ring0_nowhere:
    PRINTLN "wrong: reached ring 0"
    mov al, 0x7e
    jmp exit

int80:
    push eax
    mov eax, [esp + 8]
    SHOW "frame.cs", eax
    mov eax, [esp + 12]
    SHOW "frame.eflags", eax
    mov eax, [esp + 16]
    cmp eax, ring3_stack_top
    sete al
    movzx eax, al
    SHOW "frame.esp.ok", eax
    mov eax, [esp + 20]
    SHOW "frame.ss", eax
    mov eax, ring0_stack_top - 24
    cmp eax, esp
    sete al
    movzx eax, al
    SHOW "handler.esp.ok", eax
    mov eax, ss
    SHOW "handler.ss", eax
    mov eax, cs
    SHOW "handler.cs", eax
    pop eax
    iret

callgate_target:
    mov eax, [esp]
    cmp eax, ring3.after_call
    sete al
    movzx eax, al
    mov [cg_eip_ok], eax
    mov eax, [esp + 4]
    mov [cg_cs], eax
    mov eax, [esp + 8]
    mov [cg_p0], eax
    mov eax, [esp + 12]
    mov [cg_p1], eax
    mov eax, [esp + 16]
    mov ebx, [r3_esp]
    sub ebx, 8
    cmp eax, ebx
    sete al
    movzx eax, al
    mov [cg_esp_ok], eax
    mov eax, [esp + 20]
    mov [cg_ss], eax
    mov eax, ss
    mov [cg_myss], eax
    retf 8

conforming:
    mov eax, cs
    mov [conf_cs], eax
    retf

finish:
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit

section .data
r3_esp: dd 0
cg_eip_ok: dd 0
cg_cs: dd 0
cg_p0: dd 0
cg_p1: dd 0
cg_ss: dd 0
cg_esp_ok: dd 0
cg_myss: dd 0
conf_cs: dd 0
