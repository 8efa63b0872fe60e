bits 32
; System tables at high canonical (kernel-half) addresses in long mode, the layout Linux uses
; (its per-CPU TSS lives at 0xfffffe0000003000): the GDT, IDT, a 64-bit TSS and an LDT are
; mapped at H = 0xfffffe0000000000 + n pages (supervisor-only 4 KiB pages) and loaded with
; LGDT/LIDT/LTR/LLDT.  The TSS and the LDT have bases that are not page aligned (H+0x3008,
; H+0x4010).  A base kept as an unsigned double is >= 2^63 (the LDT loads then #GP and the
; stack switches go astray); one that merely lost its low bits (a canonical double beyond 2^53
; rounds to a multiple of 2048) would read the decoys placed just below: a decoy RSP0/IST1
; pointing at another mapped stack, and decoy LDT descriptors with other bases and limits.
;
; From CPL 3 (IRETQ to a 64-bit user code segment, user pages): #PF (not present, write, and a
; supervisor-only high page), INT 0x80 through a DPL 3 gate (RSP0), #UD through an IST1 gate,
; INT3 through a DPL 3 IST2 gate, #GP from INT to a DPL 0 gate, an LDT data segment loaded into
; FS and an LDT DPL 0 segment refused.  Each handler prints its RSP at entry (inside RSP0's or
; an IST stack), the frame, the error code and CR2 where there is one.
%include "lib.inc"
%include "sys.inc"
%include "sys64.inc"

H       equ 0xfffffe0000000000  ; PML4 slot 508, as Linux's cpu_entry_area

HPDPT   equ 0x800000            ; page tables of the high mapping
HPD     equ 0x801000
HPT     equ 0x802000
GDT_P   equ 0x810000            ; physical pages behind H + n * 0x1000 (also identity mapped)
IDT_P   equ 0x811000
TSS_P   equ 0x812000
LDT_P   equ 0x813000
STK0_P  equ 0x815000
IST1_P  equ 0x817000
IST2_P  equ 0x819000
DECOY_P equ 0x81b000
MARK_P  equ 0x820000            ; the memory the LDT data segments (and their decoys) point at

GDT_H   equ H + 0x1000
IDT_H   equ H + 0x2000
TSS_H   equ H + 0x3008
LDT_H   equ H + 0x4010
RSP0    equ H + 0x7000          ; tops of the stacks (the pages above them are not mapped)
IST1    equ H + 0x9000
IST2    equ H + 0xb000
DECOY   equ H + 0xd000

; A 32-bit data descriptor with byte granularity: base, limit (< 1 MiB), access byte.
%define DESC(b, l, a) (((l) & 0xffff) | (((b) & 0xffff) << 16) | ((((b) >> 16) & 0xff) << 32) | ((a) << 40) | ((((l) >> 16) & 0xf) << 48) | (0x4 << 52) | (((b) >> 24) << 56))

; A 16-byte system descriptor (TSS or LDT in long mode): base, limit, access byte.
%macro SYSDESC 3
    dq DESC((%1) & 0xffffffff, %2, %3) & ~(0x4 << 52)
    dq (%1) >> 32
%endmacro

section .data
align 16
gdt_tail:                       ; GDT entries from 0x50 on (0x00-0x4f are lib.inc's)
    SYSDESC TSS_H, 103, 0x89    ; 0x50 64-bit TSS
    SYSDESC LDT_H, 23, 0x82     ; 0x60 LDT
    dq 0x00AFFA000000FFFF       ; 0x70 code64 DPL 3
gdt_tail_end:
ldt_image:                      ; at H+0x4000: two decoys, then the LDT itself at H+0x4010
    dq DESC(MARK_P, 0xaaaa, 0x92)
    dq DESC(MARK_P + 0x1000, 0xbbbb, 0xf2)
    dq DESC(MARK_P + 0x2000, 0xcccc, 0x92) ; LDT 0 (selector 0x04): DPL 0
    dq DESC(MARK_P + 0x3000, 0xdddd, 0xf2) ; LDT 1 (selector 0x0c/0x0f): DPL 3
ldt_image_end:
gdtr_h:
    dw 0x77
    dq GDT_H
idtr_h:
    dw 0xfff
    dq IDT_H
pd10: times 16 db 0

section .bss
alignb 16
resume: resq 1                  ; where the next handled fault resumes (0: the CPU's RIP)
handled: resq 1                 ; the number of interrupts the handlers below took
ustack: resb 4096
ustack_top:

section .text
bits 32
main:
    mov al, 0xff                ; no interrupts when IRET sets IF
    out 0x21, al
    out 0xa1, al
    mov edi, HPDPT
    mov ecx, (DECOY_P + 0x1000 - HPDPT) / 4
    xor eax, eax
    rep stosd
    jmp lm_enter

bits 64
; TRYQ label: the next fault handled below resumes at label; CATCHQ label is that place
; (it disarms TRYQ when nothing faulted).
%macro TRYQ 1
    push rax
    lea rax, [rel %1]
    mov [rel resume], rax
    pop rax
%endmacro
%macro CATCHQ 1
%1:
    mov qword [rel resume], 0
%endmacro

; set_gate: EDI = vector, RAX = handler, EDX = type/attribute byte << 8 | IST
set_gate:
    shl edi, 4
    add edi, IDT_P
    mov [rdi], ax
    mov word [rdi + 2], 0x28
    mov [rdi + 4], dx
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    ret

%macro GATE 3
    mov edi, %1
    lea rax, [rel %2]
    mov edx, %3
    call set_gate
%endmacro

lm_main:
    ; The high mapping: supervisor-only pages at H + n * 0x1000.
    mov dword [lm_pml4 + 508 * 8], HPDPT | 3
    mov dword [HPDPT], HPD | 3
    mov dword [HPD], HPT | 3
    mov dword [HPT + 1 * 8], GDT_P | 3
    mov dword [HPT + 2 * 8], IDT_P | 3
    mov dword [HPT + 3 * 8], TSS_P | 3
    mov dword [HPT + 4 * 8], LDT_P | 3
    mov dword [HPT + 6 * 8], STK0_P | 3
    mov dword [HPT + 8 * 8], IST1_P | 3
    mov dword [HPT + 10 * 8], IST2_P | 3
    mov dword [HPT + 12 * 8], DECOY_P | 3
    mov rax, cr3
    mov cr3, rax

    ; GDT: lib.inc's entries, the TSS and LDT descriptors, a 64-bit user code segment.
    mov esi, gdt
    mov edi, GDT_P
    mov ecx, gdt_end - gdt
    rep movsb
    mov esi, gdt_tail
    mov ecx, gdt_tail_end - gdt_tail
    rep movsb
    ; IDT: sys64.inc's reporting gates for 0-31, then the gates under test.
    mov esi, lm_idt
    mov edi, IDT_P
    mov ecx, 32 * 16
    rep movsb
    GATE 3, h_bp, 0xee02        ; INT3: DPL 3, IST2
    GATE 6, h_ud, 0x8e01        ; #UD: IST1
    GATE 13, h_gp, 0x8e00
    GATE 14, h_pf, 0x8e00
    GATE 0x80, h_int80, 0xee00  ; DPL 3, RSP0
    GATE 0x81, h_int80, 0x8e00  ; DPL 0: INT 0x81 from CPL 3 is #GP
    GATE 0x82, h_done, 0xee00
    ; TSS at H+0x3008.  The two dwords before it and its reserved fields hold a decoy TSS for a
    ; base rounded down to H+0x3000: RSP0 (at +4) = DECOY, IST1 (at +0x24) = DECOY - 0x100.
    mov dword [TSS_P + 4], DECOY & 0xffffffff
    mov dword [TSS_P + 8], DECOY >> 32     ; the real TSS's reserved dword 0
    mov rax, RSP0
    mov [TSS_P + 8 + 4], rax
    mov rax, DECOY - 0x100
    mov [TSS_P + 8 + 28], rax   ; reserved
    mov rax, IST1
    mov [TSS_P + 8 + 36], rax
    mov rax, IST2
    mov [TSS_P + 8 + 44], rax
    mov word [TSS_P + 8 + 102], 104        ; no I/O bitmap
    ; LDT page and what its segments point at.
    mov esi, ldt_image
    mov edi, LDT_P
    mov ecx, ldt_image_end - ldt_image
    rep movsb
    mov dword [MARK_P], 0xdec0dec0
    mov dword [MARK_P + 0x1000], 0xdec1dec1
    mov dword [MARK_P + 0x2000], 0x1d700000
    mov dword [MARK_P + 0x3000], 0x1d700001

    ; LGDT/LIDT with 64-bit bases; CS, SS, DS come from the high GDT.
    lgdt [rel gdtr_h]
    lidt [rel idtr_h]
    push qword 0x28
    lea rax, [rel .cs]
    push rax
    o64 retf
.cs:
    mov ax, 0x10
    mov ss, ax
    mov ds, ax
    mov es, ax
    sgdt [rel pd10]
    SHOWQ "gdt.base", [rel pd10 + 2]
    sidt [rel pd10]
    SHOWQ "idt.base", [rel pd10 + 2]

    ; LTR: the descriptor becomes busy (type 0xb).
    mov ax, 0x50
    ltr ax
    str eax
    SHOWQ "tr", rax
    mov eax, [GDT_P + 0x54]
    SHOWQ "tss desc+4", rax
    mov ecx, 0x50
    lsl eax, ecx
    SHOWQ "lsl tr", rax

    ; LLDT, then LDT selectors: LSL/LAR, and FS/GS loaded from the LDT (the base of a data
    ; segment becomes the low half of FS.base/GS.base in 64-bit mode).
    mov ax, 0x60
    lldt ax
    sldt eax
    SHOWQ "ldtr", rax
    mov ecx, 0x04
    lsl eax, ecx
    SHOWQ "lsl 04", rax
    lar eax, ecx
    SHOWQ "lar 04", rax
    mov ecx, 0x0f
    lsl eax, ecx
    SHOWQ "lsl 0f", rax
    TRYQ .fs
    mov fs, cx
    CATCHQ .fs
    TRYQ .gs
    mov ax, 0x04
    mov gs, ax
    CATCHQ .gs
    mov ecx, 0xc0000100
    rdmsr
    SHOWQ "fs.base", rax
    mov ecx, 0xc0000101
    rdmsr
    SHOWQ "gs.base", rax
    mov eax, [fs:0]
    SHOWQ "fs:0", rax
    mov eax, [gs:0]
    SHOWQ "gs:0", rax
    mov eax, [LDT_P + 0x14]
    SHOWQ "ldt0+4", rax         ; accessed bit set by the load
    mov eax, [LDT_P + 0x1c]
    SHOWQ "ldt1+4", rax

    ; At CPL 0: #UD still switches to IST1; INT 0x80 stays on this stack.
    PRINTLN64 "cpl0 ud2"
    TRYQ .ud0
    ud2
    CATCHQ .ud0
    PRINTLN64 "cpl0 int 0x80"
    mov eax, 0x80
    int 0x80

    ; IRETQ to CPL 3, 64-bit code, IOPL 3 (so it can print), interrupts off.
    PRINTLN64 "to cpl 3"
    push qword 0x3b
    lea rax, [rel ustack_top]
    push rax
    push qword 0x3002
    push qword 0x73
    lea rax, [rel user]
    push rax
    iretq

user:
    mov eax, cs
    SHOWQ "user cs", rax
    PRINTLN64 "user read 0x40000000"
    TRYQ .pf1
    mov eax, [0x40000000]
    CATCHQ .pf1
    PRINTLN64 "user write 0x40000008"
    TRYQ .pf2
    mov dword [0x40000008], 1
    CATCHQ .pf2
    PRINTLN64 "user read TSS page"
    TRYQ .pf3
    mov rax, TSS_H
    mov eax, [rax]
    CATCHQ .pf3
    PRINTLN64 "user int 0x80"
    mov eax, 0x5ca11
    int 0x80
    PRINTLN64 "user ud2"
    TRYQ .ud
    ud2
    CATCHQ .ud
    PRINTLN64 "user int3"
    int3
    PRINTLN64 "user int 0x81"         ; QEMU 7.2 reports vector * 16 + 2 in long mode (the SDM: * 8)
    TRYQ .gp1
    int 0x81
    CATCHQ .gp1
    PRINTLN64 "user LDT segments"
    mov ecx, 0x0f
    lsl eax, ecx
    SHOWQ "user lsl 0f", rax
    TRYQ .fs
    mov fs, cx
    CATCHQ .fs
    mov eax, [fs:0]
    SHOWQ "user fs:0", rax
    mov ecx, 0x07               ; LDT 0 is DPL 0: #GP(0x04)
    TRYQ .gp2
    mov fs, cx
    CATCHQ .gp2
    mov eax, fs
    SHOWQ "user fs", rax
    int 0x82

; report: RBX = RSP at entry, ECX = 1 if an error code was pushed.  Prints the RSP, the error
; code, the frame and SS; returns RBX pointing at the frame's RIP.
report:
    push rax
    inc qword [rel handled]
    SHOWQ "rsp", rbx
    test ecx, ecx
    jz .noerr
    SHOWQ "err", [rbx]
    add rbx, 8
.noerr:
    SHOWQ "rip", [rbx]
    SHOWQ "cs", [rbx + 8]
    SHOWQ "rflags", [rbx + 16]
    SHOWQ "old rsp", [rbx + 24]
    SHOWQ "old ss", [rbx + 32]
    mov eax, ss
    SHOWQ "ss", rax
    pop rax
    ret

; resume_at: RBX = the frame's RIP; resumes at [resume] if set.
resume_at:
    push rax
    mov rax, [rel resume]
    test rax, rax
    jz .d
    mov [rbx], rax
    mov qword [rel resume], 0
.d: pop rax
    ret

; must_resume: as resume_at, but a fault nobody expected ends the program (status 0x7e).
must_resume:
    cmp qword [rel resume], 0
    jne resume_at
    PRINTLN64 "unexpected"
    mov al, 0x7e
    out 0xf4, al
    hlt

; HANDLER name, has-error-code: saves RAX/RBX/RCX, reports, resumes, IRETQ.
%macro HANDLER 3
%1:
    push rax
    push rbx
    push rcx
    lea rbx, [rsp + 24]
    PRINTLN64 %2
    mov ecx, %3
    call report
%endmacro
%macro HANDLER_END 2
    call %2
    pop rcx
    pop rbx
    pop rax
%if %1
    add rsp, 8
%endif
    iretq
%endmacro

HANDLER h_pf, "#PF", 1
    mov rax, cr2
    SHOWQ "cr2", rax
HANDLER_END 1, must_resume

HANDLER h_gp, "#GP", 1
HANDLER_END 1, must_resume

HANDLER h_ud, "#UD", 0
HANDLER_END 0, must_resume

HANDLER h_bp, "#BP", 0
HANDLER_END 0, resume_at

HANDLER h_int80, "int 0x80", 0
    SHOWQ "rax", [rbx - 8]
HANDLER_END 0, resume_at

HANDLER h_done, "int 0x82", 0
    lea rsp, [rel stack_top]
    SHOWQ "handled", [rel handled]
    SHOWQ "faults", [rel fault_count]
    mov al, 11
    out 0xf4, al
    hlt
