; SYSENTER/SYSEXIT and legacy SYSCALL/SYSRET round trips between CPL 0 and CPL 3.
%include "lib.inc"
%include "sys.inc"

section .bss
align 16
kstack: resb 4096
kstack_top:
ustack: resb 4096
ustack_top:

section .text
main:
    mov al, 0xff                ; no interrupts once SYSRET sets IF: mask both PICs
    out 0x21, al
    out 0xa1, al
    pushfd                      ; IOPL 3 lets CPL 3 write to the debug console
    or dword [esp], 0x3000
    popfd
    mov ecx, 0x174              ; SYSENTER_CS = 0x20: SYSEXIT goes to 0x33/0x3b
    mov eax, 0x20
    xor edx, edx
    wrmsr
    mov ecx, 0x175
    mov eax, kstack_top
    wrmsr
    mov ecx, 0x176
    mov eax, kentry
    wrmsr
    mov ecx, ustack_top
    mov edx, user1
    mov ebx, 0x5a5a
    sysexit

user1:
    PRINTLN "CPL 3 after SYSEXIT"
    mov eax, cs
    SHOW "cs", eax
    mov eax, ss
    SHOW "ss", eax
    mov eax, esp
    sub eax, ustack_top
    SHOW "esp-top", eax
    SHOW "ebx", ebx
    pushfd
    pop eax
    SHOW "eflags", eax
    mov ebx, 0x1234
    sysenter

kentry:
    PRINTLN "CPL 0 after SYSENTER"
    mov eax, cs
    SHOW "cs", eax
    mov eax, ss
    SHOW "ss", eax
    mov eax, esp
    sub eax, kstack_top
    SHOW "esp-top", eax
    SHOW "ebx", ebx
    pushfd
    pop eax
    SHOW "eflags", eax

    mov ecx, 0xc0000080         ; EFER.SCE
    rdmsr
    or eax, 1
    wrmsr
    mov ecx, 0xc0000081         ; STAR: SYSCALL CS 0x08/SS 0x10, SYSRET CS 0x33/SS 0x3b
    mov edx, 0x00300008
    mov eax, sentry
    wrmsr
    mov ecx, user2
    mov esp, ustack_top         ; SYSRET keeps ESP
    db 0x0f, 0x07               ; sysret (legacy form)

user2:
    PRINTLN "CPL 3 after SYSRET"
    mov eax, cs
    SHOW "cs", eax
    mov eax, ss
    SHOW "ss", eax
    pushfd
    pop eax
    SHOW "eflags", eax
    syscall
.ret:

sentry:
    mov esp, kstack_top
    PRINTLN "CPL 0 after SYSCALL"
    mov eax, cs
    SHOW "cs", eax
    mov eax, ss
    SHOW "ss", eax
    sub ecx, user2.ret
    SHOW "ecx-ret", ecx
    pushfd
    pop eax
    SHOW "eflags", eax
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
