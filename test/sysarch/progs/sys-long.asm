; The system instructions in long mode: entering and leaving IA-32e mode (EFER.LMA), 64-bit
; SGDT/LGDT, CR8, 64-bit MSR values, FS/GS bases and SWAPGS, SYSCALL/SYSRET to 64-bit and
; compatibility-mode CPL 3 (LSTAR, CSTAR, FMASK), DR6/DR7 reserved bits, SYSENTER (#UD on AMD).
%include "lib.inc"
%include "sys.inc"
%include "sys64.inc"

section .data
align 16
pd64: times 16 db 0
newgdt:
    dw 0x1234
    dq 0xffff800000001000
fsdata: dq 0x1122334455667788
gsdata: dq 0x99aabbccddeeff00
gdtr64:
    dw gdt_end - gdt - 1
    dq gdt
farptr:
    dd compat_exit
    dw 0x08

section .bss
align 16
ustack64: resb 4096
ustack64_top:
kstack64: resb 4096
kstack64_top:

section .text
bits 32
main:
    mov al, 0xff                ; no interrupts when SYSRET/IRET set IF
    out 0x21, al
    out 0xa1, al
    mov eax, 0x11
    mov cr0, eax
    mov ecx, 0xc0000080
    rdmsr
    or eax, 1                   ; SCE
    wrmsr
    jmp lm_enter

bits 64
lm_main:
    mov ecx, 0xc0000080
    rdmsr
    SHOWQ "efer", rax
    mov rax, cr0
    SHOWQ "cr0", rax
    mov rax, cr4
    SHOWQ "cr4", rax

    ; SGDT/SIDT store 10 bytes; LGDT takes a 64-bit base
    mov qword [rel pd64 + 8], -1
    sgdt [rel pd64]
    movzx eax, word [rel pd64]
    SHOWQ "gdt.limit", rax
    mov rax, [rel pd64 + 2]
    SHOWQ "gdt.base", rax
    movzx eax, word [rel pd64 + 10]
    SHOWQ "after", rax
    lgdt [rel newgdt]
    sgdt [rel pd64]
    mov rax, [rel pd64 + 2]
    SHOWQ "new gdt.base", rax
    lgdt [rel gdtr64]
    sgdt [rel pd64]
    mov rax, [rel pd64 + 2]
    SHOWQ "gdt.base again", rax
    sidt [rel pd64]
    mov rax, [rel pd64 + 2]
    SHOWQ "idt.base", rax

    ; CR8 (TPR)
    mov rax, cr8
    SHOWQ "cr8", rax
    mov eax, 5
    mov cr8, rax
    mov rax, cr8
    SHOWQ "cr8", rax
    xor eax, eax
    mov cr8, rax

    ; 64-bit MSR values
    mov ecx, 0xc0000082         ; LSTAR
    mov edx, 0xffffffff
    mov eax, 0x80001234
    wrmsr
    rdmsr
    shl rdx, 32
    or rax, rdx
    SHOWQ "lstar", rax

    ; FS/GS bases, SWAPGS
    mov ecx, 0xc0000100
    lea rax, [rel fsdata]
    xor edx, edx
    wrmsr
    mov rax, [fs:0]
    SHOWQ "fs:0", rax
    mov ecx, 0xc0000101
    lea rax, [rel gsdata]
    xor edx, edx
    wrmsr
    mov ecx, 0xc0000102
    mov eax, 0x1000
    mov edx, 0xffff8000
    wrmsr
    swapgs
    mov ecx, 0xc0000101
    rdmsr
    shl rdx, 32
    or rax, rdx
    SHOWQ "gs.base after swapgs", rax
    mov ecx, 0xc0000102
    rdmsr
    shl rdx, 32
    or rax, rdx
    lea rbx, [rel gsdata]
    sub rax, rbx
    SHOWQ "kernel_gs_base-gsdata", rax
    swapgs
    mov rax, [gs:0]
    SHOWQ "gs:0", rax

    ; debug registers: 64-bit DR0, DR6/DR7 bits 63:32 are reserved
    mov rax, 0xffff800012345678
    mov dr0, rax
    mov rbx, dr0
    SHOWQ "dr0", rbx
    mov rax, 0x100000000
    TRY64 .d6
    mov dr6, rax
    CATCH64 .d6
    TRY64 .d7
    mov dr7, rax
    CATCH64 .d7
    mov rax, dr7
    SHOWQ "dr7", rax

    ; SYSENTER/SYSEXIT in 64-bit mode: #UD on AMD models (qemu64)
    TRY64 .se
    sysenter
    CATCH64 .se

    ; SYSCALL/SYSRET: STAR[47:32] = 0x28 (CS 0x28, SS 0x30), STAR[63:48] = 0x20
    ; (SYSRET to 64-bit: CS 0x33, SS 0x2b; to compatibility mode: CS 0x23)
    mov ecx, 0xc0000081
    xor eax, eax
    mov edx, 0x00200028
    wrmsr
    mov ecx, 0xc0000082
    lea rax, [rel syscall64]
    xor edx, edx
    wrmsr
    mov ecx, 0xc0000083
    lea rax, [rel syscall32]
    wrmsr
    mov ecx, 0xc0000084         ; FMASK: DF and AC
    mov eax, 0x40400
    wrmsr
    pushfq
    or qword [rsp], 0x3000      ; IOPL 3 so CPL 3 can print
    popfq
    pushfq
    pop r11
    or r11, 0x200
    lea rcx, [rel user64]
    lea rsp, [rel ustack64_top]
    o64 sysret

user64:
    PRINTLN64 "CPL 3, 64-bit"
    mov eax, cs
    SHOWQ "cs", rax
    mov eax, ss
    SHOWQ "ss", rax
    pushfq
    pop rax
    SHOWQ "rflags", rax
    std
    syscall
.ret:

syscall64:
    lea rsp, [rel kstack64_top]
    PRINTLN64 "CPL 0 from SYSCALL (LSTAR)"
    mov eax, cs
    SHOWQ "cs", rax
    mov eax, ss
    SHOWQ "ss", rax
    lea rax, [rel user64.ret]
    sub rcx, rax
    SHOWQ "rcx-ret", rcx
    SHOWQ "r11", r11
    pushfq
    pop rax
    SHOWQ "rflags", rax
    ; to compatibility mode at CPL 3
    lea rcx, [rel user32]
    mov r11, 0x3202
    sysret

bits 32
user32:
    PRINTLN "CPL 3, compatibility mode"
    mov eax, cs
    SHOW "cs", eax
    syscall
.ret:

bits 64
syscall32:
    lea rsp, [rel kstack64_top]
    PRINTLN64 "CPL 0 from SYSCALL (CSTAR)"
    mov eax, cs
    SHOWQ "cs", rax
    lea rax, [rel user32.ret]
    sub rcx, rax
    SHOWQ "rcx-ret", rcx

    ; leave long mode: to 32-bit code, then clear CR0.PG
    jmp far dword [rel farptr]
bits 32
compat_exit:
    mov eax, cr0
    and eax, 0x7fffffff
    mov cr0, eax
    mov ecx, 0xc0000080
    rdmsr
    SHOW "efer after PG off", eax
    mov ax, 0x10
    mov ss, ax
    mov esp, stack_top
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
