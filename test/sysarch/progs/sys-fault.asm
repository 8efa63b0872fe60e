; The faults of the system instructions at CPL 0: #UD for absent registers and features,
; #GP for SYSENTER without a target, #DB from instruction and data breakpoints.
%include "lib.inc"
%include "sys.inc"

section .data
align 4
watched: dd 0
other: dd 0

section .text
main:
    mov eax, 0x11
    mov cr0, eax

    PRINTLN "mov cr1/cr5/cr6/cr7: #UD"
    TRY .c1
    db 0x0f, 0x20, 0xc8         ; mov eax, cr1
    CATCH .c1
    TRY .c5
    db 0x0f, 0x22, 0xe8         ; mov cr5, eax
    CATCH .c5
    TRY .c6
    db 0x0f, 0x20, 0xf0         ; mov eax, cr6
    CATCH .c6
    TRY .c7
    db 0x0f, 0x22, 0xf8         ; mov cr7, eax
    CATCH .c7
    PRINTLN "mov cr0 with mod != 11 is still a register move"
    db 0x0f, 0x20, 0x00         ; mov eax, cr0 (mod 00)
    SHOW "cr0", eax

    PRINTLN "dr4/dr5 with CR4.DE: #UD"
    mov eax, 8
    mov cr4, eax
    TRY .d4
    mov eax, dr4
    CATCH .d4
    TRY .d5
    mov dr5, eax
    CATCH .d5
    mov eax, dr6
    SHOW "dr6 with DE", eax
    xor eax, eax
    mov cr4, eax

    PRINTLN "instruction breakpoint (fault)"
    mov eax, .bp
    mov dr0, eax
    mov eax, 0x00000001         ; L0, execute, 1 byte
    mov dr7, eax
    mov ecx, 5
    TRY .bpdone
    nop
.bp:
    inc ecx
    CATCH .bpdone
    SHOW "ecx", ecx
    mov eax, .bp
    SHOW "bp at", eax
    mov eax, dr6
    SHOW "dr6", eax
    xor eax, eax
    mov dr7, eax
    mov eax, 0xffff0ff0
    mov dr6, eax

    PRINTLN "data write breakpoint (trap)"
    mov eax, watched
    mov dr1, eax
    mov eax, (1 << 2) | (1 << 20) | (3 << 22)  ; L1, write, 4 bytes
    mov dr7, eax
    mov eax, [watched]          ; a read does not trigger
    mov dword [other], 1        ; nor does a write elsewhere
    PRINTLN "no hit yet"
    TRY .wdone
    mov dword [watched], 0x1234
.after_write:
    PRINTLN "not reached"
    CATCH .wdone
    mov eax, .after_write
    SHOW "trap after", eax
    SHOW "watched", [watched]
    mov eax, dr6
    SHOW "dr6", eax
    mov eax, 0xffff0ff0
    mov dr6, eax
    PRINTLN "byte write into the watched dword"
    TRY .wb
    mov byte [watched + 3], 0x56
    PRINTLN "not reached"
    CATCH .wb
    mov eax, dr6
    SHOW "dr6", eax
    mov eax, 0xffff0ff0
    mov dr6, eax
    PRINTLN "read/write breakpoint on a read"
    mov eax, (1 << 2) | (3 << 20) | (3 << 22)  ; L1, read/write, 4 bytes
    mov dr7, eax
    TRY .rd
    mov ebx, [watched]
    PRINTLN "not reached"
    CATCH .rd
    SHOW "ebx", ebx
    mov eax, dr6
    SHOW "dr6", eax
    xor eax, eax
    mov dr7, eax
    mov dword [watched], 0
    PRINTLN "no breakpoint after DR7=0"

    PRINTLN "SYSENTER with SYSENTER_CS=0: #GP"
    mov ecx, 0x174
    xor eax, eax
    xor edx, edx
    wrmsr
    TRY .se
    sysenter
    CATCH .se
    PRINTLN "SYSCALL/SYSRET with EFER.SCE=0: #UD"
    TRY .sc
    syscall
    CATCH .sc
    TRY .sr
    db 0x0f, 0x07               ; sysret
    CATCH .sr
    PRINTLN "SWAPGS outside 64-bit mode, XGETBV/XSETBV without XSAVE, INVPCID, CLAC, STAC: #UD"
    TRY .sg
    db 0x0f, 0x01, 0xf8         ; swapgs
    CATCH .sg
    TRY .xg
    xor ecx, ecx
    xgetbv
    CATCH .xg
    TRY .xs
    xsetbv
    CATCH .xs
    TRY .ip
    invpcid eax, [other]
    CATCH .ip
    TRY .cl
    clac
    CATCH .cl
    TRY .st
    stac
    CATCH .st
    TRY .vm
    vmcall
    CATCH .vm
    TRY .rp
    db 0x0f, 0x01, 0xf8         ; swapgs
    CATCH .rp
    SHOW "faults", [fault_count]
    mov al, 0
    jmp exit
